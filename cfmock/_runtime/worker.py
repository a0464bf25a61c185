"""The worker process that runs connection functions, and the protocol it speaks with cfmock.

cfmock starts this file as a script (``python -I -S -B worker.py QUICKJS_DIR AREA_FD``, see
``pool.py``) and keeps the process for many runs. It imports only the standard library and
quickjs-ng's extension module ``_quickjs``, from the directory it is given, so it starts fast
and inherits nothing from the user's environment. The parent imports this module too, for the
constants and the framing below; importing it does not load the engine.

Each run gets a fresh QuickJS context, prepared (the prelude evaluated) while the worker waits
for the request, so no state leaks from one run to the next. Nothing bounds a run's time in
here: the parent kills the process at its wall-clock deadline. What user code decides, logs
and throws is reported through one host callable as it happens:

* the logs and the custom data go into the *area*, a small file the parent also maps, so they
  survive that kill: the parent reads them back whether or not an answer arrives;
* the decision and the error go into the answer frame.

Frames, both ways, are a 4-byte little-endian length and that many bytes:

* parent -> worker: ``I`` + memory limit and stack size (``<QQ``) + the JavaScript sources
  (``pack_texts``: the prelude and the modules it loads on first use), once; then
  ``R`` + the lengths in bytes of the script and of the store update (``<II``) + the script +
  the store update + the input JSON, once a run.
* The store update (JSON, empty for a run without a KeyValueStore) brings the worker's copy of
  the run's store up to date: ``id``, ``whole`` (``changes`` is every key) or not (the keys
  written since the copy's version; ``null`` deletes), ``created``, ``lastUpdated`` and the
  stores to ``drop``. The worker keeps its copies between runs; the code reads them through
  the host callable (``kvs-get``, ``kvs-has``, ``kvs-meta``), one key at a time.
* worker -> parent: ``H`` once the first context is ready; then, for each run, ``A`` + the
  decision, flags and CPU seconds (``ANSWER``) + the error message in UTF-8.

The worker exits when its standard input closes (the parent is gone). A run that is still going
after ``BACKSTOP_SECONDS`` ends the process (``SIGALRM``), in case no parent is left to kill it.
"""

from __future__ import annotations

import mmap
import os
import struct
import sys
import time

# The worker imports as little as it can: typing (and the re, enum and collections it pulls in)
# would cost more than the rest of its start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, BinaryIO

FRAME = struct.Struct("<I")
"""Every frame starts with its length."""
INIT, RUN, HELLO, ANSWER_KIND = b"I", b"R", b"H", b"A"
LIMITS = struct.Struct("<QQ")
LENGTHS = struct.Struct("<II")
"""A run's script and store update, in bytes."""
ANSWER = struct.Struct("<cBBxd")
"""An answer: ``A``, the decision (``ACTIONS`` index), flags, padding, CPU seconds."""
ACTIONS = (None, "allow", "deny")
FLAG_PENDING = 1
"""The handler's promise never settled: nothing was left to run while it was pending."""

MAX_LOG_BYTES = 1024 * 1024
"""The most log text the area holds, in bytes of UTF-8: the bound of ``log_limit`` (the
prelude cuts the logs at the run's own limit, 10 240 bytes by default, spec decision 17)."""
MAX_LOG_ENTRIES = 10_240
"""And at this many entries, so that empty entries cannot grow them without end."""
MAX_CUSTOM_DATA_BYTES = 800
"""``logCustomData`` keeps at most this many bytes of UTF-8."""
MAX_ERROR_BYTES = 10_240
"""An error message is cut at this many bytes of UTF-8."""
JOBS_PER_MEMORY_CHECK = 128
"""Promise jobs between two looks at the memory in use (a look costs a walk of the heap)."""
BACKSTOP_SECONDS = 30
"""A run still going after this long ends the worker itself (only when no parent killed it)."""

# The area: four 32-bit words, two custom-data slots, then the log entries, each a 32-bit length
# and that many bytes of UTF-8. Word 0 is the bytes of log entries written, word 1 the
# custom data (0: none; else the slot, 1 or 2, shifted 16 left, or'ed with its length). The
# worker writes an entry or a slot first and then the word that makes it visible, one aligned
# 32-bit store, so a worker killed at any instant leaves whole entries behind.
HEADER_WORDS = 4
CUSTOM_OFFSET = HEADER_WORDS * 4
LOG_OFFSET = CUSTOM_OFFSET + 2 * MAX_CUSTOM_DATA_BYTES
LOG_CAPACITY = MAX_LOG_BYTES + 4 * MAX_LOG_ENTRIES
AREA_BYTES = LOG_OFFSET + LOG_CAPACITY


def cut_utf8(data: bytes, limit: int) -> bytes:
    """*data*, UTF-8, cut to at most *limit* bytes without splitting a character."""
    if len(data) <= limit:
        return data
    end = limit
    while end > 0 and data[end] & 0xC0 == 0x80:
        end -= 1
    return data[:end]


class Area:
    """The logs and custom data of the current run, in memory both processes map."""

    def __init__(self, buffer: mmap.mmap) -> None:
        self.buffer = buffer
        self.words = memoryview(buffer)[: HEADER_WORDS * 4].cast("I")

    def close(self) -> None:
        self.words.release()
        self.buffer.close()

    def reset(self) -> None:
        """Empty it for the next run (the parent's job, while the worker waits)."""
        self.words[0] = 0
        self.words[1] = 0

    def append_log(self, data: bytes) -> bool:
        used = self.words[0]
        start = LOG_OFFSET + used
        end = start + 4 + len(data)
        if end > LOG_OFFSET + LOG_CAPACITY:
            return False
        self.buffer[start : start + 4] = len(data).to_bytes(4, "little")
        self.buffer[start + 4 : end] = data
        self.words[0] = used + 4 + len(data)
        return True

    def set_custom_data(self, data: bytes) -> None:
        data = cut_utf8(data, MAX_CUSTOM_DATA_BYTES)
        slot = 2 if self.words[1] >> 16 == 1 else 1
        start = CUSTOM_OFFSET + (slot - 1) * MAX_CUSTOM_DATA_BYTES
        self.buffer[start : start + len(data)] = data
        self.words[1] = slot << 16 | len(data)

    def read(self) -> tuple[tuple[str, ...], str | None] | None:
        """The logs and the custom data; None when what is there does not hold together."""
        used = self.words[0]
        state = self.words[1]
        if used > LOG_CAPACITY:
            return None
        logs: list[str] = []
        total = 0
        position = LOG_OFFSET
        end = LOG_OFFSET + used
        while position < end:
            size = int.from_bytes(self.buffer[position : position + 4], "little")
            position += 4
            if position + size > end:
                return None
            logs.append(self.buffer[position : position + size].decode("utf-8", "replace"))
            total += size
            position += size
        if total > MAX_LOG_BYTES or len(logs) > MAX_LOG_ENTRIES:
            return None
        slot, size = state >> 16, state & 0xFFFF
        custom_data = None
        if slot in (1, 2) and size <= MAX_CUSTOM_DATA_BYTES:
            start = CUSTOM_OFFSET + (slot - 1) * MAX_CUSTOM_DATA_BYTES
            custom_data = self.buffer[start : start + size].decode("utf-8", "replace")
        elif state != 0:
            return None
        return tuple(logs), custom_data


# -- The worker's side -------------------------------------------------------------------------


class _Run:
    """One run's report, filled in by the prelude through the host callable."""

    def __init__(self, area: Area, sources: dict[str, str]) -> None:
        self.area = area
        self.sources = sources
        self.store: _Store | None = None
        self.lookup_seconds = 0.0
        """CPU time spent answering the code's KeyValueStore reads, off its compute time."""
        self.memory: Callable[[], bool] | None = None
        self.budget: Callable[[str, str], None] | None = None
        self.action: str | None = None
        self.error: str | None = None
        self.out_of_memory = False
        self.settled = False
        self.log_bytes_left = MAX_LOG_BYTES
        self.log_entries = 0
        self.logs_full = False

    def host(self, kind: str, text: str, encoded: bool = False) -> str | None:
        # The prelude cuts and cleans every string before it gets here; these checks only
        # keep the area's bounds whatever arrives.
        if encoded:
            text = _json_string(text)
        if kind[:4] == "kvs-":
            return self._kvs(kind, text)
        if kind == "source":
            if self.budget is not None:
                self.budget("load", text)
            return self.sources.get(text) if text != "prelude" else None
        if kind in ("limit", "loaded"):
            if self.budget is not None:
                self.budget(kind, text)
            return None
        if kind == "log":
            self._log(text)
        elif kind == "custom":
            self.area.set_custom_data(text.encode("utf-8", "replace"))
        elif kind == "decide":
            if self.action is None and text in ("allow", "deny"):
                self.action = text
        elif kind == "fail":
            if self.error is None:
                self.error = _cut_text(text, MAX_ERROR_BYTES)
                # Short of memory, QuickJS may throw null: see now whether that is why (the
                # memory may be free again once the run ends).
                self.out_of_memory = self.memory is not None and self.memory()
        elif kind == "settled":
            self.settled = True
        return None

    def _kvs(self, kind: str, key: str) -> str | None:
        # The lookup's Python time is cfmock's, not the code's: it stays off the compute time,
        # as it did when the keys were a JavaScript object the code read directly.
        started = time.thread_time()
        try:
            store = self.store
            if store is None:
                return None
            if kind == "kvs-meta":
                return store.meta()
            value = store.entries.get(key)
            if kind == "kvs-has":
                return "1" if value is not None else ""
            # As a JSON string literal in ASCII: a value may hold a NUL or a lone surrogate,
            # which the engine cannot take as a C string.
            return None if value is None else _encode_ascii(value)
        finally:
            self.lookup_seconds += time.thread_time() - started

    def _log(self, text: str) -> None:
        if self.logs_full:
            return
        if self.log_entries >= MAX_LOG_ENTRIES:
            self.logs_full = True
            return
        data = text.encode("utf-8", "replace")
        if len(data) > self.log_bytes_left:
            self.logs_full = True
            data = cut_utf8(data, self.log_bytes_left)
            if not data:
                return
        if self.area.append_log(data):
            self.log_bytes_left -= len(data)
            self.log_entries += 1


class _Store:
    """The worker's copy of one KeyValueStore, kept between runs."""

    def __init__(self, entries: dict[str, str], created: str, last_updated: str) -> None:
        self.entries = entries
        self.created = created
        self.last_updated = last_updated

    def meta(self) -> str:
        return (
            f'{{"creationDateTime":"{self.created}","lastUpdatedDateTime":'
            f'"{self.last_updated}","keyCount":{len(self.entries)}}}'
        )


class _Prepared:
    """A fresh context with the prelude evaluated, waiting for its one run.

    The run's own memory limit (``memory_limit``) counts only what the user's code allocates:
    the prelude asks for it (``limit``) once the run's input is in place, and the modules it
    loads on first use are taken off it (``load`` ... ``loaded``), as the runtime's, not the
    code's, memory.
    """

    def __init__(
        self, engine: Any, sources: dict[str, str], memory: int, stack: int, area: Area
    ) -> None:
        self.report = _Run(area, sources)
        self.context = engine.Context()
        self.context.set_memory_limit(memory)
        self.context.set_max_stack_size(stack)
        self.context.add_callable("__cfmock_host", self.report.host)
        self.control = self.context.eval(sources["prelude"])
        self.memory = memory
        self.limit = memory
        self.base = 0
        self.loading_from = 0

    def used(self) -> int:
        used: int = self.context.memory()["malloc_size"]
        return used

    def budget(self, step: str, text: str) -> None:
        """Applies the run's memory limit, and keeps modules loaded on first use off it."""
        if step == "limit":
            if text:
                self.base = self.used()
                self._set(self.base + int(text))
        elif step == "load":
            self.loading_from = self.used()
            self.context.set_memory_limit(self.memory)
        elif step == "loaded":
            grown = max(0, self.used() - self.loading_from)
            self.base += grown
            self._set(self.limit + grown)

    def _set(self, limit: int) -> None:
        self.limit = min(limit, self.memory)
        self.context.set_memory_limit(self.limit)

    def exhausted(self) -> bool:
        """Whether the run is using nearly all of its memory."""
        return self.limit - self.used() < (self.limit - self.base) * 0.1


class Worker:
    """Runs one request after another, each in a context prepared beforehand."""

    def __init__(
        self, engine: Any, sources: dict[str, str], memory: int, stack: int, area: Area
    ) -> None:
        self.engine = engine
        self.sources = sources
        self.memory = memory
        self.stack = stack
        self.area = area
        self.stores: dict[int, _Store] = {}

    def prepare(self) -> _Prepared:
        return _Prepared(self.engine, self.sources, self.memory, self.stack, self.area)

    def update_store(self, update: bytes) -> _Store | None:
        """Brings the copy of the run's store up to date (see the module's docstring)."""
        if not update:
            return None
        import json  # only once a store is used: the worker starts without it

        message = json.loads(update)
        for gone in message["drop"]:
            self.stores.pop(gone, None)
        changes: dict[str, str | None] = message["changes"]
        if message["whole"]:
            store = _Store({}, message["created"], message["lastUpdated"])
            self.stores[message["id"]] = store
        else:
            # A copy the parent believes is here and is not ends the worker (KeyError): it
            # cannot answer from keys it does not have.
            store = self.stores[message["id"]]
            store.created, store.last_updated = message["created"], message["lastUpdated"]
        entries = store.entries
        for key, value in changes.items():
            if value is None:
                entries.pop(key, None)
            else:
                entries[key] = value
        return store

    def run(self, prepared: _Prepared, request: bytes) -> bytes:
        length, update_length = LENGTHS.unpack_from(request, 1)
        start = 1 + LENGTHS.size
        script = request[start : start + length].decode("utf-8")
        start += length
        update = request[start : start + update_length]
        payload = request[start + update_length :].decode("utf-8")
        report = prepared.report
        report.store = self.update_store(update)
        report.memory = prepared.exhausted
        report.budget = prepared.budget
        context, control = prepared.context, prepared.control
        failures = (self.engine.JSException, self.engine.StackOverflow)
        error: str | None = None
        out_of_memory = False
        ran_short = False
        pending = False
        cpu = 0.0
        try:
            try:
                control("input", payload)
            except failures as failure:
                error, out_of_memory = _engine_error(str(failure)), prepared.exhausted()
            if error is None:
                started = time.thread_time()
                try:
                    context.eval(script)
                except failures as failure:
                    error, out_of_memory = _engine_error(str(failure)), prepared.exhausted()
                except Exception:
                    pass  # only the script's completion value failed to convert: it ran
                if error is None:
                    try:
                        pending = control("run") == "pending"
                        jobs = 0
                        while context.execute_pending_job():
                            jobs += 1
                            if jobs % JOBS_PER_MEMORY_CHECK == 0 and prepared.exhausted():
                                # A job that runs out of memory only rejects a promise that
                                # nobody may be waiting for: the run fails here and now.
                                ran_short = True
                                break
                    except failures as failure:
                        error = _engine_error(str(failure))
                        out_of_memory = out_of_memory or prepared.exhausted()
                cpu = max(0.0, time.thread_time() - started - report.lookup_seconds)
        finally:
            # The context holds the report: no cycle back to it.
            report.memory = report.budget = None
        if error is None and report.error is not None:
            error, out_of_memory = report.error, out_of_memory or report.out_of_memory
        if ran_short or (error is not None and (out_of_memory or prepared.exhausted())):
            # Short of memory, QuickJS may throw null or something odd: name the real cause.
            error = "InternalError: out of memory"
        flags = FLAG_PENDING if pending and not report.settled and error is None else 0
        action = ACTIONS.index(report.action)
        text = _cut_text(error or "", MAX_ERROR_BYTES).encode("utf-8", "replace")
        return ANSWER.pack(ANSWER_KIND, action, flags, cpu) + text


def _json_string(text: str) -> str:
    """The string a JSON string literal stands for (the prelude's way to send a NUL)."""
    try:
        import _json  # the C decoder alone, without importing json and re
    except ImportError:  # pragma: no cover - an interpreter without the C accelerator
        import json

        return str(json.loads(text))
    value, _ = _json.scanstring(text, 1)
    return str(value)


def _encode_ascii(value: str) -> str:
    """*value* as a JSON string literal in ASCII."""
    try:
        from _json import encode_basestring_ascii  # the C encoder alone, as for _json_string
    except ImportError:  # pragma: no cover - an interpreter without the C accelerator
        import json

        return json.dumps(value)
    encoded: str = encode_basestring_ascii(value)
    return encoded


def _engine_error(message: str) -> str:
    """The first line of an error the engine reported, as ``Name: message``."""
    line = message.strip().splitlines()[0] if message.strip() else ""
    if line.startswith("(Failed obtaining QuickJS error string"):
        # The binding could not turn the thrown value into a string (a Symbol, a Proxy, an
        # object whose toString throws): the same words as the prelude's describe().
        return "Error: the thrown value cannot be converted to a string"
    name, colon, _ = line.partition(": ")
    named = colon and name.isascii() and name.isalpha() and name.endswith("Error")
    return line if named else f"Error: {line}"


def _cut_text(text: str, limit: int) -> str:
    return cut_utf8(text.encode("utf-8", "replace"), limit).decode("utf-8", "replace")


def pack_texts(texts: dict[str, str]) -> bytes:
    """Names and texts as length-prefixed UTF-8, for :func:`unpack_texts`."""
    parts: list[bytes] = []
    for name, text in texts.items():
        for part in (name.encode("utf-8"), text.encode("utf-8")):
            parts.append(FRAME.pack(len(part)))
            parts.append(part)
    return b"".join(parts)


def unpack_texts(data: bytes) -> dict[str, str]:
    texts: list[str] = []
    position = 0
    while position < len(data):
        (size,) = FRAME.unpack_from(data, position)
        position += FRAME.size
        texts.append(data[position : position + size].decode("utf-8"))
        position += size
    return dict(zip(texts[::2], texts[1::2], strict=True))


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame from a blocking stream; None at its end."""
    head = stream.read(FRAME.size)
    if len(head) < FRAME.size:
        return None
    (size,) = FRAME.unpack(head)
    body = stream.read(size)
    return body if len(body) == size else None


def write_frame(fd: int, body: bytes) -> None:
    """Writes a frame to a blocking file descriptor."""
    view = memoryview(FRAME.pack(len(body)) + body)
    while view:
        view = view[os.write(fd, view) :]


def pack_run(script: str, payload: str, update: bytes = b"") -> bytes:
    """The ``R`` frame's body for one run of *script* against *payload* (the input JSON), with
    the store *update* (JSON, see the module's docstring)."""
    encoded = script.encode("utf-8")
    return b"".join(
        (RUN, LENGTHS.pack(len(encoded), len(update)), encoded, update, payload.encode("utf-8"))
    )


def main(argv: list[str], stdin: int = 0, stdout: int = 1) -> int:
    """Runs the worker; *argv* is ``[script, QUICKJS_DIR, AREA_FD]``.

    Frames come in on *stdin* and go out on *stdout*, as a script the process's own 0 and 1;
    both are left pointing to the null device.
    """
    sys.path.append(argv[1])
    import _quickjs  # the engine, from the directory the parent found it in

    _yield_on_wake()
    with os.fdopen(int(argv[2]), "r+b") as file:
        area = Area(mmap.mmap(file.fileno(), AREA_BYTES))
    # The protocol owns the pipes: *stdin* and *stdout* point to the null device instead, so
    # that nothing else can write into the answers.
    incoming = os.fdopen(os.dup(stdin), "rb")
    outgoing = os.dup(stdout)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, stdin)
    os.dup2(null, stdout)
    os.close(null)
    try:
        return serve(_quickjs, incoming, outgoing, area, _alarm())
    finally:
        incoming.close()
        os.close(outgoing)
        area.close()


def _yield_on_wake() -> None:
    """Asks the scheduler not to run the worker in the parent's place when a request wakes it.

    Without it, the parent's write of a request hands its CPU to the worker at once (a pipe
    wakes its reader that way), and the parent waits out the run and the next context's
    preparation before its write returns. A batch process gets the same share of the CPU;
    only its wakeups do not preempt (Linux; elsewhere nothing changes).
    """
    batch = getattr(os, "SCHED_BATCH", None)
    if batch is not None:
        try:  # noqa: SIM105 - contextlib is one more import for the worker's start
            os.sched_setscheduler(0, batch, os.sched_param(0))
        except OSError:  # pragma: no cover - a system that refuses it: the default policy
            pass


def _alarm() -> Callable[[int], object] | None:
    """``signal.alarm``, where there is one, for the backstop."""
    try:
        # signal's C half: signal.py itself imports enum, slow to load.
        alarm: Callable[[int], object] | None = getattr(__import__("_signal"), "alarm", None)
    except ImportError:  # pragma: no cover - not CPython
        import signal

        alarm = getattr(signal, "alarm", None)
    return alarm


def serve(
    engine: Any,
    incoming: BinaryIO,
    outgoing: int,
    area: Area,
    alarm: Callable[[int], object] | None,
) -> int:
    """Speaks the protocol until the parent is gone: 0 then, 2 when it did not start with ``I``.

    *engine* is ``_quickjs``; *alarm*, ``signal.alarm`` or None, arms the backstop of each run.
    """
    init = read_frame(incoming)
    if init is None or init[:1] != INIT:
        return 2
    memory, stack = LIMITS.unpack_from(init, 1)
    worker = Worker(engine, unpack_texts(init[1 + LIMITS.size :]), memory, stack, area)
    prepared: _Prepared | None = worker.prepare()
    write_frame(outgoing, HELLO)
    while True:
        request = read_frame(incoming)
        if request is None or request[:1] != RUN or prepared is None:
            return 0
        if alarm is not None:
            alarm(BACKSTOP_SECONDS)
        answer = worker.run(prepared, request)
        if alarm is not None:
            alarm(0)
        write_frame(outgoing, answer)
        prepared = None  # frees the used context before the next one is made
        prepared = worker.prepare()


if __name__ == "__main__":  # pragma: no cover - only as the worker's script (python -I -S -B)
    # No coverage tracer can start there; test_a_worker_exits_when_its_input_closes runs it.
    sys.exit(main(sys.argv))
