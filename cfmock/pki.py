"""Certificates for tests: a CA, intermediates and device certificates in a few lines.

Everything is real X.509, made with the ``cryptography`` package (imported on first use)::

    from cfmock.pki import CertificateAuthority

    root = CertificateAuthority("Devices Root CA")
    device = root.issue("device-42")                      # a valid client certificate
    old = root.issue("device-7", expired=True)            # expired a day ago
    issuing = root.intermediate("Devices Issuing CA")     # an intermediate CA
    chained = issuing.issue("device-9", ocsp_url="http://ocsp.example.com")

    cf.add_trust_store("devices", root.pem)
    cf.connect(distribution_id, chained, intermediates=[issuing])

Each issued :class:`Issued` has ``certificate`` (a ``cryptography`` ``x509.Certificate``),
``pem`` (``bytes``), ``der`` and ``serial_number``, and is accepted wherever cfmock takes a
certificate. Keys are ECDSA P-256 by default (fast to make); ``key="rsa-2048"`` and the other
sizes CloudFront accepts are available, and ``key="ec-p521"`` or ``"rsa-1024"`` make ones it
refuses.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography import x509

DAY = datetime.timedelta(days=1)
_serials = itertools.count(0x1000)


@dataclass(frozen=True)
class Issued:
    """A certificate made here, with its private key."""

    certificate: x509.Certificate
    private_key: Any

    @property
    def pem(self) -> bytes:
        """The certificate in PEM."""
        from cryptography.hazmat.primitives.serialization import Encoding

        return self.certificate.public_bytes(Encoding.PEM)

    @property
    def der(self) -> bytes:
        """The certificate in DER."""
        from cryptography.hazmat.primitives.serialization import Encoding

        return self.certificate.public_bytes(Encoding.DER)

    @property
    def key_pem(self) -> bytes:
        """The private key in unencrypted PKCS #8 PEM (for ``curl --key`` and ``ssl``)."""
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
        )

        key: bytes = self.private_key.private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
        return key

    @property
    def serial_number(self) -> int:
        """The certificate's serial number."""
        return int(self.certificate.serial_number)

    @property
    def event_serial_number(self) -> str:
        """The serial number as a connection function reads it (``leaf.serialNumber``):
        lower-case hex bytes joined by ``:``, e.g. ``00:9e:2a`` — the form a revocation list
        in a KeyValueStore is usually keyed by."""
        from cfmock._viewer.event import serial_text

        return serial_text(self.serial_number)


class CertificateAuthority(Issued):
    """A CA that issues intermediates and client certificates.

    ``CertificateAuthority(name)`` makes a self-signed root; :meth:`intermediate` makes a CA
    signed by this one. ``valid_from``/``valid_until`` default to a day ago and ten years on.
    """

    def __init__(
        self,
        name: str = "cfmock Test Root CA",
        *,
        key: str = "ec-p256",
        valid_from: datetime.datetime | None = None,
        valid_until: datetime.datetime | None = None,
        _issuer: Issued | None = None,
        _ocsp_url: str | None = None,
    ) -> None:
        private_key = _new_key(key)
        certificate = _build(
            name,
            private_key,
            issuer=_issuer,
            ca=True,
            not_before=valid_from or _now() - DAY,
            not_after=valid_until or _now() + 3650 * DAY,
            ocsp_url=_ocsp_url,
        )
        super().__init__(certificate, private_key)

    def intermediate(
        self, name: str, *, key: str = "ec-p256", ocsp_url: str | None = None
    ) -> CertificateAuthority:
        """An intermediate CA signed by this one."""
        return CertificateAuthority(name, key=key, _issuer=self, _ocsp_url=ocsp_url)

    def issue(
        self,
        common_name: str,
        *,
        expired: bool = False,
        not_yet_valid: bool = False,
        valid_from: datetime.datetime | None = None,
        valid_until: datetime.datetime | None = None,
        ocsp_url: str | None = None,
        serial_number: int | None = None,
        key: str = "ec-p256",
        client_auth: bool | None = True,
        organization: str | None = None,
        dns_names: tuple[str, ...] = (),
    ) -> Issued:
        """A client (device) certificate signed by this CA.

        ``expired`` ends its validity a day ago, ``not_yet_valid`` starts it tomorrow;
        ``ocsp_url`` adds an Authority Information Access OCSP URL; ``client_auth=True`` adds
        the clientAuth extended key usage, ``False`` a serverAuth-only one, ``None`` none;
        ``dns_names`` adds a subjectAltName (what a server certificate needs).
        """
        now = _now()
        start = valid_from or (now + DAY if not_yet_valid else now - 30 * DAY)
        end = valid_until or (now - DAY if expired else now + 365 * DAY)
        private_key = _new_key(key)
        certificate = _build(
            common_name,
            private_key,
            issuer=self,
            ca=False,
            not_before=start,
            not_after=end,
            ocsp_url=ocsp_url,
            serial_number=serial_number,
            client_auth=client_auth,
            organization=organization,
            dns_names=dns_names,
        )
        return Issued(certificate, private_key)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _new_key(kind: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    given: object = kind
    if isinstance(given, str) and kind.startswith("rsa-"):
        from cfmock.exceptions import CfmockError

        try:
            return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[4:]))
        except ValueError as error:
            raise CfmockError(f"cfmock.pki: cannot make the key {kind!r}: {error}") from None
    curves: dict[str, Any] = {
        "ec-p256": ec.SECP256R1,
        "ec-p384": ec.SECP384R1,
        "ec-p521": ec.SECP521R1,
    }
    if kind not in curves:
        from cfmock.exceptions import CfmockError

        raise CfmockError(
            f"cfmock.pki: unknown key {kind!r}; use ec-p256, ec-p384, ec-p521 or rsa-<bits>"
        )
    return ec.generate_private_key(curves[kind]())


def _build(*args: Any, **kwargs: Any) -> x509.Certificate:
    """A certificate, or a :class:`~cfmock.exceptions.CfmockError` saying why not."""
    from cfmock.exceptions import CfmockError

    try:
        return _certificate(*args, **kwargs)
    except (ValueError, TypeError, AttributeError) as error:
        raise CfmockError(f"cfmock.pki: cannot make this certificate: {error}") from None


def _certificate(
    common_name: str,
    private_key: Any,
    *,
    issuer: Issued | None,
    ca: bool,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    ocsp_url: str | None = None,
    serial_number: int | None = None,
    client_auth: bool | None = None,
    organization: str | None = None,
    dns_names: tuple[str, ...] = (),
) -> x509.Certificate:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attributes.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    subject = x509.Name(attributes)
    signer = issuer.private_key if issuer is not None else private_key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer is not None else subject)
        .public_key(private_key.public_key())
        .serial_number(serial_number if serial_number is not None else next(_serials))
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(private_key.public_key()), critical=False
        )
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.private_key.public_key()),
            critical=False,
        )
    if ca:
        usage = x509.KeyUsage(
            digital_signature=True,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=True,
            crl_sign=True,
            encipher_only=False,
            decipher_only=False,
        )
        builder = builder.add_extension(usage, critical=True)
    elif client_auth is not None:
        purpose = (
            ExtendedKeyUsageOID.CLIENT_AUTH if client_auth else ExtendedKeyUsageOID.SERVER_AUTH
        )
        builder = builder.add_extension(x509.ExtendedKeyUsage([purpose]), critical=False)
    if dns_names:
        alternative = x509.SubjectAlternativeName([x509.DNSName(name) for name in dns_names])
        builder = builder.add_extension(alternative, critical=False)
    if ocsp_url:
        access = x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    return builder.sign(signer, hashes.SHA256())
