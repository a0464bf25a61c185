"""Identifiers, ARNs and ETag version tokens, in CloudFront's formats."""

from __future__ import annotations

import functools
import random
import string

_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_BASE36 = string.digits + string.ascii_uppercase

# CloudFront's ETags are version tokens, the same for a given version number across resources:
# these three are seen on real new, once-updated and twice-updated resources. The leading "E"
# is the control-plane prefix; the KeyValueStore data plane writes "KV" before the same rest.
_KNOWN_VERSION_TOKENS = ("TVPDKIKX0DER", "3UN6WX5RRO2AG", "1F83G8C2ARO7P")
_DERIVED_TOKEN_LENGTH = 13
_MASK64 = (1 << 64) - 1


def _mix(value: int) -> int:
    # SplitMix64's finaliser: a bijection on 64-bit values that scatters neighbouring inputs.
    value = (value + 0x9E3779B97F4A7C15) & _MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


@functools.lru_cache(maxsize=1024)
def etag(version: int, prefix: str = "E") -> str:
    """The ETag of *version* (1 for a new resource, +1 per successful write).

    Versions 1-3 give the tokens CloudFront itself returns; later versions give a stable
    pseudo-random token of the same form, so a test that hard-codes an ETag keeps passing.
    """
    if version < 1:
        raise ValueError(f"ETag versions start at 1, not {version}")
    if version <= len(_KNOWN_VERSION_TOKENS):
        return prefix + _KNOWN_VERSION_TOKENS[version - 1]
    number = _mix(version) % len(_BASE36) ** _DERIVED_TOKEN_LENGTH
    digits = []
    for _ in range(_DERIVED_TOKEN_LENGTH):
        number, digit = divmod(number, len(_BASE36))
        digits.append(_BASE36[digit])
    return prefix + "".join(digits)


def new_function_id(rng: random.Random) -> str:
    """A connection function ID: ``cf_`` and 27 base62 characters."""
    return "cf_" + "".join(rng.choice(_BASE62) for _ in range(27))


def function_arn(account_id: str, function_id: str) -> str:
    """The ARN of a connection function: global (no region), ending in the function's ID."""
    return f"arn:aws:cloudfront::{account_id}:connection-function/{function_id}"


def function_location(arn: str) -> str:
    """The ``Location`` header CreateConnectionFunction returns."""
    return f"https://cloudfront.amazonaws.com/2020-05-31/connection-function/{arn}"


def new_trust_store_id(rng: random.Random) -> str:
    """A trust store ID: ``ts_`` and 27 base62 characters, like the other new resources."""
    return "ts_" + "".join(rng.choice(_BASE62) for _ in range(27))


def trust_store_arn(account_id: str, trust_store_id: str) -> str:
    """The ARN of a trust store: global, ending in its ID."""
    return f"arn:aws:cloudfront::{account_id}:trust-store/{trust_store_id}"
