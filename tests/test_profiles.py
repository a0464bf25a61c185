"""Runtime profiles and the run options, through boto3 as a user meets them."""

from __future__ import annotations

import datetime
from typing import Any

import boto3
import pytest

from cfmock import FunctionRun, MockOptions, check_code, mock_connection_functions
from cfmock._cloudfront import backend as backend_module
from cfmock.exceptions import CfmockError

EVENT = b'{"clientIp":"203.0.113.10"}'

KVS_IDIOM = """import cf from 'cloudfront';
async function connectionHandler(connection) {
  const kvs = cf.kvs();
  const policy = JSON.parse(await kvs.get('policy'));
  if (policy.open) connection.allow(); else connection.deny();
}
"""

MODERN = """function connectionHandler(connection) {
  const { allow } = connection;
  console.log(typeof Map + ' ' + typeof [].flat + ' ' + typeof Object.fromEntries);
  connection.allow();
}
"""


def _test(cf: Any, name: str, code: str, **seed: Any) -> dict[str, Any]:
    function = cf.add_function(name, code, **seed)
    client = boto3.client("cloudfront", region_name="us-east-1")
    answer = client.test_connection_function(
        Id=function.id, IfMatch=function.etag, ConnectionObject=EVENT
    )
    result: dict[str, Any] = answer["ConnectionFunctionTestResult"]
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    return result


def _with_store(cf: Any, **keys: str) -> str:
    store = cf.add_key_value_store("settings")
    cf.put_keys("settings", keys)
    arn: str = store.arn
    return arn


def test_faithful_is_the_default_and_refuses_await_in_arguments_without_running() -> None:
    with mock_connection_functions() as cf:
        arn = _with_store(cf, policy='{"open": true}')
        result = _test(cf, "gate", KVS_IDIOM, key_value_store_arn=arn)
        assert result["ConnectionFunctionErrorMessage"] == (
            "SyntaxError: await in arguments not supported in 4"
        )
        assert result["ConnectionFunctionExecutionLogs"] == []
        assert result["ComputeUtilization"] == "0"
        assert result["ConnectionFunctionOutput"] == '{"connection":{"action":"deny"}}'
        assert cf.options.runtime_profile == "faithful"
        assert [(run.function_name, run.profile) for run in cf.runs] == [("gate", "faithful")]


def test_permissive_runs_the_same_code() -> None:
    with mock_connection_functions(runtime_profile="permissive") as cf:
        arn = _with_store(cf, policy='{"open": true}')
        result = _test(cf, "gate", KVS_IDIOM, key_value_store_arn=arn)
        assert result["ConnectionFunctionErrorMessage"] == ""
        assert result["ConnectionFunctionOutput"] == '{"connection":{"action":"allow"}}'
        assert [run.profile for run in cf.runs] == ["permissive"]


def test_faithful_removes_the_built_ins_the_runtime_lacks() -> None:
    code = MODERN.replace("  const { allow } = connection;\n", "")
    with mock_connection_functions() as cf:
        result = _test(cf, "gate", code)
        assert result["ConnectionFunctionExecutionLogs"] == ["undefined undefined undefined"]
        missing = _test(cf, "maps", "function connectionHandler(c) { new Map(); }")
        assert missing["ConnectionFunctionErrorMessage"] == 'ReferenceError: "Map" is not defined'
    with mock_connection_functions(runtime_profile="permissive") as cf:
        result = _test(cf, "gate", MODERN)
        assert result["ConnectionFunctionExecutionLogs"] == ["function function function"]


def test_function_profiles_override_the_mock_s_profile_by_name() -> None:
    with mock_connection_functions(function_profiles={"modern": "permissive"}) as cf:
        assert _test(cf, "modern", MODERN)["ConnectionFunctionExecutionLogs"] == [
            "function function function"
        ]
        refused = _test(cf, "classic", MODERN)
        assert refused["ConnectionFunctionErrorMessage"] == (
            'SyntaxError: Token "allow" not supported in this version in 2'
        )
        assert [(run.function_name, run.profile) for run in cf.runs] == [
            ("modern", "permissive"),
            ("classic", "faithful"),
        ]
    with mock_connection_functions(
        runtime_profile="permissive", function_profiles={"classic": "faithful"}
    ) as cf:
        assert _test(cf, "classic", MODERN)["ConnectionFunctionErrorMessage"].startswith(
            "SyntaxError: "
        )


def test_a_run_record_carries_what_the_answer_carries() -> None:
    code = """function connectionHandler(connection) {
  console.log('hello');
  connection.logCustomData('tenant-7');
  connection.allow();
}"""
    with mock_connection_functions() as cf:
        function = cf.add_function("gate", code)
        client = boto3.client("cloudfront", region_name="us-east-1")
        client.publish_connection_function(Id=function.id, IfMatch=function.etag)
        live = cf.get_function("gate").live
        assert live is not None
        client.test_connection_function(
            Id=function.id,
            IfMatch=live.etag,
            Stage="LIVE",
            ConnectionObject=EVENT,
        )
        (run,) = cf.runs
        assert isinstance(run, FunctionRun)
        assert (run.function_name, run.function_id, run.stage, run.account_id) == (
            "gate",
            function.id,
            "LIVE",
            "123456789012",
        )
        assert (run.action, run.error, run.logs, run.custom_data) == (
            "allow",
            "",
            ("hello",),
            "tenant-7",
        )
        assert 0 <= run.compute_utilization <= 100


# -- memory -------------------------------------------------------------------------------------

BIG_STRING = """function connectionHandler(connection) {
  const text = 'x'.repeat(3 * 1024 * 1024);
  console.log(text.length);
  connection.allow();
}"""


def test_a_run_allocating_more_than_2_mib_runs_out_of_memory() -> None:
    with mock_connection_functions() as cf:
        result = _test(cf, "big", BIG_STRING)
        assert result["ConnectionFunctionErrorMessage"] == "InternalError: out of memory"
        assert result["ConnectionFunctionOutput"] == '{"connection":{"action":"deny"}}'


@pytest.mark.parametrize("limit", [None, 8 * 1024 * 1024])
def test_memory_limit_can_be_raised_or_turned_off(limit: int | None) -> None:
    with mock_connection_functions(memory_limit=limit) as cf:
        result = _test(cf, "big", BIG_STRING)
        assert result["ConnectionFunctionExecutionLogs"] == [str(3 * 1024 * 1024)]


def test_the_runtime_s_own_modules_and_the_input_do_not_count_against_the_limit() -> None:
    # 64 KiB for the code itself: loading Buffer, crypto and querystring (far larger) still
    # works, and so does a KeyValueStore snapshot larger than the limit.
    code = """import cf from 'cloudfront';
import crypto from 'crypto';
import querystring from 'querystring';
async function connectionHandler(connection) {
  const value = await cf.kvs().get('k0');
  const digest = crypto.createHash('sha256').update(Buffer.from(value)).digest('hex');
  const encoded = new TextEncoder().encode('é');
  console.log(digest.length + ' ' + querystring.stringify({a: 1}) + ' ' + encoded.length);
  connection.allow();
}"""
    with mock_connection_functions(memory_limit=64 * 1024) as cf:
        arn = _with_store(cf, **{f"k{i}": "v" * 900 for i in range(200)})
        result = _test(cf, "lean", code, key_value_store_arn=arn)
        assert result["ConnectionFunctionErrorMessage"] == ""
        assert result["ConnectionFunctionExecutionLogs"] == ["64 a=1 2"]
        big = _test(cf, "big", BIG_STRING)
        assert big["ConnectionFunctionErrorMessage"] == "InternalError: out of memory"


# -- logs, compute, message prefix ------------------------------------------------------------

LOGS = """function connectionHandler(connection) {
  for (var i = 0; i < 30; i++) console.log('0123456789'.repeat(100));
  connection.allow();
}"""


def test_logs_are_cut_at_10_240_bytes_by_default_and_log_limit_changes_it() -> None:
    with mock_connection_functions() as cf:
        logs = _test(cf, "chatty", LOGS)["ConnectionFunctionExecutionLogs"]
        assert [len(entry) for entry in logs] == [1000] * 10 + [240]
    with mock_connection_functions(log_limit=2_500) as cf:
        logs = _test(cf, "chatty", LOGS)["ConnectionFunctionExecutionLogs"]
        assert [len(entry) for entry in logs] == [1000, 1000, 500]
    with mock_connection_functions(log_limit=None) as cf:
        logs = _test(cf, "chatty", LOGS)["ConnectionFunctionExecutionLogs"]
        assert [len(entry) for entry in logs] == [1000] * 30


def test_with_log_limit_none_one_entry_may_be_larger_than_64_kib() -> None:
    code = """function connectionHandler(c) { console.log('ab'.repeat(50000)); c.allow(); }"""
    with mock_connection_functions(log_limit=None) as cf:
        (entry,) = _test(cf, "wide", code)["ConnectionFunctionExecutionLogs"]
        assert entry == "ab" * 50_000


BUSY = """function connectionHandler(connection) {
  var total = 0;
  for (var i = 0; i < 3000000; i++) total = (total + i * 7) % 1000003;
  console.log(total);
  connection.allow();
}"""


def test_a_run_over_budget_reports_100_and_strict_compute_stops_it() -> None:
    with mock_connection_functions() as cf:
        result = _test(cf, "busy", BUSY)
        assert result["ComputeUtilization"] == "100"
        assert result["ConnectionFunctionOutput"] == '{"connection":{"action":"allow"}}'
    with mock_connection_functions(strict_compute=True) as cf:
        result = _test(cf, "busy", BUSY)
        assert result["ComputeUtilization"] == "100"
        assert result["ConnectionFunctionErrorMessage"] == (
            "InternalError: The function exceeded the maximum allowed time"
        )
        assert result["ConnectionFunctionOutput"] == '{"connection":{"action":"deny"}}'
        quick = _test(cf, "quick", "function connectionHandler(c) { c.allow(); }")
        assert quick["ConnectionFunctionErrorMessage"] == ""


def test_error_message_prefix_puts_cloudfront_s_sentence_first() -> None:
    prefix = (
        "The CloudFront function associated with the CloudFront distribution is invalid or "
        "could not run. "
    )
    with mock_connection_functions(error_message_prefix=True) as cf:
        thrown = _test(cf, "thrower", "function connectionHandler(c) { throw new Error('no'); }")
        assert thrown["ConnectionFunctionErrorMessage"] == prefix + "Error: no"
        refused = _test(cf, "old", "function connectionHandler(c) { for (x of []) {} }")
        assert refused["ConnectionFunctionErrorMessage"] == (
            prefix + 'SyntaxError: Token "of" not supported in this version in 1'
        )
        fine = _test(cf, "fine", "function connectionHandler(c) { c.allow(); }")
        assert fine["ConnectionFunctionErrorMessage"] == ""


# -- cf.kvs(argument), Math.random ------------------------------------------------------------

KVS_ARGUMENT = """import cf from 'cloudfront';
async function connectionHandler(connection) {
  const store = cf.kvs(connection.clientIp === '203.0.113.10' ? '%s' : undefined);
  const value = await store.get('policy');
  console.log(value);
  connection.allow();
}"""


def test_the_kvs_argument_is_ignored_unless_checked() -> None:
    with mock_connection_functions() as cf:
        arn = _with_store(cf, policy="open")
        result = _test(cf, "any", KVS_ARGUMENT % "wrong-id", key_value_store_arn=arn)
        assert result["ConnectionFunctionExecutionLogs"] == ["open"]
    with mock_connection_functions(check_kvs_argument=True) as cf:
        arn = _with_store(cf, policy="open")
        store_id = cf.key_value_store("settings").id
        for accepted in (store_id, arn):
            result = _test(
                cf, f"ok{len(cf.runs)}", KVS_ARGUMENT % accepted, key_value_store_arn=arn
            )
            assert result["ConnectionFunctionExecutionLogs"] == ["open"]
        wrong = _test(cf, "wrong", KVS_ARGUMENT % "wrong-id", key_value_store_arn=arn)
        assert wrong["ConnectionFunctionErrorMessage"] == (
            'Error: KeyValueStore "wrong-id" is not associated with this function'
        )


RANDOM = """function connectionHandler(c) {
  console.log(String(Math.random()) + ' ' + String(Math.random()));
  c.allow();
}"""


def _random_logs(monkeypatch: pytest.MonkeyPatch, *, seed: bool, at: datetime.datetime) -> str:
    monkeypatch.setattr(backend_module, "utc_now", lambda: at)
    with mock_connection_functions(seed_random=seed) as cf:
        (line,) = _test(cf, "dice", RANDOM)["ConnectionFunctionExecutionLogs"]
    numbers = [float(number) for number in line.split()]
    assert all(0 <= number < 1 for number in numbers)
    assert numbers[0] != numbers[1]
    return str(line)


def test_seed_random_repeats_the_numbers_of_a_run_at_the_same_time(monkeypatch) -> None:
    noon = datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.timezone.utc)
    later = noon + datetime.timedelta(milliseconds=1)
    first = _random_logs(monkeypatch, seed=True, at=noon)
    assert _random_logs(monkeypatch, seed=True, at=noon) == first
    assert _random_logs(monkeypatch, seed=True, at=later) != first
    # Unseeded (the default), two runs at the same time draw different numbers.
    assert _random_logs(monkeypatch, seed=False, at=noon) != _random_logs(
        monkeypatch, seed=False, at=noon
    )


# -- the options themselves --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"runtime_profile": "modern"},
            "cfmock: runtime_profile must be one of 'faithful', 'permissive', got 'modern'",
        ),
        (
            {"function_profiles": ["gate"]},
            "cfmock: function_profiles must map function names to profiles, got ['gate']",
        ),
        (
            {"function_profiles": {"gate": "loose"}},
            "cfmock: function_profiles['gate'] must be one of 'faithful', 'permissive', "
            "got 'loose'",
        ),
        (
            {"function_profiles": {1: "faithful"}},
            "cfmock: function_profiles keys are function names, got 1",
        ),
        ({"memory_limit": 0}, "cfmock: memory_limit must be between 1 and 67108864, got 0"),
        ({"memory_limit": 2.5}, "cfmock: memory_limit must be an int, got 2.5"),
        ({"log_limit": -1}, "cfmock: log_limit must be between 0 and 1048576, got -1"),
        ({"strict_compute": 1}, "cfmock: strict_compute must be True or False, got 1"),
        (
            {"error_message_prefix": "yes"},
            "cfmock: error_message_prefix must be True or False, got 'yes'",
        ),
        (
            {"check_kvs_argument": None},
            "cfmock: check_kvs_argument must be True or False, got None",
        ),
        ({"seed_random": 0}, "cfmock: seed_random must be True or False, got 0"),
    ],
)
def test_bad_run_options_are_usage_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(CfmockError) as raised:
        mock_connection_functions(**options)
    assert str(raised.value) == message


def test_function_profiles_are_read_only_once_given() -> None:
    given = {"gate": "permissive"}
    options = MockOptions(function_profiles=given)
    given["gate"] = "faithful"
    assert options.profile_for("gate") == "permissive"
    assert options.profile_for("other") == "faithful"
    with pytest.raises(TypeError):
        options.function_profiles["gate"] = "faithful"  # type: ignore[index]


def test_check_code_under_permissive_reports_only_parse_errors() -> None:
    assert check_code(MODERN, profile="permissive") == []
    assert check_code(KVS_IDIOM, profile="permissive") == []
    (problem,) = check_code("function connectionHandler(c) {\n  var a = ;\n}", profile="permissive")
    assert (problem.line, problem.column, problem.message) == (
        2,
        11,
        'SyntaxError: Unexpected token ";" in 2',
    )


def test_the_typed_overload_names_every_option() -> None:
    # Type checkers read the keyword overload of mock_connection_functions: an option missing
    # there is an error in a user's typed test suite.
    import ast
    import dataclasses
    import inspect

    import cfmock._mock as mock_module

    tree = ast.parse(inspect.getsource(mock_module))
    overloads = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and node.name == "mock_connection_functions"
        and node.args.kwonlyargs
    ]
    (typed,) = overloads
    assert [argument.arg for argument in typed.args.kwonlyargs] == [
        field.name for field in dataclasses.fields(MockOptions)
    ]
