"""The options an activation takes, checked once when the activator is built."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from cfmock.exceptions import CfmockError

DEFAULT_ACCOUNT_ID = "123456789012"
MODEL_MAX_CODE_SIZE = 40_960
"""The largest ``ConnectionFunctionCode`` botocore's model allows, in bytes."""
PROFILES = ("faithful", "permissive")
"""The runtime profiles: what CloudFront's runtime accepts, or full modern JavaScript."""
ENGINE_MEMORY_LIMIT = 64 * 1024 * 1024
"""The most a run may allocate in any case, runtime included (``memory_limit=None``)."""
MAX_LOG_LIMIT = 1024 * 1024
"""The most log text cfmock keeps from one run (``log_limit=None``), in bytes of UTF-8."""


@dataclass(frozen=True)
class MockOptions:
    """How the mock behaves where CloudFront's limits are quotas or unknowns.

    Every field is a keyword of :func:`cfmock.mock_connection_functions`.
    """

    account_id: str = DEFAULT_ACCOUNT_ID
    """The AWS account the mock's functions belong to."""

    code_size_limit: int = 10_240
    """Largest function code in bytes; larger code is ``EntitySizeLimitExceeded`` (413).
    CloudFront's quota is 10 KB; the API model allows up to 40 960 bytes."""

    max_functions: int = 100
    """Connection functions per account; one more is ``EntityLimitExceeded`` (400)."""

    max_comment_length: int | None = None
    """Longest ``Comment`` accepted, or ``None`` for no limit (CloudFront documents none)."""

    publish_delay: float = 0.0
    """Seconds a published function reports Status ``PUBLISHING`` before ``UNASSOCIATED``.
    With 0 the Publish response says ``PUBLISHING`` and the next read ``UNASSOCIATED``."""

    live_etag_follows_development: bool = False
    """Give the LIVE stage the DEVELOPMENT ETag at publish time, instead of LIVE's own
    version sequence (``ETVPDKIKX0DER`` on the first publish, then the next token each time)."""

    trust_store_delay: float = 0.0
    """Seconds a created or updated trust store reports Status ``pending`` before it settles
    to ``active`` (or ``failed``). With 0 the write says ``pending`` and the next read settles."""

    max_trust_stores: int = 20
    """Trust stores per account (CloudFront's adjustable quota); one more is
    ``EntityLimitExceeded``."""

    strict_ca_bundles: bool = False
    """Refuse a CA bundle CloudFront would not accept with ``InvalidArgument`` at the call,
    instead of letting the trust store settle to ``failed`` with a ``Reason``."""

    require_us_east_1_bundles: bool = False
    """Refuse a CA bundle location whose ``Region`` is not ``us-east-1`` (one report says the
    console insists on it; the API's own users pass other regions)."""

    deploy_delay: float = 0.0
    """Seconds a created or updated distribution reports Status ``InProgress`` before
    ``Deployed``. With 0 the write says ``InProgress`` and the next read ``Deployed``, so the
    ``distribution_deployed`` waiter returns at its first poll."""

    max_distributions_per_function: int = 100
    """Distributions one connection function may be associated with (CloudFront's quota)."""

    max_distributions_per_trust_store: int = 25
    """Distributions one trust store may serve (CloudFront's quota)."""

    strict_https_only: bool = False
    """With viewer mTLS, refuse ``redirect-to-https`` as well as ``allow-all`` (CloudFront's
    pages disagree on whether it is accepted)."""

    report_deployed: bool = True
    """Report ``DEPLOYED`` for a published function that a distribution uses, as CloudFront
    does (a publish waiter expecting ``UNASSOCIATED`` then fails, as against CloudFront);
    ``False`` keeps ``UNASSOCIATED``."""

    moto_distributions: bool = False
    """Hand the distribution operations to moto (``mock_aws``) instead of answering them: then
    associations are not checked, functions never report ``DEPLOYED``, in-use deletes are not
    refused and ``ListDistributionsBy*`` answer empty lists."""

    check_client_auth_usage: bool = True
    """Refuse a client certificate whose extended key usage leaves out clientAuth
    (``ClientCertIntentInvalid``); ``False`` skips the check."""

    connect_disabled: bool = False
    """Let ``cf.connect`` reach a disabled distribution (by default it is refused with the
    code ``DistributionDisabled``, as a disabled distribution serves nobody)."""

    intercept_requests: bool = False
    """Also answer CloudFront calls made with the ``requests`` library (through ``responses``;
    needs ``cfmock[requests]``). Off by default: it makes each activation about 0.15 ms slower."""

    runtime_profile: str = "faithful"
    """How functions run: ``"faithful"`` accepts only what CloudFront's ``cloudfront-js-2.0``
    runtime accepts and provides only its built-ins; ``"permissive"`` runs full modern
    JavaScript (QuickJS-ng) with every built-in it has."""

    function_profiles: Mapping[str, str] = field(default_factory=dict)
    """Per-function exceptions to ``runtime_profile``, by function name."""

    memory_limit: int | None = 2 * 1024 * 1024
    """Bytes a run's own code may allocate (the runtime's objects, the event and the
    KeyValueStore snapshot are not counted); more ends the run with an out-of-memory error.
    CloudFront's quota is 2 MB. ``None``: only the engine's 64 MiB bound."""

    log_limit: int | None = 10_240
    """Bytes of UTF-8 the logs of one run keep in total, cut at a character boundary; later
    entries are dropped. ``None``: no cut short of cfmock's own 1 MiB bound."""

    strict_compute: bool = False
    """End a run whose CPU time goes over CloudFront's 5 ms budget with the time-limit error,
    instead of reporting ``ComputeUtilization`` 100. Off by default: CPU time depends on the
    machine running the tests."""

    error_message_prefix: bool = False
    """Start every ``ConnectionFunctionErrorMessage`` with the sentence CloudFront Functions
    tests were seen to put before the error ("The CloudFront function associated with the
    CloudFront distribution is invalid or could not run. ")."""

    check_kvs_argument: bool = False
    """Make ``cf.kvs(x)`` throw when *x* is given and is neither the associated store's ID nor
    its ARN (by default the argument is ignored, as nobody knows what CloudFront does)."""

    seed_random: bool = False
    """Seed ``Math.random`` from the run's frozen start time, so a run's random numbers repeat
    when the clock does (CloudFront seeds it with the run's timestamp)."""

    def __post_init__(self) -> None:
        account_id: object = self.account_id
        if not isinstance(account_id, str) or not re.fullmatch(r"[0-9]{12}", account_id):
            raise CfmockError(
                f"cfmock: account_id must be a string of 12 digits, got {self.account_id!r}"
            )
        _check_int("code_size_limit", self.code_size_limit, 1, MODEL_MAX_CODE_SIZE)
        _check_int("max_functions", self.max_functions, 0, None)
        if self.max_comment_length is not None:
            _check_int("max_comment_length", self.max_comment_length, 0, None)
        for name in ("publish_delay", "trust_store_delay", "deploy_delay"):
            delay: object = getattr(self, name)
            if (
                isinstance(delay, bool)
                or not isinstance(delay, (int, float))
                or not math.isfinite(delay)
                or delay < 0
            ):
                raise CfmockError(
                    f"cfmock: {name} must be a finite number of seconds >= 0, got {delay!r}"
                )
        _check_int("max_trust_stores", self.max_trust_stores, 0, None)
        _check_int("max_distributions_per_function", self.max_distributions_per_function, 0, None)
        _check_int(
            "max_distributions_per_trust_store", self.max_distributions_per_trust_store, 0, None
        )
        _check_profile("runtime_profile", self.runtime_profile)
        profiles: object = self.function_profiles
        if not isinstance(profiles, Mapping):
            raise CfmockError(
                f"cfmock: function_profiles must map function names to profiles, got {profiles!r}"
            )
        for name, profile in profiles.items():
            if not isinstance(name, str):
                raise CfmockError(
                    f"cfmock: function_profiles keys are function names, got {name!r}"
                )
            _check_profile(f"function_profiles[{name!r}]", profile)
        object.__setattr__(self, "function_profiles", MappingProxyType(dict(profiles)))
        if self.memory_limit is not None:
            _check_int("memory_limit", self.memory_limit, 1, ENGINE_MEMORY_LIMIT)
        if self.log_limit is not None:
            _check_int("log_limit", self.log_limit, 0, MAX_LOG_LIMIT)
        for name in (
            "live_etag_follows_development",
            "intercept_requests",
            "strict_compute",
            "strict_ca_bundles",
            "require_us_east_1_bundles",
            "strict_https_only",
            "report_deployed",
            "moto_distributions",
            "check_client_auth_usage",
            "connect_disabled",
            "error_message_prefix",
            "check_kvs_argument",
            "seed_random",
        ):
            value: object = getattr(self, name)
            if not isinstance(value, bool):
                raise CfmockError(f"cfmock: {name} must be True or False, got {value!r}")

    def profile_for(self, function_name: str) -> str:
        """The profile a function runs under: its own, or the mock's."""
        return self.function_profiles.get(function_name, self.runtime_profile)

    @classmethod
    def from_kwargs(cls, options: dict[str, Any]) -> MockOptions:
        """Build options from keyword arguments, naming any that are not options."""
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise CfmockError(
                f"cfmock: unknown option(s) {', '.join(unknown)}; "
                f"the options are {', '.join(sorted(known))}"
            )
        if not options and cls is MockOptions:
            return _DEFAULTS
        return cls(**options)


def _check_int(name: str, value: object, low: int, high: int | None) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise CfmockError(f"cfmock: {name} must be an int, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise CfmockError(f"cfmock: {name} must be {bounds}, got {value}")


def _check_profile(name: str, value: object) -> None:
    if value not in PROFILES:
        raise CfmockError(
            f"cfmock: {name} must be one of {', '.join(map(repr, PROFILES))}, got {value!r}"
        )


_DEFAULTS = MockOptions()
"""The options of ``mock_connection_functions()`` without arguments, checked once (frozen)."""
