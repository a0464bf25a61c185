"""A KeyValueStore reaches the runs through each worker's own copy, brought up to date with
only the keys written since the copy's version; the data plane keeps sizes as writes land."""

from __future__ import annotations

import datetime
import json
from typing import Any

import boto3
import pytest

from cfmock import CloudFrontMock
from cfmock._cloudfront import kvs
from cfmock._cloudfront.backend import Backend
from cfmock._runtime import pool

ACCOUNT = "123456789012"
READER = b"""import cf from 'cloudfront';
async function connectionHandler(connection) {
  const store = cf.kvs();
  const key = connection.key;
  const found = await store.exists(key);
  const meta = await store.meta();
  const value = found ? await store.get(key) : "missing";
  console.log(JSON.stringify([value, meta.keyCount]));
  connection.allow();
}"""


def _read(client: Any, function: Any, key: str) -> list[Any]:
    event = json.dumps({"key": key}).encode()
    result = client.test_connection_function(
        Id=function.id, IfMatch=function.etag, ConnectionObject=event
    )["ConnectionFunctionTestResult"]
    assert result["ConnectionFunctionErrorMessage"] == ""
    (log,) = result["ConnectionFunctionExecutionLogs"]
    seen: list[Any] = json.loads(log)
    return seen


@pytest.fixture
def data(cf: CloudFrontMock) -> Any:
    return boto3.client("cloudfront-keyvaluestore", region_name="us-east-1")


def test_runs_see_every_write_made_between_them(client, data, cf) -> None:
    store = cf.add_key_value_store("serials", {"a": "1", "b": "2"})
    function = cf.add_function("reader", READER, key_value_store_arn=store.arn)
    assert _read(client, function, "a") == ["1", 2]
    etag = data.describe_key_value_store(KvsARN=store.arn)["ETag"]
    etag = data.put_key(KvsARN=store.arn, Key="a", Value="one", IfMatch=etag)["ETag"]
    etag = data.delete_key(KvsARN=store.arn, Key="b", IfMatch=etag)["ETag"]
    data.update_keys(KvsARN=store.arn, IfMatch=etag, Puts=[{"Key": "c", "Value": "3"}])
    for _ in range(3):  # whichever worker answers, it holds the store as it is now
        assert _read(client, function, "a") == ["one", 2]
        assert _read(client, function, "b") == ["missing", 2]
        assert _read(client, function, "c") == ["3", 2]


def test_any_string_travels_as_a_key_and_as_a_value(client, cf) -> None:
    odd = {"nul\u0000key": "nul\u0000value", "é": "ü€😀", "line\nbreak": '"quoted"\\'}
    store = cf.add_key_value_store("odd", odd)
    function = cf.add_function("reader", READER, key_value_store_arn=store.arn)
    for key, value in odd.items():
        assert _read(client, function, key) == [value, 3]


def test_a_worker_far_behind_receives_the_whole_store(client, data, cf, monkeypatch) -> None:
    monkeypatch.setattr(kvs, "MAX_REMEMBERED_CHANGES", 3)
    store = cf.add_key_value_store("serials", {"a": "1"})
    function = cf.add_function("reader", READER, key_value_store_arn=store.arn)
    for _ in range(2):
        assert _read(client, function, "a") == ["1", 1]
    cf.put_keys("serials", {f"k{n}": str(n) for n in range(10)})
    cf.put_keys("serials", {"a": "new"})
    for _ in range(3):
        assert _read(client, function, "a") == ["new", 11]
        assert _read(client, function, "k9") == ["9", 11]


def test_a_worker_keeps_a_few_stores_and_lets_the_oldest_go(client, cf, monkeypatch) -> None:
    monkeypatch.setattr(pool, "STORES_PER_WORKER", 2)
    functions = []
    for n in range(4):
        store = cf.add_key_value_store(f"store{n}", {"k": f"value {n}"})
        functions.append(cf.add_function(f"reader{n}", READER, key_value_store_arn=store.arn))
    for _ in range(2):
        for n, function in enumerate(functions):
            assert _read(client, function, "k") == [f"value {n}", 1]
    cf.put_keys("store0", {"k": "changed"})
    assert _read(client, functions[0], "k") == ["changed", 1]


# -- the bookkeeping, directly ------------------------------------------------------------------


def _contents() -> kvs.Contents:
    return kvs.Contents(datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc))


def _write(contents: kvs.Contents, deletes: list[str], puts: list[tuple[str, str]]) -> None:
    changes: dict[str, str | None] = dict.fromkeys(deletes)
    changes.update(puts)
    size = contents.size_after(changes)
    contents.apply(deletes, puts, tuple(changes), size, contents.last_modified)


def test_contents_keep_their_size_and_the_keys_changed_since_a_version() -> None:
    contents = _contents()
    _write(contents, [], [("a", "1"), ("é", "€")])
    assert (contents.size, contents.version) == (2 + 2 + 3, 2)
    _write(contents, ["a"], [("b", "22")])
    _write(contents, ["missing"], [("é", "x")])
    assert contents.size == 3 + 2 + 1
    assert contents.changes_since(4) == {}
    assert contents.changes_since(3) == {"missing": None, "é": "x"}
    assert contents.changes_since(1) == {"missing": None, "é": "x", "a": None, "b": "22"}
    assert contents.changes_since(None) is None
    assert contents.changes_since(5) is None  # a version it never had


def test_contents_forget_old_changes_beyond_the_bound(monkeypatch) -> None:
    monkeypatch.setattr(kvs, "MAX_REMEMBERED_CHANGES", 2)
    contents = _contents()
    for n in range(4):
        _write(contents, [], [(f"k{n}", "v")])
    assert contents.changes_since(4) == {"k3": "v"}
    assert contents.changes_since(1) is None


def test_a_deleted_then_put_key_moves_to_the_end_as_a_new_key_does(cf, data) -> None:
    store = cf.add_key_value_store("ordered", {"a": "1", "b": "2"})
    etag = data.describe_key_value_store(KvsARN=store.arn)["ETag"]
    data.update_keys(
        KvsARN=store.arn,
        IfMatch=etag,
        Deletes=[{"Key": "a"}],
        Puts=[{"Key": "a", "Value": "again"}],
    )
    items = data.list_keys(KvsARN=store.arn)["Items"]
    assert [(item["Key"], item["Value"]) for item in items] == [("b", "2"), ("a", "again")]


def test_what_the_handle_returns_is_a_copy_later_writes_leave_alone(cf, data) -> None:
    store = cf.add_key_value_store("serials", {"a": "1"})
    seen = cf.key_value_store("serials")
    etag = data.describe_key_value_store(KvsARN=store.arn)["ETag"]
    data.put_key(KvsARN=store.arn, Key="b", Value="2", IfMatch=etag)
    assert dict(store.data) == dict(seen.data) == {"a": "1"}
    assert (seen.item_count, seen.total_size) == (1, 2)
    now = cf.key_value_store("serials")
    assert (dict(now.data), now.item_count, now.total_size) == ({"a": "1", "b": "2"}, 2, 4)


def test_a_copy_of_a_store_deleted_meanwhile_keeps_its_last_keys() -> None:
    backend = Backend()
    store = backend.stores.seed(backend.stores.create(ACCOUNT, "gone").arn, {"a": "1"})
    backend.stores.delete(ACCOUNT, "gone", store.etag)
    assert dict(backend.stores.copy(store).data) == {"a": "1"}


def test_a_reader_brings_a_worker_from_the_version_it_holds() -> None:
    backend = Backend()
    arn = backend.stores.create(ACCOUNT, "serials").arn
    backend.stores.seed(arn, {"a": "1"})
    reader = backend.stores.reader(arn)
    assert reader is not None and reader.names[1] == arn
    first = reader.read(None)
    assert (first.version, first.whole, dict(first.changes)) == (2, True, {"a": "1"})
    backend.stores.seed(arn, {"b": "2"})
    second = reader.read(first.version)
    assert (second.version, second.whole, dict(second.changes)) == (3, False, {"b": "2"})
    assert backend.stores.reader("arn:aws:cloudfront::123456789012:key-value-store/x") is None
