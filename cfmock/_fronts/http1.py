"""HTTP/1.1 for ``cfmock server``: connections read with h11, requests framed, answers written.

:class:`Http1Server` is a threaded TCP server (one daemon thread per connection, HTTP/1.1
keep-alive, ``TCP_NODELAY``) whose connections are parsed by h11, a strict HTTP/1.1 parser;
it hands each request to :meth:`Http1Server.answer` (:class:`~cfmock._fronts.server.MockServer`
dispatches it) and writes the answer back. h11 is pure Python, and reading and writing through
it cost more than answering: a request that arrives whole and plain (:func:`_plain_request`, a
strict subset of what h11 accepts, which is what SDKs send) is read and answered without h11,
in the same bytes h11 would write (the tests compare the two paths).

What the server accepts, and its limits (module constants):

* A request head (request line and header fields) of at most :data:`MAX_HEAD_BYTES` (64 KiB)
  with at most :data:`MAX_HEADERS` (100) fields, and a ``Host`` that is a host name or address
  with an optional port (required in HTTP/1.1). HTTP/1.1 connections are kept open until the
  client sends ``Connection: close``; an HTTP/1.0 connection is closed after each answer.
* A body framed by ``Content-Length`` or ``Transfer-Encoding: chunked`` (never both), of at
  most :data:`MAX_BODY_BYTES` (1 MiB). It is read :data:`READ_BYTES` (64 KiB) at a time.
* A read that waits more than :data:`READ_TIMEOUT_SECONDS` (30 s) ends the connection: quietly
  between requests, with 408 ``RequestTimeout`` in the middle of one.

A request that breaks these rules or is not valid HTTP/1.1 is answered with 400 and the
service's error document (``InvalidArgument`` in CloudFront's XML, ``ValidationException`` in
the data plane's JSON), ``Connection: close``, and the connection is closed. Whatever the client
sent after it is discarded unparsed (at most :data:`LINGER_BYTES` for :data:`LINGER_SECONDS`, so
that the client reads the answer rather than a reset): a refused request's body is never read
as a request of its own. An exception inside :meth:`Http1Server.answer`, a cfmock bug, is
logged with its traceback on the ``cfmock.server`` logger and answered with 500
``InternalFailure``.

Each answered request logs one line on the ``cfmock.server`` logger, ``METHOD TARGET -> STATUS
Operation [ErrorCode]``, with control characters and non-ASCII bytes of the request escaped
(``\\x0d``); ``-`` stands for what was not known. A server whose
:attr:`~Http1Server.answer_log` is set writes the line there itself, after a timestamp as
:mod:`logging` writes it, instead: a log record costs more than answering a small request.
"""

from __future__ import annotations

import abc
import email.utils
import json
import logging
import re
import socket
import socketserver
import threading
import time
from dataclasses import replace
from http import HTTPStatus
from typing import Any, TextIO
from urllib.parse import urlsplit

import h11

from cfmock._dispatch import error_response
from cfmock._fronts.base import service_for_host
from cfmock._wire.http import HttpResponse
from cfmock._wire.model import CLOUDFRONT, service_model
from cfmock._wire.restjson import JSON_CONTENT_TYPE
from cfmock._wire.restxml import XML_CONTENT_TYPE, escape, namespace, new_request_id
from cfmock.exceptions import ServiceError

MAX_BODY_BYTES = 1024 * 1024
"""Largest request body accepted; the API's largest member is 40 960 bytes of base64."""
MAX_HEAD_BYTES = 64 * 1024
"""Largest request line plus header fields accepted."""
MAX_HEADERS = 100
"""Most header fields accepted in one request (as ``http.server``)."""
READ_BYTES = 64 * 1024
"""Most bytes read from a socket at once, whatever a request declares."""
READ_TIMEOUT_SECONDS = 30.0
"""How long a read waits for the client; ``MockServer(read_timeout=...)`` overrides it."""
LINGER_SECONDS = 2.0
"""After a refusal, how long the server goes on discarding what the client sends."""
LINGER_BYTES = 4 * MAX_BODY_BYTES
"""After a refusal, the most bytes the server discards before it closes the connection."""
ISSUES_URL = "https://github.com/cfmock/cfmock/issues"
"""Where the answer to a cfmock bug asks users to report it."""

log = logging.getLogger("cfmock.server")

_HOST = re.compile(rb"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]*)(?::[0-9]{0,5})?")
_H11_BYTES = re.compile(r"bytearray\((b'(?:[^'\\]|\\.)*'|b\"(?:[^\"\\]|\\.)*\")\)")
# h11's grammar (h11/_abnf.py) for what the server reads and writes without h11.
_TOKEN = rb"[-!#$%&'*+.^_`|~0-9a-zA-Z]+"
_FIELD_NAME = re.compile(_TOKEN)
_LINE_ENDS_AND_NOT_IN_FIELDS = b"\r\n\x00\x0b\x0c"  # CR, LF and what field values refuse
_PLAIN_REQUEST_LINE = re.compile(rb"(?!HEAD |CONNECT )(" + _TOKEN + rb") ([\x21-\x7e]+) HTTP/1\.1")
_SINGLE_FIELDS = frozenset({"host", "content-length"})
_UNPLAIN_FIELDS = frozenset({"transfer-encoding", "expect", "upgrade"})
_FRAMING_FIELDS = frozenset({b"content-length", b"transfer-encoding", b"connection", b"host"})
_REASONS = {status.value: status.phrase.encode("ascii") for status in HTTPStatus}
_LOGGED_HEAD_BYTES = 256
_HEAD_TOO_LONG = (
    f"The request line and header fields are over {MAX_HEAD_BYTES} bytes; cfmock accepts at "
    f"most {MAX_HEAD_BYTES}."
)


class Http1Server(socketserver.ThreadingTCPServer, metaclass=abc.ABCMeta):
    """A threaded HTTP/1.1 server on *address* that hands each request to :meth:`answer`.

    *read_timeout* is how long a read waits for the client, in seconds.
    """

    daemon_threads = True
    allow_reuse_address = True

    answer_log: TextIO | None = None
    """Where the server writes its line per answer itself, if anywhere (``cfmock server``:
    stderr). The line is the one :mod:`logging` would write with the format ``%(asctime)s
    %(message)s``, for a fraction of the cost of a log record. With ``None`` (the default),
    each answer is logged on the ``cfmock.server`` logger at INFO instead."""

    def __init__(self, address: tuple[str, int], *, read_timeout: float) -> None:
        self.read_timeout = read_timeout
        self.answer_log_lock = threading.Lock()
        super().__init__(address, _Connection)

    @abc.abstractmethod
    def answer(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> HttpResponse:
        """The answer to one request; *headers* by lower-case name, *target* as sent."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log what escaped a connection's handler (a cfmock bug) instead of printing it."""
        log.exception(
            "cfmock bug on the connection from %s; please report it at %s",
            client_address,
            ISSUES_URL,
        )


class _Refused(Exception):
    """A request answered with an error and ``Connection: close``."""

    def __init__(self, message: str, status: int = 400, code: str = "InvalidArgument") -> None:
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


class _TimedOut(Exception):
    pass


class _Connection(socketserver.BaseRequestHandler):
    """One client connection: requests in, answers out, until either side closes it."""

    server: Http1Server
    request: socket.socket

    def setup(self) -> None:
        # Without TCP_NODELAY, Nagle's algorithm and delayed ACKs can add about 40 ms to a
        # keep-alive response.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request.settimeout(self.server.read_timeout)
        self._received = bytearray()  # read from the socket, not yet part of an answered request
        self._h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
        self._head = bytearray()
        self._head_size = 0
        self._request_method: bytes | None = None
        self._peer_closed = False

    def handle(self) -> None:
        try:
            while self._exchange():
                pass
        except OSError as error:  # reset by the peer, or a send that timed out
            log.debug("connection from %s ended: %s", self.client_address, error)

    def _exchange(self) -> bool:
        """Answer one request; whether the connection stays open for the next."""
        if not self._received:
            try:
                data = self.request.recv(READ_BYTES)
            except TimeoutError:
                return False  # an idle keep-alive connection
            if not data:
                self._peer_closed = True
                return False  # the client closed the connection between requests
            self._received += data
        plain = _plain_request(self._received)
        if plain is not None:
            return self._answer_plain(*plain)
        return self._h11_exchange()

    def _answer_plain(
        self, method: str, raw_target: str, headers: dict[str, str], size: int, body: bytes
    ) -> bool:
        """Answer a plain request (:func:`_plain_request`) without h11, as h11 would."""
        logged_method, target = printable(method), printable(raw_target)
        try:
            response = self.server.answer(method, raw_target, headers, body)
            out = _plain_response(response)
            # Not plain: h11 writes it (and checks its header fields).
            head = _response_head(response, close=False) if out is None else None
        except Exception as error:
            log.exception("cfmock bug while answering %s %s", logged_method, target)
            service = service_for_host(headers["host"], target_path(raw_target))
            response = _internal_failure(service, logged_method, target, error)
            out, head = _plain_response(response), None
        if head is not None:
            # h11 reads the request again, to write the answer in the state it is in then.
            self._h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
            self._h11.receive_data(bytes(self._received))
            self._received = bytearray()
            while not isinstance(self._h11.next_event(), h11.EndOfMessage):
                pass
            self._request_method = method.encode("ascii")
            return self._send_and_continue(head, response, logged_method, target)
        assert out is not None  # an internal failure is plain
        del self._received[:size]
        _log_answer(self.server, response, logged_method, target)
        self.request.sendall(out)
        return True

    def _h11_exchange(self) -> bool:
        """Answer the request that starts the bytes received, reading it with h11."""
        pending = bytes(self._received)
        self._received = bytearray()
        self._h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
        self._h11.receive_data(pending)
        self._head = bytearray(pending[:_LOGGED_HEAD_BYTES])
        self._head_size = len(pending)
        self._request_method = None
        method, target, service = "-", "-", CLOUDFRONT
        try:
            event = self._next_event()
            # With bytes pending, h11 gives a request or refuses: never ConnectionClosed.
            assert isinstance(event, h11.Request), event
            self._request_method = event.method
            raw_target = event.target.decode("ascii")
            method = printable(event.method.decode("ascii"))
            target = printable(raw_target)
            headers = _headers(event)
            service = service_for_host(headers.get("host", ""), target_path(raw_target))
            _check_head(event, headers)
            body = self._body()
        except _TimedOut:
            refused = _Refused(
                f"cfmock waited {self.server.read_timeout:g} s for the rest of the request and "
                f"closed the connection.",
                408,
                "RequestTimeout",
            )
            return self._refuse(refused, service, method, target)
        except _Refused as refused:
            if method == "-":
                method, target = _request_line_words(self._head)
            return self._refuse(refused, service, method, target)
        try:
            response = self.server.answer(event.method.decode("ascii"), raw_target, headers, body)
            head = _response_head(response, close=False)  # checks the header fields
        except Exception as error:
            log.exception("cfmock bug while answering %s %s", method, target)
            response = _internal_failure(service, method, target, error)
            head = _response_head(response, close=False)
        return self._send_and_continue(head, response, method, target)

    def _send_and_continue(
        self, head: h11.Response, response: HttpResponse, method: str, target: str
    ) -> bool:
        """Send the answer with h11; whether the connection stays open for the next request."""
        self._send(head, response, method, target)
        if self._h11.our_state is h11.DONE and self._h11.their_state is h11.DONE:
            self._received = bytearray(self._h11.trailing_data[0])
            return True
        self._linger()  # the client asked to close (or speaks HTTP/1.0)
        return False

    def _next_event(self) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        """The next h11 event, reading from the socket as needed, one bounded piece at a time."""
        while True:
            in_head = self._h11.their_state is h11.IDLE
            try:
                event = self._h11.next_event()
            except h11.RemoteProtocolError as error:
                raise _Refused(_malformed(error)) from None
            if event is not h11.NEED_DATA:
                return event
            size = READ_BYTES
            if in_head:  # h11's own limit lets a head through that is up to one read longer
                if self._head_size >= MAX_HEAD_BYTES:
                    raise _Refused(_HEAD_TOO_LONG)
                size = min(size, MAX_HEAD_BYTES - self._head_size)
            try:
                data = self.request.recv(size)
            except TimeoutError:
                raise _TimedOut from None
            self._peer_closed = not data
            if in_head:
                self._head_size += len(data)
                if len(self._head) < _LOGGED_HEAD_BYTES:
                    self._head += data[: _LOGGED_HEAD_BYTES - len(self._head)]
            self._h11.receive_data(data)

    def _body(self) -> bytes:
        if self._h11.they_are_waiting_for_100_continue:
            self.request.sendall(
                self._h11.send(h11.InformationalResponse(status_code=100, headers=[]))
            )
        pieces: list[bytes] = []
        size = 0
        while True:
            event = self._next_event()
            if isinstance(event, h11.EndOfMessage):
                return b"".join(pieces)
            # h11 has no other event inside a body: a body cut short raises RemoteProtocolError.
            assert isinstance(event, h11.Data), event
            size += len(event.data)
            if size > MAX_BODY_BYTES:
                raise _Refused(
                    f"The request body is over {MAX_BODY_BYTES} bytes; cfmock accepts at "
                    f"most {MAX_BODY_BYTES}."
                )
            pieces.append(bytes(event.data))

    def _refuse(self, refused: _Refused, service: str, method: str, target: str) -> bool:
        error = ServiceError(refused.code, refused.message)
        if refused.code == "InvalidArgument":
            response = error_response(service, error)
        else:
            response = _unmodeled(service, error, refused.status)
        response = replace(response, operation="-")
        self._send(_response_head(response, close=True), response, method, target)
        self._linger()
        return False

    def _send(self, head: h11.Response, response: HttpResponse, method: str, target: str) -> None:
        out = self._h11.send(head)
        # A HEAD request that h11 parsed gets no body (*method* is only what the log shows).
        if self._request_method != b"HEAD" and response.body:
            out += self._h11.send(h11.Data(data=response.body))
        out += self._h11.send(h11.EndOfMessage())
        _log_answer(self.server, response, method, target)
        self.request.sendall(out)

    def _linger(self) -> None:
        """Discard, unparsed, what the client still sends, then let the connection close.

        Closing a socket with unread bytes resets the connection, and the client may then lose
        the answer; reading on for a bounded time and size first lets it read the answer.
        """
        if self._peer_closed:
            return
        try:
            self.request.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + LINGER_SECONDS
            discarded = 0
            while discarded < LINGER_BYTES:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self.request.settimeout(min(remaining, self.server.read_timeout))
                data = self.request.recv(READ_BYTES)
                if not data:
                    return
                discarded += len(data)
        except OSError:  # includes the timeout: nothing more to wait for
            return


def _plain_request(
    received: bytearray,
) -> tuple[str, str, dict[str, str], int, bytes] | None:
    """The request at the start of *received* when it is whole and plain, else ``None``.

    Plain is a strict subset of what h11 and :func:`_check_head` accept, so cfmock can answer
    it without h11, exactly as it would with h11: an HTTP/1.1 request line with neither
    ``HEAD`` nor ``CONNECT``, header fields in h11's grammar (at most :data:`MAX_HEADERS`, one
    valid ``Host``, no ``Transfer-Encoding``, ``Expect``, ``Upgrade`` or ``close``), and a body
    of at most one ``Content-Length`` of digits that is all there. Anything else, such as a
    request cut in two, is read by h11, which answers or refuses it: nothing is refused here.

    Returns the method, the target, the header fields by lower-case name (repeated fields
    joined with ``, ``), the size of the whole request and its body.
    """
    end = received.find(b"\r\n\r\n", 0, MAX_HEAD_BYTES)
    if end < 0:
        return None
    head = bytes(received[:end])
    lines = head.split(b"\r\n")
    request_line = _PLAIN_REQUEST_LINE.fullmatch(lines[0])
    if request_line is None or len(lines) > MAX_HEADERS + 1:
        return None
    # Every CR and LF ends a line, and no field has a byte h11's grammar refuses: then each
    # line that has a colon after a token is a field, its value stripped of spaces and tabs.
    if len(head) - len(head.translate(None, _LINE_ENDS_AND_NOT_IN_FIELDS)) != 2 * len(lines) - 2:
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        raw_name, colon, raw_value = line.partition(b":")
        if not colon or not _FIELD_NAME.fullmatch(raw_name):
            return None
        name, value = raw_name.lower().decode("ascii"), raw_value.strip(b" \t").decode("latin-1")
        if name in headers:
            if name in _SINGLE_FIELDS:
                return None
            value = f"{headers[name]}, {value}"
        headers[name] = value
    if not _UNPLAIN_FIELDS.isdisjoint(headers) or "close" in headers.get("connection", "").lower():
        return None
    host = headers.get("host")
    length = headers.get("content-length", "0")
    if host is None or not _HOST.fullmatch(host.encode("latin-1")):
        return None
    if not (length.isdigit() and length.isascii() and len(length) <= 7):
        return None
    start, size = end + 4, end + 4 + int(length)
    if int(length) > MAX_BODY_BYTES or len(received) < size:
        return None
    method, target = request_line[1].decode("ascii"), request_line[2].decode("ascii")
    return method, target, headers, size, bytes(received[start:size])


def _plain_response(response: HttpResponse) -> bytes | None:
    """What h11 writes for *response* on a connection that stays open, when it is plain.

    Plain: a status that has a body (not 1xx, 204 or 304) and header fields that are valid
    (in h11's grammar) and leave framing and the connection to the server. ``None`` for any
    other answer, which h11 writes (or refuses, for fields that are not valid).
    """
    status = response.status
    if not 200 <= status < 1000 or status in (204, 304):
        return None
    reason = _REASONS.get(status, b"")
    out = [b"HTTP/1.1 %d %s\r\nServer: cfmock\r\nDate: %s\r\n" % (status, reason, _date())]
    for key, text in response.headers.items():
        name, value = key.encode("latin-1"), text.encode("latin-1")
        if (
            not _FIELD_NAME.fullmatch(name)
            or name.lower() in _FRAMING_FIELDS
            # h11's field value: no byte it refuses, and no space or tab at either end.
            or len(value.translate(None, _LINE_ENDS_AND_NOT_IN_FIELDS)) != len(value)
            or value.strip(b" \t") != value
        ):
            return None
        out.append(b"%s: %s\r\n" % (name, value))
    out.append(b"Content-Length: %d\r\n\r\n" % len(response.body))
    out.append(response.body)
    return b"".join(out)


def _date() -> bytes:
    """The ``Date`` field's value now, formatted once a second."""
    global _dated
    now = int(time.time())
    second, value = _dated
    if now != second:
        value = email.utils.formatdate(now, usegmt=True).encode("ascii")
        _dated = now, value
    return value


_dated = (0, b"")


def _asctime() -> str:
    """Now, as :mod:`logging` writes ``%(asctime)s``: local time with milliseconds; the part
    without them formatted once a second."""
    global _stamped
    now = time.time()
    second, stamp = _stamped
    if int(now) != second:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        _stamped = int(now), stamp
    return f"{stamp},{int((now - int(now)) * 1000):03d}"


_stamped = (0, "")


def _log_answer(server: Http1Server, response: HttpResponse, method: str, target: str) -> None:
    """Write the answer's line on the server's :attr:`~Http1Server.answer_log`, or log it if
    ``cfmock.server`` logs INFO; before the answer is sent, so that a client that has the answer
    finds it in the log."""
    stream = server.answer_log
    if stream is None and not log.isEnabledFor(logging.INFO):
        return
    error_code = f" {response.error_code}" if response.error_code else ""
    operation = response.operation or "-"
    if stream is not None:
        line = f"{_asctime()} {method} {target} -> {response.status} {operation}{error_code}\n"
        try:
            with server.answer_log_lock:
                stream.write(line)
                stream.flush()
        except (OSError, ValueError):  # a closed or broken stream: the line is lost
            pass
        return
    # The record is made here rather than by log.info, which would look up the calling frame
    # for every answer; it names this function as the place it comes from.
    code = _log_answer.__code__
    record = log.makeRecord(
        log.name,
        logging.INFO,
        code.co_filename,
        code.co_firstlineno,
        "%s %s -> %s %s%s",
        (method, target, response.status, operation, error_code),
        None,
        code.co_name,
    )
    log.handle(record)


def _response_head(response: HttpResponse, close: bool) -> h11.Response:
    """The status line and header fields of *response*, with its length; h11 checks them."""
    status = response.status
    headers = [(b"Server", b"cfmock"), (b"Date", _date())]
    headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
    if status not in (204, 304):
        headers.append((b"Content-Length", str(len(response.body)).encode("ascii")))
    if close:
        headers.append((b"Connection", b"close"))
    return h11.Response(status_code=status, headers=headers, reason=_REASONS.get(status, b""))


def _headers(event: h11.Request) -> dict[str, str]:
    """The request's header fields by lower-case name, repeated fields joined with ``, ``."""
    headers: dict[str, str] = {}
    for name, value in event.headers:
        key, text = name.decode("ascii"), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def _check_head(event: h11.Request, headers: dict[str, str]) -> None:
    """Refuse what h11 lets through but cfmock does not accept."""
    if event.http_version not in (b"1.0", b"1.1"):
        version = printable(event.http_version.decode("ascii"))
        raise _Refused(f"HTTP/{version} is not supported; cfmock speaks HTTP/1.1.")
    if len(event.headers) > MAX_HEADERS:
        raise _Refused(
            f"The request has {len(event.headers)} header fields; cfmock accepts at most "
            f"{MAX_HEADERS}."
        )
    host = headers.get("host", "")
    if not _HOST.fullmatch(host.encode("latin-1")):
        raise _Refused(
            f"The Host header '{printable(host)}' is not a host name or address with an "
            f"optional port."
        )
    length = headers.get("content-length")
    if length is not None and "transfer-encoding" in headers:
        raise _Refused(
            "The request has both Content-Length and Transfer-Encoding; cfmock accepts one "
            "framing only."
        )
    if length is not None and int(length) > MAX_BODY_BYTES:
        raise _Refused(
            f"The request body is {int(length)} bytes; cfmock accepts at most {MAX_BODY_BYTES}."
        )


def _malformed(error: h11.RemoteProtocolError) -> str:
    # h11's buffer limit (over MAX_HEAD_BYTES) is met only after the head: _next_event never
    # reads more than MAX_HEAD_BYTES of a head, and refuses it itself (_HEAD_TOO_LONG).
    if error.error_status_hint == 431:
        return (
            f"A chunk header or the trailer fields of the request are over {MAX_HEAD_BYTES} "
            f"bytes; cfmock accepts at most {MAX_HEAD_BYTES}."
        )
    reason = _H11_BYTES.sub(r"\1", str(error))
    if len(reason) > 200:
        reason = reason[:200] + "..."
    return f"The request is not valid HTTP/1.1: {reason}."


def _unmodeled(service: str, error: ServiceError, status: int) -> HttpResponse:
    """*error*, whose code the service's model lacks, in the service's error format.

    The codecs' ``serialize_error`` reads the status from the error's shape, so the server
    writes these two documents (``InternalFailure``, ``RequestTimeout``) itself.
    """
    request_id = new_request_id()
    if service == CLOUDFRONT:
        fault = "Receiver" if status >= 500 else "Sender"
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<ErrorResponse xmlns="{namespace(service_model(service))}"><Error>'
            f"<Type>{fault}</Type><Code>{escape(error.code)}</Code>"
            f"<Message>{escape(error.message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers = {"x-amz-request-id": request_id, "Content-Type": XML_CONTENT_TYPE}
    else:
        body = json.dumps({"__type": error.code, "Message": error.message}).encode()
        headers = {
            "x-amzn-ErrorType": error.code,
            "x-amzn-RequestId": request_id,
            "Content-Type": JSON_CONTENT_TYPE,
        }
    return HttpResponse(status, headers, body, error_code=error.code)


def _internal_failure(service: str, method: str, target: str, error: Exception) -> HttpResponse:
    path = target.split("?", 1)[0]
    message = (
        f"cfmock failed to answer {method} {path} ({type(error).__name__}). This is a bug in "
        f"cfmock, not in the request: please report it at {ISSUES_URL} with the traceback "
        f"from the cfmock server log."
    )
    return _unmodeled(service, ServiceError("InternalFailure", message), 500)


def target_path(target: str) -> str:
    """The path of a request target in origin form (``/path?query``) or in the absolute form a
    proxy receives (``http://host:port/path?query``): the server routes both by path."""
    if target.startswith("/"):
        return target.split("?", 1)[0]
    if target[:8].lower().startswith(("http://", "https://")):
        try:
            return urlsplit(target).path or "/"
        except ValueError:  # an absolute form urllib cannot split, such as http://[x/
            return target
    return target  # authority form (CONNECT) or "*" (OPTIONS): no route has such a path


def _request_line_words(head: bytes | bytearray) -> tuple[str, str]:
    """The method and target of a request line h11 refused, escaped, for the log."""
    line = bytes(head).split(b"\n", 1)[0].rstrip(b"\r")
    words = line.split(b" ")
    method = printable(words[0].decode("latin-1"), 32) or "-"
    target = printable(words[1].decode("latin-1"), 100) if len(words) > 1 else "-"
    return method, target or "-"


def printable(text: str, limit: int = 1000) -> str:
    """*text* with control characters, backslashes and non-ASCII escaped, at most *limit*."""
    if len(text) > limit:
        text = text[:limit] + "..."
    if text.isascii() and text.isprintable() and "\\" not in text:
        return text
    return "".join(c if " " <= c <= "~" and c != "\\" else _escape(c) for c in text)


def _escape(character: str) -> str:
    code = ord(character)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )
