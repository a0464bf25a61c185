"""Run-time error messages in njs's words (spec decision 8).

QuickJS-ng and njs word the same errors differently; CloudFront's runtime is an njs fork, so a
test that pins an error text should read what CloudFront would say. :func:`to_njs` rewrites
the common QuickJS-ng messages and passes every other one through unchanged.

A message is rewritten only when its QuickJS-ng text carries everything njs's text needs.
Some common ones do not, and stay as QuickJS-ng words them:

* ``TypeError: not a function`` names neither the callee nor its type, which njs's
  ``(intermediate value)["f"] is not a function`` and ``number is not a function`` need;
* ``TypeError: 'x' is read-only`` is both njs's ``assignment to constant variable`` and its
  ``Cannot assign to read-only property "x" of object``;
* ``JSON.parse`` errors: njs always gives a position in characters, QuickJS-ng mostly none,
  and ``Expected property name or '}'`` is njs's ``Unexpected end of input`` or
  ``Unexpected token`` depending on whether the input ended there;
* ``RangeError: invalid number of digits`` is njs's ``digits argument must be between 0 and
  100`` (``toFixed``, ``toExponential``) or ``precision argument …`` (``toPrecision``).
"""

from __future__ import annotations

import re

# QuickJS-ng prints at most 63 bytes of a name and a Symbol key as its description (njs:
# "unknown"); the rewrite keeps the name it was given.
_PROPERTY_READ = re.compile(
    r"TypeError: cannot read property '(?P<name>.*)' of (?P<base>undefined|null)", re.DOTALL
)
_PROPERTY_WRITE = re.compile(
    r"TypeError: cannot set property '.*' of (?P<base>undefined|null)", re.DOTALL
)
# An identifier holds no white space and no quote; requiring that keeps the rewrite
# idempotent (njs quotes the name).
_NOT_DEFINED = re.compile(r"ReferenceError: (?P<name>[^\s\"']+) is not defined")
_NOT_INITIALIZED = re.compile(r"ReferenceError: [^\s\"']+ is not initialized")

_FIXED = {
    "TypeError: cannot convert symbol to string": (
        "TypeError: Cannot convert a Symbol value to a string"
    ),
    "TypeError: cannot convert symbol to number": (
        "TypeError: Cannot convert a Symbol value to a number"
    ),
    # decodeURI and decodeURIComponent; njs has one text for every malformed input.
    "URIError: expecting %": "URIError: malformed URI",
    "URIError: expecting hex digit": "URIError: malformed URI",
    "URIError: malformed UTF-8": "URIError: malformed URI",
    # Also QuickJS-ng's text for a TypedArray.set() overflow (njs: "source is too large").
    "RangeError: invalid array length": "RangeError: Invalid array length",
    "TypeError: circular reference": "TypeError: Nested too deep or a cyclic structure",
    "TypeError: circular prototype chain": "TypeError: Cyclic __proto__ value",
    "TypeError: invalid 'instanceof' right operand": "TypeError: right argument is not callable",
    "TypeError: empty array": "TypeError: Reduce of empty object with no initial value",
    "RangeError: Date value is NaN": "RangeError: Invalid time value",
}


def to_njs(message: str) -> str:
    """*message* (``Name: text``) as njs words it, when cfmock knows how; else unchanged.

    Never raises, and rewriting a rewritten message changes nothing.
    """
    fixed = _FIXED.get(message)
    if fixed is not None:
        return fixed
    if message.startswith("TypeError: cannot "):
        match = _PROPERTY_READ.fullmatch(message)
        if match:
            return f'TypeError: cannot get property "{match["name"]}" of {match["base"]}'
        match = _PROPERTY_WRITE.fullmatch(message)
        if match:
            return f"TypeError: property set on primitive {match['base']} type"
    elif message.startswith("ReferenceError: "):
        match = _NOT_DEFINED.fullmatch(message)
        if match:
            return f'ReferenceError: "{match["name"]}" is not defined'
        if _NOT_INITIALIZED.fullmatch(message):
            return "ReferenceError: cannot access variable before initialization"
    return message
