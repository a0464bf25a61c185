"""Runs a connection function's JavaScript in a fresh, isolated QuickJS context.

The engine refuses calls into Python while a time limit is set, so the whole runtime surface
lives in JavaScript (``_js/prelude.js``). The host hands it one JSON string (the event, the
KeyValueStore snapshot and the frozen clock), and reads one JSON string back: no live
JavaScript object ever reaches Python, so no user getter can run outside the limits.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

MEMORY_LIMIT = 64 * 1024 * 1024
"""Bytes a run may allocate; more ends it with an out-of-memory error."""
STACK_LIMIT = 1024 * 1024
"""Bytes of JavaScript stack; deeper recursion ends in a RangeError."""
TIME_LIMIT = 1.0
"""Seconds a run may take, jobs included, before it is stopped."""
COMPUTE_BUDGET = 0.005
"""CloudFront's 5 ms execution limit, the 100 of ComputeUtilization."""
TIMEOUT_MESSAGE = "InternalError: The function exceeded the maximum allowed time"
OUT_OF_MEMORY_MESSAGE = "InternalError: out of memory"

_NAMED_ERROR = re.compile(r"^[A-Za-z]*Error: ")
_IMPORT = re.compile(
    r"""^(?P<indent>[ \t]*)import\s+(?P<binding>\w+|\*\s+as\s+\w+|\{[^}]*\})\s+from\s+"""
    r"""(?P<quote>['"])(?P<module>[^'"]+)(?P=quote)[ \t]*;?""",
    re.MULTILINE,
)


@dataclass(frozen=True)
class KeyValueSnapshot:
    """The contents of the associated KeyValueStore, as ``cf.kvs()`` sees them in one run."""

    data: dict[str, str]
    created: datetime.datetime
    last_updated: datetime.datetime


@dataclass(frozen=True)
class RunResult:
    """What one run of a connection function decided and printed."""

    action: str
    custom_data: str | None
    logs: tuple[str, ...]
    error: str
    compute_utilization: int
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def output(self) -> str:
        """The ``ConnectionFunctionOutput`` JSON: the decision, and custom data if logged."""
        decision: dict[str, str] = {"action": self.action}
        if self.custom_data is not None:
            decision["customData"] = self.custom_data
        return json.dumps({"connection": decision}, separators=(",", ":"), ensure_ascii=False)


@functools.cache
def prelude() -> str:
    """The runtime's JavaScript, with the modules it loads on first use embedded as strings."""
    folder = resources.files("cfmock._runtime") / "js"
    text = (folder / "prelude.js").read_text(encoding="utf-8")
    for name in ("encoding", "querystring", "crypto"):
        source = (folder / f"{name}.js").read_text(encoding="utf-8")
        text = text.replace(f"/* cfmock:source {name} */", json.dumps(source))
    return text


def to_script(code: str) -> str:
    """Turn module-style imports into runtime lookups, keeping every line where it was.

    ``import cf from 'cloudfront'`` becomes ``const cf = __cfmock_import('cloudfront');``;
    CloudFront's runtime is always in strict mode, so the script is too.
    """

    def replace(match: re.Match[str]) -> str:
        binding = match.group("binding")
        if binding.startswith("*"):
            binding = binding.split()[-1]
        elif binding.startswith("{"):
            binding = re.sub(r"\bas\b", ":", binding)
        module = json.dumps(match.group("module"))
        return f"{match.group('indent')}const {binding} = __cfmock_import({module});"

    return "'use strict';" + _IMPORT.sub(replace, code)


def run(
    code: bytes,
    event: dict[str, Any],
    kvs: KeyValueSnapshot | None,
    now: datetime.datetime,
) -> RunResult:
    """Run ``connectionHandler(connection)`` from *code* against *event*."""
    import quickjs  # loaded on first use: most tests never run JavaScript

    context = quickjs.Context()
    context.set_memory_limit(MEMORY_LIMIT)
    context.set_max_stack_size(STACK_LIMIT)
    context.set_time_limit(TIME_LIMIT)
    context.set("__cfmock_input", json.dumps(_input(event, kvs, now)))
    context.eval(prelude())

    started = time.thread_time()
    deadline = time.perf_counter() + TIME_LIMIT
    error = ""
    timed_out = False
    try:
        script = to_script(code.decode("utf-8"))
        _limit_to(context, deadline)
        context.eval(script)
        _limit_to(context, deadline)
        context.eval(
            '__cfmock_run(typeof connectionHandler === "function" ? connectionHandler : undefined)'
        )
        while _limit_to(context, deadline) and context.execute_pending_job():
            pass
        timed_out = time.perf_counter() >= deadline
    except UnicodeDecodeError:
        error = "SyntaxError: the function code is not valid UTF-8"
    except (quickjs.JSException, quickjs.StackOverflow) as failure:
        error = _error_line(str(failure))
        timed_out = error == "InternalError: interrupted"
    cpu = time.thread_time() - started

    state = _read_state(context)
    if timed_out:
        error = TIMEOUT_MESSAGE
    elif (error or not state or state.get("error")) and _memory_exhausted(context):
        # Out of memory, QuickJS may throw null or fail the read-back: name the real cause.
        error = OUT_OF_MEMORY_MESSAGE
    elif not error:
        error = state.get("error") or ""
    if not error and state.get("pending"):
        # Nothing is left to run but the handler's promise never settled: at the edge the
        # function would wait until CloudFront stopped it.
        error, timed_out = TIMEOUT_MESSAGE, True
    utilization = 100 if timed_out else min(100, round(cpu / COMPUTE_BUDGET * 100))
    return RunResult(
        action="allow" if state.get("action") == "allow" and not error else "deny",
        custom_data=state.get("customData"),
        logs=tuple(state.get("logs", ())),
        error=error,
        compute_utilization=utilization,
    )


def _input(
    event: dict[str, Any], kvs: KeyValueSnapshot | None, now: datetime.datetime
) -> dict[str, Any]:
    store = None
    if kvs is not None:
        store = {
            "data": kvs.data,
            "creationDateTime": _iso(kvs.created),
            "lastUpdatedDateTime": _iso(kvs.last_updated),
        }
    return {"event": event, "kvs": store, "now": int(now.timestamp() * 1000)}


def _read_state(context: Any) -> dict[str, Any]:
    import quickjs

    try:
        text = context.eval("__cfmock_result()")
    except (quickjs.JSException, quickjs.StackOverflow):
        # The run exhausted the engine (memory, say): what it had logged is lost with it.
        return {}
    state = json.loads(json.loads(text)) if isinstance(text, str) else None
    return state if isinstance(state, dict) else {}


def _memory_exhausted(context: Any) -> bool:
    used: int = context.memory()["malloc_size"]
    return used > MEMORY_LIMIT * 0.9


def _limit_to(context: Any, deadline: float) -> bool:
    # The engine's own limit restarts with every evaluation and every job, so each step gets
    # only what is left of the run's one budget; False once it is spent.
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        return False
    context.set_time_limit(remaining)
    return True


def _error_line(message: str) -> str:
    """The first line of an engine error, as ``Name: message`` like the handler path writes."""
    line = message.strip().splitlines()[0] if message.strip() else ""
    return line if _NAMED_ERROR.match(line) else f"Error: {line}"


def _iso(value: datetime.datetime) -> str:
    value = value.astimezone(datetime.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
