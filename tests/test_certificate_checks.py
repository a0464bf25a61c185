"""The CA-bundle and chain checks on certificates CloudFront refuses, unit by unit."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from cfmock._cloudfront.ca_bundle import read_bundle
from cfmock._viewer.trust import validate
from cfmock.pki import CertificateAuthority

NOW = datetime.datetime.now(datetime.timezone.utc)


def _self_signed(name: str, key: object, digest: object) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())  # type: ignore[attr-defined]
        .serial_number(7)
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, digest)  # type: ignore[arg-type]
    )


ED25519 = _self_signed("Edwards CA", ed25519.Ed25519PrivateKey.generate(), None)
SHA224 = _self_signed("Old CA", ec.generate_private_key(ec.SECP256R1()), hashes.SHA224())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


@pytest.mark.parametrize(
    ("bundle", "reason"),
    [
        (
            _pem(ED25519),
            "Certificate 1 of the CA certificates bundle has a Ed25519PublicKey key; CloudFront "
            "takes RSA or ECDSA keys.",
        ),
        (
            b"-----BEGIN CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n",
            "Line 2 of the CA certificates bundle begins a second certificate.",
        ),
        (
            b"-----END CERTIFICATE-----\n",
            "Line 1 of the CA certificates bundle ends no certificate.",
        ),
        (
            b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
            "Certificate 1 of the CA certificates bundle cannot be read as X.509",
        ),
        (
            b"-----BEGIN CERTIFICATE-----\n" + b"QUFB" * 4200 + b"\n-----END CERTIFICATE-----\n",
            "Certificate 1 of the CA certificates bundle is 16854 bytes; the limit is 16384.",
        ),
    ],
)
def test_bundle_refusals(bundle: bytes, reason: str) -> None:
    found = read_bundle(bundle)
    assert found.reason is not None and found.reason.startswith(reason)
    assert found.count == 0


def test_a_good_bundle_counts_its_certificates() -> None:
    root = CertificateAuthority("Counted CA")
    assert read_bundle(root.pem + b"# a comment\n").count == 1


def test_chain_type_refusals_name_the_certificate() -> None:
    for anchor, words in (
        (ED25519, "has a Ed25519PublicKey key"),
        (SHA224, "is signed with sha224"),
    ):
        checked = validate(anchor, [], [anchor], at=NOW, ignore_expiry=False, store_name="s")
        assert checked.code == "ClientCertTypeUnsupported"
        assert words in checked.reason


def test_a_forged_intermediate_is_invalid_not_untrusted() -> None:
    root = CertificateAuthority("Chain Root")
    issuing = root.intermediate("Chain Issuing")
    forged_issuing = CertificateAuthority("Chain Issuing")  # the same name, another key
    device = issuing.issue("device")
    checked = validate(
        device.certificate,
        [forged_issuing.certificate],
        [root.certificate],
        at=NOW,
        ignore_expiry=False,
        store_name="s",
    )
    assert checked.code == "ClientCertInvalid"
    assert "does not verify with the key of CN=Chain Issuing" in checked.reason
