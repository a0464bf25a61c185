"""The checks CloudFront makes that botocore's client does not.

botocore validates required members, types and minimum lengths before sending, but not
patterns, enums, maximum lengths or empty blobs; the backend calls these instead. Each raises
the modeled :class:`~cfmock.exceptions.ServiceError` with a message that says what came and
what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from cfmock._cloudfront.values import RUNTIME, FunctionConfig, Stage
from cfmock._options import MockOptions
from cfmock._runtime import events
from cfmock.exceptions import ServiceError

NAME_PATTERN = re.compile(r"[a-zA-Z0-9\-_]{1,64}")
KVS_ARN_PATTERN = re.compile(r"arn:aws:cloudfront::[0-9]{12}:key-value-store/[0-9a-fA-F-]{36}")
# The model's ([\p{L}\p{Z}\p{N}_.:/=+\-@]*): letters, numbers, separators (spaces but no
# control characters) and a few marks.
TAG_PATTERN = re.compile(r"(?:\w|[^\S\t\n\r\f\v\x1c-\x1f\x85]|[.:/=+\-@])*")
MAX_KVS_ASSOCIATIONS = 1
MAX_TAG_KEY_LENGTH = 128
MAX_TAG_VALUE_LENGTH = 256

MISSING_IF_MATCH_MESSAGE = "The If-Match version is missing or not valid for the resource."
STALE_IF_MATCH_MESSAGE = (
    "The request failed because it didn't meet the preconditions in one or more "
    "request-header fields."
)


def invalid(message: str) -> ServiceError:
    """An ``InvalidArgument`` (400) error."""
    return ServiceError("InvalidArgument", message)


def check_name(name: str) -> None:
    """Names are 1-64 letters, digits, hyphens and underscores."""
    if not NAME_PATTERN.fullmatch(name):
        raise invalid(
            f"The connection function name {name!r} is not valid. A name is 1 to 64 "
            f"characters from a-z, A-Z, 0-9, hyphen (-) and underscore (_)."
        )


def check_config(config: FunctionConfig, options: MockOptions) -> None:
    """Runtime, comment length and KeyValueStore associations."""
    if config.runtime != RUNTIME:
        raise invalid(
            f"The runtime {config.runtime!r} is not supported for connection functions. "
            f"Connection functions support only {RUNTIME}."
        )
    if options.max_comment_length is not None and len(config.comment) > options.max_comment_length:
        raise invalid(
            f"The comment is {len(config.comment)} characters long; the maximum is "
            f"{options.max_comment_length}."
        )
    if len(config.key_value_store_arns) > MAX_KVS_ASSOCIATIONS:
        raise invalid(
            f"A connection function can be associated with at most {MAX_KVS_ASSOCIATIONS} "
            f"KeyValueStore; {len(config.key_value_store_arns)} were given."
        )
    for arn in config.key_value_store_arns:
        if not KVS_ARN_PATTERN.fullmatch(arn):
            raise invalid(
                f"The KeyValueStore ARN {arn!r} is not valid. Expected "
                f"arn:aws:cloudfront::<12-digit account>:key-value-store/<36-character id>."
            )


def check_kvs_quantity(quantity: int, items: Sequence[object]) -> None:
    """``KeyValueStoreAssociations.Quantity`` must count its ``Items``."""
    if quantity != len(items):
        raise invalid(
            f"KeyValueStoreAssociations.Quantity is {quantity} but {len(items)} "
            f"item(s) were given; Quantity must equal the number of Items."
        )


def check_code(code: bytes, options: MockOptions) -> None:
    """Code must be non-empty and within the size limit."""
    if not code:
        raise invalid("The connection function code is empty; ConnectionFunctionCode is required.")
    limit = options.code_size_limit  # MockOptions caps it at the model's maximum
    if len(code) > limit:
        raise ServiceError(
            "EntitySizeLimitExceeded",
            f"The connection function code is {len(code)} bytes; the maximum size is "
            f"{limit} bytes.",
        )


TagItems = tuple[tuple[str, str | None], ...]


def with_tags(current: TagItems, added: Sequence[tuple[str, str | None]]) -> TagItems:
    """*current* with *added* set (a key already there takes the new value, in place)."""
    merged = dict(current)
    merged.update(added)
    return tuple(merged.items())


def without_tags(current: TagItems, keys: Iterable[str]) -> TagItems:
    """*current* without the tags named by *keys* (absent keys are ignored)."""
    drop = set(keys)
    return tuple((key, value) for key, value in current if key not in drop)


def check_tags(tags: Sequence[tuple[str, str | None]]) -> None:
    """Tag keys 1-128 and values 0-256 characters of the allowed set, keys unique."""
    seen: set[str] = set()
    for key, value in tags:
        if not 1 <= len(key) <= MAX_TAG_KEY_LENGTH or not TAG_PATTERN.fullmatch(key):
            raise ServiceError(
                "InvalidTagging",
                f"The tag key {key!r} is not valid. A key is 1 to {MAX_TAG_KEY_LENGTH} "
                f"letters, digits, spaces and the characters _ . : / = + - @.",
            )
        if value is not None and (
            len(value) > MAX_TAG_VALUE_LENGTH or not TAG_PATTERN.fullmatch(value)
        ):
            raise ServiceError(
                "InvalidTagging",
                f"The value of tag {key!r} is not valid. A value is 0 to "
                f"{MAX_TAG_VALUE_LENGTH} letters, digits, spaces and the characters "
                f"_ . : / = + - @.",
            )
        if key in seen:
            raise ServiceError("InvalidTagging", f"The tag key {key!r} appears more than once.")
        seen.add(key)


def check_if_match(if_match: str | None, current_etag: str) -> None:
    """Missing or empty ``If-Match`` is 400; present but not current is 412."""
    if not if_match:
        raise ServiceError("InvalidIfMatchVersion", MISSING_IF_MATCH_MESSAGE)
    if if_match != current_etag:
        raise ServiceError("PreconditionFailed", STALE_IF_MATCH_MESSAGE)


MAX_CONNECTION_OBJECT_BYTES = 40_960


def parse_event(connection_object: bytes) -> dict[str, Any]:
    """A TestConnectionFunction event: a JSON object in UTF-8, at most 40 960 bytes.

    It must be JSON that JavaScript's ``JSON.parse`` accepts as a finite value (no ``NaN``,
    ``Infinity`` or ``1e999``), nested at most ``events.MAX_NESTING`` (100) levels deep. An
    unpaired surrogate escape (``"\\ud800"``) is accepted and becomes U+FFFD.
    """
    if len(connection_object) > MAX_CONNECTION_OBJECT_BYTES:
        raise invalid(
            f"The connection object is {len(connection_object)} bytes; the maximum is "
            f"{MAX_CONNECTION_OBJECT_BYTES}."
        )
    try:
        event = events.loads(connection_object.decode("utf-8"))
    except events.NotForJavaScript as error:
        raise invalid(f"The connection object is not valid for the runtime: {error}.") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise invalid(f"The connection object is not valid UTF-8 JSON: {error}.") from None
    if not isinstance(event, dict):
        raise invalid("The connection object must be a JSON object.")
    return event


def parse_stage(stage: str | None) -> Stage:
    """``Stage`` defaults to DEVELOPMENT; anything but DEVELOPMENT or LIVE is invalid."""
    if stage is None:
        return Stage.DEVELOPMENT
    try:
        return Stage(stage)
    except ValueError:
        raise invalid(
            f"The stage {stage!r} is not valid. Valid stages are DEVELOPMENT and LIVE."
        ) from None
