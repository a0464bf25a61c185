"""Edges of the flat-cost KeyValueStores, the compact call log and the unsigned calls: key
coercion as before, duplicate and refused writes, stores under threads, fork and killed runs,
snapshots varied with ``dataclasses.replace``, blob records, presigned URLs."""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import threading
import time
from typing import Any

import boto3
import pytest

from cfmock import CloudFrontMock
from cfmock._cloudfront.values import RecordedBlob
from cfmock._runtime import engine, pool
from cfmock._runtime.engine import KeyValueSnapshot, run

READER = b"""import cf from 'cloudfront';
async function connectionHandler(connection) {
  const store = cf.kvs();
  const a = await store.exists("a") ? await store.get("a") : null;
  const b = await store.exists("b") ? await store.get("b") : null;
  const meta = await store.meta();
  console.log(JSON.stringify([a, b, meta.keyCount]));
  connection.allow();
}"""


@pytest.fixture
def data(cf: CloudFrontMock) -> Any:
    return boto3.client("cloudfront-keyvaluestore", region_name="us-east-1")


def _test(client: Any, function: Any, event: dict[str, Any] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = client.test_connection_function(
        Id=function.id, IfMatch=function.etag, ConnectionObject=json.dumps(event or {}).encode()
    )["ConnectionFunctionTestResult"]
    return result


def _seen(client: Any, function: Any) -> list[Any]:
    result = _test(client, function)
    assert result["ConnectionFunctionErrorMessage"] == ""
    (log,) = result["ConnectionFunctionExecutionLogs"]
    seen: list[Any] = json.loads(log)
    return seen


def _etag(data: Any, arn: str) -> str:
    etag: str = data.describe_key_value_store(KvsARN=arn)["ETag"]
    return etag


# -- JavaScript semantics of cf.kvs() against the previous prelude ------------------------------


def test_exists_of_a_boxed_symbol_resolves_false_as_before(client, cf) -> None:
    # The previous prelude looked the key up with hasOwnProperty (ToPropertyKey: a boxed
    # symbol becomes its symbol, never an own key of the data): exists() resolved false.
    # The new one turns the key into a string with String(), which throws on a boxed symbol.
    code = b"""import cf from 'cloudfront';
async function connectionHandler(connection) {
  let seen;
  try { seen = await cf.kvs().exists(Object(Symbol("k"))); }
  catch (e) { seen = "threw " + e.name + ": " + e.message; }
  console.log(JSON.stringify(seen));
  connection.allow();
}"""
    store = cf.add_key_value_store("symbols", {"k": "v", "Symbol(k)": "w"})
    function = cf.add_function("symbols", code, key_value_store_arn=store.arn)
    result = _test(client, function)
    assert result["ConnectionFunctionExecutionLogs"] == ["false"]


def test_key_coercion_and_errors_are_those_of_the_previous_prelude(client, cf) -> None:
    code = b"""import cf from 'cloudfront';
async function connectionHandler(connection) {
  const s = cf.kvs();
  const out = [];
  const probe = async (f) => {
    try { const v = await f(); out.push(v); }
    catch (e) { out.push("E " + e.name + ": " + e.message); }
  };
  await probe(() => s.get(1));
  await probe(() => s.get());
  await probe(() => s.get({ toString() { return "j"; } }, { format: "json" }));
  await probe(() => s.exists(Symbol("q")));
  await probe(() => s.get("\\ud800"));
  await probe(() => s.exists("a\\udc00b"));
  await probe(() => s.get("j", { format: "bytes" }).then((b) => b.length));
  await probe(() => s.get("j", { format: "x" }));
  await probe(() => s.get("nope", { format: "x" }));
  await probe(() => s.get("n\\u0000"));
  await probe(() => s.get("\\ud83d\\ude00"));
  await probe(() => s.exists("x".repeat(100000)));
  let sync;
  try { s.get(Symbol("q")); sync = "no throw"; } catch (e) { sync = "sync " + e.name; }
  out.push(sync);
  const meta = await s.meta();
  out.push(meta.keyCount);
  console.log(JSON.stringify(out));
  connection.allow();
}"""
    contents = {
        "1": "one",
        "undefined": "u",
        "j": '{"x":1}',
        "n\u0000": "nul\u0000",
        "\U0001f600": "\u00e9\u20ac",
    }
    store = cf.add_key_value_store("coerced", contents)
    function = cf.add_function("coerced", code, key_value_store_arn=store.arn)
    (log,) = _test(client, function)["ConnectionFunctionExecutionLogs"]
    assert json.loads(log) == [
        "one",
        "u",
        {"x": 1},
        False,
        "E Error: Key \ud800 not found",
        False,
        7,
        "E Error: Unknown format x; use string, json or bytes",
        "E Error: Key nope not found",
        "nul\u0000",
        "\u00e9\u20ac",
        False,
        "sync TypeError",
        5,
    ]


# -- the data plane: sizes, all or nothing, order ------------------------------------------------


def test_duplicate_and_deleted_then_put_keys_keep_count_and_size(client, cf, data) -> None:
    store = cf.add_key_value_store("sizes", {"a": "\u00e9\u00e9", "b": "2", "c": "3"})
    function = cf.add_function("sizes", READER, key_value_store_arn=store.arn)
    assert _seen(client, function) == ["\u00e9\u00e9", "2", 3]
    data.update_keys(
        KvsARN=store.arn,
        IfMatch=_etag(data, store.arn),
        Deletes=[{"Key": "a"}, {"Key": "a"}, {"Key": "c"}, {"Key": "never"}],
        Puts=[
            {"Key": "a", "Value": "x"},
            {"Key": "a", "Value": "\U0001f600"},
            {"Key": "b", "Value": "22"},
            {"Key": "b", "Value": "222"},
        ],
    )
    described = data.describe_key_value_store(KvsARN=store.arn)
    assert (described["ItemCount"], described["TotalSizeInBytes"]) == (2, 1 + 4 + 1 + 3)
    items = data.list_keys(KvsARN=store.arn)["Items"]
    assert [(i["Key"], i["Value"]) for i in items] == [("b", "222"), ("a", "\U0001f600")]
    assert _seen(client, function) == ["\U0001f600", "222", 2]
    copy = cf.key_value_store("sizes")
    assert (copy.item_count, copy.total_size, dict(copy.data)) == (
        2,
        9,
        {"b": "222", "a": "\U0001f600"},
    )


def test_a_refused_write_changes_nothing_a_run_or_the_data_plane_sees(
    client, cf, data, monkeypatch
) -> None:
    from cfmock._cloudfront import kvs

    monkeypatch.setattr(kvs, "MAX_STORE_BYTES", 20)
    store = cf.add_key_value_store("bounded", {"a": "1", "b": "2"})
    function = cf.add_function("bounded", READER, key_value_store_arn=store.arn)
    assert _seen(client, function) == ["1", "2", 2]
    etag = _etag(data, store.arn)
    refusals: list[dict[str, Any]] = [
        # over the store's size once the puts land, though the deletes free some
        {"Deletes": [{"Key": "a"}], "Puts": [{"Key": "b", "Value": "x" * 30}]},
        # a value too long, after valid deletes and puts
        {
            "Deletes": [{"Key": "a"}],
            "Puts": [{"Key": "c", "Value": "3"}, {"Key": "d", "Value": "v" * 1025}],
        },
    ]
    for refusal in refusals:
        with pytest.raises(data.exceptions.ClientError):
            data.update_keys(KvsARN=store.arn, IfMatch=etag, **refusal)
    with pytest.raises(data.exceptions.ValidationException):
        data.put_key(KvsARN=store.arn, Key="a", Value="9", IfMatch="KVstale")
    described = data.describe_key_value_store(KvsARN=store.arn)
    assert (described["ETag"], described["ItemCount"], described["TotalSizeInBytes"]) == (
        etag,
        2,
        4,
    )
    assert [i["Key"] for i in data.list_keys(KvsARN=store.arn)["Items"]] == ["a", "b"]
    for _ in range(3):
        assert _seen(client, function) == ["1", "2", 2]


def test_list_keys_pages_in_insertion_order_after_rewrites(cf, data) -> None:
    store = cf.add_key_value_store("paged", {f"k{n:02}": str(n) for n in range(7)})
    etag = _etag(data, store.arn)
    etag = data.delete_key(KvsARN=store.arn, Key="k01", IfMatch=etag)["ETag"]
    etag = data.put_key(KvsARN=store.arn, Key="k03", Value="again", IfMatch=etag)["ETag"]
    data.put_key(KvsARN=store.arn, Key="k01", Value="back", IfMatch=etag)
    keys: list[str] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"KvsARN": store.arn, "MaxResults": 2}
        if token:
            kwargs["NextToken"] = token
        page = data.list_keys(**kwargs)
        keys += [i["Key"] for i in page["Items"]]
        token = page.get("NextToken")
        if not token:
            break
    # k03 was overwritten in place (it keeps its position); k01 was deleted and put again.
    assert keys == ["k00", "k02", "k03", "k04", "k05", "k06", "k01"]


# -- a worker's copy of a store -------------------------------------------------------------------


def test_a_killed_run_leaves_no_worker_believing_a_copy_it_lacks(client, cf, data) -> None:
    looping = b"""import cf from 'cloudfront';
async function connectionHandler(connection) {
  const meta = await cf.kvs().meta();
  while (meta.keyCount > 0) {}
  connection.allow();
}"""
    store = cf.add_key_value_store("killed", {"a": "1"})
    reader = cf.add_function("reader", READER, key_value_store_arn=store.arn)
    loop = cf.add_function("loop", looping, key_value_store_arn=store.arn)
    for _ in range(2):
        assert _seen(client, reader) == ["1", None, 1]
    cf.put_keys("killed", {"b": "2"})
    assert "time" in _test(client, loop)["ConnectionFunctionErrorMessage"].lower()
    cf.put_keys("killed", {"a": "one"})
    for _ in range(3):
        assert _seen(client, reader) == ["one", "2", 2]


def test_one_store_per_worker_alternating_with_writes(client, cf, monkeypatch) -> None:
    monkeypatch.setattr(pool, "STORES_PER_WORKER", 1)
    first = cf.add_key_value_store("first", {"a": "1"})
    second = cf.add_key_value_store("second", {"a": "x"})
    one = cf.add_function("one", READER, key_value_store_arn=first.arn)
    two = cf.add_function("two", READER, key_value_store_arn=second.arn)
    for n in range(4):
        cf.put_keys("first", {"b": str(n)})
        assert _seen(client, one) == ["1", str(n), 2]
        cf.put_keys("second", {"b": f"x{n}"})
        assert _seen(client, two) == ["x", f"x{n}", 2]


def test_runs_in_threads_never_see_half_a_write(cf) -> None:
    # Each write puts a and b to the same counter in one UpdateKeys: a run must see them equal.
    store = cf.add_key_value_store("paired", {"a": "0", "b": "0"})
    function = cf.add_function("paired", READER, key_value_store_arn=store.arn)
    stop = threading.Event()
    seen: list[list[Any]] = []
    failures: list[BaseException] = []

    def write() -> None:
        data = boto3.client("cloudfront-keyvaluestore", region_name="us-east-1")
        etag = _etag(data, store.arn)
        n = 0
        while not stop.is_set():
            n += 1
            etag = data.update_keys(
                KvsARN=store.arn,
                IfMatch=etag,
                Deletes=[{"Key": "b"}],
                Puts=[{"Key": "a", "Value": str(n)}, {"Key": "b", "Value": str(n)}],
            )["ETag"]
            time.sleep(0.002)  # leave the readers' threads the interpreter most of the time

    def read() -> None:
        client = boto3.client("cloudfront", region_name="us-east-1")
        try:
            for _ in range(15):
                seen.append(_seen(client, function))
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    writer = threading.Thread(target=write)
    readers = [threading.Thread(target=read) for _ in range(2)]
    writer.start()
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join()
    stop.set()
    writer.join()
    assert not failures
    assert len(seen) == 30
    assert all(a == b and count == 2 for a, b, count in seen), seen


def test_a_replaced_snapshot_is_not_served_from_a_workers_stale_copy() -> None:
    # KeyValueSnapshot is a frozen dataclass: dataclasses.replace is the way to vary it. The
    # identity field is copied by replace, so a worker that ran the first snapshot believes
    # it already holds the second (version 1 of the same identity) and answers from the first.
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    code = b"""import cf from 'cloudfront';
async function connectionHandler(c) {
  const v = await cf.kvs().get("k");
  console.log(v);
  c.allow();
}"""
    first = KeyValueSnapshot({"k": "first"}, now, now)
    second = dataclasses.replace(first, data={"k": "second"})
    # Idle workers are lent in turn: enough runs of the first reach every worker.
    for _ in range(3 * engine.POOL_SIZE):
        assert run(code, {}, first, now).logs == ("first",)
        time.sleep(0.01)
    seen = [run(code, {}, second, now).logs for _ in range(2 * engine.POOL_SIZE)]
    assert seen == [("second",)] * len(seen)


# -- the call log --------------------------------------------------------------------------


def test_a_recorded_blob_equals_its_bytes_and_is_not_hashable(client, cf) -> None:
    # RecordedBlob == bytes holds, so a hash would have to be the bytes' own, which the record
    # cannot know: it refuses to be hashed rather than miss the bytes in a set.
    code = b"async function connectionHandler(connection) { connection.allow(); }\n" + (
        b"// padding\n" * 200
    )
    client.create_connection_function(
        Name="big",
        ConnectionFunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"},
        ConnectionFunctionCode=code,
    )
    (call,) = [c for c in cf.calls if c.operation == "CreateConnectionFunction"]
    recorded = call.parameters["ConnectionFunctionCode"]
    assert isinstance(recorded, RecordedBlob) and recorded == code
    assert recorded == memoryview(code) == recorded
    words = memoryview(code[: len(code) // 2 * 2]).cast("H")  # fewer items than bytes
    assert RecordedBlob.of(words.tobytes()) == words
    with pytest.raises(TypeError, match="unhashable"):
        hash(recorded)


# -- unsigned calls ------------------------------------------------------------------------


def test_a_presigned_url_made_under_the_mock_is_still_signed(cf) -> None:
    # generate_presigned_url goes through RequestSigner.sign: before 2d0b4b6 a client with
    # credentials presigned as usual under the mock; now the URL carries no signature at all.
    client = boto3.client(
        "cloudfront",
        region_name="us-east-1",
        aws_access_key_id="AKIAEXAMPLEEXAMPLE",
        aws_secret_access_key="secret",
    )
    url = client.generate_presigned_url("list_connection_functions", Params={})
    assert "X-Amz-Signature=" in url and "X-Amz-Credential=AKIAEXAMPLEEXAMPLE" in url


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_child_reads_the_store_as_its_own_writes_leave_it(client, cf) -> None:
    store = cf.add_key_value_store("forked", {"a": "1"})
    function = cf.add_function("forked", READER, key_value_store_arn=store.arn)
    for _ in range(2):
        assert _seen(client, function) == ["1", None, 1]
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit status
        status = 1
        try:
            child = boto3.client("cloudfront", region_name="us-east-1")
            assert _seen(child, function) == ["1", None, 1]
            cf.put_keys("forked", {"b": "child"})
            assert _seen(child, function) == ["1", "child", 2]
            status = 0
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    cf.put_keys("forked", {"a": "parent"})
    for _ in range(3):
        assert _seen(client, function) == ["parent", None, 1]
