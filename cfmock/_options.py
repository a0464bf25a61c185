"""The options an activation takes, checked once when the activator is built."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from typing import Any

from cfmock.exceptions import CfmockError

DEFAULT_ACCOUNT_ID = "123456789012"
MODEL_MAX_CODE_SIZE = 40_960
"""The largest ``ConnectionFunctionCode`` botocore's model allows, in bytes."""


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

    intercept_requests: bool = False
    """Also answer CloudFront calls made with the ``requests`` library (through ``responses``;
    needs ``cfmock[requests]``). Off by default: it makes each activation about 0.15 ms slower."""

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
        delay: object = self.publish_delay
        if (
            isinstance(delay, bool)
            or not isinstance(delay, (int, float))
            or not math.isfinite(delay)
            or delay < 0
        ):
            raise CfmockError(
                f"cfmock: publish_delay must be a finite number of seconds >= 0, got {delay!r}"
            )
        for name in ("live_etag_follows_development", "intercept_requests"):
            value: object = getattr(self, name)
            if not isinstance(value, bool):
                raise CfmockError(f"cfmock: {name} must be True or False, got {value!r}")

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
        return cls(**options)


def _check_int(name: str, value: object, low: int, high: int | None) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise CfmockError(f"cfmock: {name} must be an int, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise CfmockError(f"cfmock: {name} must be {bounds}, got {value}")
