"""The one policy every front follows.

A front receives a request in its own form (a botocore ``AWSPreparedRequest``, a ``requests``
request, raw HTTP), turns it into an :class:`~cfmock._wire.http.HttpRequest` and asks this
module three things:

* which mocked service the request is for (:func:`service_for_host`, :func:`service_for_url`);
* the answer of the active dispatcher (:meth:`Front.answer`), which is ``None`` when no mock is
  active or when the request is for an operation cfmock does not implement;
* what to do with a request nothing answered: in-process fronts raise the usage error
  :meth:`Front.refusal` (after moto, if it is active, had its chance); the server, whose caller
  is another process, sends :func:`refusal_response`, the service's own error document.

Which dispatcher answers is read once per request, from the activation registry that
:mod:`cfmock._mock` keeps; a request that arrives while the last mock stops is refused with a
usage error, never sent to the network or to another activation half-way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from cfmock._wire.model import CLOUDFRONT, KEY_VALUE_STORE
from cfmock.exceptions import CfmockError, ServiceError, UnsupportedOperationError

if TYPE_CHECKING:
    from cfmock._dispatch import Dispatcher
    from cfmock._wire.http import HttpRequest, HttpResponse

MOCKED_SERVICES = (CLOUDFRONT, KEY_VALUE_STORE)
"""The botocore service names cfmock answers."""

MOCKED_URL = re.compile(
    r"https?://(?:(?P<cloudfront>cloudfront\.amazonaws\.com)"
    r"|(?P<kvs>[0-9]{12}\.cloudfront-kvs\.global\.api\.aws))(?::[0-9]+)?(?:[/?#].*)?\Z",
    re.IGNORECASE | re.DOTALL,
)
"""The URLs of the mocked services' real endpoints (what a ``requests`` caller would use)."""

DispatcherLookup = Callable[[], "Dispatcher | None"]
"""Returns the dispatcher of the active mock, or ``None`` when no mock is active."""


def service_for_host(host: str, path: str) -> str:
    """The mocked service a request to *host* and *path* is for (the server's view).

    The data plane is recognised by its ``*.cloudfront-kvs.*`` host or, for a client pointed at
    ``--endpoint-url``, by its ``/key-value-stores`` path; everything else is CloudFront.
    """
    if ".cloudfront-kvs." in host.lower() or path.startswith("/key-value-stores"):
        return KEY_VALUE_STORE
    return CLOUDFRONT


def service_for_url(url: str) -> str | None:
    """The mocked service a full URL is for, or ``None`` for any other host (``requests``)."""
    matched = MOCKED_URL.match(url)
    if matched is None:
        return None
    return CLOUDFRONT if matched.group("cloudfront") else KEY_VALUE_STORE


class Front:
    """What an in-process front shares: the active dispatcher, its answer, and the refusal."""

    def __init__(self, current: DispatcherLookup) -> None:
        self._current = current

    def active(self) -> Dispatcher | None:
        """The dispatcher of the active mock, read once; ``None`` when none is active."""
        return self._current()

    def answer(self, request: HttpRequest, service: str) -> HttpResponse | None:
        """The active mock's answer, or ``None`` when none is active or nothing implements it."""
        dispatcher = self._current()
        if dispatcher is None:
            return None
        return dispatcher.dispatch(request, service)

    def refusal(self, request: HttpRequest, service: str) -> CfmockError:
        """The usage error for a request to a mocked service that nothing answered."""
        return refusal(self._current(), request, service)


def refusal(dispatcher: Dispatcher | None, request: HttpRequest, service: str) -> CfmockError:
    """The usage error for a request nothing answered; *dispatcher* is the active one, if any."""
    if dispatcher is None:
        return CfmockError(
            f"cfmock: {request.method} {request.path} to {service} arrived while the mock "
            f"was stopping; it was not sent anywhere. Stop the mock only after the calls "
            f"made under it have returned."
        )
    return unsupported(request, service)


def unsupported(request: HttpRequest, service: str) -> UnsupportedOperationError:
    """The usage error naming the operation a request was for and those cfmock implements."""
    from cfmock._dispatch import implemented_operations
    from cfmock._wire.model import router

    matched = router(service).match(request.method, request.path, request.query)
    name = matched[0].name if matched is not None else "(no operation has this route)"
    return UnsupportedOperationError(
        name, request.method, request.path, implemented_operations(service)
    )


def refusal_response(request: HttpRequest, service: str) -> tuple[HttpResponse, ServiceError]:
    """The error document the server sends for a request nothing answered, and its error.

    CloudFront's model has no error for an unknown operation, so the REST-XML answer uses the
    code ``UnsupportedOperation``; the data plane's model allows only its own error codes, so
    it gets a ``ValidationException`` with the same message.
    """
    from cfmock._dispatch import error_response

    refused = unsupported(request, service)
    code = "UnsupportedOperation" if service == CLOUDFRONT else "ValidationException"
    message = (
        f"cfmock does not implement {refused.operation} ({request.method} {request.path}); "
        f"it implements {', '.join(refused.supported)}."
    )
    error = ServiceError(code, message)
    return error_response(service, error), error
