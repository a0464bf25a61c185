"""The connection event a connection function receives, built from real certificates.

The format follows CloudFront's documented examples (``spec/viewer-mtls.md`` §4.4 and decision
23): the serial number is the DER INTEGER's content octets in lower-case hex joined by ``:``
(so a leading ``00`` appears exactly when the first byte's high bit is set); distinguished names
are in certificate order joined by ``", "``; validity dates to the second with ``Z``; the
SHA-256 fingerprint in padded base64url. Where CloudFront's pages show other forms, a keyword
chooses them (``fingerprint="hex"`` or ``"colon-hex"``, ``names="rfc4514"``).
"""

from __future__ import annotations

import base64
import datetime
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cfmock.exceptions import CfmockError

if TYPE_CHECKING:
    from cryptography import x509

FINGERPRINTS = ("base64url", "hex", "colon-hex")
NAMES = ("certificate-order", "rfc4514")
VERDICTS = ("Good", "Revoked", "Unknown", "Error")
DEFAULT_CLIENT_IP = "203.0.113.10"
DEFAULT_ENDPOINT = "d111111abcdef8.cloudfront.net"
DEFAULT_DISTRIBUTION_ID = "E1NXS4MQZH501R"

CertificateLike = Any
"""A certificate as cfmock takes it: PEM (``str`` or ``bytes``), DER ``bytes``, a
``cryptography`` ``x509.Certificate``, or anything with a ``certificate`` attribute holding one
(such as :class:`cfmock.pki.Issued`)."""


@dataclass(frozen=True)
class Formats:
    """How the event writes the fields CloudFront's pages show in more than one form."""

    fingerprint: str = "base64url"
    names: str = "certificate-order"
    always_intermediates: bool = False

    def __post_init__(self) -> None:
        if self.fingerprint not in FINGERPRINTS:
            raise CfmockError(
                f"cfmock: fingerprint must be one of {', '.join(FINGERPRINTS)}, "
                f"got {self.fingerprint!r}"
            )
        if self.names not in NAMES:
            raise CfmockError(
                f"cfmock: names must be one of {', '.join(NAMES)}, got {self.names!r}"
            )


def load_certificate(value: CertificateLike, what: str = "certificate") -> x509.Certificate:
    """*value* as a ``cryptography`` certificate, or a :class:`CfmockError` saying why not."""
    from cryptography import x509

    if isinstance(value, x509.Certificate):
        return value
    inner = getattr(value, "certificate", None)
    if isinstance(inner, x509.Certificate):
        return inner
    if isinstance(value, str):
        value = value.encode("ascii", errors="replace")
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise CfmockError(
            f"cfmock: the {what} must be PEM (str or bytes), DER bytes or an "
            f"x509.Certificate, got {type(value).__name__}"
        )
    data = bytes(value)
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as error:
        raise CfmockError(f"cfmock: the {what} cannot be read as X.509: {error}") from None


def unreadable(certificate: x509.Certificate) -> str | None:
    """Why a validator would refuse to read *certificate*'s extensions: one that does not
    parse, or a critical one nobody knows (RFC 5280); None when they read."""
    from cryptography import x509

    try:
        extensions = list(certificate.extensions)
    except ValueError as error:
        return f"has an extension that does not parse ({error})"
    for extension in extensions:
        if extension.critical and isinstance(extension.value, x509.UnrecognizedExtension):
            return f"has an unknown critical extension {extension.oid.dotted_string}"
    return None


def serial_text(serial: int) -> str:
    """A serial number as the event writes it: DER content octets, lower-case hex, ``:``."""
    length = max(1, (serial.bit_length() + 8) // 8)
    return ":".join(f"{byte:02x}" for byte in serial.to_bytes(length, "big", signed=True))


def name_text(name: x509.Name, style: str = "certificate-order") -> str:
    """A distinguished name as the event writes it."""
    if style == "rfc4514":
        return str(name.rfc4514_string())
    parts = []
    for attribute in name:
        label = _SHORT_NAMES.get(attribute.oid.dotted_string, attribute.oid.dotted_string)
        parts.append(f"{label}={attribute.value!s}")
    return ", ".join(parts)


_SHORT_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.9": "STREET",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.5": "serialNumber",
    "0.9.2342.19200300.100.1.25": "DC",
    "0.9.2342.19200300.100.1.1": "UID",
    "1.2.840.113549.1.9.1": "emailAddress",
}


def fingerprint_text(certificate: x509.Certificate, style: str = "base64url") -> str:
    """The SHA-256 fingerprint in one of the documented forms."""
    from cryptography.hazmat.primitives import hashes

    digest = certificate.fingerprint(hashes.SHA256())
    if style == "hex":
        return digest.hex()
    if style == "colon-hex":
        return ":".join(f"{byte:02X}" for byte in digest)
    return base64.urlsafe_b64encode(digest).decode("ascii")


def ocsp_url(certificate: x509.Certificate) -> str | None:
    """The OCSP responder URL of the Authority Information Access extension, if any."""
    from cryptography import x509
    from cryptography.x509.oid import AuthorityInformationAccessOID

    try:
        access = certificate.extensions.get_extension_for_class(
            x509.AuthorityInformationAccess
        ).value
    except x509.ExtensionNotFound:
        return None
    for description in access:
        if description.access_method == AuthorityInformationAccessOID.OCSP:
            return str(description.access_location.value)
    return None


def _time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def certificate_fields(
    certificate: x509.Certificate, formats: Formats, *, with_ocsp: bool = False
) -> dict[str, Any]:
    """One certificate's fields in the event (``leaf`` or an ``intermediates`` item)."""
    fields: dict[str, Any] = {
        "serialNumber": serial_text(certificate.serial_number),
        "issuer": name_text(certificate.issuer, formats.names),
        "subject": name_text(certificate.subject, formats.names),
        "validity": {
            "notBefore": _time(certificate.not_valid_before_utc),
            "notAfter": _time(certificate.not_valid_after_utc),
        },
        "sha256Fingerprint": fingerprint_text(certificate, formats.fingerprint),
    }
    if with_ocsp:
        endpoint = ocsp_url(certificate)
        if endpoint is not None:
            fields["ocspEndpoint"] = endpoint
    return fields


@dataclass(frozen=True)
class Revocation:
    """The OCSP verdicts of one connection: per certificate below the anchor, leaf first."""

    statuses: tuple[str, ...]
    serials: tuple[int, ...]
    error_types: tuple[str | None, ...] = ()

    @property
    def chain_validity(self) -> str:
        """``Invalid`` if anything is revoked, ``Valid`` if everything is good, else ``Unknown``."""
        if "Revoked" in self.statuses:
            return "Invalid"
        if all(status == "Good" for status in self.statuses):
            return "Valid"
        return "Unknown"

    def to_event(self) -> dict[str, Any]:
        entries = []
        error_types = self.error_types or (None,) * len(self.statuses)
        for status, serial, error_type in zip(
            self.statuses, self.serials, error_types, strict=True
        ):
            entry: dict[str, Any] = {
                "method": "OCSP",
                "status": status,
                "serialNumber": serial_text(serial),
            }
            if status == "Error":
                entry["errorType"] = error_type or "InternalError"
            entries.append(entry)
        return {
            "chainValidity": self.chain_validity,
            "certificates": {"leaf": entries[0], "intermediates": entries[1:]},
        }


def as_sequence(value: object) -> list[Any]:
    """*intermediates* as a list: a list, tuple or other iterable of certificates."""
    if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, Iterable):
        raise CfmockError(
            "cfmock: intermediates must be a list of certificates (leaf's issuer first), "
            f"got {type(value).__name__}"
        )
    return list(value)


def check_text(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise CfmockError(f"cfmock: {name} must be a string, got {type(value).__name__}")


def is_verdict(value: object) -> bool:
    """Whether *value* is an OCSP verdict: Good, Revoked, Unknown, Error or 'Error: <type>'."""
    return value in VERDICTS or (isinstance(value, str) and value.startswith("Error:"))


def check_verdicts(ocsp: object) -> None:
    """OCSP verdicts as ``connect`` takes them, checked whether or not OCSP will run."""
    if not isinstance(ocsp, Mapping):
        raise CfmockError(
            "cfmock: ocsp must map certificates or serial numbers to verdicts, "
            f"got {type(ocsp).__name__}"
        )
    for verdict in ocsp.values():
        if not is_verdict(verdict):
            raise CfmockError(
                f"cfmock: an OCSP verdict is one of {', '.join(VERDICTS)} (or 'Error: <type>'), "
                f"got {verdict!r}"
            )


def verdicts(chain: Sequence[x509.Certificate], ocsp: Mapping[Any, str] | None) -> Revocation:
    """The OCSP verdict of each certificate in *chain*: from *ocsp* (keyed by serial number
    or by the certificate itself), ``Good`` for any it does not name. ``"Error: <type>"``
    is an ``Error`` whose ``errorType`` is *type* (``InternalError`` for a bare ``"Error"``)."""
    given: dict[int, str] = {}
    check_verdicts(ocsp or {})
    for key, verdict in (ocsp or {}).items():
        if isinstance(key, int) and not isinstance(key, bool):
            given[key] = verdict
        else:
            given[load_certificate(key, "OCSP verdict's certificate").serial_number] = verdict
    serials = tuple(int(certificate.serial_number) for certificate in chain)
    chosen = [given.get(serial, "Good") for serial in serials]
    statuses = tuple(verdict.split(":", 1)[0] for verdict in chosen)
    error_types = tuple(
        verdict.split(":", 1)[1].strip() or None if ":" in verdict else None for verdict in chosen
    )
    return Revocation(statuses, serials, error_types)


def build_event(
    leaf: x509.Certificate | None,
    intermediates: Iterable[x509.Certificate],
    *,
    client_ip: str = DEFAULT_CLIENT_IP,
    endpoint: str = DEFAULT_ENDPOINT,
    distribution_id: str = DEFAULT_DISTRIBUTION_ID,
    revocation: Revocation | None = None,
    formats: Formats | None = None,
) -> dict[str, Any]:
    """The event: ``clientIp``, ``endpoint``, ``distributionId``, ``connectionId`` and, when a
    certificate was presented, ``clientCertificate`` (with the OCSP fields when OCSP ran)."""
    formats = formats or Formats()
    event: dict[str, Any] = {
        "clientIp": client_ip,
        "endpoint": endpoint,
        "distributionId": distribution_id,
        "connectionId": base64.urlsafe_b64encode(os.urandom(40)).decode("ascii"),
    }
    if leaf is None:
        return event
    with_ocsp = revocation is not None
    certificates: dict[str, Any] = {"leaf": certificate_fields(leaf, formats, with_ocsp=with_ocsp)}
    if with_ocsp or formats.always_intermediates:
        certificates["intermediates"] = [
            certificate_fields(certificate, formats, with_ocsp=with_ocsp)
            for certificate in intermediates
        ]
    client: dict[str, Any] = {"certificates": certificates}
    if revocation is not None:
        client["revocationStatus"] = revocation.to_event()
    event["clientCertificate"] = client
    return event


def connection_object(
    certificate: CertificateLike | None = None,
    *,
    intermediates: Iterable[CertificateLike] = (),
    client_ip: str = DEFAULT_CLIENT_IP,
    endpoint: str = DEFAULT_ENDPOINT,
    distribution_id: str = DEFAULT_DISTRIBUTION_ID,
    ocsp: Mapping[Any, str] | None = None,
    fingerprint: str = "base64url",
    names: str = "certificate-order",
    always_intermediates: bool = False,
) -> bytes:
    """The ``ConnectionObject`` ``test_connection_function`` takes, built from real
    certificates as CloudFront builds the event (the console's "test with a certificate").

    *certificate* is the client's leaf (PEM, DER, or ``x509.Certificate``; ``None``: a viewer
    that presented none); *intermediates* the chain it sent, leaf's issuer first. With *ocsp*
    (verdicts ``"Good"``, ``"Revoked"``, ``"Unknown"`` or ``"Error"`` keyed by serial number or
    certificate; unnamed ones are ``"Good"``) the event carries the intermediates,
    ``ocspEndpoint`` and ``revocationStatus``, as when the trust store has OCSP on.
    *fingerprint* (``"base64url"``, ``"hex"``, ``"colon-hex"``) and *names*
    (``"certificate-order"``, ``"rfc4514"``) choose among the forms CloudFront's pages show.
    """
    formats = Formats(fingerprint, names, always_intermediates)
    leaf = None if certificate is None else load_certificate(certificate)
    chain = [load_certificate(c, "intermediate certificate") for c in as_sequence(intermediates)]
    for certificate_read in ([leaf] if leaf is not None else []) + chain:
        problem = unreadable(certificate_read)
        if problem is not None:
            raise CfmockError(
                f"cfmock: the certificate {name_text(certificate_read.subject)} {problem}"
            )
    check_text("client_ip", client_ip)
    check_text("endpoint", endpoint)
    check_text("distribution_id", distribution_id)
    revocation = None
    if ocsp is not None:
        check_verdicts(ocsp)
    if ocsp is not None and leaf is not None:
        revocation = verdicts([leaf, *chain], ocsp)
    event = build_event(
        leaf,
        chain,
        client_ip=client_ip,
        endpoint=endpoint,
        distribution_id=distribution_id,
        revocation=revocation,
        formats=formats,
    )
    return json.dumps(event, separators=(",", ":")).encode("utf-8")
