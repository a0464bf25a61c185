"""The transport-neutral request and response every front hands to the core."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class HttpRequest:
    """An HTTP request as the core sees it. Header names are lower-case."""

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def from_url(
        cls,
        method: str,
        url: str,
        headers: Mapping[str, str | bytes],
        body: bytes | str | None,
    ) -> HttpRequest:
        """Build a request from a full URL, headers as any client holds them, and a body."""
        parts = urlsplit(url)
        if isinstance(body, str):
            body = body.encode("utf-8")
        return cls(
            method=method.upper(),
            path=parts.path or "/",
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={
                name.lower(): value.decode("utf-8", "replace") if isinstance(value, bytes) else value
                for name, value in headers.items()
            },
            body=body or b"",
        )


@dataclass(frozen=True)
class HttpResponse:
    """An HTTP response produced by the core."""

    status: int
    headers: dict[str, str]
    body: bytes
