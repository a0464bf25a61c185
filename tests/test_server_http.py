"""Fuzzing ``cfmock server``'s HTTP parsing over real loopback sockets.

Raw bytes, and valid requests with their request line, header fields and chunked bodies
mutated, go to a server on 127.0.0.1. Whatever arrives, every answer is a complete,
well-formed HTTP/1.1 response whose body is the document its ``Content-Type`` says, no answer
is a 5xx, nothing is logged as a cfmock bug, an answer with ``Connection: close`` is the last
one, and the server answers a valid request on a new connection afterwards.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
from collections.abc import Iterator
from xml.etree import ElementTree

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cfmock._fronts import http1
from cfmock._fronts.server import MockServer
from cfmock._options import MockOptions
from tests.test_server import CLOUDFRONT_NS, LIST, POST, Answer, parse_answer, request

FUZZ = settings(max_examples=120, deadline=None, database=None)

CREATE_BODY = (
    b'<CreateConnectionFunctionRequest xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
    b"<Name>fuzzed</Name><ConnectionFunctionConfig><Comment>c</Comment>"
    b"<Runtime>cloudfront-js-2.0</Runtime></ConnectionFunctionConfig>"
    b"<ConnectionFunctionCode>eA==</ConnectionFunctionCode></CreateConnectionFunctionRequest>"
)
KVS_KEY = (
    b"/key-value-stores/arn%3Aaws%3Acloudfront%3A%3A123456789012%3Akey-value-store%2F"
    b"00000000-0000-0000-0000-000000000000/keys/k"
)
KVS_HOST = b"123456789012.cloudfront-kvs.global.api.aws"

# (method, target, header fields, body): valid requests for the mutations to start from.
TEMPLATES: list[tuple[bytes, bytes, list[tuple[bytes, bytes]], bytes]] = [
    (b"POST", b"/2020-05-31/connection-functions", [(b"Host", b"127.0.0.1")], b""),
    (b"POST", b"/2020-05-31/connection-function", [(b"Host", b"localhost:5000")], CREATE_BODY),
    (b"GET", b"/2020-05-31/connection-function/nope?x=1", [(b"Host", b"127.0.0.1")], b""),
    (b"GET", KVS_KEY, [(b"Host", KVS_HOST)], b""),
    (b"PUT", KVS_KEY, [(b"Host", KVS_HOST), (b"If-Match", b"KV1")], b'{"Value": "v"}'),
    (b"GET", b"/_cfmock/state", [(b"Host", b"127.0.0.1")], b""),
    (b"DELETE", b"/_cfmock/nothing", [(b"Host", b"127.0.0.1")], b""),
]

INTERESTING = st.sampled_from(
    [b"\r", b"\n", b"\r\n", b" ", b"\t", b":", b"\x00", b"\x7f", b"\xff", b",", b"-", b";"]
    + [b"0", b"9", b"f", b"\r\n\r\n", b"chunked", b"Content-Length: 3\r\n", b"HTTP/1.1"]
)
PIECES = st.one_of(INTERESTING, st.binary(max_size=8))
TOKENS = st.sampled_from(
    [b"GET", b"POST", b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"TRACE", b"CONNECT", b"FOO"]
)
HEADER_NAMES = st.sampled_from(
    [b"Host", b"Content-Length", b"Transfer-Encoding", b"Connection", b"Expect", b"X-Amz-Date"]
)
HEADER_VALUES = st.sampled_from(
    [b"0", b"3", b"-1", b"1048577", b"99999999999999999999999", b"chunked", b"gzip, chunked"]
    + [b"close", b"keep-alive", b"100-continue", b"a b", b"", b"1, 2"]
)


class Collecting(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[MockServer, list[logging.LogRecord]]]:
    """A server on a free loopback port, and the errors it logs (cfmock bugs) meanwhile."""
    bugs: list[logging.LogRecord] = []
    handler = Collecting(bugs)
    logger = logging.getLogger("cfmock.server")
    logger.addHandler(handler)
    mock = MockServer("127.0.0.1", 0, MockOptions(), read_timeout=10)
    thread = threading.Thread(target=mock.serve_forever, daemon=True)
    thread.start()
    try:
        yield mock, bugs
    finally:
        mock.shutdown()
        mock.server_close()
        thread.join(5)
        logger.removeHandler(handler)


def exchange(server: MockServer, data: bytes) -> bytes:
    """Send *data*, close the sending half, and read until the server closes."""
    host, port = server.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def check_document(answer: Answer) -> None:
    """The body is the document the Content-Type names, an error document for an error."""
    content_type = answer.headers.get("content-type")
    if content_type == "text/xml":
        root = ElementTree.fromstring(answer.body)
        assert root.tag.startswith(CLOUDFRONT_NS)
    elif content_type == "application/json":
        document = json.loads(answer.body)
        assert isinstance(document, dict)
    else:
        assert content_type is None and answer.body == b"", answer
    if answer.status >= 400:
        if content_type == "application/json" and "endpoints" in json.loads(answer.body):
            assert answer.status == 404  # the control API's own answer
        else:
            status, code, message = answer.error()
            assert code and message
    assert answer.status < 500, answer


def check_server(served: tuple[MockServer, list[logging.LogRecord]], data: bytes) -> None:
    """The invariant: well-formed answers to *data*, then a valid request still answered."""
    server, bugs = served
    received = exchange(server, data)
    answers: list[Answer] = []
    while received:
        parsed = parse_answer(received)
        assert parsed is not None, f"an incomplete answer: {received!r}"
        answer, used = parsed
        received = received[used:]
        check_document(answer)
        answers.append(answer)
    assert answers or not data, "non-empty input got no answer"
    for answer in answers[:-1]:
        assert answer.headers.get("connection") != "close", "an answer after Connection: close"
    assert bugs == []
    assert exchange(server, LIST).startswith(b"HTTP/1.1 200 OK\r\n")


def serialize(
    method: bytes, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes, chunked: bool
) -> bytes:
    if chunked:
        headers = [*headers, (b"Transfer-Encoding", b"chunked")]
        body = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
    elif body:
        headers = [*headers, (b"Content-Length", b"%d" % len(body))]
    lines = [b"%s %s HTTP/1.1" % (method, target)] + [b"%s: %s" % field for field in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@st.composite
def mutated_requests(draw: st.DrawFn) -> bytes:
    """A valid request whose parts, then bytes, are changed a few times."""
    method, target, headers, body = draw(st.sampled_from(TEMPLATES))
    headers = list(headers)
    chunked = draw(st.booleans())
    version = b"HTTP/1.1"
    for _ in range(draw(st.integers(0, 3))):
        part = draw(st.sampled_from(["method", "target", "version", "add", "drop", "duplicate"]))
        if part == "method":
            method = draw(st.one_of(TOKENS, PIECES))
        elif part == "target":
            at = draw(st.integers(0, len(target)))
            target = target[:at] + draw(PIECES) + target[at:]
        elif part == "version":
            version = draw(st.sampled_from([b"HTTP/1.0", b"HTTP/2.0", b"HTTP/1", b"HTTP/1.1 "]))
        elif part == "add":
            name = draw(st.one_of(HEADER_NAMES, PIECES))
            headers.insert(draw(st.integers(0, len(headers))), (name, draw(HEADER_VALUES)))
        elif part == "drop" and headers:
            headers.pop(draw(st.integers(0, len(headers) - 1)))
        elif part == "duplicate" and headers:
            headers.append(headers[draw(st.integers(0, len(headers) - 1))])
    data = serialize(method, target, headers, body, chunked).replace(b"HTTP/1.1", version, 1)
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(data)))
        cut = draw(st.integers(0, 3))
        data = data[:at] + draw(PIECES) + data[at + cut :]
    if draw(st.booleans()):
        data += LIST  # a pipelined request behind it
    assume(b"HEAD" not in data)  # a HEAD answer's length cannot be checked without its request
    return data


@st.composite
def chunked_requests(draw: st.DrawFn) -> bytes:
    """A chunked request whose size lines, extensions, data and trailers vary."""
    body = b""
    for _ in range(draw(st.integers(0, 4))):
        data = draw(st.binary(max_size=20))
        size = draw(
            st.one_of(
                st.just(b"%x" % len(data)),
                st.just(b"%X" % len(data)),
                st.just(b"0" * 25 + b"%x" % len(data)),
                st.integers(0, 2**80).map(lambda n: b"%x" % n),
                PIECES,
            )
        )
        extension = draw(st.sampled_from([b"", b";a=b", b" ;x", b";" + b"e" * 100]))
        end = draw(st.sampled_from([b"\r\n", b"\n", b"", b"\r\r\n"]))
        body += size + extension + b"\r\n" + data + end
    body += draw(st.sampled_from([b"0\r\n\r\n", b"0\r\nX-Trailer: t\r\n\r\n", b"0\r\n", b""]))
    head = (
        b"POST /2020-05-31/connection-function HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    return head + body + draw(st.sampled_from([b"", LIST]))


@FUZZ
@given(data=st.binary(max_size=400))
def test_raw_bytes_get_well_formed_answers(served, data: bytes) -> None:
    assume(b"HEAD" not in data)
    check_server(served, data)


@FUZZ
@given(data=st.lists(PIECES, max_size=12).map(b"".join))
def test_raw_request_fragments_get_well_formed_answers(served, data: bytes) -> None:
    assume(b"HEAD" not in data)
    check_server(served, b"GET / HTTP/1.1\r\n" + data)


@settings(FUZZ, max_examples=250)
@given(data=mutated_requests())
def test_mutated_requests_get_well_formed_answers(served, data: bytes) -> None:
    check_server(served, data)


@FUZZ
@given(data=chunked_requests())
def test_mutated_chunked_bodies_get_well_formed_answers(served, data: bytes) -> None:
    check_server(served, data)


def test_the_invariant_catches_a_5xx(served, monkeypatch) -> None:
    """The check above fails on a cfmock bug: an injected one gives 500 and a logged error."""
    server, bugs = served

    def broken(request: object, service: str) -> None:
        raise RuntimeError("injected")

    monkeypatch.setattr(server.dispatcher, "dispatch", broken)
    with pytest.raises(AssertionError, match="Answer\\(status=500"):
        check_server(served, LIST)
    assert [record.getMessage() for record in bugs] == [
        "cfmock bug while answering POST /2020-05-31/connection-functions"
    ]
    bugs.clear()


# -- the plain path: requests cfmock reads without h11 are answered as h11 would have them ------

VARYING = re.compile(
    rb"(?<=Date: )[^\r]+"  # the clock
    rb"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # request IDs
    rb"|cf_[A-Za-z0-9]+"  # random function IDs
    rb"|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"  # timestamps
)


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def answered(server: MockServer, data: bytes, plain: bool) -> tuple[bytes, list[str]]:
    """What a fresh mock sends back for *data* and the lines it logs, read with the plain path
    or (*plain* false) with h11 alone; what varies from run to run is blanked."""
    server.reset()
    logger = logging.getLogger("cfmock.server")
    lines = Lines()
    level = logger.level
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)
    try:
        with pytest.MonkeyPatch.context() as patch:
            if not plain:
                patch.setattr(http1, "_plain_request", lambda received: None)
            received = exchange(server, data)
    finally:
        logger.removeHandler(lines)
        logger.setLevel(level)
    return VARYING.sub(b"~", received), [
        VARYING.sub(b"~", line.encode()).decode() for line in lines.lines
    ]


def check_alike(served: tuple[MockServer, list[logging.LogRecord]], data: bytes) -> None:
    server, bugs = served
    assert answered(server, data, plain=True) == answered(server, data, plain=False)
    assert bugs == []


PLAIN_REQUESTS = {
    "a botocore describe": request(
        b"GET /2020-05-31/connection-function/nope/describe HTTP/1.1\nHost: 127.0.0.1:5000\n"
        b"Accept-Encoding: identity\nUser-Agent: Boto3/1.43 md/Botocore#1.43 m/D,N\n"
        b"X-Amz-Date: 20261130T134719Z\nAuthorization: AWS4-HMAC-SHA256 "
        b"Credential=111122223333/20261130/us-east-1/cloudfront/aws4_request, "
        b"SignedHeaders=host;x-amz-date, Signature=b795c3bd\namz-sdk-request: attempt=1"
    ),
    "a created function and a list, pipelined": request(
        POST + b"\nContent-Length: %d" % len(CREATE_BODY), CREATE_BODY
    )
    + LIST,
    "repeated fields, joined": request(
        b"GET /_cfmock/state HTTP/1.1\nHost: a\nX-A: 1\nx-a:\t2 \nConnection: keep-alive"
    ),
    "fields with odd spacing and control bytes h11 accepts": request(
        b"GET /_cfmock/state HTTP/1.1\nHost:127.0.0.1\nX-A:   \nX-B: a \x01 b\t\nX-C:\xff"
    ),
    "a data-plane request": request(b"GET " + KVS_KEY + b" HTTP/1.1\nHost: " + KVS_HOST),
    "an absolute-form target": request(
        b"GET http://127.0.0.1/2020-05-31/connection-function/x/describe HTTP/1.1\nHost: a"
    ),
    "a body of zero bytes": request(
        b"DELETE /_cfmock/nothing HTTP/1.1\nHost: a\nContent-Length: 0"
    ),
    # Not plain: h11 reads these, and the answers must not change either.
    "HTTP/1.0": request(b"GET /_cfmock/state HTTP/1.0"),
    "Connection: close": request(b"GET /_cfmock/state HTTP/1.1\nHost: a\nConnection: Close") + LIST,
    "two Host fields": request(b"GET /_cfmock/state HTTP/1.1\nHost: a\nHost: a"),
    "two Content-Length fields": request(POST + b"\nContent-Length: 0\nContent-Length: 0"),
    "a Content-Length list": request(POST + b"\nContent-Length: 0, 0"),
    "a signed Content-Length": request(POST + b"\nContent-Length: +0"),
    "a long Content-Length": request(POST + b"\nContent-Length: 00000000"),
    "a body cut short": request(POST + b"\nContent-Length: 10", b"abc"),
    "Expect": request(POST + b"\nExpect: 100-continue\nContent-Length: 0"),
    "Upgrade": request(b"GET /_cfmock/state HTTP/1.1\nHost: a\nUpgrade: h2c\nConnection: Upgrade"),
    "HEAD-like but GET": request(b"HEADX /_cfmock/state HTTP/1.1\nHost: a"),
    "CONNECT": request(b"CONNECT 127.0.0.1:443 HTTP/1.1\nHost: 127.0.0.1:443"),
    "a lone LF in a field": b"GET /_cfmock/state HTTP/1.1\r\nHost: a\r\nX-A: 1\nX-B: 2\r\n\r\n",
    "a lone CR in a field": b"GET /_cfmock/state HTTP/1.1\r\nHost: a\r\nX-A: 1\rX-B: 2\r\n\r\n",
    "a NUL in a field": request(b"GET /_cfmock/state HTTP/1.1\nHost: a\nX-A: a\x00b"),
    "a vertical tab in a field": request(b"GET /_cfmock/state HTTP/1.1\nHost: a\nX-A: a\x0bb"),
    "a folded field": request(b"GET /_cfmock/state HTTP/1.1\nHost: a\nX-A: a\n b"),
    "a field without a colon": request(b"GET /_cfmock/state HTTP/1.1\nHost: a\nX-A"),
    "a field name with a space": request(b"GET /_cfmock/state HTTP/1.1\nHost: a\nX A: 1"),
    "a bad Host": request(b"GET /_cfmock/state HTTP/1.1\nHost: a b"),
    "no Host": request(b"GET /_cfmock/state HTTP/1.1\nX-A: 1"),
    "a body over the limit": request(POST + b"\nContent-Length: 1048577"),
    "too many fields": request(b"GET /_cfmock/state HTTP/1.1\nHost: a" + b"\nX: 1" * 100),
    "a blank line first": b"\r\n" + LIST,
    "an LF-only head": b"GET /_cfmock/state HTTP/1.1\nHost: a\n\n",
}


@pytest.mark.parametrize("data", PLAIN_REQUESTS.values(), ids=PLAIN_REQUESTS.keys())
def test_plain_and_h11_reading_answer_alike(served, data: bytes) -> None:
    check_alike(served, data)


@FUZZ
@given(data=mutated_requests())
def test_mutated_requests_are_answered_alike_with_or_without_the_plain_path(
    served, data: bytes
) -> None:
    check_alike(served, data)
