"""The ``requests`` front: code that calls CloudFront with the requests library.

botocore does not send through ``requests``, so this is a separate, thin front on the same
core, built on ``responses`` and started only for activations with ``intercept_requests=True``
(starting it costs about 0.15 ms, three times the budget of a whole activation, so it is not
the default; ``responses`` is imported only then). Requests to other hosts go on to whatever
``requests`` would have used before, moto's mock included.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cfmock._dispatch import Core
from cfmock._wire.http import HttpRequest
from cfmock._wire.model import CLOUDFRONT, KEY_VALUE_STORE
from cfmock.exceptions import CfmockError

_HOSTS = {
    CLOUDFRONT: re.compile(r"https?://cloudfront\.amazonaws\.com(?::\d+)?(?:/.*)?$"),
    KEY_VALUE_STORE: re.compile(
        r"https?://[0-9]{12}\.cloudfront-kvs\.global\.api\.aws(?::\d+)?(?:/.*)?$"
    ),
}
_METHODS = ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH")


class RequestsFront:
    """A started ``responses`` mock that hands CloudFront URLs to the current core."""

    def __init__(self, current: Callable[[], Core | None]) -> None:
        import requests.adapters
        import responses

        self._current = current
        # Unmatched requests go to the send in place now (moto's, if moto is active), not
        # straight to the network.
        adapter_send: Any = requests.adapters.HTTPAdapter.send
        self._mock = responses.RequestsMock(
            assert_all_requests_are_fired=False, real_adapter_send=adapter_send
        )
        for service, pattern in _HOSTS.items():
            for method in _METHODS:
                self._mock.add_callback(method, pattern, callback=self._callback(service))
        self._mock.add_passthru(re.compile(r".*"))
        self._mock.start()

    def stop(self) -> None:
        """Stop intercepting ``requests``."""
        self._mock.stop()
        self._mock.reset()

    def _callback(self, service: str) -> Callable[[Any], tuple[int, dict[str, str], bytes]]:
        def answer(request: Any) -> tuple[int, dict[str, str], bytes]:
            core = self._current()
            http_request = HttpRequest.from_url(
                request.method, request.url, dict(request.headers), request.body
            )
            response = core.handle(http_request, service) if core is not None else None
            if response is None:
                raise Core.unsupported(http_request, service)
            return response.status, response.headers, response.body

        return answer


def start(current: Callable[[], Core | None]) -> RequestsFront:
    """Start the front, or explain which package is missing."""
    try:
        import requests  # noqa: F401
        import responses  # noqa: F401
    except ImportError as error:
        raise CfmockError(
            f"cfmock: intercept_requests=True needs the requests and responses packages "
            f"({error.name} is not installed); install cfmock[requests]"
        ) from None
    return RequestsFront(current)
