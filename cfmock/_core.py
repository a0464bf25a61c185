"""Request in, response out: the one path every front (botocore, HTTP server, ...) shares.

route (from the model) -> parse and check required members (codec)
-> operation adapter -> backend -> serialize the output or the modeled error (codec)
"""

from __future__ import annotations

from typing import Any

from cfmock._backend import Backend
from cfmock._http import HttpRequest, HttpResponse
from cfmock._model import router, service_model
from cfmock._operations import OPERATIONS
from cfmock._protocol import check_required, parse_request, serialize_error, serialize_response
from cfmock._state import RecordedCall
from cfmock.exceptions import ServiceError, UnsupportedOperationError

IMPLEMENTED_OPERATIONS = tuple(sorted(OPERATIONS))
"""The CloudFront operations cfmock answers."""


class Core:
    """The backend of one top-level activation, and the calls made to it."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.calls: list[RecordedCall] = []

    def handle(self, request: HttpRequest) -> HttpResponse | None:
        """Answer *request*, or return ``None`` if it is not an operation cfmock implements."""
        matched = router().match(request.method, request.path, request.query)
        if matched is None or matched[0].name not in OPERATIONS:
            return None
        operation, labels = matched
        model = service_model()
        account_id = self.backend.options.account_id
        params: dict[str, Any] = {}
        error_code = None
        try:
            params = parse_request(operation, request, labels)
            if operation.input_shape is not None:
                check_required(operation.input_shape, params)
            output = OPERATIONS[operation.name](self.backend, account_id, params)
            response = serialize_response(model, operation, output)
        except ServiceError as error:
            error_code = error.code
            response = serialize_error(model, error)
        self.calls.append(
            RecordedCall(operation.name, params, response.status, error_code, account_id)
        )
        return response

    @staticmethod
    def unsupported(request: HttpRequest) -> UnsupportedOperationError:
        """The usage error for a CloudFront request that nothing answered."""
        matched = router().match(request.method, request.path, request.query)
        name = matched[0].name if matched is not None else "(no operation has this route)"
        return UnsupportedOperationError(name, request.method, request.path, IMPLEMENTED_OPERATIONS)
