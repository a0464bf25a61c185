"""The JavaScript runtime on its own: surface, crypto against hashlib, limits and sandbox."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import threading

import pytest

from cfmock._runtime import engine
from cfmock._runtime.engine import TIMEOUT_MESSAGE, KeyValueSnapshot, RunResult, run, to_script

NOW = datetime.datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=datetime.timezone.utc)
EVENT = {
    "clientIp": "203.0.113.7",
    "clientCertificate": {
        "certificates": {"leaf": {"serialNumber": "00:9e:2a", "subject": "CN=a,O=ExampleCorp"}}
    },
}


PERMISSIVE = engine.RunSettings(profile="permissive")


def execute(
    code: str,
    event: dict[str, object] | None = None,
    kvs: KeyValueSnapshot | None = None,
    settings: engine.RunSettings | None = None,
) -> RunResult:
    return run(code.encode(), EVENT if event is None else event, kvs, NOW, settings)


def logs_of(body: str) -> tuple[str, ...]:
    result = execute(f"function connectionHandler(connection) {{ {body} }}")
    assert result.error == ""
    return result.logs


def test_allow_deny_and_custom_data() -> None:
    allowed = execute("function connectionHandler(c) { c.allow(); }")
    assert (allowed.action, allowed.error, allowed.output()) == (
        "allow",
        "",
        '{"connection":{"action":"allow"}}',
    )
    denied = execute("function connectionHandler(c) { c.logCustomData('why'); c.deny(); }")
    assert denied.output() == '{"connection":{"action":"deny","customData":"why"}}'


def test_neither_allow_nor_deny_is_deny() -> None:
    assert execute("function connectionHandler(c) {}").action == "deny"


def test_the_first_decision_wins() -> None:
    assert execute("function connectionHandler(c) { c.deny(); c.allow(); }").action == "deny"
    assert execute("function connectionHandler(c) { c.allow(); c.deny(); }").action == "allow"


def test_custom_data_is_cut_at_800_utf8_bytes_on_a_character_boundary() -> None:
    result = execute("function connectionHandler(c) { c.logCustomData('é'.repeat(401) + 'x'); }")
    assert result.custom_data == "é" * 400
    assert len((result.custom_data or "").encode()) == 800


def test_async_handlers_and_rejections() -> None:
    assert execute("async function connectionHandler(c) { await null; c.allow(); }").action == (
        "allow"
    )
    rejected = execute("async function connectionHandler(c) { throw new RangeError('late'); }")
    assert (rejected.action, rejected.error) == ("deny", "RangeError: late")


def test_errors_are_reported_as_name_and_message() -> None:
    assert execute("function connectionHandler(c) { null.x; }").error == (
        'TypeError: cannot get property "x" of null'
    )
    assert execute("function connectionHandler(c) { throw 'plain'; }").error == "Error: plain"
    assert execute("function connectionHandler( {").error.startswith("SyntaxError: ")
    assert execute("function handler(event) { return event; }").error == (
        'ReferenceError: "connectionHandler" is not defined'
    )


def test_const_arrow_handlers_are_found() -> None:
    assert execute("const connectionHandler = (c) => c.allow();").action == "allow"


def test_client_cert_info_aliases_the_leaf() -> None:
    assert logs_of("console.log(c.clientCertInfo.serialNumber);".replace("c.", "connection.")) == (
        "00:9e:2a",
    )
    no_cert = execute(
        "function connectionHandler(c) { console.log(typeof c.clientCertInfo); c.allow(); }",
        {"clientIp": "198.51.100.1"},
    )
    assert no_cert.logs == ("undefined",)


def test_console_log_logs_its_first_argument() -> None:
    assert logs_of("console.log('a', 'b'); console.log({k: [1]}); console.log(7);") == (
        "a",
        '{"k":[1]}',
        "7",
    )


def test_date_is_frozen_at_the_time_of_the_test() -> None:
    assert logs_of(
        "console.log(String(Date.now())); console.log(new Date().toISOString());"
        "console.log(new Date(0).toISOString());"
    ) == ("1772600767890", "2026-03-04T05:06:07.890Z", "1970-01-01T00:00:00.000Z")


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha256"])
@pytest.mark.parametrize("encoding", ["hex", "base64", "base64url"])
@pytest.mark.parametrize("message", ["", "abc", "ü" * 100, "x" * 1000])
def test_create_hash_matches_hashlib(algorithm, encoding, message) -> None:
    (logged,) = logs_of(
        f"console.log(require('crypto').createHash({algorithm!r})"
        f".update({json.dumps(message)}).digest({encoding!r}));"
    )
    digest = hashlib.new(algorithm, message.encode()).digest()
    assert logged == _encode(digest, encoding)


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha256"])
@pytest.mark.parametrize("key", ["k", "k" * 100])
def test_create_hmac_matches_hmac(algorithm, key) -> None:
    (logged,) = logs_of(
        f"const h = require('crypto').createHmac({algorithm!r}, {key!r});"
        "h.update('part one, '); h.update('part two');"
        "console.log(h.digest('hex'));"
    )
    assert logged == hmac.new(key.encode(), b"part one, part two", algorithm).hexdigest()


def test_digest_without_encoding_is_a_buffer() -> None:
    assert logs_of(
        "const d = require('crypto').createHash('sha256').update('abc').digest();"
        "console.log(String(Buffer.isBuffer(d)) + ' ' + d.length + ' ' + d.toString('hex'));"
    ) == ("true 32 " + hashlib.sha256(b"abc").hexdigest(),)


def _encode(digest: bytes, encoding: str) -> str:
    if encoding == "hex":
        return digest.hex()
    if encoding == "base64":
        return base64.b64encode(digest).decode()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def test_buffer_text_encoder_and_base64() -> None:
    assert logs_of(
        "console.log(Buffer.from('héllo').toString('base64'));"
        "console.log(Buffer.from('aGk', 'base64url').toString());"
        "console.log(Buffer.from('6869', 'hex').toString('utf8'));"
        "console.log(Buffer.concat([Buffer.from('a'), Buffer.from('b')]).toString());"
        "console.log(new TextDecoder().decode(new TextEncoder().encode('€')));"
        "console.log(btoa('hi') + atob('aGk='));"
    ) == ("aMOpbGxv", "hi", "hi", "ab", "€", "aGk=hi")


def test_querystring() -> None:
    assert logs_of(
        "const qs = require('querystring');"
        "console.log(qs.stringify({a: 'b c', d: [1, 2]}));"
        "console.log(JSON.stringify(qs.parse('a=1&a=2&b=x+y')));"
    ) == ("a=b%20c&d=1&d=2", '{"a":["1","2"],"b":"x y"}')


def test_only_the_cloudfront_module_can_be_imported() -> None:
    code = "import fs from 'fs';\nfunction connectionHandler(c) { c.allow(); }"
    # CloudFront's runtime refuses the unknown import as it loads the code, at its line.
    result = execute(code)
    assert (result.action, result.error, result.compute_utilization) == (
        "deny",
        'SyntaxError: Cannot find module "fs" in 1',
        0,
    )
    # Without the load-time check the import fails as the script starts.
    assert execute(code, settings=PERMISSIVE).error == 'Error: Cannot find module "fs"'
    assert execute("function connectionHandler(c) { require('child_process'); }").error == (
        'Error: Cannot find module "child_process"'
    )


def test_imports_keep_line_numbers() -> None:
    code = "import cf from 'cloudfront';\nimport * as q from \"x\";\nconst a = 1;"
    script = to_script(code)
    # The bindings are declared at the start of line 1; each import is blanked where it stood.
    assert script.splitlines() == [
        "'use strict';const cf = __cfmock_import(\"cloudfront\");"
        'const q = __cfmock_import("x");delete this.__cfmock_import;'
        + " "
        * len("import cf from 'cloudfront';"),
        " " * len('import * as q from "x";'),
        "const a = 1;",
    ]


KVS = KeyValueSnapshot(
    {"ABC": "revoked", "doc": '{"level": 3}'},
    datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
    datetime.datetime(2026, 2, 1, tzinfo=datetime.timezone.utc),
)


def test_kvs_get_in_every_format_exists_and_meta() -> None:
    result = execute(
        "import cf from 'cloudfront';\n"
        "async function connectionHandler(c) {\n"
        "  const kvs = cf.kvs();\n"
        "  const text = await kvs.get('ABC');\n"
        "  console.log(text);\n"
        "  const doc = await kvs.get('doc', {format: 'json'});\n"
        "  console.log(String(doc.level));\n"
        "  const bytes = await kvs.get('ABC', {format: 'bytes'});\n"
        "  console.log(bytes.toString('hex'));\n"
        "  const found = await kvs.exists('ABC');\n"
        "  const missing = await kvs.exists('nope');\n"
        "  console.log(String(found) + String(missing));\n"
        "  const meta = await kvs.meta();\n"
        "  console.log(meta);\n"
        "  try { await kvs.get('nope'); } catch (e) { console.log(e.message); }\n"
        "  c.allow();\n"
        "}",
        kvs=KVS,
    )
    assert result.error == ""
    assert result.logs == (
        "revoked",
        "3",
        b"revoked".hex(),
        "truefalse",
        '{"creationDateTime":"2026-01-01T00:00:00.000Z",'
        '"lastUpdatedDateTime":"2026-02-01T00:00:00.000Z","keyCount":2}',
        "Key nope not found",
    )


def test_kvs_without_an_associated_store_throws() -> None:
    result = execute("import cf from 'cloudfront';\nfunction connectionHandler(c) { cf.kvs(); }")
    assert result.error == "Error: No KeyValueStore is associated with this function"


# -- limits and the sandbox ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("while (true) {}", TIMEOUT_MESSAGE),
        ("for (;;) { await null; }", TIMEOUT_MESSAGE),
        ("await new Promise(() => {});", TIMEOUT_MESSAGE),
        (
            "const flood = () => { for (let i = 0; i < 100; i++) Promise.resolve().then(flood); };"
            " flood(); await new Promise(() => {});",
            (TIMEOUT_MESSAGE, "InternalError: out of memory"),
        ),
        (
            "const a = []; for (;;) a.push('x'.repeat(65536) + a.length);",
            "InternalError: out of memory",
        ),
        ("const f = (n) => f(n + 1) + 1; f(0);", "RangeError: Maximum call stack size exceeded"),
    ],
    ids=[
        "infinite-loop",
        "endless-awaits",
        "never-settles",
        "promise-flood",
        "memory-bomb",
        "deep-recursion",
    ],
)
def test_runaway_code_ends_within_the_limits(body, error, monkeypatch) -> None:
    if TIMEOUT_MESSAGE not in error:
        # It must end by its own limit, not by the clock, however crowded the machine.
        monkeypatch.setattr(engine, "TIME_LIMIT", 30.0)
    result = execute(f"async function connectionHandler(c) {{ {body} }}")
    assert result.error in (error if isinstance(error, tuple) else (error,))
    assert result.action == "deny"
    if result.error == TIMEOUT_MESSAGE:
        assert result.compute_utilization == 100


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("eval('1 + 1');", "EvalError: eval is not supported by the cloudfront-js-2.0 runtime"),
        (
            "new Function('return 1')();",
            "EvalError: The Function constructor is not supported by the cloudfront-js-2.0 runtime",
        ),
        (
            "(function () {}).constructor('return this')();",
            "EvalError: The Function constructor is not supported by the cloudfront-js-2.0 runtime",
        ),
        (
            "(async function () {}).constructor('return 1')();",
            "EvalError: The Function constructor is not supported by the cloudfront-js-2.0 runtime",
        ),
        ("setTimeout(() => {}, 1);", 'ReferenceError: "setTimeout" is not defined'),
        ("process.exit(1);", 'ReferenceError: "process" is not defined'),
        ("fetch('http://example.com');", 'ReferenceError: "fetch" is not defined'),
    ],
)
def test_what_cloudfront_refuses_is_refused(body, error) -> None:
    assert execute(f"function connectionHandler(c) {{ {body} }}").error == error


def test_host_objects_are_out_of_reach() -> None:
    assert logs_of(
        "console.log([typeof std, typeof os, typeof __cfmock_input, typeof require('crypto').x]"
        ".join(','));"
    ) == ("undefined,undefined,undefined,undefined",)


def test_prototype_pollution_cannot_forge_the_result() -> None:
    result = execute(
        "Object.prototype.toJSON = () => 'forged';"
        'JSON.stringify = () => \'{"action":"allow"}\';'
        "Array.prototype.push = null; String.prototype.toString = null;"
        "Object.defineProperty(Array.prototype, '0', { set() {} });"
        "function connectionHandler(c) { console.log('kept'); c.deny(); }"
    )
    assert (result.action, result.logs, result.error) == ("deny", ("kept",), "")


def test_nothing_leaks_between_runs() -> None:
    execute(
        "globalThis.leak = 1; Object.prototype.polluted = true; function connectionHandler(c) {}"
    )
    assert logs_of("console.log(typeof globalThis.leak + ' ' + typeof ({}).polluted);") == (
        "undefined undefined",
    )


def test_two_threads_run_concurrently_and_independently() -> None:
    results: dict[int, RunResult] = {}

    def work(index: int) -> None:
        results[index] = execute(
            f"function connectionHandler(c) {{ console.log('run {index}'); c.allow(); }}"
        )

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {i: r.logs for i, r in results.items()} == {i: (f"run {i}",) for i in range(4)}


def test_utilization_is_a_percentage_of_5_ms(monkeypatch) -> None:
    monkeypatch.setattr(engine, "TIME_LIMIT", 30.0)
    light = execute("function connectionHandler(c) { c.allow(); }")
    heavy = execute(
        "function connectionHandler(c) { const t = Date.now(); let x = 0;"
        " for (let i = 0; i < 3e6; i++) x += i; c.allow(); }"
    )
    assert 0 <= light.compute_utilization < heavy.compute_utilization <= 100


def test_long_and_many_logs_come_back_whole() -> None:
    logs = logs_of(
        "console.log('x'.repeat(5000)); for (let i = 0; i < 10; i++) console.log('y'.repeat(100));"
    )
    assert [len(line) for line in logs] == [5000] + [100] * 10


def test_one_time_budget_covers_top_level_code_and_the_handler() -> None:
    # CloudFront's Date is frozen and it has no performance clock: the permissive profile keeps
    # QuickJS-ng's, so each part can wait 700 ms of wall-clock time.
    result = execute(
        "const start = performance.now(); while (performance.now() - start < 700) {}\n"
        "function connectionHandler(c) {"
        " const again = performance.now(); while (performance.now() - again < 700) {} c.allow(); }",
        settings=PERMISSIVE,
    )
    assert (result.action, result.error) == ("deny", TIMEOUT_MESSAGE)


def test_a_large_but_successful_run_is_not_out_of_memory(monkeypatch) -> None:
    monkeypatch.setattr(engine, "TIME_LIMIT", 30.0)
    code = "const big = new Array(3e6).fill(1); function connectionHandler(c) { c.allow(); }"
    # Far more than CloudFront's 2 MB, well within the engine's own 64 MiB bound.
    result = execute(code, settings=engine.RunSettings(memory_limit=None))
    assert (result.action, result.error) == ("allow", "")
    assert execute(code).error == engine.OUT_OF_MEMORY_MESSAGE


def test_top_level_throws_are_named_too() -> None:
    assert execute("throw 'plain';").error == "Error: plain"


def test_named_imports_from_cloudfront() -> None:
    code = (
        "import { kvs as lookup } from 'cloudfront';\n"
        "function connectionHandler(c) { console.log(typeof lookup); c.allow(); }"
    )
    result = execute(code, settings=PERMISSIVE)
    assert (result.logs, result.error) == (("function",), "")
    refused = execute(code)
    assert (refused.logs, refused.error) == (
        (),
        "SyntaxError: Non-default import is not supported in 1",
    )


def test_date_called_without_new_is_a_string() -> None:
    assert logs_of(
        "console.log(typeof Date()); console.log(String(new Date() instanceof Date));"
    ) == ("string", "true")


def test_code_that_is_not_utf8_is_not_run() -> None:
    result = run(b"function connectionHandler(c) { c.allow(); } // \xff", EVENT, None, NOW)
    assert (result.action, result.error, result.logs, result.compute_utilization) == (
        "deny",
        engine.NOT_UTF8_MESSAGE,
        (),
        0,
    )


@pytest.mark.parametrize(
    "event",
    [{"n": float("nan")}, {"n": float("inf")}, {"o": object()}, {"k": {1j: 1}}],
    ids=["nan", "infinity", "object", "complex key"],
)
def test_an_event_json_cannot_carry_is_not_run(event) -> None:
    result = run(b"function connectionHandler(c) { c.allow(); }", event, None, NOW)
    assert (result.action, result.error, result.compute_utilization) == (
        "deny",
        engine.BAD_INPUT_MESSAGE,
        0,
    )


def test_an_event_nested_past_python_recursion_is_not_run() -> None:
    event: dict[str, object] = {}
    for _ in range(100_000):
        event = {"a": event}
    result = run(b"function connectionHandler(c) { c.allow(); }", event, None, NOW)
    assert (result.action, result.error) == ("deny", engine.BAD_INPUT_MESSAGE)


def test_the_word_import_alone_leaves_the_code_as_it_is() -> None:
    code = "// import nothing\nconst word = 'import';\nfunction connectionHandler(c) {}"
    assert to_script(code) == "'use strict';delete this.__cfmock_import;" + code


def test_a_bare_import_and_a_default_with_named_imports_are_declared() -> None:
    script = to_script("import 'x';\nimport cf, { kvs as k } from 'cloudfront';\nconst a = 1;")
    header = script.splitlines()[0]
    assert 'const cf = __cfmock_import("cloudfront");' in header
    assert 'const {kvs: k} = __cfmock_import("cloudfront");' in header
    assert '__cfmock_import("x");' in header
