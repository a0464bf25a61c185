"""botocore's service models of the mocked services, and the routers read from them.

Every route, status code and error status cfmock uses comes from here; nothing about the wire
is typed in by hand. A model is the one the first client of that service already holds
(:func:`adopt`, from the botocore seam), so that cfmock does not parse a second copy of it;
the server, which has no client, loads its own once.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from urllib.parse import unquote

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel

CLOUDFRONT = "cloudfront"
KEY_VALUE_STORE = "cloudfront-keyvaluestore"


_MODELS: dict[str, ServiceModel] = {}
_LOADING = threading.Lock()
_NEEDED = {CLOUDFRONT: "CreateConnectionFunction", KEY_VALUE_STORE: "PutKey"}
"""An operation a model must have to serve cfmock (a client may pin an older API version)."""


def adopt(model: ServiceModel) -> None:
    """Use a client's model of a mocked service from now on, if none is in use yet and it is
    one cfmock can answer with (not an older API version the client asked for)."""
    name = model.service_name
    if name in _NEEDED and name not in _MODELS and _NEEDED[name] in model.operation_names:
        _MODELS.setdefault(name, model)


def service_model(service_name: str = CLOUDFRONT) -> ServiceModel:
    """The model of *service_name*: a client's (:func:`adopt`), or botocore's newest, loaded
    once per process."""
    model = _MODELS.get(service_name)
    if model is None:
        with _LOADING:
            model = _MODELS.get(service_name)
            if model is None:
                loaded = Loader().load_service_model(service_name, "service-2")
                model = _MODELS.setdefault(service_name, ServiceModel(loaded, service_name))
    return model


@dataclass(frozen=True)
class _Segment:
    text: str
    is_label: bool
    is_greedy: bool


@dataclass(frozen=True)
class Route:
    """One operation's ``(method, requestUri)`` pair, split for matching."""

    operation: OperationModel
    method: str
    segments: tuple[_Segment, ...]
    static_query: tuple[tuple[str, str | None], ...]

    @property
    def literal_count(self) -> int:
        return sum(1 for segment in self.segments if not segment.is_label) + len(self.static_query)

    def match(self, parts: list[str], query: dict[str, list[str]]) -> dict[str, str] | None:
        for key, value in self.static_query:
            if key not in query or (value is not None and value not in query[key]):
                return None
        labels: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            if segment.is_greedy:
                labels[segment.text] = unquote("/".join(parts[index:]))
                return labels
            if index >= len(parts):
                return None
            if segment.is_label:
                # An empty label still routes, so the operation can answer it with its own error.
                labels[segment.text] = unquote(parts[index])
            elif parts[index] != segment.text:
                return None
        return labels if len(parts) == len(self.segments) else None


def _parse_route(operation: OperationModel) -> Route:
    uri: str = operation.http["requestUri"]
    path, _, query_text = uri.partition("?")
    segments = []
    for part in path.strip("/").split("/"):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            greedy = name.endswith("+")
            segments.append(_Segment(name.rstrip("+"), True, greedy))
        else:
            segments.append(_Segment(part, False, False))
    static_query: list[tuple[str, str | None]] = []
    for pair in filter(None, query_text.split("&")):
        key, sep, value = pair.partition("=")
        static_query.append((key, value if sep else None))
    return Route(operation, operation.http["method"], tuple(segments), tuple(static_query))


class Router:
    """Maps ``(method, path, query)`` to the operation whose ``requestUri`` it fits."""

    def __init__(self, model: ServiceModel) -> None:
        # Indexed by (method, segment count, second segment) so that a lookup tries a handful
        # of routes, not every route of the method; greedy routes are tried last.
        self._index: dict[tuple[str, int, str | None], list[Route]] = {}
        self._greedy: dict[str, list[Route]] = {}
        for name in model.operation_names:
            route = _parse_route(model.operation_model(name))
            if any(segment.is_greedy for segment in route.segments):
                self._greedy.setdefault(route.method, []).append(route)
                continue
            second = route.segments[1] if len(route.segments) > 1 else None
            key_text = second.text if second is not None and not second.is_label else None
            self._index.setdefault((route.method, len(route.segments), key_text), []).append(route)
        for routes in [*self._index.values(), *self._greedy.values()]:
            # A literal segment or a required query key beats a label in the same place.
            routes.sort(key=lambda route: route.literal_count, reverse=True)

    def match(
        self, method: str, path: str, query: dict[str, list[str]]
    ) -> tuple[OperationModel, dict[str, str]] | None:
        """Return the operation and its URI labels (decoded), or ``None`` if nothing fits."""
        method = method.upper()
        # Only the leading slash goes: a trailing one marks an empty last label.
        parts = path[1:].split("/") if path.startswith("/") else path.split("/")
        second = parts[1] if len(parts) > 1 else None
        candidates = (
            self._index.get((method, len(parts), second), ()),
            self._index.get((method, len(parts), None), ()),
            self._greedy.get(method, ()),
        )
        for routes in candidates:
            for route in routes:
                labels = route.match(parts, query)
                if labels is not None:
                    return route.operation, labels
        return None


@functools.cache
def router(service_name: str = CLOUDFRONT) -> Router:
    """The router for *service_name*, built once per process."""
    return Router(service_model(service_name))
