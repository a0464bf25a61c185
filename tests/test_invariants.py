"""Focused tests, each written to fail on one plausible wrong change to the backend.

Every test here names the mistake it guards against; each was checked by making that change
by hand and watching the test fail. The clock is stepped by replacing ``backend.utc_now``, never
by sleeping, and no test asserts on wall-clock time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import json
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cfmock import CloudFrontMock, mock_connection_functions
from cfmock._cloudfront import backend as backend_module
from cfmock._cloudfront.tokens import etag
from cfmock._runtime import engine
from tests.scaffolding import (
    CODE,
    MISSING_IF_MATCH,
    STALE_IF_MATCH,
    config,
    create,
    error_of,
    update,
)

STALE_DATA = "Pre-Condition failed during update of Key-Value-Store"
DENY = b"function connectionHandler(connection) { connection.deny(); }"
START = datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.timezone.utc)


class SteppingClock:
    """The backend's clock in these tests: each reading is *step* after the one before."""

    def __init__(self, step: datetime.timedelta = datetime.timedelta(seconds=1)) -> None:
        self.now = START
        self.step = step

    def __call__(self) -> datetime.datetime:
        self.now += self.step
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[SteppingClock]:
    """A stepping clock, in place before the mock starts (a backend reads it when it is made)."""
    stepping = SteppingClock()
    monkeypatch.setattr(backend_module, "utc_now", stepping)
    yield stepping


@pytest.fixture
def data(cf: CloudFrontMock) -> Any:
    return boto3.client("cloudfront-keyvaluestore", region_name="us-east-1")


def _code_and_status(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    code, status, _ = error_of(excinfo)
    return code, status


def _stages_apart(client: Any, live_etag_follows_development: bool) -> tuple[str, str, str]:
    """A function whose DEVELOPMENT and LIVE ETags differ: (id, DEVELOPMENT ETag, LIVE ETag)."""
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    dev = update(client, function_id, etag(1))["ETag"]
    client.publish_connection_function(Id=function_id, IfMatch=dev)
    if live_etag_follows_development:
        # LIVE copied DEVELOPMENT's ETag; one more update takes DEVELOPMENT past it.
        dev = update(client, function_id, dev, ConnectionFunctionCode=DENY)["ETag"]
    live = client.describe_connection_function(Identifier=function_id, Stage="LIVE")["ETag"]
    assert client.describe_connection_function(Identifier=function_id)["ETag"] == dev
    assert live != dev
    return function_id, dev, live


# -- (a) If-Match is the DEVELOPMENT ETag, also once a LIVE stage exists ------------------------


@pytest.mark.parametrize("follows", [False, True], ids=["own-live-counter", "live-copies-dev"])
@pytest.mark.parametrize("operation", ["update", "publish", "delete"])
def test_the_live_etag_is_refused_where_the_development_etag_is_expected(
    operation: str, follows: bool
) -> None:
    """Guards against checking If-Match against the LIVE stage (or either stage) after a publish."""
    with mock_connection_functions(live_etag_follows_development=follows) as cf:
        client = boto3.client("cloudfront", region_name="us-east-1")
        function_id, dev, live = _stages_apart(client, follows)
        calls: dict[str, Callable[[str], Any]] = {
            "update": lambda if_match: update(client, function_id, if_match),
            "publish": lambda if_match: client.publish_connection_function(
                Id=function_id, IfMatch=if_match
            ),
            "delete": lambda if_match: client.delete_connection_function(
                Id=function_id, IfMatch=if_match
            ),
        }
        before = cf.get_function(function_id)
        with pytest.raises(client.exceptions.PreconditionFailed) as excinfo:
            calls[operation](live)
        assert error_of(excinfo) == ("PreconditionFailed", 412, STALE_IF_MATCH)
        assert cf.get_function(function_id) == before

        calls[operation](dev)
        if operation == "delete":
            assert cf.functions() == []
        else:
            assert cf.get_function(function_id) != before


@pytest.mark.parametrize("follows", [False, True], ids=["own-live-counter", "live-copies-dev"])
def test_test_function_checks_the_etag_of_the_stage_it_runs(follows: bool) -> None:
    """Guards against TestConnectionFunction checking the DEVELOPMENT ETag for LIVE (or back)."""
    with mock_connection_functions(live_etag_follows_development=follows):
        client = boto3.client("cloudfront", region_name="us-east-1")
        function_id, dev, live = _stages_apart(client, follows)
        for stage, wrong in (("LIVE", dev), ("DEVELOPMENT", live)):
            with pytest.raises(client.exceptions.PreconditionFailed):
                client.test_connection_function(
                    Id=function_id, IfMatch=wrong, Stage=stage, ConnectionObject=b"{}"
                )
        for stage, right in (("LIVE", live), ("DEVELOPMENT", dev)):
            result = client.test_connection_function(
                Id=function_id, IfMatch=right, Stage=stage, ConnectionObject=b"{}"
            )["ConnectionFunctionTestResult"]
            assert result["ConnectionFunctionSummary"]["Stage"] == stage


# -- (b) Delete checks If-Match whether or not the function is published ----------------------


@pytest.mark.parametrize("updated_after_publish", [False, True])
def test_delete_of_a_published_function_still_needs_the_current_etag(
    client: Any, cf: CloudFrontMock, updated_after_publish: bool
) -> None:
    """Guards against Delete skipping (or loosening) the If-Match check once LIVE exists."""
    function_id = create(client)["ConnectionFunctionSummary"]["Id"]
    client.publish_connection_function(Id=function_id, IfMatch=etag(1))
    current = etag(1)
    if updated_after_publish:
        current = update(client, function_id, current)["ETag"]
    before = cf.get_function(function_id)
    assert before.live is not None

    for if_match, expected in [
        ("", ("InvalidIfMatchVersion", 400, MISSING_IF_MATCH)),
        ("E-made-up", ("PreconditionFailed", 412, STALE_IF_MATCH)),
        (etag(before.development.version + 1), ("PreconditionFailed", 412, STALE_IF_MATCH)),
    ]:
        with pytest.raises(ClientError) as excinfo:
            client.delete_connection_function(Id=function_id, IfMatch=if_match)
        assert error_of(excinfo) == expected
        assert cf.get_function(function_id) == before
        live = client.describe_connection_function(Identifier=function_id, Stage="LIVE")
        assert live["ConnectionFunctionSummary"]["Id"] == function_id

    deleted = client.delete_connection_function(Id=function_id, IfMatch=current)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    for stage in ("DEVELOPMENT", "LIVE"):
        with pytest.raises(client.exceptions.EntityNotFound):
            client.describe_connection_function(Identifier=function_id, Stage=stage)


# -- (c) DeleteKeyValueStore checks If-Match ----------------------------------------------------


def test_delete_key_value_store_refuses_a_missing_or_stale_etag(
    client: Any, cf: CloudFrontMock
) -> None:
    """Guards against DeleteKeyValueStore deleting whatever If-Match says."""
    client.create_key_value_store(Name="serials")
    client.update_key_value_store(Name="serials", IfMatch=etag(1), Comment="moved on")
    before = cf.key_value_store("serials")
    assert before.etag == etag(2)

    for if_match, expected in [
        ("", ("InvalidIfMatchVersion", 400, MISSING_IF_MATCH)),
        (etag(1), ("PreconditionFailed", 412, STALE_IF_MATCH)),
        (etag(3), ("PreconditionFailed", 412, STALE_IF_MATCH)),
        ("KVTVPDKIKX0DER", ("PreconditionFailed", 412, STALE_IF_MATCH)),  # the data-plane ETag
    ]:
        with pytest.raises(ClientError) as excinfo:
            client.delete_key_value_store(Name="serials", IfMatch=if_match)
        assert error_of(excinfo) == expected
        assert cf.key_value_store("serials") == before
        assert client.describe_key_value_store(Name="serials")["ETag"] == etag(2)

    client.delete_key_value_store(Name="serials", IfMatch=etag(2))
    with pytest.raises(client.exceptions.EntityNotFound):
        client.describe_key_value_store(Name="serials")


def test_a_store_in_use_is_checked_after_its_etag(client: Any, cf: CloudFrontMock) -> None:
    """If-Match first, then the in-use check, as for every CloudFront delete."""
    arn = client.create_key_value_store(Name="serials")["KeyValueStore"]["ARN"]
    client.update_key_value_store(Name="serials", IfMatch=etag(1), Comment="v2")
    association = {"Quantity": 1, "Items": [{"KeyValueStoreARN": arn}]}
    create(client, ConnectionFunctionConfig=config(KeyValueStoreAssociations=association))
    with pytest.raises(ClientError) as excinfo:
        client.delete_key_value_store(Name="serials", IfMatch=etag(1))
    assert _code_and_status(excinfo) == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as excinfo:
        client.delete_key_value_store(Name="serials", IfMatch=etag(2))
    assert _code_and_status(excinfo) == ("CannotDeleteEntityWhileInUse", 409)
    assert cf.key_value_store("serials").etag == etag(2)


def test_a_store_only_the_live_stage_uses_cannot_be_deleted(
    client: Any, cf: CloudFrontMock
) -> None:
    """Guards against the in-use check reading only DEVELOPMENT: LIVE still runs with the store."""
    arn = client.create_key_value_store(Name="serials")["KeyValueStore"]["ARN"]
    association = {"Quantity": 1, "Items": [{"KeyValueStoreARN": arn}]}
    function_id = create(
        client, ConnectionFunctionConfig=config(KeyValueStoreAssociations=association)
    )["ConnectionFunctionSummary"]["Id"]
    client.publish_connection_function(Id=function_id, IfMatch=etag(1))
    update(client, function_id, etag(1))  # DEVELOPMENT no longer names the store
    with pytest.raises(ClientError) as excinfo:
        client.delete_key_value_store(Name="serials", IfMatch=etag(1))
    assert _code_and_status(excinfo) == ("CannotDeleteEntityWhileInUse", 409)

    client.delete_connection_function(Id=function_id, IfMatch=etag(2))
    client.delete_key_value_store(Name="serials", IfMatch=etag(1))


# -- (d) ComputeUtilization ---------------------------------------------------------------------


def _loop(iterations: int) -> bytes:
    return (
        "function connectionHandler(connection) { let x = 0; "
        f"for (let i = 0; i < {iterations}; i++) {{ x += i; }} connection.allow(); }}"
    ).encode()


def _utilization(client: Any, name: str, code: bytes) -> tuple[str, dict[str, Any]]:
    """ComputeUtilization of one run of *code*, and the whole test result."""
    created = create(client, name, ConnectionFunctionCode=code)
    result = client.test_connection_function(
        Id=created["ConnectionFunctionSummary"]["Id"],
        IfMatch=created["ETag"],
        ConnectionObject=b"{}",
    )["ConnectionFunctionTestResult"]
    return result["ComputeUtilization"], result


def test_compute_utilization_is_an_integer_percentage_that_grows_with_work(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guards against a wrong scale (not percent of 5 ms), no cap, or a non-integer string."""
    # The heavy run must finish, not time out, however crowded the machine.
    monkeypatch.setattr(engine, "TIME_LIMIT", 30.0)
    trivial, trivial_result = _utilization(client, "trivial", CODE)
    heavy, heavy_result = _utilization(client, "heavy", _loop(500_000))
    for value, result in ((trivial, trivial_result), (heavy, heavy_result)):
        assert value.isascii() and value.isdigit(), value
        assert 0 <= int(value) <= 100
        assert result["ConnectionFunctionErrorMessage"] == ""
        assert json.loads(result["ConnectionFunctionOutput"]) == {"connection": {"action": "allow"}}
    assert int(trivial) < int(heavy)
    # Half a million iterations take far more CPU than the 5 ms budget: the value is capped.
    assert heavy == "100"


@pytest.mark.parametrize(
    ("cpu_seconds", "expected"),
    [
        (0.0, "0"),
        (0.0001, "2"),
        (0.001, "20"),
        (0.0025, "50"),
        (0.00499, "100"),
        (0.005, "100"),
        (0.5, "100"),
    ],
)
def test_compute_utilization_is_cpu_time_against_a_5_ms_budget(
    client: Any, monkeypatch: pytest.MonkeyPatch, cpu_seconds: float, expected: str
) -> None:
    """With the worker's CPU time made exact, the value is round(cpu / 5 ms * 100), at most 100."""
    real_execute = engine._POOL.execute

    def execute(*args: Any) -> Any:
        return dataclasses.replace(real_execute(*args), cpu=cpu_seconds)

    monkeypatch.setattr(engine._POOL, "execute", execute)
    value, result = _utilization(client, "trivial", CODE)
    assert (value, result["ConnectionFunctionErrorMessage"]) == (expected, "")


# -- (e) LastModifiedTime moves on every write, and only on a write -----------------------------


def _times(client: Any, function_id: str) -> dict[str, datetime.datetime]:
    times = {}
    for stage in ("DEVELOPMENT", "LIVE"):
        try:
            summary = client.describe_connection_function(Identifier=function_id, Stage=stage)[
                "ConnectionFunctionSummary"
            ]
        except client.exceptions.EntityNotFound:
            continue
        times[stage] = summary["LastModifiedTime"]
    return times


def test_last_modified_time_moves_with_update_and_publish(clock: SteppingClock) -> None:
    """Guards against LastModifiedTime frozen on update or publish, or moved by the other stage."""
    with mock_connection_functions() as cf:
        client = boto3.client("cloudfront", region_name="us-east-1")
        created = create(client)["ConnectionFunctionSummary"]
        function_id = created["Id"]
        t0 = _times(client, function_id)
        assert t0 == {"DEVELOPMENT": created["CreatedTime"]}

        update(client, function_id, etag(1))
        t1 = _times(client, function_id)
        assert t1["DEVELOPMENT"] > t0["DEVELOPMENT"]
        assert "LIVE" not in t1

        client.publish_connection_function(Id=function_id, IfMatch=etag(2))
        t2 = _times(client, function_id)
        assert t2["DEVELOPMENT"] == t1["DEVELOPMENT"]  # publish leaves DEVELOPMENT alone
        assert t2["LIVE"] > t1["DEVELOPMENT"]  # LIVE is as new as the publish

        update(client, function_id, etag(2))
        t3 = _times(client, function_id)
        assert t3["DEVELOPMENT"] > t2["LIVE"]
        assert t3["LIVE"] == t2["LIVE"]  # an update leaves LIVE alone

        client.publish_connection_function(Id=function_id, IfMatch=etag(3))
        t4 = _times(client, function_id)
        assert t4["LIVE"] > t3["LIVE"]
        assert t4["DEVELOPMENT"] == t3["DEVELOPMENT"]

        for failing in (
            lambda: update(client, function_id, etag(2)),
            lambda: client.publish_connection_function(Id=function_id, IfMatch=etag(2)),
        ):
            with pytest.raises(client.exceptions.PreconditionFailed):
                failing()
            assert _times(client, function_id) == t4

        function = cf.get_function(function_id)
        assert function.live is not None
        assert (function.development.last_modified_time, function.live.last_modified_time) == (
            t4["DEVELOPMENT"],
            t4["LIVE"],
        )
        assert function.created_time == created["CreatedTime"]


def test_key_value_store_times_move_with_their_own_plane(
    clock: SteppingClock,
) -> None:
    """UpdateKeyValueStore moves the store's time; a key write moves the data's time only."""
    with mock_connection_functions() as cf:
        client = boto3.client("cloudfront", region_name="us-east-1")
        data = boto3.client("cloudfront-keyvaluestore", region_name="us-east-1")
        arn = client.create_key_value_store(Name="serials")["KeyValueStore"]["ARN"]
        store_time = client.describe_key_value_store(Name="serials")["KeyValueStore"][
            "LastModifiedTime"
        ]
        data_time = data.describe_key_value_store(KvsARN=arn)["LastModified"]

        data.put_key(KvsARN=arn, Key="k", Value="v", IfMatch="KVTVPDKIKX0DER")
        moved = data.describe_key_value_store(KvsARN=arn)["LastModified"]
        assert moved > data_time
        assert (
            client.describe_key_value_store(Name="serials")["KeyValueStore"]["LastModifiedTime"]
            == store_time
        )

        client.update_key_value_store(Name="serials", IfMatch=etag(1), Comment="new")
        store_moved = client.describe_key_value_store(Name="serials")["KeyValueStore"][
            "LastModifiedTime"
        ]
        assert store_moved > store_time
        assert data.describe_key_value_store(KvsARN=arn)["LastModified"] == moved
        assert cf.key_value_store("serials").data_last_modified_time == moved


def test_no_last_modified_time_goes_backwards_when_the_clock_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A clock stepped back (NTP) must not make any LastModifiedTime go backwards."""
    backwards = SteppingClock(step=-datetime.timedelta(seconds=1))
    monkeypatch.setattr(backend_module, "utc_now", backwards)
    with mock_connection_functions() as cf:
        client = boto3.client("cloudfront", region_name="us-east-1")
        data = boto3.client("cloudfront-keyvaluestore", region_name="us-east-1")
        function_id = create(client)["ConnectionFunctionSummary"]["Id"]
        client.publish_connection_function(Id=function_id, IfMatch=etag(1))
        first = _times(client, function_id)
        update(client, function_id, etag(1))
        client.publish_connection_function(Id=function_id, IfMatch=etag(2))
        second = _times(client, function_id)
        assert second["DEVELOPMENT"] >= first["DEVELOPMENT"]
        assert second["LIVE"] >= first["LIVE"]
        assert second["LIVE"] >= second["DEVELOPMENT"]  # a publish is no older than its code

        arn = client.create_key_value_store(Name="serials")["KeyValueStore"]["ARN"]
        before = cf.key_value_store(arn)
        data.put_key(KvsARN=arn, Key="k", Value="v", IfMatch="KVTVPDKIKX0DER")
        after = cf.key_value_store(arn)
        assert before.data_last_modified_time is not None
        assert after.data_last_modified_time is not None
        assert after.data_last_modified_time >= before.data_last_modified_time
        client.update_key_value_store(Name="serials", IfMatch=etag(1), Comment="new")
        assert cf.key_value_store(arn).last_modified_time >= after.last_modified_time


# -- concurrency: one ETag, many writers, exactly one winner -------------------------------------


@pytest.fixture
def frequent_thread_switches() -> Iterator[None]:
    # Threads switch every microsecond instead of every 5 ms, so races show up in few rounds.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run *calls* at once from as many threads; each result is a response or a ClientError."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as error:  # a ClientError, or a bug the assertions should show
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _store_with_keys(client: Any, cf: CloudFrontMock, keys: int) -> str:
    arn: str = client.create_key_value_store(Name="serials")["KeyValueStore"]["ARN"]
    if keys:
        cf.put_keys(arn, {f"key-{i}": f"value-{i}" for i in range(keys)})
    return arn


def _one_winner(results: list[Any]) -> int:
    assert all(isinstance(r, (dict, ClientError)) for r in results), results
    winners = [i for i, result in enumerate(results) if not isinstance(result, ClientError)]
    assert len(winners) == 1, results
    for result in results:
        if isinstance(result, ClientError):
            assert result.response["Error"]["Code"] == "ValidationException"
            assert result.response["Error"]["Message"] == STALE_DATA
    return winners[0]


@pytest.mark.usefixtures("frequent_thread_switches")
def test_racing_delete_key_and_put_key_on_one_etag_exactly_one_wins(
    client: Any, data: Any, cf: CloudFrontMock
) -> None:
    arn = _store_with_keys(client, cf, keys=0)
    for round_ in range(10):
        # Three keys to delete in each round, put without the data plane.
        doomed = [f"r{round_}-{i}" for i in range(3)]
        store = cf.put_keys(arn, dict.fromkeys(doomed, "x"))
        calls: list[Callable[[], Any]] = [
            functools.partial(data.delete_key, KvsARN=arn, Key=key, IfMatch=store.data_etag)
            for key in doomed
        ]
        calls += [
            functools.partial(
                data.put_key, KvsARN=arn, Key=f"new-{i}", Value="v", IfMatch=store.data_etag
            )
            for i in range(3)
        ]
        winner = _one_winner(_race(calls))
        after = cf.key_value_store(arn)
        assert after.data_version == store.data_version + 1
        expected = dict(store.data)
        if winner < 3:
            del expected[doomed[winner]]
        else:
            expected[f"new-{winner - 3}"] = "v"
        assert dict(after.data) == expected


@pytest.mark.usefixtures("frequent_thread_switches")
def test_racing_update_keys_on_one_etag_exactly_one_wins(
    client: Any, data: Any, cf: CloudFrontMock
) -> None:
    arn = _store_with_keys(client, cf, keys=0)
    for round_ in range(10):
        doomed = [f"r{round_}-{i}" for i in range(6)]
        store = cf.put_keys(arn, dict.fromkeys(doomed, "x"))
        batches = [
            ({f"r{round_}-t{i}-{j}": str(j) for j in range(3)}, [doomed[i], "never-there"])
            for i in range(6)
        ]
        calls: list[Callable[[], Any]] = [
            functools.partial(
                data.update_keys,
                KvsARN=arn,
                IfMatch=store.data_etag,
                Puts=[{"Key": k, "Value": v} for k, v in puts.items()],
                Deletes=[{"Key": k} for k in deletes],
            )
            for puts, deletes in batches
        ]
        winner = _one_winner(_race(calls))
        puts, deletes = batches[winner]
        expected = {k: v for k, v in store.data.items() if k not in deletes}
        expected.update(puts)
        after = cf.key_value_store(arn)
        assert dict(after.data) == expected
        assert after.data_version == store.data_version + 1


def test_delete_key_checks_the_key_and_its_etag_in_one_step(
    client: Any, data: Any, cf: CloudFrontMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DeleteKey with a guessed next ETag must not succeed because another write moved the
    store to that ETag between DeleteKey's look at the key and its write.

    The other write (UpdateKeys deleting the key with the current ETag) is started the moment
    DeleteKey first reads the store. If DeleteKey reads and writes under one lock, the other
    write waits and DeleteKey fails as stale; if it looks at the key first and writes later
    without the lock, the other write lands in between and the guessed ETag then matches.
    """
    arn = _store_with_keys(client, cf, keys=1)
    current = cf.key_value_store(arn).data_etag
    guessed_next = etag(cf.key_value_store(arn).data_version + 1, "KV")
    stores = cf._backend.stores
    real_data_store = stores.data_store
    other: dict[str, Any] = {}
    main_thread = threading.get_ident()

    def other_write() -> None:
        try:
            other["result"] = data.update_keys(
                KvsARN=arn, IfMatch=current, Deletes=[{"Key": "key-0"}]
            )
        except ClientError as error:
            other["result"] = error

    def data_store(store_arn: str) -> Any:
        found = real_data_store(store_arn)
        if threading.get_ident() == main_thread and "thread" not in other:
            other["thread"] = threading.Thread(target=other_write)
            other["thread"].start()
            # Under one lock the other write cannot finish before DeleteKey does: wait a little.
            other["thread"].join(timeout=0.2)
        return found

    monkeypatch.setattr(stores, "data_store", data_store)
    with pytest.raises(ClientError) as excinfo:
        data.delete_key(KvsARN=arn, Key="key-0", IfMatch=guessed_next)
    other["thread"].join()
    assert _code_and_status(excinfo) in {
        ("ValidationException", 400),  # DeleteKey went first: its ETag was not current
        ("ResourceNotFoundException", 404),  # UpdateKeys went first: the key was gone
    }
    assert not isinstance(other["result"], ClientError), other["result"]
    after = cf.key_value_store(arn)
    assert dict(after.data) == {}
    assert after.data_etag == guessed_next  # one write happened, not two


def test_racing_writers_cannot_all_pass_the_etag_check(
    client: Any, data: Any, cf: CloudFrontMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each writer, once it has read the store, waits for the others to read it too.

    If the ETag check and the write are under one lock, the others cannot get to the store, the
    wait runs out and the writers go one at a time: one wins. If a writer checks the ETag before
    it takes the lock, all three read the same version, all pass the check and all write.
    """
    arn = _store_with_keys(client, cf, keys=1)
    # Each operation once (refused: stale ETag) so no racer is slowed by a first call's setup.
    with pytest.raises(data.exceptions.ValidationException):
        data.put_key(KvsARN=arn, Key="k", Value="v", IfMatch="KV-stale")
    with pytest.raises(data.exceptions.ValidationException):
        data.update_keys(KvsARN=arn, IfMatch="KV-stale")
    store = cf.key_value_store(arn)
    stores = cf._backend.stores
    real_data_store = stores.data_store
    meeting = threading.Barrier(3)

    def data_store(store_arn: str) -> Any:
        found = real_data_store(store_arn)
        if not meeting.broken:
            with contextlib.suppress(threading.BrokenBarrierError):
                meeting.wait(timeout=0.5)
        return found

    monkeypatch.setattr(stores, "data_store", data_store)
    calls: list[Callable[[], Any]] = [
        functools.partial(data.put_key, KvsARN=arn, Key="new", Value="v", IfMatch=store.data_etag),
        functools.partial(
            data.update_keys,
            KvsARN=arn,
            IfMatch=store.data_etag,
            Puts=[{"Key": "other", "Value": "v"}],
        ),
        functools.partial(
            data.update_keys, KvsARN=arn, IfMatch=store.data_etag, Deletes=[{"Key": "key-0"}]
        ),
    ]
    winner = _one_winner(_race(calls))
    assert meeting.broken  # the writers never all met: each waited alone
    after = cf.key_value_store(arn)
    assert after.data_version == store.data_version + 1
    assert (
        dict(after.data)
        == [
            {"key-0": "value-0", "new": "v"},
            {"key-0": "value-0", "other": "v"},
            {},
        ][winner]
    )
