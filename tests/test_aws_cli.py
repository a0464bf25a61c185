"""AWS CLI conformance: the real `aws cloudfront` commands against `cfmock server`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cfmock._fronts.server import MockServer
from tests.conformance import client_environment

CODE = b"function connectionHandler(connection) { connection.allow(); }\n"
DENY = b"function connectionHandler(connection) { connection.deny(); }\n"
CONFIG = json.dumps({"Comment": "from the AWS CLI", "Runtime": "cloudfront-js-2.0"})


class Cli:
    def __init__(self, aws: Path, server: MockServer, home: Path) -> None:
        self.aws, self.server, self.env = aws, server, client_environment(home)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                str(self.aws),
                "cloudfront",
                *args,
                "--endpoint-url",
                self.server.url,
                "--output",
                "json",
            ],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def json(self, *args: str) -> Any:
        completed = self.run(*args)
        assert completed.returncode == 0, completed.stderr
        return json.loads(completed.stdout) if completed.stdout.strip() else None


@pytest.fixture
def cli(aws: Path, server: MockServer, tmp_path: Path) -> Cli:
    return Cli(aws, server, tmp_path)


def test_the_lifecycle_through_the_aws_cli(cli: Cli, tmp_path: Path) -> None:
    code = tmp_path / "allow.js"
    code.write_bytes(CODE)
    deny = tmp_path / "deny.js"
    deny.write_bytes(DENY)

    created = cli.json(
        "create-connection-function",
        "--name",
        "cli-managed",
        "--connection-function-config",
        CONFIG,
        "--connection-function-code",
        f"fileb://{code}",
    )
    function_id = created["ConnectionFunctionSummary"]["Id"]
    assert created["ETag"] == "ETVPDKIKX0DER"
    assert created["ConnectionFunctionSummary"]["Status"] == "UNPUBLISHED"

    updated = cli.json(
        "update-connection-function",
        "--id",
        function_id,
        "--if-match",
        "ETVPDKIKX0DER",
        "--connection-function-config",
        CONFIG,
        "--connection-function-code",
        f"fileb://{deny}",
    )
    assert updated["ETag"] == "E3UN6WX5RRO2AG"

    stale = cli.run(
        "update-connection-function",
        "--id",
        function_id,
        "--if-match",
        "ETVPDKIKX0DER",
        "--connection-function-config",
        CONFIG,
        "--connection-function-code",
        f"fileb://{code}",
    )
    assert stale.returncode in (254, 255)
    assert "(PreconditionFailed)" in stale.stderr

    missing = cli.run(
        "update-connection-function",
        "--id",
        function_id,
        "--connection-function-config",
        CONFIG,
        "--connection-function-code",
        f"fileb://{code}",
    )
    assert missing.returncode != 0
    assert "--if-match" in missing.stderr

    described = cli.json("describe-connection-function", "--identifier", "cli-managed")
    assert described["ETag"] == "E3UN6WX5RRO2AG"
    assert described["ConnectionFunctionSummary"]["Id"] == function_id

    outfile = tmp_path / "downloaded.js"
    got = cli.json("get-connection-function", "--identifier", function_id, str(outfile))
    assert got["ETag"] == "E3UN6WX5RRO2AG"
    assert outfile.read_bytes() == DENY

    published = cli.json(
        "publish-connection-function", "--id", function_id, "--if-match", "E3UN6WX5RRO2AG"
    )
    assert published["ConnectionFunctionSummary"]["Stage"] == "LIVE"

    event = tmp_path / "event.json"
    event.write_text(json.dumps({"clientIp": "192.0.2.1"}))
    tested = cli.json(
        "test-connection-function",
        "--id",
        function_id,
        "--if-match",
        "E3UN6WX5RRO2AG",
        "--connection-object",
        f"fileb://{event}",
    )
    result = tested["ConnectionFunctionTestResult"]
    assert json.loads(result["ConnectionFunctionOutput"]) == {"connection": {"action": "deny"}}
    assert result["ConnectionFunctionErrorMessage"] == ""

    listed = cli.json("list-connection-functions")
    assert [s["Name"] for s in listed["ConnectionFunctions"]] == ["cli-managed"]

    cli.json("delete-connection-function", "--id", function_id, "--if-match", "E3UN6WX5RRO2AG")
    gone = cli.run("describe-connection-function", "--identifier", function_id)
    assert gone.returncode in (254, 255)
    assert "(EntityNotFound)" in gone.stderr
