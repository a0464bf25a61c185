"""The console script and ``python -m cfmock``."""

from __future__ import annotations

import errno
import io
import os
import socket
import subprocess
import sys

import pytest

from cfmock._cli import main
from cfmock._demo import run_demo
from cfmock._fronts import botocore_seam
from cfmock._options import MockOptions


def test_demo_walks_the_lifecycle_including_the_stale_etag_failure() -> None:
    out = io.StringIO()
    assert run_demo(out) == 0
    text = out.getvalue()
    assert '"ETag": "ETVPDKIKX0DER"' in text
    assert '"ETag": "E3UN6WX5RRO2AG"' in text
    assert (
        "-> 412 PreconditionFailed: The request failed because it didn't meet the "
        "preconditions in one or more request-header fields." in text
    )
    assert "-> 400 InvalidIfMatchVersion: The If-Match version is missing or not valid" in text
    assert "-> 413 EntitySizeLimitExceeded" in text
    assert "-> 404 EntityNotFound" in text
    assert not botocore_seam.is_installed()


def test_main_without_a_command_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main([])
    assert excinfo.value.code == 2
    assert "required: COMMAND" in capsys.readouterr().err


def test_python_dash_m_runs_the_demo() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "cfmock", "demo"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert "[1] create_connection_function" in completed.stdout
    assert "PreconditionFailed" in completed.stdout


def test_server_with_an_invalid_account_exits_2_and_says_why(capsys) -> None:
    assert main(["server", "--port", "0", "--account", "12ab"]) == 2
    assert capsys.readouterr().err == (
        "cfmock server: account_id must be a string of 12 digits, got '12ab'\n"
    )


@pytest.mark.parametrize("profile", ["modern", "Permissive", ""])
def test_server_with_an_unknown_profile_is_a_usage_error(capsys, profile) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["server", "--port", "0", "--profile", profile])
    assert excinfo.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --profile: invalid choice: '{profile}'" in err
    assert "'faithful'" in err and "'permissive'" in err


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
