"""``cfmock server``: the core over HTTP, driven by boto3 and by raw HTTP."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from cfmock._fronts.server import MockServer
from cfmock._options import MockOptions
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
        client.list_distributions()
    code, status, message = error_of(excinfo)
    assert (code, status) == ("UnsupportedOperation", 400)
    assert message.startswith(
        "cfmock does not implement ListDistributions (GET /2020-05-31/distribution)"
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
    assert json.loads(answer)["endpoints"] == ["POST /_cfmock/reset", "GET /_cfmock/state"]


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
