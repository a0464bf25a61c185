"""The console script and ``python -m cfmock``."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from cfmock._cli import main
from cfmock._demo import run_demo
from cfmock._fronts import botocore_seam


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
