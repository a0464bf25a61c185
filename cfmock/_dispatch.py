"""Request in, response out: the one path every front (botocore, HTTP server, ...) shares.

route (from the service's model) -> parse and check required members (the service's codec)
-> injected fault, if any -> operation adapter -> backend -> serialize the output or the
modeled error (codec). Two services share it: ``cloudfront`` (REST-XML: connection functions,
tags and the KeyValueStore control plane) and ``cloudfront-keyvaluestore`` (REST-JSON: keys).
"""

from __future__ import annotations

import functools
import sys
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from botocore.model import OperationModel, ServiceModel

from cfmock._cloudfront.backend import Backend
from cfmock._cloudfront.distribution_operations import DISTRIBUTION_OPERATIONS
from cfmock._cloudfront.distribution_operations import OPERATIONS as DISTRIBUTION_ADAPTERS
from cfmock._cloudfront.function_operations import (
    OPERATIONS,
    TAGGING_OPERATIONS,
    Operation,
    handles,
)
from cfmock._cloudfront.kvs_operations import CONTROL_PLANE, DATA_PLANE
from cfmock._cloudfront.trust_store_operations import OPERATIONS as TRUST_STORE_OPERATIONS
from cfmock._cloudfront.values import RecordedCall, for_the_log
from cfmock._wire import restjson, restxml
from cfmock._wire.http import HttpRequest, HttpResponse
from cfmock._wire.model import CLOUDFRONT, KEY_VALUE_STORE, router, service_model
from cfmock._wire.rest import THROTTLING_ERRORS, check_required
from cfmock.exceptions import CfmockError, ServiceError


@dataclass(frozen=True)
class _Service:
    operations: Mapping[str, Operation]
    parse: Callable[[OperationModel, HttpRequest, Mapping[str, str]], dict[str, Any]]
    serialize: Callable[[ServiceModel, OperationModel, Mapping[str, Any]], HttpResponse]
    serialize_error: Callable[[ServiceModel, ServiceError], HttpResponse]
    malformed_code: str


SERVICES: dict[str, _Service] = {
    CLOUDFRONT: _Service(
        {**OPERATIONS, **CONTROL_PLANE, **TRUST_STORE_OPERATIONS, **DISTRIBUTION_ADAPTERS},
        restxml.parse_request,
        restxml.serialize_response,
        restxml.serialize_error,
        "InvalidArgument",
    ),
    KEY_VALUE_STORE: _Service(
        DATA_PLANE,
        restjson.parse_request,
        restjson.serialize_response,
        restjson.serialize_error,
        "ValidationException",
    ),
}

IMPLEMENTED_OPERATIONS = tuple(sorted(SERVICES[CLOUDFRONT].operations))
"""The CloudFront (``cloudfront`` service) operations cfmock answers."""
IMPLEMENTED_DATA_PLANE_OPERATIONS = tuple(sorted(DATA_PLANE))
"""The ``cloudfront-keyvaluestore`` operations cfmock answers."""


def implemented_operations(service: str) -> tuple[str, ...]:
    """The operations of *service* that cfmock answers, sorted."""
    return tuple(sorted(SERVICES[service].operations))


def sendable(service: str, error: ServiceError) -> ServiceError:
    """*error* as *service* can send it: on the data plane, whose clients map error codes to
    modeled shapes, a code its model lacks becomes ``ValidationException``."""
    known = error.code in _error_codes(service) or error.code in THROTTLING_ERRORS
    if service == KEY_VALUE_STORE and not known:
        return ServiceError("ValidationException", error.message)
    return error


def error_response(service: str, error: ServiceError) -> HttpResponse:
    """*error* as *service*'s error document (see :func:`sendable`)."""
    error = sendable(service, error)
    response = SERVICES[service].serialize_error(service_model(service), error)
    return replace(response, error_code=error.code)


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
            if len(key) == 12 and key.isascii() and key.isdigit():
                return key
    return default


@dataclass
class _Fault:
    code: str
    message: str
    remaining: int | None


class Dispatcher:
    """Answers requests for one top-level activation: its backend, recorded calls and faults.

    *max_calls* bounds the call log (oldest dropped first); ``None`` keeps every call.
    """

    def __init__(self, backend: Backend, *, max_calls: int | None = None) -> None:
        self.backend = backend
        self.calls: deque[RecordedCall] = deque(maxlen=max_calls)
        self._faults: dict[tuple[str, str], list[_Fault]] = {}
        self._faults_lock = threading.Lock()

    def dispatch(self, request: HttpRequest, service_name: str = CLOUDFRONT) -> HttpResponse | None:
        """Answer *request*, or return ``None`` if it is not for something cfmock implements."""
        service = SERVICES[service_name]
        matched = router(service_name).match(request.method, request.path, request.query)
        if matched is None or matched[0].name not in service.operations:
            return None
        operation, labels = matched
        moto_distributions = self.backend.options.moto_distributions
        if moto_distributions and operation.name in DISTRIBUTION_OPERATIONS:
            return None
        model = service_model(service_name)
        account_id = account_for(request, self.backend.options.account_id)
        params: dict[str, Any] = {}
        error_code = None
        try:
            params = service.parse(operation, request, labels)
            check_required(operation.input_shape, params, code=service.malformed_code)
            if not handles(operation.name, params, distributions=not moto_distributions):
                return None
            self._raise_injected_failure(service_name, operation.name)
            output = service.operations[operation.name](self.backend, account_id, params)
            response = service.serialize(model, operation, output)
        except ServiceError as error:
            response = error_response(service_name, error)
            error_code = response.error_code
        self.calls.append(
            RecordedCall(
                operation.name,
                for_the_log(params),
                response.status,
                error_code,
                sys.intern(account_id),
                service_name,
            )
        )
        return replace(response, operation=operation.name)

    def answers_whatever_the_input(self, service_name: str, operation: str) -> bool:
        """Whether this dispatcher answers every call of *operation*, so that nothing else (moto)
        can be asked to: not the tagging operations, which depend on the resource, nor
        distributions handed to moto."""
        if operation not in SERVICES[service_name].operations:
            return False
        if operation in TAGGING_OPERATIONS:
            return False
        return not (
            operation in DISTRIBUTION_OPERATIONS and self.backend.options.moto_distributions
        )

    def fail(
        self,
        operation: str,
        code: str,
        message: str | None,
        times: int | None,
        service: str | None = None,
    ) -> None:
        """Make the next *times* calls of *operation* (all, if ``None``) fail with *code*."""
        offering = [name for name, svc in SERVICES.items() if operation in svc.operations]
        if not offering:
            known = sorted({name for svc in SERVICES.values() for name in svc.operations})
            raise CfmockError(
                f"cfmock: cannot inject a fault into {operation!r}; the operations cfmock "
                f"answers are {', '.join(known)}"
            )
        if service is None and len(offering) > 1:
            raise CfmockError(
                f"cfmock: {operation} exists in {' and '.join(offering)}; pass service= to say "
                f"which one should fail"
            )
        target = service or offering[0]
        if target not in offering:
            raise CfmockError(f"cfmock: {target} has no operation {operation}")
        if code not in _error_codes(target) and code not in THROTTLING_ERRORS:
            raise CfmockError(
                f"cfmock: {code!r} is neither an error of the {target} model nor a throttling "
                f"error ({', '.join(THROTTLING_ERRORS)}); the modeled errors are "
                f"{', '.join(sorted(_error_codes(target)))}"
            )
        count: object = times
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 1
        ):
            raise CfmockError(f"cfmock: times must be a positive int or None, got {times!r}")
        throttling = code in THROTTLING_ERRORS
        default = "Rate exceeded" if throttling else f"{code} (injected by cfmock)"
        fault = _Fault(code, message if message is not None else default, times)
        with self._faults_lock:
            self._faults.setdefault((target, operation), []).append(fault)

    def clear_failures(self) -> None:
        """Forget every injected fault."""
        with self._faults_lock:
            self._faults.clear()

    def _raise_injected_failure(self, service: str, operation: str) -> None:
        with self._faults_lock:
            queue = self._faults.get((service, operation))
            if not queue:
                return
            fault = queue[0]
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining == 0:
                    queue.pop(0)
        raise ServiceError(fault.code, fault.message)


@functools.cache
def _error_codes(service: str) -> frozenset[str]:
    model = service_model(service)
    return frozenset(
        name for name in model.shape_names if model.shape_for(name).metadata.get("exception")
    )
