"""The worker processes that run connection functions, seen from cfmock's side.

A :class:`Pool` starts workers (``worker.py``) when runs need them, at most ``size`` of them,
and lends each to one run at a time; a thread that finds them all busy waits for one. A run
has a wall-clock deadline: the parent waits for the answer on the pipe with ``poll`` and, when
the deadline passes first, kills the worker (``SIGKILL``), reaps it and reports a timeout; the
next run starts a fresh worker. A worker that dies, or answers with anything but one
well-formed frame of at most ``MAX_ANSWER_BYTES``, is killed the same way and its run reported
as failed. Either way the logs and custom data the run wrote before it ended are read back
from the worker's area. Nothing here raises out of :meth:`Pool.execute` but
``BaseException`` (``KeyboardInterrupt``, say, after which the worker is killed too).

Workers exit by themselves when their standard input closes, and cfmock kills those left at
interpreter exit. A forked child forgets its parent's workers and starts its own.

Workers need ``poll()`` and file descriptors passed to a child (POSIX: Linux, macOS).
"""

from __future__ import annotations

import atexit
import datetime
import json
import math
import mmap
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cfmock._runtime.engine import KeyValueSource

from cfmock._runtime import worker as protocol

MAX_ANSWER_BYTES = 1024 * 1024
"""The most the parent reads for one answer; a longer one is a failed worker."""
STARTUP_LIMIT = 10.0
"""Seconds a new worker has to start and prepare its first context."""
SPARES = 2
"""Workers one thread alone keeps: one prepares its next context while the other runs."""
READY_AFTER = 0.002
"""Seconds a worker needs after a run to prepare the next context (about 1 ms)."""
WORKER_PATH = Path(__file__).with_name("worker.py")
STORES_PER_WORKER = 4
"""KeyValueStores a worker keeps between runs; the one unused longest goes first."""
SYNC_BYTES_PER_SECOND = 5_000_000
"""A run's deadline grows by a second for every this many bytes of store it must receive."""

ANSWERED, TIMED_OUT, FAILED, NOT_STARTED = "answered", "timed out", "failed", "not started"


@dataclass(frozen=True)
class Outcome:
    """What a worker reported for one run, or why it could not."""

    status: str
    action: str | None = None
    error: str = ""
    pending: bool = False
    cpu: float = 0.0
    logs: tuple[str, ...] = ()
    custom_data: str | None = None


class _Deadline(Exception):
    """The run's time is up."""


class _Broken(Exception):
    """The worker died, or said something that is not the protocol."""


class _Worker:
    """One worker process, its pipes and its area."""

    def __init__(self, sources: dict[str, str], memory: int, stack: int) -> None:
        command = _command()
        descriptor = _area_descriptor()
        try:
            os.ftruncate(descriptor, protocol.AREA_BYTES)
            area = protocol.Area(mmap.mmap(descriptor, protocol.AREA_BYTES))
            try:
                self.process = subprocess.Popen(
                    [*command, str(descriptor)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    pass_fds=(descriptor,),
                    env=_environment(),
                    start_new_session=True,
                )
            except BaseException:
                area.close()
                raise
        finally:
            os.close(descriptor)
        self.area: protocol.Area | None = area
        assert self.process.stdin is not None and self.process.stdout is not None
        self._streams = (self.process.stdin, self.process.stdout)
        self._to = self.process.stdin.fileno()
        self._from = self.process.stdout.fileno()
        os.set_blocking(self._to, False)
        os.set_blocking(self._from, False)
        self._writable = select.poll()
        self._writable.register(self._to, select.POLLOUT)
        self._readable = select.poll()
        self._readable.register(self._from, select.POLLIN)
        self.returned = time.monotonic()
        self.stores: OrderedDict[int, int] = OrderedDict()
        """The stores this worker holds: identity -> version, the one used last at the end."""
        self._started = False
        # The worker takes a few tens of milliseconds to start: its first run waits for its
        # hello, so a spare worker costs the thread that starts it nothing.
        self._startup_deadline = time.monotonic() + STARTUP_LIMIT
        init = protocol.INIT + protocol.LIMITS.pack(memory, stack) + protocol.pack_texts(sources)
        try:
            self._send(init, self._startup_deadline)
        except BaseException:
            self.close()
            raise

    def run(self, request: bytes, time_limit: float) -> Outcome:
        """Sends one run and waits for its answer until the deadline; never raises Exception."""
        assert self.area is not None
        if not self._started:
            try:
                if self._receive(self._startup_deadline) != protocol.HELLO:
                    raise _Broken("no hello")
            except (_Deadline, _Broken, OSError):
                self.stop()
                return Outcome(status=NOT_STARTED)
            self._started = True
        self.area.reset()
        deadline = time.monotonic() + time_limit
        try:
            self._send(request, deadline)
            answer = self._receive(deadline)
        except _Deadline:
            return self._lost(TIMED_OUT)
        except (_Broken, OSError):
            return self._lost(FAILED)
        written = self.area.read()
        if written is None or len(answer) < protocol.ANSWER.size:
            return self._lost(FAILED)
        kind, action, flags, cpu = protocol.ANSWER.unpack_from(answer)
        try:
            error = answer[protocol.ANSWER.size :].decode("utf-8")
        except UnicodeDecodeError:
            return self._lost(FAILED)
        valid = kind == protocol.ANSWER_KIND and action < len(protocol.ACTIONS)
        if not valid or not math.isfinite(cpu) or cpu < 0:
            return self._lost(FAILED)
        return Outcome(
            status=ANSWERED,
            action=protocol.ACTIONS[action],
            error=error,
            pending=bool(flags & protocol.FLAG_PENDING),
            cpu=cpu,
            logs=written[0],
            custom_data=written[1],
        )

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    def clean(self) -> bool:
        """Alive, started, and with nothing unasked for waiting on its pipe."""
        return self.alive and (not self._started or not self._readable.poll(0))

    def _lost(self, status: str) -> Outcome:
        # The run did not finish: stop the worker for good, then keep what it had written.
        self.stop()
        written = self.area.read() if self.area is not None else None
        logs, custom_data = written if written is not None else ((), None)
        return Outcome(status=status, logs=logs, custom_data=custom_data)

    def _send(self, body: bytes, deadline: float) -> None:
        view = memoryview(protocol.FRAME.pack(len(body)) + body)
        while view:
            try:
                view = view[os.write(self._to, view) :]
            except BlockingIOError:
                pass
            except BrokenPipeError as error:
                raise _Broken("the worker is gone") from error
            if view:
                self._wait(self._writable, deadline)

    def _receive(self, deadline: float) -> bytes:
        received = bytearray()
        size: int | None = None
        while size is None or len(received) < protocol.FRAME.size + size:
            self._wait(self._readable, deadline)
            try:
                chunk = os.read(self._from, 65536)
            except BlockingIOError:
                continue
            if not chunk:
                raise _Broken("the worker is gone")
            received += chunk
            if size is None and len(received) >= protocol.FRAME.size:
                (size,) = protocol.FRAME.unpack_from(received)
                if size > MAX_ANSWER_BYTES:
                    raise _Broken("the answer is too long")
        if len(received) != protocol.FRAME.size + size:
            raise _Broken("more than one answer")
        return bytes(received[protocol.FRAME.size :])

    @staticmethod
    def _wait(poller: select.poll, deadline: float) -> None:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Deadline
            if poller.poll(math.ceil(remaining * 1000)):
                return

    def kill(self) -> None:
        """Kills and reaps the process, leaving its pipes and area to :meth:`close`."""
        if self.process.returncode is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        """Kills the process and closes its pipes; the area stays readable."""
        self.kill()
        for stream in self._streams:
            stream.close()

    def close(self) -> None:
        self.stop()
        if self.area is not None:
            self.area.close()
            self.area = None

    def forget(self) -> None:
        """In a forked child: drop this copy of the parent's worker without touching it."""
        # The process is the parent's child, not ours: nothing here may wait for it.
        self.process.returncode = -1
        self.close()


class Pool:
    """At most *size* workers, each lent to one run at a time."""

    def __init__(
        self, sources: Callable[[], dict[str, str]], memory: int, stack: int, size: int
    ) -> None:
        self._sources = sources
        self._memory = memory
        self._stack = stack
        self._size = size
        self._available = threading.Condition()
        self._idle: list[_Worker] = []
        self._workers: set[_Worker] = set()
        self._count = 0
        _POOLS.add(self)

    def execute(
        self, script: str, payload: str, time_limit: float, store: KeyValueSource | None = None
    ) -> Outcome:
        """Runs *script* against *payload* (the input JSON) in a worker, with *store*'s keys."""
        try:
            worker = self._borrow()
        except Exception:
            return Outcome(status=NOT_STARTED)
        outcome: Outcome | None = None
        try:
            try:
                sync = _sync(worker, store)
                request = protocol.pack_run(script, payload, sync)
                outcome = worker.run(request, time_limit + len(sync) / SYNC_BYTES_PER_SECOND)
            except Exception:  # a bug here must not become an exception out of cfmock
                worker.stop()
                return Outcome(status=FAILED)
            return outcome
        finally:
            self._give_back(worker, healthy=outcome is not None and outcome.status == ANSWERED)

    def shutdown(self) -> None:
        """Kills every worker; runs in flight report a failure."""
        with self._available:
            idle, self._idle = self._idle, []
            workers = list(self._workers)
        for worker in workers:
            worker.kill()
        for worker in idle:
            self._retire(worker)

    @property
    def workers(self) -> int:
        """How many workers are alive or starting."""
        return self._count

    def _borrow(self) -> _Worker:
        broken: list[_Worker] = []
        with self._available:
            while True:
                while not self._idle and self._count >= self._size:
                    self._available.wait()
                worker = self._idle.pop(0) if self._idle else None
                if worker is None or worker.clean():
                    break
                # It died, or said something after its answer: it cannot be trusted again.
                broken.append(worker)
                self._workers.discard(worker)
                self._count -= 1
            # The worker idle longest is the likeliest to have its next context ready. When
            # even it came back just now, start another, to take the next run while this one
            # prepares.
            spare = worker is None or (
                time.monotonic() - worker.returned < READY_AFTER
                and self._count < min(SPARES, self._size)
            )
            if spare:
                self._count += 1
        for lost in broken:
            lost.close()
        if not spare:
            assert worker is not None
            return worker
        _watch_exit()
        try:
            started = _Worker(self._sources(), self._memory, self._stack)
        except BaseException:
            with self._available:
                self._count -= 1
                self._available.notify()
            if worker is None:
                raise
            return worker
        with self._available:
            self._workers.add(started)
            if worker is not None:
                self._idle.append(started)
        return worker if worker is not None else started

    def _give_back(self, worker: _Worker, healthy: bool) -> None:
        if healthy and worker.alive:
            worker.returned = time.monotonic()
            with self._available:
                self._idle.append(worker)
                self._available.notify()
        else:
            self._retire(worker)

    def _retire(self, worker: _Worker) -> None:
        worker.close()
        with self._available:
            if worker in self._workers:
                self._workers.discard(worker)
                self._count -= 1
            self._available.notify()

    def _forget(self) -> None:
        # After fork() in the child: the workers, and maybe the lock's holder, are the
        # parent's. Start over without touching them.
        for worker in list(self._workers):
            worker.forget()
        self._available = threading.Condition()
        self._idle = []
        self._workers = set()
        self._count = 0


def _sync(worker: _Worker, store: KeyValueSource | None) -> bytes:
    """What *worker* needs to hold *store* as it is now: the keys changed since the version it
    holds, or all of them; and the stores it should let go. Empty for a run without a store."""
    if store is None:
        return b""
    read = store.read(worker.stores.get(store.identity))
    worker.stores[store.identity] = read.version
    worker.stores.move_to_end(store.identity)
    drop = []
    while len(worker.stores) > STORES_PER_WORKER:
        drop.append(worker.stores.popitem(last=False)[0])
    message = {
        "id": store.identity,
        "whole": read.whole,
        "changes": read.changes,
        "created": _iso(read.created),
        "lastUpdated": _iso(read.last_updated),
        "drop": drop,
    }
    return json.dumps(message, separators=(",", ":")).encode()


def _iso(value: datetime.datetime) -> str:
    value = value.astimezone(datetime.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


_POOLS: weakref.WeakSet[Pool] = weakref.WeakSet()
_exit_watched = False
_exit_lock = threading.Lock()


def _watch_exit() -> None:
    global _exit_watched
    with _exit_lock:
        if not _exit_watched:
            atexit.register(_shutdown_all)
            _exit_watched = True


def _shutdown_all() -> None:
    for pool in list(_POOLS):
        pool.shutdown()


def _forget_all() -> None:
    for pool in list(_POOLS):
        pool._forget()


# Every POSIX Python has it; only Windows, which has no poll() either, lacks it.
if hasattr(os, "register_at_fork"):  # pragma: no branch - workers need POSIX (see above)
    os.register_at_fork(after_in_child=_forget_all)


def _command() -> list[str]:
    spec = find_spec("_quickjs")
    frozen = getattr(sys, "frozen", False)  # sys.executable is then the application itself
    if frozen or not sys.executable or spec is None or spec.origin is None:
        raise RuntimeError("the quickjs-ng engine or the Python interpreter cannot be found")
    # -I: no user site directory, no PYTHON* variables, not the script's directory on the path;
    # -S: no site-packages at all (the engine's directory is passed); -B: no .pyc files.
    return [sys.executable, "-I", "-S", "-B", str(WORKER_PATH), os.path.dirname(spec.origin)]


def _area_descriptor() -> int:
    create = getattr(os, "memfd_create", None)
    if create is not None:
        descriptor: int = create("cfmock-run-area", os.MFD_CLOEXEC)
        return descriptor
    descriptor, path = tempfile.mkstemp(prefix="cfmock-run-area-")
    os.unlink(path)
    return descriptor


def _environment() -> dict[str, str]:
    # Only what the interpreter itself may need to start; nothing of the user's configuration.
    keep = ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "SYSTEMROOT")
    return {name: os.environ[name] for name in keep if name in os.environ}
