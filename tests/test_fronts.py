"""The one front policy: which service a request is for, and what happens to one nobody answers."""

from __future__ import annotations

import threading
import time
import unittest
from typing import Any

import boto3
import botocore.httpsession
import pytest
from botocore.exceptions import ClientError, NoCredentialsError

from cfmock import mock_connection_functions
from cfmock._dispatch import Dispatcher, account_for
from cfmock._fronts import base, botocore_seam
from cfmock._wire.http import HttpRequest
from cfmock.exceptions import CfmockError, NotStartedError, UnsupportedOperationError
from tests.scaffolding import create


def _client() -> Any:
    return boto3.client("cloudfront", region_name="us-east-1")


@pytest.mark.parametrize(
    ("url", "service"),
    [
        ("https://cloudfront.amazonaws.com/2020-05-31/connection-function", "cloudfront"),
        ("http://CLOUDFRONT.amazonaws.com:443/x?y=1", "cloudfront"),
        (
            "https://123456789012.cloudfront-kvs.global.api.aws/key-value-stores/a",
            "cloudfront-keyvaluestore",
        ),
        ("https://12345678901.cloudfront-kvs.global.api.aws/key-value-stores/a", None),
        ("https://²²²²²²²²²²²².cloudfront-kvs.global.api.aws/key-value-stores/a", None),
        ("https://cloudfront.amazonaws.com.example.org/", None),
        ("https://s3.amazonaws.com/bucket", None),
        ("ftp://cloudfront.amazonaws.com/", None),
        ("not a url", None),
    ],
)
def test_the_service_of_a_url(url: str, service: str | None) -> None:
    assert base.service_for_url(url) == service


@pytest.mark.parametrize(
    ("host", "path", "service"),
    [
        ("127.0.0.1:5000", "/2020-05-31/connection-function", "cloudfront"),
        ("123456789012.cloudfront-kvs.global.api.aws", "/anything", "cloudfront-keyvaluestore"),
        ("127.0.0.1:5000", "/key-value-stores/arn/keys", "cloudfront-keyvaluestore"),
        ("", "/", "cloudfront"),
    ],
)
def test_the_service_of_a_host_and_path(host: str, path: str, service: str) -> None:
    assert base.service_for_host(host, path) == service


def test_an_access_key_of_twelve_non_ascii_digits_is_not_an_account() -> None:
    for key in ("²²²²²²²²²²²²", "١٢٣٤٥٦٧٨٩٠١٢", "１２３４５６７８９０１２"):
        header = f"AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/cloudfront/aws4_request"
        request = HttpRequest("GET", "/", headers={"authorization": header})
        assert account_for(request, "123456789012") == "123456789012"
    header = "AWS4-HMAC-SHA256 Credential=111122223333/20260101/us-east-1/cloudfront/aws4_request"
    assert account_for(HttpRequest("GET", "/", headers={"authorization": header}), "1" * 12) == (
        "111122223333"
    )


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer 111122223333/token",  # no Credential=
        "AWS4-HMAC-SHA256 Credential=111122223333",  # no "/" after the key
        "AWS4-HMAC-SHA256 SignedHeaders=host/x, Credential=111122223333",
        "",
    ],
)
def test_an_authorization_without_a_credential_scope_is_the_default_account(
    authorization: str,
) -> None:
    request = HttpRequest("GET", "/", headers={"authorization": authorization})
    assert account_for(request, "123456789012") == "123456789012"


def test_the_server_refusal_names_the_operation_in_the_service_error() -> None:
    request = HttpRequest("GET", "/2020-05-31/origin-access-control")
    response, error = base.refusal_response(request, "cloudfront")
    assert (response.status, error.code) == (400, "UnsupportedOperation")
    assert error.message.startswith(
        "cfmock does not implement ListOriginAccessControls (GET /2020-05-31/"
    )
    data_plane = HttpRequest("PATCH", "/key-value-stores/x")
    response, error = base.refusal_response(data_plane, "cloudfront-keyvaluestore")
    assert (response.status, error.code) == (400, "ValidationException")
    assert response.headers["x-amzn-ErrorType"] == "ValidationException"
    assert "(no operation has this route)" in error.message


def test_a_refusal_without_an_active_mock_says_the_mock_was_stopping() -> None:
    error = base.refusal(None, HttpRequest("GET", "/2020-05-31/distribution"), "cloudfront")
    assert not isinstance(error, UnsupportedOperationError)
    assert str(error) == (
        "cfmock: GET /2020-05-31/distribution to cloudfront arrived while the mock was stopping; "
        "it was not sent anywhere. Stop the mock only after the calls made under it have returned."
    )


def test_a_front_whose_mock_is_stopping_answers_nothing_and_refuses() -> None:
    front = base.Front(lambda: None)  # what a front sees once the last activation has stopped
    request = HttpRequest("POST", "/2020-05-31/connection-functions")
    assert front.active() is None
    assert front.answer(request, "cloudfront") is None
    assert str(front.refusal(request, "cloudfront")) == (
        "cfmock: POST /2020-05-31/connection-functions to cloudfront arrived while the mock was "
        "stopping; it was not sent anywhere. Stop the mock only after the calls made under it "
        "have returned."
    )


def test_the_same_activator_entered_twice_stays_active_until_the_outer_exit() -> None:
    activator = mock_connection_functions()
    with activator as outer:
        with activator as inner:
            assert inner is outer
            create(_client(), "fn")
        assert botocore_seam.is_installed()
        assert [
            f["Name"] for f in _client().list_connection_functions()["ConnectionFunctions"]
        ] == ["fn"]
    assert not botocore_seam.is_installed()


def test_start_then_with_on_one_activator_keeps_it_started_after_the_block() -> None:
    activator = mock_connection_functions()
    activator.start()
    try:
        with activator:
            create(_client(), "fn")
        assert botocore_seam.is_installed()
    finally:
        activator.stop()
    assert not botocore_seam.is_installed()


def test_the_users_exception_is_never_replaced_by_not_started() -> None:
    activator = mock_connection_functions()
    with pytest.raises(ValueError, match="the user's"), activator:
        activator.stop()
        raise ValueError("the user's")
    assert not botocore_seam.is_installed()


def test_stopping_inside_the_block_without_an_exception_is_reported_at_the_exit() -> None:
    activator = mock_connection_functions()
    with pytest.raises(NotStartedError, match="stopped inside its with block"), activator:
        activator.stop()


def test_class_fixtures_of_a_decorated_test_case_run_mocked() -> None:
    seen: list[Any] = []

    @mock_connection_functions
    class Case(unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:
            seen.append(("setUpClass", botocore_seam.is_installed()))
            create(_client(), "made-in-setup-class")

        @classmethod
        def tearDownClass(cls) -> None:
            seen.append(("tearDownClass", botocore_seam.is_installed()))
            seen.append(_client().list_connection_functions()["ConnectionFunctions"])

        def test_starts_empty(self) -> None:
            seen.append(("test", _client().list_connection_functions()["ConnectionFunctions"]))

    result = unittest.TextTestRunner(stream=_Null()).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(Case)
    )
    assert result.wasSuccessful(), result.errors + result.failures
    assert seen == [("setUpClass", True), ("test", []), ("tearDownClass", True), []]
    assert not botocore_seam.is_installed()


class _Null:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def test_no_client_made_under_the_mock_probes_instance_metadata(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    probes: list[str] = []

    def fetch_token(self: Any) -> None:
        probes.append("token")
        return None

    def retrieve(self: Any) -> dict[str, Any]:
        probes.append("credentials")
        return {}

    from botocore.utils import IMDSFetcher, InstanceMetadataFetcher

    monkeypatch.setattr(IMDSFetcher, "_fetch_metadata_token", fetch_token)
    monkeypatch.setattr(InstanceMetadataFetcher, "retrieve_iam_role_credentials", retrieve)
    with mock_connection_functions():
        client = _client()
        create(client, "fn")
        assert client.list_connection_functions()["ConnectionFunctions"]
    assert probes == []
    # The same client creation without the mock does probe: the guard above is what stopped it.
    boto3.client("cloudfront", region_name="us-east-1")
    assert "credentials" in probes


def test_container_credentials_are_not_fetched_under_the_mock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/credentials")
    fetched: list[str] = []

    from botocore.utils import ContainerMetadataFetcher

    def retrieve(self: Any, full_url: str, headers: Any = None) -> dict[str, Any]:
        fetched.append(full_url)
        raise AssertionError("no container endpoint may be reached under the mock")

    monkeypatch.setattr(ContainerMetadataFetcher, "retrieve_full_uri", retrieve)
    with mock_connection_functions():
        create(_client(), "fn")
    assert fetched == []


def test_a_call_racing_stop_and_start_is_answered_or_refused_never_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[str] = []
    original_send = botocore.httpsession.URLLib3Session.send

    def record(self: Any, request: Any) -> Any:
        sent.append(request.url)
        return original_send(self, request)

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", record)
    outcomes: dict[str, int] = {"answered": 0, "refused": 0}
    unexpected: list[BaseException] = []
    stop = threading.Event()

    def call_repeatedly() -> None:
        client = _client()
        while not stop.is_set():
            try:
                client.list_connection_functions()
                outcomes["answered"] += 1
            except (CfmockError, NoCredentialsError):
                # Refused by the mock, or, for a call that began in the instant between a stop
                # and the next start, by botocore itself: this client has no credentials.
                outcomes["refused"] += 1
            except BaseException as error:  # noqa: BLE001 - collected and reported below
                unexpected.append(error)
                return

    activator = mock_connection_functions()
    activator.start()
    caller = threading.Thread(target=call_repeatedly)
    caller.start()
    try:
        # Bounded by count and time; each cycle yields, so that the caller is not starved of
        # the GIL and of the seam's lock (which a tight loop would take back at once).
        deadline = time.monotonic() + 30
        for _ in range(100_000):
            activator.stop()
            activator.start()
            time.sleep(0)
            if outcomes["answered"] + outcomes["refused"] >= 200 or time.monotonic() > deadline:
                break
    finally:
        stop.set()
        caller.join()
        activator.stop()
    assert unexpected == []
    assert sent == []
    assert outcomes["answered"] + outcomes["refused"] > 0


def test_an_unimplemented_operation_is_a_usage_error_naming_it() -> None:
    with mock_connection_functions(), pytest.raises(UnsupportedOperationError) as caught:
        _client().list_origin_access_controls()
    assert caught.value.operation == "ListOriginAccessControls"
    assert "ListConnectionFunctions" in caught.value.supported


def test_a_dispatcher_with_a_bounded_call_log_keeps_the_newest() -> None:
    from cfmock._cloudfront.backend import Backend
    from cfmock._options import MockOptions

    dispatcher = Dispatcher(Backend(MockOptions()), max_calls=2)
    for _ in range(3):
        response = dispatcher.dispatch(HttpRequest("POST", "/2020-05-31/connection-functions"))
        assert response is not None
        assert response.operation == "ListConnectionFunctions"
    assert len(dispatcher.calls) == 2


@pytest.mark.parametrize("delay", [float("nan"), float("inf"), -1.0])
def test_publish_delay_must_be_finite_when_the_activator_is_built(delay: float) -> None:
    with pytest.raises(CfmockError, match="publish_delay must be a finite number of seconds"):
        mock_connection_functions(publish_delay=delay)


def test_a_modeled_error_reaches_the_client_through_the_front() -> None:
    with mock_connection_functions(), pytest.raises(ClientError) as caught:
        _client().describe_connection_function(Identifier="absent")
    assert caught.value.response["Error"]["Code"] == "EntityNotFound"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
