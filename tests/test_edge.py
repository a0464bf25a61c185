"""The local viewer edge: real TLS clients with real client certificates, decided by the mock."""

from __future__ import annotations

import http.client
import http.server
import itertools
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cfmock._cloudfront.distributions import minimal_config
from cfmock._cloudfront.trust_stores import BundleLocation
from cfmock._fronts.server import MockServer
from cfmock._options import MockOptions
from cfmock.pki import CertificateAuthority, Issued
from tests.conformance import require_tool

ACCOUNT = "123456789012"
_NAMES = itertools.count()
VERDICTS = "Good, Revoked, Unknown, Error or 'Error: <errorType>'"
ROOT = CertificateAuthority("Devices Root CA")
DEVICE = ROOT.issue("device-1")
REVOKED = ROOT.issue("device-2")
ROGUE = CertificateAuthority("Rogue CA").issue("intruder")
REVOCATION = """import cf from 'cloudfront';
async function connectionHandler(connection) {
  if (!connection.clientCertificate) {
    connection.logCustomData('anonymous');
    return connection.allow();
  }
  const serial = connection.clientCertificate.certificates.leaf.serialNumber;
  if (await cf.kvs().exists(serial)) {
    connection.logCustomData('revoked');
    return connection.deny();
  }
  connection.logCustomData('device ' + serial);
  connection.allow();
}"""


class Setup:
    """A served mock with an edge, a trust store, a revocation list and two distributions."""

    def __init__(self, server: MockServer, folder: Path) -> None:
        self.server = server
        self.folder = folder
        assert server.edge is not None
        self.edge = server.edge
        backend = server.dispatcher.backend
        store = backend.trust_stores.create(
            ACCOUNT, "devices", BundleLocation("b", "root.pem", "us-east-1"), bundle=ROOT.pem
        )
        backend.trust_stores.settle()
        kvs = backend.stores.create(ACCOUNT, "revoked")
        backend.stores.seed(kvs.arn, {REVOKED.event_serial_number: "1"})
        from cfmock._cloudfront.values import FunctionConfig

        function = backend.create(
            ACCOUNT,
            "gate",
            FunctionConfig("", "cloudfront-js-2.0", (kvs.arn,)),
            REVOCATION.encode(),
        )
        backend.publish(ACCOUNT, function.id, function.etag)
        for name, mode in (("required", "required"), ("optional", "optional")):
            config = minimal_config(name, aliases=(f"{name}.example.com",))
            config["ViewerMtlsConfig"] = {
                "Mode": mode,
                "TrustStoreConfig": {"TrustStoreId": store.id},
            }
            config["ConnectionFunctionAssociation"] = {"Id": function.id}
            backend.distributions.create(ACCOUNT, config)
        backend.distributions.create(
            ACCOUNT, minimal_config("plain", aliases=("plain.example.com",))
        )

    def files(self, issued: Issued, name: str) -> tuple[str, str]:
        certificate, key = self.folder / f"{name}.pem", self.folder / f"{name}.key"
        certificate.write_bytes(issued.pem)
        key.write_bytes(issued.key_pem)
        return str(certificate), str(key)

    def request(
        self, name: str, issued: Issued | None = None, *, target: str = "/"
    ) -> dict[str, Any]:
        """GET *target* through the edge as the viewer *issued*: the JSON, or the error."""
        context = ssl.create_default_context(cafile=str(self.edge.ca_file))
        if issued is not None:
            context.load_cert_chain(*self.files(issued, f"client-{next(_NAMES)}"))
        host, port = self.edge.address
        try:
            request = f"GET {target} HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n"
            with (
                socket.create_connection((host, port), timeout=10) as raw,
                context.wrap_socket(raw, server_hostname=name) as tls,
            ):
                tls.sendall(request.encode())
                data = b""
                while chunk := tls.recv(65536):
                    data += chunk
        except (ssl.SSLError, OSError) as error:
            return {"refused": type(error).__name__}
        if not data:
            return {"refused": "closed"}
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK"), head
        answer: dict[str, Any] = json.loads(body)
        return answer


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    server = MockServer("127.0.0.1", 0, MockOptions())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.start_edge()
    try:
        yield Setup(server, tmp_path)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _last(setup: Setup, count: int | None = None) -> Any:
    """The latest connection recorded; with *count*, once there are that many. A refusal
    OpenSSL sends by itself (no certificate in required mode) reaches the client before the
    edge's thread records it, so the test waits for the record (at most 10 s)."""
    connections = setup.server.dispatcher.backend.connections
    if count is not None:
        deadline = time.monotonic() + 10
        while len(connections) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(connections) >= count
    return connections[-1]


def test_a_trusted_device_gets_through_and_is_described(setup) -> None:
    answer = setup.request("required.example.com", DEVICE, target="/devices?x=1")
    assert (answer["allowed"], answer["decidedBy"], answer["function"]) == (
        True,
        "function",
        "gate",
    )
    assert answer["customData"] == f"device {DEVICE.event_serial_number}"
    assert (answer["sni"], answer["target"], answer["subject"]) == (
        "required.example.com",
        "/devices?x=1",
        "CN=device-1",
    )
    attempt = _last(setup)
    assert (attempt.allowed, attempt.client_ip) == (True, "127.0.0.1")


def test_refusals_fail_the_connection(setup) -> None:
    assert "refused" in setup.request("required.example.com", REVOKED)
    assert (_last(setup).code, _last(setup).decided_by) == ("ConnectionFunctionDenied", "function")
    assert "refused" in setup.request("required.example.com", ROGUE)
    assert _last(setup).code == "ClientCertUntrusted"
    assert "refused" in setup.request("required.example.com")
    assert _last(setup, count=3).code == "ClientCertMissing"


def test_optional_mode_lets_the_function_decide_without_a_certificate(setup) -> None:
    answer = setup.request("optional.example.com")
    assert (answer["allowed"], answer["customData"], answer["subject"]) == (True, "anonymous", None)
    assert "refused" in setup.request("optional.example.com", ROGUE)


def test_a_distribution_without_mtls_asks_for_no_certificate(setup) -> None:
    answer = setup.request("plain.example.com", ROGUE)
    assert (answer["allowed"], answer["decidedBy"]) == (True, "mode")


def test_an_unknown_name_is_refused_in_the_handshake(setup) -> None:
    connections = len(setup.server.dispatcher.backend.connections)
    assert "refused" in setup.request("nobody.example.com", DEVICE)
    assert len(setup.server.dispatcher.backend.connections) == connections


def test_concurrent_connections(setup) -> None:
    results: list[dict[str, Any]] = []
    lock = threading.Lock()

    def one(issued: Issued) -> None:
        answer = setup.request("required.example.com", issued)
        with lock:
            results.append(answer)

    threads = [
        threading.Thread(target=one, args=(DEVICE if index % 2 else REVOKED,)) for index in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(r.get("allowed", False) for r in results) == [False] * 4 + [True] * 4


def test_ocsp_verdicts_through_the_control_api(setup) -> None:
    checked = CertificateAuthority("OCSP Root CA")
    device = checked.issue("ocsp-device", ocsp_url="http://ocsp.example.com")
    backend = setup.server.dispatcher.backend
    store = backend.trust_stores.create(
        ACCOUNT,
        "checked",
        BundleLocation("b", "c.pem", "us-east-1"),
        bundle=checked.pem,
        use_ocsp=True,
    )
    backend.trust_stores.settle()
    config = minimal_config("ocsp", aliases=("ocsp.example.com",))
    config["ViewerMtlsConfig"] = {
        "Mode": "required",
        "TrustStoreConfig": {"TrustStoreId": store.id},
    }
    backend.distributions.create(ACCOUNT, config)
    assert setup.request("ocsp.example.com", device)["allowed"] is True
    host, port = setup.server.server_address[:2]

    def post(payload: Any) -> tuple[int, dict[str, Any]]:
        connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
        connection.request("POST", "/_cfmock/ocsp", body=json.dumps(payload).encode())
        response = connection.getresponse()
        answer: dict[str, Any] = json.loads(response.read())
        connection.close()
        return response.status, answer

    assert post({device.event_serial_number: "Revoked"}) == (
        200,
        {"ocsp": {f"{device.serial_number:#x}": "Revoked"}},
    )
    assert "refused" in setup.request("ocsp.example.com", device)
    assert (_last(setup).code, _last(setup).decided_by) == ("ClientCertRejected", "ocsp")
    assert post({"zz": "Good"})[0] == 400
    assert post({"1": "Good: x"})[0] == 400
    assert post({"1": "Maybe"}) == (
        400,
        {"error": f"POST /_cfmock/ocsp: the verdict for '1' must be {VERDICTS}"},
    )
    state = setup.server.state()
    assert state["edge"]["ocsp"] == {f"{device.serial_number:#x}": "Revoked"}
    assert state["connections"][-1]["code"] == "ClientCertRejected"
    assert post({"1": "Error: OCSP response verification failed: X"})[0] == 200
    setup.server.reset()  # forgets the verdicts too
    assert setup.edge.ocsp == {}


def test_the_edge_forwards_to_an_origin_with_client_cert_headers(tmp_path: Path) -> None:
    seen: list[dict[str, str]] = []

    class Origin(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            seen.append(dict(self.headers))
            body = b"from the origin"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Origin)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    server = MockServer("127.0.0.1", 0, MockOptions())
    edge = server.start_edge(origin=f"http://127.0.0.1:{origin.server_address[1]}")
    try:
        backend = server.dispatcher.backend
        config = minimal_config("pass", aliases=("pass.example.com",), passthrough=True)
        config["ViewerMtlsConfig"] = {"Mode": "passthrough"}
        backend.distributions.create(ACCOUNT, config)
        context = ssl.create_default_context(cafile=str(edge.ca_file))
        certificate, key = tmp_path / "c.pem", tmp_path / "c.key"
        certificate.write_bytes(ROGUE.pem)
        key.write_bytes(ROGUE.key_pem)
        context.load_cert_chain(str(certificate), str(key))
        with (
            socket.create_connection(edge.address, timeout=10) as raw,
            context.wrap_socket(raw, server_hostname="pass.example.com") as tls,
        ):
            tls.sendall(
                b"GET /hello HTTP/1.1\r\nHost: pass.example.com\r\nClient-Cert: :forged:\r\n"
                b"Connection: close\r\n\r\n"
            )
            data = b""
            while chunk := tls.recv(65536):
                data += chunk
        assert data.endswith(b"from the origin")
        import base64

        (headers,) = seen
        assert headers["Client-Cert"] == f":{base64.b64encode(ROGUE.der).decode()}:"
        assert "Client-Cert-Chain" not in headers
    finally:
        server.server_close()
        origin.shutdown()
        origin.server_close()


def test_closing_the_server_closes_open_connections(setup) -> None:
    context = ssl.create_default_context(cafile=str(setup.edge.ca_file))
    context.load_cert_chain(*setup.files(DEVICE, "open"))
    raw = socket.create_connection(setup.edge.address, timeout=10)
    tls = context.wrap_socket(raw, server_hostname="required.example.com")
    try:
        setup.edge.stop()
        assert tls.recv(1024) == b""
    except (ssl.SSLError, OSError):
        pass  # the connection was cut: also closed
    finally:
        tls.close()
    with pytest.raises(OSError):
        socket.create_connection(setup.edge.address, timeout=2)


def test_a_bad_origin_is_a_usage_error() -> None:
    from cfmock.exceptions import CfmockError

    server = MockServer("127.0.0.1", 0, MockOptions())
    try:
        with pytest.raises(CfmockError, match="the edge's origin must be an http"):
            server.start_edge(origin="ftp://example.com")
    finally:
        server.server_close()


# -- curl, a client that is not Python ----------------------------------------------------------


def _curl() -> str:
    found = shutil.which("curl")
    require_tool(None if found else "curl is not installed (apt-get install curl)")
    assert found is not None
    return found


def test_curl_with_a_device_certificate_gets_through_and_a_revoked_one_is_refused(setup) -> None:
    curl = _curl()
    host, port = setup.edge.address

    def fetch(issued: Issued) -> subprocess.CompletedProcess[str]:
        certificate, key = setup.files(issued, f"curl-{issued.serial_number}")
        return subprocess.run(
            [
                curl,
                "--silent",
                "--show-error",
                "--resolve",
                f"required.example.com:{port}:{host}",
                "--cacert",
                str(setup.edge.ca_file),
                "--cert",
                certificate,
                "--key",
                key,
                f"https://required.example.com:{port}/hello",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "CURL_HOME": str(setup.folder)},
            check=False,
        )

    allowed = fetch(DEVICE)
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)["customData"] == f"device {DEVICE.event_serial_number}"
    refused = fetch(REVOKED)
    assert refused.returncode != 0
    assert _last(setup).code == "ConnectionFunctionDenied"


# -- the command line -------------------------------------------------------------------------


def test_cfmock_server_edge_port_prints_the_edge_and_its_ca_file() -> None:
    import re
    import signal
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "cfmock", "server", "--port", "0", "--edge-port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        lines = [process.stderr.readline() for _ in range(2)]
        assert lines[0].startswith("cfmock server listening on http://127.0.0.1:")
        match = re.fullmatch(
            r"cfmock edge listening on https://127\.0\.0\.1:(\d+) \(clients trust (.+)\)\n",
            lines[1],
        )
        assert match is not None, lines
        assert int(match.group(1)) > 0
        assert Path(match.group(2)).read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    finally:
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=30)
    assert process.returncode == 0
    assert rest.endswith("cfmock server stopped\n")


def test_a_bad_edge_origin_on_the_command_line_is_one_clear_line() -> None:
    import sys

    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "cfmock",
            "server",
            "--port",
            "0",
            "--edge-port",
            "0",
            "--edge-origin",
            "ftp://example.com",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr == (
        "cfmock server: the edge's origin must be an http(s) URL, got 'ftp://example.com'\n"
    )


def test_sessions_are_not_resumed_so_every_connection_is_decided(setup) -> None:
    context = ssl.create_default_context(cafile=str(setup.edge.ca_file))
    context.load_cert_chain(*setup.files(DEVICE, "resume"))
    request = b"GET / HTTP/1.1\r\nHost: required.example.com\r\nConnection: close\r\n\r\n"
    session = None
    reused = []
    for _ in range(2):
        with (
            socket.create_connection(setup.edge.address, timeout=10) as raw,
            context.wrap_socket(
                raw, server_hostname="required.example.com", session=session
            ) as tls,
        ):
            tls.sendall(request)
            while tls.recv(65536):
                pass
            reused.append(tls.session_reused)
            session = tls.session
    assert reused == [False, False]
    assert [attempt.allowed for attempt in list(setup.server.dispatcher.backend.connections)] == [
        True,
        True,
    ]
