"""KeyValueStores: one registry behind both the ``cloudfront`` control plane (create,
describe, list, update, delete) and the ``cloudfront-keyvaluestore`` data plane (keys).

The control plane versions a store's metadata with ``E…`` ETags; the data plane versions its
contents with ``KV…`` ETags built from the same version tokens. Both share the backend's lock.
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
import types
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from cfmock._cloudfront import tokens, validation
from cfmock.exceptions import ServiceError

MAX_KEY_BYTES = 512
MAX_VALUE_BYTES = 1024
MAX_STORE_BYTES = 5 * 1024 * 1024
MAX_KEYS_PER_UPDATE = 50
MAX_STORES_PER_ACCOUNT = 50
MAX_COMMENT_LENGTH = 128
STALE_DATA_ETAG_MESSAGE = "Pre-Condition failed during update of Key-Value-Store"


@dataclass(frozen=True)
class KeyValueStore:
    """A snapshot of one KeyValueStore: its metadata and its contents."""

    name: str
    id: str
    arn: str
    account_id: str
    comment: str
    status: str
    created_time: datetime.datetime
    last_modified_time: datetime.datetime
    version: int
    data: Mapping[str, str] = field(default_factory=lambda: types.MappingProxyType({}))
    data_version: int = 1
    data_last_modified_time: datetime.datetime | None = None

    @property
    def etag(self) -> str:
        """The control-plane ETag (``E…``), for Update/DeleteKeyValueStore."""
        return tokens.etag(self.version)

    @property
    def data_etag(self) -> str:
        """The data-plane ETag (``KV…``), for PutKey, DeleteKey and UpdateKeys."""
        return tokens.etag(self.data_version, prefix="KV")

    @property
    def total_size(self) -> int:
        """Bytes of keys and values, as the data plane reports ``TotalSizeInBytes``."""
        return sum(len(k.encode()) + len(v.encode()) for k, v in self.data.items())


def kvs_arn(account_id: str, store_id: str) -> str:
    """The ARN of a KeyValueStore."""
    return f"arn:aws:cloudfront::{account_id}:key-value-store/{store_id}"


class KeyValueStores:
    """Every KeyValueStore of every account."""

    def __init__(
        self,
        lock: threading.RLock,
        clock: Callable[[], datetime.datetime],
        in_use: Callable[[KeyValueStore], bool],
    ) -> None:
        self._lock = lock
        self._clock = clock
        self._in_use = in_use
        self._stores: dict[str, dict[str, KeyValueStore]] = {}

    # -- control plane ----------------------------------------------------------------------

    def create(
        self, account_id: str, name: str, comment: str = "", *, ready: bool = True
    ) -> KeyValueStore:
        """Create an empty store (``READY``, or ``PROVISIONING`` if *ready* is false)."""
        if not validation.NAME_PATTERN.fullmatch(name):
            raise validation.invalid(
                f"The KeyValueStore name {name!r} is not valid. A name is 1 to 64 characters "
                f"from a-z, A-Z, 0-9, hyphen (-) and underscore (_)."
            )
        _check_comment(comment)
        with self._lock:
            stores = self._stores.setdefault(account_id, {})
            if name in stores:
                raise ServiceError(
                    "EntityAlreadyExists", f"A KeyValueStore named {name!r} already exists."
                )
            if len(stores) >= MAX_STORES_PER_ACCOUNT:
                raise ServiceError(
                    "EntityLimitExceeded",
                    f"This account already has {len(stores)} KeyValueStores; the limit is "
                    f"{MAX_STORES_PER_ACCOUNT}.",
                )
            now = self._clock()
            store_id = str(uuid.uuid4())
            store = KeyValueStore(
                name=name,
                id=store_id,
                arn=kvs_arn(account_id, store_id),
                account_id=account_id,
                comment=comment,
                status="READY" if ready else "PROVISIONING",
                created_time=now,
                last_modified_time=now,
                version=1,
                data=types.MappingProxyType({}),
                data_last_modified_time=now,
            )
            stores[name] = store
            return store

    def describe(self, account_id: str, name: str) -> KeyValueStore:
        """The store named *name*, or ``EntityNotFound``."""
        with self._lock:
            store = self._stores.get(account_id, {}).get(name)
            if store is None:
                raise ServiceError("EntityNotFound", f"The KeyValueStore {name!r} does not exist.")
            return store

    def accounts(self) -> list[str]:
        """The accounts that hold (or held) a store."""
        with self._lock:
            return list(self._stores)

    def list(self, account_id: str, status: str | None = None) -> list[KeyValueStore]:
        """Every store of the account, oldest first, optionally of one status."""
        with self._lock:
            stores = list(self._stores.get(account_id, {}).values())
        return [s for s in stores if status is None or s.status == status]

    def update(
        self, account_id: str, name: str, if_match: str | None, comment: str
    ) -> KeyValueStore:
        """Replace the comment; the control-plane ETag moves, the data ETag does not."""
        with self._lock:
            current = self.describe(account_id, name)
            validation.check_if_match(if_match, current.etag)
            _check_comment(comment)
            updated = dataclasses.replace(
                current,
                comment=comment,
                version=current.version + 1,
                last_modified_time=max(self._clock(), current.last_modified_time),
            )
            self._stores[account_id][name] = updated
            return updated

    def delete(self, account_id: str, name: str, if_match: str | None) -> None:
        """Delete a store no connection function is associated with."""
        with self._lock:
            current = self.describe(account_id, name)
            validation.check_if_match(if_match, current.etag)
            if self._in_use(current):
                raise ServiceError(
                    "CannotDeleteEntityWhileInUse",
                    f"The KeyValueStore {name!r} is associated with a connection function.",
                )
            del self._stores[account_id][name]

    def mark_ready(self, account_id: str, name: str) -> KeyValueStore:
        """Finish provisioning a store now."""
        with self._lock:
            ready = dataclasses.replace(self.describe(account_id, name), status="READY")
            self._stores[account_id][name] = ready
            return ready

    # -- lookups by ARN (associations and the data plane) -----------------------------------

    def by_arn(self, arn: str) -> KeyValueStore | None:
        """The store with this ARN, in the account the ARN names, or ``None``."""
        account_id = arn.split(":")[4] if arn.count(":") >= 5 else ""
        with self._lock:
            return next(
                (s for s in self._stores.get(account_id, {}).values() if s.arn == arn), None
            )

    def check_associable(self, account_id: str, arn: str) -> None:
        """A connection function may only name a store of its account that is ``READY``."""
        store = self.by_arn(arn)
        if store is None or store.account_id != account_id:
            raise validation.invalid(f"The KeyValueStore {arn!r} does not exist.")
        if store.status != "READY":
            raise validation.invalid(
                f"The KeyValueStore {arn!r} cannot be associated before the resource is "
                f"provisioned."
            )

    # -- data plane -------------------------------------------------------------------------

    def data_store(self, arn: str) -> KeyValueStore:
        """The store for a data-plane request, or ``ResourceNotFoundException``."""
        store = self.by_arn(arn)
        if store is None:
            raise ServiceError(
                "ResourceNotFoundException", f"The Key-Value-Store {arn!r} does not exist."
            )
        return store

    def get_key(self, arn: str, key: str) -> tuple[KeyValueStore, str]:
        """The store and the value of *key*, or ``ResourceNotFoundException``."""
        store = self.data_store(arn)
        if key not in store.data:
            raise ServiceError(
                "ResourceNotFoundException", f"The key {key!r} does not exist in {arn!r}."
            )
        return store, store.data[key]

    def delete_key(self, arn: str, key: str, if_match: str | None) -> KeyValueStore:
        """DeleteKey: the key must exist. The key, the ETag and the write are one step, so a
        write landing in between cannot turn a guessed next ETag into a match."""
        with self._lock:
            self.get_key(arn, key)
            return self.write(arn, if_match, deletes=[key])

    def write(
        self,
        arn: str,
        if_match: str | None,
        puts: Iterable[tuple[str, str]] = (),
        deletes: Iterable[str] = (),
        *,
        per_request_limit: bool = True,
    ) -> KeyValueStore:
        """Apply *puts* and *deletes* all or nothing; the data ETag moves by one."""
        puts, deletes = list(puts), list(deletes)
        with self._lock:
            store = self.data_store(arn)
            if if_match != store.data_etag:
                raise ServiceError("ValidationException", STALE_DATA_ETAG_MESSAGE)
            if per_request_limit and len(puts) + len(deletes) > MAX_KEYS_PER_UPDATE:
                raise ServiceError(
                    "ValidationException",
                    f"{len(puts) + len(deletes)} keys were given; one request may change at "
                    f"most {MAX_KEYS_PER_UPDATE}.",
                )
            check_entries(puts)
            data = dict(store.data)
            for key in deletes:
                data.pop(key, None)
            data.update(puts)
            updated = dataclasses.replace(
                store,
                data=types.MappingProxyType(data),
                data_version=store.data_version + 1,
                # Never backwards, even if the system clock is stepped back.
                data_last_modified_time=max(
                    self._clock(), store.data_last_modified_time or store.created_time
                ),
            )
            if updated.total_size > MAX_STORE_BYTES:
                raise ServiceError(
                    "ServiceQuotaExceededException",
                    f"The Key-Value-Store would hold {updated.total_size} bytes; the maximum "
                    f"is {MAX_STORE_BYTES}.",
                )
            self._stores[store.account_id][store.name] = updated
            return updated

    def seed(self, arn: str, data: Mapping[str, str]) -> KeyValueStore:
        """Put keys without an ETag or the 50-key request limit (the handle's shortcut).

        Key, value and store-size limits still apply, and the data ETag moves by one.
        """
        with self._lock:
            return self.write(
                arn, self.data_store(arn).data_etag, data.items(), per_request_limit=False
            )


def check_contents(data: Mapping[str, str]) -> None:
    """Everything a store holding exactly *data* must satisfy: entry and store sizes."""
    check_entries(data.items())
    total = sum(len(k.encode()) + len(v.encode()) for k, v in data.items())
    if total > MAX_STORE_BYTES:
        raise ServiceError(
            "ServiceQuotaExceededException",
            f"The Key-Value-Store would hold {total} bytes; the maximum is {MAX_STORE_BYTES}.",
        )


def _check_comment(comment: str) -> None:
    if len(comment) > MAX_COMMENT_LENGTH:
        raise validation.invalid(
            f"The comment is {len(comment)} characters long; the maximum is {MAX_COMMENT_LENGTH}."
        )


def check_entries(entries: Iterable[tuple[str, str]]) -> None:
    """Every key 1-512 bytes and every value at most 1 KB, or ``ValidationException``."""
    for key, value in entries:
        _check_entry(key, value)


def _check_entry(key: str, value: str) -> None:
    if not 1 <= len(key.encode()) <= MAX_KEY_BYTES:
        raise ServiceError(
            "ValidationException",
            f"The key {key!r} is {len(key.encode())} bytes; keys are 1 to {MAX_KEY_BYTES} bytes.",
        )
    if len(value.encode()) > MAX_VALUE_BYTES:
        raise ServiceError(
            "ValidationException",
            f"The value of key {key!r} is {len(value.encode())} bytes; the maximum is "
            f"{MAX_VALUE_BYTES}.",
        )
