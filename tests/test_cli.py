"""The console script and ``python -m cfmock``."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys

import pytest

from cfmock import __version__
from cfmock._cli import main
from cfmock._options import MockOptions
from cfmock.exceptions import CfmockError


def cfmock(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m cfmock ARGS``, its help wrapped at 80 columns and (Python 3.14) not coloured."""
    return subprocess.run(
        [sys.executable, "-m", "cfmock", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80", "PYTHON_COLORS": "0"},
        timeout=120,
        check=False,
    )


def test_version() -> None:
    result = cfmock("--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"cfmock {__version__}\n", "")


def test_cfmock_alone_prints_the_help_and_exits_0() -> None:
    result = cfmock()
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == cfmock("--help").stdout
    lines = result.stdout.splitlines()
    assert lines[0] == "usage: cfmock [-h] [--version] COMMAND ..."
    for line in [
        "    demo      walk a connection function's life against the mock and print it",
        "    server    serve the mock over HTTP for the AWS CLI and other SDKs",
        "  cfmock demo              a connection function's life against the mock",
        "  cfmock server --port 0   the mock over HTTP for the AWS CLI and other SDKs",
        "  cfmock check gate.js     would CloudFront's runtime load gate.js?",
        "  cfmock COMMAND --help    a command's options and examples",
        "docs: https://github.com/cfmock/cfmock/blob/main/docs/cli.md",
    ]:
        assert line in lines


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "demo",
            [
                "Walk a connection function's life against the in-process mock and print each",
                "request and answer: create; a stale-ETag update refused (PreconditionFailed);",
                "examples:",
                "  cfmock demo --no-color > demo.txt",
                "  cfmock demo --color always | less -R",
            ],
        ),
        (
            "server",
            [
                "Serve the mock over HTTP on localhost for the AWS CLI, the AWS SDK for",
                "control API (for test harnesses, not for AWS clients):",
                "  POST /_cfmock/reset        forget everything the mock holds",
                "  GET  /_cfmock/state        what the mock holds, the calls and the connections",
                "  cfmock server --port 0               a free port, printed on the first line",
                "  aws cloudfront list-connection-functions --endpoint-url http://127.0.0.1:5000",
                "  POST /_cfmock/keys         put keys into a KeyValueStore",
                "  HTTP_PROXY=http://127.0.0.1:5000 aws cloudfront-keyvaluestore"
                " describe-key-value-store \\",
            ],
        ),
        (
            "check",
            [
                "Report the first construct in each FILE that CloudFront's cloudfront-js-2.0",
                "examples:",
                "  cfmock check --format json functions/*.js",
                "  cat gate.js | cfmock check -",
            ],
        ),
    ],
)
def test_each_command_has_a_description_and_examples(command, expected) -> None:
    result = cfmock(command, "--help")
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"usage: cfmock {command} [-h]")
    missing = [line for line in expected if line not in lines]
    assert not missing, result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["server", "--port", "70000"],
            "cfmock server: argument --port: '70000' is not a port number from 0 to 65535",
        ),
        (
            ["server", "--port", "-1"],
            "cfmock server: argument --port: '-1' is not a port number from 0 to 65535",
        ),
        (
            ["server", "--port", "http"],
            "cfmock server: argument --port: 'http' is not a port number from 0 to 65535",
        ),
        (
            ["server", "--edge-port", "65536"],
            "cfmock server: argument --edge-port: '65536' is not a port number from 0 to 65535",
        ),
        (
            ["server", "--account", "12ab"],
            "cfmock server: argument --account: '12ab' is not an AWS account ID (12 digits)",
        ),
        (
            ["server", "--account", "1234567890123"],
            "cfmock server: argument --account: '1234567890123' is not an AWS account ID "
            "(12 digits)",
        ),
        (
            ["server", "--account", "\u0661" * 12],
            f"cfmock server: argument --account: {chr(0x661) * 12!r} is not an AWS account ID "
            "(12 digits)",
        ),
        (
            ["server", "--edge-origin", "http://127.0.0.1:8080"],
            "cfmock server: --edge-origin needs --edge-port, the edge that forwards to it",
        ),
        (
            ["server", "--verbose"],
            "cfmock server: unrecognized arguments: --verbose",
        ),
        (
            ["demo", "--colour"],
            "cfmock demo: unrecognized arguments: --colour",
        ),
        (
            ["check"],
            "cfmock check: the following arguments are required: FILE",
        ),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_a_bad_argument_is_one_line_and_exit_2(args, message) -> None:
    result = cfmock(*args)
    command = " ".join(["cfmock", *args[:1]])
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"{message}; see '{command} --help'\n",
    )


def test_an_unknown_command_is_one_line_and_exit_2() -> None:
    result = cfmock("serve")
    assert (result.returncode, result.stdout) == (2, "")
    # Python versions quote the choices differently, and newer ones may suggest one.
    assert result.stderr.startswith("cfmock: argument COMMAND: invalid choice: 'serve'")
    assert result.stderr.endswith("); see 'cfmock --help'\n")
    assert result.stderr.count("\n") == 1


def test_a_reader_that_leaves_early_gets_no_traceback() -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "cfmock", "demo"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (1, "")


@pytest.mark.parametrize("profile", ["modern", "Permissive", ""])
def test_server_with_an_unknown_profile_is_a_usage_error(capsys, profile) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["server", "--port", "0", "--profile", profile])
    assert excinfo.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cfmock server: argument --profile: invalid choice: '{profile}'")
    assert "faithful" in err and "permissive" in err
    assert err.count("\n") == 1


def test_server_takes_the_profile_to_its_options(monkeypatch, capsys) -> None:
    from cfmock._fronts import server as server_module

    seen: list[MockOptions] = []

    class Refused(server_module.MockServer):
        def __init__(self, host: str, port: int, options: MockOptions) -> None:
            seen.append(options)
            raise OSError("not serving in this test")

    monkeypatch.setattr(server_module, "MockServer", Refused)
    assert main(["server", "--port", "0"]) == 2
    assert main(["server", "--port", "0", "--profile", "permissive"]) == 2
    assert (
        main(["server", "--port", "0", "--profile", "permissive", "--account", "111122223333"]) == 2
    )
    assert [(o.runtime_profile, o.account_id) for o in seen] == [
        ("faithful", "123456789012"),
        ("permissive", "123456789012"),
        ("permissive", "111122223333"),
    ]
    assert capsys.readouterr().err == "cfmock server: not serving in this test\n" * 3


def test_server_on_a_port_in_use_exits_2_and_says_why(capsys) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["server", "--host", "127.0.0.1", "--port", str(port)]) == 2
    assert capsys.readouterr().err == (
        f"cfmock server: [Errno {errno.EADDRINUSE}] {os.strerror(errno.EADDRINUSE)}\n"
    )


def test_an_error_of_cfmock_s_own_carries_one_prefix(monkeypatch, capsys) -> None:
    from cfmock._fronts import server as server_module

    class Refused(server_module.MockServer):
        def __init__(self, host: str, port: int, options: MockOptions) -> None:
            raise CfmockError("cfmock: the edge has no certificate for this host")

    monkeypatch.setattr(server_module, "MockServer", Refused)
    args = ["server", "--port", "0", "--edge-port", "0", "--edge-origin", "https://example.com"]
    assert main(args) == 2
    assert capsys.readouterr().err == "cfmock server: the edge has no certificate for this host\n"
