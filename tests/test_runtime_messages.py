"""Run-time error messages in njs's words: ``to_njs`` on its own, then through boto3.

Every njs text here is what the njs 0.7.9 command-line engine prints for the same code (and a
literal string of njs 0.8.2's sources); every QuickJS-ng text is what cfmock's engine reported
before the rewrite.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cfmock import mock_connection_functions
from cfmock._runtime.messages import to_njs

REWRITES = [
    (
        "TypeError: cannot read property 'x' of undefined",
        'TypeError: cannot get property "x" of undefined',
    ),
    ("TypeError: cannot read property 'x' of null", 'TypeError: cannot get property "x" of null'),
    ("TypeError: cannot read property '' of null", 'TypeError: cannot get property "" of null'),
    (
        "TypeError: cannot read property 'it's \"q\"\nnew' of undefined",
        'TypeError: cannot get property "it\'s "q"\nnew" of undefined',
    ),
    (
        "TypeError: cannot read property 'a' of null' of undefined",
        'TypeError: cannot get property "a\' of null" of undefined',
    ),
    (
        "TypeError: cannot read property 'é\u2028\r\t' of undefined",
        'TypeError: cannot get property "é\u2028\r\t" of undefined',
    ),
    (
        "TypeError: cannot set property 'x' of undefined",
        "TypeError: property set on primitive undefined type",
    ),
    (
        "TypeError: cannot set property '0' of null",
        "TypeError: property set on primitive null type",
    ),
    (
        "TypeError: cannot set property 'a\nb' of null",
        "TypeError: property set on primitive null type",
    ),
    ("ReferenceError: xyz is not defined", 'ReferenceError: "xyz" is not defined'),
    ("ReferenceError: $_é1 is not defined", 'ReferenceError: "$_é1" is not defined'),
    ("ReferenceError: setTimeout is not defined", 'ReferenceError: "setTimeout" is not defined'),
    (
        "ReferenceError: x is not initialized",
        "ReferenceError: cannot access variable before initialization",
    ),
    (
        "TypeError: cannot convert symbol to string",
        "TypeError: Cannot convert a Symbol value to a string",
    ),
    (
        "TypeError: cannot convert symbol to number",
        "TypeError: Cannot convert a Symbol value to a number",
    ),
    ("URIError: expecting %", "URIError: malformed URI"),
    ("URIError: expecting hex digit", "URIError: malformed URI"),
    ("URIError: malformed UTF-8", "URIError: malformed URI"),
    ("RangeError: invalid array length", "RangeError: Invalid array length"),
    ("TypeError: circular reference", "TypeError: Nested too deep or a cyclic structure"),
    ("TypeError: circular prototype chain", "TypeError: Cyclic __proto__ value"),
    ("TypeError: invalid 'instanceof' right operand", "TypeError: right argument is not callable"),
    ("TypeError: empty array", "TypeError: Reduce of empty object with no initial value"),
    ("RangeError: Date value is NaN", "RangeError: Invalid time value"),
]

PASSED_THROUGH = [
    "",
    "RangeError: Maximum call stack size exceeded",
    'Error: Cannot find module "x"',
    # QuickJS-ng's text lacks what njs's needs (the callee, the kind of assignment, the
    # JSON position, the method): see the module's docstring.
    "TypeError: not a function",
    "TypeError: 'k' is read-only",
    "SyntaxError: Unexpected end of JSON input",
    "SyntaxError: Expected property name or '}' in JSON at position 1 (line 1 column 2)",
    "SyntaxError: unexpected token: 'x'",
    "RangeError: invalid number of digits",
    "TypeError: Cannot convert undefined or null to object",
    "URIError: expecting surrogate pair",
    # The same words under another type, or with more around them, are not the engine's.
    "Error: cannot read property 'x' of undefined",
    "Error: xyz is not defined",
    "TypeError: xyz is not defined",
    "RangeError: empty array",
    "TypeError: invalid array length",
    "TypeError: cannot read property 'x' of undefined ",
    " TypeError: cannot read property 'x' of undefined",
    "TypeError: cannot read property 'x' of object",
    "TypeError: cannot read property x of undefined",
    'TypeError: cannot get property "x" of undefined',
    "ReferenceError: a b is not defined",
    'ReferenceError: "xyz" is not defined',
    "ReferenceError: xyz is not defined\n",
    "ReferenceError:  is not defined",
    "ReferenceError: cannot access variable before initialization",
    "URIError: malformed URI",
    "URIError: expecting hex digit\n",
    "InternalError: The function exceeded the maximum allowed time",
    "InternalError: out of memory",
    "EvalError: eval is not supported by the cloudfront-js-2.0 runtime",
    "Error: the thrown value cannot be converted to a string",
]


@pytest.mark.parametrize(("quickjs", "njs"), REWRITES)
def test_quickjs_texts_become_njs_texts(quickjs: str, njs: str) -> None:
    assert to_njs(quickjs) == njs


@pytest.mark.parametrize(("quickjs", "njs"), REWRITES)
def test_a_rewritten_text_stays_as_it_is(quickjs: str, njs: str) -> None:
    assert to_njs(njs) == njs


@pytest.mark.parametrize("message", PASSED_THROUGH)
def test_other_texts_pass_through(message: str) -> None:
    assert to_njs(message) == message


@given(st.text())
def test_any_text_gives_a_text_and_a_second_rewrite_changes_nothing(message: str) -> None:
    once = to_njs(message)
    assert isinstance(once, str)
    assert to_njs(once) == once


@given(st.text(), st.sampled_from(["undefined", "null"]))
def test_any_property_name_is_kept_as_it_is(name: str, base: str) -> None:
    assert to_njs(f"TypeError: cannot read property '{name}' of {base}") == (
        f'TypeError: cannot get property "{name}" of {base}'
    )
    assert to_njs(f"TypeError: cannot set property '{name}' of {base}") == (
        f"TypeError: property set on primitive {base} type"
    )


@given(st.from_regex(r"[A-Za-z_$][\w$]*", fullmatch=True))
def test_any_identifier_is_quoted(name: str) -> None:
    assert to_njs(f"ReferenceError: {name} is not defined") == (
        f'ReferenceError: "{name}" is not defined'
    )


# -- Through boto3 --------------------------------------------------------------------------

ERRORS = [
    ("var o; o.x;", 'TypeError: cannot get property "x" of undefined'),
    ("var o = null; o.x;", 'TypeError: cannot get property "x" of null'),
    ("null[0];", 'TypeError: cannot get property "0" of null'),
    (
        "var o = {}; o.headers.host;",
        'TypeError: cannot get property "host" of undefined',
    ),
    (
        "connection.clientCertificate.certificates;",
        'TypeError: cannot get property "certificates" of undefined',
    ),
    (
        'var o; o["it\'s \\"q\\"\\nnew"];',
        'TypeError: cannot get property "it\'s "q"\nnew" of undefined',
    ),
    ("var o; o[1.5];", 'TypeError: cannot get property "1.5" of undefined'),
    ("var o; o.x = 1;", "TypeError: property set on primitive undefined type"),
    ("var o = {}; o.a.b = 1;", "TypeError: property set on primitive undefined type"),
    ("var o = null; o[0] = 1;", "TypeError: property set on primitive null type"),
    ("xyz;", 'ReferenceError: "xyz" is not defined'),
    ("xyz = 1;", 'ReferenceError: "xyz" is not defined'),
    ("delete globalThis.Math; Math.abs(1);", 'ReferenceError: "Math" is not defined'),
    ("x; let x = 1;", "ReferenceError: cannot access variable before initialization"),
    ("x = 2; let x = 1;", "ReferenceError: cannot access variable before initialization"),
    (
        "function f(n) { return f(n + 1) + 1; } f(0);",
        "RangeError: Maximum call stack size exceeded",
    ),
    ("decodeURIComponent('%');", "URIError: malformed URI"),
    ("decodeURIComponent('%ZZ');", "URIError: malformed URI"),
    ("decodeURIComponent('%E0%A4');", "URIError: malformed URI"),
    ("decodeURIComponent('%C0%80');", "URIError: malformed URI"),
    ("decodeURI('abc%');", "URIError: malformed URI"),
    ("Symbol() + '';", "TypeError: Cannot convert a Symbol value to a string"),
    ("Symbol() * 1;", "TypeError: Cannot convert a Symbol value to a number"),
    ("new Array(-1);", "RangeError: Invalid array length"),
    ("var a = []; a.length = 4294967296;", "RangeError: Invalid array length"),
    (
        "var o = {}; o.o = o; JSON.stringify(o);",
        "TypeError: Nested too deep or a cyclic structure",
    ),
    ("var o = {}; o.__proto__ = o;", "TypeError: Cyclic __proto__ value"),
    ("1 instanceof {};", "TypeError: right argument is not callable"),
    (
        "[].reduce(function (a, b) { return a + b; });",
        "TypeError: Reduce of empty object with no initial value",
    ),
    ("new Date(NaN).toISOString();", "RangeError: Invalid time value"),
    ("require('x');", 'Error: Cannot find module "x"'),
    ("throw new Error('xyz is not defined');", "Error: xyz is not defined"),
]


def error_message(body: str, **options: Any) -> str:
    """The ``ConnectionFunctionErrorMessage`` a test of ``connectionHandler`` running *body*
    returns."""
    code = "function connectionHandler(connection) {\n" + body + "\n}\n"
    with mock_connection_functions(**options) as cf:
        function = cf.add_function("messages", code)
        client = boto3.client("cloudfront", region_name="us-east-1")
        response = client.test_connection_function(
            Id=function.id, IfMatch=function.etag, ConnectionObject=b'{"clientIp":"203.0.113.10"}'
        )
    result = response["ConnectionFunctionTestResult"]
    assert result["ConnectionFunctionOutput"] == '{"connection":{"action":"deny"}}'
    message: str = result["ConnectionFunctionErrorMessage"]
    return message


@pytest.mark.parametrize(("body", "njs"), ERRORS)
def test_the_faithful_profile_reports_njs_texts(body: str, njs: str) -> None:
    assert error_message(body) == njs


@pytest.mark.parametrize(("body", "njs"), ERRORS)
def test_the_permissive_profile_reports_njs_texts(body: str, njs: str) -> None:
    assert error_message(body, runtime_profile="permissive") == njs


def test_async_rejections_are_rewritten_too() -> None:
    body = "return Promise.resolve().then(function () { var o; return o.x; });"
    assert error_message(body) == 'TypeError: cannot get property "x" of undefined'


def test_the_prefix_goes_before_the_rewritten_text() -> None:
    assert error_message("xyz;", error_message_prefix=True) == (
        "The CloudFront function associated with the CloudFront distribution is invalid or "
        'could not run. ReferenceError: "xyz" is not defined'
    )


def test_a_global_the_faithful_profile_removes_is_not_defined_in_njs_words() -> None:
    assert error_message("setTimeout(function () {}, 1);") == (
        'ReferenceError: "setTimeout" is not defined'
    )


def test_errors_while_the_top_level_runs_are_rewritten_too() -> None:
    with mock_connection_functions() as cf:
        function = cf.add_function(
            "top", "var o; o.x;\nfunction connectionHandler(c) { c.allow(); }"
        )
        client = boto3.client("cloudfront", region_name="us-east-1")
        result = client.test_connection_function(
            Id=function.id, IfMatch=function.etag, ConnectionObject=b'{"clientIp":"203.0.113.10"}'
        )["ConnectionFunctionTestResult"]
    assert result["ConnectionFunctionErrorMessage"] == (
        'TypeError: cannot get property "x" of undefined'
    )
