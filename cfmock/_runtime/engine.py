"""Runs a connection function's JavaScript in a fresh, isolated QuickJS context.

The context lives in a worker process (``worker.py``, managed by ``pool.py``), so that a run can
be stopped at a wall-clock deadline: QuickJS itself only offers a CPU-clock limit, which on a
busy machine lets an endless loop run for many seconds. The host sends the worker the script,
what changed in the associated KeyValueStore since the worker last saw it, and one JSON string
(the event, the frozen clock and the output limits); the runtime surface lives in JavaScript
(``js/prelude.js``). What the run decides, logs and throws comes back as plain strings as it
happens, so no user getter runs outside the sandbox and nothing the code does afterwards can
change what it decided.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from types import MappingProxyType
from typing import Any, Protocol

from cfmock._options import ENGINE_MEMORY_LIMIT, MAX_LOG_LIMIT
from cfmock._runtime import messages, syntax
from cfmock._runtime import pool as _pool
from cfmock._runtime import worker as _protocol
from cfmock._runtime.imports import to_script as to_script
from cfmock._runtime.syntax import NUL_MESSAGE as NUL_MESSAGE

MEMORY_LIMIT = ENGINE_MEMORY_LIMIT
"""Bytes a run may allocate in any case, runtime included; more ends it out of memory."""
STACK_LIMIT = 1024 * 1024
"""Bytes of JavaScript stack; deeper recursion ends in a RangeError."""
TIME_LIMIT = 1.0
"""Seconds of wall-clock time a run may take, jobs included, before its worker is killed."""
COMPUTE_BUDGET = 0.005
"""CloudFront's 5 ms execution limit, the 100 of ComputeUtilization."""
POOL_SIZE = 4
"""Worker processes at most; more threads running functions at once wait for one."""
MAX_LOG_BYTES = 10_240
"""The logs' default cut, in bytes of UTF-8 (``log_limit``)."""
MAX_LOG_ENTRIES = _protocol.MAX_LOG_ENTRIES
MAX_CUSTOM_DATA_BYTES = _protocol.MAX_CUSTOM_DATA_BYTES
MAX_ERROR_BYTES = _protocol.MAX_ERROR_BYTES
TIMEOUT_MESSAGE = "InternalError: The function exceeded the maximum allowed time"
OUT_OF_MEMORY_MESSAGE = "InternalError: out of memory"
WORKER_FAILED_MESSAGE = "InternalError: the runtime worker failed"
"""The worker died or broke the protocol during the run (cfmock's failure, not the code's)."""
WORKER_START_MESSAGE = "InternalError: the runtime worker could not start"
NOT_UTF8_MESSAGE = "SyntaxError: the function code is not valid UTF-8"
BAD_INPUT_MESSAGE = "InternalError: the event or KeyValueStore cannot be given to the runtime"
ERROR_PREFIX = (
    "The CloudFront function associated with the CloudFront distribution is invalid or could "
    "not run. "
)
"""What ``error_message_prefix=True`` puts before every error message."""


@dataclass(frozen=True)
class StoreRead:
    """A KeyValueStore at one version, as a worker needs it to catch up from the one it holds."""

    version: int
    created: datetime.datetime
    last_updated: datetime.datetime
    changes: Mapping[str, str | None]
    """The keys written since the version asked for, each with its value (``None``: deleted);
    every key of the store when *whole*."""
    whole: bool


class KeyValueSource(Protocol):
    """The KeyValueStore associated with a run, read once the run's worker is known.

    Workers keep each store they have seen, by *identity*, and receive only what changed
    since the version they hold: a run costs the same whatever the store's size.
    """

    @property
    def identity(self) -> int:
        """Tells stores apart in a worker; never reused in a process."""
        ...  # pragma: no cover - a protocol

    @property
    def names(self) -> tuple[str, ...]:
        """The store's ID and ARN: what ``cf.kvs(x)`` accepts when the argument is checked."""
        ...  # pragma: no cover - a protocol

    def read(self, held: int | None) -> StoreRead:
        """The store now, as changes since version *held* (``None``: the worker has none)."""
        ...  # pragma: no cover - a protocol


_SNAPSHOT_IDENTITIES = itertools.count(-1, -1)
"""Fixed snapshots count down, the backend's stores up: the two never share an identity."""


@dataclass(frozen=True)
class KeyValueSnapshot:
    """A store fixed at one version: these keys, as ``cf.kvs()`` sees them in every run."""

    data: Mapping[str, str]
    created: datetime.datetime
    last_updated: datetime.datetime
    names: tuple[str, ...] = ()
    identity: int = field(init=False, compare=False)
    """Each snapshot's own, ``dataclasses.replace`` included: workers tell them apart by it."""

    def __post_init__(self) -> None:
        # A copy: the keys a worker was sent cannot change under it afterwards.
        object.__setattr__(self, "data", MappingProxyType(dict(self.data)))
        object.__setattr__(self, "identity", next(_SNAPSHOT_IDENTITIES))

    def read(self, held: int | None) -> StoreRead:
        """Everything, unless the worker holds it already."""
        whole = held != 1
        changes = dict(self.data) if whole else {}
        return StoreRead(1, self.created, self.last_updated, changes, whole)


@dataclass(frozen=True)
class RunSettings:
    """How one run goes: the profile and the limits (from :class:`cfmock.MockOptions`)."""

    profile: str = "faithful"
    memory_limit: int | None = 2 * 1024 * 1024
    log_limit: int | None = MAX_LOG_BYTES
    strict_compute: bool = False
    error_message_prefix: bool = False
    check_kvs_argument: bool = False
    seed_random: bool = False


@dataclass(frozen=True)
class RunResult:
    """What one run of a connection function decided and printed."""

    action: str
    custom_data: str | None
    logs: tuple[str, ...]
    error: str
    compute_utilization: int
    profile: str = "faithful"
    """The runtime profile that answered: ``"faithful"`` or ``"permissive"``."""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def output(self) -> str:
        """The ``ConnectionFunctionOutput`` JSON: the decision, and custom data if logged."""
        decision: dict[str, str] = {"action": self.action}
        if self.custom_data is not None:
            decision["customData"] = self.custom_data
        return json.dumps({"connection": decision}, separators=(",", ":"), ensure_ascii=False)


MODULES = {
    "encoding": "encoding",
    "querystring-factory": "querystring",
    "crypto-factory": "crypto",
}
"""The modules the prelude loads on first use, by the name it asks for, and their files."""


@functools.cache
def sources() -> dict[str, str]:
    """The runtime's JavaScript: ``prelude``, the modules it loads on first use, and ``absent``,
    the built-ins the faithful profile removes (JSON)."""
    folder = resources.files("cfmock._runtime") / "js"
    found = {"prelude": (folder / "prelude.js").read_text(encoding="utf-8")}
    found["absent"] = (folder / "absent.json").read_text(encoding="utf-8")
    for name, file in MODULES.items():
        found[name] = (folder / f"{file}.js").read_text(encoding="utf-8")
    return found


_POOL = _pool.Pool(sources, MEMORY_LIMIT, STACK_LIMIT, POOL_SIZE)


def run(
    code: bytes,
    event: dict[str, Any],
    kvs: KeyValueSource | None,
    now: datetime.datetime,
    settings: RunSettings | None = None,
) -> RunResult:
    """Run ``connectionHandler(connection)`` from *code* against *event*.

    Never raises: whatever the code does, and whatever happens to the worker, the answer is a
    result, with an error message when the run did not end normally. Under the faithful
    profile, code CloudFront's runtime would refuse to load does not run: the result is a
    deny with the runtime's message and no logs.
    """
    settings = settings or RunSettings()
    result = _run(code, event, kvs, now, settings)
    error = messages.to_njs(result.error) if result.error else ""
    if error and settings.error_message_prefix:
        error = ERROR_PREFIX + error
    if error != result.error:
        result = replace(result, error=error)
    return result


def _run(
    code: bytes,
    event: dict[str, Any],
    kvs: KeyValueSource | None,
    now: datetime.datetime,
    settings: RunSettings,
) -> RunResult:
    profile = settings.profile
    try:
        source = code.decode("utf-8")
    except UnicodeDecodeError:
        return _not_run(NOT_UTF8_MESSAGE, profile)
    if "\0" in source:
        # The engine takes the script as a C string.
        return _not_run(NUL_MESSAGE, profile)
    if profile == "faithful":
        problems = syntax.check(source)
        if problems:
            return _not_run(problems[0].message, profile)
    try:
        payload = json.dumps(
            _input(event, kvs, now, settings), allow_nan=False, separators=(",", ":")
        )
    except (TypeError, ValueError, RecursionError):
        return _not_run(BAD_INPUT_MESSAGE, profile)
    outcome = _POOL.execute(to_script(source), payload, TIME_LIMIT, kvs)
    error = outcome.error
    finished = outcome.status == _pool.ANSWERED
    if outcome.status == _pool.TIMED_OUT:
        error = TIMEOUT_MESSAGE
    elif outcome.status == _pool.FAILED:
        error = WORKER_FAILED_MESSAGE
    elif outcome.status == _pool.NOT_STARTED:
        error = WORKER_START_MESSAGE
    elif outcome.pending:
        # Nothing is left to run but the handler's promise never settled: at the edge the
        # function would wait until CloudFront stopped it.
        error, finished = TIMEOUT_MESSAGE, False
    utilization = round(outcome.cpu / COMPUTE_BUDGET * 100) if finished else 100
    if settings.strict_compute and utilization > 100 and not error:
        error = TIMEOUT_MESSAGE
    return RunResult(
        action="allow" if outcome.action == "allow" and not error else "deny",
        custom_data=outcome.custom_data,
        logs=outcome.logs,
        error=error,
        compute_utilization=min(100, utilization),
        profile=profile,
    )


def _not_run(error: str, profile: str) -> RunResult:
    return RunResult(
        action="deny",
        custom_data=None,
        logs=(),
        error=error,
        compute_utilization=0,
        profile=profile,
    )


def _input(
    event: dict[str, Any],
    kvs: KeyValueSource | None,
    now: datetime.datetime,
    settings: RunSettings,
) -> dict[str, Any]:
    # The keys themselves reach the worker beside the input (see pool.Pool.execute).
    store = None
    if kvs is not None:
        store = {"names": list(kvs.names) if settings.check_kvs_argument else None}
    limits = {
        "logBytes": MAX_LOG_LIMIT if settings.log_limit is None else settings.log_limit,
        "logEntries": MAX_LOG_ENTRIES,
        "customDataBytes": MAX_CUSTOM_DATA_BYTES,
        "errorBytes": MAX_ERROR_BYTES,
        "memoryBytes": settings.memory_limit,
    }
    return {
        "event": event,
        "kvs": store,
        "now": int(now.timestamp() * 1000),
        "limits": limits,
        "profile": settings.profile,
        "seedRandom": settings.seed_random,
    }
