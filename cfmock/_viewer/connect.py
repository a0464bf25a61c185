"""One viewer connection to a mocked distribution, decided as CloudFront decides it.

The order is CloudFront's (``spec/viewer-mtls.md`` §4.1 and decisions 18-22): the distribution
(disabled: refused; no ``ViewerMtlsConfig``: not an mTLS connection at all), the mode
(``required`` without a certificate is refused), the trust store's validation (not in
passthrough mode), OCSP when the trust store has it on, then the associated connection
function's LIVE code with the event and its KeyValueStore. The first step that refuses decides;
when every step passes the connection is allowed.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cfmock._cloudfront.values import Stage
from cfmock._viewer import event as events
from cfmock._viewer.trust import MAX_DEPTH, validate
from cfmock.exceptions import CfmockError, DistributionNotFoundError, ServiceError

if TYPE_CHECKING:
    from cryptography import x509

    from cfmock._cloudfront.backend import Backend
    from cfmock._cloudfront.distributions import Distribution


@dataclass(frozen=True)
class FunctionOutcome:
    """What the connection function did in one connection."""

    name: str
    action: str
    logs: tuple[str, ...]
    custom_data: str | None
    error: str
    compute_utilization: int
    event: dict[str, Any] = field(compare=False)


@dataclass(frozen=True)
class ConnectionAttempt:
    """One viewer connection and how it was decided.

    ``decided_by`` is ``"distribution"`` (disabled), ``"mode"`` (no mTLS on the distribution;
    required mode without a certificate; a passthrough chain too deep), ``"trust_store"``,
    ``"ocsp"`` or ``"function"``. ``code`` is the connection-log code CloudFront writes for a
    refusal (``ClientCertExpired``, ``ConnectionFunctionDenied``…), ``None`` when allowed.
    ``function`` is the connection function's run when it ran. In passthrough mode
    ``client_cert`` and ``client_cert_chain`` hold the ``Client-Cert`` and ``Client-Cert-Chain``
    header values the origin would receive.
    """

    distribution_id: str
    allowed: bool
    decided_by: str
    code: str | None
    reason: str
    function: FunctionOutcome | None = None
    client_cert: str | None = None
    client_cert_chain: str | None = None
    client_ip: str = events.DEFAULT_CLIENT_IP
    at: datetime.datetime | None = None
    subject: str | None = None
    serial_number: str | None = None


def connect(
    backend: Backend,
    account_id: str,
    distribution: str,
    certificate: events.CertificateLike | None = None,
    *,
    intermediates: Iterable[events.CertificateLike] = (),
    client_ip: str = events.DEFAULT_CLIENT_IP,
    ocsp: Mapping[Any, str] | None = None,
    at: datetime.datetime | None = None,
    endpoint: str | None = None,
    formats: events.Formats | None = None,
) -> ConnectionAttempt:
    """Decide one viewer connection to *distribution* (its ID, domain name or alias)."""
    found = backend.distributions.find(account_id, distribution)
    if found is None:
        known = ", ".join(d.domain_name for d in backend.distributions.list(account_id))
        raise DistributionNotFoundError(
            f"cfmock: no distribution {distribution!r} in account {account_id}; it holds: "
            f"{known or 'no distributions'}"
        )
    leaf = None if certificate is None else events.load_certificate(certificate)
    chain = tuple(
        events.load_certificate(c, "intermediate certificate")
        for c in events.as_sequence(intermediates)
    )
    if ocsp is not None:
        events.check_verdicts(ocsp)
    events.check_text("client_ip", client_ip)
    if endpoint is not None:
        events.check_text("endpoint", endpoint)
    if at is not None and not isinstance(at, datetime.datetime):
        raise CfmockError(f"cfmock: at must be a datetime.datetime, got {type(at).__name__}")
    when = at or backend.now()
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    attempt = _Decision(backend, account_id, found, leaf, chain, client_ip, ocsp, when, formats)
    attempt.endpoint = endpoint or found.domain_name
    result = attempt.decide()
    backend.connections.append(result)
    return result


class _Decision:
    def __init__(
        self,
        backend: Backend,
        account_id: str,
        distribution: Distribution,
        leaf: x509.Certificate | None,
        chain: tuple[x509.Certificate, ...],
        client_ip: str,
        ocsp: Mapping[Any, str] | None,
        at: datetime.datetime,
        formats: events.Formats | None,
    ) -> None:
        self.backend = backend
        self.account_id = account_id
        self.distribution = distribution
        self.leaf = leaf
        self.chain = chain
        self.client_ip = client_ip
        self.ocsp = ocsp
        self.at = at
        self.formats = formats or events.Formats()
        self.endpoint = distribution.domain_name
        # The chain the event shows: as sent, or, once validated, the path in order.
        self.event_chain = chain

    def decide(self) -> ConnectionAttempt:
        distribution = self.distribution
        if not distribution.enabled and not self.backend.options.connect_disabled:
            return self._refused(
                "distribution",
                "DistributionDisabled",
                f"distribution {distribution.id} is disabled",
            )
        mode = distribution.mtls_mode
        if mode is None:
            return self._allowed(
                "mode",
                f"distribution {distribution.id} has no viewer mTLS: no certificate is asked for",
            )
        if self.leaf is None and mode == "required":
            return self._refused(
                "mode", "ClientCertMissing", "required mode and the client presented no certificate"
            )
        revocation = None
        decided_by, reason = "mode", f"{mode} mode"
        passthrough: dict[str, str | None] = {}
        if mode == "passthrough":
            if self.leaf is not None and len(self.chain) + 1 > MAX_DEPTH:
                return self._refused(
                    "mode",
                    "ClientCertMaxChainDepthExceeded",
                    f"passthrough forwards chains of at most {MAX_DEPTH} certificates; the "
                    f"client sent {len(self.chain) + 1}",
                )
            passthrough = self._headers()
        elif self.leaf is not None:
            for certificate in (self.leaf, *self.chain):
                problem = events.unreadable(certificate)
                if problem is not None:
                    who = events.name_text(certificate.subject)
                    return self._refused(
                        "trust_store", "ClientCertInvalid", f"certificate {who} {problem}"
                    )
            store = self._trust_store()
            if store is None:
                return self._refused(
                    "trust_store",
                    "Internal",
                    f"distribution {distribution.id} names a trust store that no longer exists",
                )
            anchors = [_load_der(der) for der in store.certificates]
            trust_config = (distribution.config.get("ViewerMtlsConfig") or {}).get(
                "TrustStoreConfig"
            ) or {}
            checked = validate(
                self.leaf,
                self.chain,
                anchors,
                at=self.at,
                ignore_expiry=bool(trust_config.get("IgnoreCertificateExpiry")),
                store_name=f"{store.name} ({store.id})",
                check_intent=self.backend.options.check_client_auth_usage,
            )
            if checked.code is not None:
                return self._refused("trust_store", checked.code, checked.reason)
            decided_by, reason = "trust_store", checked.reason
            self.event_chain = checked.path[1:]
            if store.use_ocsp:
                below_anchor = list(checked.path)
                missing = [c for c in below_anchor if events.ocsp_url(c) is None]
                if missing:
                    who = events.name_text(missing[0].subject)
                    return self._refused(
                        "ocsp",
                        "ClientCertRejected",
                        f"OCSP is on for trust store {store.name} and {who} has no OCSP URL",
                    )
                revocation = events.verdicts(below_anchor, self.ocsp)
                decided_by = "ocsp"
                reason = f"OCSP: chain {revocation.chain_validity}"
        function_id = distribution.function_id
        if function_id is None:
            if revocation is not None and revocation.chain_validity != "Valid":
                return self._refused(
                    "ocsp",
                    "ClientCertRejected",
                    f"OCSP says the chain is {revocation.chain_validity} "
                    f"({', '.join(revocation.statuses)}) and no connection function decides",
                )
            return self._allowed(decided_by, reason, **passthrough)
        return self._run_function(function_id, revocation, passthrough)

    def _run_function(
        self,
        function_id: str,
        revocation: events.Revocation | None,
        passthrough: dict[str, str | None],
    ) -> ConnectionAttempt:
        backend = self.backend
        try:
            function, version = backend.stage_by_id(self.account_id, function_id, Stage.LIVE.value)
        except ServiceError:
            return self._refused(
                "function",
                "Internal",
                f"the associated connection function {function_id} has no LIVE stage",
            )
        chain = self.event_chain if self.leaf is not None else ()
        event = events.build_event(
            self.leaf,
            chain,
            client_ip=self.client_ip,
            endpoint=self.endpoint,
            distribution_id=self.distribution.id,
            revocation=revocation,
            formats=self.formats,
        )
        result = backend.run_stage(self.account_id, function, version, event)
        outcome = FunctionOutcome(
            name=function.name,
            action=result.action,
            logs=result.logs,
            custom_data=result.custom_data,
            error=result.error,
            compute_utilization=result.compute_utilization,
            event=event,
        )
        custom = f"; custom data {outcome.custom_data!r}" if outcome.custom_data else ""
        if result.error:
            return self._refused(
                "function",
                "ConnectionFunctionError",
                f"connection function {function.name} failed: {result.error}",
                function=outcome,
                **passthrough,
            )
        if result.action != "allow":
            return self._refused(
                "function",
                "ConnectionFunctionDenied",
                f"denied by connection function {function.name}{custom}",
                function=outcome,
                **passthrough,
            )
        return self._allowed(
            "function",
            f"allowed by connection function {function.name}{custom}",
            function=outcome,
            **passthrough,
        )

    def _trust_store(self) -> Any:
        store_id = self.distribution.trust_store_id
        if store_id is None:
            return None
        try:
            return self.backend.trust_stores.by_id(self.account_id, store_id)
        except ServiceError:
            return None

    def _headers(self) -> dict[str, str | None]:
        if self.leaf is None:
            return {}
        from cryptography.hazmat.primitives.serialization import Encoding

        def encoded(certificate: x509.Certificate) -> str:
            return base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii")

        chain = ",".join(encoded(c) for c in self.chain) if self.chain else None
        return {"client_cert": encoded(self.leaf), "client_cert_chain": chain}

    def _allowed(self, decided_by: str, reason: str, **more: Any) -> ConnectionAttempt:
        return self._attempt(True, decided_by, None, reason, **more)

    def _refused(self, decided_by: str, code: str, reason: str, **more: Any) -> ConnectionAttempt:
        return self._attempt(False, decided_by, code, reason, **more)

    def _attempt(
        self, allowed: bool, decided_by: str, code: str | None, reason: str, **more: Any
    ) -> ConnectionAttempt:
        leaf = self.leaf
        return ConnectionAttempt(
            distribution_id=self.distribution.id,
            allowed=allowed,
            decided_by=decided_by,
            code=code,
            reason=reason,
            client_ip=self.client_ip,
            at=self.at,
            subject=None if leaf is None else events.name_text(leaf.subject),
            serial_number=None if leaf is None else events.serial_text(leaf.serial_number),
            **more,
        )


def _load_der(der: bytes) -> x509.Certificate:
    from cryptography import x509

    return x509.load_der_x509_certificate(der)
