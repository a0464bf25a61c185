"""The documented connection-function patterns, written fresh, run through boto3.

Each pattern gets allow and deny cases; logs, output and utilization are asserted on the
TestConnectionFunction result exactly as a user's unit test would.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from cfmock import CloudFrontMock, mock_connection_functions

RUNTIME = "cloudfront-js-2.0"

REVOCATION = b"""import cf from 'cloudfront';

const revoked = cf.kvs();

async function connectionHandler(connection) {
  const leaf = connection.clientCertificate.certificates.leaf;
  const serial = leaf.serialNumber.replaceAll(':', '').toUpperCase();
  if (await revoked.exists(serial)) {
    console.log('revoked certificate ' + serial);
    connection.logCustomData('REVOKED:' + serial);
    return connection.deny();
  }
  console.log('certificate ' + serial + ' is in good standing');
  connection.allow();
}
"""

MULTI_CA_REVOCATION = b"""import cf from 'cloudfront';

function revocationKey(leaf) {
  const issuer = leaf.issuer.replace(/[^A-Za-z0-9]/g, '').slice(0, 20);
  return issuer + '_' + leaf.serialNumber.replaceAll(':', '').toUpperCase();
}

async function connectionHandler(connection) {
  const key = revocationKey(connection.clientCertInfo);
  if (await cf.kvs().exists(key)) {
    connection.logCustomData('REVOKED:' + key);
    return connection.deny();
  }
  connection.allow();
}
"""

DEVICE_ALLOWLIST = b"""function connectionHandler(connection) {
  const leaf = connection.clientCertificate.certificates.leaf;
  if (!leaf.serialNumber.startsWith('DEV')) {
    connection.logCustomData('INVALID_SERIAL:' + leaf.serialNumber);
    return connection.deny();
  }
  if (!leaf.subject.includes('OU=AuthorizedDevices')) {
    connection.logCustomData('INVALID_OU:' + leaf.subject);
    return connection.deny();
  }
  connection.logCustomData('VALID_DEVICE:' + leaf.serialNumber);
  connection.allow();
}
"""

OPTIONAL_MTLS = b"""const TRUSTED_NETWORKS = ['203.0.113.', '198.51.100.'];

function connectionHandler(connection) {
  if (connection.clientCertificate) {
    console.log('certificate: ' + connection.clientCertificate.certificates.leaf.subject);
    return connection.allow();
  }
  if (TRUSTED_NETWORKS.some((prefix) => connection.clientIp.startsWith(prefix))) {
    console.log('no certificate, trusted network ' + connection.clientIp);
    return connection.allow();
  }
  console.log('no certificate, untrusted network ' + connection.clientIp);
  connection.deny();
}
"""

ORGANISATION = b"""function connectionHandler(connection) {
  if (!connection.clientCertificate) {
    return connection.deny();
  }
  const subject = connection.clientCertificate.certificates.leaf.subject;
  if (!subject.includes('O=ExampleCorp')) {
    connection.logCustomData('WRONG_ORG:' + subject);
    return connection.deny();
  }
  connection.allow();
}
"""


def certificate(
    serial: str = "00:9e:2a:af",
    subject: str = "CN=device,O=ExampleCorp",
    issuer: str = "C=US, O=Example Root CA",
) -> dict[str, Any]:
    return {
        "clientCertificate": {
            "certificates": {
                "leaf": {
                    "serialNumber": serial,
                    "subject": subject,
                    "issuer": issuer,
                    "validity": {
                        "notBefore": "2025-09-10T23:43:10Z",
                        "notAfter": "2055-09-11T00:43:02Z",
                    },
                    "sha256Fingerprint": "_w6bJ7aOAlGOj7NUhJxTfsfee-ONg_xop3_PTgTJpqs=",
                }
            }
        },
        "clientIp": "192.0.2.10",
        "endpoint": "d111111abcdef8.cloudfront.net",
        "distributionId": "E1NXS4MQZH501R",
        "connectionId": "NpvTe1925xfj24a67sPQr7ae42BIq03FGhJJKfrQYWZcWZFp96SIIg==",
    }


class FunctionUnderTest:
    """A connection function created through boto3, tested through boto3."""

    def __init__(self, client: Any, name: str, code: bytes, kvs_arn: str | None = None) -> None:
        config: dict[str, Any] = {"Comment": name, "Runtime": RUNTIME}
        if kvs_arn:
            config["KeyValueStoreAssociations"] = {
                "Quantity": 1,
                "Items": [{"KeyValueStoreARN": kvs_arn}],
            }
        created = client.create_connection_function(
            Name=name, ConnectionFunctionConfig=config, ConnectionFunctionCode=code
        )
        self.client = client
        self.id = created["ConnectionFunctionSummary"]["Id"]
        self.etag = created["ETag"]

    def test(self, event: dict[str, Any]) -> dict[str, Any]:
        response = self.client.test_connection_function(
            Id=self.id, IfMatch=self.etag, ConnectionObject=json.dumps(event).encode()
        )
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
        result: dict[str, Any] = response["ConnectionFunctionTestResult"]
        assert result["ConnectionFunctionErrorMessage"] == ""
        assert 0 <= int(result["ComputeUtilization"]) <= 100
        return result


def decision(result: dict[str, Any]) -> dict[str, Any]:
    output: dict[str, Any] = json.loads(result["ConnectionFunctionOutput"])["connection"]
    return output


@pytest.fixture
def client(cf: CloudFrontMock) -> Any:
    return boto3.client("cloudfront", region_name="us-east-1")


def _seed_revocations(keys: dict[str, str]) -> str:
    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    store = cloudfront.create_key_value_store(Name="revoked-serials")["KeyValueStore"]
    data = boto3.client("cloudfront-keyvaluestore", region_name="us-east-1")
    etag = data.describe_key_value_store(KvsARN=store["ARN"])["ETag"]
    data.update_keys(
        KvsARN=store["ARN"], IfMatch=etag, Puts=[{"Key": k, "Value": v} for k, v in keys.items()]
    )
    arn: str = store["ARN"]
    return arn


def test_revocation_by_serial_number_in_a_key_value_store(client) -> None:
    arn = _seed_revocations({"009E2AAF": "revoked 2026-01-05"})
    function = FunctionUnderTest(client, "revocation", REVOCATION, arn)

    denied = function.test(certificate(serial="00:9e:2a:af"))
    assert decision(denied) == {"action": "deny", "customData": "REVOKED:009E2AAF"}
    assert denied["ConnectionFunctionExecutionLogs"] == ["revoked certificate 009E2AAF"]

    allowed = function.test(certificate(serial="01:02:03"))
    assert decision(allowed) == {"action": "allow"}
    assert allowed["ConnectionFunctionExecutionLogs"] == ["certificate 010203 is in good standing"]


def test_revocation_sees_keys_written_after_the_function_was_created(client, cf) -> None:
    arn = _seed_revocations({"AAAA": "revoked"})
    function = FunctionUnderTest(client, "revocation", REVOCATION, arn)
    assert decision(function.test(certificate(serial="bb:bb")))["action"] == "allow"
    cf.put_keys(arn, {"BBBB": "revoked today"})
    assert decision(function.test(certificate(serial="bb:bb")))["action"] == "deny"


def test_multi_ca_revocation_keys_by_issuer_and_serial(client, cf) -> None:
    store = cf.add_key_value_store("revocations", {"CUSOExampleRootCA_0A0B": "revoked"})
    function = FunctionUnderTest(client, "multi-ca", MULTI_CA_REVOCATION, store.arn)
    same_serial_other_ca = certificate(serial="0a:0b", issuer="C=US, O=Other CA")
    assert decision(function.test(certificate(serial="0a:0b"))) == {
        "action": "deny",
        "customData": "REVOKED:CUSOExampleRootCA_0A0B",
    }
    assert decision(function.test(same_serial_other_ca)) == {"action": "allow"}


@pytest.mark.parametrize(
    ("serial", "subject", "expected"),
    [
        (
            "DEV-001",
            "CN=sensor,OU=AuthorizedDevices,O=ExampleCorp",
            {"action": "allow", "customData": "VALID_DEVICE:DEV-001"},
        ),
        (
            "LAP-001",
            "CN=laptop,OU=AuthorizedDevices,O=ExampleCorp",
            {"action": "deny", "customData": "INVALID_SERIAL:LAP-001"},
        ),
        (
            "DEV-002",
            "CN=sensor,OU=Guests,O=ExampleCorp",
            {"action": "deny", "customData": "INVALID_OU:CN=sensor,OU=Guests,O=ExampleCorp"},
        ),
    ],
)
def test_device_serial_and_ou_allowlist(client, serial, subject, expected) -> None:
    function = FunctionUnderTest(client, "devices", DEVICE_ALLOWLIST)
    result = function.test(certificate(serial=serial, subject=subject))
    assert decision(result) == expected
    assert result["ConnectionFunctionExecutionLogs"] == []


@pytest.mark.parametrize(
    ("event", "action", "log"),
    [
        (certificate(), "allow", "certificate: CN=device,O=ExampleCorp"),
        ({"clientIp": "203.0.113.9"}, "allow", "no certificate, trusted network 203.0.113.9"),
        ({"clientIp": "198.51.100.77"}, "allow", "no certificate, trusted network 198.51.100.77"),
        ({"clientIp": "192.0.2.1"}, "deny", "no certificate, untrusted network 192.0.2.1"),
    ],
)
def test_optional_mtls_with_an_ip_fallback(client, event, action, log) -> None:
    result = FunctionUnderTest(client, "optional-mtls", OPTIONAL_MTLS).test(event)
    assert decision(result) == {"action": action}
    assert result["ConnectionFunctionExecutionLogs"] == [log]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (certificate(subject="CN=api,O=ExampleCorp,C=US"), {"action": "allow"}),
        (
            certificate(subject="CN=api,O=OtherCorp,C=US"),
            {"action": "deny", "customData": "WRONG_ORG:CN=api,O=OtherCorp,C=US"},
        ),
        ({"clientIp": "192.0.2.1"}, {"action": "deny"}),
    ],
)
def test_subject_organisation_check(client, event, expected) -> None:
    assert decision(FunctionUnderTest(client, "org", ORGANISATION).test(event)) == expected


def test_user_code_failures_are_a_200_with_the_error(client) -> None:
    function = FunctionUnderTest(
        client, "broken", b"function connectionHandler(c) { c.clientCertificate.certificates; }"
    )
    response = client.test_connection_function(
        Id=function.id, IfMatch=function.etag, ConnectionObject=b'{"clientIp": "192.0.2.1"}'
    )
    result = response["ConnectionFunctionTestResult"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert result["ConnectionFunctionErrorMessage"] == (
        'TypeError: cannot get property "certificates" of undefined'
    )
    assert decision(result) == {"action": "deny"}
    assert result["ConnectionFunctionSummary"]["Name"] == "broken"


@pytest.mark.parametrize(
    ("connection_object", "message"),
    [
        (
            b"not json",
            "The connection object is not valid UTF-8 JSON: Expecting value: line 1 "
            "column 1 (char 0).",
        ),
        (b"[1, 2]", "The connection object must be a JSON object."),
        (
            b"\xff\xfe",
            "The connection object is not valid UTF-8 JSON: 'utf-8' codec can't decode "
            "byte 0xff in position 0: invalid start byte.",
        ),
        (
            b"{" + b" " * 40_960 + b"}",
            "The connection object is 40962 bytes; the maximum is 40960.",
        ),
    ],
)
def test_a_bad_connection_object_is_invalid_argument(client, connection_object, message) -> None:
    function = FunctionUnderTest(client, "any", ORGANISATION)
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        client.test_connection_function(
            Id=function.id, IfMatch=function.etag, ConnectionObject=connection_object
        )
    error = excinfo.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InvalidArgument",
        400,
    )
    assert error["Error"]["Message"] == message


def test_the_live_stage_runs_the_published_code() -> None:
    with mock_connection_functions():
        client = boto3.client("cloudfront", region_name="us-east-1")
        function = FunctionUnderTest(
            client, "staged", b"function connectionHandler(c) { c.allow(); }"
        )
        client.publish_connection_function(Id=function.id, IfMatch=function.etag)
        updated = client.update_connection_function(
            Id=function.id,
            IfMatch=function.etag,
            ConnectionFunctionConfig={"Comment": "now denies", "Runtime": RUNTIME},
            ConnectionFunctionCode=b"function connectionHandler(c) { c.deny(); }",
        )
        live_etag = client.describe_connection_function(Identifier=function.id, Stage="LIVE")[
            "ETag"
        ]
        live = client.test_connection_function(
            Id=function.id, IfMatch=live_etag, Stage="LIVE", ConnectionObject=b"{}"
        )["ConnectionFunctionTestResult"]
        development = client.test_connection_function(
            Id=function.id, IfMatch=updated["ETag"], ConnectionObject=b"{}"
        )["ConnectionFunctionTestResult"]
    assert decision(live) == {"action": "allow"}
    assert decision(development) == {"action": "deny"}
