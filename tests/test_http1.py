"""The HTTP/1.1 side of ``cfmock server`` (``_fronts/http1.py``): what ends a connection.

Each test drives a real server over a socket. A server that records when it lets a connection
go (:class:`ClosingServer`) shows which of the limits ended it; the waits are bounds on
something that must happen, never measurements.
"""

from __future__ import annotations

import datetime
import io
import json
import logging
import socket
import struct
import threading
from typing import Any

import h11
import pytest

from cfmock._fronts import http1
from cfmock._fronts.server import MockServer
from cfmock._wire.http import HttpResponse
from tests.scaffolding import CODE, config
from tests.test_server import CHUNKED, LIST, POST, Raw, client_for, refused, request, running

WAIT = 10.0
"""The longest a test waits for the server to do what it must (it takes milliseconds)."""

OVERSIZE = request(POST + b"\nContent-Length: 1048577")
"""A request the server refuses from its head alone, with a body it never reads."""
STATE = request(b"GET /_cfmock/state HTTP/1.1\nHost: a")


class ClosingServer(MockServer):
    """Records each connection the server has finished with (closed on its side)."""

    def __init__(self, read_timeout: float = http1.READ_TIMEOUT_SECONDS) -> None:
        super().__init__("127.0.0.1", 0, read_timeout=read_timeout)
        self.closed = threading.Event()

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        self.closed.set()


def refusal_then_silence(mock: ClosingServer) -> None:
    """Send a refused request, read its answer, and stay connected without a word."""
    with Raw(mock) as raw:
        answer = raw.send(OVERSIZE).answer()
        assert answer.error() == refused(
            "The request body is 1048577 bytes; cfmock accepts at most 1048576."
        )
        assert raw.rest() == b""  # the server's side is shut; the client's is still open
        assert mock.closed.wait(WAIT), "the server is still holding the connection"


def test_a_silent_client_is_let_go_after_the_read_timeout_while_the_server_lingers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(http1, "LINGER_SECONDS", 600.0)
    with running(ClosingServer(read_timeout=0.2)) as mock:
        refusal_then_silence(mock)


def test_without_linger_time_the_connection_closes_right_after_the_refusal(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cfmock.server")
    monkeypatch.setattr(http1, "LINGER_SECONDS", 0.0)
    with running(ClosingServer()) as mock:  # a read would wait 30 s for the silent client
        refusal_then_silence(mock)
    assert [r.getMessage() for r in caplog.records if r.levelno > logging.INFO] == []


def test_after_a_refusal_the_server_discards_at_most_linger_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(http1, "LINGER_SECONDS", 600.0)
    monkeypatch.setattr(http1, "LINGER_BYTES", 100_000)
    junk = b"x" * 65536
    sent = 0
    with running(ClosingServer()) as mock, Raw(mock) as raw:
        assert raw.send(OVERSIZE).answer().status == 400
        # The server reads and drops what follows, then closes with bytes unread: a reset.
        with pytest.raises((ConnectionResetError, BrokenPipeError)):
            while sent < 64 * 1024 * 1024:
                raw.socket.sendall(junk)
                sent += len(junk)
        assert mock.closed.wait(WAIT)
    assert sent >= 100_000 - len(OVERSIZE)


@pytest.mark.parametrize(
    "body",
    [
        b"1;" + b"x" * 200_000 + b"\r\na\r\n0\r\n\r\n",
        b"0\r\nX-Trailer: " + b"x" * 200_000 + b"\r\n\r\n",
    ],
    ids=["chunk header", "trailer fields"],
)
def test_a_chunk_header_or_trailer_over_the_head_limit_is_refused(body: bytes) -> None:
    with running(ClosingServer()) as mock, Raw(mock) as raw:
        answer = raw.send(request(CHUNKED, body)).answer()
        assert answer.error() == refused(
            "A chunk header or the trailer fields of the request are over 65536 bytes; cfmock "
            "accepts at most 65536."
        )
        assert answer.headers["connection"] == "close"
        assert list(mock.dispatcher.calls) == []


def test_a_refused_head_that_arrived_in_pieces_is_logged_by_its_request_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="cfmock.server")
    target = b"/" + b"t" * 299
    head = b"GET " + target + b" HTTP/1.1\r\nHost: a\r\n"
    with running(ClosingServer()) as mock, Raw(mock) as raw:
        # The first 300 bytes of the second head arrive with the first request, the rest after
        # its answer: the head is read in two pieces, the first over the 256 bytes logged.
        assert raw.send(LIST + head[:300]).answer().status == 200
        answer = raw.send(head[300:] + b"Bad Header\r\n\r\n").answer()
        assert answer.error() == refused(
            "The request is not valid HTTP/1.1: illegal header line: b'Bad Header'."
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "cfmock.server"]
    assert lines == [
        "POST /2020-05-31/connection-functions -> 200 ListConnectionFunctions",
        f"GET {target[:100].decode()}... -> 400 - InvalidArgument",
    ]


def test_a_connection_reset_by_the_client_ends_quietly(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="cfmock.server")
    with running(ClosingServer()) as mock:
        with Raw(mock) as raw:
            assert raw.send(LIST).answer().status == 200
            raw.send(b"POST /2020-05-31/connection-functions HTTP/1.1\r\nHo")
            # Close with SO_LINGER 0: the kernel sends a reset instead of an orderly close.
            raw.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        assert mock.closed.wait(WAIT)
        with Raw(mock) as raw:
            assert raw.send(LIST).answer().status == 200
    [ended] = [r for r in caplog.records if r.getMessage().startswith("connection from")]
    assert ended.levelno == logging.DEBUG
    assert isinstance(ended.args, tuple) and isinstance(ended.args[1], ConnectionResetError)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize(
    ("broken_part", "sent"),
    [
        ("printable", LIST),  # a plain request, read without h11
        ("_check_head", request(b"POST /2020-05-31/connection-functions HTTP/1.0")),  # with h11
    ],
    ids=["plain", "h11"],
)
def test_a_cfmock_bug_outside_the_dispatch_ends_the_connection_and_is_logged(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    broken_part: str,
    sent: bytes,
) -> None:
    caplog.set_level(logging.INFO, logger="cfmock.server")

    def broken(*args: Any) -> None:
        raise RuntimeError("a cfmock bug")

    with running(ClosingServer()) as mock:
        with monkeypatch.context() as patch:
            patch.setattr(http1, broken_part, broken)
            with Raw(mock) as raw:
                assert raw.send(sent).rest() == b""  # no answer: the handler itself failed
            assert mock.closed.wait(WAIT)
        with Raw(mock) as raw:
            assert raw.send(LIST).answer().status == 200  # the server goes on serving
    [bug] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert bug.getMessage().startswith("cfmock bug on the connection from ('127.0.0.1', ")
    assert bug.getMessage().endswith(
        "; please report it at https://github.com/cfmock/cfmock/issues"
    )
    assert bug.exc_info is not None and isinstance(bug.exc_info[1], RuntimeError)


def test_state_without_an_argument_summarises_the_current_dispatcher() -> None:
    with running(ClosingServer()) as mock:
        created = client_for(mock).create_connection_function(
            Name="stated", ConnectionFunctionConfig=config(), ConnectionFunctionCode=CODE
        )
        with Raw(mock) as raw:
            served = json.loads(raw.send(STATE).answer().body)
        assert mock.state() == served
        [function] = served["accounts"]["123456789012"]["connectionFunctions"]
        assert (function["id"], function["etag"]) == (
            created["ConnectionFunctionSummary"]["Id"],
            created["ETag"],
        )
        mock.reset()
        assert mock.state() == {
            "accounts": {},
            "calls": 0,
            "runtimeProfile": "faithful",
            "runs": [],
            "connections": [],
            "edge": None,
        }


def test_a_refused_data_plane_request_gets_the_data_plane_s_error_document() -> None:
    head = b"PUT /key-value-stores/arn/keys/k HTTP/1.1\nHost: a\nContent-Length: 1048577"
    with running(ClosingServer()) as mock, Raw(mock) as raw:
        answer = raw.send(request(head)).answer()
        assert answer.error() == (
            400,
            "ValidationException",
            "The request body is 1048577 bytes; cfmock accepts at most 1048576.",
        )
        assert (answer.headers["content-type"], answer.headers["connection"]) == (
            "application/json",
            "close",
        )


def test_a_long_reason_from_h11_is_cut_in_the_message() -> None:
    with running(ClosingServer()) as mock, Raw(mock) as raw:
        answer = raw.send(request(b"GET /" + b"a" * 300 + b" HTTP/9\nHost: a")).answer()
    reason = "illegal request line: b'GET /" + "a" * 300
    assert answer.error() == refused(f"The request is not valid HTTP/1.1: {reason[:200]}....")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b"POST /2020-05-31/connection-functions HTTP/1.1\r\nHo",
            "peer unexpectedly closed connection",
        ),
        (
            request(POST + b"\nContent-Length: 10", b"<Cre"),
            "peer closed connection without sending complete message body (received 4 bytes, "
            "expected 10)",
        ),
    ],
    ids=["in the head", "in the body"],
)
def test_a_client_that_stops_sending_mid_request_is_answered_then_let_go(
    data: bytes, reason: str
) -> None:
    with running(ClosingServer()) as mock, Raw(mock) as raw:
        raw.send(data).socket.shutdown(socket.SHUT_WR)
        answer = raw.answer()
        assert answer.error() == refused(f"The request is not valid HTTP/1.1: {reason}.")
        assert raw.rest() == b""
        assert mock.closed.wait(WAIT)
        assert list(mock.dispatcher.calls) == []


def test_a_cfmock_bug_answering_a_request_read_with_h11_is_a_500(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any) -> None:
        raise ZeroDivisionError("division by zero")

    with running(ClosingServer()) as mock:
        monkeypatch.setattr(mock.dispatcher, "dispatch", broken)
        with Raw(mock) as raw:  # HTTP/1.0 is never plain: h11 reads it
            raw.send(request(b"POST /2020-05-31/connection-functions HTTP/1.0"))
            status, code, message = raw.answer().error()
            assert (status, code) == (500, "InternalFailure")
            assert "(ZeroDivisionError)" in message
            assert raw.rest() == b""  # HTTP/1.0: closed after the answer
    [bug] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert bug.getMessage() == "cfmock bug while answering POST /2020-05-31/connection-functions"


@pytest.mark.parametrize(
    ("headers", "stays_open"),
    [({"Connection": "close"}, False), ({"content-length": "1"}, True), ({"Host": "a"}, True)],
    ids=["connection", "content-length", "host"],
)
def test_an_answer_with_fields_h11_manages_is_written_by_h11(
    monkeypatch: pytest.MonkeyPatch, headers: dict[str, str], stays_open: bool
) -> None:
    """A plain request whose answer carries framing or connection fields: h11 writes it, and
    with ``Connection: close`` ends the connection after it, pipelined requests unanswered."""

    def answer(*args: Any) -> HttpResponse:
        return HttpResponse(200, headers, b"x", operation="ListConnectionFunctions")

    with running(ClosingServer()) as mock:
        monkeypatch.setattr(mock.dispatcher, "dispatch", answer)
        with Raw(mock) as raw:
            answer_ = raw.send(LIST + LIST).answer()
            assert (answer_.status, answer_.body) == (200, b"x")
            if stays_open:
                assert raw.answer().body == b"x"  # the pipelined request, answered too
                assert raw.send(LIST).answer().body == b"x"
            else:
                assert answer_.headers["connection"] == "close"
                assert raw.rest() == b""


def test_a_plain_request_sent_in_pieces_is_read_with_h11(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain: list[bool] = []
    looked = threading.Event()
    real = http1._plain_request

    def counted(received: bytearray) -> Any:
        found = real(received)
        plain.append(found is not None)
        looked.set()
        return found

    monkeypatch.setattr(http1, "_plain_request", counted)
    body = b'{"Value": "v"}'
    head = request(b"POST /_cfmock/x HTTP/1.1\nHost: a\nContent-Length: %d" % len(body))
    with running(ClosingServer()) as mock, Raw(mock) as raw:
        raw.send(head)
        assert looked.wait(WAIT)  # the server has read the head alone
        raw.send(body)
        assert raw.answer().status == 404
        raw.send(head + body)
        assert raw.answer().status == 404
    assert plain == [False, True]  # h11 read the body of the first; the second was whole


def test_the_answer_log_gets_the_lines_logging_would_write(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="cfmock.server")
    sent = [LIST, request(b"GET /_cfmock/nothing HTTP/1.0"), request(b"GET / HTTP/1.1\nHost: a b")]
    with running(ClosingServer()) as mock:
        for data in sent:  # logged
            with Raw(mock) as raw:
                raw.send(data).answer()
        logged = [r.getMessage() for r in caplog.records if r.name == "cfmock.server"]
        caplog.clear()
        mock.answer_log = io.StringIO()
        for data in sent:  # written
            with Raw(mock) as raw:
                raw.send(data).answer()
        written = mock.answer_log.getvalue().splitlines()
    assert [r for r in caplog.records if r.name == "cfmock.server"] == []
    assert logged == [
        "POST /2020-05-31/connection-functions -> 200 ListConnectionFunctions",
        "GET /_cfmock/nothing -> 404 control NotFound",
        "GET / -> 400 - InvalidArgument",
    ]
    assert [line[24:] for line in written] == logged
    for line in written:  # %(asctime)s: local time with milliseconds
        datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
        assert line[23] == " "


def test_an_answer_log_that_cannot_be_written_loses_the_line_only() -> None:
    closed = io.StringIO()
    closed.close()
    with running(ClosingServer()) as mock:
        mock.answer_log = closed
        with Raw(mock) as raw:
            assert raw.send(LIST).answer().status == 200
            assert raw.send(LIST).answer().status == 200  # the connection goes on


@pytest.mark.parametrize(
    ("name", "value"),
    [("X-A", v) for v in ["", "a", "a b", "a\tb", "\x01", "\x7f", "é", "a  b"]]
    + [("X-A", v) for v in [" a", "a ", "\ta", "a\t", "a\x00b", "a\x0bb", "a\x0cb", "a\rb"]]
    + [("X-A", "a\nb"), ("X A", "a"), ("", "a"), ("X:A", "a"), ("Ä", "a")]
    + [(n, "1") for n in ["Content-Length", "transfer-encoding", "CONNECTION", "Host"]],
)
def test_a_plain_answer_is_what_h11_writes_or_none(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    """Written without h11 exactly when h11 would write it as it is, and in the same bytes."""
    monkeypatch.setattr(http1, "_date", lambda: b"Mon, 30 Nov 2026 14:00:00 GMT")
    response = HttpResponse(200, {"x-amz-request-id": "r", name: value}, b"<x/>")
    plain = http1._plain_response(response)
    try:
        head = http1._response_head(response, close=False)
    except h11.LocalProtocolError:
        assert plain is None
        return
    connection = h11.Connection(h11.SERVER)
    connection.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert isinstance(connection.next_event(), h11.Request)
    written = connection.send(head) + connection.send(h11.Data(data=response.body))
    written += connection.send(h11.EndOfMessage())
    if name.lower() in ("content-length", "transfer-encoding", "connection", "host"):
        assert plain is None  # h11 manages these fields: it writes the answer
    else:
        assert plain == written
