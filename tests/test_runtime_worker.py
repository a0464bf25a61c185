"""The worker processes behind the runtime: deadlines, failures, the pool, and their lifetime.

No test here asserts how long something took: each checks what the run reported. Where a
process has to be gone, the test waits for it with a generous bound (far below the worker's own
30 s backstop), so a slow machine passes and a leak still fails.
"""

from __future__ import annotations

import datetime
import os
import select
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterator
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import Any

import pytest

from cfmock._runtime import engine, pool
from cfmock._runtime import worker as protocol
from cfmock._runtime.engine import (
    TIMEOUT_MESSAGE,
    WORKER_FAILED_MESSAGE,
    WORKER_START_MESSAGE,
    RunResult,
)

NOW = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)
ALLOW = "function connectionHandler(c) { c.allow(); }"
LOOP = "function connectionHandler(c) { while (true) {} }"


def execute(
    code: str,
    event: dict[str, object] | None = None,
    settings: engine.RunSettings | None = None,
) -> RunResult:
    return engine.run(code.encode(), {} if event is None else event, None, NOW, settings)


@pytest.fixture
def own_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[pool.Pool]:
    """A pool of this test's own, shut down at its end."""
    fresh = pool.Pool(engine.sources, engine.MEMORY_LIMIT, engine.STACK_LIMIT, engine.POOL_SIZE)
    monkeypatch.setattr(engine, "_POOL", fresh)
    yield fresh
    fresh.shutdown()


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


def _running(a_pool: pool.Pool) -> list[int]:
    """The workers whose run has logged something."""
    busy = set(a_pool._workers) - set(a_pool._idle)
    return [
        worker.process.pid
        for worker in busy
        if worker.area is not None and (worker.area.read() or ())[:1] != ((),)
    ]


# -- the wall-clock deadline ------------------------------------------------------------------


def test_an_endless_loop_is_stopped_and_the_next_run_is_normal(own_pool) -> None:
    looping = execute(LOOP)
    assert (looping.action, looping.error, looping.compute_utilization) == (
        "deny",
        TIMEOUT_MESSAGE,
        100,
    )
    assert execute(ALLOW).action == "allow"


def test_endless_loops_in_many_threads_all_time_out(own_pool) -> None:
    # More threads than workers: the extra ones wait for a worker, and every run still ends.
    results: dict[int, RunResult] = {}

    def work(index: int) -> None:
        results[index] = execute(LOOP if index else "while (true) {}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(engine.POOL_SIZE + 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {(r.action, r.error, r.compute_utilization) for r in results.values()} == {
        ("deny", TIMEOUT_MESSAGE, 100)
    }
    assert own_pool.workers <= engine.POOL_SIZE
    after = execute("function connectionHandler(c) { console.log('fine'); c.allow(); }")
    assert (after.action, after.logs, after.error) == ("allow", ("fine",), "")


def test_what_was_logged_before_the_deadline_is_kept(own_pool) -> None:
    result = execute(
        "function connectionHandler(c) {"
        " console.log('started'); c.logCustomData('first'); c.logCustomData('second');"
        " c.allow(); while (true) {} }"
    )
    assert (result.action, result.error) == ("deny", TIMEOUT_MESSAGE)
    assert (result.logs, result.custom_data) == (("started",), "second")


def test_a_slow_run_under_the_deadline_finishes(own_pool, monkeypatch) -> None:
    monkeypatch.setattr(engine, "TIME_LIMIT", 30.0)
    result = execute(
        "function connectionHandler(c) { let x = 0; for (let i = 0; i < 2e6; i++) x += i;"
        " c.allow(); }"
    )
    assert (result.action, result.error) == ("allow", "")


# -- isolation and reuse ----------------------------------------------------------------------


def test_each_run_gets_a_fresh_context_in_a_reused_worker(own_pool) -> None:
    for _ in range(5):
        result = execute(
            "console.log(typeof globalThis.mark + ' ' + typeof Object.prototype.mark);"
            "globalThis.mark = 1; Object.prototype.mark = 1; String.prototype.trim = null;"
            "function connectionHandler(c) { c.allow(); }"
        )
        assert (result.logs, result.action) == (("undefined undefined",), "allow")
    assert own_pool.workers <= pool.SPARES


def test_runs_from_several_threads_get_their_own_answers(own_pool) -> None:
    results: dict[int, RunResult] = {}

    def work(index: int) -> None:
        for round_ in range(10):
            results[index * 100 + round_] = execute(
                f"function connectionHandler(c) {{ console.log('{index}:{round_}');"
                f" c.logCustomData(c.tag); {'c.allow();' if index % 2 else ''} }}",
                {"tag": f"t{index}"},
            )

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for key, result in results.items():
        index, round_ = divmod(key, 100)
        assert result.logs == (f"{index}:{round_}",)
        assert result.custom_data == f"t{index}"
        assert result.action == ("allow" if index % 2 else "deny")


# -- failures of the worker itself ------------------------------------------------------------


def test_a_worker_killed_during_a_run_is_a_failed_run(own_pool, monkeypatch) -> None:
    monkeypatch.setattr(engine, "TIME_LIMIT", 60.0)
    results: list[RunResult] = []
    thread = threading.Thread(
        target=lambda: results.append(
            execute("function connectionHandler(c) { console.log('here'); while (true) {} }")
        )
    )
    thread.start()
    deadline = time.monotonic() + 30
    while not _running(own_pool) and time.monotonic() < deadline:
        time.sleep(0.01)
    for pid in _running(own_pool):
        os.kill(pid, 9)
    thread.join()
    (result,) = results
    assert (result.action, result.error, result.compute_utilization, result.logs) == (
        "deny",
        WORKER_FAILED_MESSAGE,
        100,
        ("here",),
    )
    assert execute(ALLOW).action == "allow"


FAKE_WORKER = textwrap.dedent(
    """
    import os, sys
    from cfmock._runtime import worker as protocol

    mode = sys.argv[1]
    incoming = os.fdopen(0, "rb")
    if mode == "dies-at-start":
        sys.exit(3)
    protocol.read_frame(incoming)
    if mode == "no-hello":
        sys.exit(0)
    if mode == "wrong-hello":
        protocol.write_frame(1, b"HELLO")
        protocol.read_frame(incoming)
        sys.exit(0)
    protocol.write_frame(1, protocol.HELLO)
    if mode == "hello-then-exit":
        sys.exit(0)
    protocol.read_frame(incoming)
    answer = protocol.ANSWER.pack(protocol.ANSWER_KIND, 1, 0, 0.001)
    if mode == "garbage":
        os.write(1, b"\\x05\\x00\\x00\\x00hello, world")
    elif mode == "too-long":
        os.write(1, protocol.FRAME.pack(64 * 1024 * 1024) + b"x" * 65536)
    elif mode == "two-answers":
        import time
        protocol.write_frame(1, answer)
        time.sleep(0.5)
        protocol.write_frame(1, answer)
    elif mode == "bad-action":
        protocol.write_frame(1, protocol.ANSWER.pack(protocol.ANSWER_KIND, 9, 0, 0.001))
    elif mode == "bad-utf8":
        protocol.write_frame(1, answer + b"\\xff")
    elif mode == "bad-area":
        import mmap
        area = protocol.Area(mmap.mmap(int(sys.argv[-1]), protocol.AREA_BYTES))
        area.words[0] = 1 << 30
        protocol.write_frame(1, answer)
    elif mode == "dies":
        sys.exit(1)
    elif mode == "allows":
        protocol.write_frame(1, answer)
        while protocol.read_frame(incoming):
            protocol.write_frame(1, answer)
    protocol.read_frame(incoming)
    """
)


@pytest.fixture
def fake_worker(tmp_path: Path, own_pool, monkeypatch):
    script = tmp_path / "fake_worker.py"
    script.write_text(FAKE_WORKER)

    def use(mode: str) -> None:
        monkeypatch.setattr(pool, "_command", lambda: [sys.executable, str(script), mode])

    return use


@pytest.mark.parametrize(
    "mode", ["garbage", "too-long", "bad-action", "bad-utf8", "bad-area", "dies"]
)
def test_a_worker_that_breaks_the_protocol_is_a_failed_run(fake_worker, own_pool, mode) -> None:
    fake_worker(mode)
    result = execute(ALLOW)
    assert (result.action, result.error, result.compute_utilization) == (
        "deny",
        WORKER_FAILED_MESSAGE,
        100,
    )
    assert own_pool.workers == 0  # it was killed and not kept


def test_the_fake_worker_speaks_the_protocol(fake_worker) -> None:
    fake_worker("allows")
    assert (execute(ALLOW).action, execute(ALLOW).error) == ("allow", "")


def test_a_worker_that_says_more_than_its_answer_is_not_used_again(fake_worker, own_pool) -> None:
    fake_worker("two-answers")
    assert execute(ALLOW).action == "allow"  # its first frame was a well-formed answer
    (first,) = own_pool._workers
    assert first._readable.poll(30_000)  # the second frame arrives
    fake_worker("allows")
    assert execute(ALLOW).action == "allow"  # from a new worker, not the second frame
    assert first not in own_pool._workers
    assert first.process.returncode is not None


@pytest.mark.parametrize("mode", ["dies-at-start", "no-hello", "wrong-hello"])
def test_a_worker_that_does_not_start_is_reported(fake_worker, own_pool, mode) -> None:
    fake_worker(mode)
    result = execute(ALLOW)
    assert (result.action, result.error) == ("deny", WORKER_START_MESSAGE)
    assert own_pool.workers == 0


def test_a_worker_that_cannot_be_started_is_reported(own_pool, monkeypatch) -> None:
    def missing() -> list[str]:
        raise RuntimeError("no engine")

    monkeypatch.setattr(pool, "_command", missing)
    result = execute(ALLOW)
    assert (result.action, result.error) == ("deny", WORKER_START_MESSAGE)
    assert own_pool.workers == 0


def test_a_hello_that_never_comes_is_a_start_failure(tmp_path, own_pool, monkeypatch) -> None:
    script = tmp_path / "silent.py"
    script.write_text("import sys\nsys.stdin.buffer.read()\n")
    monkeypatch.setattr(pool, "_command", lambda: [sys.executable, str(script)])
    monkeypatch.setattr(pool, "STARTUP_LIMIT", 0.5)
    assert execute(ALLOW).error == WORKER_START_MESSAGE


@pytest.fixture
def closed_workers(monkeypatch) -> list[pool._Worker]:
    """The workers closed during the test, in order (a worker that fails to start is never
    handed out, so this is the only way to see it)."""
    closed: list[pool._Worker] = []
    original = pool._Worker.close

    def close(self: pool._Worker) -> None:
        closed.append(self)
        original(self)

    monkeypatch.setattr(pool._Worker, "close", close)
    return closed


@pytest.fixture
def big_init_pool(monkeypatch) -> Iterator[pool.Pool]:
    """A pool whose init frame is far larger than any pipe's buffer."""
    sources = {**engine.sources(), "padding": "x" * (4 * 1024 * 1024)}
    fresh = pool.Pool(lambda: sources, engine.MEMORY_LIMIT, engine.STACK_LIMIT, engine.POOL_SIZE)
    monkeypatch.setattr(engine, "_POOL", fresh)
    yield fresh
    fresh.shutdown()


def test_a_process_that_cannot_be_spawned_leaves_nothing_open(
    tmp_path, own_pool, monkeypatch
) -> None:
    areas: list[protocol.Area] = []
    descriptors: list[tuple[int, os.stat_result]] = []

    class RecordedArea(protocol.Area):
        def __init__(self, buffer) -> None:
            super().__init__(buffer)
            areas.append(self)

    make_descriptor = pool._area_descriptor

    def recorded_descriptor() -> int:
        descriptor = make_descriptor()
        descriptors.append((descriptor, os.fstat(descriptor)))
        return descriptor

    monkeypatch.setattr(protocol, "Area", RecordedArea)
    monkeypatch.setattr(pool, "_area_descriptor", recorded_descriptor)
    monkeypatch.setattr(pool, "_command", lambda: [str(tmp_path / "no-such-interpreter")])
    result = execute(ALLOW)
    assert (result.action, result.error) == ("deny", WORKER_START_MESSAGE)
    assert own_pool.workers == 0
    ((area,), ((descriptor, before),)) = (areas, descriptors)
    assert area.buffer.closed
    try:
        after = os.fstat(descriptor)
    except OSError:
        pass  # closed
    else:  # closed, and the number taken again since by something else
        assert (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino)


def test_a_worker_gone_before_it_took_its_init_is_a_start_failure(
    fake_worker, big_init_pool, closed_workers
) -> None:
    fake_worker("dies-at-start")
    result = execute(ALLOW)
    assert (result.action, result.error) == ("deny", WORKER_START_MESSAGE)
    assert big_init_pool.workers == 0
    (closed,) = closed_workers
    assert closed.process.returncode is not None  # reaped, whether it had ended or not
    assert closed.area is None


def test_a_worker_that_does_not_take_its_init_in_time_is_killed(
    tmp_path, big_init_pool, closed_workers, monkeypatch
) -> None:
    script = tmp_path / "asleep.py"
    script.write_text("import time\ntime.sleep(120)\n")
    monkeypatch.setattr(pool, "_command", lambda: [sys.executable, str(script)])
    monkeypatch.setattr(pool, "STARTUP_LIMIT", 0.5)
    assert execute(ALLOW).error == WORKER_START_MESSAGE
    (closed,) = closed_workers
    assert closed.process.returncode == -signal.SIGKILL
    assert big_init_pool.workers == 0


def test_a_worker_gone_before_it_took_the_run_is_a_failed_run(fake_worker, own_pool) -> None:
    # The script is far larger than the pipe's buffer: the write meets the closed pipe.
    fake_worker("hello-then-exit")
    result = execute("// " + "x" * (4 * 1024 * 1024) + "\n" + ALLOW)
    assert (result.action, result.error) == ("deny", WORKER_FAILED_MESSAGE)
    assert own_pool.workers == 0


def test_a_script_larger_than_the_pipe_reaches_the_worker_whole(own_pool) -> None:
    padding = "x" * (4 * 1024 * 1024)
    # The 4 MiB string is the code's own: past CloudFront's 2 MB, within the engine's bound.
    result = execute(
        f"const padding = '{padding}';\n"
        "function connectionHandler(c) { console.log(String(padding.length)); c.allow(); }",
        settings=engine.RunSettings(memory_limit=None),
    )
    assert (result.action, result.error, result.logs) == ("allow", "", (str(len(padding)),))


def test_an_unexpected_failure_while_talking_to_a_worker_is_a_failed_run(
    own_pool, monkeypatch
) -> None:
    used: list[pool._Worker] = []

    def broken(self: pool._Worker, request: bytes, time_limit: float) -> pool.Outcome:
        used.append(self)
        raise RuntimeError("a bug in cfmock")

    monkeypatch.setattr(pool._Worker, "run", broken)
    result = execute(ALLOW)
    assert (result.action, result.error, result.compute_utilization) == (
        "deny",
        WORKER_FAILED_MESSAGE,
        100,
    )
    (worker,) = used
    assert worker.process.returncode is not None  # killed and reaped
    assert own_pool.workers == 0


def test_when_a_spare_cannot_start_the_idle_worker_takes_the_run(own_pool, monkeypatch) -> None:
    assert execute(ALLOW).action == "allow"
    (first,) = own_pool._workers
    # The idle worker always looks as if it came back just now: the pool tries to start a spare.
    monkeypatch.setattr(pool, "READY_AFTER", float("inf"))

    def missing() -> list[str]:
        raise RuntimeError("no engine")

    monkeypatch.setattr(pool, "_command", missing)
    result = execute("function connectionHandler(c) { console.log('idle one'); c.allow(); }")
    assert (result.action, result.error, result.logs) == ("allow", "", ("idle one",))
    assert (own_pool.workers, own_pool._workers) == (1, {first})


def test_a_worker_lent_out_when_the_pool_forgot_is_neither_kept_nor_counted(own_pool) -> None:
    # As in a forked child whose parent had a run in flight: the run's worker comes back to a
    # pool that no longer knows it.
    execute(ALLOW)
    lent = own_pool._borrow()
    inherited = list(own_pool._workers)
    own_pool._forget()
    own_pool._give_back(lent, healthy=True)
    assert (own_pool.workers, own_pool._idle, own_pool._workers) == (0, [], set())
    assert lent.area is None
    for worker in inherited:  # here the "parent's" workers are ours: their input closed, reap
        os.waitpid(worker.process.pid, 0)
    assert execute(ALLOW).action == "allow"
    assert own_pool.workers == 1


def test_after_a_fork_every_pool_forgets_its_workers(own_pool, monkeypatch) -> None:
    execute(ALLOW)
    inherited = list(own_pool._workers)
    monkeypatch.setattr(pool, "_POOLS", weakref.WeakSet([own_pool]))
    pool._forget_all()
    assert own_pool.workers == 0
    assert [worker.process.returncode for worker in inherited] == [-1] * len(inherited)
    for worker in inherited:
        os.waitpid(worker.process.pid, 0)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork()")
def test_a_forked_child_does_not_inherit_the_workers(own_pool) -> None:
    execute(ALLOW)
    (worker,) = own_pool._workers
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads, 3.12+
        child = os.fork()
    if child == 0:  # the forked child: it reports what it sees and ends with os._exit
        try:
            found = (own_pool.workers, len(own_pool._idle), worker.process.returncode)
            os.write(write, repr(found).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        seen = answer.read()
    assert os.waitpid(child, 0)[1] == 0
    assert seen == b"(0, 0, -1)"
    # The parent's worker is untouched by the child's forgetting, and still answers.
    assert worker.alive
    assert execute(ALLOW).action == "allow"
    assert own_pool._workers == {worker}


@pytest.mark.parametrize("missing", ["frozen", "executable", "engine", "engine's file"])
def test_no_worker_without_an_interpreter_and_the_engine(own_pool, monkeypatch, missing) -> None:
    if missing == "frozen":
        monkeypatch.setattr(sys, "frozen", True, raising=False)
    elif missing == "executable":
        monkeypatch.setattr(sys, "executable", "")
    elif missing == "engine":
        monkeypatch.setattr(pool, "find_spec", lambda name: None)
    else:
        monkeypatch.setattr(pool, "find_spec", lambda name: ModuleSpec(name, None))
    with pytest.raises(RuntimeError, match="cannot be found"):
        pool._command()
    assert execute(ALLOW).error == WORKER_START_MESSAGE
    assert own_pool.workers == 0


def test_without_memfd_create_the_area_is_a_nameless_temporary_file(own_pool, monkeypatch) -> None:
    monkeypatch.delattr(os, "memfd_create", raising=False)
    descriptor = pool._area_descriptor()
    try:
        assert os.fstat(descriptor).st_nlink == 0
    finally:
        os.close(descriptor)
    result = execute(
        "function connectionHandler(c) { console.log('kept'); c.logCustomData('d'); c.allow(); }"
    )
    assert (result.action, result.logs, result.custom_data) == ("allow", ("kept",), "d")


class _Ready:
    """A poller that does the next of its steps, then says "ready", whatever the pipe holds."""

    def __init__(self, *steps: Callable[[], object]) -> None:
        self.steps = list(steps)

    def poll(self, timeout: int | None = None) -> list[tuple[int, int]]:
        if self.steps:
            self.steps.pop(0)()
        return [(0, select.POLLIN)]


def test_an_answer_in_pieces_after_a_false_alarm_is_read_whole() -> None:
    read, write = os.pipe()
    os.set_blocking(read, False)
    frame = protocol.FRAME.pack(5) + b"hello"
    poller = _Ready(
        lambda: None,  # nothing to read yet
        lambda: os.write(write, frame[:2]),  # not even the whole length
        lambda: os.write(write, frame[2:]),
    )
    receiver: Any = object.__new__(pool._Worker)
    receiver._from, receiver._readable = read, poller
    try:
        assert receiver._receive(time.monotonic() + 60) == b"hello"
        assert poller.steps == []
    finally:
        os.close(read)
        os.close(write)


def test_a_request_waits_out_a_full_pipe_and_a_false_alarm() -> None:
    read, write = os.pipe()
    os.set_blocking(read, False)
    os.set_blocking(write, False)
    filler = 0
    try:
        while True:
            filler += os.write(write, b"f" * 4096)
    except BlockingIOError:
        pass  # the pipe is full: the request's first write cannot go
    drained = bytearray()

    def drain() -> None:
        try:
            while chunk := os.read(read, 65536):
                drained.extend(chunk)
        except BlockingIOError:
            pass

    poller = _Ready(lambda: None, drain)  # a false alarm first, then room
    sender: Any = object.__new__(pool._Worker)
    sender._to, sender._writable = write, poller
    try:
        sender._send(b"hello", time.monotonic() + 60)
        drain()
        assert poller.steps == []
        assert bytes(drained) == b"f" * filler + protocol.FRAME.pack(5) + b"hello"
    finally:
        os.close(read)
        os.close(write)


def test_a_run_no_parent_stops_ends_at_the_backstop(tmp_path, own_pool, monkeypatch) -> None:
    # The real worker with a 1 s backstop, and a parent that would wait a minute.
    script = tmp_path / "short_backstop.py"
    script.write_text(
        "import sys\n"
        "from cfmock._runtime import worker\n"
        "worker.BACKSTOP_SECONDS = 1\n"
        "sys.exit(worker.main(sys.argv))\n"
    )
    command = pool._command()
    monkeypatch.setattr(pool, "_command", lambda: [sys.executable, str(script), command[-1]])
    monkeypatch.setattr(engine, "TIME_LIMIT", 60.0)
    assert execute(ALLOW).action == "allow"
    result = execute("function connectionHandler(c) { console.log('looping'); while (true) {} }")
    assert (result.error, result.logs) == (WORKER_FAILED_MESSAGE, ("looping",))


# -- the worker process ---------------------------------------------------------------------


def test_the_worker_starts_isolated(own_pool) -> None:
    execute(ALLOW)
    (worker,) = own_pool._workers
    arguments = worker.process.args
    assert isinstance(arguments, list)
    assert arguments[:5] == [sys.executable, "-I", "-S", "-B", str(pool.WORKER_PATH)]
    if sys.platform.startswith("linux"):
        environment = Path(f"/proc/{worker.process.pid}/environ").read_bytes()
        names = {entry.split(b"=")[0] for entry in environment.split(b"\0") if entry}
        assert names <= {b"LD_LIBRARY_PATH"}


def test_a_worker_exits_when_its_input_closes(own_pool) -> None:
    execute(ALLOW)
    (worker,) = own_pool._workers
    assert worker.process.stdin is not None
    worker.process.stdin.close()
    assert worker.process.wait(timeout=30) == 0


def test_a_forked_child_forgets_the_parents_workers(own_pool) -> None:
    # What os.register_at_fork runs in a child, called here without forking: the workers are
    # dropped without being signalled, and the next run starts a worker of its own.
    execute(ALLOW)
    (inherited,) = own_pool._workers
    own_pool._forget()
    assert own_pool.workers == 0
    assert inherited.process.returncode == -1
    assert execute(ALLOW).action == "allow"
    assert inherited not in own_pool._workers
    # Here the "parent's" worker is ours after all: its input closed, it ends; reap it.
    os.waitpid(inherited.process.pid, 0)


def test_workers_are_killed_when_the_interpreter_exits(tmp_path) -> None:
    # The child leaves a worker looping (a 60 s limit) and exits; the worker must not outlive it.
    child = textwrap.dedent(
        """
        import datetime, threading, time
        from cfmock._runtime import engine
        engine.TIME_LIMIT = 60.0
        now = datetime.datetime.now(datetime.timezone.utc)
        code = b"function connectionHandler(c) { while (true) {} }"
        threading.Thread(target=engine.run, args=(code, {}, None, now), daemon=True).start()
        while not engine._POOL._workers:
            time.sleep(0.01)
        time.sleep(0.3)
        print(*[w.process.pid for w in engine._POOL._workers], flush=True)
        """
    )
    finished = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=60, check=True
    )
    pids = [int(pid) for pid in finished.stdout.split()]
    assert pids
    assert all(_gone(pid) for pid in pids)


# -- the area and the framing ---------------------------------------------------------------


def test_the_area_keeps_whole_entries_and_the_last_custom_data() -> None:
    import mmap

    area = protocol.Area(mmap.mmap(-1, protocol.AREA_BYTES))
    try:
        area.reset()
        assert area.read() == ((), None)
        assert area.append_log("é".encode())
        area.set_custom_data(b"one")
        area.set_custom_data(("ü" * 500).encode())
        logs, custom_data = area.read() or ((), None)
        assert logs == ("é",)
        assert custom_data == "ü" * 400
        area.words[1] = 3 << 16
        assert area.read() is None
    finally:
        area.close()


def test_texts_round_trip() -> None:
    texts = {"prelude": "a\0b", "crypto-factory": "é" * 3}
    assert protocol.unpack_texts(protocol.pack_texts(texts)) == texts


@pytest.mark.parametrize(
    ("data", "limit", "expected"),
    [
        ("abc", 5, "abc"),
        ("abc", 2, "ab"),
        ("aé", 2, "a"),
        ("€€", 5, "€"),
        ("😀", 3, ""),
    ],
)
def test_cut_utf8_keeps_whole_characters(data, limit, expected) -> None:
    assert protocol.cut_utf8(data.encode(), limit).decode() == expected
