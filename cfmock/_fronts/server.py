"""``cfmock server``: the same core over HTTP on localhost, for the AWS CLI and other SDKs.

:class:`MockServer` answers each request that :mod:`cfmock._fronts.http1` reads (HTTP/1.1, with
h11, within the limits that module states) by handing it to the dispatcher exactly as the
botocore seam does in-process. Signatures are not verified (any SigV4, SigV4A or unsigned request is
accepted); the account comes from the access key as in-process. ``/_cfmock/...`` is a small
control API for test harnesses (:data:`CONTROL_ENDPOINTS`). The server also answers requests
in the absolute form a plain HTTP proxy receives (``GET http://host/path HTTP/1.1``) by their
path, so that clients whose endpoint rules put the account in front of the host name reach it
through ``HTTP_PROXY``.

An unknown method gets the answer of any request nothing implements: 400
``UnsupportedOperation`` (``ValidationException`` on the data plane). The call log keeps the
latest :data:`MAX_CALLS` (10 000) calls.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cfmock._cloudfront.backend import Backend
from cfmock._dispatch import Dispatcher
from cfmock._fronts.base import refusal_response, service_for_host
from cfmock._fronts.http1 import (
    ISSUES_URL,
    LINGER_BYTES,
    LINGER_SECONDS,
    MAX_BODY_BYTES,
    MAX_HEAD_BYTES,
    MAX_HEADERS,
    READ_BYTES,
    READ_TIMEOUT_SECONDS,
    Http1Server,
    printable,
    target_path,
)
from cfmock._options import MockOptions
from cfmock._wire.http import HttpRequest, HttpResponse

__all__ = [
    "ISSUES_URL",
    "LINGER_BYTES",
    "LINGER_SECONDS",
    "MAX_BODY_BYTES",
    "MAX_CALLS",
    "MAX_HEADERS",
    "MAX_HEAD_BYTES",
    "READ_BYTES",
    "READ_TIMEOUT_SECONDS",
    "MockServer",
]

MAX_CALLS = 10_000
"""Calls the server's call log keeps (the oldest are dropped); ``MockServer(max_calls=...)``."""
STATE_RUNS = 100
"""The latest function runs ``GET /_cfmock/state`` shows, with the profile that answered."""

if TYPE_CHECKING:
    from cfmock._fronts.edge import Edge


class MockServer(Http1Server):
    """A threaded HTTP/1.1 server answering with one cfmock core.

    *read_timeout* is how long a read waits for the client, in seconds; *max_calls* bounds the
    call log. Call :meth:`serve_forever` (on a thread of its own in tests), then
    :meth:`shutdown` and :meth:`server_close`.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 5000,
        options: MockOptions | None = None,
        *,
        read_timeout: float = READ_TIMEOUT_SECONDS,
        max_calls: int = MAX_CALLS,
    ) -> None:
        self.options = options or MockOptions()
        self.max_calls = max_calls
        self.dispatcher = Dispatcher(Backend(self.options), max_calls=max_calls)
        self._core_lock = threading.Lock()
        self.edge: Edge | None = None
        """The local viewer edge, once :meth:`start_edge` has started one."""
        super().__init__((host, port), read_timeout=read_timeout)

    def start_edge(
        self, host: str = "127.0.0.1", port: int = 0, *, origin: str | None = None
    ) -> Edge:
        """Listen as a viewer edge too (TLS with client certificates; see
        :mod:`cfmock._fronts.edge`), until :meth:`server_close`."""
        from cfmock._fronts.edge import Edge

        self.edge = Edge(self, host, port, origin=origin)
        self.edge.start()
        return self.edge

    def server_close(self) -> None:
        """Close the listening socket(s): the edge's too, with its open connections."""
        if self.edge is not None:
            self.edge.stop()
        super().server_close()

    @property
    def url(self) -> str:
        """The endpoint URL to give clients, e.g. ``http://127.0.0.1:5000``."""
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

    def reset(self) -> None:
        """Forget every function, store, distribution, call, fault and OCSP verdict.

        Requests in flight finish with the dispatcher they started with.
        """
        with self._core_lock:
            self.dispatcher = Dispatcher(Backend(self.options), max_calls=self.max_calls)
            if self.edge is not None:
                self.edge.ocsp = {}

    def state(self, dispatcher: Dispatcher | None = None) -> dict[str, Any]:
        """A JSON-able summary of what the mock (or *dispatcher*) holds, per account."""
        if dispatcher is None:
            dispatcher = self.dispatcher
        backend = dispatcher.backend
        accounts = backend.accounts()
        summary: dict[str, Any] = {}
        for account in accounts:
            functions = backend.functions(account)
            stores = backend.stores.list(account)
            trust_stores = backend.trust_stores.list(account)
            distributions = backend.distributions.list(account)
            if not (functions or stores or trust_stores or distributions):
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
                    {"name": s.name, "arn": s.arn, "itemCount": s.item_count, "etag": s.data_etag}
                    for s in stores
                ],
                "trustStores": [
                    {
                        "id": t.id,
                        "name": t.name,
                        "status": t.status,
                        "etag": t.etag,
                        "numberOfCaCertificates": t.number_of_ca_certificates,
                    }
                    for t in trust_stores
                ],
                "distributions": [
                    {
                        "id": d.id,
                        "domainName": d.domain_name,
                        "status": d.status,
                        "etag": d.etag,
                        "enabled": d.enabled,
                        "mtlsMode": d.mtls_mode,
                        "trustStoreId": d.trust_store_id,
                        "connectionFunctionId": d.function_id,
                    }
                    for d in distributions
                ],
            }
        runs = [
            {
                "account": run.account_id,
                "function": run.function_name,
                "stage": run.stage,
                "profile": run.profile,
                "action": run.action,
                "error": run.error,
            }
            for run in list(backend.runs)[-STATE_RUNS:]
        ]
        connections = [
            _attempt_summary(attempt) for attempt in list(backend.connections)[-STATE_RUNS:]
        ]
        edge = None
        if self.edge is not None:
            edge = {
                "url": self.edge.url,
                "caFile": str(self.edge.ca_file),
                "ocsp": {f"{serial:#x}": verdict for serial, verdict in self.edge.ocsp.items()},
            }
        return {
            "accounts": summary,
            "calls": len(dispatcher.calls),
            "runtimeProfile": backend.options.runtime_profile,
            "runs": runs,
            "connections": connections,
            "edge": edge,
        }

    def _set_ocsp(self, body: bytes) -> HttpResponse:
        """``POST /_cfmock/ocsp``: the OCSP verdicts the edge's connections get, replacing the
        previous ones: ``{"<serial>": "Good" | "Revoked" | "Unknown" | "Error[: type]"}``."""
        problem = None
        verdicts: dict[int, str] = {}
        try:
            request = json.loads(body)
        except (ValueError, RecursionError):
            request = None
        if self.edge is None:
            problem = "the server has no edge (start it with --edge-port)"
        elif not isinstance(request, dict):
            problem = "the body must be a JSON object of serial numbers to verdicts"
        else:
            from cfmock._viewer.event import is_verdict

            for key, verdict in request.items():
                if not is_verdict(verdict):
                    problem = (
                        f"the verdict for {key!r} must be Good, Revoked, Unknown, Error or "
                        "'Error: <errorType>'"
                    )
                    break
                try:
                    verdicts[_serial(key)] = verdict
                except ValueError as error:
                    problem = str(error)
                    break
        if problem is not None or self.edge is None:
            payload = {"error": f"POST /_cfmock/ocsp: {problem}"}
            return replace(_json(400, payload), error_code="BadRequest")
        self.edge.ocsp = verdicts
        return _json(200, {"ocsp": {f"{serial:#x}": v for serial, v in verdicts.items()}})

    def answer(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> HttpResponse:
        """The control API's or the dispatcher's answer to one request."""
        dispatcher = self.dispatcher  # once: a reset does not reach a request in flight
        path = target_path(target)  # origin form, or absolute form as a proxy gets it
        if path.startswith("/_cfmock/"):
            return self._control(dispatcher, method, path, body)
        service = service_for_host(headers.get("host", ""), path)
        request = _http_request(method, target, headers, body)
        response = dispatcher.dispatch(request, service)
        if response is None:
            response, _ = refusal_response(request, service)
        return response

    def _control(self, dispatcher: Dispatcher, method: str, path: str, body: bytes) -> HttpResponse:
        if path == "/_cfmock/reset" and method == "POST":
            self.reset()
            return _json(200, {"reset": True})
        if path == "/_cfmock/state" and method == "GET":
            return _json(200, self.state(dispatcher))
        if path == "/_cfmock/ca-bundles" and method == "POST":
            return _seed_ca_bundle(dispatcher, body)
        if path == "/_cfmock/connect" and method == "POST":
            return _connect(dispatcher, body)
        if path == "/_cfmock/ocsp" and method == "POST":
            return self._set_ocsp(body)
        if path == "/_cfmock/keys" and method == "POST":
            return _put_keys(dispatcher, body)
        payload = {
            "error": f"no control endpoint {printable(method)} {path}",
            "endpoints": list(CONTROL_ENDPOINTS),
        }
        return replace(_json(404, payload), error_code="NotFound")


CONTROL_ENDPOINTS = (
    "POST /_cfmock/reset",
    "GET /_cfmock/state",
    "POST /_cfmock/ca-bundles",
    "POST /_cfmock/connect",
    "POST /_cfmock/ocsp",
    "POST /_cfmock/keys",
)
"""The control API, under ``/_cfmock/`` on the server's own port."""


def _seed_ca_bundle(dispatcher: Dispatcher, body: bytes) -> HttpResponse:
    """``POST /_cfmock/ca-bundles``: the S3 object a trust store reads, as JSON
    ``{"bucket", "key", "pem", "region"?, "version"?}`` (the handle's ``put_ca_bundle``)."""
    try:
        seed = json.loads(body)
    except (ValueError, RecursionError):
        seed = None
    fields: dict[str, type | tuple[type, ...]] = {
        "bucket": str,
        "key": str,
        "pem": str,
        "region": str,
        "version": (str, type(None)),
    }
    problem = None
    if not isinstance(seed, dict):
        problem = "the body must be a JSON object"
    else:
        unknown = sorted(set(seed) - set(fields))
        missing = [name for name in ("bucket", "key", "pem") if not seed.get(name)]
        if unknown:
            problem = f"unknown member(s) {', '.join(unknown)}"
        elif missing:
            problem = f"missing member(s) {', '.join(missing)}"
        else:
            wrong = [
                name for name, kind in fields.items() if not isinstance(seed.get(name, ""), kind)
            ]
            if wrong:
                problem = f"member(s) {', '.join(wrong)} must be strings"
    if problem is not None:
        usage = {
            "bucket": "…",
            "key": "…",
            "pem": "-----BEGIN CERTIFICATE-----…",
            "region": "us-east-1",
        }
        payload = {"error": f"POST /_cfmock/ca-bundles: {problem}", "example": usage}
        return replace(_json(400, payload), error_code="BadRequest")
    assert isinstance(seed, dict)
    try:
        pem = seed["pem"].encode("utf-8")
    except UnicodeEncodeError:
        payload = {"error": "POST /_cfmock/ca-bundles: pem holds a lone surrogate, not text"}
        return replace(_json(400, payload), error_code="BadRequest")
    region = seed.get("region") or "us-east-1"
    dispatcher.backend.trust_stores.put_bundle(
        seed["bucket"], seed["key"], pem, region, seed.get("version")
    )
    return _json(200, {"seeded": f"s3://{seed['bucket']}/{seed['key']}", "region": region})


def _put_keys(dispatcher: Dispatcher, body: bytes) -> HttpResponse:
    """``POST /_cfmock/keys``: keys put into a KeyValueStore without an ETag, as the handle's
    ``put_keys``, in JSON: ``{"store": name-or-ARN, "keys": {key: value}, "account"?}``."""
    from cfmock._handle import CloudFrontMock
    from cfmock.exceptions import InvalidSeedError, StoreNotFoundError

    try:
        request = json.loads(body)
    except (ValueError, RecursionError):
        request = None
    problem = _keys_problem(request)
    if problem is None:
        assert isinstance(request, dict)
        try:
            store = CloudFrontMock(dispatcher).put_keys(
                request["store"], request["keys"], request.get("account")
            )
        except (InvalidSeedError, StoreNotFoundError) as error:
            problem = str(error).removeprefix("cfmock: ")
        else:
            answer = {
                "name": store.name,
                "arn": store.arn,
                "itemCount": len(store.data),
                "etag": store.data_etag,
            }
            return _json(200, answer)
    example = {"store": "allowlist", "keys": {"10:01": "revoked"}}
    payload = {"error": f"POST /_cfmock/keys: {problem}", "example": example}
    return replace(_json(400, payload), error_code="BadRequest")


def _keys_problem(request: object) -> str | None:
    if not isinstance(request, dict):
        return "the body must be a JSON object"
    unknown = sorted(set(request) - {"store", "keys", "account"})
    if unknown:
        return f"unknown member(s) {', '.join(unknown)}"
    store = request.get("store")
    if not isinstance(store, str) or not store:
        return "member store (the KeyValueStore's name or ARN) is required"
    if not isinstance(request.get("keys"), dict):
        return "member keys (a JSON object of keys to string values) is required"
    account = request.get("account")
    if account is not None and not (
        isinstance(account, str) and len(account) == 12 and account.isascii() and account.isdigit()
    ):
        return "member account must be 12 digits"
    return None


def _http_request(method: str, target: str, headers: dict[str, str], body: bytes) -> HttpRequest:
    """The core's request for *target* in origin form (``/path?query``) or any other form."""
    if target.startswith("/"):
        url = "http://cfmock" + target
    elif target.lower().startswith(("http://", "https://")):
        url = target  # absolute form, as sent to a proxy
    else:  # authority form (CONNECT) or "*" (OPTIONS): no route has such a path
        return HttpRequest(method, target, {}, headers, body)
    try:
        return HttpRequest.from_case_insensitive_headers(method, url, headers, body)
    except ValueError:  # an absolute form urllib cannot split, such as http://[x/
        return HttpRequest(method, target, {}, headers, body)


def _json(status: int, payload: dict[str, Any]) -> HttpResponse:
    body = json.dumps(payload).encode()
    return HttpResponse(status, {"Content-Type": "application/json"}, body, operation="control")


_CONNECT_MEMBERS: dict[str, type | tuple[type, ...]] = {
    "distribution": str,
    "certificate": (str, type(None)),
    "intermediates": list,
    "clientIp": str,
    "ocsp": dict,
    "at": str,
    "account": str,
}


def _connect(dispatcher: Dispatcher, body: bytes) -> HttpResponse:
    """``POST /_cfmock/connect``: one viewer connection, as the handle's ``connect``, in JSON:
    ``{"distribution", "certificate"?, "intermediates"?, "clientIp"?, "ocsp"?, "at"?,
    "account"?}`` with PEM certificates, OCSP verdicts keyed by serial number (``"10:01"``,
    ``"0x1001"`` or decimal) and *at* in ISO 8601."""
    import datetime

    from cfmock._viewer.connect import connect
    from cfmock.exceptions import CfmockError

    try:
        request = json.loads(body)
    except (ValueError, RecursionError):
        request = None
    problem = _connect_problem(request)
    if problem is None:
        assert isinstance(request, dict)
        try:
            at = datetime.datetime.fromisoformat(request["at"]) if "at" in request else None
            ocsp = {_serial(key): verdict for key, verdict in request.get("ocsp", {}).items()}
            attempt = connect(
                dispatcher.backend,
                request.get("account") or dispatcher.backend.options.account_id,
                request["distribution"],
                request.get("certificate"),
                intermediates=request.get("intermediates", []),
                client_ip=request.get("clientIp", "203.0.113.10"),
                ocsp=ocsp,
                at=at,
            )
        except (CfmockError, ValueError) as error:
            problem = str(error)
        else:
            return _json(200, _attempt_json(attempt))
    payload = {"error": f"POST /_cfmock/connect: {problem}"}
    return replace(_json(400, payload), error_code="BadRequest")


def _connect_problem(request: object) -> str | None:
    if not isinstance(request, dict):
        return "the body must be a JSON object"
    unknown = sorted(set(request) - set(_CONNECT_MEMBERS))
    if unknown:
        return f"unknown member(s) {', '.join(unknown)}"
    if not isinstance(request.get("distribution"), str):
        return "member distribution (an ID, domain name or alias) is required"
    wrong = [
        name
        for name, kind in _CONNECT_MEMBERS.items()
        if name in request and not isinstance(request[name], kind)
    ]
    if wrong:
        return f"member(s) {', '.join(wrong)} have the wrong type"
    return None


def _serial(key: str) -> int:
    """A serial number as ``10:01``, ``0x1001`` or decimal ASCII digits; ValueError if not."""
    text = key.strip().lower()
    digits = "0123456789abcdef" if ":" in text or text.startswith("0x") else "0123456789"
    body = text.replace(":", "").removeprefix("0x")
    if not body or len(body) > 64 or any(character not in digits for character in body):
        raise ValueError(f"{key!r} is not a serial number (10:01, 0x1001 or decimal)")
    return int(body, len(digits))


def _attempt_summary(attempt: Any) -> dict[str, Any]:
    return {
        "distributionId": attempt.distribution_id,
        "allowed": attempt.allowed,
        "decidedBy": attempt.decided_by,
        "code": attempt.code,
        "reason": attempt.reason,
        "clientIp": attempt.client_ip,
        "subject": attempt.subject,
        "serialNumber": attempt.serial_number,
    }


def _attempt_json(attempt: Any) -> dict[str, Any]:
    function = attempt.function
    return {
        **_attempt_summary(attempt),
        "at": attempt.at.isoformat() if attempt.at else None,
        "clientCert": attempt.client_cert,
        "clientCertChain": attempt.client_cert_chain,
        "function": None
        if function is None
        else {
            "name": function.name,
            "action": function.action,
            "logs": list(function.logs),
            "customData": function.custom_data,
            "error": function.error,
            "computeUtilization": function.compute_utilization,
            "event": function.event,
        },
    }
