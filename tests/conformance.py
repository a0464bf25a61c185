"""Helpers for the conformance suites: a served mock, and independent clients to drive it."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

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


SETUP = "bash .ci/install-conformance-tools"
REPOSITORY = Path(__file__).resolve().parent.parent


def require_tool(missing: str | None) -> None:
    """Skip when a conformance tool is absent, with the command that installs it; in CI fail.

    CI installs every tool first (``.ci/run``), so a tool missing there is a broken build, not a
    reason to skip.
    """
    if missing is None:
        return
    message = f"{missing}; install the conformance tools with: {SETUP}"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {message}", pytrace=False)
    pytest.skip(message)


def aws_cli() -> tuple[Path | None, str | None]:
    """The ``aws`` executable to drive, or why there is none.

    ``$CFMOCK_AWS_CLI`` wins; otherwise the pinned CLI that ``.ci/install-conformance-tools``
    puts in ``.conformance/awscli``. Nothing is downloaded here.
    """
    given = os.environ.get("CFMOCK_AWS_CLI")
    path = Path(given) if given else REPOSITORY / ".conformance" / "awscli" / "bin" / "aws"
    if not path.is_file():
        return None, f"the AWS CLI is not installed at {path}"
    return path, None


def js_sdk() -> str | None:
    """Why the JavaScript suite cannot run here, or ``None`` if it can (nothing downloaded)."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not (JS_PROJECT / "node_modules" / "@aws-sdk" / "client-cloudfront").is_dir():
        return "the AWS SDK for JavaScript is not installed in tests/js/node_modules"
    return None
