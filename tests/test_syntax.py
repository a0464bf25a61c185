"""The load-time check of cloudfront-js-2.0 (spec/runtime-2.0.md §2, decisions 2, 3, 5 and 6)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cfmock
from cfmock._runtime import syntax
from cfmock._runtime.syntax import CodeProblem, check, check_code
from cfmock.exceptions import CfmockError

ROOT = Path(__file__).resolve().parent.parent

# One case per "no" row of the §2 table (and the variants it names): the code, the message
# without its ` in <line>`, and the line.
REFUSED = [
    # await inside a call's or new's arguments, at any depth
    ("async function h() { f(await x); }", "SyntaxError: await in arguments not supported", 1),
    (
        "async function h(k) {\n  return JSON.parse(await kvs.get(k));\n}",
        "SyntaxError: await in arguments not supported",
        2,
    ),
    (
        "async function h() { log('a' + await p); }",
        "SyntaxError: await in arguments not supported",
        1,
    ),
    ("async function h() { f([await x]); }", "SyntaxError: await in arguments not supported", 1),
    ("async function h() { f({a: await x}); }", "SyntaxError: await in arguments not supported", 1),
    ("async function h() { new F(await x); }", "SyntaxError: await in arguments not supported", 1),
    (
        "async function h() { f(async () => g(await x)); }",
        "SyntaxError: await in arguments not supported",
        1,
    ),
    ("async function h() { f(`${await x}`); }", "SyntaxError: await in arguments not supported", 1),
    # await outside an async function
    ("await x;", "SyntaxError: await is only valid in async functions", 1),
    (
        "function f() {\n  return await x;\n}",
        "SyntaxError: await is only valid in async functions",
        2,
    ),
    (
        "async function h() { f(function () { await x; }); }",
        "SyntaxError: await is only valid in async functions",
        1,
    ),
    ("const g = () => await x;", "SyntaxError: await is only valid in async functions", 1),
    # for…of, for await
    (
        "var a = [];\nfor (var x of a) {}",
        'SyntaxError: Token "of" not supported in this version',
        2,
    ),
    ("for (const x of y) {}", 'SyntaxError: Token "of" not supported in this version', 1),
    (
        "async function h() { for await (const x of y) {} }",
        'SyntaxError: Token "await" not supported in this version',
        1,
    ),
    # catch without a binding
    ("try {\n  f();\n} catch {\n}", 'SyntaxError: Token "{" not supported in this version', 3),
    # destructuring declarations
    ("const [a, b] = c;", 'SyntaxError: Token "a" not supported in this version', 1),
    ("const {clientIp} = c;", 'SyntaxError: Token "clientIp" not supported in this version', 1),
    ("let [, b] = c;", 'SyntaxError: Token "," not supported in this version', 1),
    ("var [...r] = c;", 'SyntaxError: Token "..." not supported in this version', 1),
    ("const {...r} = c;", 'SyntaxError: Token "..." not supported in this version', 1),
    ("const {\n  a,\n} = c;", 'SyntaxError: Token "a" not supported in this version', 2),
    ("const [a, ...r] = c;", 'SyntaxError: Token "a" not supported in this version', 1),
    ("for (var [k, v] in o) {}", 'SyntaxError: Token "[" not supported in this version', 1),
    # destructuring parameters
    ("function f({a}) {}", 'SyntaxError: Token "{" not supported in this version', 1),
    ("function f([a]) {}", 'SyntaxError: Token "[" not supported in this version', 1),
    ("function f([a] = []) {}", 'SyntaxError: Token "[" not supported in this version', 1),
    ("function f(...[a]) {}", 'SyntaxError: Token "[" not supported in this version', 1),
    ("var o = {m({a}) {}};", 'SyntaxError: Token "{" not supported in this version', 1),
    ("var g = ({a}) => a;", 'SyntaxError: Unexpected token "=>"', 1),
    ("var g = (x, [a]) => a;", 'SyntaxError: Unexpected token "=>"', 1),
    ("try {} catch ({message}) {}", 'SyntaxError: Token "{" not supported in this version', 1),
    ("try {} catch ([e]) {}", 'SyntaxError: Token "[" not supported in this version', 1),
    # destructuring assignment
    ("var a, b;\n[a, b] = [b, a];", "ReferenceError: Invalid left-hand side in assignment", 2),
    ("var a;\n({a} = o);", "ReferenceError: Invalid left-hand side in assignment", 2),
    ("[a, ...r] = c;", 'SyntaxError: Unexpected token "..."', 1),
    ("({a, ...r} = c);", 'SyntaxError: Token "..." not supported in this version', 1),
    # spread in calls, new and arrays; object spread
    ("f(...a);", 'SyntaxError: Unexpected token "..."', 1),
    ("new F(...a);", 'SyntaxError: Unexpected token "..."', 1),
    ("var x = [1, ...a];", 'SyntaxError: Unexpected token "..."', 1),
    ("var x = {...o};", 'SyntaxError: Token "..." not supported in this version', 1),
    # default parameters
    ("function f(a = 1) {}", 'SyntaxError: Unexpected token "="', 1),
    ("var g = (a = 1) => a;", 'SyntaxError: Unexpected token "=>"', 1),
    ("var o = {m(a = 1) {}};", 'SyntaxError: Unexpected token "="', 1),
    # class
    ("class A {}", 'SyntaxError: Token "class" not supported in this version', 1),
    ("var A = class { x = 1; };", 'SyntaxError: Token "class" not supported in this version', 1),
    # generators
    ("function* g() {}", 'SyntaxError: Unexpected token "*"', 1),
    ("var g = function* () {};", 'SyntaxError: Token "*" not supported in this version', 1),
    ("var o = {*g() {}};", 'SyntaxError: Unexpected token "*"', 1),
    # optional chaining: the token after `?.` and its name
    ("a?.b;", 'SyntaxError: Unexpected token ";"', 1),
    ("a?.b.c;", 'SyntaxError: Unexpected token "."', 1),
    ("a?.[0];", 'SyntaxError: Unexpected token "["', 1),
    ("a?.f();", 'SyntaxError: Unexpected token "("', 1),
    ("var x = 1;\nx = a?.b", "SyntaxError: Unexpected end of input", 2),
    # logical assignment
    ("a ||= 1;", 'SyntaxError: Unexpected token "="', 1),
    ("a &&= 1;", 'SyntaxError: Unexpected token "="', 1),
    ("a ??= 1;", 'SyntaxError: Unexpected token "="', 1),
    # BigInt literals
    ("var n = 10n;", 'SyntaxError: Unexpected token "n"', 1),
    # regex flags s, u, d, v
    ("var r = /a/s;", 'SyntaxError: Invalid RegExp flags "s"', 1),
    ("var r = /a/gu;", 'SyntaxError: Invalid RegExp flags "gu"', 1),
    ("var r = /a/d;", 'SyntaxError: Invalid RegExp flags "d"', 1),
    ("var r = /a/giv;", 'SyntaxError: Invalid RegExp flags "giv"', 1),
    # legacy octal, with, new.target, import(), import.meta
    ("var x = 010;", 'SyntaxError: Unexpected token "01"', 1),
    ("with (a) {}", 'SyntaxError: Token "(" not supported in this version', 1),
    ("function F() { return new.target; }", 'SyntaxError: Unexpected token "."', 1),
    ("import('crypto');", 'SyntaxError: Token "import" not supported in this version', 1),
    ("var u = import.meta;", 'SyntaxError: Token "import" not supported in this version', 1),
    # imports and exports
    ("import { kvs } from 'cloudfront';", "SyntaxError: Non-default import is not supported", 1),
    ("import * as cf from 'cloudfront';", "SyntaxError: Non-default import is not supported", 1),
    ("import 'cloudfront';", "SyntaxError: Non-default import is not supported", 1),
    ("import cf, { kvs } from 'cloudfront';", 'SyntaxError: Unexpected token ","', 1),
    (
        "function f() {\n  import cf from 'cloudfront';\n}",
        "SyntaxError: Illegal import statement",
        2,
    ),
    ("export default function f() {}", "SyntaxError: Illegal export statement", 1),
    ("export const x = 1;", "SyntaxError: Illegal export statement", 1),
    ("import fs from 'fs';", 'SyntaxError: Cannot find module "fs"', 1),
    ("import cf from './cloudfront';", 'SyntaxError: Cannot find module "./cloudfront"', 1),
    # code the parser itself cannot parse (decision 3)
    ("var x = 1;\nif x {}", 'SyntaxError: Unexpected token "x"', 2),
    ("f(a b);", 'SyntaxError: Unexpected token "b"', 1),
    ("var x = 1;\n}", 'SyntaxError: Unexpected token "}"', 2),
    ("function f() {\n", "SyntaxError: Unexpected end of input", 2),
    ("var x = <div/>;", 'SyntaxError: Unexpected token "<"', 1),
    ("var x = 1;\nvar y = <a><b/></a>;", 'SyntaxError: Unexpected token "<"', 2),
    (")))", 'SyntaxError: Unexpected token ")"', 1),
    ("var 1 = 2;", 'SyntaxError: Unexpected token "1"', 1),
    ("f(a,,b);", 'SyntaxError: Unexpected token ","', 1),
    ("f(,a);", 'SyntaxError: Unexpected token ","', 1),
    ("var x;\nx = ;", 'SyntaxError: Unexpected token ";"', 2),
    ("var x = 1 +;", 'SyntaxError: Unexpected token ";"', 1),
    ("function () {}", 'SyntaxError: Unexpected token "("', 1),
    ("async function () {}", 'SyntaxError: Unexpected token "("', 1),
    ("a b", 'SyntaxError: Unexpected token "b"', 1),
    # comments between the tokens do not count
    ("a?. /* c */ b /* d */;", 'SyntaxError: Unexpected token ";"', 1),
    ("try {} catch /* c */ {}", 'SyntaxError: Token "{" not supported in this version', 1),
]

# One case per "yes" row, and the accepted neighbours of the refused ones.
ACCEPTED = [
    "let a = 1; const b = 2; var c = (x) => x * 2; function f(...r) { return r; }",
    "var g = (...r) => r; var t = `a\n${b + `c${d}`}`;",
    "var x = 2 ** 3; x **= 2; var m = 1_000_000;",
    "outer: for (var i = 0; i < 3; i++) { for (var k in o) { continue outer; } }",
    "do { x++; } while (x < 3); switch (x) { case 1: break; default: }",
    "var s = '\\u0041';",
    "async function h() { await p; return await q; }",
    "async function h() { var v = await kvs.get(k); return JSON.parse(v); }",
    "async function h() { x = await a; y = (await b) + 1; if (await c) {} z = o[await k]; }",
    "async function h() { var a = [await x]; var o = {k: await y}; var t = `${await z}`; }",
    "async function h() { f(async function () { await x; }); f(async () => await y); }",
    "async function h() { tag`${await x}`; }",
    "var f = async () => 1; var g = async function () {}; var o = {async m() { await x; }};",
    "var x = a ?? b;",
    "var r = /a/gimy; var s = /(?<y>a)(?<=b)(?<!c)/; var u = r.sticky + r.flags;",
    "var o = {get a() { return 1; }, set a(v) {}, [k]: 2, m() {}, n: 3,};",
    "var t = tag`x`; var n = 0o17 + 0b101 + 0x1f + 0.5 + 0; var e = '\\u{1F600}';",
    "import cf from 'cloudfront';",
    'import cf from "cloudfront";',
    "var x = 1;\nimport cf from 'cloudfront';",
    "import crypto from 'crypto'; import qs from 'querystring'; import b from 'buffer';",
    "var c = require('crypto'); var other = require('cloudfront');",
    "try { f(); } catch (e) { g(e); } finally { h(); }",
    "var f = function () {}; (function () {})(); function g() {}",
    "function f(a, b,) {} f(1, 2,);",
    "// a comment\n/* another */ var x = 1;",
    "",
]


@pytest.mark.parametrize(("code", "message", "line"), REFUSED, ids=[c for c, _, _ in REFUSED])
def test_a_refused_construct_is_reported_with_njs_text_and_line(code, message, line) -> None:
    [problem] = check(code)
    assert problem.message == f"{message} in {line}"
    assert problem.line == line


@pytest.mark.parametrize("code", ACCEPTED)
def test_an_accepted_construct_is_no_problem(code) -> None:
    assert check(code) == []


def test_the_column_points_at_the_offending_token_in_characters() -> None:
    code = 'var s = "é€";\nasync function h() {\n  log("ü" + await p);\n}'
    assert check(code) == [
        CodeProblem(3, 13, "SyntaxError: await in arguments not supported in 3"),
    ]
    assert check("var n = 10n;") == [CodeProblem(1, 11, 'SyntaxError: Unexpected token "n" in 1')]
    assert check("a ||= 1;")[0].column == 5


def test_only_the_first_problem_in_source_order_is_reported() -> None:
    code = "var a = 1;\nfor (var x of y) {}\nclass A {}\nf(...a);\n"
    assert check(code) == [
        CodeProblem(2, 12, 'SyntaxError: Token "of" not supported in this version in 2')
    ]
    # The outer construct starts first, but its offending token comes after the inner one's.
    assert check("var g = (a = b?.c) => a;")[0].message == 'SyntaxError: Unexpected token ")" in 1'
    # A parse error after a refused construct is not reported, one before it is.
    assert check("class A {}\nif x {}")[0].line == 1
    assert check("if x {}\nclass A {}")[0].message == 'SyntaxError: Unexpected token "x" in 1'


def test_lines_count_in_the_code_as_written_imports_included() -> None:
    code = (
        "import cf from 'cloudfront';\n"
        "\n"
        "const kvs = cf.kvs();\n"
        "/* a comment\n"
        "   over two lines */\n"
        "var t = `a\n"
        "b`;\n"
        "async function connectionHandler(connection) {\n"
        "  const v = JSON.parse(await kvs.get('k'));\n"
        "}\n"
    )
    assert check(code) == [CodeProblem(9, 24, "SyntaxError: await in arguments not supported in 9")]
    assert check(code.replace("\n", "\r\n"))[0].line == 9


def test_deeply_nested_code_does_not_exhaust_the_stack() -> None:
    code = "var x = " + "[" * 3000 + "]" * 3000 + ";\nclass A {}"
    assert check(code)[0].line == 2


def test_results_are_cached_per_code() -> None:
    syntax.cache_clear()
    code = "async function h() { f(await x); }\n// cached"
    first = check(code)
    again = check(code)
    assert first == again
    assert first is not again  # each caller gets its own list
    info = syntax.cache_info()
    assert (info.hits, info.misses) == (1, 1)
    check(code + " ")
    assert syntax.cache_info().misses == 2


def test_check_code_is_public_and_takes_text_or_utf8_bytes() -> None:
    assert cfmock.check_code is check_code
    assert cfmock.CodeProblem is CodeProblem
    code = "async function h() {\n  f(await x);\n}"
    expected = [CodeProblem(2, 5, "SyntaxError: await in arguments not supported in 2")]
    assert check_code(code) == expected
    assert check_code(code.encode()) == expected
    assert check_code(code, profile="faithful") == expected
    assert check_code(b"function connectionHandler(c) { c.allow(); }") == []


def test_check_code_refuses_an_unknown_profile_and_bytes_that_are_not_utf8() -> None:
    with pytest.raises(CfmockError, match="unknown profile 'strict'"):
        check_code("var x;", profile="strict")
    assert check_code("class A {}", profile="permissive") == []
    with pytest.raises(CfmockError, match="not valid UTF-8"):
        check_code(b"var x = '\xff';")


def test_a_lone_surrogate_is_checked_as_a_character() -> None:
    assert check("var s = '\ud800'; class A {}") == [
        CodeProblem(1, 14, 'SyntaxError: Token "class" not supported in this version in 1')
    ]


def test_importing_cfmock_does_not_import_tree_sitter() -> None:
    script = "import sys, cfmock; cfmock.check_code; print('tree_sitter' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def _tutorial_functions() -> list[tuple[str, str]]:
    """Every string of JavaScript in the tutorial's Python blocks that defines a handler."""
    page = (ROOT / "docs" / "tutorial.md").read_text()
    found = []
    for block in re.findall(r"^```python\n(.*?)^```", page, re.DOTALL | re.MULTILINE):
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
                text = node.value.decode() if isinstance(node.value, bytes) else node.value
                if "connectionHandler" in text:
                    found.append(text)
    return [(f"tutorial function {number}", text) for number, text in enumerate(found, 1)]


def test_the_tutorial_has_functions_to_check() -> None:
    assert _tutorial_functions()


@pytest.mark.parametrize(("name", "code"), _tutorial_functions(), ids=lambda value: value[:20])
def test_every_tutorial_function_passes_the_check(name, code) -> None:
    assert check(code) == [], name


def test_a_nul_character_is_reported_where_it_stands_as_the_runtime_reports_it() -> None:
    code = 'var a = 1;\nvar b = "x\0y";\nfor (x of y) {}\n'
    assert check(code) == [
        CodeProblem(
            2,
            11,
            "SyntaxError: the function code contains a NUL character, which cfmock cannot run in 2",
        )
    ]
    from cfmock._runtime import engine

    assert engine.NUL_MESSAGE == syntax.NUL_MESSAGE
