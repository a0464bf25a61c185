"""The transport-neutral request and response every front hands to the core."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class HttpRequest:
    """An HTTP request as the core sees it.

    ``headers`` must answer lookups by lower-case name: a dict with lower-case keys (as
    :meth:`from_url` builds) or a case-insensitive mapping. Values may be ``str`` or UTF-8
    ``bytes``; read them with :meth:`header`.
    """

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: Mapping[str, str | bytes] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The value of header *name* (any case), or ``None`` if it is absent."""
        value = self.headers.get(name.lower())
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        return value

    @classmethod
    def from_url(
        cls,
        method: str,
        url: str,
        headers: Mapping[str, str | bytes],
        body: bytes | str | None,
    ) -> HttpRequest:
        """Build a request from a full URL, headers as any client holds them, and a body."""
        return cls.from_case_insensitive_headers(
            method, url, {name.lower(): value for name, value in headers.items()}, body
        )

    @classmethod
    def from_case_insensitive_headers(
        cls,
        method: str,
        url: str,
        headers: Mapping[str, str | bytes],
        body: bytes | str | None,
    ) -> HttpRequest:
        """Like :meth:`from_url`, keeping *headers*, which must ignore case in lookups."""
        parts = urlsplit(url)
        if isinstance(body, str):
            body = body.encode("utf-8")
        return cls(
            method=method.upper(),
            path=parts.path or "/",
            query=parse_qs(parts.query, keep_blank_values=True) if parts.query else {},
            headers=headers,
            body=body or b"",
        )


@dataclass(frozen=True)
class HttpResponse:
    """An HTTP response produced by the dispatcher.

    ``operation`` and ``error_code`` say what answered and which modeled error was sent, for
    the fronts' logs; they are not part of what goes on the wire.
    """

    status: int
    headers: dict[str, str]
    body: bytes
    operation: str | None = field(default=None, compare=False)
    error_code: str | None = field(default=None, compare=False)
