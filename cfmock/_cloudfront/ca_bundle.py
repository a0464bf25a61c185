"""A trust store's CA bundle: the PEM file CloudFront reads from S3, checked as CloudFront does.

CloudFront documents the bundle's rules (``spec/viewer-mtls.md`` §2): PEM blocks between
``-----BEGIN CERTIFICATE-----`` and ``-----END CERTIFICATE-----``, comments on lines starting
with ``#`` and holding no ``-``, no blank lines between certificates, X.509 v3 certificates with
RSA 2048/3072/4096 or ECDSA P-256/P-384 keys signed with SHA-256/384/512, at most 64 KB in all,
25 certificates, 16 384 bytes each. :func:`read_bundle` applies them with the ``cryptography``
package (imported on first use) and says, in one sentence, what is wrong when something is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509

MAX_BUNDLE_BYTES = 64 * 1024
MAX_CERTIFICATES = 25
MAX_CERTIFICATE_BYTES = 16_384
RSA_KEY_SIZES = (2048, 3072, 4096)
EC_CURVES = ("secp256r1", "secp384r1")
SIGNATURE_HASHES = ("sha256", "sha384", "sha512")

_BEGIN = "-----BEGIN CERTIFICATE-----"
_END = "-----END CERTIFICATE-----"
_BLOCK = re.compile(re.escape(_BEGIN) + r"\r?\n(.*?)" + re.escape(_END), re.DOTALL)


@dataclass(frozen=True)
class Bundle:
    """What a bundle holds: its certificates (DER), or the reason CloudFront would refuse it."""

    certificates: tuple[bytes, ...]
    reason: str | None = None

    @property
    def count(self) -> int:
        """``NumberOfCaCertificates``: the certificates read, 0 for a refused bundle."""
        return 0 if self.reason is not None else len(self.certificates)


def read_bundle(data: bytes) -> Bundle:
    """Check *data* as a CA bundle; the certificates, or a :class:`Bundle` with a reason."""
    if len(data) > MAX_BUNDLE_BYTES:
        return _refused(
            f"The CA certificates bundle is {len(data)} bytes; the limit is {MAX_BUNDLE_BYTES}."
        )
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return _refused("The CA certificates bundle is not a PEM file: it holds non-ASCII bytes.")
    problem = _layout_problem(text)
    if problem is not None:
        return _refused(problem)
    blocks = [match.group(0) for match in _BLOCK.finditer(text)]
    if not blocks:
        return _refused("The CA certificates bundle holds no PEM certificate.")
    if len(blocks) > MAX_CERTIFICATES:
        return _refused(
            f"The CA certificates bundle holds {len(blocks)} certificates; the limit is "
            f"{MAX_CERTIFICATES}."
        )
    certificates: list[bytes] = []
    for number, block in enumerate(blocks, start=1):
        certificate, problem = _certificate(block, number)
        if problem is not None:
            return _refused(problem)
        assert certificate is not None
        certificates.append(certificate)
    return Bundle(tuple(certificates))


def _refused(reason: str) -> Bundle:
    return Bundle((), reason)


def _layout_problem(text: str) -> str | None:
    """The first line that breaks the PEM layout rules, said as a sentence; None if none."""
    inside = False
    after_certificate = False
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        stripped = line.strip()
        if stripped == _BEGIN:
            if inside:
                return f"Line {number} of the CA certificates bundle begins a second certificate."
            inside, after_certificate = True, False
        elif stripped == _END:
            if not inside:
                return f"Line {number} of the CA certificates bundle ends no certificate."
            inside, after_certificate = False, True
        elif inside:
            continue
        elif stripped.startswith("#"):
            if "-" in stripped:
                return f"Line {number} of the CA certificates bundle is a comment holding '-'."
        elif stripped == "":
            if after_certificate and _more_follows(text, number):
                return (
                    f"Line {number} of the CA certificates bundle is blank; certificates must "
                    "follow one another without blank lines."
                )
        else:
            return f"Line {number} of the CA certificates bundle is neither PEM nor a # comment."
    if inside:
        return "The CA certificates bundle ends inside a certificate (no END CERTIFICATE line)."
    return None


def _more_follows(text: str, line_number: int) -> bool:
    rest = text.replace("\r\n", "\n").split("\n")[line_number:]
    return any(line.strip() for line in rest)


def _certificate(block: str, number: int) -> tuple[bytes | None, str | None]:
    from cryptography import x509

    where = f"Certificate {number} of the CA certificates bundle"
    if len(block.encode()) > MAX_CERTIFICATE_BYTES:
        return (
            None,
            f"{where} is {len(block.encode())} bytes; the limit is {MAX_CERTIFICATE_BYTES}.",
        )
    try:
        certificate = x509.load_pem_x509_certificate(block.encode())
    except ValueError as error:
        return None, f"{where} cannot be read as X.509 ({error})."
    try:
        list(certificate.extensions)
    except ValueError as error:
        return None, f"{where} has an extension that does not parse ({error})."
    if certificate.version != x509.Version.v3:
        return None, f"{where} is X.509 {certificate.version.name}; CloudFront needs v3."
    problem = _key_problem(certificate) or _signature_problem(certificate)
    if problem is not None:
        return None, f"{where} {problem}."
    from cryptography.hazmat.primitives.serialization import Encoding

    return certificate.public_bytes(Encoding.DER), None


def _key_problem(certificate: x509.Certificate) -> str | None:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    try:
        key = certificate.public_key()
    except (ValueError, TypeError):
        return "has a public key cryptography cannot read"
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size not in RSA_KEY_SIZES:
            return f"has an RSA {key.key_size}-bit key; CloudFront takes RSA 2048, 3072 or 4096"
        return None
    if isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name not in EC_CURVES:
            return f"has an ECDSA key on {key.curve.name}; CloudFront takes P-256 or P-384"
        return None
    return f"has a {type(key).__name__} key; CloudFront takes RSA or ECDSA keys"


def _signature_problem(certificate: x509.Certificate) -> str | None:
    try:
        algorithm = certificate.signature_hash_algorithm
    except Exception:  # noqa: BLE001 - cryptography raises its own type for unknown ones
        algorithm = None
    name = algorithm.name if algorithm is not None else "an unsupported algorithm"
    if name not in SIGNATURE_HASHES:
        return f"is signed with {name}; CloudFront takes SHA-256, SHA-384 or SHA-512"
    return None
