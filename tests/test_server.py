"""``cfmock server``: the core over HTTP, driven by boto3 and by raw HTTP."""

from __future__ import annotations

import http.client
import json
import logging
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from xml.etree import ElementTree

import boto3
import pytest

from cfmock._dispatch import Dispatcher, implemented_operations
from cfmock._fronts.server import (
    CONTROL_ENDPOINTS,
    MAX_BODY_BYTES,
    MAX_CALLS,
    READ_BYTES,
    READ_TIMEOUT_SECONDS,
    MockServer,
)
from cfmock._options import MockOptions
from cfmock._wire.http import HttpResponse
from tests.scaffolding import CODE, ETAG_V1, STALE_IF_MATCH, config, error_of


@pytest.fixture
def server() -> Iterator[MockServer]:
    mock = MockServer("127.0.0.1", 0, MockOptions())
    thread = threading.Thread(target=mock.serve_forever, daemon=True)
    thread.start()
    yield mock
    mock.shutdown()
    mock.server_close()
    thread.join(5)


def client_for(server: MockServer, access_key: str = "AKIDEXAMPLE") -> Any:
    return boto3.client(
        "cloudfront",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key="secret",
    )


def raw(
    server: MockServer,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def test_lifecycle_through_boto3(server) -> None:
    client = client_for(server)
    created = client.create_connection_function(
        Name="served", ConnectionFunctionConfig=config(), ConnectionFunctionCode=CODE
    )
    function_id = created["ConnectionFunctionSummary"]["Id"]
    assert created["ETag"] == ETAG_V1
    with pytest.raises(client.exceptions.PreconditionFailed) as excinfo:
        client.update_connection_function(
            Id=function_id,
            IfMatch="stale",
            ConnectionFunctionConfig=config(),
            ConnectionFunctionCode=CODE,
        )
    assert error_of(excinfo) == ("PreconditionFailed", 412, STALE_IF_MATCH)
    assert (
        client.get_connection_function(Identifier="served")["ConnectionFunctionCode"].read() == CODE
    )
    client.publish_connection_function(Id=function_id, IfMatch=ETAG_V1)
    result = client.test_connection_function(
        Id=function_id, IfMatch=ETAG_V1, ConnectionObject=b"{}"
    )["ConnectionFunctionTestResult"]
    assert result["ConnectionFunctionOutput"] == '{"connection":{"action":"allow"}}'
    assert [f["Name"] for f in client.list_connection_functions()["ConnectionFunctions"]] == [
        "served"
    ]
    client.delete_connection_function(Id=function_id, IfMatch=ETAG_V1)
    assert client.list_connection_functions()["ConnectionFunctions"] == []


def test_the_account_comes_from_the_access_key(server) -> None:
    alice = client_for(server, "111111111111")
    summary = alice.create_connection_function(
        Name="alice", ConnectionFunctionConfig=config(), ConnectionFunctionCode=CODE
    )["ConnectionFunctionSummary"]
    assert summary["ConnectionFunctionArn"].startswith("arn:aws:cloudfront::111111111111:")
    assert client_for(server).list_connection_functions()["ConnectionFunctions"] == []


def test_unimplemented_operations_are_a_modeled_error(server) -> None:
    client = client_for(server)
    with pytest.raises(client.exceptions.UnsupportedOperation) as excinfo:
        client.list_origin_access_controls()
    code, status, message = error_of(excinfo)
    assert (code, status) == ("UnsupportedOperation", 400)
    assert message.startswith(
        "cfmock does not implement ListOriginAccessControls (GET /2020-05-31/origin-access-control)"
    )


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "code"),
    [
        ("PATCH", "/2020-05-31/connection-function/x", b"", {}, 400, b"UnsupportedOperation"),
        ("POST", "/2020-05-31/connection-function", b"<not-xml", {}, 400, b"InvalidArgument"),
        ("POST", "/2020-05-31/connection-function", b"\xff\xfe\x00", {}, 400, b"InvalidArgument"),
        (
            "POST",
            "/2020-05-31/connection-function",
            b"<CreateConnectionFunctionRequest/>",
            {},
            400,
            b"InvalidArgument",
        ),
        ("GET", "/nowhere", b"", {}, 400, b"UnsupportedOperation"),
        (
            "PUT",
            "/key-value-stores/arn/keys/k",
            b"{bad json",
            {"If-Match": "KV"},
            400,
            b"ValidationException",
        ),
    ],
)
def test_bad_http_gets_a_modeled_error_and_the_server_keeps_serving(
    server, method, path, body, headers, status, code
) -> None:
    answer_status, answer = raw(server, method, path, body, headers)
    assert answer_status == status
    assert code in answer
    assert client_for(server).list_connection_functions()["ConnectionFunctions"] == []


def test_the_state_lists_every_account_however_short_the_call_log() -> None:
    mock = MockServer("127.0.0.1", 0, MockOptions(), max_calls=1)
    thread = threading.Thread(target=mock.serve_forever, daemon=True)
    thread.start()
    try:
        client_for(mock, "111122223333").create_connection_function(
            Name="other", ConnectionFunctionConfig=config(), ConnectionFunctionCode=CODE
        )
        client_for(mock).create_key_value_store(Name="store")
        status, state = raw(mock, "GET", "/_cfmock/state")
    finally:
        mock.shutdown()
        mock.server_close()
    assert status == 200
    summary = json.loads(state)
    assert summary["calls"] == 1
    assert sorted(summary["accounts"]) == ["111122223333", "123456789012"]
    assert [f["name"] for f in summary["accounts"]["111122223333"]["connectionFunctions"]] == [
        "other"
    ]
    assert [s["name"] for s in summary["accounts"]["123456789012"]["keyValueStores"]] == ["store"]


def test_the_state_leaves_out_an_account_whose_last_function_was_deleted(server) -> None:
    client = client_for(server, "111122223333")
    created = client.create_connection_function(
        Name="gone", ConnectionFunctionConfig=config(), ConnectionFunctionCode=CODE
    )
    client.delete_connection_function(
        Id=created["ConnectionFunctionSummary"]["Id"], IfMatch=created["ETag"]
    )
    assert json.loads(raw(server, "GET", "/_cfmock/state")[1])["accounts"] == {}


MODERN = b"function connectionHandler(connection) { for (const x of [1]) {} connection.allow(); }"
"""Code only the permissive profile runs: CloudFront's runtime refuses ``for...of``."""
FOR_OF = 'SyntaxError: Token "of" not supported in this version in 1'


def run_test(client: Any, function_id: str, etag: str, stage: str | None = None) -> Any:
    extra = {} if stage is None else {"Stage": stage}
    return client.test_connection_function(
        Id=function_id, IfMatch=etag, ConnectionObject=b'{"clientIp": "192.0.2.1"}', **extra
    )["ConnectionFunctionTestResult"]


def test_the_state_shows_the_profile_and_each_run_through_boto3(server) -> None:
    assert json.loads(raw(server, "GET", "/_cfmock/state")[1])["runs"] == []
    client = client_for(server)
    good = client.create_connection_function(
        Name="good", ConnectionFunctionConfig=config(), ConnectionFunctionCode=CODE
    )
    good_id = good["ConnectionFunctionSummary"]["Id"]
    modern = client.create_connection_function(
        Name="modern", ConnectionFunctionConfig=config(), ConnectionFunctionCode=MODERN
    )
    modern_id = modern["ConnectionFunctionSummary"]["Id"]
    other = client_for(server, "111122223333").create_connection_function(
        Name="other", ConnectionFunctionConfig=config(), ConnectionFunctionCode=CODE
    )
    assert run_test(client, good_id, good["ETag"])["ConnectionFunctionErrorMessage"] == ""
    refused = run_test(client, modern_id, modern["ETag"])
    assert refused["ConnectionFunctionErrorMessage"] == FOR_OF
    client.publish_connection_function(Id=good_id, IfMatch=good["ETag"])
    live = client.describe_connection_function(Identifier=good_id, Stage="LIVE")
    run_test(client, good_id, live["ETag"], "LIVE")
    run_test(
        client_for(server, "111122223333"),
        other["ConnectionFunctionSummary"]["Id"],
        other["ETag"],
    )
    status, body = raw(server, "GET", "/_cfmock/state")
    assert status == 200
    state = json.loads(body)
    assert state["runtimeProfile"] == "faithful"
    assert state["runs"] == [
        {
            "account": "123456789012",
            "function": "good",
            "stage": "DEVELOPMENT",
            "profile": "faithful",
            "action": "allow",
            "error": "",
        },
        {
            "account": "123456789012",
            "function": "modern",
            "stage": "DEVELOPMENT",
            "profile": "faithful",
            "action": "deny",
            "error": FOR_OF,
        },
        {
            "account": "123456789012",
            "function": "good",
            "stage": "LIVE",
            "profile": "faithful",
            "action": "allow",
            "error": "",
        },
        {
            "account": "111122223333",
            "function": "other",
            "stage": "DEVELOPMENT",
            "profile": "faithful",
            "action": "allow",
            "error": "",
        },
    ]
    assert server.state() == state
    assert raw(server, "POST", "/_cfmock/reset")[0] == 200
    after = json.loads(raw(server, "GET", "/_cfmock/state")[1])
    assert (after["runtimeProfile"], after["runs"]) == ("faithful", [])


def test_the_state_names_the_profile_that_answered_each_run() -> None:
    options = MockOptions(runtime_profile="permissive", function_profiles={"classic": "faithful"})
    with running(MockServer("127.0.0.1", 0, options)) as mock:
        client = client_for(mock)
        for name in ("modern", "classic"):
            created = client.create_connection_function(
                Name=name, ConnectionFunctionConfig=config(), ConnectionFunctionCode=MODERN
            )
            run_test(client, created["ConnectionFunctionSummary"]["Id"], created["ETag"])
        state = json.loads(raw(mock, "GET", "/_cfmock/state")[1])
    assert state["runtimeProfile"] == "permissive"
    assert [(r["function"], r["profile"], r["action"], r["error"]) for r in state["runs"]] == [
        ("modern", "permissive", "allow", ""),
        ("classic", "faithful", "deny", FOR_OF),
    ]


def test_the_state_shows_only_the_latest_runs(server, monkeypatch) -> None:
    from cfmock._fronts import server as server_module

    assert server_module.STATE_RUNS == 100
    monkeypatch.setattr(server_module, "STATE_RUNS", 2)
    client = client_for(server)
    created = client.create_connection_function(
        Name="counted",
        ConnectionFunctionConfig=config(),
        ConnectionFunctionCode=b"function connectionHandler(c) { throw new Error(c.n); }",
    )
    function_id = created["ConnectionFunctionSummary"]["Id"]
    for n in range(3):
        client.test_connection_function(
            Id=function_id, IfMatch=created["ETag"], ConnectionObject=json.dumps({"n": n})
        )
    runs = json.loads(raw(server, "GET", "/_cfmock/state")[1])["runs"]
    assert [r["error"] for r in runs] == ["Error: 1", "Error: 2"]
    assert len(server.dispatcher.backend.runs) == 3


def test_a_huge_body_is_refused(server) -> None:
    status, answer = raw(
        server, "POST", "/2020-05-31/connection-function", b"x" * (1024 * 1024 + 1)
    )
    assert status == 400
    assert b"The request body is 1048577 bytes; cfmock accepts at most 1048576." in answer


def test_control_api(server) -> None:
    client_for(server).create_connection_function(
        Name="kept", ConnectionFunctionConfig=config(), ConnectionFunctionCode=CODE
    )
    status, state = raw(server, "GET", "/_cfmock/state")
    assert status == 200
    functions = json.loads(state)["accounts"]["123456789012"]["connectionFunctions"]
    assert [f["name"] for f in functions] == ["kept"]
    assert raw(server, "POST", "/_cfmock/reset")[0] == 200
    assert json.loads(raw(server, "GET", "/_cfmock/state")[1])["accounts"] == {}
    status, answer = raw(server, "GET", "/_cfmock/nothing")
    assert status == 404
    assert json.loads(answer)["endpoints"] == [
        "POST /_cfmock/reset",
        "GET /_cfmock/state",
        "POST /_cfmock/ca-bundles",
        "POST /_cfmock/connect",
        "POST /_cfmock/ocsp",
        "POST /_cfmock/keys",
    ]


def test_a_burst_of_concurrent_writers_loses_no_update(server) -> None:
    function_id = client_for(server).create_connection_function(
        Name="contended", ConnectionFunctionConfig=config(), ConnectionFunctionCode=CODE
    )["ConnectionFunctionSummary"]["Id"]
    wins = [0] * 4
    failures: list[BaseException] = []
    deadline = time.monotonic() + 60

    def writer(index: int) -> None:
        client = client_for(server)
        try:
            while wins[index] < 250 and time.monotonic() < deadline:
                etag = client.describe_connection_function(Identifier=function_id)["ETag"]
                try:
                    client.update_connection_function(
                        Id=function_id,
                        IfMatch=etag,
                        ConnectionFunctionConfig=config(f"writer {index}"),
                        ConnectionFunctionCode=CODE,
                    )
                    wins[index] += 1
                except client.exceptions.PreconditionFailed:
                    pass
        except BaseException as error:  # pragma: no cover - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert wins == [250] * 4
    version = server.dispatcher.backend.resolve("123456789012", function_id).development.version
    assert version == 1 + sum(wins)
    update_calls = [c for c in server.dispatcher.calls if c.operation == "UpdateConnectionFunction"]
    assert len(server.dispatcher.calls) >= 1 + 2 * sum(wins) >= 2000  # a few thousand requests
    assert {c.error_code for c in update_calls} <= {None, "PreconditionFailed"}


def test_cfmock_server_command_starts_logs_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "cfmock", "server", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    assert first.startswith("cfmock server listening on http://127.0.0.1:")
    port = int(first.split(":")[2].split()[0])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/2020-05-31/connection-functions")
    assert connection.getresponse().status == 200
    connection.close()
    process.send_signal(signal.SIGTERM)
    remaining = process.communicate(timeout=10)[1]
    assert process.returncode == 0
    assert "POST /2020-05-31/connection-functions -> 200 ListConnectionFunctions" in remaining
    assert remaining.rstrip().endswith("cfmock server stopped")


def test_cfmock_server_profile_permissive_runs_modern_javascript() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "cfmock", "server", "--port", "0", "--profile", "permissive"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        assert first.startswith("cfmock server listening on http://127.0.0.1:")
        url = first.split()[4]
        client = boto3.client(
            "cloudfront",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="secret",
        )
        created = client.create_connection_function(
            Name="modern", ConnectionFunctionConfig=config(), ConnectionFunctionCode=MODERN
        )
        result = run_test(client, created["ConnectionFunctionSummary"]["Id"], created["ETag"])
        assert (result["ConnectionFunctionErrorMessage"], result["ConnectionFunctionOutput"]) == (
            "",
            '{"connection":{"action":"allow"}}',
        )
        connection = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=10)
        connection.request("GET", "/_cfmock/state")
        state = json.loads(connection.getresponse().read())
        connection.close()
        assert state["runtimeProfile"] == "permissive"
        assert [(r["function"], r["profile"], r["action"]) for r in state["runs"]] == [
            ("modern", "permissive", "allow")
        ]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
    assert process.returncode == 0


def test_a_chunked_body_is_read(server) -> None:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
    body = (
        b'<CreateConnectionFunctionRequest xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
        b"<Name>chunked</Name><ConnectionFunctionConfig><Comment>c</Comment>"
        b"<Runtime>cloudfront-js-2.0</Runtime></ConnectionFunctionConfig>"
        b"<ConnectionFunctionCode>eA==</ConnectionFunctionCode></CreateConnectionFunctionRequest>"
    )
    connection.request(
        "POST",
        "/2020-05-31/connection-function",
        body=iter([body[:50], body[50:]]),
        encode_chunked=True,
    )
    response = connection.getresponse()
    assert response.status == 201, response.read()
    connection.close()
    assert [f.name for f in server.dispatcher.backend.functions("123456789012")] == ["chunked"]


# --- Raw HTTP: what reaches the server byte for byte, and what comes back ---------------------

STATUS_LINE = re.compile(rb"HTTP/1\.1 ([1-5][0-9][0-9]) ([^\r\n]*)\r\n")
HEADER_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+): ?([^\r\n]*)\r\n")
CLOUDFRONT_NS = "{http://cloudfront.amazonaws.com/doc/2020-05-31/}"
LIST = b"POST /2020-05-31/connection-functions HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
"""A valid request (ListConnectionFunctions) with no body."""


@dataclass(frozen=True)
class Answer:
    """One HTTP response as it came over the wire; ``headers`` by lower-case name."""

    status: int
    headers: dict[str, str]
    body: bytes

    def error(self) -> tuple[int, str, str]:
        """(status, code, message) of the service's error document in the body."""
        if self.headers["content-type"] == "text/xml":
            root = ElementTree.fromstring(self.body)
            assert root.tag == f"{CLOUDFRONT_NS}ErrorResponse"
            code = root.findtext(f"{CLOUDFRONT_NS}Error/{CLOUDFRONT_NS}Code")
            message = root.findtext(f"{CLOUDFRONT_NS}Error/{CLOUDFRONT_NS}Message")
            assert code is not None and message is not None
            return self.status, code, message
        assert self.headers["content-type"] == "application/json"
        document = json.loads(self.body)
        assert self.headers["x-amzn-errortype"] == document["__type"]
        return self.status, document["__type"], document["Message"]


def parse_answer(buffer: bytes, head: bool = False) -> tuple[Answer, int] | None:
    """The first complete response in *buffer* and the bytes it used, or ``None`` if the
    buffer holds only part of one; fails the test if the bytes are not a well-formed response.
    *head* says the request was HEAD (a Content-Length but no body)."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    status_line = STATUS_LINE.match(buffer)
    assert status_line is not None, buffer[:200]
    position = status_line.end()
    headers: dict[str, str] = {}
    while position < end + 2:
        header = HEADER_LINE.match(buffer, position)
        assert header is not None and header.end() <= end + 2, buffer[: end + 4]
        name = header.group(1).decode("ascii").lower()
        assert name not in headers, f"{name} sent twice"
        headers[name] = header.group(2).decode("latin-1")
        position = header.end()
    status = int(status_line.group(1))
    start = end + 4
    if status < 200 or status in (204, 304):
        assert "content-length" not in headers
        length = 0
    else:
        assert re.fullmatch(r"[0-9]+", headers["content-length"]), headers
        length = 0 if head else int(headers["content-length"])
    if len(buffer) < start + length:
        return None
    return Answer(status, headers, buffer[start : start + length]), start + length


class Raw:
    """A client socket to *server* that sends bytes as given and reads answers strictly."""

    def __init__(self, server: MockServer) -> None:
        host, port = server.server_address[:2]
        self.socket = socket.create_connection((str(host), int(port)), timeout=10)
        self.buffer = b""

    def __enter__(self) -> Raw:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.socket.close()

    def send(self, data: bytes) -> Raw:
        self.socket.sendall(data)
        return self

    def answer(self, head: bool = False) -> Answer:
        """The next response; fails if the server closes the connection before it is whole."""
        while (parsed := parse_answer(self.buffer, head)) is None:
            data = self.socket.recv(65536)
            assert data, f"the connection closed in the middle of an answer: {self.buffer!r}"
            self.buffer += data
        answer, used = parsed
        self.buffer = self.buffer[used:]
        return answer

    def rest(self) -> bytes:
        """Every byte the server sends until it closes the connection."""
        while data := self.socket.recv(65536):
            self.buffer += data
        rest, self.buffer = self.buffer, b""
        return rest


def request(head: bytes, body: bytes = b"") -> bytes:
    """A request with *head* lines (CRLF added) and *body*."""
    return head.replace(b"\n", b"\r\n") + b"\r\n\r\n" + body


def refused(message: str) -> tuple[int, str, str]:
    return 400, "InvalidArgument", message


def malformed(reason: str) -> tuple[int, str, str]:
    return refused(f"The request is not valid HTTP/1.1: {reason}.")


POST = b"POST /2020-05-31/connection-function HTTP/1.1\nHost: 127.0.0.1"
CHUNKED = POST + b"\nTransfer-Encoding: chunked"

BAD_REQUESTS = {
    "host with a space": (
        request(b"GET / HTTP/1.1\nHost: a b"),
        refused("The Host header 'a b' is not a host name or address with an optional port."),
    ),
    "host with a path": (
        request(b"GET / HTTP/1.1\nHost: a/b?"),
        refused("The Host header 'a/b?' is not a host name or address with an optional port."),
    ),
    "host with non-ASCII": (
        request(b"GET / HTTP/1.1\nHost: caf\xc3\xa9"),
        refused(
            "The Host header 'caf\\xc3\\xa9' is not a host name or address with an optional port."
        ),
    ),
    "two hosts": (
        request(b"GET / HTTP/1.1\nHost: a\nHost: b"),
        malformed("Found multiple Host: headers"),
    ),
    "no host": (request(b"GET / HTTP/1.1"), malformed("Missing mandatory Host: header")),
    "content-length not a number": (
        request(POST + b"\nContent-Length: 12abc"),
        malformed("bad Content-Length"),
    ),
    "content-length negative": (
        request(POST + b"\nContent-Length: -1"),
        malformed("bad Content-Length"),
    ),
    "content-length of 30 digits": (
        request(POST + b"\nContent-Length: " + b"9" * 30),
        malformed("bad Content-Length"),
    ),
    "content-length over the limit": (
        request(POST + b"\nContent-Length: 99999999999"),
        refused("The request body is 99999999999 bytes; cfmock accepts at most 1048576."),
    ),
    "content-lengths that differ": (
        request(POST + b"\nContent-Length: 5\nContent-Length: 6", b"hello"),
        malformed("conflicting Content-Length headers"),
    ),
    "content-length listing two values": (
        request(POST + b"\nContent-Length: 5, 6", b"hello"),
        malformed("conflicting Content-Length headers"),
    ),
    "content-length and transfer-encoding": (
        request(CHUNKED + b"\nContent-Length: 5", b"0\r\n\r\n"),
        refused(
            "The request has both Content-Length and Transfer-Encoding; cfmock accepts one "
            "framing only."
        ),
    ),
    "transfer-encoding not chunked": (
        request(POST + b"\nTransfer-Encoding: gzip"),
        malformed("Only Transfer-Encoding: chunked is supported"),
    ),
    "chunk size not hex": (
        request(CHUNKED, b"zz\r\nab\r\n0\r\n\r\n"),
        malformed("illegal chunk header: b'zz\\r\\n'"),
    ),
    "chunk size negative": (
        request(CHUNKED, b"-2\r\nab\r\n0\r\n\r\n"),
        malformed("illegal chunk header: b'-2\\r\\n'"),
    ),
    "chunk size of 21 hex digits": (
        request(CHUNKED, b"1" + b"0" * 20 + b"\r\nab\r\n0\r\n\r\n"),
        malformed("illegal chunk header: b'100000000000000000000\\r\\n'"),
    ),
    "chunk without its CRLF": (
        request(CHUNKED, b"2\r\nabXX0\r\n\r\n"),
        malformed("malformed chunk footer: b'XX' (expected b'\\r\\n')"),
    ),
    "chunk size line with a bare LF": (
        request(CHUNKED, b"2\nab\r\n0\r\n\r\n"),
        malformed("illegal chunk header: b'2\\nab\\r\\n'"),
    ),
    "HTTP/2.0": (
        request(b"GET / HTTP/2.0\nHost: a"),
        refused("HTTP/2.0 is not supported; cfmock speaks HTTP/1.1."),
    ),
    "no HTTP version": (request(b"GET /"), malformed("illegal request line: b'GET /'")),
    "space before the colon": (
        request(POST + b"\nContent-Length : 5", b"hello"),
        malformed("illegal header line: b'Content-Length : 5'"),
    ),
    "an overlong request line": (
        request(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\nHost: a"),
        refused(
            "The request line and header fields are over 65536 bytes; cfmock accepts at most 65536."
        ),
    ),
    "too many header fields": (
        request(b"GET / HTTP/1.1\nHost: a" + b"".join(b"\nX-%d: 1" % i for i in range(100))),
        refused("The request has 101 header fields; cfmock accepts at most 100."),
    ),
}


@pytest.mark.parametrize(("data", "expected"), BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_bad_framing_is_refused_and_the_connection_closed(
    server: MockServer, data: bytes, expected: tuple[int, str, str]
) -> None:
    with Raw(server) as raw:
        answer = raw.send(data).answer()
        assert answer.error() == expected
        assert answer.headers["connection"] == "close"
        assert raw.rest() == b""
    assert list(server.dispatcher.calls) == []
    with Raw(server) as raw:
        assert raw.send(LIST).answer().status == 200


SMUGGLED = b"POST /2020-05-31/connection-functions HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
"""ListConnectionFunctions: a call the log would show if the server ever answered it."""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            request(POST + b"\nContent-Length: 1048577", SMUGGLED),
            "The request body is 1048577 bytes; cfmock accepts at most 1048576.",
        ),
        (
            request(CHUNKED + b"\nContent-Length: 5", b"0\r\n\r\n" + SMUGGLED),
            "The request has both Content-Length and Transfer-Encoding; cfmock accepts one "
            "framing only.",
        ),
        (
            request(POST + b"\nContent-Length: 0\nContent-Length: %d" % len(SMUGGLED), SMUGGLED),
            "The request is not valid HTTP/1.1: conflicting Content-Length headers.",
        ),
        (
            request(CHUNKED, b"zz\r\n" + SMUGGLED),
            "The request is not valid HTTP/1.1: illegal chunk header: b'zz\\r\\n'.",
        ),
        (
            request(b"GET / HTTP/2.0\nHost: a\nContent-Length: %d" % len(SMUGGLED), SMUGGLED),
            "HTTP/2.0 is not supported; cfmock speaks HTTP/1.1.",
        ),
    ],
    ids=["oversize", "content-length and chunked", "two lengths", "bad chunk", "version"],
)
def test_a_refused_request_s_body_is_never_read_as_a_request(
    server: MockServer, data: bytes, message: str
) -> None:
    with Raw(server) as raw:
        assert raw.send(data).answer().error() == (400, "InvalidArgument", message)
        # One answer, then the end of the connection: the smuggled request was not answered.
        assert raw.rest() == b""
    assert list(server.dispatcher.calls) == []


def test_a_chunked_body_over_the_limit_is_refused_as_it_arrives(server: MockServer) -> None:
    with Raw(server) as raw:
        raw.send(request(CHUNKED, b"100001\r\n"))
        raw.send(b"x" * (1024 * 1024 + 1) + b"\r\n0\r\n\r\n" + SMUGGLED)
        assert raw.answer().error() == refused(
            "The request body is over 1048576 bytes; cfmock accepts at most 1048576."
        )
        assert raw.rest() == b""
    assert list(server.dispatcher.calls) == []


class RecordingSocket:
    """A connection's socket that records the size of every ``recv``."""

    def __init__(self, sock: socket.socket, sizes: list[int]) -> None:
        self._socket, self._sizes = sock, sizes

    def recv(self, size: int) -> bytes:
        self._sizes.append(size)
        return self._socket.recv(size)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._socket, name)


class RecordingServer(MockServer):
    def __init__(self) -> None:
        super().__init__("127.0.0.1", 0, MockOptions())
        self.sizes: list[int] = []

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        return cast(socket.socket, RecordingSocket(connection, self.sizes)), address


Server = TypeVar("Server", bound=MockServer)


@contextmanager
def running(mock: Server) -> Iterator[Server]:
    thread = threading.Thread(target=mock.serve_forever, daemon=True)
    thread.start()
    try:
        yield mock
    finally:
        mock.shutdown()
        mock.server_close()
        thread.join(5)


@pytest.mark.parametrize(
    "framing",
    [b"Content-Length: 1048576", b"Transfer-Encoding: chunked"],
    ids=["content-length", "chunked"],
)
def test_a_body_of_the_largest_size_is_read_in_bounded_pieces(framing: bytes) -> None:
    body = b"x" * MAX_BODY_BYTES
    if framing.startswith(b"Transfer"):
        body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    with running(RecordingServer()) as mock, Raw(mock) as raw:
        raw.send(request(b"POST /_cfmock/state HTTP/1.1\nHost: a\n" + framing, body))
        answer = raw.answer()
        assert (answer.status, json.loads(answer.body)["error"]) == (
            404,
            "no control endpoint POST /_cfmock/state",
        )
        assert raw.send(LIST).answer().status == 200  # the connection is still in step
        sizes = mock.sizes
    assert max(sizes) == READ_BYTES == 64 * 1024
    assert len(sizes) >= MAX_BODY_BYTES // READ_BYTES


def test_a_stalled_request_times_out_with_408_and_an_idle_connection_closes_quietly() -> None:
    with running(MockServer("127.0.0.1", 0, MockOptions(), read_timeout=0.2)) as mock:
        with Raw(mock) as raw:
            answer = raw.send(b"POST /2020-05-31/connection-function HTTP/1.1\r\nHo").answer()
            assert answer.error() == (
                408,
                "RequestTimeout",
                "cfmock waited 0.2 s for the rest of the request and closed the connection.",
            )
            assert answer.headers["connection"] == "close"
            assert raw.rest() == b""
        with Raw(mock) as raw:
            raw.send(request(POST + b"\nContent-Length: 10", b"<Create"))
            assert raw.answer().error()[:2] == (408, "RequestTimeout")
            assert raw.rest() == b""
        with Raw(mock) as raw:
            assert raw.send(LIST).answer().status == 200
            assert raw.rest() == b""  # no second request: closed without an answer
    with running(MockServer("127.0.0.1", 0)) as mock:
        assert mock.read_timeout == READ_TIMEOUT_SECONDS == 30.0


def supported(service: str) -> str:
    return ", ".join(implemented_operations(service))


@pytest.mark.parametrize("method", ["FOO", "TRACE", "CONNECT", "OPTIONS"])
def test_unknown_methods_get_the_service_s_error_document(server: MockServer, method) -> None:
    with Raw(server) as raw:
        target = b"/2020-05-31/connection-function"
        raw.send(request(b"%s %s HTTP/1.1\nHost: 127.0.0.1" % (method.encode(), target)))
        assert raw.answer().error() == (
            400,
            "UnsupportedOperation",
            f"cfmock does not implement (no operation has this route) ({method} "
            f"/2020-05-31/connection-function); it implements {supported('cloudfront')}.",
        )
        target = b"/key-value-stores/arn/keys/k"
        raw.send(request(b"%s %s HTTP/1.1\nHost: 127.0.0.1" % (method.encode(), target)))
        assert raw.answer().error() == (
            400,
            "ValidationException",
            f"cfmock does not implement (no operation has this route) ({method} "
            f"/key-value-stores/arn/keys/k); it implements "
            f"{supported('cloudfront-keyvaluestore')}.",
        )
        assert raw.send(LIST).answer().status == 200  # the connection stays open


@pytest.mark.parametrize(
    ("target", "path"),
    [(b"example.com:443", "example.com:443"), (b"*", "*"), (b"http://[x/", "http://[x/")],
)
def test_targets_in_other_forms_are_refused_by_the_router(server, target, path) -> None:
    with Raw(server) as raw:
        raw.send(request(b"CONNECT %s HTTP/1.1\nHost: example.com:443" % target))
        assert raw.answer().error() == (
            400,
            "UnsupportedOperation",
            f"cfmock does not implement (no operation has this route) (CONNECT {path}); "
            f"it implements {supported('cloudfront')}.",
        )


def test_an_absolute_target_is_routed_by_its_path(server: MockServer) -> None:
    with Raw(server) as raw:
        target = b"http://cloudfront.amazonaws.com/2020-05-31/connection-functions"
        assert raw.send(request(b"POST %s HTTP/1.1\nHost: a" % target)).answer().status == 200
    assert [call.operation for call in server.dispatcher.calls] == ["ListConnectionFunctions"]


def test_request_targets_are_escaped_in_messages_and_log_lines(server, caplog) -> None:
    caplog.set_level(logging.INFO, logger="cfmock.server")
    with Raw(server) as raw:
        answer = raw.send(request(b"GET /x<&>y'\"\\ HTTP/1.1\nHost: a")).answer()
        assert answer.error() == (
            400,
            "UnsupportedOperation",
            "cfmock does not implement (no operation has this route) (GET /x<&>y'\"\\); it "
            f"implements {supported('cloudfront')}.",
        )
        assert b"/x&lt;&amp;&gt;y" in answer.body
    with Raw(server) as raw:
        raw.send(b"GET /a\rb\x1b[31m\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n" + LIST)
        assert raw.answer().error() == malformed(
            "illegal request line: b'GET /a\\rb\\x1b[31m\\xc3\\xa9 HTTP/1.1'"
        )
        assert raw.rest() == b""
    with Raw(server) as raw:
        raw.send(b"G\x00T\r\n /x\n\r\n\r\n")
        assert raw.answer().error() == malformed("illegal request line: b'G\\x00T'")
    lines = [r.getMessage() for r in caplog.records if r.name == "cfmock.server"]
    assert lines == [
        "GET /x<&>y'\"\\x5c -> 400 - UnsupportedOperation",
        "GET /a\\x0db\\x1b[31m\\xc3\\xa9 -> 400 - InvalidArgument",
        "G\\x00T - -> 400 - InvalidArgument",
    ]
    assert not any(c in line for line in lines for c in "\r\n\x1b\x00")


def test_a_cfmock_bug_is_answered_with_500_and_logged(server, caplog, monkeypatch) -> None:
    caplog.set_level(logging.INFO, logger="cfmock.server")
    dispatcher = server.dispatcher
    dispatch = dispatcher.dispatch
    failures = iter([ZeroDivisionError("division by zero"), KeyError("k")])

    def broken(request: Any, service: str) -> Any:
        raise next(failures)

    monkeypatch.setattr(dispatcher, "dispatch", broken)
    with Raw(server) as raw:
        answer = raw.send(LIST).answer()
        assert answer.error() == (
            500,
            "InternalFailure",
            "cfmock failed to answer POST /2020-05-31/connection-functions (ZeroDivisionError). "
            "This is a bug in cfmock, not in the request: please report it at "
            "https://github.com/cfmock/cfmock/issues with the traceback from the cfmock server "
            "log.",
        )
        assert "connection" not in answer.headers
        raw.send(request(b"GET /key-value-stores/arn/keys/k HTTP/1.1\nHost: a"))
        assert raw.answer().error() == (
            500,
            "InternalFailure",
            "cfmock failed to answer GET /key-value-stores/arn/keys/k (KeyError). This is a bug "
            "in cfmock, not in the request: please report it at "
            "https://github.com/cfmock/cfmock/issues with the traceback from the cfmock server "
            "log.",
        )
        monkeypatch.setattr(dispatcher, "dispatch", dispatch)
        assert raw.send(LIST).answer().status == 200  # the same connection goes on
    bugs = [r for r in caplog.records if r.name == "cfmock.server" and r.levelno == logging.ERROR]
    assert [r.getMessage() for r in bugs] == [
        "cfmock bug while answering POST /2020-05-31/connection-functions",
        "cfmock bug while answering GET /key-value-stores/arn/keys/k",
    ]
    assert [type(r.exc_info[1]) for r in bugs if r.exc_info] == [ZeroDivisionError, KeyError]
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert infos[-3:-1] == [
        "POST /2020-05-31/connection-functions -> 500 - InternalFailure",
        "GET /key-value-stores/arn/keys/k -> 500 - InternalFailure",
    ]


def test_the_call_log_is_bounded() -> None:
    with running(MockServer("127.0.0.1", 0)) as mock:
        assert mock.dispatcher.calls.maxlen == MAX_CALLS == 10_000
    with running(MockServer("127.0.0.1", 0, max_calls=3)) as mock, Raw(mock) as raw:
        for _ in range(5):
            assert raw.send(LIST).answer().status == 200
        assert len(mock.dispatcher.calls) == 3
        raw.send(request(b"GET /_cfmock/state HTTP/1.1\nHost: a"))
        assert json.loads(raw.answer().body) == {
            "accounts": {},
            "calls": 3,
            "runtimeProfile": "faithful",
            "runs": [],
            "connections": [],
            "edge": None,
        }
        raw.send(request(b"POST /_cfmock/reset HTTP/1.1\nHost: a"))
        assert json.loads(raw.answer().body) == {"reset": True}
        assert mock.dispatcher.calls.maxlen == 3


def test_a_reset_does_not_reach_a_request_in_flight(server: MockServer, monkeypatch) -> None:
    before = server.dispatcher
    dispatch = before.dispatch

    def reset_midway(request: Any, service: str) -> Any:
        server.reset()  # as if POST /_cfmock/reset arrived on another connection
        return dispatch(request, service)

    monkeypatch.setattr(before, "dispatch", reset_midway)
    with Raw(server) as raw:
        assert raw.send(LIST).answer().status == 200
    after = server.dispatcher
    assert after is not before
    assert [call.operation for call in before.calls] == ["ListConnectionFunctions"]
    assert list(after.calls) == []


class CountingServer(MockServer):
    """Counts the reads of ``dispatcher``."""

    reads = 0

    @property
    def dispatcher(self) -> Dispatcher:
        self.reads += 1
        return self._dispatcher

    @dispatcher.setter
    def dispatcher(self, value: Dispatcher) -> None:
        self._dispatcher = value


@pytest.mark.parametrize(
    "data",
    [LIST, request(b"GET /_cfmock/state HTTP/1.1\nHost: a"), request(b"FOO / HTTP/1.1\nHost: a")],
    ids=["operation", "state", "refusal"],
)
def test_a_request_reads_the_dispatcher_once(data: bytes) -> None:
    with running(CountingServer("127.0.0.1", 0)) as mock, Raw(mock) as raw:
        raw.send(data).answer()
        assert mock.reads == 1
        raw.send(data).answer()
        assert mock.reads == 2


def test_head_is_answered_without_a_body_and_the_connection_goes_on(server: MockServer) -> None:
    with Raw(server) as raw:
        answer = raw.send(request(b"HEAD /_cfmock/state HTTP/1.1\nHost: a")).answer(head=True)
        assert (answer.status, answer.body) == (404, b"")
        # The length of the 404 a GET of an unknown endpoint gets (test_control_api).
        assert int(answer.headers["content-length"]) == len(
            json.dumps(
                {
                    "error": "no control endpoint HEAD /_cfmock/state",
                    "endpoints": list(CONTROL_ENDPOINTS),
                }
            ).encode()
        )
        assert raw.send(LIST).answer().status == 200


def test_pipelined_requests_are_answered_in_order(server: MockServer) -> None:
    with Raw(server) as raw:
        raw.send(LIST + request(b"GET /_cfmock/state HTTP/1.1\nHost: a") + LIST)
        first, second, third = raw.answer(), raw.answer(), raw.answer()
    assert (first.status, second.status, third.status) == (200, 200, 200)
    assert json.loads(second.body)["calls"] == 1
    assert len(server.dispatcher.calls) == 2


def test_expect_100_continue(server: MockServer) -> None:
    body = b"<not-xml"
    with Raw(server) as raw:
        raw.send(request(POST + b"\nExpect: 100-continue\nContent-Length: %d" % len(body)))
        assert raw.answer().status == 100
        assert raw.send(body).answer().error()[:2] == (400, "InvalidArgument")


def test_http_1_0_is_answered_and_closed(server: MockServer) -> None:
    with Raw(server) as raw:
        answer = raw.send(b"POST /2020-05-31/connection-functions HTTP/1.0\r\n\r\n").answer()
        assert (answer.status, answer.headers["connection"]) == (200, "close")
        assert raw.rest() == b""


def test_a_connection_close_request_is_answered_and_closed(server: MockServer) -> None:
    with Raw(server) as raw:
        raw.send(request(b"GET /_cfmock/state HTTP/1.1\nHost: a\nConnection: close") + LIST)
        answer = raw.answer()
        assert (answer.status, answer.headers["connection"]) == (200, "close")
        assert raw.rest() == b""
    assert list(server.dispatcher.calls) == []


def test_a_refused_head_request_gets_no_body_unless_it_was_not_understood(server) -> None:
    with Raw(server) as raw:
        answer = raw.send(request(b"HEAD / HTTP/1.1\nHost: a b")).answer(head=True)
        assert (answer.status, answer.headers["connection"], answer.body) == (400, "close", b"")
        assert raw.rest() == b""
    with Raw(server) as raw:
        # Not a request line: nothing says it is HEAD, so the answer has its body.
        answer = raw.send(request(b"HEAD /x HTTP/9\nHost: a")).answer()
        assert answer.error() == malformed("illegal request line: b'HEAD /x HTTP/9'")
        assert raw.rest() == b""


def test_an_answer_h11_cannot_send_is_a_500(server, monkeypatch, caplog) -> None:
    def bad_header(request: Any, service: str) -> HttpResponse:
        return HttpResponse(200, {"ETag": "E1\r\nSet-Cookie: x"}, b"", "ListConnectionFunctions")

    monkeypatch.setattr(server.dispatcher, "dispatch", bad_header)
    with Raw(server) as raw:
        answer = raw.send(LIST).answer()
        assert answer.error()[:2] == (500, "InternalFailure")
        assert "set-cookie" not in answer.headers
    [bug] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert bug.getMessage() == "cfmock bug while answering POST /2020-05-31/connection-functions"


@pytest.mark.parametrize(
    "host",
    [b"127.0.0.1:5000", b"[::1]:5000", b"123456789012.cloudfront-kvs.global.api.aws", b"a:", b""],
)
def test_hosts_that_are_accepted(server: MockServer, host: bytes) -> None:
    with Raw(server) as raw:
        raw.send(request(b"GET /_cfmock/state HTTP/1.1\nHost: " + host))
        assert raw.answer().status == 200
