"""The load-time check's strict-mode rules: what njs refuses because the runtime is always strict.

Each expected text is what njs prints for the same code (checked against Debian's njs 0.7.9).
"""

from __future__ import annotations

import pytest

from cfmock import check_code, mock_connection_functions

REFUSED = [
    (
        "var o = {}; for ([a, b] in o) {}",
        'ReferenceError: Invalid left-hand side "[" in for-in statement in 1',
    ),
    (
        "var o = {}; for ({a} in o) {}",
        'ReferenceError: Invalid left-hand side "{" in for-in statement in 1',
    ),
    ("<!-- hi\nvar a = 1;", 'SyntaxError: Unexpected token "<" in 1'),
    ("var a;\n-->x\n", 'SyntaxError: Unexpected token ">" in 2'),
    ("var x = 1;\ndelete x;", "SyntaxError: Delete of an unqualified identifier in 2"),
    ("var x; delete (x);", "SyntaxError: Delete of an unqualified identifier in 1"),
    ("function f(a, b, a) {}", "SyntaxError: Duplicate parameter names in 1"),
    ("var f = (a, a) => 1;", "SyntaxError: Duplicate parameter names in 1"),
    ("var eval = 1;", 'SyntaxError: Identifier "eval" is forbidden in var declaration in 1'),
    ("let eval = 2;", 'SyntaxError: Identifier "eval" is forbidden in var declaration in 1'),
    (
        "function eval() {}",
        'SyntaxError: Identifier "eval" is forbidden in function declaration in 1',
    ),
    ("eval = 1;", 'SyntaxError: Identifier "eval" is forbidden as left-hand in assignment in 1'),
    (
        "function g() {\n  arguments = 1;\n}",
        'SyntaxError: Identifier "arguments" is forbidden as left-hand in assignment in 2',
    ),
    ("arguments = 1;", 'SyntaxError: "arguments" object in global scope in 1'),
    ("var a = arguments;", 'SyntaxError: "arguments" object in global scope in 1'),
    ("var f = () => arguments;", 'SyntaxError: "arguments" object in global scope in 1'),
    ("eval++;", "ReferenceError: Invalid left-hand side in postfix operation in 1"),
    ("++eval;", "ReferenceError: Invalid left-hand side in prefix operation in 1"),
    (
        "function f(x) { arguments++; }",
        "ReferenceError: Invalid left-hand side in postfix operation in 1",
    ),
    ("var implements = 1;", 'SyntaxError: Unexpected token "implements" in 1'),
    ("var let = 1;", 'SyntaxError: Unexpected token "let" in 1'),
    ("function f(private) {}", 'SyntaxError: Unexpected token "private" in 1'),
]

ACCEPTED = [
    "function f(eval) {}",
    "function f() { return arguments.length; }",
    "function f() { var g = () => arguments; }",
    "var o = {private: 1, eval: 2}; o.private = 3; o.eval = 4;",
    "var yield = 1;",
    "var o = {}; for (o.x in o) {}",
    "var o = {}; for (var k in o) {}",
    "var o = {a: 1}; delete o.a;",
]


@pytest.mark.parametrize(("code", "message"), REFUSED, ids=[code for code, _ in REFUSED])
def test_strict_mode_refusals_read_as_njs_says_them(code: str, message: str) -> None:
    (problem,) = check_code(code)
    assert problem.message == message


@pytest.mark.parametrize(
    "code",
    ["var x = 1;\ndelete x;", "function f(a, b, a) {}", "eval = 1;", "++eval;", "var let = 1;"],
)
def test_permissive_refuses_what_strict_mode_quickjs_refuses(code: str) -> None:
    # The permissive profile runs the code as strict-mode QuickJS: the check says so too.
    (problem,) = check_code(code, profile="permissive")
    assert problem.message.startswith("SyntaxError: ")


@pytest.mark.parametrize(
    "code",
    ["var o = {}; for ([a, b] in o) {}", "var a = arguments;", "<!-- hi\nvar a = 1;"],
)
def test_permissive_accepts_what_only_njs_refuses(code: str) -> None:
    assert check_code(code, profile="permissive") == []


@pytest.mark.parametrize("code", ACCEPTED)
def test_what_strict_njs_accepts_passes(code: str) -> None:
    assert check_code(code) == []


def test_a_strict_mode_refusal_is_the_test_answer() -> None:
    import boto3

    code = "function connectionHandler(connection) {\n  delete connection;\n}"
    with mock_connection_functions() as cf:
        function = cf.add_function("gate", code)
        result = boto3.client("cloudfront", region_name="us-east-1").test_connection_function(
            Id=function.id, IfMatch=function.etag, ConnectionObject=b"{}"
        )["ConnectionFunctionTestResult"]
    assert result["ConnectionFunctionErrorMessage"] == (
        "SyntaxError: Delete of an unqualified identifier in 2"
    )
    assert result["ConnectionFunctionExecutionLogs"] == []


# Syntax errors proper: where the parser stops, and what njs says there.
PARSE_ERRORS = [
    ("var s = 'abc", 'SyntaxError: Unterminated string "\'abc" in 1'),
    ("var s = `abc", "SyntaxError: Unterminated template literal in 1"),
    ("var r = /abc", 'SyntaxError: Unterminated RegExp "/abc" in 1'),
    ("/* abc", 'SyntaxError: Unexpected token "/*" in 1'),
    ("var x = 1 +", "SyntaxError: Unexpected end of input in 1"),
    ("var a = {b: 1,, c: 2};", 'SyntaxError: Unexpected token "," in 1'),
    ("if (a) }", 'SyntaxError: Unexpected token "}" in 1'),
    ("var x = 1e;", 'SyntaxError: Unexpected token "e" in 1'),
    ("var 1a = 2;", 'SyntaxError: Unexpected token "1" in 1'),
    ("a => {", "SyntaxError: Unexpected end of input in 1"),
    ("x = @;", 'SyntaxError: Unexpected token "@" in 1'),
    ("function connectionHandler(c) { c.allow( }", 'SyntaxError: Unexpected token "}" in 1'),
    ("var x = 1;\n}", 'SyntaxError: Unexpected token "}" in 2'),
    ("try { }", "SyntaxError: Missing catch or finally after try in 1"),
    ("return 1;", "SyntaxError: Illegal return statement in 1"),
    ("{ return; }", "SyntaxError: Illegal return statement in 1"),
    ("break;", "SyntaxError: Illegal break statement in 1"),
    ("continue;", "SyntaxError: Illegal continue statement in 1"),
    ("switch (1) { case 1: continue; }", "SyntaxError: Illegal continue statement in 1"),
    (
        "function f() { for (;;) { var g = function () { continue; }; } }",
        "SyntaxError: Illegal continue statement in 1",
    ),
    ("x.;", 'SyntaxError: Unexpected token ";" in 1'),
    ("var x = y ? 1;", 'SyntaxError: Unexpected token ";" in 1'),
    ("new;", 'SyntaxError: Unexpected token ";" in 1'),
    ("var a = 1;\n\n  var b = 'é' +;", 'SyntaxError: Unexpected token ";" in 3'),
]

PARSED = [
    "a: { break a; }",
    "var f = () => { return 1; };",
    "switch (1) { case 1: break; }",
    "for (var k in {}) { if (k) continue; else break; }",
    "function f() { return; }",
    "function f() { if (false) { function g() {} } }",
]


@pytest.mark.parametrize(("code", "message"), PARSE_ERRORS, ids=[c for c, _ in PARSE_ERRORS])
def test_a_syntax_error_is_placed_where_njs_stops(code: str, message: str) -> None:
    (problem,) = check_code(code)
    assert problem.message == message


@pytest.mark.parametrize("code", PARSED)
def test_jumps_where_they_belong_parse(code: str) -> None:
    assert check_code(code) == []


def test_the_parse_never_runs_the_code() -> None:
    # The code QuickJS parses to place an error must not run: no side effect can escape, and
    # an endless loop at the top level does not hang the check.
    assert check_code("while (true) {}\nvar x = ;")[0].message == (
        'SyntaxError: Unexpected token ";" in 2'
    )
    assert check_code("while (true) {}") == []


ESCAPES = (
    "SyntaxError: The escapes \\8 and \\9 can't be used in untagged template literals or in "
    "strict mode code in 1"
)

# Rules njs applies that a modern grammar does not, each checked against njs.
NJS_RULES = [
    (
        "var s = '\\8';",
        ESCAPES,
    ),
    (
        "var s = `\\9`;",
        ESCAPES,
    ),
    (
        "var a = -2 ** 2;",
        "SyntaxError: Either left-hand side or entire exponentiation must be parenthesized in 1",
    ),
    (
        "var x = typeof 2 ** 2;",
        "SyntaxError: Either left-hand side or entire exponentiation must be parenthesized in 1",
    ),
    (
        "function f() { return super.x; }",
        'SyntaxError: Token "super" not supported in this version in 1',
    ),
    ("var \\u0062 = 1;", 'SyntaxError: Unexpected token "\\" in 1'),
    ("var o = {\\u0061: 1};", 'SyntaxError: Unexpected token "\\" in 1'),
    (
        "if (true) function f() {}",
        "SyntaxError: Functions can only be declared at top level or inside a block in 1",
    ),
    (
        "while (false) function f() {}",
        "SyntaxError: Functions can only be declared at top level or inside a block in 1",
    ),
    (
        "if (1) {} else function g() {}",
        "SyntaxError: Functions can only be declared at top level or inside a block in 1",
    ),
    ("for (var [a] in {}) {}", 'SyntaxError: Token "[" not supported in this version in 1'),
    (
        "async function f(g, h, x) { g(await x, h(1)); }",
        "SyntaxError: await in arguments not supported in 1",
    ),
    (
        "async function f(g, h, k, x) { g(h(1), k(await x)); }",
        "SyntaxError: await in arguments not supported in 1",
    ),
    (
        "async function f(g, h, x) { g(h(await x)); }",
        "SyntaxError: await in arguments not supported in 1",
    ),
]

NJS_ACCEPTS = [
    "var a = (-2) ** 2; var b = -(2 ** 2); var c = 2 ** -2;",
    "var t = f`\\8`;",
    # njs has one "inside arguments" flag, cleared when any argument list closes: an `await`
    # after an inner call's arguments is not seen as an argument (njs 0.7.9 and 0.8.x).
    "async function f(g, h, x) { g(h(1), await x); }",
    "async function f(g, h, x) { g(h(1) + await x); }",
    "async function f(g, F, x) { g(new F(1), await x); }",
    "async function f(g, h, x) { g(`${h(1)}`, await x); }",
    "async function f(g, h, x) { g(h(1), [await x]); }",
]


@pytest.mark.parametrize(("code", "message"), NJS_RULES, ids=[c for c, _ in NJS_RULES])
def test_njs_rules_a_modern_grammar_lacks(code: str, message: str) -> None:
    (problem,) = check_code(code)
    assert problem.message == message


@pytest.mark.parametrize("code", NJS_ACCEPTS)
def test_what_njs_accepts_in_those_places(code: str) -> None:
    assert check_code(code) == []
