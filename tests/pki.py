"""Real X.509 certificates for tests, made with ``cryptography``: CAs, bundles and odd ones."""

from __future__ import annotations

import datetime
import functools
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

NOW = datetime.datetime(2026, 11, 30, tzinfo=datetime.timezone.utc)


@functools.cache
def _ec_key(curve_name: str, index: int) -> ec.EllipticCurvePrivateKey:
    curve: Any = {"secp256r1": ec.SECP256R1, "secp384r1": ec.SECP384R1, "secp521r1": ec.SECP521R1}
    return ec.generate_private_key(curve[curve_name]())


@functools.cache
def _rsa_key(bits: int, index: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ca_certificate(
    name: str = "Test Root CA",
    *,
    key: str = "ec-p256",
    digest: Any = None,
    index: int = 0,
) -> x509.Certificate:
    """A self-signed CA certificate; *key* is ``ec-p256``, ``ec-p384``, ``ec-p521`` or
    ``rsa-<bits>``; *digest* a ``hashes`` algorithm (SHA-256 by default)."""
    private: Any
    if key.startswith("rsa-"):
        private = _rsa_key(int(key[4:]), index)
    else:
        private = _ec_key(
            {"p256": "secp256r1", "p384": "secp384r1", "p521": "secp521r1"}[key[3:]], index
        )
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(private.public_key())
        .serial_number(1000 + index)
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, digest or hashes.SHA256())
    )


def pem(*certificates: x509.Certificate) -> bytes:
    """The certificates as one PEM bundle, one after another."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)
