"""Trust stores through boto3: create from a CA bundle in S3, read, update, list, tag, delete."""

from __future__ import annotations

import datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes

from cfmock import CloudFrontMock, TrustStore, mock_connection_functions
from cfmock._cloudfront import backend as backend_module
from cfmock.exceptions import CfmockError, InvalidSeedError, TrustStoreNotFoundError
from tests import pki
from tests.scaffolding import ETAG_V1, ETAG_V2, ETAG_V3, MISSING_IF_MATCH, STALE_IF_MATCH, error_of

BUCKET, KEY = "pki-bucket", "devices/ca.pem"
CA = pki.pem(pki.ca_certificate("Devices Root CA"))
TWO_CAS = pki.pem(pki.ca_certificate("Root A"), pki.ca_certificate("Root B", index=1))


def source(key: str = KEY, region: str = "us-east-1", **more: str) -> dict[str, Any]:
    location = {"Bucket": BUCKET, "Key": key, "Region": region, **more}
    return {"CaCertificatesBundleS3Location": location}


def create(client: Any, name: str = "devices", **overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"Name": name, "CaCertificatesBundleSource": source()}
    request.update(overrides)
    response: dict[str, Any] = client.create_trust_store(**request)
    return response


@pytest.fixture
def seeded(cf: CloudFrontMock) -> CloudFrontMock:
    cf.put_ca_bundle(BUCKET, KEY, CA)
    cf.put_ca_bundle(BUCKET, "two.pem", TWO_CAS)
    return cf


# -- create, get, the pending state ---------------------------------------------------------


def test_create_answers_pending_and_the_next_get_active(seeded, client) -> None:
    created = create(client)
    store = created["TrustStore"]
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert "Location" not in created["ResponseMetadata"]["HTTPHeaders"]
    assert created["ETag"] == ETAG_V1
    assert store["Id"].startswith("ts_") and len(store["Id"]) == 30
    assert store["Arn"] == f"arn:aws:cloudfront::123456789012:trust-store/{store['Id']}"
    assert (store["Name"], store["Status"], store["NumberOfCaCertificates"]) == (
        "devices",
        "pending",
        0,
    )
    assert store["UseClientCertificateOCSPEndpoint"] is False
    assert "Reason" not in store

    got = client.get_trust_store(Identifier=store["Id"])
    assert got["ETag"] == ETAG_V1
    assert (got["TrustStore"]["Status"], got["TrustStore"]["NumberOfCaCertificates"]) == (
        "active",
        1,
    )
    # Settling moves neither the ETag nor LastModifiedTime.
    assert got["TrustStore"]["LastModifiedTime"] == store["LastModifiedTime"]


def test_get_resolves_id_arn_and_name(seeded, client) -> None:
    store = create(client)["TrustStore"]
    for identifier in (store["Id"], store["Arn"], "devices"):
        assert client.get_trust_store(Identifier=identifier)["TrustStore"]["Id"] == store["Id"]
    with pytest.raises(ClientError) as missing:
        client.get_trust_store(Identifier="nope")
    assert error_of(missing) == ("EntityNotFound", 404, "The trust store 'nope' does not exist.")


def test_the_count_is_the_bundle_s(seeded, client) -> None:
    create(client, "two", CaCertificatesBundleSource=source("two.pem"))
    assert client.get_trust_store(Identifier="two")["TrustStore"]["NumberOfCaCertificates"] == 2


def test_names_are_unique_per_account(seeded, client) -> None:
    create(client)
    with pytest.raises(ClientError) as again:
        create(client)
    assert error_of(again) == (
        "EntityAlreadyExists",
        409,
        "A trust store named 'devices' already exists.",
    )
    other = boto3.client(
        "cloudfront",
        region_name="us-east-1",
        aws_access_key_id="111122223333",
        aws_secret_access_key="x",
    )
    assert create(other)["TrustStore"]["Arn"].startswith("arn:aws:cloudfront::111122223333:")
    assert [s.name for s in seeded.trust_stores("111122223333")] == ["devices"]


def test_the_account_quota_is_an_option() -> None:
    with mock_connection_functions(max_trust_stores=2) as cf:
        cf.put_ca_bundle(BUCKET, KEY, CA)
        client = boto3.client("cloudfront", region_name="us-east-1")
        create(client, "a")
        create(client, "b")
        with pytest.raises(ClientError) as third:
            create(client, "c")
        assert error_of(third) == (
            "EntityLimitExceeded",
            400,
            "This account already has 2 trust stores; the limit is 2.",
        )
        assert [s.name for s in cf.trust_stores()] == ["a", "b"]


def test_tags_on_create_and_on_the_arn(seeded, client) -> None:
    store = create(client, Tags={"Items": [{"Key": "team", "Value": "edge"}]})["TrustStore"]
    arn = store["Arn"]
    assert client.list_tags_for_resource(Resource=arn)["Tags"]["Items"] == [
        {"Key": "team", "Value": "edge"}
    ]
    client.tag_resource(Resource=arn, Tags={"Items": [{"Key": "env", "Value": "prod"}]})
    client.untag_resource(Resource=arn, TagKeys={"Items": ["team"]})
    assert client.list_tags_for_resource(Resource=arn)["Tags"]["Items"] == [
        {"Key": "env", "Value": "prod"}
    ]
    assert client.get_trust_store(Identifier=arn)["ETag"] == ETAG_V1
    with pytest.raises(ClientError) as unknown:
        client.list_tags_for_resource(Resource=arn[:-3] + "xyz")
    assert error_of(unknown)[:2] == ("NoSuchResource", 404)


# -- where the bundle comes from ------------------------------------------------------------


def test_a_bundle_that_is_nowhere_is_entity_not_found(cf, client) -> None:
    with pytest.raises(ClientError) as missing:
        create(client)
    assert error_of(missing) == (
        "EntityNotFound",
        404,
        "The CA certificates bundle s3://pki-bucket/devices/ca.pem in us-east-1 does not exist. "
        "Seed it with cf.put_ca_bundle('pki-bucket', 'devices/ca.pem', pem) or, in server mode, "
        "POST /_cfmock/ca-bundles; or put it in moto's S3 inside mock_aws.",
    )
    assert cf.trust_stores() == []


def test_versions_are_honoured(cf, client) -> None:
    cf.put_ca_bundle(BUCKET, KEY, CA, version="v1")
    cf.put_ca_bundle(BUCKET, KEY, TWO_CAS, version="v2")
    create(client, "latest")
    create(client, "first", CaCertificatesBundleSource=source(Version="v1"))
    counts = {s.name: s.number_of_ca_certificates for s in cf.trust_stores()}
    assert counts == {"latest": 2, "first": 1}
    with pytest.raises(ClientError) as missing:
        create(client, "none", CaCertificatesBundleSource=source(Version="v9"))
    assert error_of(missing)[:2] == ("EntityNotFound", 404)
    assert "(version v9)" in error_of(missing)[2]


def test_the_region_is_checked_against_the_model_s_pattern(seeded, client) -> None:
    create(client, "eu", CaCertificatesBundleSource=source(region="eu-west-1"))
    with pytest.raises(ClientError) as bad:
        create(client, "bad", CaCertificatesBundleSource=source(region="Europe"))
    assert error_of(bad) == (
        "InvalidArgument",
        400,
        "The CA certificates bundle's Region 'Europe' is not a region name (for example "
        "us-east-1).",
    )


def test_an_option_insists_on_us_east_1() -> None:
    with mock_connection_functions(require_us_east_1_bundles=True) as cf:
        cf.put_ca_bundle(BUCKET, KEY, CA)
        client = boto3.client("cloudfront", region_name="us-east-1")
        with pytest.raises(ClientError) as elsewhere:
            create(client, CaCertificatesBundleSource=source(region="eu-west-1"))
        assert error_of(elsewhere)[:2] == ("InvalidArgument", 400)
        assert "require_us_east_1_bundles" in error_of(elsewhere)[2]
        create(client)


def test_moto_s3_objects_are_read_inside_mock_aws() -> None:
    moto = pytest.importorskip("moto")
    with moto.mock_aws(), mock_connection_functions() as cf:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        first = s3.put_object(Bucket=BUCKET, Key=KEY, Body=CA)["VersionId"]
        s3.put_object(Bucket=BUCKET, Key=KEY, Body=TWO_CAS)
        client = boto3.client("cloudfront", region_name="us-east-1")
        create(client, "latest")
        create(client, "first", CaCertificatesBundleSource=source(Version=first))
        counts = {s.name: s.number_of_ca_certificates for s in cf.trust_stores()}
        assert counts == {"latest": 2, "first": 1}
        with pytest.raises(ClientError) as missing:
            create(client, "gone", CaCertificatesBundleSource=source("missing.pem"))
        assert error_of(missing)[:2] == ("EntityNotFound", 404)


# -- bundles CloudFront refuses ---------------------------------------------------------------

REFUSED = [
    (b"hello", "Line 1 of the CA certificates bundle is neither PEM nor a # comment."),
    (b"", "The CA certificates bundle holds no PEM certificate."),
    (b"# only a comment\n", "The CA certificates bundle holds no PEM certificate."),
    (b"# a - dash\n" + CA, "Line 1 of the CA certificates bundle is a comment holding '-'."),
    (
        pki.pem(pki.ca_certificate("A")) + b"\n" + pki.pem(pki.ca_certificate("B", index=1)),
        f"Line {len(pki.pem(pki.ca_certificate('A')).splitlines()) + 1} of the CA certificates "
        "bundle is blank; certificates must follow one another "
        "without blank lines.",
    ),
    (CA[:-30], "The CA certificates bundle ends inside a certificate (no END CERTIFICATE line)."),
    (
        pki.pem(pki.ca_certificate(key="rsa-1024")),
        "Certificate 1 of the CA certificates bundle has an RSA 1024-bit key; CloudFront takes "
        "RSA 2048, 3072 or 4096.",
    ),
    (
        pki.pem(pki.ca_certificate(key="ec-p521")),
        "Certificate 1 of the CA certificates bundle has an ECDSA key on secp521r1; CloudFront "
        "takes P-256 or P-384.",
    ),
    (
        pki.pem(pki.ca_certificate(digest=hashes.SHA224())),
        "Certificate 1 of the CA certificates bundle is signed with sha224; CloudFront takes "
        "SHA-256, SHA-384 or SHA-512.",
    ),
    (
        b"".join(pki.pem(pki.ca_certificate(f"CA {i}", index=i)) for i in range(26)),
        "The CA certificates bundle holds 26 certificates; the limit is 25.",
    ),
    (
        b"#" + b"x" * 70_000 + b"\n" + CA,
        f"The CA certificates bundle is {70_002 + len(CA)} bytes; the limit is 65536.",
    ),
    ("é".encode() + CA, "The CA certificates bundle is not a PEM file: it holds non-ASCII bytes."),
]


@pytest.mark.parametrize(("bundle", "reason"), REFUSED, ids=[r[:40] for _, r in REFUSED])
def test_a_bundle_cloudfront_refuses_settles_to_failed_with_its_reason(
    cf, client, bundle: bytes, reason: str
) -> None:
    cf.put_ca_bundle(BUCKET, KEY, bundle)
    created = create(client)
    assert created["TrustStore"]["Status"] == "pending"
    assert "Reason" not in created["TrustStore"]
    store = client.get_trust_store(Identifier="devices")["TrustStore"]
    assert (store["Status"], store["NumberOfCaCertificates"], store["Reason"]) == (
        "failed",
        0,
        reason,
    )
    summary = client.list_trust_stores()["TrustStoreList"][0]
    assert (summary["Status"], summary["Reason"]) == ("failed", reason)


@pytest.mark.parametrize(("bundle", "reason"), REFUSED[:3])
def test_strict_ca_bundles_refuses_them_at_the_call(bundle: bytes, reason: str) -> None:
    with mock_connection_functions(strict_ca_bundles=True) as cf:
        cf.put_ca_bundle(BUCKET, KEY, bundle)
        client = boto3.client("cloudfront", region_name="us-east-1")
        with pytest.raises(ClientError) as refused:
            create(client)
        assert error_of(refused) == ("InvalidArgument", 400, reason)
        assert cf.trust_stores() == []


# -- update -----------------------------------------------------------------------------------


def test_update_replaces_the_bundle_and_moves_the_etag(seeded, client) -> None:
    store_id = create(client)["TrustStore"]["Id"]
    etag = client.get_trust_store(Identifier=store_id)["ETag"]
    updated = client.update_trust_store(
        Id=store_id, IfMatch=etag, CaCertificatesBundleSource=source("two.pem")
    )
    assert updated["ETag"] == ETAG_V2
    assert updated["TrustStore"]["Status"] == "pending"
    got = client.get_trust_store(Identifier=store_id)
    assert (got["ETag"], got["TrustStore"]["Status"]) == (ETAG_V2, "active")
    assert got["TrustStore"]["NumberOfCaCertificates"] == 2


def test_update_sets_the_ocsp_flag_alone(seeded, client) -> None:
    store_id = create(client)["TrustStore"]["Id"]
    updated = client.update_trust_store(
        Id=store_id, IfMatch=ETAG_V1, UseClientCertificateOCSPEndpoint=True
    )
    assert updated["TrustStore"]["UseClientCertificateOCSPEndpoint"] is True
    assert updated["ETag"] == ETAG_V2
    assert seeded.trust_store(store_id).use_ocsp is True
    # Neither a bundle nor the flag: accepted, and still a new version.
    assert client.update_trust_store(Id=store_id, IfMatch=ETAG_V2)["ETag"] == ETAG_V3
    assert client.get_trust_store(Identifier=store_id)["TrustStore"]["NumberOfCaCertificates"] == 1


def test_update_checks_in_cloudfront_s_order(seeded, client) -> None:
    store_id = create(client)["TrustStore"]["Id"]
    cases = [
        ({"Id": "ts_missing", "IfMatch": "stale"}, ("EntityNotFound", 404)),
        ({"Id": "devices", "IfMatch": ETAG_V1}, ("EntityNotFound", 404)),  # {Id}: the ID only
        ({"Id": store_id, "IfMatch": ""}, ("InvalidIfMatchVersion", 400)),
        ({"Id": store_id, "IfMatch": ETAG_V2}, ("PreconditionFailed", 412)),
        (
            {"Id": store_id, "IfMatch": ETAG_V1, "CaCertificatesBundleSource": source("no.pem")},
            ("EntityNotFound", 404),
        ),
    ]
    for request, expected in cases:
        with pytest.raises(ClientError) as refused:
            client.update_trust_store(**request)
        assert error_of(refused)[:2] == expected, request
    messages = {}
    for if_match in ("", ETAG_V2):
        with pytest.raises(ClientError) as refused:
            client.update_trust_store(Id=store_id, IfMatch=if_match)
        messages[if_match] = error_of(refused)[2]
    assert messages == {"": MISSING_IF_MATCH, ETAG_V2: STALE_IF_MATCH}
    assert client.get_trust_store(Identifier=store_id)["ETag"] == ETAG_V1


# -- delete, list ---------------------------------------------------------------------------


def test_the_infrastructure_tool_flow(seeded, client) -> None:
    # Create, poll until active twice, take the ETag from the Get, update, delete, poll until
    # EntityNotFound: the steps a Terraform-like tool takes.
    store_id = create(client)["TrustStore"]["Id"]
    seen: list[str] = []
    while seen[-2:] != ["active", "active"]:
        seen.append(client.get_trust_store(Identifier=store_id)["TrustStore"]["Status"])
        assert len(seen) < 5
    etag = client.get_trust_store(Identifier=store_id)["ETag"]
    updated = client.update_trust_store(
        Id=store_id, IfMatch=etag, CaCertificatesBundleSource=source("two.pem")
    )
    deleted = client.delete_trust_store(Id=store_id, IfMatch=updated["ETag"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as gone:
        client.get_trust_store(Identifier=store_id)
    assert error_of(gone)[:2] == ("EntityNotFound", 404)
    create(client)  # the name is free again


def test_delete_checks_the_etag(seeded, client) -> None:
    store_id = create(client)["TrustStore"]["Id"]
    for if_match, expected in (("", "InvalidIfMatchVersion"), (ETAG_V2, "PreconditionFailed")):
        with pytest.raises(ClientError) as refused:
            client.delete_trust_store(Id=store_id, IfMatch=if_match)
        assert error_of(refused)[0] == expected
    with pytest.raises(ClientError) as missing:
        client.delete_trust_store(Id="ts_missing", IfMatch=ETAG_V1)
    assert error_of(missing)[:2] == ("EntityNotFound", 404)
    assert [s.id for s in seeded.trust_stores()] == [store_id]


def test_list_pages_in_creation_order(seeded, client) -> None:
    for name in ("a", "b", "c"):
        create(client, name)
    client.delete_trust_store(Id=seeded.trust_store("b").id, IfMatch=ETAG_V1)
    create(client, "d")
    first = client.list_trust_stores(MaxItems=2)
    assert [s["Name"] for s in first["TrustStoreList"]] == ["a", "c"]
    assert all(s["ETag"] == ETAG_V1 for s in first["TrustStoreList"])
    second = client.list_trust_stores(MaxItems=2, Marker=first["NextMarker"])
    assert [s["Name"] for s in second["TrustStoreList"]] == ["d"]
    assert "NextMarker" not in second
    pages = client.get_paginator("list_trust_stores").paginate(PaginationConfig={"PageSize": 1})
    assert [s["Name"] for page in pages for s in page["TrustStoreList"]] == ["a", "c", "d"]
    assert client.list_trust_stores()["TrustStoreList"][0]["Name"] == "a"
    for request, message in (
        ({"MaxItems": 0}, "MaxItems is 0; it must be between 1 and 100."),
        (
            {"Marker": "bogus"},
            "The marker 'bogus' is not valid. Pass the NextMarker of a previous page.",
        ),
    ):
        with pytest.raises(ClientError) as bad:
            client.list_trust_stores(**request)
        assert error_of(bad) == ("InvalidArgument", 400, message)


def test_an_empty_account_lists_nothing(cf, client) -> None:
    listed = client.list_trust_stores()
    assert listed["TrustStoreList"] == []
    assert "NextMarker" not in listed


# -- the pending delay and the handle -------------------------------------------------------


def test_trust_store_delay_keeps_it_pending_until_finished(monkeypatch) -> None:
    now = [datetime.datetime(2026, 11, 30, tzinfo=datetime.timezone.utc)]
    monkeypatch.setattr(backend_module, "utc_now", lambda: now[0])
    with mock_connection_functions(trust_store_delay=60) as cf:
        cf.put_ca_bundle(BUCKET, KEY, CA)
        client = boto3.client("cloudfront", region_name="us-east-1")
        store_id = create(client)["TrustStore"]["Id"]
        assert client.get_trust_store(Identifier=store_id)["TrustStore"]["Status"] == "pending"
        now[0] += datetime.timedelta(seconds=61)
        assert client.get_trust_store(Identifier=store_id)["TrustStore"]["Status"] == "active"
        client.update_trust_store(Id=store_id, IfMatch=ETAG_V1)
        assert cf.trust_store(store_id).status == "pending"
        cf.finish_trust_stores()
        assert cf.trust_store(store_id).status == "active"


def test_the_handle_adds_trust_stores_directly(cf, client) -> None:
    store = cf.add_trust_store("devices", CA.decode(), tags={"team": "edge"}, use_ocsp=True)
    assert isinstance(store, TrustStore)
    assert (store.status, store.number_of_ca_certificates, store.etag) == ("active", 1, ETAG_V1)
    assert store.certificates[0].startswith(b"0\x82")  # DER
    got = client.get_trust_store(Identifier="devices")["TrustStore"]
    assert (got["Status"], got["UseClientCertificateOCSPEndpoint"]) == ("active", True)
    waiting = cf.add_trust_store("later", CA, active=False)
    assert waiting.status == "pending"
    broken = cf.add_trust_store("broken", b"hello")
    assert (broken.status, broken.reason) == (
        "failed",
        "Line 1 of the CA certificates bundle is neither PEM nor a # comment.",
    )
    with pytest.raises(InvalidSeedError) as again:
        cf.add_trust_store("devices", CA)
    assert "EntityAlreadyExists" in str(again.value)
    with pytest.raises(TrustStoreNotFoundError) as missing:
        cf.trust_store("nope")
    assert str(missing.value) == "cfmock: no trust store 'nope' in account 123456789012"
    with pytest.raises(InvalidSeedError):
        cf.put_ca_bundle("", KEY, CA)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"trust_store_delay": -1},
            "cfmock: trust_store_delay must be a finite number of seconds >= 0, got -1",
        ),
        ({"max_trust_stores": -1}, "cfmock: max_trust_stores must be at least 0, got -1"),
        (
            {"strict_ca_bundles": "yes"},
            "cfmock: strict_ca_bundles must be True or False, got 'yes'",
        ),
    ],
)
def test_bad_trust_store_options_are_usage_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(CfmockError) as raised:
        mock_connection_functions(**options)
    assert str(raised.value) == message


# -- server mode --------------------------------------------------------------------------------


def test_the_server_seeds_bundles_through_its_control_api() -> None:
    import http.client
    import json
    import threading

    from cfmock._fronts.server import MockServer
    from cfmock._options import MockOptions

    server = MockServer("127.0.0.1", 0, MockOptions())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]

        def post(body: bytes) -> tuple[int, dict[str, Any]]:
            connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
            connection.request("POST", "/_cfmock/ca-bundles", body=body)
            response = connection.getresponse()
            answer = json.loads(response.read())
            connection.close()
            return response.status, answer

        seed = {"bucket": BUCKET, "key": KEY, "pem": CA.decode()}
        assert post(json.dumps(seed).encode()) == (
            200,
            {"seeded": "s3://pki-bucket/devices/ca.pem", "region": "us-east-1"},
        )
        for body, problem in (
            (b"[1]", "the body must be a JSON object"),
            (b"{", "the body must be a JSON object"),
            (json.dumps({"bucket": BUCKET}).encode(), "missing member(s) key, pem"),
            (json.dumps({**seed, "colour": 1}).encode(), "unknown member(s) colour"),
            (json.dumps({**seed, "region": 5}).encode(), "member(s) region must be strings"),
        ):
            status, answer = post(body)
            assert (status, answer["error"]) == (400, f"POST /_cfmock/ca-bundles: {problem}")
        client = boto3.client(
            "cloudfront",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="secret",
        )
        create(client)
        assert client.get_trust_store(Identifier="devices")["TrustStore"]["Status"] == "active"
        (summary,) = server.state()["accounts"]["123456789012"]["trustStores"]
        assert (summary["name"], summary["status"], summary["numberOfCaCertificates"]) == (
            "devices",
            "active",
            1,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_bundle_source_without_its_s3_location_is_invalid(seeded, client) -> None:
    from cfmock._cloudfront.backend import Backend
    from cfmock._dispatch import Dispatcher
    from cfmock._wire.http import HttpRequest

    body = (
        b'<CreateTrustStoreRequest xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
        b"<Name>empty</Name><CaCertificatesBundleSource></CaCertificatesBundleSource>"
        b"</CreateTrustStoreRequest>"
    )
    backend = Backend()
    answer = Dispatcher(backend).dispatch(
        HttpRequest("POST", "/2020-05-31/trust-store", {}, {}, body)
    )
    assert answer is not None
    assert (answer.status, answer.error_code) == (400, "InvalidArgument")
    assert b"must hold CaCertificatesBundleS3Location" in answer.body
    assert backend.trust_stores.list("123456789012") == []


def test_a_pending_store_shows_no_reason_yet(cf) -> None:
    waiting = cf.add_trust_store("later", b"hello", active=False)
    assert (waiting.status, waiting.reason) == ("pending", None)
    cf.finish_trust_stores()
    failed = cf.trust_store("later")
    assert (failed.status, failed.reason) == (
        "failed",
        "Line 1 of the CA certificates bundle is neither PEM nor a # comment.",
    )
