"""JSON for the runtime: what JavaScript's ``JSON.parse`` would take, in a form cfmock can pass on.

Python's :mod:`json` accepts more than JavaScript does, and recurses where a deep document
would overflow its stack. :func:`loads` refuses ``NaN``, ``Infinity`` and ``-Infinity``, numbers
no double can hold (``1e999``: JavaScript would read ``Infinity``), and documents nested more than
``MAX_NESTING`` levels deep, which it measures before parsing, without recursion. Strings keep
control characters; an unpaired surrogate (``"\\ud800"``) becomes U+FFFD, as in CloudFront's
runtime, where such a string holds U+FFFD from the moment it is made.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

MAX_NESTING = 100
"""Arrays and objects inside one another, at most; the events CloudFront sends nest about 5."""

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_DOUBLE_DIGITS = 400  # longer integers are out of range for certain, whatever their value


class NotForJavaScript(ValueError):
    """The document is JSON to Python but would not reach JavaScript as it is."""


def loads(text: str) -> Any:
    """*text* parsed as JSON, or :class:`NotForJavaScript` or :class:`ValueError` saying why not."""
    depth = nesting(text)
    if depth > MAX_NESTING:
        raise NotForJavaScript(f"it nests {depth} levels deep; the maximum is {MAX_NESTING}")
    value = json.loads(
        text, parse_constant=_constant, parse_float=_finite_float, parse_int=_finite_int
    )
    if _SURROGATE_ESCAPE.search(text):
        value = _well_formed(value)
    return value


def nesting(text: str) -> int:
    """How deep arrays and objects nest in *text* (JSON, or nearly), counted without recursion.

    With no more than ``MAX_NESTING`` brackets in all, the answer is at most that: their
    number, without the cost of the count.
    """
    opening = text.count("[") + text.count("{")
    if opening <= MAX_NESTING:
        return opening
    # Where brackets close more than they opened, the document is not JSON, and a parser stops
    # there: the running sum is exact up to that point.
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _constant(name: str) -> Any:
    raise NotForJavaScript(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise NotForJavaScript(f"the number {_shorten(text)} is too large for a JavaScript number")
    return value


def _finite_int(text: str) -> int | float:
    if text == "-0":
        return -0.0  # JavaScript keeps the sign
    digits = text.lstrip("-")
    if len(digits) <= 15:
        return int(text)
    if len(digits) > _MAX_DOUBLE_DIGITS:
        raise NotForJavaScript(f"the number {_shorten(text)} is too large for a JavaScript number")
    value = int(text)
    try:
        float(value)
    except OverflowError:
        raise NotForJavaScript(
            f"the number {_shorten(text)} is too large for a JavaScript number"
        ) from None
    return value


def _shorten(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:20]}... ({len(text)} characters)"


def _well_formed(value: Any) -> Any:
    # At most MAX_NESTING deep, so recursion is safe here.
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_well_formed(item) for item in value]
    if isinstance(value, dict):
        return {_well_formed(key): _well_formed(item) for key, item in value.items()}
    return value
