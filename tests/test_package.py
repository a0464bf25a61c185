"""The public surface: names, lazy exports and the supported-operations page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import cfmock
from cfmock._dispatch import IMPLEMENTED_DATA_PLANE_OPERATIONS, IMPLEMENTED_OPERATIONS
from cfmock._wire.model import KEY_VALUE_STORE, service_model

OPERATIONS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "operations.md"


def test_every_public_name_resolves() -> None:
    assert sorted(cfmock.__all__) == cfmock.__all__
    for name in cfmock.__all__:
        assert getattr(cfmock, name).__name__ == name
    assert set(cfmock.__all__) <= set(dir(cfmock))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'cfmock' has no attribute 'Nope'"):
        cfmock.Nope  # noqa: B018


def _listed(section: str) -> list[str]:
    text = OPERATIONS_PAGE.read_text()
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^- `(\w+)`", body, re.MULTILINE)


def test_operations_page_lists_exactly_what_is_implemented() -> None:
    assert _listed("Implemented") == list(IMPLEMENTED_OPERATIONS)


def test_operations_page_lists_every_other_cloudfront_operation_as_not_implemented() -> None:
    others = sorted(set(service_model().operation_names) - set(IMPLEMENTED_OPERATIONS))
    assert _listed("Not implemented") == others


def test_operations_page_lists_the_whole_data_plane() -> None:
    every = sorted(service_model(KEY_VALUE_STORE).operation_names)
    assert _listed("KeyValueStore data plane") == list(IMPLEMENTED_DATA_PLANE_OPERATIONS) == every
