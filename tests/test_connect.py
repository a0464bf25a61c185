"""The viewer's connection: the event built from real certificates, and cf.connect's decision."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from typing import Any

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from cfmock import (
    CloudFrontMock,
    ConnectionAttempt,
    connection_object,
    mock_connection_functions,
)
from cfmock._cloudfront.distributions import minimal_config
from cfmock.exceptions import CfmockError, DistributionNotFoundError, InvalidSeedError
from cfmock.pki import CertificateAuthority

ROOT = CertificateAuthority("Devices Root CA")
ISSUING = ROOT.intermediate("Devices Issuing CA", ocsp_url="http://ocsp.example.com/issuing")
DEVICE = ROOT.issue("device-1", organization="Example Org")
CHAINED = ISSUING.issue("device-2", ocsp_url="http://ocsp.example.com")
ALLOW = "function connectionHandler(connection) { connection.allow(); }"


def event_of(payload: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(payload)
    return value


# -- connection_object ------------------------------------------------------------------------


def test_the_event_of_a_leaf_in_the_documented_format() -> None:
    event = event_of(connection_object(DEVICE, client_ip="198.51.100.7"))
    leaf = event["clientCertificate"]["certificates"]["leaf"]
    certificate = DEVICE.certificate
    assert leaf["subject"] == "O=Example Org, CN=device-1"
    assert leaf["issuer"] == "CN=Devices Root CA"
    assert leaf["validity"] == {
        "notBefore": certificate.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "notAfter": certificate.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    digest = hashlib.sha256(DEVICE.der).digest()
    assert leaf["sha256Fingerprint"] == base64.urlsafe_b64encode(digest).decode()
    assert len(leaf["sha256Fingerprint"]) == 44
    assert "intermediates" not in event["clientCertificate"]["certificates"]
    assert "revocationStatus" not in event["clientCertificate"]
    assert (event["clientIp"], event["endpoint"], event["distributionId"]) == (
        "198.51.100.7",
        "d111111abcdef8.cloudfront.net",
        "E1NXS4MQZH501R",
    )
    assert len(event["connectionId"]) == 56 and event["connectionId"].endswith("=")


@pytest.mark.parametrize(
    ("serial", "text"),
    [(0x4A3F5C92, "4a:3f:5c:92"), (0x9E2A, "00:9e:2a"), (0x80, "00:80"), (1, "01")],
)
def test_serial_numbers_are_the_der_content_octets(serial: int, text: str) -> None:
    device = ROOT.issue("serial", serial_number=serial)
    leaf = event_of(connection_object(device))["clientCertificate"]["certificates"]["leaf"]
    assert leaf["serialNumber"] == text


def test_other_documented_forms_on_request() -> None:
    digest = hashlib.sha256(DEVICE.der).digest()
    hexed = event_of(connection_object(DEVICE, fingerprint="hex", names="rfc4514"))
    leaf = hexed["clientCertificate"]["certificates"]["leaf"]
    assert leaf["sha256Fingerprint"] == digest.hex()
    assert leaf["subject"] == "CN=device-1,O=Example Org"
    colons = event_of(connection_object(DEVICE, fingerprint="colon-hex"))
    assert colons["clientCertificate"]["certificates"]["leaf"]["sha256Fingerprint"] == ":".join(
        f"{byte:02X}" for byte in digest
    )
    with pytest.raises(CfmockError, match="fingerprint must be one of base64url, hex, colon-hex"):
        connection_object(DEVICE, fingerprint="sha1")


def test_every_certificate_form_gives_the_same_event() -> None:
    forms = [DEVICE, DEVICE.certificate, DEVICE.pem, DEVICE.pem.decode(), DEVICE.der]
    leaves = [
        event_of(connection_object(form))["clientCertificate"]["certificates"]["leaf"]
        for form in forms
    ]
    assert all(leaf == leaves[0] for leaf in leaves)
    with pytest.raises(CfmockError, match="cannot be read as X.509"):
        connection_object(b"not a certificate")
    with pytest.raises(CfmockError, match="got int"):
        connection_object(42)


def test_no_certificate_no_client_certificate() -> None:
    assert "clientCertificate" not in event_of(connection_object())


def test_ocsp_verdicts_add_the_chain_and_its_revocation_status() -> None:
    event = event_of(connection_object(CHAINED, intermediates=[ISSUING], ocsp={CHAINED: "Error"}))
    certificates = event["clientCertificate"]["certificates"]
    assert certificates["leaf"]["ocspEndpoint"] == "http://ocsp.example.com"
    (intermediate,) = certificates["intermediates"]
    assert (intermediate["subject"], intermediate["ocspEndpoint"]) == (
        "CN=Devices Issuing CA",
        "http://ocsp.example.com/issuing",
    )
    status = event["clientCertificate"]["revocationStatus"]
    assert status["chainValidity"] == "Unknown"
    assert status["certificates"]["leaf"] == {
        "method": "OCSP",
        "status": "Error",
        "errorType": "InternalError",
        "serialNumber": certificates["leaf"]["serialNumber"],
    }
    assert status["certificates"]["intermediates"][0]["status"] == "Good"
    by_serial = connection_object(
        CHAINED, intermediates=[ISSUING], ocsp={ISSUING.serial_number: "Revoked"}
    )
    assert event_of(by_serial)["clientCertificate"]["revocationStatus"]["chainValidity"] == (
        "Invalid"
    )
    good = connection_object(CHAINED, intermediates=[ISSUING], ocsp={})
    assert event_of(good)["clientCertificate"]["revocationStatus"]["chainValidity"] == "Valid"
    with pytest.raises(CfmockError, match="an OCSP verdict is one of Good, Revoked"):
        connection_object(CHAINED, ocsp={CHAINED: "revoked"})


def test_the_event_feeds_test_connection_function(cf, client) -> None:
    code = """function connectionHandler(connection) {
  var leaf = connection.clientCertificate.certificates.leaf;
  console.log(leaf.subject + ' / ' + connection.clientCertInfo.serialNumber);
  connection.allow();
}"""
    function = cf.add_function("gate", code)
    result = client.test_connection_function(
        Id=function.id, IfMatch=function.etag, ConnectionObject=connection_object(DEVICE)
    )["ConnectionFunctionTestResult"]
    serial = event_of(connection_object(DEVICE))["clientCertificate"]["certificates"]["leaf"][
        "serialNumber"
    ]
    assert result["ConnectionFunctionExecutionLogs"] == [f"O=Example Org, CN=device-1 / {serial}"]


# -- cf.connect ---------------------------------------------------------------------------------


def _distribution(
    cf: CloudFrontMock,
    *,
    mode: str | None = "required",
    store: str | None = "devices",
    function: str | None = "gate",
    enabled: bool = True,
    reference: str = "ref",
    **trust_config: Any,
) -> dict[str, Any]:
    client = boto3.client("cloudfront", region_name="us-east-1")
    config = minimal_config(
        reference,
        aliases=(f"{reference}.example.com",),
        enabled=enabled,
        passthrough=mode == "passthrough",
    )
    if mode is not None:
        config["ViewerMtlsConfig"] = {"Mode": mode}
        if store is not None:
            store_id = cf.trust_store(store).id
            config["ViewerMtlsConfig"]["TrustStoreConfig"] = {
                "TrustStoreId": store_id,
                **trust_config,
            }
        if function is not None:
            config["ConnectionFunctionAssociation"] = {"Id": cf.get_function(function).id}
    distribution: dict[str, Any] = client.create_distribution(DistributionConfig=config)[
        "Distribution"
    ]
    return distribution


@pytest.fixture
def edge(cf: CloudFrontMock) -> CloudFrontMock:
    """A trust store of the root CA and a published allow-all function."""
    cf.add_trust_store("devices", ROOT.pem)
    cf.add_function("gate", ALLOW)
    cf.publish("gate")
    return cf


def _decision(attempt: ConnectionAttempt) -> tuple[bool, str, str | None]:
    return attempt.allowed, attempt.decided_by, attempt.code


def test_a_trusted_device_is_allowed_by_the_function(edge) -> None:
    distribution = _distribution(edge)
    attempt = edge.connect(distribution["DomainName"], DEVICE, client_ip="198.51.100.7")
    assert _decision(attempt) == (True, "function", None)
    assert attempt.reason == "allowed by connection function gate"
    assert attempt.function is not None
    assert attempt.function.event["endpoint"] == distribution["DomainName"]
    assert attempt.function.event["distributionId"] == distribution["Id"]
    assert attempt.function.event["clientIp"] == "198.51.100.7"
    assert (attempt.subject, attempt.client_ip) == ("O=Example Org, CN=device-1", "198.51.100.7")
    assert edge.connections == [attempt]
    # By ID and by alias too.
    assert edge.connect(distribution["Id"], DEVICE).allowed
    assert edge.connect("ref.example.com", DEVICE).allowed


def test_unknown_distributions_are_a_usage_error(edge) -> None:
    _distribution(edge)
    with pytest.raises(DistributionNotFoundError) as missing:
        edge.connect("nope.example.com", DEVICE)
    assert str(missing.value).startswith(
        "cfmock: no distribution 'nope.example.com' in account 123456789012; it holds: d"
    )


def test_the_distribution_and_the_mode_come_first(edge) -> None:
    disabled = _distribution(edge, enabled=False, reference="off")
    assert _decision(edge.connect(disabled["Id"], DEVICE)) == (
        False,
        "distribution",
        "DistributionDisabled",
    )
    plain = _distribution(edge, mode=None, reference="plain")
    attempt = edge.connect(plain["Id"], CertificateAuthority("Rogue").issue("x"))
    assert (_decision(attempt), attempt.function) == ((True, "mode", None), None)
    required = _distribution(edge, reference="req")
    assert _decision(edge.connect(required["Id"])) == (False, "mode", "ClientCertMissing")


def test_optional_mode_runs_the_function_without_a_certificate(edge) -> None:
    code = """function connectionHandler(connection) {
  if (connection.clientCertificate) { connection.allow(); return; }
  connection.logCustomData('anonymous');
  connection.deny();
}"""
    edge.add_function("picky", code)
    edge.publish("picky")
    distribution = _distribution(edge, mode="optional", function="picky")
    anonymous = edge.connect(distribution["Id"])
    assert _decision(anonymous) == (False, "function", "ConnectionFunctionDenied")
    assert anonymous.reason == "denied by connection function picky; custom data 'anonymous'"
    assert anonymous.function is not None
    assert "clientCertificate" not in anonymous.function.event
    assert edge.connect(distribution["Id"], DEVICE).allowed
    rogue = CertificateAuthority("Rogue CA").issue("intruder")
    assert _decision(edge.connect(distribution["Id"], rogue)) == (
        False,
        "trust_store",
        "ClientCertUntrusted",
    )


def test_trust_store_refusals_carry_cloudfront_s_log_codes(edge) -> None:
    distribution = _distribution(edge, function=None)
    rogue_ca = CertificateAuthority("Rogue CA")
    impostor_root = CertificateAuthority("Devices Root CA")  # same name, another key
    cases = [
        (rogue_ca.issue("intruder"), (), "ClientCertUntrusted"),
        (ROOT.issue("old", expired=True), (), "ClientCertExpired"),
        (ROOT.issue("early", not_yet_valid=True), (), "ClientCertNotYetValid"),
        (impostor_root.issue("forged"), (), "ClientCertInvalid"),
        (ROOT.issue("weak", key="rsa-1024"), (), "ClientCertTypeUnsupported"),
        (ROOT.issue("server", client_auth=False), (), "ClientCertIntentInvalid"),
        (CHAINED, (), "ClientCertUntrusted"),  # its intermediate was not sent
    ]
    for certificate, chain, code in cases:
        attempt = edge.connect(distribution["Id"], certificate, intermediates=chain)
        assert _decision(attempt) == (False, "trust_store", code), code
        assert attempt.function is None
    untrusted = edge.connect(distribution["Id"], rogue_ca.issue("intruder"))
    assert untrusted.reason.startswith("the issuer CN=Rogue CA of certificate CN=intruder")
    assert untrusted.reason.endswith(
        f"is not in trust store devices ({edge.trust_store('devices').id})"
    )
    chained = edge.connect(distribution["Id"], CHAINED, intermediates=[ISSUING])
    assert _decision(chained) == (True, "trust_store", None)
    no_eku = edge.connect(distribution["Id"], ROOT.issue("plain", client_auth=None))
    assert no_eku.allowed


def test_the_chain_depth_limit(edge) -> None:
    distribution = _distribution(edge, function=None)
    cas = [ROOT]
    for level in range(4):
        cas.append(cas[-1].intermediate(f"Level {level}"))
    three_below = cas[3].issue("ok")  # leaf + 3 intermediates below the root
    assert edge.connect(distribution["Id"], three_below, intermediates=cas[3:0:-1]).allowed
    four_below = cas[4].issue("deep")
    assert _decision(edge.connect(distribution["Id"], four_below, intermediates=cas[4:0:-1])) == (
        False,
        "trust_store",
        "ClientCertMaxChainDepthExceeded",
    )


def test_ignore_certificate_expiry_lets_an_expired_device_reach_the_function(edge) -> None:
    expired = ROOT.issue("old", expired=True)
    lenient = _distribution(edge, IgnoreCertificateExpiry=True)
    attempt = edge.connect(lenient["Id"], expired)
    assert _decision(attempt) == (True, "function", None)
    strict = _distribution(edge, reference="strict")
    assert edge.connect(strict["Id"], expired).code == "ClientCertExpired"


def test_at_moves_the_clock_of_the_validation(edge) -> None:
    distribution = _distribution(edge, function=None)
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=400)
    assert edge.connect(distribution["Id"], DEVICE, at=later).code == "ClientCertExpired"
    naive_earlier = datetime.datetime(2000, 1, 1)
    assert edge.connect(distribution["Id"], DEVICE, at=naive_earlier).code == (
        "ClientCertNotYetValid"
    )


def test_passthrough_skips_the_trust_store_and_forwards_the_certificate(edge) -> None:
    distribution = _distribution(edge, mode="passthrough", store=None)
    rogue = CertificateAuthority("Rogue CA").issue("anyone")
    attempt = edge.connect(distribution["Id"], rogue)
    assert _decision(attempt) == (True, "function", None)
    assert attempt.client_cert == base64.b64encode(rogue.der).decode()
    assert attempt.client_cert_chain is None
    chained = edge.connect(distribution["Id"], CHAINED, intermediates=[ISSUING])
    assert chained.client_cert_chain == base64.b64encode(ISSUING.der).decode()
    too_deep = edge.connect(distribution["Id"], CHAINED, intermediates=[ISSUING] * 4)
    assert _decision(too_deep) == (False, "mode", "ClientCertMaxChainDepthExceeded")


# -- OCSP ---------------------------------------------------------------------------------------


@pytest.fixture
def ocsp_edge(edge: CloudFrontMock) -> CloudFrontMock:
    edge.add_trust_store("checked", ROOT.pem, use_ocsp=True)
    return edge


def test_ocsp_without_a_function(ocsp_edge) -> None:
    distribution = _distribution(ocsp_edge, store="checked", function=None)
    good = ocsp_edge.connect(distribution["Id"], CHAINED, intermediates=[ISSUING])
    assert (_decision(good), good.reason) == ((True, "ocsp", None), "OCSP: chain Valid")
    for verdict in ("Revoked", "Unknown", "Error"):
        refused = ocsp_edge.connect(
            distribution["Id"], CHAINED, intermediates=[ISSUING], ocsp={CHAINED: verdict}
        )
        assert _decision(refused) == (False, "ocsp", "ClientCertRejected"), verdict
    no_url = ocsp_edge.connect(distribution["Id"], DEVICE)
    assert _decision(no_url) == (False, "ocsp", "ClientCertRejected")
    assert no_url.reason == (
        "OCSP is on for trust store checked and O=Example Org, CN=device-1 has no OCSP URL"
    )


def test_with_a_function_its_decision_on_the_ocsp_verdicts_is_final(ocsp_edge) -> None:
    soft_fail = """function connectionHandler(connection) {
  var status = connection.clientCertificate.revocationStatus;
  console.log(status.chainValidity);
  if (status.chainValidity === 'Invalid') return connection.deny();
  connection.allow();
}"""
    ocsp_edge.add_function("soft", soft_fail)
    ocsp_edge.publish("soft")
    distribution = _distribution(ocsp_edge, store="checked", function="soft")
    unknown = ocsp_edge.connect(
        distribution["Id"], CHAINED, intermediates=[ISSUING], ocsp={ISSUING: "Unknown"}
    )
    assert _decision(unknown) == (True, "function", None)
    assert unknown.function is not None and unknown.function.logs == ("Unknown",)
    revoked = ocsp_edge.connect(
        distribution["Id"],
        CHAINED,
        intermediates=[ISSUING],
        ocsp={CHAINED.serial_number: "Revoked"},
    )
    assert _decision(revoked) == (False, "function", "ConnectionFunctionDenied")


# -- the function and its links -----------------------------------------------------------------


def test_a_function_error_refuses_the_connection(edge) -> None:
    edge.add_function("broken", "function connectionHandler(c) { throw new Error('boom'); }")
    edge.publish("broken")
    distribution = _distribution(edge, function="broken")
    attempt = edge.connect(distribution["Id"], DEVICE)
    assert _decision(attempt) == (False, "function", "ConnectionFunctionError")
    assert attempt.reason == "connection function broken failed: Error: boom"


def test_republished_code_and_new_keys_change_the_next_connection(edge, client) -> None:
    code = """import cf from 'cloudfront';
async function connectionHandler(connection) {
  const serial = connection.clientCertificate.certificates.leaf.serialNumber;
  const revoked = await cf.kvs().exists(serial);
  if (revoked) { connection.logCustomData('revoked ' + serial); return connection.deny(); }
  connection.allow();
}"""
    store = edge.add_key_value_store("revoked")
    edge.add_function("revocation", code, key_value_store_arn=store.arn)
    edge.publish("revocation")
    distribution = _distribution(edge, function="revocation")
    assert edge.connect(distribution["Id"], DEVICE).allowed
    serial = event_of(connection_object(DEVICE))["clientCertificate"]["certificates"]["leaf"][
        "serialNumber"
    ]
    edge.put_keys("revoked", {serial: "1"})
    denied = edge.connect(distribution["Id"], DEVICE)
    assert _decision(denied) == (False, "function", "ConnectionFunctionDenied")
    assert (
        denied.reason == f"denied by connection function revocation; custom data 'revoked {serial}'"
    )
    function = edge.get_function("revocation")
    updated = client.update_connection_function(
        Id=function.id,
        IfMatch=function.etag,
        ConnectionFunctionConfig={
            "Comment": "",
            "Runtime": "cloudfront-js-2.0",
            "KeyValueStoreAssociations": {
                "Quantity": 1,
                "Items": [{"KeyValueStoreARN": store.arn}],
            },
        },
        ConnectionFunctionCode=ALLOW.encode(),
    )
    # Updated but not published: the LIVE code still decides.
    assert not edge.connect(distribution["Id"], DEVICE).allowed
    client.publish_connection_function(Id=function.id, IfMatch=updated["ETag"])
    assert edge.connect(distribution["Id"], DEVICE).allowed


def test_connect_bad_inputs_are_usage_errors(edge) -> None:
    distribution = _distribution(edge)
    with pytest.raises(CfmockError, match="the certificate cannot be read as X.509"):
        edge.connect(distribution["Id"], b"garbage")
    with pytest.raises(CfmockError, match="the intermediate certificate must be PEM"):
        edge.connect(distribution["Id"], DEVICE, intermediates=[3.5])
    with pytest.raises(CfmockError, match="an OCSP verdict is one of"):
        edge.add_trust_store("checked", ROOT.pem, use_ocsp=True)
        checked = _distribution(edge, store="checked", reference="checked")
        edge.connect(checked["Id"], CHAINED, intermediates=[ISSUING], ocsp={CHAINED: "bad"})


def test_pki_refuses_an_unknown_key_kind() -> None:
    with pytest.raises(CfmockError, match="unknown key 'dsa'"):
        ROOT.issue("x", key="dsa")
    assert isinstance(DEVICE.certificate, x509.Certificate)
    assert DEVICE.certificate.public_bytes(Encoding.DER) == DEVICE.der


# -- server mode --------------------------------------------------------------------------------


def test_the_server_decides_connections_through_its_control_api() -> None:
    import http.client
    import threading

    from cfmock._fronts.server import MockServer
    from cfmock._options import MockOptions

    server = MockServer("127.0.0.1", 0, MockOptions())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        seeding = http.client.HTTPConnection(str(host), int(port), timeout=10)
        bundle = {"bucket": "pki", "key": "root.pem", "pem": ROOT.pem.decode()}
        seeding.request("POST", "/_cfmock/ca-bundles", body=json.dumps(bundle).encode())
        assert seeding.getresponse().status == 200
        seeding.close()
        client = boto3.client(
            "cloudfront",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="secret",
        )
        location = {"Bucket": "pki", "Key": "root.pem", "Region": "us-east-1"}
        client.create_trust_store(
            Name="devices", CaCertificatesBundleSource={"CaCertificatesBundleS3Location": location}
        )
        store_id = client.list_trust_stores()["TrustStoreList"][0]["Id"]
        config = minimal_config("srv")
        config["ViewerMtlsConfig"] = {
            "Mode": "required",
            "TrustStoreConfig": {"TrustStoreId": store_id},
        }
        created = client.create_distribution(DistributionConfig=config)["Distribution"]

        def post(payload: Any) -> tuple[int, dict[str, Any]]:
            connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            connection.request("POST", "/_cfmock/connect", body=body)
            response = connection.getresponse()
            answer: dict[str, Any] = json.loads(response.read())
            connection.close()
            return response.status, answer

        status, answer = post(
            {"distribution": created["DomainName"], "certificate": DEVICE.pem.decode()}
        )
        assert status == 200
        assert (answer["allowed"], answer["decidedBy"], answer["code"]) == (
            True,
            "trust_store",
            None,
        )
        expired = ROOT.issue("old", expired=True).pem.decode()
        status, answer = post({"distribution": created["Id"], "certificate": expired})
        assert (status, answer["code"]) == (200, "ClientCertExpired")
        status, answer = post({"distribution": created["Id"]})
        assert (answer["allowed"], answer["code"]) == (False, "ClientCertMissing")
        for payload, problem in (
            (b"[]", "the body must be a JSON object"),
            (
                {"certificate": None},
                "member distribution (an ID, domain name or alias) is required",
            ),
            ({"distribution": "x", "colour": 1}, "unknown member(s) colour"),
            (
                {"distribution": "x", "intermediates": "pem"},
                "member(s) intermediates have the wrong type",
            ),
        ):
            status, answer = post(payload)
            assert (status, answer["error"]) == (400, f"POST /_cfmock/connect: {problem}")
        status, answer = post({"distribution": "nope"})
        assert status == 400
        assert answer["error"].startswith("POST /_cfmock/connect: cfmock: no distribution 'nope'")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# -- options and conveniences -------------------------------------------------------------------


def test_add_distribution_and_the_serial_a_function_reads(edge) -> None:
    distribution = edge.add_distribution(
        trust_store="devices", function="gate", aliases=["devices.example.com"]
    )
    assert (distribution.mtls_mode, distribution.function_id) == (
        "required",
        edge.get_function("gate").id,
    )
    attempt = edge.connect("devices.example.com", DEVICE)
    assert attempt.allowed
    assert attempt.serial_number == DEVICE.event_serial_number
    assert (
        DEVICE.event_serial_number
        == (
            event_of(connection_object(DEVICE))["clientCertificate"]["certificates"]["leaf"][
                "serialNumber"
            ]
        )
    )
    plain = edge.add_distribution(mode=None)
    assert plain.mtls_mode is None
    with pytest.raises(InvalidSeedError, match="EntityNotFound"):
        edge.add_distribution(trust_store="devices", function="missing")


def test_connect_disabled_lets_a_test_reach_a_disabled_distribution() -> None:
    with mock_connection_functions(connect_disabled=True) as cf:
        cf.add_trust_store("devices", ROOT.pem)
        cf.add_distribution(trust_store="devices", enabled=False, aliases=["off.example.com"])
        assert _decision(cf.connect("off.example.com", DEVICE)) == (True, "trust_store", None)


def test_the_event_endpoint_and_an_ocsp_error_type_can_be_chosen(edge) -> None:
    edge.add_trust_store("checked", ROOT.pem, use_ocsp=True)
    edge.add_function("show", "function connectionHandler(c) { c.allow(); }")
    edge.publish("show")
    edge.add_distribution(trust_store="checked", function="show", aliases=["ocsp.example.com"])
    attempt = edge.connect(
        "ocsp.example.com",
        CHAINED,
        intermediates=[ROOT, ISSUING],  # sent in the wrong order, with the anchor
        ocsp={CHAINED: "Error: OCSP response verification failed: SignatureFailure"},
        endpoint="ocsp.example.com",
    )
    assert attempt.function is not None
    event = attempt.function.event
    assert event["endpoint"] == "ocsp.example.com"
    # The event shows the validated path, leaf's issuer first, without the anchor.
    intermediates = event["clientCertificate"]["certificates"]["intermediates"]
    assert [i["subject"] for i in intermediates] == ["CN=Devices Issuing CA"]
    leaf_status = event["clientCertificate"]["revocationStatus"]["certificates"]["leaf"]
    assert (leaf_status["status"], leaf_status["errorType"]) == (
        "Error",
        "OCSP response verification failed: SignatureFailure",
    )
    with pytest.raises(CfmockError, match="an OCSP verdict is one of"):
        edge.connect(
            "ocsp.example.com", CHAINED, intermediates=[ISSUING], ocsp={CHAINED: "Good: x"}
        )


def test_the_handle_s_distributions_are_snapshots(edge, client) -> None:
    distribution = edge.add_distribution(trust_store="devices")
    edge.distribution(distribution.id).config["Comment"] = "changed"
    edge.distributions()[0].config["Comment"] = "changed"
    got = client.get_distribution_config(Id=distribution.id)["DistributionConfig"]
    assert got["Comment"] == ""
