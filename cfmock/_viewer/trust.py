"""A client certificate chain validated against a trust store, as CloudFront logs the outcome.

The path runs from the leaf through the intermediates the client sent to the first trust-store
certificate whose key verifies it (every certificate in a trust store is an anchor; decision
20 of ``spec/viewer-mtls.md``). Each failure carries the connection-log code CloudFront writes
for it (§4.2) and a sentence saying what was wrong. The checks use ``cryptography``'s
primitives (``verify_directly_issued_by`` for each link) rather than its Web PKI verifier, whose
policies cannot report these codes one by one and which insists on things CloudFront does not
(a subjectAltName on the leaf, for one).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cfmock._cloudfront.ca_bundle import EC_CURVES, RSA_KEY_SIZES, SIGNATURE_HASHES
from cfmock._viewer.event import name_text

if TYPE_CHECKING:
    from cryptography import x509

MAX_DEPTH = 4
"""Certificates below the anchor a chain may hold (CloudFront's chain-depth quota)."""


@dataclass(frozen=True)
class Validation:
    """The outcome: ``code`` is None when the chain is trusted; ``path`` runs leaf first,
    without the anchor."""

    code: str | None
    reason: str
    path: tuple[x509.Certificate, ...] = ()
    anchor: x509.Certificate | None = None


def validate(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    *,
    at: datetime.datetime,
    ignore_expiry: bool,
    store_name: str,
    check_intent: bool = True,
) -> Validation:
    """Validate *leaf* (with the *intermediates* it came with) against *anchors* at *at*."""
    path = [leaf]
    pool = list(intermediates)
    anchor = None
    while anchor is None:
        current = path[-1]
        found, problem = _issuer_in(current, anchors)
        if found is not None:
            anchor = found
            break
        if problem is not None:
            return Validation("ClientCertInvalid", problem, tuple(path))
        issuer, problem = _issuer_in(current, pool)
        if issuer is None:
            if problem is not None:
                return Validation("ClientCertInvalid", problem, tuple(path))
            return Validation(
                "ClientCertUntrusted",
                f"the issuer {name_text(current.issuer)} of {_who(current)} is not in trust "
                f"store {store_name}",
                tuple(path),
            )
        pool.remove(issuer)
        path.append(issuer)
        if len(path) > MAX_DEPTH:
            return Validation(
                "ClientCertMaxChainDepthExceeded",
                f"the chain has more than {MAX_DEPTH} certificates below the trust anchor",
                tuple(path),
            )
    for certificate in (*path, anchor):
        problem = _type_problem(certificate)
        if problem is not None:
            return Validation("ClientCertTypeUnsupported", problem, tuple(path), anchor)
    if check_intent and not _allows_client_auth(leaf):
        return Validation(
            "ClientCertIntentInvalid",
            f"{_who(leaf)} has an extended key usage without clientAuth",
            tuple(path),
            anchor,
        )
    if not ignore_expiry:
        for certificate in (*path, anchor):
            if at < certificate.not_valid_before_utc:
                return Validation(
                    "ClientCertNotYetValid",
                    f"{_who(certificate)} is not valid before "
                    f"{certificate.not_valid_before_utc:%Y-%m-%d %H:%M:%S}Z",
                    tuple(path),
                    anchor,
                )
            if at > certificate.not_valid_after_utc:
                return Validation(
                    "ClientCertExpired",
                    f"{_who(certificate)} expired on "
                    f"{certificate.not_valid_after_utc:%Y-%m-%d %H:%M:%S}Z",
                    tuple(path),
                    anchor,
                )
    return Validation(
        None,
        f"the chain is trusted: {_who(leaf)}, anchored at {name_text(anchor.subject)} in trust "
        f"store {store_name}",
        tuple(path),
        anchor,
    )


def _issuer_in(
    certificate: x509.Certificate, candidates: Sequence[x509.Certificate]
) -> tuple[x509.Certificate | None, str | None]:
    """The candidate that signed *certificate*; else, if one has its issuer's name but its key
    does not verify the signature, the sentence saying so."""
    problem = None
    for candidate in candidates:
        if candidate.subject != certificate.issuer:
            continue
        try:
            certificate.verify_directly_issued_by(candidate)
        except Exception as error:  # noqa: BLE001 - InvalidSignature, ValueError, TypeError
            problem = (
                f"the signature of {_who(certificate)} does not verify with the key of "
                f"{name_text(candidate.subject)} ({type(error).__name__})"
            )
            continue
        return candidate, None
    return None, problem


def _type_problem(certificate: x509.Certificate) -> str | None:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size not in RSA_KEY_SIZES:
            return f"{_who(certificate)} has an RSA {key.key_size}-bit key"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name not in EC_CURVES:
            return f"{_who(certificate)} has an ECDSA key on {key.curve.name}"
    else:
        return f"{_who(certificate)} has a {type(key).__name__} key"
    algorithm = certificate.signature_hash_algorithm
    if algorithm is None or algorithm.name not in SIGNATURE_HASHES:
        name = algorithm.name if algorithm is not None else "an unsupported algorithm"
        return f"{_who(certificate)} is signed with {name}"
    return None


def _allows_client_auth(certificate: x509.Certificate) -> bool:
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return (
        ExtendedKeyUsageOID.CLIENT_AUTH in usages
        or ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE in usages
    )


def _who(certificate: x509.Certificate) -> str:
    return f"certificate {name_text(certificate.subject)} (serial {certificate.serial_number:#x})"
