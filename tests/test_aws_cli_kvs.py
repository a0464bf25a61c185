"""AWS CLI conformance: the KeyValueStore data plane (`aws cloudfront-keyvaluestore`) against
`cfmock server`, reached as the CLI's HTTP proxy, exactly as docs/server.md tells users.

The CLI's endpoint rules turn ``--endpoint-url http://kvs.cfmock:PORT`` into
``http://<account>.kvs.cfmock:PORT``, a name nothing resolves: with ``HTTP_PROXY`` pointing at
the server, the CLI hands it the whole URL and the server routes the request by its path.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from cfmock._fronts.server import MockServer
from tests.conformance import client_environment, require_tool


class Cli:
    """``aws`` with the server as its HTTP proxy and made-up ``http://`` endpoint host names."""

    def __init__(self, aws: Path, server: MockServer, home: Path) -> None:
        self.aws, self.port = aws, server.server_address[1]
        self.env = client_environment(home)
        for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "http_proxy"):
            self.env.pop(name, None)
        self.env["HTTP_PROXY"] = server.url

    def run(
        self, service: str, *args: str, access_key: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        host = "kvs.cfmock" if service == "cloudfront-keyvaluestore" else "cloudfront.cfmock"
        env = self.env if access_key is None else {**self.env, "AWS_ACCESS_KEY_ID": access_key}
        return subprocess.run(
            [str(self.aws), service, *args, "--endpoint-url", f"http://{host}:{self.port}"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def json(self, service: str, *args: str) -> Any:
        completed = self.run(service, *args, "--output", "json")
        assert completed.returncode == 0, completed.stderr
        return json.loads(completed.stdout) if completed.stdout.strip() else None

    def keys(self, *args: str) -> Any:
        """An unsigned data-plane call, which needs no awscrt."""
        return self.json("cloudfront-keyvaluestore", *args, "--no-sign-request")


@pytest.fixture
def cli(aws: Path, server: MockServer, tmp_path: Path) -> Cli:
    return Cli(aws, server, tmp_path)


def test_put_key_and_get_key_through_the_aws_cli(cli: Cli, server: MockServer) -> None:
    arn = cli.json("cloudfront", "create-key-value-store", "--name", "allowlist")["KeyValueStore"][
        "ARN"
    ]
    described = cli.keys("describe-key-value-store", "--kvs-arn", arn)
    assert (described["KvsARN"], described["ItemCount"]) == (arn, 0)

    put = cli.keys(
        "put-key",
        "--kvs-arn",
        arn,
        "--key",
        "10:01",
        "--value",
        "revoked",
        "--if-match",
        described["ETag"],
    )
    assert (put["ItemCount"], put["ETag"]) == (1, "KV3UN6WX5RRO2AG")
    got = cli.keys("get-key", "--kvs-arn", arn, "--key", "10:01")
    assert (got["Key"], got["Value"]) == ("10:01", "revoked")

    stale = cli.run(
        "cloudfront-keyvaluestore",
        "put-key",
        "--kvs-arn",
        arn,
        "--key",
        "k",
        "--value",
        "v",
        "--if-match",
        described["ETag"],
        "--no-sign-request",
    )
    assert stale.returncode in (254, 255)
    assert "(ValidationException)" in stale.stderr

    assert seed(server, "allowlist", {"10:02": "ok"})["itemCount"] == 2
    listed = cli.keys("list-keys", "--kvs-arn", arn)
    assert listed["Items"] == [
        {"Key": "10:01", "Value": "revoked"},
        {"Key": "10:02", "Value": "ok"},
    ]
    operations = [(call.service, call.operation) for call in server.dispatcher.calls]
    assert operations == [
        ("cloudfront", "CreateKeyValueStore"),
        ("cloudfront-keyvaluestore", "DescribeKeyValueStore"),
        ("cloudfront-keyvaluestore", "PutKey"),
        ("cloudfront-keyvaluestore", "GetKey"),
        ("cloudfront-keyvaluestore", "PutKey"),
        ("cloudfront-keyvaluestore", "ListKeys"),
    ]


def seed(server: MockServer, store: str, keys: dict[str, str]) -> Any:
    """``POST /_cfmock/keys``: keys put without an ETag."""
    request = urllib.request.Request(
        f"{server.url}/_cfmock/keys", data=json.dumps({"store": store, "keys": keys}).encode()
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def test_a_sigv4a_signed_get_key_through_the_aws_cli(cli: Cli, server: MockServer) -> None:
    arn = cli.json("cloudfront", "create-key-value-store", "--name", "signed")["KeyValueStore"][
        "ARN"
    ]
    seed(server, arn, {"k": "v"})
    # Signed (no --no-sign-request): the signature is not checked, but its access key, when it
    # is 12 digits, names the account, which shows the request came signed.
    completed = cli.run(
        "cloudfront-keyvaluestore",
        "get-key",
        "--kvs-arn",
        arn,
        "--key",
        "k",
        "--output",
        "json",
        access_key="111122223333",
    )
    if "Missing Dependency" in completed.stderr:
        require_tool(f"the AWS CLI at {cli.aws} cannot sign SigV4A (it has no awscrt)")
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["Value"] == "v"
    call = server.dispatcher.calls[-1]
    assert (call.operation, call.account_id) == ("GetKey", "111122223333")
