"""The router on a model of its own: greedy labels, literals before labels, static query keys.

CloudFront's models have no greedy ``{label+}`` route today; a model that does must still route,
because the router is read from whatever model botocore ships.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.model import ServiceModel

from cfmock._wire.model import Router


def _model(operations: dict[str, tuple[str, str]]) -> ServiceModel:
    description: dict[str, Any] = {
        "metadata": {"protocol": "rest-json", "apiVersion": "2020-01-01", "serviceId": "Toy"},
        "operations": {
            name: {"name": name, "http": {"method": method, "requestUri": uri}}
            for name, (method, uri) in operations.items()
        },
        "shapes": {},
    }
    return ServiceModel(description, "toy")


ROUTER = Router(
    _model(
        {
            "GetObject": ("GET", "/buckets/{Bucket}/objects/{Key+}"),
            "ListObjects": ("GET", "/buckets/{Bucket}/objects"),
            "GetPolicy": ("GET", "/buckets/{Bucket}/policy"),
            "GetThing": ("GET", "/buckets/{Bucket}/{Thing}"),
            "Tag": ("POST", "/tagging?Operation=Tag"),
            "TagAny": ("POST", "/tagging?Flag"),
            "Root": ("GET", "/"),
        }
    )
)


@pytest.mark.parametrize(
    ("method", "path", "query", "expected"),
    [
        (
            "GET",
            "/buckets/b/objects/a/b%20c/d",
            {},
            ("GetObject", {"Bucket": "b", "Key": "a/b c/d"}),
        ),
        ("GET", "/buckets/b/objects", {}, ("ListObjects", {"Bucket": "b"})),
        ("GET", "/buckets/b/policy", {}, ("GetPolicy", {"Bucket": "b"})),
        ("GET", "/buckets/b/other", {}, ("GetThing", {"Bucket": "b", "Thing": "other"})),
        ("get", "/buckets/b/objects/k", {}, ("GetObject", {"Bucket": "b", "Key": "k"})),
        ("POST", "/tagging", {"Operation": ["Tag"]}, ("Tag", {})),
        ("POST", "/tagging", {"Flag": [""]}, ("TagAny", {})),
        ("GET", "/", {}, ("Root", {})),
    ],
)
def test_a_request_routes_to_its_operation(
    method: str, path: str, query: dict[str, list[str]], expected: tuple[str, dict[str, str]]
) -> None:
    matched = ROUTER.match(method, path, query)
    assert matched is not None
    operation, labels = matched
    assert (operation.name, labels) == expected


@pytest.mark.parametrize(
    ("method", "path", "query"),
    [
        ("GET", "/buckets", {}),
        ("DELETE", "/buckets/b/objects/k", {}),
        ("POST", "/tagging", {"Operation": ["Untag"]}),
        ("POST", "/tagging", {}),
        ("GET", "/elsewhere/b/objects", {}),
    ],
)
def test_a_request_no_route_fits_is_not_routed(
    method: str, path: str, query: dict[str, list[str]]
) -> None:
    assert ROUTER.match(method, path, query) is None
