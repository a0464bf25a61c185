"""The botocore seam: which clients are caught, what never reaches the network, moto beside it."""

from __future__ import annotations

import io
import threading
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.endpoint import Endpoint
from botocore.exceptions import ClientError, MissingDependencyException
from botocore.httpsession import URLLib3Session
from botocore.signers import RequestSigner

from cfmock import mock_connection_functions
from cfmock._dispatch import IMPLEMENTED_OPERATIONS
from cfmock._fronts import botocore_seam
from cfmock.exceptions import CfmockError, UnsupportedOperationError
from tests.scaffolding import create


class _RecordingSession:
    """Stands in for the HTTP layer: records what would have gone on the network."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def send(self, request) -> AWSResponse:
        self.urls.append(request.url)
        headers: Any = {}
        return AWSResponse(request.url, 404, headers, _EmptyBody())


class _EmptyBody:
    def stream(self, **_):
        yield b""


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> _RecordingSession:
    recorder = _RecordingSession()
    monkeypatch.setattr(URLLib3Session, "send", lambda self, request: recorder.send(request))
    return recorder


def _client():
    return boto3.client("cloudfront", region_name="us-east-1")


def test_clients_created_before_inside_and_after_activation_are_answered(network) -> None:
    before = _client()
    with mock_connection_functions() as cf:
        inside = _client()
        create(before, "from-before")
        create(inside, "from-inside")
        after_session = botocore.session.get_session()
        created_late = after_session.create_client("cloudfront", region_name="us-east-1")
        create(created_late, "from-late")
        assert [f.name for f in cf.functions()] == ["from-before", "from-inside", "from-late"]
    assert network.urls == []


def test_clients_used_from_other_threads_share_the_state(network) -> None:
    errors: list[BaseException] = []
    with mock_connection_functions() as cf:
        client = _client()

        def work(index: int) -> None:
            try:
                create(client, f"thread-{index}")
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(f.name for f in cf.functions()) == [f"thread-{i}" for i in range(8)]
    assert network.urls == []


def test_stop_restores_botocore_exactly(network) -> None:
    endpoint: Any = Endpoint
    originals = (endpoint.make_request, endpoint._send, RequestSigner.sign)
    client = boto3.client(
        "cloudfront", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with mock_connection_functions():
        create(client)
        assert (endpoint.make_request, endpoint._send, RequestSigner.sign) != originals
    assert (endpoint.make_request, endpoint._send, RequestSigner.sign) == originals
    # The same client's request now goes to the HTTP layer again.
    with pytest.raises(client.exceptions.ClientError):
        client.describe_connection_function(Identifier="anything")
    assert network.urls == [
        "https://cloudfront.amazonaws.com/2020-05-31/connection-function/anything/describe"
    ]


def test_stop_removes_the_handler_from_client_emitters() -> None:
    client = _client()
    with mock_connection_functions():
        create(client)
        inside = list(
            client.meta.events._emitter._handlers.prefix_search(  # noqa: SLF001
                "before-send.cloudfront.CreateConnectionFunction"
            )
        )
    after = list(
        client.meta.events._emitter._handlers.prefix_search(  # noqa: SLF001
            "before-send.cloudfront.CreateConnectionFunction"
        )
    )
    assert len(inside) == len(after) + 1


def test_unimplemented_cloudfront_operation_is_a_usage_error_and_never_sent(network) -> None:
    with mock_connection_functions(), pytest.raises(UnsupportedOperationError) as excinfo:
        _client().list_origin_access_controls()
    assert network.urls == []
    assert excinfo.value.operation == "ListOriginAccessControls"
    assert str(excinfo.value) == (
        "cfmock: CloudFront operation ListOriginAccessControls "
        "(GET /2020-05-31/origin-access-control) is not "
        "implemented by cfmock, and the request was stopped before reaching the network.\n"
        f"cfmock implements: {', '.join(IMPLEMENTED_OPERATIONS)}.\n"
        "To let moto answer the other CloudFront operations, activate moto's mock_aws as well; "
        "see https://github.com/cfmock/cfmock/blob/main/docs/usage.md#using-cfmock-with-moto"
    )


def test_other_services_are_left_alone(network) -> None:
    with mock_connection_functions():
        client = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        with pytest.raises(client.exceptions.ClientError):
            client.list_buckets()
    assert network.urls == ["https://s3.amazonaws.com/"]


def test_answered_calls_go_unsigned_with_the_access_key_id_of_the_credentials() -> None:
    seen: list[bytes] = []
    with mock_connection_functions():
        client = boto3.client(
            "cloudfront",
            region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="secret",
        )
        client.meta.events.register(
            "before-send.cloudfront",
            lambda request, **_: seen.append(request.headers.get("Authorization", b"")),
        )
        create(client)
    assert seen == [b"cfmock-unsigned Credential=AKIDEXAMPLE/"]


def test_calls_another_handler_may_answer_are_signed() -> None:
    seen: list[bytes] = []
    with mock_connection_functions(moto_distributions=True) as cf:
        client = boto3.client(
            "cloudfront",
            region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="secret",
        )

        def answer(request: Any, **_: Any) -> Any:
            seen.append(request.headers.get("Authorization", b""))
            headers: Any = {}
            return AWSResponse(request.url, 404, headers, botocore_seam._RawBody(b""))

        client.meta.events.register("before-send.cloudfront", answer)
        for call in (
            lambda: client.list_tags_for_resource(Resource="arn:aws:cloudfront::1:x/y"),
            lambda: client.get_distribution(Id="E123"),
            lambda: client.list_origin_access_controls(),
        ):
            with pytest.raises(ClientError):
                call()
        assert cf.calls == []
    assert len(seen) == 3
    assert all(header.startswith(b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") for header in seen)


def test_requests_work_without_any_credentials() -> None:
    session = botocore.session.get_session()
    assert session.get_credentials() is None
    with mock_connection_functions():
        client = session.create_client("cloudfront", region_name="us-east-1")
        assert create(client)["ETag"] == "ETVPDKIKX0DER"


def test_works_with_moto_active_each_answering_its_own_operations() -> None:
    moto = pytest.importorskip("moto")
    with moto.mock_aws(), mock_connection_functions() as cf:
        client = _client()
        assert client.list_distributions()["DistributionList"]["Quantity"] == 0
        summary = create(client, "cfmock-answers")["ConnectionFunctionSummary"]
        assert client.describe_connection_function(Identifier=summary["Id"])["ETag"] == (
            "ETVPDKIKX0DER"
        )
        assert [f.name for f in cf.functions()] == ["cfmock-answers"]


def test_works_with_moto_started_second() -> None:
    moto = pytest.importorskip("moto")
    with mock_connection_functions(), moto.mock_aws():
        client = _client()
        create(client)
        assert client.list_distributions()["DistributionList"]["Quantity"] == 0


def test_a_call_whose_mock_stops_before_cfmock_answers_it_is_refused_not_sent(network) -> None:
    activator = mock_connection_functions()
    activator.start()
    client = _client()
    # This handler is more specific than cfmock's, so it runs first, and stops the mock after
    # botocore has picked the handlers to call: cfmock's still runs, with no mock active.
    client.meta.events.register(
        "before-send.cloudfront.ListConnectionFunctions", lambda **_: activator.stop()
    )
    with pytest.raises(CfmockError) as excinfo:
        client.list_connection_functions()
    assert str(excinfo.value) == (
        "cfmock: POST /2020-05-31/connection-functions to cloudfront arrived while the mock was "
        "stopping; it was not sent anywhere. Stop the mock only after the calls made under it "
        "have returned."
    )
    assert network.urls == []
    assert not botocore_seam.is_installed()


def test_another_service_s_missing_dependency_for_sigv4a_is_left_to_botocore(network) -> None:
    with mock_connection_functions():
        s3 = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        # A multi-region access point is signed with SigV4A, which needs awscrt.
        with pytest.raises(MissingDependencyException):
            s3.list_objects_v2(Bucket="arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap")
    assert network.urls == []


def test_install_and_uninstall_are_idempotent() -> None:
    endpoint: Any = Endpoint
    originals = (endpoint.make_request, endpoint._send, RequestSigner.sign)
    botocore_seam.install(lambda: None)
    try:
        wrapped = (endpoint.make_request, endpoint._send, RequestSigner.sign)
        botocore_seam.install(lambda: None)  # a second install wraps nothing twice
        assert (endpoint.make_request, endpoint._send, RequestSigner.sign) == wrapped
    finally:
        botocore_seam.uninstall()
    assert (endpoint.make_request, endpoint._send, RequestSigner.sign) == originals
    botocore_seam.uninstall()  # and a second uninstall has nothing left to restore
    assert (endpoint.make_request, endpoint._send, RequestSigner.sign) == originals
    assert not botocore_seam.is_installed()


def test_a_file_like_body_is_read_for_the_core_and_left_where_it_was() -> None:
    body = io.BytesIO(b"<x/>")
    request = AWSRequest(
        "PUT", "https://cloudfront.amazonaws.com/p?q=1", {"Content-Type": "text/xml"}, body
    ).prepare()
    converted = botocore_seam.to_http_request(request)
    assert (converted.method, converted.path, converted.query) == ("PUT", "/p", {"q": ["1"]})
    assert converted.body == b"<x/>"
    assert body.tell() == 0  # botocore can still send it
    assert converted.header("content-type") == "text/xml"


def test_an_emitter_is_given_the_handler_once_and_never_after_the_mock_stopped() -> None:
    client = _client()
    endpoint = client._endpoint  # noqa: SLF001

    def handlers() -> list[Any]:
        return list(
            client.meta.events._emitter._handlers.prefix_search(  # noqa: SLF001
                "before-send.cloudfront.ListConnectionFunctions"
            )
        )

    listing = client.meta.service_model.operation_model("ListConnectionFunctions")
    before = handlers()
    with mock_connection_functions():
        client.list_connection_functions()
        registered = handlers()
        # What a second thread's first call finds once the first has registered the emitter.
        botocore_seam._register(endpoint, listing)  # noqa: SLF001
        assert handlers() == registered
    # And what a call that began just before the mock stopped finds.
    botocore_seam._register(endpoint, listing)  # noqa: SLF001
    assert handlers() == before
    assert len(registered) == len(before) + 1


def test_the_mock_answers_with_the_model_its_first_client_holds(monkeypatch) -> None:
    from cfmock._wire import model

    monkeypatch.setattr(model, "_MODELS", {})
    client = _client()
    with mock_connection_functions():
        client.list_connection_functions()
    assert model.service_model() is client.meta.service_model


def test_a_model_of_an_older_api_version_is_not_adopted(monkeypatch) -> None:
    from cfmock._wire import model

    monkeypatch.setattr(model, "_MODELS", {})
    old = boto3.client("cloudfront", region_name="us-east-1", api_version="2019-03-26")
    model.adopt(old.meta.service_model)
    assert "CreateConnectionFunction" in model.service_model().operation_names
