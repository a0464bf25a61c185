"""The pytest plugin: the ``cfmock`` fixture and the ``cfmock`` marker.

Registered through the ``pytest11`` entry point, so installing cfmock is enough::

    def test_update(cfmock: cfmock.CloudFrontMock) -> None: ...

    @pytest.mark.cfmock(code_size_limit=40_960)
    def test_big_function(cfmock): ...

The marker takes the keyword options of :func:`cfmock.mock_connection_functions`; markers on
the test, its class and its module all apply, the closest one winning for each option.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cfmock._handle import CloudFrontMock
from cfmock._mock import mock_connection_functions


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``cfmock`` marker."""
    config.addinivalue_line(
        "markers",
        "cfmock(**options): options for the cfmock fixture, the keywords of "
        "cfmock.mock_connection_functions (e.g. code_size_limit=40960).",
    )


def _marker_options(node: pytest.Item) -> dict[str, Any]:
    options: dict[str, Any] = {}
    # iter_markers yields the closest marker first; apply the farthest first so the closest wins.
    for marker in reversed(list(node.iter_markers("cfmock"))):
        if marker.args:
            raise pytest.UsageError(
                f"cfmock: the cfmock marker takes keyword options only, got {marker.args!r} "
                f"on {node.nodeid}"
            )
        options.update(marker.kwargs)
    return options


@pytest.fixture
def cfmock(request: pytest.FixtureRequest) -> Iterator[CloudFrontMock]:
    """An active mock of the Connection Functions API for the test, yielding its handle."""
    __tracebackhide__ = True
    with mock_connection_functions(**_marker_options(request.node)) as handle:
        yield handle
