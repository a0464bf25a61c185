"""Trust stores: the CA bundles that viewer mTLS validates client certificates against.

A store is created from a PEM bundle in S3 (``spec/viewer-mtls.md`` §2 and decisions 1-8). The
bundle is read once, at the call: from the objects seeded with the handle's
``put_ca_bundle`` first, then from moto's S3 when moto's ``mock_aws`` is active. A bundle that is
nowhere is ``EntityNotFound``; a bundle whose content CloudFront would refuse makes the store
settle to ``failed`` with a ``Reason`` (or, with ``strict_ca_bundles``, is ``InvalidArgument``
at the call). Every write answers ``pending``; the store settles at the first read once
``trust_store_delay`` seconds have passed. Status changes never move the ETag.
"""

from __future__ import annotations

import builtins
import dataclasses
import datetime
import random
import re
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from cfmock._cloudfront import tokens, validation
from cfmock._cloudfront.ca_bundle import Bundle, read_bundle
from cfmock._cloudfront.paging import decode_marker, encode_marker
from cfmock.exceptions import ServiceError

PENDING, ACTIVE, FAILED = "pending", "active", "failed"
REGION_PATTERN = re.compile(r"[a-z]{2}-[a-z]+-\d")
DEFAULT_MAX_ITEMS = 100

Tags = Sequence[tuple[str, str | None]]


@dataclass(frozen=True)
class BundleLocation:
    """Where a CA bundle is read from: ``CaCertificatesBundleS3Location``."""

    bucket: str
    key: str
    region: str
    version: str | None = None

    def describe(self) -> str:
        version = f" (version {self.version})" if self.version else ""
        return f"s3://{self.bucket}/{self.key}{version} in {self.region}"


@dataclass(frozen=True)
class TrustStore:
    """A snapshot of one trust store.

    ``status`` is what CloudFront reports now: ``pending`` after a write until it settles to
    ``active`` or ``failed`` (``reason`` then says why). ``certificates`` are the bundle's CA
    certificates in DER, in bundle order.
    """

    id: str
    arn: str
    name: str
    account_id: str
    status: str
    reason: str | None
    certificates: tuple[bytes, ...]
    number_of_ca_certificates: int
    last_modified_time: datetime.datetime
    version: int
    use_ocsp: bool
    source: BundleLocation
    tags: tuple[tuple[str, str | None], ...] = ()
    settles_to: str = ACTIVE
    problem: str | None = None
    """Why the bundle will not do: the ``reason`` the store reports once it has failed."""
    sequence: int = 0

    @property
    def etag(self) -> str:
        """The ETag Update and Delete expect in ``If-Match``."""
        return tokens.etag(self.version)


@dataclass
class _Account:
    stores: dict[str, TrustStore] = dataclasses.field(default_factory=dict)
    settle_at: dict[str, datetime.datetime] = dataclasses.field(default_factory=dict)


class TrustStores:
    """Every trust store of every account, and the CA bundles seeded for them."""

    def __init__(
        self,
        lock: threading.RLock,
        clock: Callable[[], datetime.datetime],
        rng: random.Random,
        *,
        delay: Callable[[], float],
        max_per_account: Callable[[], int],
        strict_bundles: Callable[[], bool],
        us_east_1_only: Callable[[], bool],
        in_use: Callable[[TrustStore], str | None],
    ) -> None:
        self._lock = lock
        self._clock = clock
        self._rng = rng
        self._delay = delay
        self._max_per_account = max_per_account
        self._strict_bundles = strict_bundles
        self._us_east_1_only = us_east_1_only
        self._in_use = in_use
        self._accounts: dict[str, _Account] = {}
        self._bundles: dict[tuple[str, str], list[tuple[str | None, str, bytes]]] = {}
        self._sequence = 0

    # -- CA bundles ---------------------------------------------------------------------------

    def put_bundle(
        self, bucket: str, key: str, data: bytes, region: str, version: str | None
    ) -> None:
        """Seed an S3 object that Create/UpdateTrustStore can read (the newest wins)."""
        with self._lock:
            self._bundles.setdefault((bucket, key), []).append((version, region, data))

    def _find_bundle(self, account_id: str, location: BundleLocation) -> bytes:
        with self._lock:
            objects = list(self._bundles.get((location.bucket, location.key), ()))
        for version, _, data in reversed(objects):
            if location.version is None or location.version == version:
                return data
        found = _moto_object(account_id, location)
        if found is not None:
            return found
        raise ServiceError(
            "EntityNotFound",
            f"The CA certificates bundle {location.describe()} does not exist. Seed it with "
            f"cf.put_ca_bundle({location.bucket!r}, {location.key!r}, pem) or, in server mode, "
            "POST /_cfmock/ca-bundles; or put it in moto's S3 inside mock_aws.",
        )

    # -- reads ----------------------------------------------------------------------------------

    def accounts(self) -> list[str]:
        """The accounts that hold (or held) a trust store."""
        with self._lock:
            return list(self._accounts)

    def list(self, account_id: str) -> list[TrustStore]:
        """Every store of the account, oldest first, settled."""
        with self._lock:
            account = self._account(account_id)
            return [self._settled(account, store) for store in list(account.stores.values())]

    def resolve(self, account_id: str, identifier: str) -> TrustStore:
        """A store by ID, then ARN, then name (decision 1), or ``EntityNotFound``."""
        with self._lock:
            account = self._account(account_id)
            found = account.stores.get(identifier)
            if found is None:
                found = next(
                    (s for s in account.stores.values() if identifier in (s.arn, s.name)), None
                )
            if found is None:
                raise _not_found(identifier)
            return self._settled(account, found)

    def by_id(self, account_id: str, store_id: str) -> TrustStore:
        """A store by ID alone (the ``{Id}`` routes), or ``EntityNotFound``."""
        with self._lock:
            account = self._account(account_id)
            found = account.stores.get(store_id)
            if found is None:
                raise _not_found(store_id)
            return self._settled(account, found)

    def by_arn(self, account_id: str, arn: str) -> TrustStore | None:
        """The store with this ARN in the account, or None."""
        with self._lock:
            account = self._account(account_id)
            found = account.stores.get(arn.rpartition("/")[2])
            if found is None or found.arn != arn:
                return None
            return self._settled(account, found)

    def page(
        self, account_id: str, marker: str | None, max_items: int | None
    ) -> tuple[builtins.list[TrustStore], str | None]:
        """One page of ListTrustStores and the next marker (None on the last page)."""
        limit = DEFAULT_MAX_ITEMS if max_items is None else max_items
        if not 1 <= limit <= DEFAULT_MAX_ITEMS:
            raise validation.invalid(
                f"MaxItems is {limit}; it must be between 1 and {DEFAULT_MAX_ITEMS}."
            )
        start = decode_marker(marker) if marker else 0
        stores = [store for store in self.list(account_id) if store.sequence >= start]
        page = stores[:limit]
        after = encode_marker(stores[limit].sequence) if len(stores) > limit else None
        return page, after

    # -- writes ---------------------------------------------------------------------------------

    def create(
        self,
        account_id: str,
        name: str,
        location: BundleLocation,
        *,
        use_ocsp: bool = False,
        tags: Tags = (),
        bundle: bytes | None = None,
    ) -> TrustStore:
        """Create a store from the bundle at *location* (or *bundle*, given directly)."""
        if not name:
            raise validation.invalid("The trust store name must not be empty.")
        validation.check_tags(tags)
        self._check_region(location.region)
        data = bundle if bundle is not None else self._find_bundle(account_id, location)
        read = self._read(data)
        with self._lock:
            account = self._accounts.setdefault(account_id, _Account())
            if any(store.name == name for store in account.stores.values()):
                raise ServiceError(
                    "EntityAlreadyExists", f"A trust store named {name!r} already exists."
                )
            limit = self._max_per_account()
            if len(account.stores) >= limit:
                raise ServiceError(
                    "EntityLimitExceeded",
                    f"This account already has {len(account.stores)} trust stores; the limit "
                    f"is {limit}.",
                )
            store_id = tokens.new_trust_store_id(self._rng)
            self._sequence += 1
            store = TrustStore(
                id=store_id,
                arn=tokens.trust_store_arn(account_id, store_id),
                name=name,
                account_id=account_id,
                status=PENDING,
                reason=None,
                certificates=read.certificates,
                number_of_ca_certificates=0,
                last_modified_time=self._clock(),
                version=1,
                use_ocsp=use_ocsp,
                source=location,
                tags=tuple(dict(tags).items()),
                settles_to=ACTIVE if read.reason is None else FAILED,
                problem=read.reason,
                sequence=self._sequence,
            )
            self._write(account, store)
            return store

    def update(
        self,
        account_id: str,
        store_id: str,
        if_match: str | None,
        location: BundleLocation | None,
        use_ocsp: bool | None,
    ) -> TrustStore:
        """Replace the bundle and/or the OCSP flag; each successful call is a new version."""
        current = self.by_id(account_id, store_id)
        validation.check_if_match(if_match, current.etag)
        read = None
        if location is not None:
            self._check_region(location.region)
            read = self._read(self._find_bundle(account_id, location))
        with self._lock:
            account = self._account(account_id)
            latest = account.stores.get(store_id)
            if latest is None:
                raise _not_found(store_id)
            # Another writer may have won since the first look.
            validation.check_if_match(if_match, latest.etag)
            changes: dict[str, object] = {
                "status": PENDING,
                "reason": None,
                "last_modified_time": self._clock(),
                "version": latest.version + 1,
            }
            if use_ocsp is not None:
                changes["use_ocsp"] = use_ocsp
            if location is not None and read is not None:
                changes.update(
                    source=location,
                    certificates=read.certificates,
                    problem=read.reason,
                    settles_to=ACTIVE if read.reason is None else FAILED,
                )
            else:
                changes["settles_to"] = latest.settles_to
            store = dataclasses.replace(latest, **changes)  # type: ignore[arg-type]
            self._write(account, store)
            return store

    def delete(self, account_id: str, store_id: str, if_match: str | None) -> None:
        """Remove the store at once, unless a distribution uses it."""
        with self._lock:
            current = self.by_id(account_id, store_id)
            validation.check_if_match(if_match, current.etag)
            user = self._in_use(current)
            if user is not None:
                raise ServiceError(
                    "CannotDeleteEntityWhileInUse",
                    f"The trust store {store_id!r} is in use by distribution {user}; remove it "
                    "from the distribution's ViewerMtlsConfig first.",
                )
            account = self._account(account_id)
            del account.stores[store_id]
            account.settle_at.pop(store_id, None)

    def settle(self, account_id: str | None = None) -> None:
        """End every pending state now (the handle's ``finish_provisioning`` for stores)."""
        with self._lock:
            accounts = [account_id] if account_id else list(self._accounts)
            for name in accounts:
                account = self._account(name)
                for store_id in list(account.settle_at):
                    account.settle_at[store_id] = datetime.datetime.min.replace(
                        tzinfo=datetime.timezone.utc
                    )
                for store in list(account.stores.values()):
                    self._settled(account, store)

    def tag(self, account_id: str, arn: str, tags: Tags) -> None:
        """Add or overwrite tags; the ETag does not move."""
        validation.check_tags(tags)
        with self._lock:
            store = self._tagged(account_id, arn)
            merged = validation.with_tags(store.tags, tags)
            self._account(account_id).stores[store.id] = dataclasses.replace(store, tags=merged)

    def untag(self, account_id: str, arn: str, keys: Iterable[str]) -> None:
        """Remove tags by key; absent keys are ignored."""
        with self._lock:
            store = self._tagged(account_id, arn)
            kept = validation.without_tags(store.tags, keys)
            self._account(account_id).stores[store.id] = dataclasses.replace(store, tags=kept)

    def tags(self, account_id: str, arn: str) -> tuple[tuple[str, str | None], ...]:
        """The tags of the store with this ARN."""
        with self._lock:
            return self._tagged(account_id, arn).tags

    # -- helpers --------------------------------------------------------------------------------

    def _tagged(self, account_id: str, arn: str) -> TrustStore:
        store = self._account(account_id).stores.get(arn.rpartition("/")[2])
        if store is None or store.arn != arn:
            raise ServiceError(
                "NoSuchResource", f"The resource {arn!r} does not exist in this account."
            )
        return store

    def _check_region(self, region: str) -> None:
        if not REGION_PATTERN.fullmatch(region):
            raise validation.invalid(
                f"The CA certificates bundle's Region {region!r} is not a region name "
                "(for example us-east-1)."
            )
        if self._us_east_1_only() and region != "us-east-1":
            raise validation.invalid(
                f"The CA certificates bundle's bucket is in {region}; CloudFront reads it from "
                "us-east-1 (the require_us_east_1_bundles option is on)."
            )

    def _read(self, data: bytes) -> Bundle:
        read = read_bundle(data)
        if read.reason is not None and self._strict_bundles():
            raise validation.invalid(read.reason)
        return read

    def _write(self, account: _Account, store: TrustStore) -> None:
        account.stores[store.id] = store
        account.settle_at[store.id] = self._clock() + datetime.timedelta(seconds=self._delay())

    def _settled(self, account: _Account, store: TrustStore) -> TrustStore:
        when = account.settle_at.get(store.id)
        if when is None or self._clock() < when:
            return store
        del account.settle_at[store.id]
        count = len(store.certificates) if store.settles_to == ACTIVE else 0
        settled = dataclasses.replace(
            store,
            status=store.settles_to,
            number_of_ca_certificates=count,
            reason=store.problem if store.settles_to == FAILED else None,
        )
        account.stores[store.id] = settled
        return settled

    def _account(self, account_id: str) -> _Account:
        return self._accounts.get(account_id) or _Account()


def _not_found(identifier: str) -> ServiceError:
    return ServiceError("EntityNotFound", f"The trust store {identifier!r} does not exist.")


def _moto_object(account_id: str, location: BundleLocation) -> bytes | None:
    """The object from moto's S3, when moto's ``mock_aws`` is active; else None.

    Read through an S3 client, so moto answers it in process; nothing reaches the network,
    because the client is only made while moto's stubber is on.
    """
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    if stubber is None or not getattr(stubber, "enabled", False):
        return None
    import botocore.session
    from botocore.exceptions import ClientError

    client = botocore.session.get_session().create_client(
        "s3",
        region_name=location.region,
        aws_access_key_id=account_id,
        aws_secret_access_key="cfmock",
    )
    arguments = {"Bucket": location.bucket, "Key": location.key}
    if location.version:
        arguments["VersionId"] = location.version
    try:
        body: bytes = client.get_object(**arguments)["Body"].read()  # type: ignore[attr-defined]
    except ClientError:
        return None
    return body
