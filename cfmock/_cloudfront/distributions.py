"""Distributions, the slice viewer mTLS needs: configs stored as sent, and checked for the links.

cfmock answers the distribution operations itself so that the links hold
(``spec/viewer-mtls.md`` §3 and decisions 9-17): a ``ViewerMtlsConfig`` names an existing,
``active`` trust store (or none, in passthrough mode), a ``ConnectionFunctionAssociation`` names a
published connection function, and what a distribution uses cannot be deleted. The rest of the
``DistributionConfig`` is stored and answered exactly as it came. Every write answers
``InProgress``; a distribution is ``Deployed`` at the first read once ``deploy_delay`` seconds
have passed.
"""

from __future__ import annotations

import builtins
import dataclasses
import datetime
import random
import string
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cfmock._cloudfront import tokens, validation
from cfmock._cloudfront.paging import decode_marker, encode_marker, parse_count
from cfmock.exceptions import ServiceError

IN_PROGRESS, DEPLOYED = "InProgress", "Deployed"
MODES = ("required", "optional", "passthrough")
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
"""The managed ``CachingDisabled`` cache policy, which passthrough mode needs on every behavior."""
DEFAULT_MAX_ITEMS = 100
NOT_DISABLED_MESSAGE = "The distribution you are trying to delete has not been disabled."
INCONSISTENT_MESSAGE = "The value of Quantity and the size of Items don't match."
CNAME_MESSAGE = (
    "One or more of the CNAMEs you provided are already associated with a different resource."
)
CALLER_REFERENCE_MESSAGE = (
    "The caller reference that you are using to create a distribution is associated with "
    "another distribution."
)

Tags = Sequence[tuple[str, str | None]]
Config = dict[str, Any]


@dataclass(frozen=True)
class Distribution:
    """A snapshot of one distribution; ``config`` is its ``DistributionConfig`` as sent.

    ``config`` is the very dict the request was decoded into (each request decodes a new one;
    the call log keeps its own copy): read it, do not change it.
    """

    id: str
    arn: str
    domain_name: str
    account_id: str
    config: Config = dataclasses.field(compare=False)
    status: str
    version: int
    last_modified_time: datetime.datetime
    tags: tuple[tuple[str, str | None], ...] = ()
    sequence: int = 0

    @property
    def etag(self) -> str:
        """The ETag Update and Delete expect in ``If-Match`` (Get and GetConfig share it)."""
        return tokens.etag(self.version)

    @property
    def enabled(self) -> bool:
        """``DistributionConfig.Enabled``."""
        return bool(self.config.get("Enabled"))

    @property
    def aliases(self) -> tuple[str, ...]:
        """The alternate domain names (CNAMEs)."""
        return tuple((self.config.get("Aliases") or {}).get("Items") or ())

    @property
    def mtls_mode(self) -> str | None:
        """``required``, ``optional`` or ``passthrough``; None without ``ViewerMtlsConfig``."""
        mtls = self.config.get("ViewerMtlsConfig")
        if mtls is None:
            return None
        return str(mtls.get("Mode") or "required")

    @property
    def trust_store_id(self) -> str | None:
        """The trust store the mTLS config names, if any."""
        return _trust_store_id(self.config)

    @property
    def function_id(self) -> str | None:
        """The associated connection function's ID, if any."""
        return _function_id(self.config)


def _trust_store_id(config: Mapping[str, Any]) -> str | None:
    store = ((config.get("ViewerMtlsConfig") or {}).get("TrustStoreConfig") or {}).get(
        "TrustStoreId"
    )
    return str(store) if store else None


def _function_id(config: Mapping[str, Any]) -> str | None:
    association = config.get("ConnectionFunctionAssociation") or {}
    return str(association["Id"]) if association.get("Id") else None


@dataclass(frozen=True)
class Links:
    """What the registry asks the rest of the backend, to check a config's references."""

    function_state: Callable[[str, str], str | None]
    """``(account, function ID)`` → ``"published"``, ``"unpublished"``, or None if unknown."""
    trust_store_status: Callable[[str, str], str | None]
    """``(account, trust store ID)`` → its settled status, or None if unknown."""


@dataclass(frozen=True)
class Limits:
    """The options the registry reads, each time (they belong to the activation)."""

    deploy_delay: Callable[[], float]
    per_function: Callable[[], int]
    per_trust_store: Callable[[], int]
    strict_https_only: Callable[[], bool]


@dataclass
class _Account:
    distributions: dict[str, Distribution] = dataclasses.field(default_factory=dict)
    settle_at: dict[str, datetime.datetime] = dataclasses.field(default_factory=dict)


class Distributions:
    """Every distribution of every account."""

    def __init__(
        self,
        lock: threading.RLock,
        clock: Callable[[], datetime.datetime],
        rng: random.Random,
        links: Links,
        limits: Limits,
    ) -> None:
        self._lock = lock
        self._clock = clock
        self._rng = rng
        self._links = links
        self._limits = limits
        self._accounts: dict[str, _Account] = {}
        self._sequence = 0

    # -- reads ----------------------------------------------------------------------------------

    def accounts(self) -> builtins.list[str]:
        """The accounts that hold (or held) a distribution."""
        with self._lock:
            return builtins.list(self._accounts)

    def list(self, account_id: str) -> builtins.list[Distribution]:
        """Every distribution of the account, oldest first, settled."""
        with self._lock:
            account = self._account(account_id)
            return [
                self._settled(account, d) for d in builtins.list(account.distributions.values())
            ]

    def get(self, account_id: str, distribution_id: str) -> Distribution:
        """A distribution by ID, or ``NoSuchDistribution``."""
        with self._lock:
            account = self._account(account_id)
            found = account.distributions.get(distribution_id)
            if found is None:
                raise _no_such(distribution_id)
            return self._settled(account, found)

    def find(self, account_id: str, name: str) -> Distribution | None:
        """A distribution by ID, domain name or alias (the viewer's view), or None."""
        given: object = name
        if not isinstance(given, str) or not name:
            return None
        wanted = name.lower()
        with self._lock:
            for distribution in self.list(account_id):
                if name == distribution.id or wanted == distribution.domain_name:
                    return distribution
                if wanted in (alias.lower() for alias in distribution.aliases):
                    return distribution
            return None

    def using_function(self, account_id: str, function_id: str) -> builtins.list[Distribution]:
        """The distributions whose current config associates the function."""
        return [d for d in self.list(account_id) if d.function_id == function_id]

    def using_trust_store(self, account_id: str, store_id: str) -> builtins.list[Distribution]:
        """The distributions whose current config names the trust store."""
        return [d for d in self.list(account_id) if d.trust_store_id == store_id]

    def page(
        self,
        distributions: builtins.list[Distribution],
        marker: str | None,
        max_items: object,
    ) -> dict[str, Any]:
        """A ``DistributionList`` page of *distributions* (in creation order)."""
        limit = _max_items(max_items)
        start = decode_marker(marker) if marker else 0
        after = [d for d in distributions if d.sequence >= start]
        page = after[:limit]
        listing: dict[str, Any] = {
            "Marker": marker or "",
            "MaxItems": limit,
            "IsTruncated": len(after) > limit,
            "Quantity": len(page),
        }
        if page:
            listing["Items"] = [summary(d) for d in page]
        if len(after) > limit:
            listing["NextMarker"] = encode_marker(after[limit].sequence)
        return listing

    # -- writes ---------------------------------------------------------------------------------

    def create(self, account_id: str, config: Config, tags: Tags = ()) -> Distribution:
        """Create a distribution from *config*, checked as CloudFront checks it."""
        validation.check_tags(tags)
        _check_quantities(config)
        with self._lock:
            account = self._accounts.setdefault(account_id, _Account())
            reference = config.get("CallerReference")
            if any(
                d.config.get("CallerReference") == reference for d in account.distributions.values()
            ):
                raise ServiceError("DistributionAlreadyExists", CALLER_REFERENCE_MESSAGE)
            self._check_aliases(config, None)
            self._check_links(account_id, config, None)
            distribution_id = self._new_id()
            self._sequence += 1
            distribution = Distribution(
                id=distribution_id,
                arn=f"arn:aws:cloudfront::{account_id}:distribution/{distribution_id}",
                domain_name=self._new_domain(),
                account_id=account_id,
                config=config,
                status=IN_PROGRESS,
                version=1,
                last_modified_time=self._clock(),
                tags=tuple(dict(tags).items()),
                sequence=self._sequence,
            )
            self._write(account, distribution)
            return distribution

    def update(
        self, account_id: str, distribution_id: str, if_match: str | None, config: Config
    ) -> Distribution:
        """Replace the config whole; checks in CloudFront's order (decision 11)."""
        with self._lock:
            current = self.get(account_id, distribution_id)
            validation.check_if_match(if_match, current.etag)
            if config.get("CallerReference") != current.config.get("CallerReference"):
                raise ServiceError(
                    "IllegalUpdate",
                    "The CallerReference of a distribution cannot change: it was "
                    f"{current.config.get('CallerReference')!r}.",
                )
            _check_quantities(config)
            self._check_aliases(config, distribution_id)
            self._check_links(account_id, config, distribution_id)
            updated = dataclasses.replace(
                current,
                config=config,
                status=IN_PROGRESS,
                version=current.version + 1,
                last_modified_time=self._clock(),
            )
            self._write(self._account(account_id), updated)
            return updated

    def delete(self, account_id: str, distribution_id: str, if_match: str | None) -> None:
        """Remove a disabled, deployed distribution; its references go with it."""
        with self._lock:
            account = self._account(account_id)
            # As it stood before this call: a change still in progress is not yet deployed,
            # however short deploy_delay is. The refused call then counts as the read that
            # settles it, so a tool that retries the delete gets through.
            current = account.distributions.get(distribution_id)
            if current is None:
                raise _no_such(distribution_id)
            validation.check_if_match(if_match, current.etag)
            if current.enabled or current.status != DEPLOYED:
                self._settled(account, current)
                raise ServiceError("DistributionNotDisabled", NOT_DISABLED_MESSAGE)
            del account.distributions[distribution_id]
            account.settle_at.pop(distribution_id, None)

    def settle(self, account_id: str | None = None) -> None:
        """Deploy every ``InProgress`` distribution now."""
        with self._lock:
            for name in [account_id] if account_id else builtins.list(self._accounts):
                account = self._account(name)
                for distribution_id in account.settle_at:
                    account.settle_at[distribution_id] = _LONG_AGO
                for distribution in builtins.list(account.distributions.values()):
                    self._settled(account, distribution)

    def tag(self, account_id: str, arn: str, tags: Tags) -> None:
        """Add or overwrite tags; the ETag does not move."""
        validation.check_tags(tags)
        with self._lock:
            current = self._tagged(account_id, arn)
            merged = validation.with_tags(current.tags, tags)
            self._account(account_id).distributions[current.id] = dataclasses.replace(
                current, tags=merged
            )

    def untag(self, account_id: str, arn: str, keys: Iterable[str]) -> None:
        """Remove tags by key; absent keys are ignored."""
        with self._lock:
            current = self._tagged(account_id, arn)
            kept = validation.without_tags(current.tags, keys)
            self._account(account_id).distributions[current.id] = dataclasses.replace(
                current, tags=kept
            )

    def tags(self, account_id: str, arn: str) -> tuple[tuple[str, str | None], ...]:
        """The tags of the distribution with this ARN."""
        with self._lock:
            return self._tagged(account_id, arn).tags

    # -- the checks -----------------------------------------------------------------------------

    def _check_aliases(self, config: Config, replacing: str | None) -> None:
        # An alternate domain name belongs to one distribution in all of CloudFront.
        given = (config.get("Aliases") or {}).get("Items") or ()
        if any(not alias.strip() for alias in given):
            raise validation.invalid("Aliases.Items: an alternate domain name must not be empty.")
        wanted = {alias.lower() for alias in given}
        if not wanted:
            return
        for account in self._accounts.values():
            for distribution in account.distributions.values():
                taken = {alias.lower() for alias in distribution.aliases}
                if distribution.id != replacing and wanted & taken:
                    raise ServiceError("CNAMEAlreadyExists", CNAME_MESSAGE)

    def _check_links(self, account_id: str, config: Config, replacing: str | None) -> None:
        mtls = config.get("ViewerMtlsConfig")
        function_id = _function_id(config)
        if mtls is not None:
            self._check_mtls(account_id, config, mtls, replacing)
        if function_id is not None:
            if mtls is None:
                raise validation.invalid(
                    "ConnectionFunctionAssociation needs ViewerMtlsConfig: connection functions "
                    "run only on distributions with viewer mTLS."
                )
            state = self._links.function_state(account_id, function_id)
            if state is None:
                raise ServiceError(
                    "EntityNotFound",
                    f"ConnectionFunctionAssociation.Id: the connection function {function_id!r} "
                    "does not exist.",
                )
            if state != "published":
                raise validation.invalid(
                    f"ConnectionFunctionAssociation.Id: the connection function {function_id!r} "
                    "is not published; only a published (LIVE) function can be associated."
                )
            limit = self._limits.per_function()
            users = [d for d in self.using_function(account_id, function_id) if d.id != replacing]
            if len(users) >= limit:
                raise ServiceError(
                    "EntityLimitExceeded",
                    f"The connection function {function_id!r} is already associated with "
                    f"{len(users)} distributions; the limit is {limit}.",
                )

    def _check_mtls(
        self, account_id: str, config: Config, mtls: Mapping[str, Any], replacing: str | None
    ) -> None:
        mode = mtls.get("Mode", "required")
        if mode not in MODES:
            raise validation.invalid(
                f"ViewerMtlsConfig.Mode {mode!r} is not one of required, optional, passthrough."
            )
        store_id = _trust_store_id(config)
        if mode == "passthrough":
            if mtls.get("TrustStoreConfig") is not None:
                raise validation.invalid(
                    "ViewerMtlsConfig: passthrough mode takes no TrustStoreConfig (CloudFront "
                    "does not validate the certificate; the origin does)."
                )
            _check_passthrough(config)
        else:
            if store_id is None:
                raise validation.invalid(
                    f"ViewerMtlsConfig: {mode} mode needs TrustStoreConfig.TrustStoreId, the "
                    "trust store that validates client certificates."
                )
            status = self._links.trust_store_status(account_id, store_id)
            if status is None:
                raise ServiceError(
                    "EntityNotFound",
                    f"ViewerMtlsConfig.TrustStoreConfig.TrustStoreId: the trust store "
                    f"{store_id!r} does not exist.",
                )
            if status != "active":
                raise validation.invalid(
                    f"ViewerMtlsConfig.TrustStoreConfig.TrustStoreId: the trust store "
                    f"{store_id!r} is {status}; only an active trust store can be used."
                )
            limit = self._limits.per_trust_store()
            users = [d for d in self.using_trust_store(account_id, store_id) if d.id != replacing]
            if len(users) >= limit:
                raise ServiceError(
                    "EntityLimitExceeded",
                    f"The trust store {store_id!r} is already used by {len(users)} "
                    f"distributions; the limit is {limit}.",
                )
        for where, behavior in _behaviors(config):
            policy = behavior.get("ViewerProtocolPolicy")
            refused = (
                ("allow-all", "redirect-to-https")
                if self._limits.strict_https_only()
                else ("allow-all",)
            )
            if policy in refused:
                raise validation.invalid(
                    f"{where}.ViewerProtocolPolicy is {policy}; viewer mTLS needs every cache "
                    "behavior to refuse plain HTTP"
                    + (" (https-only: strict_https_only is on)." if policy != "allow-all" else ".")
                )
        version = config.get("HttpVersion")
        if version in ("http3", "http2and3"):
            raise validation.invalid(
                f"HttpVersion is {version}; viewer mTLS does not work over HTTP/3."
            )

    # -- helpers --------------------------------------------------------------------------------

    def _tagged(self, account_id: str, arn: str) -> Distribution:
        found = self._account(account_id).distributions.get(arn.rpartition("/")[2])
        if found is None or found.arn != arn:
            raise ServiceError(
                "NoSuchResource", f"The resource {arn!r} does not exist in this account."
            )
        return found

    def _write(self, account: _Account, distribution: Distribution) -> None:
        account.distributions[distribution.id] = distribution
        delay = datetime.timedelta(seconds=self._limits.deploy_delay())
        account.settle_at[distribution.id] = self._clock() + delay

    def _settled(self, account: _Account, distribution: Distribution) -> Distribution:
        when = account.settle_at.get(distribution.id)
        if when is None or self._clock() < when:
            return distribution
        del account.settle_at[distribution.id]
        settled = dataclasses.replace(distribution, status=DEPLOYED)
        account.distributions[distribution.id] = settled
        return settled

    def _account(self, account_id: str) -> _Account:
        return self._accounts.get(account_id) or _Account()

    def _new_id(self) -> str:
        alphabet = string.digits + string.ascii_uppercase
        taken = {d for account in self._accounts.values() for d in account.distributions}
        while True:
            candidate = "E" + "".join(self._rng.choice(alphabet) for _ in range(13))
            if candidate not in taken:
                return candidate

    def _new_domain(self) -> str:
        alphabet = string.digits + string.ascii_lowercase
        return "d" + "".join(self._rng.choice(alphabet) for _ in range(13)) + ".cloudfront.net"


_LONG_AGO = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)


def _no_such(distribution_id: str) -> ServiceError:
    return ServiceError(
        "NoSuchDistribution", f"The specified distribution does not exist: {distribution_id!r}."
    )


def _max_items(value: object) -> int:
    if value is None:
        return DEFAULT_MAX_ITEMS
    count = value if isinstance(value, int) else parse_count(str(value))
    if count is None or not count >= 1:
        raise validation.invalid(f"MaxItems must be a positive number, not {value!r}.")
    return min(count, DEFAULT_MAX_ITEMS)


def _behaviors(config: Mapping[str, Any]) -> builtins.list[tuple[str, Mapping[str, Any]]]:
    found: builtins.list[tuple[str, Mapping[str, Any]]] = []
    if config.get("DefaultCacheBehavior"):
        found.append(("DefaultCacheBehavior", config["DefaultCacheBehavior"]))
    for index, behavior in enumerate((config.get("CacheBehaviors") or {}).get("Items") or []):
        found.append((f"CacheBehaviors.Items[{index}] ({behavior.get('PathPattern')})", behavior))
    return found


def _check_passthrough(config: Mapping[str, Any]) -> None:
    for where, behavior in _behaviors(config):
        if behavior.get("CachePolicyId") != CACHING_DISABLED:
            raise validation.invalid(
                f"{where}.CachePolicyId: passthrough mode needs the managed CachingDisabled "
                f"policy ({CACHING_DISABLED}) on every cache behavior."
            )
        lambdas = behavior.get("LambdaFunctionAssociations") or {}
        if lambdas.get("Quantity", 0) > 0:
            raise validation.invalid(
                f"{where}.LambdaFunctionAssociations: passthrough mode takes no Lambda@Edge "
                "functions."
            )
    for origin in (config.get("Origins") or {}).get("Items") or []:
        if (origin.get("OriginShield") or {}).get("Enabled"):
            raise validation.invalid(
                f"Origins: origin {origin.get('Id')!r} has Origin Shield on; passthrough mode "
                "takes no Origin Shield."
            )


def _check_quantities(value: object) -> None:
    """Every ``{Quantity, Items}`` pair in the config agrees (``InconsistentQuantities``)."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if "Quantity" in current and isinstance(current["Quantity"], int):
                items = current.get("Items")
                if current["Quantity"] != len(items or ()):
                    raise ServiceError("InconsistentQuantities", INCONSISTENT_MESSAGE)
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


_SUMMARY_DEFAULTS: dict[str, Any] = {
    "Aliases": {"Quantity": 0},
    "CacheBehaviors": {"Quantity": 0},
    "CustomErrorResponses": {"Quantity": 0},
    "PriceClass": "PriceClass_All",
    "ViewerCertificate": {
        "CloudFrontDefaultCertificate": True,
        "SSLSupportMethod": "vip",
        "MinimumProtocolVersion": "TLSv1",
        "CertificateSource": "cloudfront",
    },
    "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
    "WebACLId": "",
    "HttpVersion": "http2",
    "IsIPV6Enabled": False,
    "Staging": False,
}
_SUMMARY_FROM_CONFIG = (
    "Aliases",
    "Origins",
    "OriginGroups",
    "DefaultCacheBehavior",
    "CacheBehaviors",
    "CustomErrorResponses",
    "Comment",
    "PriceClass",
    "Enabled",
    "ViewerCertificate",
    "Restrictions",
    "WebACLId",
    "HttpVersion",
    "IsIPV6Enabled",
    "Staging",
    "AnycastIpListId",
    "ConnectionMode",
    "ViewerMtlsConfig",
    "ConnectionFunctionAssociation",
)


def summary(distribution: Distribution) -> dict[str, Any]:
    """The ``DistributionSummary`` of a distribution, with the members CloudFront always fills."""
    wire: dict[str, Any] = {
        "Id": distribution.id,
        "ARN": distribution.arn,
        "ETag": distribution.etag,
        "Status": distribution.status,
        "LastModifiedTime": distribution.last_modified_time,
        "DomainName": distribution.domain_name,
    }
    for name in _SUMMARY_FROM_CONFIG:
        if distribution.config.get(name) is not None:
            wire[name] = distribution.config[name]
        elif name in _SUMMARY_DEFAULTS:
            wire[name] = _SUMMARY_DEFAULTS[name]
    return wire


def to_wire(distribution: Distribution) -> dict[str, Any]:
    """The ``Distribution`` structure: identity, status and the config as stored."""
    return {
        "Id": distribution.id,
        "ARN": distribution.arn,
        "Status": distribution.status,
        "LastModifiedTime": distribution.last_modified_time,
        "InProgressInvalidationBatches": 0,
        "DomainName": distribution.domain_name,
        "DistributionConfig": distribution.config,
    }


PLACEHOLDER_CACHE_POLICY = "658327ea-f89d-4fab-a63d-7e88639e58f6"
"""The managed ``CachingOptimized`` cache policy."""


def minimal_config(
    reference: str,
    *,
    aliases: tuple[str, ...] = (),
    enabled: bool = True,
    passthrough: bool = False,
) -> Config:
    """A small valid ``DistributionConfig``: one HTTPS-only origin and behavior."""
    config: Config = {
        "CallerReference": reference,
        "Comment": "",
        "Enabled": enabled,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "origin",
                    "DomainName": "origin.example.com",
                    "CustomOriginConfig": {
                        "HTTPPort": 80,
                        "HTTPSPort": 443,
                        "OriginProtocolPolicy": "https-only",
                    },
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "origin",
            "ViewerProtocolPolicy": "https-only",
            "CachePolicyId": CACHING_DISABLED if passthrough else PLACEHOLDER_CACHE_POLICY,
        },
    }
    if aliases:
        config["Aliases"] = {"Quantity": len(aliases), "Items": list(aliases)}
    return config
