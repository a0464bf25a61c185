"""Costs that must not grow with the data, and fixed costs near their floors (issue 14).

Run ``python benchmarks/flat_costs.py`` (or ``benchmarks/bench.py``, which prints these rows
too). Each measure is a ratio against a reference timed in the same run, or an absolute figure
with the reference beside it; nothing here asserts (timing is for people, not for the tests):

* TestConnectionFunction with a KeyValueStore lookup: a 4.5 MB store (4,500 keys of 1 KB)
  against a two-key store, medians of single calls;
* GetKey and UpdateKeys (50 keys): a 5 MB store against a two-key store of the same values;
* memory retained after 10,000 updates of one 10 KB function (``tracemalloc``, in a fresh
  process, the call log included);
* the first answered call in a fresh process, the mock already started, against the same call
  answered by a canned ``before-send`` reply in another fresh process (bytecode cached both
  ways: the run sets ``PYTHONDONTWRITEBYTECODE`` aside).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import boto3

from cfmock import mock_connection_functions

ROUNDS = int(os.environ.get("CFMOCK_BENCH_ROUNDS", "9"))
CREDENTIALS = {"aws_access_key_id": "AKIDBENCHMARK", "aws_secret_access_key": "secret"}
KEY_VALUE_CHECK = b"""import cf from 'cloudfront';
const kvs = cf.kvs();
async function connectionHandler(connection) {
  const serial = connection.clientCertificate.certificates.leaf.serialNumber;
  if (await kvs.exists(serial)) return connection.deny();
  connection.allow();
}
"""
EVENT = json.dumps(
    {"clientCertificate": {"certificates": {"leaf": {"serialNumber": "0a:0b"}}}}
).encode()
VALUE = "v" * 1000


def _client(service: str) -> Any:
    return boto3.session.Session().client(service, region_name="us-east-1", **CREDENTIALS)


def _store(keys: int) -> dict[str, str]:
    return {f"SERIAL{n:06d}": VALUE for n in range(keys)}


def _median_call(call: Callable[[], object], calls: int) -> float:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _test_function_median(store: dict[str, str], calls: int) -> float:
    with mock_connection_functions() as cf:
        client = _client("cloudfront")
        seeded = cf.add_key_value_store("revoked", store)
        function = cf.add_function("check", KEY_VALUE_CHECK, key_value_store_arn=seeded.arn)

        def test() -> None:
            result = client.test_connection_function(
                Id=function.id, IfMatch=function.etag, ConnectionObject=EVENT
            )["ConnectionFunctionTestResult"]
            assert result["ConnectionFunctionErrorMessage"] == ""

        for _ in range(10):  # every worker holds the store once
            test()
        return _median_call(test, calls)


def bench_store_size(calls: int = 200) -> dict[str, float]:
    """TestConnectionFunction's median with a 4.5 MB store and with a two-key store."""
    small: list[float] = []
    large: list[float] = []
    big_store = _store(4_500)
    for _ in range(max(3, ROUNDS // 3)):
        small.append(_test_function_median(_store(2), calls))
        large.append(_test_function_median(big_store, calls))
    return {"small": min(small), "large": min(large)}


def _data_plane(keys: int, calls: int) -> tuple[float, float]:
    with mock_connection_functions() as cf:
        data = _client("cloudfront-keyvaluestore")
        arn = cf.add_key_value_store("store", _store(keys)).arn
        etag = data.describe_key_value_store(KvsARN=arn)["ETag"]
        get = _median_call(lambda: data.get_key(KvsARN=arn, Key="SERIAL000001"), calls)
        puts = [{"Key": f"SERIAL{n:06d}", "Value": VALUE} for n in range(50)]
        times = []
        for _ in range(calls):
            start = time.perf_counter()
            etag = data.update_keys(KvsARN=arn, IfMatch=etag, Puts=puts)["ETag"]
            times.append(time.perf_counter() - start)
        return get, statistics.median(times)


def bench_data_plane(calls: int = 200) -> dict[str, float]:
    """GetKey and UpdateKeys medians on a 5 MB store and on a two-key store."""
    results: dict[str, list[float]] = {"get small": [], "get large": [], "update small": []}
    results["update large"] = []
    for _ in range(max(3, ROUNDS // 3)):
        get, update = _data_plane(2, calls)
        results["get small"].append(get)
        results["update small"].append(update)
        # 4,950 keys of 1 KB and their names: 5 MB less room for the 50 an update writes.
        get, update = _data_plane(4_950, calls)
        results["get large"].append(get)
        results["update large"].append(update)
    return {name: min(values) for name, values in results.items()}


_RETAINED = r"""
import gc, tracemalloc, boto3
from cfmock import mock_connection_functions
CODE = b"function connectionHandler(c) { c.allow(); }\n//" + b"x" * 10_000 + b"\n"
CONFIG = {"Comment": "benchmark", "Runtime": "cloudfront-js-2.0"}
client = boto3.client("cloudfront", region_name="us-east-1",
                      aws_access_key_id="AKID", aws_secret_access_key="secret")
with mock_connection_functions() as cf:
    function = cf.add_function("bench", CODE)
    etag = function.etag
    def update():
        global etag
        etag = client.update_connection_function(
            Id=function.id, IfMatch=etag, ConnectionFunctionConfig=CONFIG,
            ConnectionFunctionCode=CODE)["ETag"]
    for _ in range(100):
        update()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(10_000):
        update()
    gc.collect()
    print(tracemalloc.get_traced_memory()[0] - before)
"""


def bench_retained_memory() -> float:
    """Bytes still held after 10,000 updates of one 10 KB function, the call log included."""
    done = subprocess.run(
        [sys.executable, "-c", _RETAINED], capture_output=True, text=True, check=True
    )
    return float(done.stdout)


_CANNED_FIRST = r"""
import io, time, boto3
from botocore.awsrequest import AWSResponse
class Body(io.BytesIO):
    def stream(self, **_):
        yield self.getvalue()
BODY = (b'<?xml version="1.0" encoding="UTF-8"?><ConnectionFunctionList '
        b'xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><MaxItems>100</MaxItems>'
        b'<Quantity>0</Quantity></ConnectionFunctionList>')
client = boto3.client("cloudfront", region_name="us-east-1",
                      aws_access_key_id="AKID", aws_secret_access_key="secret")
client.meta.events.register(
    "before-send.cloudfront", lambda request, **_: AWSResponse(request.url, 200, {}, Body(BODY)))
start = time.perf_counter()
client.list_connection_functions()
print(time.perf_counter() - start)
"""

_CFMOCK_FIRST = r"""
import time, boto3
from cfmock import mock_connection_functions
client = boto3.client("cloudfront", region_name="us-east-1",
                      aws_access_key_id="AKID", aws_secret_access_key="secret")
with mock_connection_functions():
    start = time.perf_counter()
    client.list_connection_functions()
    print(time.perf_counter() - start)
"""


def bench_first_call() -> dict[str, float]:
    """The first ListConnectionFunctions in a fresh process: canned reply, and cfmock."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def first(script: str) -> float:
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env=environment,
        )
        return float(done.stdout)

    canned = [first(_CANNED_FIRST) for _ in range(ROUNDS)]
    cfmock = [first(_CFMOCK_FIRST) for _ in range(ROUNDS)]
    return {"canned": min(canned), "cfmock": min(cfmock)}


def _canned_test_median(calls: int) -> float:
    """The same TestConnectionFunction answered by a canned ``before-send`` reply (signed)."""
    import io

    from botocore.awsrequest import AWSResponse

    with mock_connection_functions() as cf:
        client = _client("cloudfront")
        seeded = cf.add_key_value_store("revoked", _store(2))
        function = cf.add_function("check", KEY_VALUE_CHECK, key_value_store_arn=seeded.arn)
        captured: dict[str, bytes] = {}

        def capture(http_response: Any, **_: Any) -> None:
            captured["body"] = http_response.content

        client.meta.events.register("after-call.cloudfront.TestConnectionFunction", capture)
        client.test_connection_function(
            Id=function.id, IfMatch=function.etag, ConnectionObject=EVENT
        )
    body = captured["body"]

    class Body(io.BytesIO):
        def stream(self, **_: Any) -> Any:
            yield self.getvalue()

    canned = _client("cloudfront")
    headers: Any = {"Content-Type": "text/xml"}
    canned.meta.events.register(
        "before-send.cloudfront",
        lambda request, **_: AWSResponse(request.url, 200, headers, Body(body)),
    )
    return _median_call(
        lambda: canned.test_connection_function(
            Id=function.id, IfMatch=function.etag, ConnectionObject=EVENT
        ),
        calls,
    )


def bench_test_function_alone(calls: int = 300) -> dict[str, float]:
    """One TestConnectionFunction with a KVS lookup, and the same call with a canned reply."""
    rounds = max(3, ROUNDS // 3)
    medians = [_test_function_median(_store(2), calls) for _ in range(rounds)]
    floors = [_canned_test_median(calls) for _ in range(rounds)]
    return {"median": min(medians), "floor": min(floors)}


def rows() -> list[tuple[str, str, str, str, str]]:
    """This module's rows of the benchmark table: what, cfmock, reference, ratio, goal."""
    ms = 1000.0
    size = bench_store_size()
    data = bench_data_plane()
    memory = bench_retained_memory()
    first = bench_first_call()
    alone = bench_test_function_alone()
    mib = 1024 * 1024
    return [
        (
            "TestConnectionFunction, 4.5 MB store",
            f"{size['large'] * ms:.3f} ms p50",
            f"two keys {size['small'] * ms:.3f} ms",
            f"{size['large'] / size['small']:.2f}x",
            "<= 1.5x",
        ),
        (
            "GetKey, 5 MB store",
            f"{data['get large'] * ms:.3f} ms p50",
            f"two keys {data['get small'] * ms:.3f} ms",
            f"{data['get large'] / data['get small']:.2f}x",
            "<= 1.2x",
        ),
        (
            "UpdateKeys of 50, 5 MB store",
            f"{data['update large'] * ms:.3f} ms p50",
            f"two keys {data['update small'] * ms:.3f} ms",
            f"{data['update large'] / data['update small']:.2f}x",
            "<= 1.2x",
        ),
        (
            "retained after 10,000 10 KB updates",
            f"{memory / mib:.2f} MiB",
            "-",
            "-",
            "<= 8 MiB",
        ),
        (
            "first answered call, fresh process",
            f"{first['cfmock'] * ms:.2f} ms",
            f"canned {first['canned'] * ms:.2f} ms",
            f"+{(first['cfmock'] - first['canned']) * ms:.2f} ms",
            "<= +5 ms",
        ),
        (
            "TestConnectionFunction + KVS, p50",
            f"{alone['median'] * ms:.3f} ms",
            f"canned reply {alone['floor'] * ms:.3f} ms",
            f"{alone['median'] / alone['floor']:.2f}x",
            "<= 0.8 ms (quiet machine)",
        ),
    ]


def print_rows(table: list[tuple[str, str, str, str, str]]) -> None:
    """Print *table* under its header, in columns."""
    header = ("what", "cfmock", "reference", "ratio", "goal")
    widths = [max(len(row[i]) for row in (header, *table)) for i in range(5)]
    for row in (header, *table):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    print_rows(rows())
