"""``cfmock server``'s requests per second against a standard-library server, in one run.

Run ``python benchmarks/server_throughput.py``. It asserts nothing (timing is for people, not
for the test suite) and stops by itself: every loop is bounded by a count of requests.

Both servers run on threads of this process on 127.0.0.1 with a free port:

* cfmock: :class:`~cfmock._fronts.server.MockServer` holding one connection function, measured
  three ways: as tests run it (``cfmock.server`` not logging INFO: no line), logging a record per
  answer as ``logging.basicConfig(format="%(asctime)s %(message)s")`` would on stderr, and
  writing the same line itself on its ``answer_log`` (stderr for ``cfmock server``); the lines
  go to a line-buffered stream that discards them;
* the reference: :class:`http.server.ThreadingHTTPServer` with a
  :class:`~http.server.BaseHTTPRequestHandler` speaking HTTP/1.1 with keep-alive
  (``TCP_NODELAY``, as cfmock) that answers every request with a canned body of the same size
  and the same header fields, and logs nothing.

The same :data:`CLIENTS` client threads load each: one keep-alive connection each, sending the
pre-built ``DescribeConnectionFunction`` request a botocore client sends (its ``User-Agent``,
``X-Amz-Date``, SigV4 ``Authorization`` with a ``Credential=`` access key, ...) and reading each
answer before sending the next. The servers take turns (in rotating order) for
:data:`ROUNDS` short rounds and the best round of each counts: on a busy machine, a round is
the more likely to be undisturbed the shorter it is. The goal (the project's issue 14) is a
ratio of at least 0.8.
"""

from __future__ import annotations

import contextlib
import http.server
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

CLIENTS = 4
"""Client threads, each with one keep-alive connection."""
REQUESTS = int(os.environ.get("CFMOCK_BENCH_SERVER_REQUESTS", "500"))
"""Requests each client sends per round."""
ROUNDS = int(os.environ.get("CFMOCK_BENCH_SERVER_ROUNDS", "12"))
"""Rounds per server; the best counts."""
GOAL = 0.8
"""cfmock's requests per second over the reference's, at least."""
CODE = b"function connectionHandler(connection) { connection.allow(); }"
CONFIG = {"Comment": "benchmark", "Runtime": "cloudfront-js-2.0"}
ACCESS_KEY = "AKIDBENCHMARK"
TIMEOUT = 30.0
"""The longest a client waits for an answer before the benchmark fails."""


def _botocore_request(url: str, function_id: str) -> bytes:
    """The bytes a botocore client sends for DescribeConnectionFunction to *url*."""
    import boto3
    from botocore.awsrequest import AWSResponse

    captured: list[bytes] = []

    def capture(request: Any, **_: Any) -> AWSResponse:
        host = url.split("://", 1)[1]
        lines = [
            f"{request.method} {request.url.split(host, 1)[1]} HTTP/1.1".encode(),
            f"Host: {host}".encode(),
            b"Accept-Encoding: identity",  # added by urllib3, as the Host field
        ]
        for name, value in request.headers.items():
            text = value if isinstance(value, bytes) else value.encode()
            lines.append(name.encode() + b": " + text)
        captured.append(b"\r\n".join(lines) + b"\r\n\r\n")
        raise _Captured

    client = boto3.session.Session().client(
        "cloudfront",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key="secret",
    )
    client.meta.events.register("before-send", capture)
    with contextlib.suppress(_Captured):
        client.describe_connection_function(Identifier=function_id)
    return captured[0]


class _Captured(Exception):
    pass


def _exchange(sock: socket.socket, request: bytes, buffer: bytearray) -> bytes:
    """Send *request* and read one whole answer (head and ``Content-Length`` body)."""
    sock.sendall(request)
    while True:
        end = buffer.find(b"\r\n\r\n")
        if end >= 0:
            break
        _receive(sock, buffer)
    head = bytes(buffer[: end + 4])
    start = head.lower().find(b"\r\ncontent-length:")
    length = int(head[start + 17 : head.index(b"\r\n", start + 2)]) if start >= 0 else 0
    while len(buffer) < end + 4 + length:
        _receive(sock, buffer)
    answer = bytes(buffer[: end + 4 + length])
    del buffer[: end + 4 + length]
    return answer


def _receive(sock: socket.socket, buffer: bytearray) -> None:
    data = sock.recv(65536)
    if not data:
        raise ConnectionError("the server closed the connection")
    buffer += data


def _load(address: tuple[str, int], request: bytes, requests: int) -> float:
    """Requests per second that :data:`CLIENTS` threads get from the server at *address*."""
    sockets = []
    for _ in range(CLIENTS):
        sock = socket.create_connection(address, timeout=TIMEOUT)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sockets.append(sock)
    start = threading.Barrier(CLIENTS + 1)
    failures: list[BaseException] = []

    def client(sock: socket.socket) -> None:
        buffer = bytearray()
        start.wait()
        try:
            for _ in range(requests):
                _exchange(sock, request, buffer)
        except BaseException as error:  # reported below, after the threads are joined
            failures.append(error)

    threads = [threading.Thread(target=client, args=(sock,), daemon=True) for sock in sockets]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    for sock in sockets:
        sock.close()
    if failures:
        raise RuntimeError(f"a client failed: {failures[0]!r}") from failures[0]
    return CLIENTS * requests / elapsed


def _reference_server(answer: bytes) -> http.server.ThreadingHTTPServer:
    """A standard-library server answering every GET with *answer*'s status, fields and body."""
    head, body = answer.split(b"\r\n\r\n", 1)
    status_line, *field_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ")[1])
    fields = [
        tuple(line.split(": ", 1))
        for line in field_lines
        if line.split(":", 1)[0].lower() not in ("server", "date", "content-length")
    ]

    class Canned(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self.send_response(status)
            for name, value in fields:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Canned)
    server.daemon_threads = True
    return server


def _serving(server: Any) -> Callable[[], None]:
    """Serve *server* on a thread; the function that stops it."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(5)

    return stop


def bench_server(requests: int = REQUESTS, rounds: int = ROUNDS) -> dict[str, float]:
    """Requests per second of cfmock's server, quiet and logging, of the reference, and the
    ratios of cfmock's to the reference's."""
    import boto3

    from cfmock._fronts.server import MockServer
    from cfmock._options import MockOptions

    logger = logging.getLogger("cfmock.server")
    level, propagate = logger.level, logger.propagate
    # Lines as `cfmock server` writes them, on stderr (line-buffered), here discarded: through
    # logging (logging.basicConfig(format="%(asctime)s %(message)s")) or on answer_log.
    discard = open(os.devnull, "w", buffering=1, encoding="utf-8")  # noqa: SIM115
    handler = logging.StreamHandler(discard)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    mock = MockServer("127.0.0.1", 0, MockOptions())
    stop_mock = _serving(mock)
    reference: http.server.ThreadingHTTPServer | None = None
    stop_reference: Callable[[], None] | None = None
    try:
        created = (
            boto3.session.Session()
            .client(
                "cloudfront",
                region_name="us-east-1",
                endpoint_url=mock.url,
                aws_access_key_id=ACCESS_KEY,
                aws_secret_access_key="secret",
            )
            .create_connection_function(
                Name="bench", ConnectionFunctionConfig=CONFIG, ConnectionFunctionCode=CODE
            )
        )
        function_id = created["ConnectionFunctionSummary"]["Id"]
        mock_address = ("127.0.0.1", int(mock.server_address[1]))
        request = _botocore_request(mock.url, str(function_id))
        with socket.create_connection(mock_address, timeout=TIMEOUT) as sock:
            answer = _exchange(sock, request, bytearray())
        if not answer.startswith(b"HTTP/1.1 200 "):
            raise RuntimeError(f"cfmock did not describe the function: {answer[:300]!r}")
        reference = _reference_server(answer)
        stop_reference = _serving(reference)
        reference_address = ("127.0.0.1", int(reference.server_address[1]))
        with socket.create_connection(reference_address, timeout=TIMEOUT) as sock:
            canned = _exchange(sock, request, bytearray())
        if canned.split(b"\r\n\r\n", 1)[1] != answer.split(b"\r\n\r\n", 1)[1]:
            raise RuntimeError("the reference's body differs from cfmock's")
        turns = [
            ("cfmock", mock_address, logging.WARNING, None),  # as in tests: nothing logged
            ("cfmock_logging", mock_address, logging.INFO, None),  # a log record per answer
            ("cfmock_answer_log", mock_address, logging.WARNING, discard),  # a line written
            ("stdlib", reference_address, logging.WARNING, None),
        ]
        results: dict[str, list[float]] = {name: [] for name, *_ in turns}
        for round_ in range(rounds):
            # Turns rotate who goes first, so that a drift in the machine's load is shared.
            for name, address, log_level, answer_log in turns[round_ % 4 :] + turns[: round_ % 4]:
                logger.setLevel(log_level)
                mock.answer_log = answer_log
                results[name].append(_load(address, request, requests))
    finally:
        if stop_reference is not None:
            stop_reference()
        stop_mock()
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
        discard.close()
    best = {name: max(rps) for name, rps in results.items()}
    return {
        "cfmock_rps": best["cfmock"],
        "cfmock_logging_rps": best["cfmock_logging"],
        "cfmock_answer_log_rps": best["cfmock_answer_log"],
        "stdlib_rps": best["stdlib"],
        "ratio": best["cfmock"] / best["stdlib"],
        "logging_ratio": best["cfmock_logging"] / best["stdlib"],
        "answer_log_ratio": best["cfmock_answer_log"] / best["stdlib"],
    }


def main() -> None:
    results = bench_server()
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'server, raw keep-alive describe, ' + str(CLIENTS) + ' threads':<52} {'req/s':>10}")
    print(f"{'  http.server, canned body, silent (reference)':<52} {results['stdlib_rps']:>10,.0f}")
    for label, rps, ratio in [
        ("cfmock server, as in tests (no log line)", "cfmock_rps", "ratio"),
        ("cfmock server, a log record per answer", "cfmock_logging_rps", "logging_ratio"),
        (
            "cfmock server, a line per answer on answer_log",
            "cfmock_answer_log_rps",
            "answer_log_ratio",
        ),
    ]:
        verdict = "meets" if results[ratio] >= GOAL else "misses"
        print(f"{'  ' + label:<52} {results[rps]:>10,.0f}")
        goal = f"    / reference (goal >= {GOAL}x)"
        print(f"{goal:<52} {results[ratio]:>9.2f}x  {verdict}")


if __name__ == "__main__":
    main()
