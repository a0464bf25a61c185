"""Every test runs as on a machine with no AWS configuration and no credentials."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from hypothesis import settings

from cfmock import CloudFrontMock, mock_connection_functions
from cfmock._fronts.server import MockServer
from tests.conformance import aws_cli, require_tool, served

# In CI every Hypothesis test draws the same examples on every run, so a run's result depends
# only on the code; locally each run explores new ones (a failure prints its seed to replay).
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def no_aws_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    empty = tmp_path_factory.mktemp("aws")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def cf() -> Iterator[CloudFrontMock]:
    with mock_connection_functions() as handle:
        yield handle


@pytest.fixture
def client(cf: CloudFrontMock):
    return boto3.client("cloudfront", region_name="us-east-1")


@pytest.fixture(scope="module")
def aws() -> Path:
    """The AWS CLI the conformance suites drive (skipped, or failed in CI, where it is missing)."""
    path, missing = aws_cli()
    require_tool(missing)
    assert path is not None
    return path


@pytest.fixture
def server() -> Iterator[MockServer]:
    """A cfmock server on a free localhost port (test modules may define their own)."""
    with served() as mock:
        yield mock
