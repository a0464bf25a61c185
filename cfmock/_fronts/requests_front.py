"""The ``requests`` front: code that calls CloudFront with the requests library.

botocore does not send through ``requests``, so this is a separate, thin front on the same
core, built on ``responses`` and started only for activations with ``intercept_requests=True``
(starting it costs about 0.15 ms, three times the budget of a whole activation, so it is not
the default; ``responses`` is imported only then). Requests to other hosts go on to whatever
``requests`` would have used before, moto's mock included.
"""

from __future__ import annotations

import re
from typing import Any

from cfmock._fronts.base import MOCKED_URL, Front, service_for_url
from cfmock._wire.http import HttpRequest
from cfmock.exceptions import CfmockError

_METHODS = ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS")


class RequestsFront:
    """A started ``responses`` mock that hands CloudFront URLs to the active dispatcher."""

    def __init__(self, front: Front) -> None:
        import requests.adapters
        import responses

        self._front = front
        # Unmatched requests go to the send in place now (moto's, if moto is active), not
        # straight to the network.
        adapter_send: Any = requests.adapters.HTTPAdapter.send
        self._mock = responses.RequestsMock(
            assert_all_requests_are_fired=False, real_adapter_send=adapter_send
        )
        for method in _METHODS:
            self._mock.add_callback(method, MOCKED_URL, callback=self._answer)
        self._mock.add_passthru(re.compile(r".*"))
        self._mock.start()

    def stop(self) -> None:
        """Stop intercepting ``requests``."""
        self._mock.stop()
        self._mock.reset()

    def _answer(self, request: Any) -> tuple[int, dict[str, str], bytes]:
        service = service_for_url(request.url) or "cloudfront"
        http_request = HttpRequest.from_url(
            request.method, request.url, dict(request.headers), request.body
        )
        response = self._front.answer(http_request, service)
        if response is None:
            raise self._front.refusal(http_request, service)
        return response.status, response.headers, response.body


def start(front: Front) -> RequestsFront:
    """Start the front, or explain which package is missing."""
    try:
        import requests  # noqa: F401
        import responses  # noqa: F401
    except ImportError as error:
        raise CfmockError(
            f"cfmock: intercept_requests=True needs the requests and responses packages "
            f"({error.name} is not installed); install them with: "
            'python -m pip install "cfmock[requests]"'
        ) from None
    return RequestsFront(front)
