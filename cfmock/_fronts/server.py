"""``cfmock server``: the same core over HTTP on localhost, for the AWS CLI and other SDKs.

A threaded ``http.server`` hands every request to the dispatcher, exactly as the botocore
seam does in-process. Signatures are not verified (any SigV4 or unsigned request is
accepted); the account comes from the access key as in-process. ``/_cfmock/...`` is a small
control API for test harnesses.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cfmock._cloudfront.backend import Backend
from cfmock._dispatch import Dispatcher, error_response
from cfmock._fronts.base import refusal_response, service_for_host
from cfmock._options import MockOptions
from cfmock._wire.http import HttpRequest, HttpResponse
from cfmock.exceptions import ServiceError

MAX_BODY_BYTES = 1024 * 1024
"""Largest request body accepted; the API's largest member is 40 960 bytes of base64."""

log = logging.getLogger("cfmock.server")


class MockServer(ThreadingHTTPServer):
    """A threaded HTTP server answering with one cfmock core."""

    daemon_threads = True

    def __init__(
        self, host: str = "127.0.0.1", port: int = 5000, options: MockOptions | None = None
    ):
        self.options = options or MockOptions()
        self.dispatcher = Dispatcher(Backend(self.options))
        self._core_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        """The endpoint URL to give clients, e.g. ``http://127.0.0.1:5000``."""
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

    def reset(self) -> None:
        """Forget every function, store, call and fault."""
        with self._core_lock:
            self.dispatcher = Dispatcher(Backend(self.options))

    def state(self) -> dict[str, Any]:
        """A JSON-able summary of what the mock holds, per account."""
        backend = self.dispatcher.backend
        accounts = sorted(
            {call.account_id for call in self.dispatcher.calls} | {self.options.account_id}
        )
        summary: dict[str, Any] = {}
        for account in accounts:
            functions = backend.functions(account)
            stores = backend.stores.list(account)
            if not functions and not stores:
                continue
            summary[account] = {
                "connectionFunctions": [
                    {
                        "id": f.id,
                        "name": f.name,
                        "status": f.status.value,
                        "etag": f.development.etag,
                        "liveEtag": f.live.etag if f.live else None,
                    }
                    for f in functions
                ],
                "keyValueStores": [
                    {"name": s.name, "arn": s.arn, "itemCount": len(s.data), "etag": s.data_etag}
                    for s in stores
                ],
            }
        return {"accounts": summary, "calls": len(self.dispatcher.calls)}


class _Handler(BaseHTTPRequestHandler):
    server: MockServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes; without this, Nagle's algorithm and delayed
        # ACKs add about 40 ms to every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        log.debug(format, *args)

    def _dispatch(self) -> None:
        path = self.path.split("?", 1)[0]
        service = self._service(path)
        try:
            body = self._body()
        except ServiceError as error:
            self._send(self._error(service, error), "-", error.code)
            return
        if path.startswith("/_cfmock/"):
            self._control(path)
            return
        host = self.headers.get("Host", "localhost")
        request = HttpRequest.from_url(
            self.command, f"http://{host}{self.path}", dict(self.headers), body
        )
        response = self.server.dispatcher.dispatch(request, service)
        if response is None:
            response, _ = refusal_response(request, service)
        self._send(response, response.operation or "-", response.error_code)

    def _service(self, path: str) -> str:
        return service_for_host(str(self.headers.get("Host", "")), path)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._chunked_body()
        length_text = self.headers.get("Content-Length") or "0"
        if not length_text.isdigit():
            raise ServiceError(
                "InvalidArgument", f"Content-Length {length_text!r} is not a number."
            )
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            # Drain what we can so the connection stays usable, then refuse.
            self.rfile.read(length)
            raise ServiceError(
                "InvalidArgument",
                f"The request body is {length} bytes; cfmock accepts at most {MAX_BODY_BYTES}.",
            )
        return self.rfile.read(length) if length else b""

    def _chunked_body(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise ServiceError(
                    "InvalidArgument", "The chunked request body is malformed."
                ) from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise ServiceError(
                    "InvalidArgument",
                    f"The request body is over {MAX_BODY_BYTES} bytes; cfmock accepts at most "
                    f"{MAX_BODY_BYTES}.",
                )
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _error(self, service: str, error: ServiceError) -> HttpResponse:
        return error_response(service, error)

    def _control(self, path: str) -> None:
        if path == "/_cfmock/reset" and self.command == "POST":
            self.server.reset()
            payload: dict[str, Any] = {"reset": True}
        elif path == "/_cfmock/state" and self.command == "GET":
            payload = self.server.state()
        else:
            payload = {
                "error": f"no control endpoint {self.command} {path}",
                "endpoints": ["POST /_cfmock/reset", "GET /_cfmock/state"],
            }
            self._send(_json(404, payload), "control", "NotFound")
            return
        self._send(_json(200, payload), "control", None)

    def _send(self, response: HttpResponse, operation: str, error_code: str | None) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        log.info(
            "%s %s -> %s %s%s",
            self.command,
            self.path,
            response.status,
            operation,
            f" {error_code}" if error_code else "",
        )


def _json(status: int, payload: dict[str, Any]) -> HttpResponse:
    body = json.dumps(payload).encode()
    return HttpResponse(status, {"Content-Type": "application/json"}, body)
