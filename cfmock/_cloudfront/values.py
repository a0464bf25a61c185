"""The values the backend keeps, handed out as immutable snapshots.

Every type here is frozen: the backend replaces a stage or a function record on each write, so a
snapshot taken by the handle can never change under the test that holds it.
"""

from __future__ import annotations

import datetime
import enum
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


@dataclass(frozen=True)
class RecordedCall:
    """One Connection Functions API call that reached the mock.

    ``parameters`` are the operation's input as botocore's client takes it (blobs as bytes);
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
