"""The handle a test uses to seed and inspect the mocked CloudFront."""

from __future__ import annotations

import copy
import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cfmock._cloudfront.distributions import Distribution, minimal_config
from cfmock._cloudfront.kvs import KeyValueStore, check_contents
from cfmock._cloudfront.trust_stores import BundleLocation, TrustStore
from cfmock._cloudfront.values import (
    RUNTIME,
    ConnectionFunction,
    FunctionConfig,
    FunctionRun,
    RecordedCall,
)
from cfmock._options import MockOptions
from cfmock.exceptions import (
    DistributionNotFoundError,
    FunctionNotFoundError,
    InvalidSeedError,
    ServiceError,
    StoreNotFoundError,
    TrustStoreNotFoundError,
)

if TYPE_CHECKING:
    from cfmock._cloudfront.backend import Backend
    from cfmock._dispatch import Dispatcher
    from cfmock._viewer.connect import ConnectionAttempt


class CloudFrontMock:
    """Seeds and inspects the state behind an active :func:`~cfmock.mock_connection_functions`.

    Entering the activator (``with`` or ``start()``) returns this handle; do not construct it
    yourself. Everything it returns is an immutable snapshot. Methods that take ``account_id``
    default to the activation's account.
    """

    def __init__(self, dispatcher: Dispatcher) -> None:
        self._dispatcher = dispatcher

    def __repr__(self) -> str:
        from cfmock._mock import current_dispatcher

        state = "active" if current_dispatcher() is self._dispatcher else "inactive"
        return f"<CloudFrontMock {state}, account {self.account_id}: {self._contents()}>"

    def _contents(self) -> str:
        """What the mock holds, counted over every account: for this repr and the activator's."""
        backend = self._backend
        accounts = backend.accounts()
        listers = (
            ("function", backend.functions),
            ("KeyValueStore", backend.stores.list),
            ("trust store", backend.trust_stores.list),
            ("distribution", backend.distributions.list),
        )
        counts = [(noun, sum(len(listed(a)) for a in accounts)) for noun, listed in listers]
        counts.append(("call", len(self._dispatcher.calls)))
        text = ", ".join(f"{n} {noun}{'' if n == 1 else 's'}" for noun, n in counts)
        return text if len(accounts) < 2 else f"{text} (in {len(accounts)} accounts)"

    @property
    def _backend(self) -> Backend:
        return self._dispatcher.backend

    @property
    def options(self) -> MockOptions:
        """The options of the activation (see :class:`~cfmock.MockOptions`)."""
        return self._backend.options

    @property
    def account_id(self) -> str:
        """The account that requests and handle methods use by default."""
        return self._backend.options.account_id

    @property
    def calls(self) -> list[RecordedCall]:
        """Every Connection Functions API call answered so far, oldest first."""
        return list(self._dispatcher.calls)

    @property
    def runs(self) -> list[FunctionRun]:
        """Every run of a function's code (``TestConnectionFunction``), oldest first, with
        the runtime profile that answered it (the last 10 000 are kept)."""
        return list(self._backend.runs)

    def functions(self, account_id: str | None = None) -> list[ConnectionFunction]:
        """All connection functions of the account, oldest first."""
        return self._backend.functions(account_id or self.account_id)

    def get_function(self, identifier: str, account_id: str | None = None) -> ConnectionFunction:
        """The function with this ID, ARN or name; :class:`FunctionNotFoundError` if none."""
        account = account_id or self.account_id
        try:
            return self._backend.resolve(account, identifier)
        except ServiceError:
            known = ", ".join(f"{f.name} ({f.id})" for f in self._backend.functions(account))
            raise FunctionNotFoundError(
                f"cfmock: no connection function {identifier!r} in account {account}; "
                f"it holds: {known or 'no functions'}"
            ) from None

    def add_function(
        self,
        name: str,
        code: str | bytes,
        *,
        comment: str = "",
        runtime: str = RUNTIME,
        key_value_store_arn: str | None = None,
        tags: Mapping[str, str] | None = None,
        account_id: str | None = None,
    ) -> ConnectionFunction:
        """Create a function directly, as CreateConnectionFunction would, without boto3.

        It gets the same validation, ID, ARN, ETag and status as a created one; anything
        CloudFront would refuse raises :class:`~cfmock.exceptions.InvalidSeedError`.
        """
        config = FunctionConfig(
            comment, runtime, (key_value_store_arn,) if key_value_store_arn else ()
        )
        body = code.encode("utf-8") if isinstance(code, str) else code
        try:
            return self._backend.create(
                account_id or self.account_id, name, config, body, list((tags or {}).items())
            )
        except ServiceError as error:
            raise InvalidSeedError(error) from None

    def publish(self, identifier: str, account_id: str | None = None) -> ConnectionFunction:
        """Publish a function as PublishConnectionFunction would, without an ETag or boto3.

        The returned snapshot has Status ``PUBLISHING``; reads settle it (see ``publish_delay``).
        """
        account = account_id or self.account_id
        function = self.get_function(identifier, account)
        return self._backend.publish(account, function.id, None, check_if_match=False)

    def finish_publishing(self, account_id: str | None = None) -> None:
        """Move every ``PUBLISHING`` function (of one account, or all) to ``UNASSOCIATED`` now."""
        self._backend.finish_publishing(account_id)

    def fail(
        self,
        operation: str,
        code: str,
        *,
        message: str | None = None,
        times: int | None = 1,
        service: str | None = None,
    ) -> None:
        """Make the next *times* calls of *operation* fail with the modeled error *code*.

        ``times=None`` fails every call until :meth:`clear_failures`. The failure is raised
        before the operation runs, so it changes no state; status and type come from the model
        (``fail("TestConnectionFunction", "TestFunctionFailed")`` is a 500 ``Receiver`` error).
        *code* may also be a throttling error, ``Throttling`` (CloudFront's, 400 "Rate
        exceeded"), ``ThrottlingException`` or ``TooManyRequestsException``, which botocore's
        retry logic retries. ``service`` (``cloudfront`` or ``cloudfront-keyvaluestore``) is
        needed only for ``DescribeKeyValueStore``, which both services have.
        """
        self._dispatcher.fail(operation, code, message, times, service)

    def clear_failures(self) -> None:
        """Forget every failure set up with :meth:`fail`."""
        self._dispatcher.clear_failures()

    # -- KeyValueStores -----------------------------------------------------------------------

    def add_key_value_store(
        self,
        name: str,
        data: Mapping[str, str] | None = None,
        *,
        comment: str = "",
        ready: bool = True,
        account_id: str | None = None,
    ) -> KeyValueStore:
        """Create a KeyValueStore, as CreateKeyValueStore would, and put *data* in it.

        ``ready=False`` leaves it ``PROVISIONING`` (connection functions cannot use it until
        :meth:`finish_provisioning`); anything CloudFront would refuse raises
        :class:`~cfmock.exceptions.InvalidSeedError`.
        """
        try:
            _check_seed_text(data or {})
            check_contents(data or {})
            store = self._backend.stores.create(
                account_id or self.account_id, name, comment, ready=ready
            )
            if data:
                store = self._backend.stores.seed(store.arn, data)
        except ServiceError as error:
            raise InvalidSeedError(error) from None
        return self._backend.stores.copy(store)

    def key_value_store(self, name_or_arn: str, account_id: str | None = None) -> KeyValueStore:
        """The store with this name (in the account) or ARN, contents included (a copy: later
        writes do not change it)."""
        return self._backend.stores.copy(self._store(name_or_arn, account_id))

    def _store(self, name_or_arn: str, account_id: str | None) -> KeyValueStore:
        store = self._backend.stores.by_arn(name_or_arn)
        if store is None:
            try:
                store = self._backend.stores.describe(account_id or self.account_id, name_or_arn)
            except ServiceError:
                raise StoreNotFoundError(
                    f"cfmock: no KeyValueStore {name_or_arn!r} in account "
                    f"{account_id or self.account_id}"
                ) from None
        return store

    def put_keys(
        self, name_or_arn: str, data: Mapping[str, str], account_id: str | None = None
    ) -> KeyValueStore:
        """Put keys into a store without an ETag; its data-plane ETag moves as for UpdateKeys."""
        store = self._store(name_or_arn, account_id)
        try:
            _check_seed_text(data)
            return self._backend.stores.copy(self._backend.stores.seed(store.arn, data))
        except ServiceError as error:
            raise InvalidSeedError(error) from None

    def finish_provisioning(self, name_or_arn: str, account_id: str | None = None) -> KeyValueStore:
        """Make a ``PROVISIONING`` store ``READY`` now."""
        store = self._store(name_or_arn, account_id)
        return self._backend.stores.copy(
            self._backend.stores.mark_ready(store.account_id, store.name)
        )

    # -- trust stores -------------------------------------------------------------------------

    def put_ca_bundle(
        self,
        bucket: str,
        key: str,
        pem: str | bytes,
        *,
        region: str = "us-east-1",
        version: str | None = None,
    ) -> None:
        """Seed the S3 object a trust store's ``CaCertificatesBundleS3Location`` names.

        Create/UpdateTrustStore read seeded objects first (the newest for a bucket and key, or
        the one with the ``Version`` asked for), then moto's S3 when ``mock_aws`` is active.
        """
        where: tuple[object, ...] = (bucket, key)
        if not all(isinstance(part, str) and part for part in where):
            raise InvalidSeedError(
                ServiceError("InvalidArgument", "A CA bundle needs a bucket and a key (strings).")
            )
        labels: tuple[object, ...] = (region, version if version is not None else "")
        if not all(isinstance(label, str) for label in labels):
            raise InvalidSeedError(
                ServiceError("InvalidArgument", "region and version are strings.")
            )
        self._backend.trust_stores.put_bundle(bucket, key, _pem_bytes(pem), region, version)

    def add_trust_store(
        self,
        name: str,
        pem: str | bytes,
        *,
        use_ocsp: bool = False,
        tags: Mapping[str, str] | None = None,
        active: bool = True,
        account_id: str | None = None,
    ) -> TrustStore:
        """Create a trust store from *pem* directly, as CreateTrustStore would from S3.

        With ``active=True`` (the default) it is settled at once (``active``, or ``failed``
        with its ``Reason`` for a bundle CloudFront would refuse); ``active=False`` leaves it
        ``pending`` until a read settles it. Anything else CloudFront would refuse raises
        :class:`~cfmock.exceptions.InvalidSeedError`.
        """
        account = account_id or self.account_id
        data = _pem_bytes(pem)
        if not isinstance(name, str):
            raise InvalidSeedError(
                ServiceError("InvalidArgument", f"A trust store name is a string, got {name!r}.")
            )
        tag_items = _tag_items(tags)
        location = BundleLocation("cfmock-seeded", f"{name}.pem", "us-east-1")
        try:
            store = self._backend.trust_stores.create(
                account,
                name,
                location,
                use_ocsp=use_ocsp,
                tags=tag_items,
                bundle=data,
            )
        except ServiceError as error:
            raise InvalidSeedError(error) from None
        if active:
            self._backend.trust_stores.settle(account)
            store = self._backend.trust_stores.by_id(account, store.id)
        return store

    def trust_stores(self, account_id: str | None = None) -> list[TrustStore]:
        """All trust stores of the account, oldest first."""
        return self._backend.trust_stores.list(account_id or self.account_id)

    def trust_store(self, identifier: str, account_id: str | None = None) -> TrustStore:
        """The trust store with this ID, ARN or name; :class:`TrustStoreNotFoundError` if none."""
        account = account_id or self.account_id
        try:
            return self._backend.trust_stores.resolve(account, identifier)
        except ServiceError:
            raise TrustStoreNotFoundError(
                f"cfmock: no trust store {identifier!r} in account {account}"
            ) from None

    def finish_trust_stores(self, account_id: str | None = None) -> None:
        """Settle every ``pending`` trust store now (to ``active`` or ``failed``)."""
        self._backend.trust_stores.settle(account_id)

    # -- distributions ------------------------------------------------------------------------

    def distributions(self, account_id: str | None = None) -> list[Distribution]:
        """All distributions of the account, oldest first (snapshots: changing one's
        ``config`` changes nothing in the mock)."""
        return [
            _snapshot(d) for d in self._backend.distributions.list(account_id or self.account_id)
        ]

    def add_distribution(
        self,
        *,
        trust_store: str | None = None,
        function: str | None = None,
        mode: str | None = "required",
        aliases: Iterable[str] = (),
        enabled: bool = True,
        ignore_certificate_expiry: bool = False,
        caller_reference: str | None = None,
        account_id: str | None = None,
    ) -> Distribution:
        """Create a distribution for viewer mTLS in one call, as CreateDistribution would.

        *trust_store* and *function* name a trust store and a published connection function
        (by ID, ARN or name); ``mode=None`` makes a distribution without viewer mTLS. The rest
        of the config is a minimal HTTPS-only one with a placeholder origin. Anything
        CloudFront would refuse raises :class:`~cfmock.exceptions.InvalidSeedError`.
        """
        account = account_id or self.account_id
        backend = self._backend
        names = _aliases(aliases)
        for flag_name, flag in (
            ("enabled", enabled),
            ("ignore_certificate_expiry", ignore_certificate_expiry),
        ):
            if not isinstance(flag, bool):
                raise InvalidSeedError(
                    ServiceError("InvalidArgument", f"{flag_name} must be True or False.")
                )
        if caller_reference is not None and not isinstance(caller_reference, str):
            raise InvalidSeedError(
                ServiceError("InvalidArgument", "caller_reference must be a string.")
            )
        if mode is None and (trust_store is not None or function is not None):
            raise InvalidSeedError(
                ServiceError(
                    "InvalidArgument",
                    "A distribution without viewer mTLS (mode=None) takes no trust store or "
                    "connection function.",
                )
            )
        if ignore_certificate_expiry and trust_store is None:
            raise InvalidSeedError(
                ServiceError(
                    "InvalidArgument",
                    "ignore_certificate_expiry is a setting of the trust store: give trust_store.",
                )
            )
        try:
            config = minimal_config(
                caller_reference or f"cfmock-{len(backend.distributions.list(account)) + 1}",
                aliases=names,
                enabled=enabled,
                passthrough=mode == "passthrough",
            )
            if mode is not None:
                mtls: dict[str, Any] = {"Mode": mode}
                if trust_store is not None:
                    store = backend.trust_stores.resolve(account, trust_store)
                    mtls["TrustStoreConfig"] = {"TrustStoreId": store.id}
                    if ignore_certificate_expiry:
                        mtls["TrustStoreConfig"]["IgnoreCertificateExpiry"] = True
                config["ViewerMtlsConfig"] = mtls
            if function is not None:
                config["ConnectionFunctionAssociation"] = {
                    "Id": backend.resolve(account, function).id
                }
            return _snapshot(backend.distributions.create(account, config))
        except ServiceError as error:
            raise InvalidSeedError(error) from None

    def distribution(self, identifier: str, account_id: str | None = None) -> Distribution:
        """The distribution with this ID, domain name or alias;
        :class:`DistributionNotFoundError` if none."""
        account = account_id or self.account_id
        found = self._backend.distributions.find(account, identifier)
        if found is None:
            raise DistributionNotFoundError(
                f"cfmock: no distribution {identifier!r} in account {account}"
            )
        return _snapshot(found)

    # -- viewer connections -------------------------------------------------------------------

    def connect(
        self,
        distribution: str,
        certificate: Any = None,
        *,
        intermediates: Iterable[Any] = (),
        client_ip: str = "203.0.113.10",
        ocsp: Mapping[Any, str] | None = None,
        at: datetime.datetime | None = None,
        endpoint: str | None = None,
        fingerprint: str = "base64url",
        names: str = "certificate-order",
        always_intermediates: bool = False,
        account_id: str | None = None,
    ) -> ConnectionAttempt:
        """Decide one viewer connection to *distribution* (ID, domain name or alias).

        *certificate* is the client's leaf (PEM, DER, ``x509.Certificate`` or a
        :class:`cfmock.pki.Issued`; ``None``: none presented), *intermediates* the chain it
        sends. *ocsp* maps certificates (or serial numbers) to ``"Good"``, ``"Revoked"``,
        ``"Unknown"`` or ``"Error"`` when the trust store has OCSP on; unnamed ones are Good.
        *at* is when the connection happens (default: now); *endpoint* the event's
        ``endpoint`` (default: the distribution's domain name); *fingerprint*, *names* and
        *always_intermediates* the event's formats, as for
        :func:`cfmock.connection_object`. Decided in CloudFront's order:
        distribution, mode, trust store, OCSP, connection function (its LIVE code, with its
        KeyValueStore). Recorded in :attr:`connections`.
        """
        from cfmock._viewer.connect import connect
        from cfmock._viewer.event import Formats

        return connect(
            self._backend,
            account_id or self.account_id,
            distribution,
            certificate,
            intermediates=intermediates,
            client_ip=client_ip,
            ocsp=ocsp,
            at=at,
            endpoint=endpoint,
            formats=Formats(fingerprint, names, always_intermediates),
        )

    @property
    def connections(self) -> list[ConnectionAttempt]:
        """Every viewer connection decided so far (:meth:`connect`), oldest first."""
        return list(self._backend.connections)

    def finish_deploying(self, account_id: str | None = None) -> None:
        """Make every ``InProgress`` distribution ``Deployed`` now."""
        self._backend.distributions.settle(account_id)


def _pem_bytes(pem: object) -> bytes:
    """A PEM (or any bundle text) given as ``str`` or bytes-like, as bytes."""
    if isinstance(pem, str):
        try:
            return pem.encode("utf-8")
        except UnicodeEncodeError:
            pass
    elif isinstance(pem, (bytes, bytearray, memoryview)):
        return bytes(pem)
    raise InvalidSeedError(
        ServiceError("InvalidArgument", f"A PEM is text (str or bytes), got {type(pem).__name__}.")
    )


def _tag_items(tags: object) -> list[tuple[str, str | None]]:
    if tags is None:
        return []
    if not isinstance(tags, Mapping) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in tags.items()
    ):
        raise InvalidSeedError(
            ServiceError("InvalidArgument", "tags map string keys to string values.")
        )
    return list(tags.items())


def _aliases(aliases: object) -> tuple[str, ...]:
    if isinstance(aliases, str) or not isinstance(aliases, Iterable):
        raise InvalidSeedError(
            ServiceError("InvalidArgument", "aliases is a list of domain names.")
        )
    names = tuple(aliases)
    if not all(isinstance(name, str) for name in names):
        raise InvalidSeedError(ServiceError("InvalidArgument", "aliases are strings."))
    return names


def _snapshot(distribution: Distribution) -> Distribution:
    # The stored config is the mock's own: the handle hands out a copy.
    return dataclasses.replace(distribution, config=copy.deepcopy(distribution.config))


def _check_seed_text(data: Mapping[str, str]) -> None:
    """Keys and values are strings of valid Unicode, as the data plane's codec requires."""
    for key, value in data.items():
        for what, text in (("key", key), (f"value of key {key!r}", value)):
            if not isinstance(text, str):
                raise ServiceError(
                    "ValidationException",
                    f"The {what} is {type(text).__name__}; keys and values are strings.",
                )
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise ServiceError(
                    "ValidationException",
                    f"The {what} holds an unpaired surrogate; strings must be valid Unicode.",
                ) from None
