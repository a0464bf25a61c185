"""Hostile JavaScript and hostile events get an honest result: the decision the code made, or
an error in the result; never a silently flipped decision, never an exception out of cfmock."""

from __future__ import annotations

import contextlib
import datetime
import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from cfmock import mock_connection_functions
from cfmock._cloudfront.validation import parse_event
from cfmock._runtime import engine, events
from cfmock._runtime.engine import (
    MAX_CUSTOM_DATA_BYTES,
    MAX_LOG_BYTES,
    OUT_OF_MEMORY_MESSAGE,
    TIMEOUT_MESSAGE,
    RunResult,
    run,
)
from cfmock.exceptions import ServiceError

NOW = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)
UNDESCRIBABLE = "Error: the thrown value cannot be converted to a string"


@pytest.fixture
def patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long time limit, for heavy runs that must finish even on a crowded machine."""
    monkeypatch.setattr(engine, "TIME_LIMIT", 30.0)


PERMISSIVE = engine.RunSettings(profile="permissive")
UNLIMITED = engine.RunSettings(memory_limit=None)
"""Only the engine's 64 MiB bound: for runs that must allocate far more than CloudFront's 2 MB."""


def execute(
    code: str, event: dict[str, Any] | None = None, settings: engine.RunSettings | None = None
) -> RunResult:
    event = {"clientIp": "192.0.2.1"} if event is None else event
    return run(code.encode(), event, None, NOW, settings)


def handler(body: str) -> str:
    return f"function connectionHandler(c) {{ {body} }}"


def utf8_size(logs: tuple[str, ...]) -> int:
    return sum(len(entry.encode()) for entry in logs)


# -- thrown values that fight back ------------------------------------------------------------


OBJECT = "Error: [object Object]"
PROXY = "new Proxy({}, {get() { throw 5; }})"
NO_PROXY = 'ReferenceError: "Proxy" is not defined'


@pytest.mark.parametrize(
    ("thrown", "in_handler", "at_top_level"),
    [
        ("{get message() { throw 1; }, get name() { throw 2; }}", OBJECT, OBJECT),
        ("{message: 'm', get name() { throw 2; }}", OBJECT, OBJECT),
        ("{message: 'm', name: {toString() { throw 3; }}}", OBJECT, OBJECT),
        ("{toString() { throw 1; }}", UNDESCRIBABLE, UNDESCRIBABLE),
        ("{get message() { throw 1; }, toString() { throw 2; }}", UNDESCRIBABLE, UNDESCRIBABLE),
        (PROXY, UNDESCRIBABLE, UNDESCRIBABLE),
        ("Symbol('s')", "Error: Symbol(s)", UNDESCRIBABLE),
        ("{message: 'late', name: 'Custom'}", "Custom: late", OBJECT),
        ("null", "Error: null", "Error: null"),
    ],
)
@pytest.mark.parametrize("where", ["handler", "rejection", "top level"])
@pytest.mark.parametrize("profile", ["faithful", "permissive"])
def test_a_thrown_value_that_throws_is_still_reported(
    thrown, in_handler, at_top_level, where, profile
) -> None:
    if where == "handler":
        code = handler(f"c.allow(); throw {thrown};")
    elif where == "rejection":
        code = f"async function connectionHandler(c) {{ c.allow(); await null; throw {thrown}; }}"
    else:
        # The engine itself writes a value thrown by the top-level code.
        code = f"throw {thrown};\nfunction connectionHandler(c) {{ c.allow(); }}"
    expected = at_top_level if where == "top level" else in_handler
    if thrown == PROXY and profile == "faithful":
        # CloudFront's runtime has no Proxy: building the value throws first.
        expected = NO_PROXY
    result = execute(code, settings=engine.RunSettings(profile=profile))
    assert (result.action, result.error) == ("deny", expected)


def test_a_getter_named_connection_handler_that_throws() -> None:
    result = execute(
        "Object.defineProperty(globalThis, 'connectionHandler',"
        " { get() { throw new TypeError('no handler'); } });"
    )
    assert (result.action, result.error) == ("deny", "TypeError: no handler")


@pytest.mark.parametrize(
    ("returned", "error"),
    [
        ("{ get then() { throw new Error('then getter'); } }", "Error: then getter"),
        (
            "{ then(resolve, reject) { reject(new RangeError('thenable')); } }",
            "RangeError: thenable",
        ),
        ("{ then() {} }", TIMEOUT_MESSAGE),
    ],
)
def test_hostile_thenables_deny_with_an_error(returned, error) -> None:
    result = execute(handler(f"c.allow(); return {returned};"))
    assert (result.action, result.error) == ("deny", error)


# -- replaced or deleted built-ins ------------------------------------------------------------

SABOTAGE = [
    "delete globalThis.String;",
    "globalThis.String = function () { return 'forged'; };",
    "delete globalThis.JSON;",
    'JSON.stringify = () => \'{"action":"deny"}\'; JSON.parse = () => ({});',
    "Object.defineProperty = null; Object.freeze = null; Object.keys = null;",
    "Array.prototype.push = null; Array.prototype.join = null; Array.prototype.map = null;",
    "Array.prototype[Symbol.iterator] = function () {"
    " let done = false; return { next() { const r = { value: 'forged', done: done };"
    " done = true; return r; } }; };",
    "Object.defineProperty(Array.prototype, '0', { set() { throw 1; } });",
    "String.prototype.charCodeAt = null; String.prototype.slice = null;"
    " String.prototype.toWellFormed = null; String.prototype.indexOf = null;",
    "Function.prototype.call = null; Function.prototype.apply = null;"
    " Function.prototype.bind = null;",
    "Promise.resolve = null; Promise.prototype.then = null; Promise.all = null;",
    "Object.prototype.toJSON = () => 'forged'; Object.prototype.then = 1;",
    "Error.prototype.toString = () => { throw 1; };",
]
"""Sabotage in the JavaScript CloudFront's runtime loads."""
MODERN_SABOTAGE = [
    "Array.prototype[Symbol.iterator] = function* () { yield 'forged'; };",
    "Reflect.construct = null; Promise.resolve = null; Promise.prototype.then = null;",
    "Reflect.apply = null; Reflect.ownKeys = null; Map.prototype.get = null;"
    " Set.prototype.has = null;",
]
"""Sabotage with generators and the built-ins only the permissive profile keeps."""
SABOTAGE_RUNS = [
    pytest.param(engine.RunSettings(profile=profile), sabotage, id=f"{profile}-{sabotage}")
    for profile, sabotages in [
        ("faithful", SABOTAGE),
        ("permissive", SABOTAGE + MODERN_SABOTAGE),
    ]
    for sabotage in sabotages
]


@pytest.mark.parametrize(("settings", "sabotage"), SABOTAGE_RUNS)
@pytest.mark.parametrize("decision", ["allow", "deny"])
def test_sabotage_after_deciding_keeps_the_decision(settings, sabotage, decision) -> None:
    result = execute(
        handler(
            f"console.log('before'); c.logCustomData('kept'); c.{decision}(); {sabotage}"
            " console.log('after'); c.logCustomData('last'); c.allow(); c.deny();"
        ),
        settings=settings,
    )
    assert (result.action, result.error) == (decision, "")
    assert result.logs == ("before", "after")
    assert result.custom_data == "last"


@pytest.mark.parametrize(("settings", "sabotage"), SABOTAGE_RUNS)
def test_sabotage_before_deciding_keeps_the_runtime_working(settings, sabotage) -> None:
    result = execute(
        sabotage + "\n" + handler("console.log('x'); c.logCustomData(42); c.allow();"),
        settings=settings,
    )
    assert (result.action, result.error) == ("allow", "")
    assert (result.logs, result.custom_data) == (("x",), "42")


@pytest.mark.parametrize(("settings", "sabotage"), SABOTAGE_RUNS)
def test_sabotage_then_a_throw_is_still_an_error(settings, sabotage) -> None:
    result = execute(
        handler(f"c.allow(); {sabotage} throw new TypeError('after sabotage');"),
        settings=settings,
    )
    assert (result.action, result.error) == ("deny", "TypeError: after sabotage")


def test_an_async_handler_with_a_hostile_promise_constructor() -> None:
    result = execute(
        "async function connectionHandler(c) {"
        " Object.defineProperty(Promise.prototype, 'constructor',"
        " { get() { throw new Error('constructor'); } }); c.allow(); }"
    )
    assert (result.action, result.error) == ("deny", "Error: constructor")


# -- output that is too big or not well formed ------------------------------------------------


def test_a_60_mib_log_is_cut_at_10_240_bytes(patient) -> None:
    result = execute(
        handler(
            "const big = 'x'.repeat(60 * 1024 * 1024); console.log(big); console.log('dropped');"
            " c.logCustomData(big); c.allow();"
        ),
        settings=UNLIMITED,
    )
    assert (result.action, result.error) == ("allow", "")
    assert result.logs == ("x" * MAX_LOG_BYTES,)
    assert result.custom_data == "x" * MAX_CUSTOM_DATA_BYTES


def test_many_logs_are_cut_in_total(patient) -> None:
    result = execute(handler("for (let i = 0; i < 1e5; i++) console.log('abcdefghi'); c.allow();"))
    assert result.action == "allow"
    assert result.logs == ("abcdefghi",) * 1137 + ("abcdefg",)
    assert utf8_size(result.logs) == MAX_LOG_BYTES


def test_the_cut_falls_on_a_character_boundary() -> None:
    result = execute(
        handler(
            "console.log('a'.repeat(10000)); console.log('é'.repeat(200));"
            " console.log('later'); c.allow();"
        )
    )
    assert result.logs == ("a" * 10000, "é" * 120)
    no_room = execute(
        handler("console.log('a'.repeat(10239)); console.log('é'); console.log(''); c.allow();")
    )
    assert no_room.logs == ("a" * 10239,)
    astral = execute(handler("console.log('a'.repeat(10237) + '😀'); c.allow();"))
    assert astral.logs == ("a" * 10237,)


def test_empty_entries_are_bounded_too(patient) -> None:
    result = execute(handler("for (let i = 0; i < 20000; i++) console.log(''); c.allow();"))
    assert (result.action, len(result.logs)) == ("allow", 10_240)


def test_unpaired_surrogates_leave_as_u_fffd() -> None:
    result = execute(
        handler(
            "console.log('a\\ud800b\\udc00c\\ud83d\\ude00'); c.logCustomData('\\udfff!');"
            " throw new Error('bad \\ud800');"
        )
    )
    assert result.logs == ("a\ufffdb\ufffdc\U0001f600",)
    assert result.custom_data == "\ufffd!"
    assert result.error == "Error: bad \ufffd"


def test_a_surrogate_pair_is_not_split_by_the_custom_data_cut() -> None:
    result = execute(handler("c.logCustomData('a'.repeat(797) + '😀'); c.allow();"))
    assert result.custom_data == "a" * 797


def test_control_characters_are_kept() -> None:
    result = execute(
        handler(
            "console.log('nul\\u0000 bell\\u0007 cr\\r vt\\u000b \\uffff');"
            " c.logCustomData('\\u0000'); throw new Error('x\\u0000y');"
        )
    )
    assert result.logs == ("nul\x00 bell\x07 cr\r vt\x0b \uffff",)
    assert result.custom_data == "\x00"
    assert result.error == "Error: x\x00y"


def test_a_huge_error_message_is_cut(patient) -> None:
    result = execute(handler("throw new Error('m'.repeat(1e6));"), settings=UNLIMITED)
    assert result.error == "Error: " + "m" * (10_240 - len("Error: "))


def test_a_completion_value_the_host_cannot_read_is_ignored() -> None:
    tails = ["'lone \\ud800'", "Symbol('x')", "[1, 2]"]
    for settings, tail in [(None, tail) for tail in tails] + [
        (PERMISSIVE, tail) for tail in [*tails, "10n"]
    ]:
        result = execute(handler("c.allow();") + "\n" + tail, settings=settings)
        assert (result.action, result.error) == ("allow", ""), (settings, tail)


def test_a_nul_in_the_code_is_reported() -> None:
    result = execute(handler("c.allow();") + "\0")
    assert result.action == "deny"
    assert result.error.startswith("SyntaxError: ")


# -- floods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "for (;;) Promise.resolve().then(() => {});",
        "const flood = () => { for (let i = 0; i < 100; i++) Promise.resolve().then(flood); };"
        " flood();",
        "const chain = () => Promise.resolve().then(chain); chain();",
        "for (;;) console.log('flood');",
    ],
)
def test_floods_end_in_an_error(body) -> None:
    result = execute(handler(f"c.allow(); {body}"))
    assert result.action == "deny"
    assert result.error in (TIMEOUT_MESSAGE, OUT_OF_MEMORY_MESSAGE)


def test_an_out_of_memory_run_keeps_its_logs(patient) -> None:
    result = execute(
        handler(
            "console.log('start'); const a = []; for (;;) a.push('x'.repeat(65536) + a.length);"
        )
    )
    assert (result.action, result.error, result.logs) == ("deny", OUT_OF_MEMORY_MESSAGE, ("start",))


# -- events -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('{"a": NaN}', "NaN is not a JSON value"),
        ('{"a": Infinity}', "Infinity is not a JSON value"),
        ('{"a": [-Infinity]}', "-Infinity is not a JSON value"),
        ('{"a": 1e999}', "the number 1e999 is too large for a JavaScript number"),
        ('{"a": -1e999}', "the number -1e999 is too large for a JavaScript number"),
        ('{"a": ' + "9" * 400 + "}", "is too large for a JavaScript number"),
        ("[" * 1000 + "]" * 1000, "it nests 1000 levels deep; the maximum is 100"),
        ('{"a":' * 101 + "1" + "}" * 101, "it nests 101 levels deep; the maximum is 100"),
    ],
)
def test_events_javascript_would_not_read_are_invalid(document, message) -> None:
    with pytest.raises(ServiceError) as raised:
        parse_event(document.encode())
    assert raised.value.code == "InvalidArgument"
    assert raised.value.message.startswith("The connection object is not valid for the runtime: ")
    assert message in raised.value.message


def test_deep_but_allowed_events_and_brackets_in_strings() -> None:
    deep = '{"a":' * 99 + '"[[[[{{{{"' + "}" * 99
    event: Any = parse_event(deep.encode())
    for _ in range(99):
        event = event["a"]
    assert event == "[[[[{{{{"
    assert events.nesting(json.dumps({"s": "[" * 5000})) == 1


def test_numbers_keep_their_javascript_values() -> None:
    assert parse_event(b'{"a": [1.5, -0, 12345678901234567890, 1e308, 1e-999]}') == {
        "a": [1.5, -0.0, 12345678901234567890, 1e308, 0.0]
    }


def test_an_integer_longer_than_any_double_is_refused_before_it_is_converted() -> None:
    with pytest.raises(events.NotForJavaScript, match=r"the number 9999.*\(401 characters\)"):
        events.loads("[" + "9" * 401 + "]")
    with pytest.raises(events.NotForJavaScript, match=r"\(402 characters\)"):
        events.loads("[-" + "1" * 401 + "]")


def test_values_beside_an_unpaired_surrogate_are_kept() -> None:
    document = '{"s": "\\ud800", "n": [1, -0, 2.5, true, false, null], "o": {"k": 7}}'
    assert events.loads(document) == {
        "s": "\ufffd",
        "n": [1, -0.0, 2.5, True, False, None],
        "o": {"k": 7},
    }


def test_unpaired_surrogates_in_an_event_become_u_fffd() -> None:
    event = parse_event(b'{"k\\ud800": "x\\udc00y\\ud83d\\ude00", "n": ["\\ud800"]}')
    assert event == {"k\ufffd": "x\ufffdy\U0001f600", "n": ["\ufffd"]}


# -- the same through boto3 -------------------------------------------------------------------


@contextlib.contextmanager
def boto3_tester(**options: Any) -> Iterator[tuple[Any, Callable[..., Any]]]:
    with mock_connection_functions(**options) as cf:
        client = boto3.client("cloudfront", region_name="us-east-1")
        names = itertools.count()

        def test(code: str, connection_object: bytes = b'{"clientIp": "192.0.2.1"}') -> Any:
            function = cf.add_function(f"hostile-{next(names)}", code)
            response = client.test_connection_function(
                Id=function.id, IfMatch=function.etag, ConnectionObject=connection_object
            )
            return response["ConnectionFunctionTestResult"]

        yield client, test


@pytest.fixture
def tester():
    with boto3_tester() as found:
        yield found


def test_boto3_an_endless_loop_is_a_timeout(tester) -> None:
    _, test = tester
    result = test(handler("console.log('looping'); c.allow(); while (true) {}"))
    assert result["ConnectionFunctionErrorMessage"] == TIMEOUT_MESSAGE
    assert result["ComputeUtilization"] == "100"
    assert result["ConnectionFunctionExecutionLogs"] == ["looping"]
    assert json.loads(result["ConnectionFunctionOutput"]) == {"connection": {"action": "deny"}}


def test_boto3_hostile_throws_and_sabotage(tester) -> None:
    _, test = tester
    thrown = test(
        handler("c.allow(); throw {get message() { throw 1; }, get name() { throw 2; }};")
    )
    assert thrown["ConnectionFunctionErrorMessage"] == "Error: [object Object]"
    assert json.loads(thrown["ConnectionFunctionOutput"]) == {"connection": {"action": "deny"}}
    sabotaged = test(
        handler("c.allow(); delete globalThis.String; JSON.stringify = null; console.log('ok');")
    )
    assert sabotaged["ConnectionFunctionErrorMessage"] == ""
    assert sabotaged["ConnectionFunctionExecutionLogs"] == ["ok"]
    assert json.loads(sabotaged["ConnectionFunctionOutput"]) == {"connection": {"action": "allow"}}


def test_boto3_a_huge_log_is_cut(patient) -> None:
    # 15 Mi characters: far past CloudFront's 2 MB, so only the engine's own bound applies.
    with boto3_tester(memory_limit=None) as (_, test):
        result = test(handler("console.log('é'.repeat(15 * 1024 * 1024)); c.allow();"))
    assert result["ConnectionFunctionExecutionLogs"] == ["é" * (MAX_LOG_BYTES // 2)]
    assert json.loads(result["ConnectionFunctionOutput"]) == {"connection": {"action": "allow"}}


@pytest.mark.parametrize(
    "connection_object",
    [b'{"a": NaN}', b'{"a": Infinity}', b'{"a": -Infinity}', b'{"a": 1e999}', b"[" * 1000],
)
def test_boto3_unreadable_events_are_invalid_argument(tester, connection_object) -> None:
    client, test = tester
    with pytest.raises(client.exceptions.InvalidArgument) as raised:
        test(handler("c.allow();"), connection_object)
    assert raised.value.response["Error"]["Message"].startswith(
        "The connection object is not valid for the runtime: "
    )


def test_boto3_lone_surrogates_reach_the_function_as_u_fffd(tester) -> None:
    _, test = tester
    result = test(
        handler("console.log(String(c.name.charCodeAt(0)) + ' ' + c.name.length); c.allow();"),
        b'{"name": "\\ud800"}',
    )
    assert result["ConnectionFunctionExecutionLogs"] == ["65533 1"]


def test_boto3_a_deep_event_within_the_limit_runs(tester) -> None:
    _, test = tester
    document = b'{"a":' * 99 + b"7" + b"}" * 99
    result = test(
        handler(
            "let v = c; let n = 0; while (v.a !== undefined) { v = v.a; n++; }"
            " console.log(n + ':' + v); c.allow();"
        ),
        document,
    )
    assert result["ConnectionFunctionExecutionLogs"] == ["99:7"]
