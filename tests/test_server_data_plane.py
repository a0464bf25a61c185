"""``cfmock server`` as a plain HTTP proxy: the KeyValueStore data plane from boto3, and
``POST /_cfmock/keys``.

botocore's endpoint rules put the store's account in front of a custom endpoint's host
(``http://123456789012.kvs.cfmock:PORT``); through ``Config(proxies=...)`` no name resolves, and
the server routes the absolute-form target by its path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import botocore
import pytest
from botocore.config import Config

from cfmock._fronts.http1 import target_path
from cfmock._fronts.server import MockServer
from tests.conformance import served
from tests.test_server import Raw, raw, request


@pytest.fixture(scope="module")
def running() -> Iterator[MockServer]:
    with served() as mock:
        yield mock


@pytest.fixture
def server(running: MockServer) -> MockServer:
    """One server for the module (a server takes 0.5 s to stop), reset for each test."""
    running.reset()
    return running


def clients(mock: MockServer, access_key: str = "AKIDEXAMPLE") -> tuple[Any, Any]:
    """A CloudFront and a data-plane client that reach *mock* as their HTTP proxy, as the
    server's documentation tells users to configure them."""
    port = mock.server_address[1]
    common: dict[str, Any] = {
        "region_name": "us-east-1",
        "aws_access_key_id": access_key,
        "aws_secret_access_key": "secret",
    }
    proxy = {"http": mock.url}
    cloudfront = boto3.client(
        "cloudfront",
        endpoint_url=f"http://cloudfront.cfmock:{port}",
        config=Config(proxies=proxy),
        **common,
    )
    keys = boto3.client(
        "cloudfront-keyvaluestore",
        endpoint_url=f"http://kvs.cfmock:{port}",
        config=Config(proxies=proxy, signature_version=botocore.UNSIGNED),
        **common,
    )
    return cloudfront, keys


def test_boto3_puts_and_gets_a_key_through_the_proxy(server: MockServer) -> None:
    cloudfront, keys = clients(server)
    arn = cloudfront.create_key_value_store(Name="allowlist")["KeyValueStore"]["ARN"]
    etag = keys.describe_key_value_store(KvsARN=arn)["ETag"]
    put = keys.put_key(KvsARN=arn, Key="10:01", Value="revoked", IfMatch=etag)
    assert (put["ItemCount"], put["ETag"]) == (1, "KV3UN6WX5RRO2AG")
    got = keys.get_key(KvsARN=arn, Key="10:01")
    assert (got["Key"], got["Value"]) == ("10:01", "revoked")
    updated = keys.update_keys(
        KvsARN=arn, IfMatch=put["ETag"], Puts=[{"Key": "a", "Value": "1"}], Deletes=[]
    )
    assert updated["ItemCount"] == 2
    listed = keys.list_keys(KvsARN=arn)["Items"]
    assert [item["Key"] for item in listed] == ["10:01", "a"]
    keys.delete_key(KvsARN=arn, Key="a", IfMatch=updated["ETag"])
    with pytest.raises(keys.exceptions.ResourceNotFoundException):
        keys.get_key(KvsARN=arn, Key="a")
    operations = [(call.service, call.operation) for call in server.dispatcher.calls]
    assert operations == [
        ("cloudfront", "CreateKeyValueStore"),
        ("cloudfront-keyvaluestore", "DescribeKeyValueStore"),
        ("cloudfront-keyvaluestore", "PutKey"),
        ("cloudfront-keyvaluestore", "GetKey"),
        ("cloudfront-keyvaluestore", "UpdateKeys"),
        ("cloudfront-keyvaluestore", "ListKeys"),
        ("cloudfront-keyvaluestore", "DeleteKey"),
        ("cloudfront-keyvaluestore", "GetKey"),
    ]


def test_a_stale_etag_through_the_proxy_is_the_data_plane_s_modeled_error(server) -> None:
    cloudfront, keys = clients(server, "111122223333")
    arn = cloudfront.create_key_value_store(Name="s")["KeyValueStore"]["ARN"]
    assert ":111122223333:" in arn
    with pytest.raises(keys.exceptions.ValidationException) as excinfo:
        keys.put_key(KvsARN=arn, Key="k", Value="v", IfMatch="stale")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_sigv4a_signature_is_accepted_unverified_and_names_the_account(server) -> None:
    arn_path = "/key-value-stores/arn%3Aaws%3Acloudfront%3A%3A111122223333%3Akey-value-store%2Fx"
    authorization = (
        "AWS4-ECDSA-P256-SHA256 Credential=111122223333/20261130/cloudfront-keyvaluestore/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature=3045022100ff"
    )
    with Raw(server) as connection:
        target = f"http://111122223333.kvs.cfmock:4566{arn_path}".encode()
        head = b"GET %s HTTP/1.1\nHost: 111122223333.kvs.cfmock:4566\nAuthorization: %s" % (
            target,
            authorization.encode(),
        )
        answer = connection.send(request(head)).answer()
    assert answer.error()[:2] == (404, "ResourceNotFoundException")
    call = server.dispatcher.calls[-1]
    assert (call.service, call.operation, call.account_id) == (
        "cloudfront-keyvaluestore",
        "DescribeKeyValueStore",
        "111122223333",
    )


def test_a_refused_absolute_form_data_plane_request_gets_the_data_plane_s_error(server) -> None:
    with Raw(server) as connection:
        head = (
            b"PUT http://123456789012.kvs.cfmock/key-value-stores/a/keys/k HTTP/1.1\n"
            b"Host: 123456789012.kvs.cfmock\nContent-Length: 2\nTransfer-Encoding: chunked"
        )
        answer = connection.send(request(head)).answer()
    assert answer.error() == (
        400,
        "ValidationException",
        "The request has both Content-Length and Transfer-Encoding; cfmock accepts one framing "
        "only.",
    )


def test_the_control_api_answers_through_the_proxy_too(server: MockServer) -> None:
    with Raw(server) as connection:
        target = f"{server.url}/_cfmock/state".encode()
        answer = connection.send(request(b"GET %s HTTP/1.1\nHost: cfmock" % target)).answer()
    assert answer.status == 200
    assert json.loads(answer.body)["accounts"] == {}


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("/key-value-stores?x=/y", "/key-value-stores"),
        ("http://h:1/key-value-stores/a?b=c", "/key-value-stores/a"),
        ("HTTPS://h", "/"),
        ("http://[x/", "http://[x/"),
        ("h:443", "h:443"),
        ("*", "*"),
    ],
)
def test_target_path(target: str, path: str) -> None:
    assert target_path(target) == path


# -- POST /_cfmock/keys -------------------------------------------------------------------------


def post_keys(mock: MockServer, body: object) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, answer = raw(mock, "POST", "/_cfmock/keys", data)
    return status, json.loads(answer)


def test_keys_are_seeded_by_name_or_arn_without_an_etag(server: MockServer) -> None:
    cloudfront, keys = clients(server)
    arn = cloudfront.create_key_value_store(Name="allowlist")["KeyValueStore"]["ARN"]
    status, answer = post_keys(server, {"store": "allowlist", "keys": {"a": "1", "b": "2"}})
    assert status == 200
    assert answer == {"name": "allowlist", "arn": arn, "itemCount": 2, "etag": "KV3UN6WX5RRO2AG"}
    status, answer = post_keys(server, {"store": arn, "keys": {"a": "one"}})
    assert (status, answer["itemCount"], answer["etag"]) == (200, 2, "KV1F83G8C2ARO7P")
    assert keys.get_key(KvsARN=arn, Key="a")["Value"] == "one"
    assert keys.describe_key_value_store(KvsARN=arn)["ETag"] == answer["etag"]
    assert server.state()["accounts"]["123456789012"]["keyValueStores"][0]["itemCount"] == 2


def test_keys_are_seeded_in_another_account(server: MockServer) -> None:
    cloudfront, _ = clients(server, "111122223333")
    cloudfront.create_key_value_store(Name="theirs")
    body = {"store": "theirs", "keys": {"k": "v"}, "account": "111122223333"}
    status, answer = post_keys(server, body)
    assert (status, answer["itemCount"]) == (200, 1)
    status, answer = post_keys(server, {"store": "theirs", "keys": {"k": "v"}})
    assert status == 400
    assert answer["error"] == (
        "POST /_cfmock/keys: no KeyValueStore 'theirs' in account 123456789012"
    )


EXAMPLE = {"store": "allowlist", "keys": {"10:01": "revoked"}}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{", "the body must be a JSON object"),
        (b"[" * 100_000, "the body must be a JSON object"),
        ([], "the body must be a JSON object"),
        ({"store": "s", "keys": {}, "etag": "x"}, "unknown member(s) etag"),
        ({"keys": {}}, "member store (the KeyValueStore's name or ARN) is required"),
        ({"store": "", "keys": {}}, "member store (the KeyValueStore's name or ARN) is required"),
        ({"store": 1, "keys": {}}, "member store (the KeyValueStore's name or ARN) is required"),
        ({"store": "s"}, "member keys (a JSON object of keys to string values) is required"),
        (
            {"store": "s", "keys": [["k", "v"]]},
            "member keys (a JSON object of keys to string values) is required",
        ),
        ({"store": "s", "keys": {}, "account": "1234"}, "member account must be 12 digits"),
        ({"store": "s", "keys": {}, "account": 123456789012}, "member account must be 12 digits"),
        (
            {"store": "s", "keys": {}, "account": "１２３４５６７８９０１２"},
            "member account must be 12 digits",
        ),
        ({"store": "missing", "keys": {}}, "no KeyValueStore 'missing' in account 123456789012"),
        (
            {"store": "s", "keys": {"k": 1}},
            "CloudFront would reject this seed with ValidationException: The value of key 'k' "
            "is int; keys and values are strings.",
        ),
        (
            {"store": "s", "keys": {"k": "\ud800"}},
            "CloudFront would reject this seed with ValidationException: The value of key 'k' "
            "holds an unpaired surrogate; strings must be valid Unicode.",
        ),
        (
            {"store": "s", "keys": {"a": "1", "": "v"}},  # all or nothing: "a" is not put
            "CloudFront would reject this seed with ValidationException: The key '' is 0 bytes; "
            "keys are 1 to 512 bytes.",
        ),
    ],
)
def test_a_keys_body_that_does_not_fit_is_a_clear_400(server, body: object, problem: str) -> None:
    clients(server)[0].create_key_value_store(Name="s")
    status, answer = post_keys(server, body)
    assert (status, answer) == (
        400,
        {"error": f"POST /_cfmock/keys: {problem}", "example": EXAMPLE},
    )
    assert server.state()["accounts"]["123456789012"]["keyValueStores"][0]["itemCount"] == 0
