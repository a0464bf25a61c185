"""Code that calls CloudFront with the requests library, answered by the same core."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest
import requests
import requests.adapters

from cfmock import mock_connection_functions
from cfmock._fronts import botocore_seam
from cfmock.exceptions import CfmockError, UnsupportedOperationError

ENDPOINT = "https://cloudfront.amazonaws.com/2020-05-31"
NS = "{http://cloudfront.amazonaws.com/doc/2020-05-31/}"
CREATE_BODY = (
    b'<CreateConnectionFunctionRequest xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
    b"<Name>from-requests</Name><ConnectionFunctionConfig><Comment>c</Comment>"
    b"<Runtime>cloudfront-js-2.0</Runtime></ConnectionFunctionConfig>"
    b"<ConnectionFunctionCode>ZnVuY3Rpb24gY29ubmVjdGlvbkhhbmRsZXIoYykgeyBjLmFsbG93KCk7IH0=</ConnectionFunctionCode>"
    b"</CreateConnectionFunctionRequest>"
)


def test_requests_calls_are_answered_when_asked_for() -> None:
    with mock_connection_functions(intercept_requests=True) as cf:
        created = requests.post(f"{ENDPOINT}/connection-function", data=CREATE_BODY, timeout=5)
        assert created.status_code == 201
        assert created.headers["ETag"] == "ETVPDKIKX0DER"
        summary = ElementTree.fromstring(created.content)
        function_id = summary.findtext(f"{NS}Id")
        assert function_id == cf.get_function("from-requests").id

        stale = requests.delete(
            f"{ENDPOINT}/connection-function/{function_id}",
            headers={"If-Match": "E-stale"},
            timeout=5,
        )
        assert stale.status_code == 412
        assert ElementTree.fromstring(stale.content).findtext(f"{NS}Error/{NS}Code") == (
            "PreconditionFailed"
        )
        listed = requests.post(f"{ENDPOINT}/connection-functions", timeout=5)
        assert listed.status_code == 200
        assert [c.operation for c in cf.calls] == [
            "CreateConnectionFunction",
            "DeleteConnectionFunction",
            "ListConnectionFunctions",
        ]


def test_an_unimplemented_operation_over_requests_is_the_usage_error() -> None:
    with (
        mock_connection_functions(intercept_requests=True),
        pytest.raises(UnsupportedOperationError) as excinfo,
    ):
        requests.get(f"{ENDPOINT}/origin-access-control", timeout=5)
    assert excinfo.value.operation == "ListOriginAccessControls"


def test_other_hosts_go_to_the_adapter_in_place_and_stop_restores_it(monkeypatch) -> None:
    sent: list[str] = []

    def fake_send(adapter, request, **kwargs):
        sent.append(request.url)
        response = requests.Response()
        response.status_code = 204
        return response

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", fake_send)
    adapter: Any = requests.adapters.HTTPAdapter
    with mock_connection_functions(intercept_requests=True):
        assert requests.get("http://example.invalid/other", timeout=5).status_code == 204
        assert adapter.send is not fake_send
    assert adapter.send is fake_send
    assert requests.post(f"{ENDPOINT}/connection-functions", timeout=5).status_code == 204
    assert sent == [
        "http://example.invalid/other",
        "https://cloudfront.amazonaws.com/2020-05-31/connection-functions",
    ]


def test_without_the_option_requests_is_left_alone(monkeypatch) -> None:
    original = requests.adapters.HTTPAdapter.send
    with mock_connection_functions():
        assert requests.adapters.HTTPAdapter.send is original


def test_a_text_body_is_sent_as_utf_8() -> None:
    text = CREATE_BODY.decode().replace("<Comment>c</Comment>", "<Comment>café €</Comment>")
    with mock_connection_functions(intercept_requests=True) as cf:
        created = requests.post(f"{ENDPOINT}/connection-function", data=text, timeout=5)
        assert created.status_code == 201
        assert cf.get_function("from-requests").development.config.comment == "café €"


def test_without_requests_or_responses_the_option_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "responses", None)  # as if it were not installed
    activator = mock_connection_functions(intercept_requests=True)
    with pytest.raises(CfmockError) as excinfo:
        activator.start()
    assert str(excinfo.value) == (
        "cfmock: intercept_requests=True needs the requests and responses packages (responses "
        'is not installed); install them with: python -m pip install "cfmock[requests]"'
    )
    assert not botocore_seam.is_installed()
    with mock_connection_functions() as cf:  # the failed start left nothing behind
        assert cf.functions() == []


def test_a_payload_left_out_is_a_missing_member() -> None:
    with mock_connection_functions(intercept_requests=True) as cf:
        created = requests.post(f"{ENDPOINT}/connection-function", data=CREATE_BODY, timeout=5)
        arn = ElementTree.fromstring(created.content).findtext(f"{NS}ConnectionFunctionArn")
        assert arn == cf.get_function("from-requests").arn
        tagged = requests.post(f"{ENDPOINT}/tagging?Operation=Tag&Resource={arn}", timeout=5)
        assert tagged.status_code == 400
        error = ElementTree.fromstring(tagged.content)
        assert (
            error.findtext(f"{NS}Error/{NS}Code"),
            error.findtext(f"{NS}Error/{NS}Message"),
        ) == (
            "InvalidArgument",
            "The request is missing the required member Tags.",
        )
        assert cf.get_function("from-requests").tags == ()
