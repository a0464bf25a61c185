"""KeyValueStores: one registry behind both the ``cloudfront`` control plane (create,
describe, list, update, delete) and the ``cloudfront-keyvaluestore`` data plane (keys).

The control plane versions a store's metadata with ``E…`` ETags; the data plane versions its
contents with ``KV…`` ETags built from the same version tokens. Both share the backend's lock.

A store's keys live in one dictionary changed in place (:class:`Contents`), with its size kept
as it changes, so a data-plane call costs the same on a 5 MB store as on an empty one. The
registry's own records see the live keys; what leaves through the handle is a copy. Runs read
the keys through :meth:`Contents.changes_since`: a worker process keeps its own copy of a
store and receives only the keys written since the version it holds.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import threading
import types
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from cfmock._cloudfront import tokens, validation
from cfmock._runtime.engine import StoreRead
from cfmock.exceptions import ServiceError

MAX_KEY_BYTES = 512
MAX_VALUE_BYTES = 1024
MAX_STORE_BYTES = 5 * 1024 * 1024
MAX_KEYS_PER_UPDATE = 50
MAX_STORES_PER_ACCOUNT = 50
MAX_COMMENT_LENGTH = 128
STALE_DATA_ETAG_MESSAGE = "Pre-Condition failed during update of Key-Value-Store"
MAX_REMEMBERED_CHANGES = 4096
"""Keys of recent writes a store remembers, so that a worker holding an older copy of it
receives only those; a worker further behind receives the whole store again."""

_CONTENTS_IDS = itertools.count(1)


class Contents:
    """One store's keys, changed in place under the registry's lock, and what changed lately.

    ``size`` is the bytes of keys and values in UTF-8, kept as writes land; ``version`` is the
    data version (the ``KV…`` ETag's); ``identity`` tells contents apart in a worker's cache.
    """

    __slots__ = (
        "entries",
        "size",
        "version",
        "identity",
        "created",
        "last_modified",
        "_changes",
        "_remembered",
    )

    def __init__(self, created: datetime.datetime) -> None:
        self.entries: dict[str, str] = {}
        self.size = 0
        self.version = 1
        self.identity = next(_CONTENTS_IDS)
        self.created = created
        self.last_modified = created
        self._changes: deque[tuple[int, tuple[str, ...]]] = deque()
        self._remembered = 0

    def size_after(self, changes: Mapping[str, str | None]) -> int:
        """The size the store would have with *changes* (a key's new value, or ``None``)."""
        size = self.size
        for key, value in changes.items():
            old = self.entries.get(key)
            if old is not None:
                size -= _bytes(key) + _bytes(old)
            if value is not None:
                size += _bytes(key) + _bytes(value)
        return size

    def apply(
        self,
        deletes: list[str],
        puts: list[tuple[str, str]],
        changed: tuple[str, ...],
        size: int,
        when: datetime.datetime,
    ) -> None:
        """Delete, then put (a key deleted and put again moves to the end, as a new key does),
        and move the version; *size* is what :meth:`size_after` said of the *changed* keys."""
        entries = self.entries
        for key in deletes:
            entries.pop(key, None)
        entries.update(puts)
        self.size = size
        self.last_modified = when
        self.version += 1
        self._changes.append((self.version, changed))
        self._remembered += len(changed)
        while self._remembered > MAX_REMEMBERED_CHANGES and len(self._changes) > 1:
            self._remembered -= len(self._changes.popleft()[1])

    def changes_since(self, version: int | None) -> dict[str, str | None] | None:
        """The keys written after *version*, each with its value now (``None``: deleted), or
        ``None`` when that version is unknown or too old to tell: then the whole store is due.
        """
        if version is None or version > self.version:
            return None
        if version == self.version:
            return {}
        if not self._changes or self._changes[0][0] > version + 1:
            return None
        changed: dict[str, str | None] = {}
        for written, keys in reversed(self._changes):
            if written <= version:
                break
            for key in keys:
                if key not in changed:
                    changed[key] = self.entries.get(key)
        return changed


class Reader:
    """One store as the runs of a connection function read it (:class:`engine.KeyValueSource`).

    A worker holding an older copy receives the keys written since; one holding none, or one
    too far behind, receives them all.
    """

    def __init__(self, contents: Contents, lock: threading.RLock, names: tuple[str, ...]) -> None:
        self._contents = contents
        self._lock = lock
        self.names = names

    @property
    def identity(self) -> int:
        """The contents' identity: a store keeps it for its life."""
        return self._contents.identity

    def read(self, held: int | None) -> StoreRead:
        """The store now, as the changes since version *held*."""
        contents = self._contents
        with self._lock:
            changes = contents.changes_since(held)
            whole = changes is None
            return StoreRead(
                version=contents.version,
                created=contents.created,
                last_updated=contents.last_modified,
                changes=dict(contents.entries) if changes is None else changes,
                whole=whole,
            )


def _bytes(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())


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
    """The keys and values (a copy, as of this snapshot)."""
    data_version: int = 1
    data_last_modified_time: datetime.datetime | None = None
    item_count: int = 0
    """How many keys the store holds (``ItemCount``)."""
    total_size: int = 0
    """Bytes of keys and values in UTF-8, as the data plane reports ``TotalSizeInBytes``."""

    @property
    def etag(self) -> str:
        """The control-plane ETag (``E…``), for Update/DeleteKeyValueStore."""
        return tokens.etag(self.version)

    @property
    def data_etag(self) -> str:
        """The data-plane ETag (``KV…``), for PutKey, DeleteKey and UpdateKeys."""
        return tokens.etag(self.data_version, prefix="KV")


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
        self._contents: dict[str, Contents] = {}
        """Each store's keys, by ARN; the records' ``data`` is a read-only view of them."""

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
            contents = Contents(now)
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
                data=types.MappingProxyType(contents.entries),
                data_last_modified_time=now,
            )
            stores[name] = store
            self._contents[store.arn] = contents
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
            del self._contents[current.arn]

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
        with self._lock:
            store = self.data_store(arn)
            value = self._contents[store.arn].entries.get(key)
        if value is None:
            raise ServiceError(
                "ResourceNotFoundException", f"The key {key!r} does not exist in {arn!r}."
            )
        return store, value

    def list_keys(
        self, arn: str, start: int, limit: int
    ) -> tuple[tuple[tuple[str, str], ...], int]:
        """Up to *limit* keys and values from position *start*, and how many keys there are."""
        with self._lock:
            entries = self._contents[self.data_store(arn).arn].entries
            page = tuple(itertools.islice(entries.items(), start, start + limit))
            return page, len(entries)

    def copy(self, store: KeyValueStore) -> KeyValueStore:
        """*store* as it is now, with a copy of its keys that later writes leave alone."""
        with self._lock:
            current = self._stores.get(store.account_id, {}).get(store.name)
            if current is None or current.arn != store.arn:
                current = store  # deleted since: its keys are as the delete left them
            return dataclasses.replace(current, data=types.MappingProxyType(dict(current.data)))

    def reader(self, arn: str) -> Reader | None:
        """The store with this ARN as a run reads it, or ``None`` when there is none."""
        with self._lock:
            store = self.by_arn(arn)
            if store is None:
                return None
            return Reader(self._contents[arn], self._lock, (store.id, store.arn))

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
        """Apply *puts* and *deletes* all or nothing; the data ETag moves by one.

        Deletes come first and the last put of a key wins; the cost is that of the keys given,
        whatever the store holds.
        """
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
            changes: dict[str, str | None] = dict.fromkeys(deletes)
            changes.update(puts)
            contents = self._contents[store.arn]
            size = contents.size_after(changes)
            if size > MAX_STORE_BYTES:
                raise ServiceError(
                    "ServiceQuotaExceededException",
                    f"The Key-Value-Store would hold {size} bytes; the maximum is "
                    f"{MAX_STORE_BYTES}.",
                )
            # Never backwards, even if the system clock is stepped back.
            when = max(self._clock(), contents.last_modified)
            contents.apply(deletes, puts, tuple(changes), size, when)
            updated = dataclasses.replace(
                store,
                data_version=contents.version,
                item_count=len(contents.entries),
                total_size=size,
                data_last_modified_time=when,
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
