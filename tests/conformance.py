"""Helpers for the conformance suites: a served mock, and independent clients to drive it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cfmock._fronts.server import MockServer
from cfmock._options import MockOptions

JS_PROJECT = Path(__file__).resolve().parent / "js"


@contextmanager
def served() -> Iterator[MockServer]:
    """A cfmock server on a free localhost port, for the duration of the block."""
    server = MockServer("127.0.0.1", 0, MockOptions())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def client_environment(home: Path) -> dict[str, str]:
    """Dummy credentials and an empty configuration, whatever the machine has."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="AKIDCONFORMANCE",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_CONFIG_FILE=str(home / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_PAGER="",
    )
    return env


def install_aws_cli(folder: Path) -> Path:
    """The ``aws`` executable: ``$CFMOCK_AWS_CLI``, or the AWS CLI installed into *folder*.

    It gets a virtual environment of its own because awscli pins botocore exactly.
    """
    given = os.environ.get("CFMOCK_AWS_CLI")
    if given:
        return Path(given)
    venv = folder / "awscli-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "awscli"],
        check=True,
    )
    return venv / "bin" / "aws"


def node_available() -> str | None:
    """Why the JavaScript suite cannot run here, or ``None`` if it can."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


def install_js_sdk() -> None:
    """``npm ci`` the pinned AWS SDK for JavaScript into tests/js, once."""
    if (JS_PROJECT / "node_modules" / "@aws-sdk" / "client-cloudfront").is_dir():
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=JS_PROJECT,
        check=True,
    )
