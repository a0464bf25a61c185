"""cfmock's performance budget, measured as ratios against references timed in the same run.

Run ``python benchmarks/bench.py`` after ``pip install -e ".[bench]"``. It prints one table;
it asserts nothing (timing is for people, not for the test suite). Targets are those of the
project's design notes:

* ``update_connection_function`` through cfmock: at most 1.0x the botocore floor (the same
  call answered by a canned ``before-send`` reply, signed as botocore signs it: cfmock answers
  its own calls unsigned); moto's stateful ``update_origin_access_control`` with IfMatch is
  shown for comparison.
* enter + exit of the activator: under 0.05 ms (moto's ``mock_aws()`` for comparison).
* ``import cfmock``: at most 20 ms above ``import botocore``.
* a ListConnectionFunctions page of 100: the same cost among 10,000 functions as among 100.
* the flat costs of ``flat_costs.py`` (a 5 MB KeyValueStore against a two-key one, memory
  after 10,000 updates, the first call in a fresh process) and the server's requests per second
  against a standard-library server (``server_throughput.py``).
"""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from cfmock import mock_connection_functions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flat_costs  # noqa: E402 - beside this file, found once its folder is on the path
import server_throughput  # noqa: E402

ROUNDS = int(os.environ.get("CFMOCK_BENCH_ROUNDS", "9"))
CALLS = int(os.environ.get("CFMOCK_BENCH_CALLS", "400"))
CONFIG = {"Comment": "benchmark", "Runtime": "cloudfront-js-2.0"}
CODE = b"function connectionHandler(connection) { connection.allow(); }"
CREDENTIALS = {"aws_access_key_id": "AKIDBENCHMARK", "aws_secret_access_key": "secret"}


class _Body(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


def _client() -> Any:
    return boto3.session.Session().client("cloudfront", region_name="us-east-1", **CREDENTIALS)


def _canned_update_body() -> bytes:
    # The body cfmock itself returns for this update, so both sides parse the same response.
    with mock_connection_functions() as cf:
        seeded = cf.add_function("bench", CODE, comment="benchmark")
        response = _client().update_connection_function(
            Id=seeded.id,
            IfMatch=seeded.etag,
            ConnectionFunctionConfig=CONFIG,
            ConnectionFunctionCode=CODE,
        )
        raw: bytes = response["ResponseMetadata"].get("cfmock_body", b"")
        summary = response["ConnectionFunctionSummary"]
    created = summary["CreatedTime"].strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return (
        raw
        or (
            '<?xml version="1.0" encoding="UTF-8"?>\n<ConnectionFunctionSummary '
            'xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
            f"<Name>bench</Name><Id>{summary['Id']}</Id><ConnectionFunctionConfig>"
            "<Comment>benchmark</Comment><Runtime>cloudfront-js-2.0</Runtime>"
            f"</ConnectionFunctionConfig><ConnectionFunctionArn>{summary['ConnectionFunctionArn']}"
            "</ConnectionFunctionArn><Status>UNPUBLISHED</Status><Stage>DEVELOPMENT</Stage>"
            f"<CreatedTime>{created}</CreatedTime><LastModifiedTime>{created}</LastModifiedTime>"
            "</ConnectionFunctionSummary>"
        ).encode()
    )


def _best(values: Iterable[float]) -> float:
    # The fastest round is the one least disturbed by other load, as timeit's docs advise;
    # every measurement here, references included, uses the same statistic.
    return min(values)


def _per_call(run: Callable[[int], None], calls: int) -> float:
    start = time.perf_counter()
    run(calls)
    return (time.perf_counter() - start) / calls


def bench_update() -> dict[str, float]:
    body = _canned_update_body()
    floor_client = _client()
    headers: Any = {"ETag": "E3UN6WX5RRO2AG", "Content-Type": "text/xml"}
    floor_client.meta.events.register(
        "before-send.cloudfront",
        lambda request, **_: AWSResponse(request.url, 200, headers, _Body(body)),
    )

    def floor(n: int) -> None:
        for _ in range(n):
            floor_client.update_connection_function(
                Id="cf_x",
                IfMatch="E1",
                ConnectionFunctionConfig=CONFIG,
                ConnectionFunctionCode=CODE,
            )

    cfmock_client = _client()  # made once, as for the floor: the seam reaches it when active

    def cfmock_updates(n: int) -> None:
        with mock_connection_functions() as cf:
            client = cfmock_client
            function = cf.add_function("bench", CODE, comment="benchmark")
            etag = function.etag
            for _ in range(n):
                etag = client.update_connection_function(
                    Id=function.id,
                    IfMatch=etag,
                    ConnectionFunctionConfig=CONFIG,
                    ConnectionFunctionCode=CODE,
                )["ETag"]

    moto_updates = _moto_updates()
    samples: dict[str, list[float]] = {"floor": [], "cfmock": [], "moto": []}
    floor(50)
    cfmock_updates(50)
    if moto_updates:
        moto_updates(50)
    for _ in range(ROUNDS):
        samples["floor"].append(_per_call(floor, CALLS))
        samples["cfmock"].append(_per_call(cfmock_updates, CALLS))
        if moto_updates:
            samples["moto"].append(_per_call(moto_updates, CALLS))
    return {name: _best(values) for name, values in samples.items() if values}


def _distribution_config(store_id: str, function_id: str) -> dict[str, Any]:
    origin = {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}
    return {
        "CallerReference": "bench",
        "Comment": "benchmark",
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [{"Id": "o", "DomainName": "example.com", "CustomOriginConfig": origin}],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "o",
            "ViewerProtocolPolicy": "https-only",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
        "ViewerMtlsConfig": {"Mode": "required", "TrustStoreConfig": {"TrustStoreId": store_id}},
        "ConnectionFunctionAssociation": {"Id": function_id},
    }


def bench_update_distribution() -> dict[str, float]:
    """UpdateDistribution with a ViewerMtlsConfig and an association, against its floor."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    ca = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    ).public_bytes(Encoding.PEM)
    cfmock_client = _client()
    captured: list[bytes] = []
    cfmock_client.meta.events.register(
        "after-call.cloudfront.UpdateDistribution",
        lambda http_response, **_: captured.append(http_response.content),
    )

    def cfmock_updates(n: int) -> None:
        with mock_connection_functions() as cf:
            store = cf.add_trust_store("bench", ca)
            function = cf.add_function("bench", CODE)
            cf.publish("bench")
            config = _distribution_config(store.id, function.id)
            created = cfmock_client.create_distribution(DistributionConfig=config)
            distribution_id, etag = created["Distribution"]["Id"], created["ETag"]
            for _ in range(n):
                etag = cfmock_client.update_distribution(
                    Id=distribution_id, IfMatch=etag, DistributionConfig=config
                )["ETag"]

    cfmock_updates(2)
    body = captured[-1]
    floor_client = _client()
    headers: Any = {"ETag": "E3UN6WX5RRO2AG", "Content-Type": "text/xml"}
    floor_client.meta.events.register(
        "before-send.cloudfront",
        lambda request, **_: AWSResponse(request.url, 200, headers, _Body(body)),
    )
    floor_config = _distribution_config("ts_x", "cf_x")

    def floor(n: int) -> None:
        for _ in range(n):
            floor_client.update_distribution(Id="E1", IfMatch="E1", DistributionConfig=floor_config)

    floor(20)
    cfmock_updates(20)
    samples: dict[str, list[float]] = {"floor": [], "cfmock": []}
    for _ in range(ROUNDS):
        samples["floor"].append(_per_call(floor, CALLS // 2))
        samples["cfmock"].append(_per_call(cfmock_updates, CALLS // 2))
    return {name: _best(values) for name, values in samples.items()}


def bench_connect() -> dict[str, float]:
    """One cf.connect with a two-certificate chain, OCSP off, and a KeyValueStore lookup."""
    import statistics

    from cfmock.pki import CertificateAuthority

    root = CertificateAuthority("Bench Root CA")
    issuing = root.intermediate("Bench Issuing CA")
    device = issuing.issue("device")
    with mock_connection_functions() as cf:
        cf.add_trust_store("bench", root.pem)
        store = cf.add_key_value_store("revoked", {"00:ff": "x"})
        cf.add_function("revocation", CONNECT_CHECK, key_value_store_arn=store.arn)
        cf.publish("revocation")
        function_id = cf.get_function("revocation").id
        client = _client()
        config = _distribution_config(cf.trust_store("bench").id, function_id)
        distribution = client.create_distribution(DistributionConfig=config)["Distribution"]
        domain = distribution["DomainName"]
        for _ in range(5):
            assert cf.connect(domain, device, intermediates=[issuing]).allowed
        times = []
        for _ in range(ROUNDS * 20):
            start = time.perf_counter()
            cf.connect(domain, device, intermediates=[issuing])
            times.append(time.perf_counter() - start)
    return {"median": statistics.median(times), "best": min(times)}


def bench_edge() -> dict[str, float]:
    """Allowed TLS connections per second through the local edge (one GET each), with a
    KeyValueStore lookup in the connection function; client and edge on this machine."""
    import socket
    import ssl
    import tempfile
    import threading
    from pathlib import Path

    from cfmock._cloudfront.distributions import minimal_config
    from cfmock._cloudfront.trust_stores import BundleLocation
    from cfmock._cloudfront.values import FunctionConfig
    from cfmock._fronts.server import MockServer
    from cfmock._options import MockOptions
    from cfmock.pki import CertificateAuthority

    account = "123456789012"
    root = CertificateAuthority("Bench Root CA")
    device = root.issue("device")
    server = MockServer("127.0.0.1", 0, MockOptions())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    edge = server.start_edge()
    try:
        backend = server.dispatcher.backend
        store = backend.trust_stores.create(
            account, "bench", BundleLocation("b", "k", "us-east-1"), bundle=root.pem
        )
        backend.trust_stores.settle()
        kvs = backend.stores.create(account, "revoked")
        backend.stores.seed(kvs.arn, {"00:ff": "x"})
        config = FunctionConfig("", "cloudfront-js-2.0", (kvs.arn,))
        function = backend.create(account, "revocation", config, CONNECT_CHECK)
        backend.publish(account, function.id, function.etag)
        distribution = minimal_config("bench", aliases=("bench.example.com",))
        distribution["ViewerMtlsConfig"] = {
            "Mode": "required",
            "TrustStoreConfig": {"TrustStoreId": store.id},
        }
        distribution["ConnectionFunctionAssociation"] = {"Id": function.id}
        backend.distributions.create(account, distribution)
        folder = Path(tempfile.mkdtemp(prefix="cfmock-bench-"))
        (folder / "d.pem").write_bytes(device.pem)
        (folder / "d.key").write_bytes(device.key_pem)
        context = ssl.create_default_context(cafile=str(edge.ca_file))
        context.load_cert_chain(str(folder / "d.pem"), str(folder / "d.key"))
        request = b"GET / HTTP/1.1\r\nHost: bench.example.com\r\nConnection: close\r\n\r\n"

        def connections(n: int) -> None:
            for _ in range(n):
                with (
                    socket.create_connection(edge.address) as raw,
                    context.wrap_socket(raw, server_hostname="bench.example.com") as tls,
                ):
                    tls.sendall(request)
                    answer = b""
                    while chunk := tls.recv(65536):
                        answer += chunk
                    assert b'"allowed": true' in answer

        connections(5)
        best = _best(_per_call(connections, 30) for _ in range(max(3, ROUNDS // 3)))
        return {"per_second": 1 / best, "each": best}
    finally:
        server.shutdown()
        server.server_close()


CONNECT_CHECK = b"""import cf from 'cloudfront';
const kvs = cf.kvs();
async function connectionHandler(connection) {
  const serial = connection.clientCertificate.certificates.leaf.serialNumber;
  if (await kvs.exists(serial)) return connection.deny();
  connection.allow();
}
"""


def _moto_updates() -> Callable[[int], None] | None:
    try:
        from moto import mock_aws
    except ImportError:
        return None

    client = _client()

    def run(n: int) -> None:
        with mock_aws():
            created = client.create_origin_access_control(
                OriginAccessControlConfig={
                    "Name": "bench",
                    "SigningProtocol": "sigv4",
                    "SigningBehavior": "always",
                    "OriginAccessControlOriginType": "s3",
                }
            )
            oac_id, etag = created["OriginAccessControl"]["Id"], created["ETag"]
            for _ in range(n):
                etag = client.update_origin_access_control(
                    Id=oac_id,
                    IfMatch=etag,
                    OriginAccessControlConfig={
                        "Name": "bench",
                        "SigningProtocol": "sigv4",
                        "SigningBehavior": "always",
                        "OriginAccessControlOriginType": "s3",
                    },
                )["ETag"]

    return run


def bench_activation() -> dict[str, float]:
    def cfmock_cycle(n: int) -> None:
        for _ in range(n):
            with mock_connection_functions():
                pass

    results = {"cfmock": _best(_per_call(cfmock_cycle, 2000) for _ in range(ROUNDS))}
    try:
        from moto import mock_aws
    except ImportError:
        return results

    def moto_cycle(n: int) -> None:
        for _ in range(n):
            with mock_aws():
                pass

    results["moto"] = _best(_per_call(moto_cycle, 100) for _ in range(ROUNDS))
    return results


def _after(marker: str | None) -> dict[str, str]:
    return {"Marker": marker} if marker else {}


def bench_list() -> dict[int, float]:
    """One ListConnectionFunctions page of 100, among 100 and among 10,000 functions.

    The two populations live in two accounts of one activation (a 12-digit access key picks
    the account), so their rounds can alternate and drift in the process hits both alike.
    """
    small, large = "111111111111", "222222222222"
    sizes = {small: 100, large: 10_000}
    samples: dict[int, list[float]] = {size: [] for size in sizes.values()}
    with mock_connection_functions(max_functions=10_000) as cf:
        clients = {}
        markers: dict[str, str | None] = {}
        for account, total in sizes.items():
            for index in range(total):
                cf.add_function(f"fn-{index}", CODE, account_id=account)
            client = boto3.session.Session().client(
                "cloudfront",
                region_name="us-east-1",
                aws_access_key_id=account,
                aws_secret_access_key="secret",
            )
            # Among 100 the only full page is the first; among 10,000, take one from the middle.
            marker: str | None = None
            for _ in range(total // 200):
                marker = client.list_connection_functions(MaxItems=100, **_after(marker))[
                    "NextMarker"
                ]
            clients[account], markers[account] = client, marker

        def pages_of(account: str) -> Callable[[int], None]:
            def pages(n: int) -> None:
                for _ in range(n):
                    page = clients[account].list_connection_functions(
                        MaxItems=100, **_after(markers[account])
                    )
                    assert len(page["ConnectionFunctions"]) == 100

            return pages

        for account in sizes:
            pages_of(account)(3)
        for _ in range(ROUNDS):
            for account, total in sizes.items():
                samples[total].append(_per_call(pages_of(account), 20))
    return {total: _best(values) for total, values in samples.items()}


def _ten_kb_function() -> str:
    """A valid connection function of about 10 KB: many small helpers, then the handler."""
    helper = (
        "function check{n}(serial) {{\n"
        "  var digits = serial.split(':').join('');\n"
        "  const size = digits.length * {n};\n"
        "  return size > 0 && digits.indexOf('ff') === -1 ? `ok ${{size}}` : null;\n"
        "}}\n"
    )
    parts: list[str] = []
    n = 0
    while sum(map(len, parts)) < 9_800:
        parts.append(helper.format(n=n))
        n += 1
    parts.append("function connectionHandler(connection) { connection.allow(); }\n")
    return "".join(parts)


def bench_check() -> dict[str, float]:
    """The load-time check of a 10 KB function: first in a process, uncached, cached."""
    from cfmock._runtime import syntax

    code = _ten_kb_function()
    statement = (
        "import sys, time; sys.path.insert(0, '.'); code = sys.stdin.read(); "
        "t = time.perf_counter(); from cfmock import check_code; "
        "assert check_code(code) == []; print(time.perf_counter() - t)"
    )
    cold = [
        float(
            subprocess.run(
                [sys.executable, "-c", statement], input=code, capture_output=True, text=True
            ).stdout
        )
        for _ in range(3)
    ]

    def uncached(n: int) -> None:
        for _ in range(n):
            syntax.cache_clear()
            assert syntax.check(code) == []

    def cached(n: int) -> None:
        for _ in range(n):
            assert syntax.check(code) == []

    uncached(2)
    return {
        "bytes": float(len(code.encode())),
        "cold": _best(cold),
        "uncached": _best(_per_call(uncached, 20) for _ in range(ROUNDS)),
        "cached": _best(_per_call(cached, 20_000) for _ in range(ROUNDS)),
    }


def bench_import() -> dict[str, float]:
    def timed_import(statement: str) -> float:
        code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        return float(out.stdout)

    samples: dict[str, list[float]] = {"botocore": [], "cfmock": []}
    for _ in range(ROUNDS + 6):
        samples["botocore"].append(timed_import("import botocore"))
        # What a test module writes; the seam, codec and backend load at the first start().
        samples["cfmock"].append(timed_import("from cfmock import mock_connection_functions"))
    return {name: _best(values) for name, values in samples.items()}


def main() -> None:
    update = bench_update()
    activation = bench_activation()
    listing = bench_list()
    checking = bench_check()
    distribution = bench_update_distribution()
    connecting = bench_connect()
    edging = bench_edge()
    imports = bench_import()
    ms = 1000.0
    rows = [
        (
            "update_connection_function",
            f"{update['cfmock'] * ms:.3f} ms",
            f"floor {update['floor'] * ms:.3f} ms",
            f"{update['cfmock'] / update['floor']:.2f}x floor",
            "<= 1.0x floor",
        ),
    ]
    if "moto" in update:
        rows.append(
            (
                "  moto update_origin_access_control",
                f"{update['moto'] * ms:.3f} ms",
                f"floor {update['floor'] * ms:.3f} ms",
                f"{update['moto'] / update['floor']:.2f}x floor",
                "(reference)",
            )
        )
    rows.append(
        (
            "activator enter + exit",
            f"{activation['cfmock'] * ms:.4f} ms",
            f"moto {activation['moto'] * ms:.3f} ms" if "moto" in activation else "-",
            f"{activation['cfmock'] / activation['moto']:.4f}x moto"
            if "moto" in activation
            else "-",
            "< 0.05 ms",
        )
    )
    rows.append(
        (
            "from cfmock import mock_...",
            f"{imports['cfmock'] * ms:.1f} ms",
            f"botocore {imports['botocore'] * ms:.1f} ms",
            f"+{(imports['cfmock'] - imports['botocore']) * ms:.1f} ms",
            "<= +20 ms",
        )
    )
    rows.append(
        (
            "list page of 100 among 10,000",
            f"{listing[10_000] * ms:.3f} ms",
            f"among 100: {listing[100] * ms:.3f} ms",
            f"{listing[10_000] / listing[100]:.2f}x",
            "independent of total",
        )
    )
    rows.append(
        (
            "update_distribution, mTLS + function",
            f"{distribution['cfmock'] * ms:.3f} ms",
            f"floor {distribution['floor'] * ms:.3f} ms",
            f"{distribution['cfmock'] / distribution['floor']:.2f}x floor",
            "<= 1.3x floor",
        )
    )
    rows.append(
        (
            "cf.connect, 2-cert chain + KVS",
            f"{connecting['median'] * ms:.3f} ms median",
            f"best {connecting['best'] * ms:.3f} ms",
            "-",
            "< 3 ms median",
        )
    )
    rows.append(
        (
            "edge: allowed TLS connections + KVS",
            f"{edging['per_second']:.0f} /s",
            f"{edging['each'] * ms:.2f} ms each",
            "-",
            "(client on the same machine)",
        )
    )
    rows.append(
        (
            f"check_code, {checking['bytes'] / 1000:.1f} KB, cached",
            f"{checking['cached'] * ms * 1000:.2f} us",
            f"uncached {checking['uncached'] * ms:.2f} ms",
            f"first in a process {checking['cold'] * ms:.1f} ms",
            "cached: a lookup",
        )
    )
    server = server_throughput.bench_server()
    rows.append(
        (
            "server, keep-alive describe, 4 threads",
            f"{server['cfmock_rps']:.0f} /s",
            f"stdlib canned {server['stdlib_rps']:.0f} /s",
            f"{server['ratio']:.2f}x",
            ">= 0.8x",
        )
    )
    rows.extend(flat_costs.rows())
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    flat_costs.print_rows(rows)


if __name__ == "__main__":
    main()
