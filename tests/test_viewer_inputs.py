"""Odd inputs to the viewer-mTLS surface: each is a clear usage error or a modeled refusal."""

from __future__ import annotations

import datetime
import http.client
import json
import socket
import ssl
import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtensionOID, NameOID

from cfmock import connection_object
from cfmock._cloudfront.ca_bundle import read_bundle
from cfmock._fronts.server import MockServer
from cfmock._options import MockOptions
from cfmock.exceptions import CfmockError, InvalidSeedError
from cfmock.pki import CertificateAuthority
from tests.scaffolding import error_of

ROOT = CertificateAuthority("Inputs Root CA")
DEVICE = ROOT.issue("device")


def _with_extension(extension: x509.ExtensionType, critical: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "odd")]))
        .issuer_name(ROOT.certificate.subject)
        .public_key(DEVICE.private_key.public_key())
        .serial_number(99)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(extension, critical=critical)
        .sign(ROOT.private_key, hashes.SHA256())
    )


BROKEN = _with_extension(
    x509.UnrecognizedExtension(ExtensionOID.BASIC_CONSTRAINTS, b"\xff\x00"), critical=False
)
UNKNOWN_CRITICAL = _with_extension(
    x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.4"), b"\x05\x00"), critical=True
)


def test_certificates_whose_extensions_do_not_read_are_refused(cf) -> None:
    cf.add_trust_store("devices", ROOT.pem)
    cf.add_distribution(trust_store="devices", aliases=["odd.example.com"])
    for certificate, words in (
        (BROKEN, "has an extension that does not parse"),
        (UNKNOWN_CRITICAL, "has an unknown critical extension 1.2.3.4"),
    ):
        attempt = cf.connect("odd.example.com", certificate)
        assert (attempt.allowed, attempt.code) == (False, "ClientCertInvalid")
        assert words in attempt.reason
        with pytest.raises(CfmockError, match=words):
            connection_object(certificate, ocsp={})
    from cryptography.hazmat.primitives.serialization import Encoding

    reason = read_bundle(BROKEN.public_bytes(Encoding.PEM)).reason
    assert reason is not None and "has an extension that does not parse" in reason


def test_names_match_without_case_and_an_empty_alias_is_refused(cf, client) -> None:
    cf.add_trust_store("devices", ROOT.pem)
    distribution = cf.add_distribution(trust_store="devices", aliases=["Mixed.Example.com"])
    assert cf.connect("mixed.example.COM", DEVICE).allowed
    assert cf.connect(distribution.domain_name.upper(), DEVICE).allowed
    with pytest.raises(InvalidSeedError, match="must not be empty"):
        cf.add_distribution(trust_store="devices", aliases=[""])
    with pytest.raises(ClientError) as empty_mode:
        config = cf.distribution(distribution.id).config
        config["CallerReference"] = "other"
        config.pop("Aliases")
        config["ViewerMtlsConfig"]["Mode"] = ""
        client.create_distribution(DistributionConfig=config)
    assert error_of(empty_mode)[:2] == ("InvalidArgument", 400)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"intermediates": ROOT}, "intermediates must be a list of certificates"),
        ({"intermediates": None}, "intermediates must be a list of certificates"),
        ({"ocsp": [("a", "b")]}, "ocsp must map certificates or serial numbers to verdicts"),
        ({"ocsp": {1: "bogus"}}, "an OCSP verdict is one of"),
        ({"at": "2026-01-01"}, "at must be a datetime.datetime, got str"),
        ({"client_ip": b"1.2.3.4"}, "client_ip must be a string, got bytes"),
        ({"endpoint": 5}, "endpoint must be a string, got int"),
    ],
)
def test_connect_arguments_of_the_wrong_kind_are_usage_errors(
    cf, arguments: dict[str, Any], message: str
) -> None:
    cf.add_trust_store("devices", ROOT.pem)
    cf.add_distribution(trust_store="devices", aliases=["args.example.com"])
    with pytest.raises(CfmockError, match=message):
        cf.connect("args.example.com", DEVICE, **arguments)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda cf: cf.put_ca_bundle("b", "k", None), "A PEM is text"),
        (lambda cf: cf.put_ca_bundle("b", "k", 5), "A PEM is text"),
        (lambda cf: cf.put_ca_bundle("b", "k", "\ud800"), "A PEM is text"),
        (lambda cf: cf.put_ca_bundle(["b"], "k", b"x"), "needs a bucket and a key"),
        (lambda cf: cf.add_trust_store("t", ROOT.pem, tags=[("a", "b")]), "tags map string keys"),
        (lambda cf: cf.add_trust_store(5, ROOT.pem), "A trust store name is a string"),
        (lambda cf: cf.add_distribution(aliases="ab.c"), "aliases is a list"),
        (lambda cf: cf.add_distribution(aliases=[5]), "aliases are strings"),
        (lambda cf: cf.add_distribution(enabled="no"), "enabled must be True or False"),
        (lambda cf: cf.add_distribution(caller_reference=5), "caller_reference must be a string"),
    ],
)
def test_handle_arguments_of_the_wrong_kind_are_seed_errors(cf, call: Any, message: str) -> None:
    with pytest.raises(InvalidSeedError, match=message):
        call(cf)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: CertificateAuthority("a" * 65), "cannot make this certificate"),
        (lambda: CertificateAuthority("x", key="rsa-512"), "cannot make the key 'rsa-512'"),
        (lambda: ROOT.issue("x", serial_number=-1), "cannot make this certificate"),
        (lambda: ROOT.issue("x", expired=True, not_yet_valid=True), "cannot make this certificate"),
    ],
)
def test_pki_refusals_are_usage_errors(make: Any, message: str) -> None:
    with pytest.raises(CfmockError, match=message):
        make()


def test_the_control_api_and_the_edge_answer_odd_requests() -> None:
    server = MockServer("127.0.0.1", 0, MockOptions())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    edge = server.start_edge()
    try:
        host, port = server.server_address[:2]

        def post(path: str, body: bytes) -> tuple[int, dict[str, Any]]:
            connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
            connection.request("POST", path, body=body)
            response = connection.getresponse()
            answer: dict[str, Any] = json.loads(response.read())
            connection.close()
            return response.status, answer

        assert post("/_cfmock/ca-bundles", b'{"bucket":"b","key":"k","pem":"\\ud800"}') == (
            400,
            {"error": "POST /_cfmock/ca-bundles: pem holds a lone surrogate, not text"},
        )
        assert post("/_cfmock/ocsp", b'{"zz": "Good"}') == (
            400,
            {"error": "POST /_cfmock/ocsp: 'zz' is not a serial number (10:01, 0x1001 or decimal)"},
        )
        status, _ = post("/_cfmock/ocsp", b'{"\\uff11\\uff12": "Good"}')
        assert status == 400
        # A long alias still gets a server certificate; after a good handshake, bytes that
        # are not HTTP get a 400 before the connection closes.
        backend = server.dispatcher.backend
        long_name = "a" * 63 + ".example.com"
        from cfmock._cloudfront.distributions import minimal_config

        backend.distributions.create("123456789012", minimal_config("long", aliases=(long_name,)))
        context = ssl.create_default_context(cafile=str(edge.ca_file))
        with (
            socket.create_connection(edge.address, timeout=10) as raw,
            context.wrap_socket(raw, server_hostname=long_name) as tls,
        ):
            tls.sendall(b"GARBAGE\r\n\r\n")
            data = b""
            while chunk := tls.recv(65536):
                data += chunk
        assert data.startswith(b"HTTP/1.1 400 Bad Request")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
