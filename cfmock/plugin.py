"""The pytest plugin: the ``cfmock`` fixture and the ``cfmock`` marker.

Registered through the ``pytest11`` entry point, so installing cfmock is enough::

    def test_update(cfmock: cfmock.CloudFrontMock) -> None: ...

    @pytest.mark.cfmock(code_size_limit=40_960)
    def test_big_function(cfmock): ...

The marker takes the keyword options of :func:`cfmock.mock_connection_functions`; markers on
the test, its class and its module all apply, the closest one winning for each option.

A plain test class decorated with ``@mock_connection_functions`` gets one fresh activation per
test from the autouse fixture ``_cfmock_test_class``: a plugin's autouse fixture is set up
before the class's own ``setup_method`` and torn down after its ``teardown_method``, so those
run mocked, in the test's state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from cfmock._handle import CloudFrontMock
from cfmock._mock import Activator, mock_connection_functions
from cfmock._options import MockOptions


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
    options = _marker_options(request.node)
    class_options = getattr(request.cls, "_cfmock_options", None)
    if class_options is not None:
        # In a class decorated with @mock_connection_functions(...), the fixture hands out the
        # handle of the class's activation: its options are the default, a marker can only
        # repeat them (a different value is the usual nested-options error).
        options = {**_fields(class_options), **options}
    with mock_connection_functions(**options) as handle:
        yield handle


def _fields(options: MockOptions) -> dict[str, Any]:
    return {field.name: getattr(options, field.name) for field in dataclasses.fields(options)}


@pytest.fixture(autouse=True)
def _cfmock_test_class(request: pytest.FixtureRequest) -> Iterator[None]:
    """One fresh activation per test of a class decorated with ``@mock_connection_functions``."""
    __tracebackhide__ = True
    options = getattr(request.cls, "_cfmock_options", None)
    if options is None:
        yield
        return
    with Activator(options):
        yield
