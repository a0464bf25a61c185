"""Request in, response out: the one path every front (botocore, HTTP server, ...) shares.

route (from the model) -> parse and check required members (codec) -> injected fault, if any
-> operation adapter -> backend -> serialize the output or the modeled error (codec)
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

from cfmock._backend import Backend
from cfmock._http import HttpRequest, HttpResponse
from cfmock._model import router, service_model
from cfmock._operations import OPERATIONS, handles
from cfmock._protocol import check_required, parse_request, serialize_error, serialize_response
from cfmock._state import RecordedCall
from cfmock.exceptions import CfmockError, ServiceError, UnsupportedOperationError

IMPLEMENTED_OPERATIONS = tuple(sorted(OPERATIONS))
"""The CloudFront operations cfmock answers."""


def account_for(request: HttpRequest, default: str) -> str:
    """The account a request acts in: its access key ID when that is 12 digits, else *default*.

    So ``boto3.client("cloudfront", aws_access_key_id="111122223333", ...)`` works in account
    111122223333, and unsigned requests or ordinary keys use the activation's ``account_id``.
    """
    authorization = request.header("authorization")
    if authorization:
        start = authorization.find("Credential=")
        end = authorization.find("/", start)
        if start >= 0 and end > start:
            key = authorization[start + len("Credential=") : end]
            if len(key) == 12 and key.isdigit():
                return key
    return default


@dataclass
class _Fault:
    code: str
    message: str
    remaining: int | None


class Core:
    """The backend of one top-level activation, the calls made to it and injected faults."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.calls: list[RecordedCall] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._faults_lock = threading.Lock()

    def handle(self, request: HttpRequest) -> HttpResponse | None:
        """Answer *request*, or return ``None`` if it is not for something cfmock implements."""
        matched = router().match(request.method, request.path, request.query)
        if matched is None or matched[0].name not in OPERATIONS:
            return None
        operation, labels = matched
        model = service_model()
        account_id = account_for(request, self.backend.options.account_id)
        params: dict[str, Any] = {}
        error_code = None
        try:
            params = parse_request(operation, request, labels)
            if operation.input_shape is not None:
                check_required(operation.input_shape, params)
            if not handles(operation.name, params):
                return None
            self._raise_injected_fault(operation.name)
            output = OPERATIONS[operation.name](self.backend, account_id, params)
            response = serialize_response(model, operation, output)
        except ServiceError as error:
            error_code = error.code
            response = serialize_error(model, error)
        self.calls.append(
            RecordedCall(operation.name, params, response.status, error_code, account_id)
        )
        return response

    def inject_fault(
        self, operation: str, code: str, message: str | None, times: int | None
    ) -> None:
        """Make the next *times* calls of *operation* (all, if ``None``) fail with *code*."""
        if operation not in OPERATIONS:
            raise CfmockError(
                f"cfmock: cannot inject a fault into {operation!r}; the operations cfmock "
                f"answers are {', '.join(IMPLEMENTED_OPERATIONS)}"
            )
        if code not in _error_codes():
            raise CfmockError(
                f"cfmock: {code!r} is not an error of the CloudFront model; use one of "
                f"{', '.join(sorted(_error_codes()))}"
            )
        count: object = times
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 1
        ):
            raise CfmockError(f"cfmock: times must be a positive int or None, got {times!r}")
        text = message if message is not None else f"{code} (injected by cfmock)"
        fault = _Fault(code, text, times)
        with self._faults_lock:
            self._faults.setdefault(operation, []).append(fault)

    def clear_faults(self) -> None:
        """Forget every injected fault."""
        with self._faults_lock:
            self._faults.clear()

    def _raise_injected_fault(self, operation: str) -> None:
        with self._faults_lock:
            queue = self._faults.get(operation)
            if not queue:
                return
            fault = queue[0]
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining == 0:
                    queue.pop(0)
        raise ServiceError(fault.code, fault.message)

    @staticmethod
    def unsupported(request: HttpRequest) -> UnsupportedOperationError:
        """The usage error for a CloudFront request that nothing answered."""
        matched = router().match(request.method, request.path, request.query)
        name = matched[0].name if matched is not None else "(no operation has this route)"
        return UnsupportedOperationError(name, request.method, request.path, IMPLEMENTED_OPERATIONS)


@functools.cache
def _error_codes() -> frozenset[str]:
    model = service_model()
    return frozenset(
        name for name in model.shape_names if model.shape_for(name).metadata.get("exception")
    )
