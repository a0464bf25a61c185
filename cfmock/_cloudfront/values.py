"""The values the backend keeps, handed out as immutable snapshots.

Every type here is frozen: the backend replaces a stage or a function record on each write, so a
snapshot taken by the handle can never change under the test that holds it.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
import sys
from dataclasses import dataclass, field
from typing import Any


class Stage(str, enum.Enum):
    """The two stages of a connection function."""

    DEVELOPMENT = "DEVELOPMENT"
    LIVE = "LIVE"


class Status(str, enum.Enum):
    """The lifecycle status CloudFront reports for a connection function."""

    UNPUBLISHED = "UNPUBLISHED"
    PUBLISHING = "PUBLISHING"
    UNASSOCIATED = "UNASSOCIATED"
    DEPLOYED = "DEPLOYED"
    IN_PROGRESS = "IN_PROGRESS"


RUNTIME = "cloudfront-js-2.0"


@dataclass(frozen=True)
class FunctionConfig:
    """A ``ConnectionFunctionConfig``: comment, runtime and associated KeyValueStore ARNs."""

    comment: str
    runtime: str = RUNTIME
    key_value_store_arns: tuple[str, ...] = ()


@dataclass(frozen=True)
class StageVersion:
    """What one stage of a function holds: its config, its code and its ETag."""

    stage: Stage
    config: FunctionConfig
    code: bytes
    version: int
    etag: str
    last_modified_time: datetime.datetime


@dataclass(frozen=True)
class ConnectionFunction:
    """A snapshot of one connection function as cfmock holds it.

    ``live`` is ``None`` until the function is first published.
    """

    id: str
    name: str
    arn: str
    account_id: str
    status: Status
    created_time: datetime.datetime
    development: StageVersion
    live: StageVersion | None = None
    tags: tuple[tuple[str, str | None], ...] = ()

    def stage(self, stage: Stage) -> StageVersion | None:
        """The :class:`StageVersion` of *stage*, or ``None`` for a LIVE stage not yet published."""
        return self.development if stage is Stage.DEVELOPMENT else self.live

    @property
    def etag(self) -> str:
        """The DEVELOPMENT ETag, the one Update, Publish and Delete expect in ``If-Match``."""
        return self.development.etag


@dataclass(frozen=True)
class FunctionRun:
    """One run of a connection function's code (``TestConnectionFunction``).

    ``profile`` is the runtime profile that answered (``"faithful"`` or ``"permissive"``);
    the rest is what the run decided and printed, as the API answer carries it.
    """

    function_name: str
    function_id: str
    stage: str
    profile: str
    action: str
    error: str
    logs: tuple[str, ...]
    custom_data: str | None
    compute_utilization: int
    account_id: str


RECORDED_BLOB_BYTES = 1024
"""Blobs up to this size stay bytes in the call log; larger ones become :class:`RecordedBlob`."""


@dataclass(frozen=True, slots=True, eq=False)
class RecordedBlob:
    """A blob parameter over 1 KiB as the call log keeps it: its size and SHA-256, not a copy.

    It compares equal to the bytes it was made from (and to an equal ``RecordedBlob``), so
    ``call.parameters["ConnectionFunctionCode"] == CODE`` holds as for a small blob. It is not
    hashable: it cannot hash as the bytes it equals.
    """

    size: int
    sha256: str
    """The SHA-256 of the bytes, in hex."""

    @classmethod
    def of(cls, data: bytes) -> RecordedBlob:
        """The record of *data* (the same object for the same bytes, while it is recent)."""
        made = cls(len(data), hashlib.sha256(data).hexdigest())
        key = (made.size, made.sha256)
        known = _RECENT_BLOBS.get(key)
        if known is not None:
            return known
        if len(_RECENT_BLOBS) >= _MAX_RECENT_BLOBS:
            _RECENT_BLOBS.clear()
        _RECENT_BLOBS[key] = made
        return made

    def __len__(self) -> int:
        return self.size

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RecordedBlob):
            return (self.size, self.sha256) == (other.size, other.sha256)
        if isinstance(other, (bytes, bytearray, memoryview)):
            size = other.nbytes if isinstance(other, memoryview) else len(other)
            return size == self.size and hashlib.sha256(other).hexdigest() == self.sha256
        return NotImplemented

    # Equal to bytes whose hash it cannot know: a record is no set member or dict key (a
    # TypeError says so, where a hash of its own would silently miss the bytes it equals).
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RecordedBlob(size={self.size}, sha256={self.sha256[:16]}…)"


_RECENT_BLOBS: dict[tuple[int, str], RecordedBlob] = {}
"""A test sends the same code many times: its calls share one record of it."""
_MAX_RECENT_BLOBS = 256

_SHORT_TEXT = 64
"""Strings up to this long are interned in the call log: a test's many calls share them."""


def for_the_log(value: Any) -> Any:
    """*value* (a parameter) as the call log keeps it: large blobs as :class:`RecordedBlob`,
    short strings interned, so that a call costs the log a few hundred bytes whatever it
    carried."""
    if isinstance(value, str):
        return sys.intern(value) if len(value) <= _SHORT_TEXT else value
    if isinstance(value, bytes):
        return RecordedBlob.of(value) if len(value) > RECORDED_BLOB_BYTES else value
    if isinstance(value, dict):
        return {for_the_log(key): for_the_log(item) for key, item in value.items()}
    if isinstance(value, list):
        return [for_the_log(item) for item in value]
    return value


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """One Connection Functions API call that reached the mock.

    ``parameters`` are the operation's input as botocore's client takes it (blobs as bytes, a
    blob over 1 KiB as a :class:`RecordedBlob` that compares equal to those bytes);
    ``error_code`` is the modeled error's code, or ``None`` when the call succeeded;
    ``service`` is ``cloudfront`` or, for the KeyValueStore data plane,
    ``cloudfront-keyvaluestore``.
    """

    operation: str
    parameters: dict[str, Any] = field(compare=False)
    status: int
    error_code: str | None
    account_id: str
    service: str = "cloudfront"
