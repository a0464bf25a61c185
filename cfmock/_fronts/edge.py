"""A local viewer edge: a TLS listener that real clients connect to with client certificates.

:class:`Edge` serves every distribution of a :class:`~cfmock._fronts.server.MockServer`. The
client's SNI (a distribution's domain name or alias) picks the distribution, and the server
certificate for that name comes from a CA this edge makes when it starts (its PEM file is what
clients trust, ``curl --cacert``). The TLS layer is pyOpenSSL's: its verify callback sees the
chain the client presented, and at the leaf hands it to the same decision as ``cf.connect``
(:mod:`cfmock._viewer.connect`); a refusal fails the handshake, as CloudFront's does. A client
that presents no certificate is decided once the handshake is done (the callback never runs),
and a refusal then closes the connection before any request is answered.

An allowed connection's HTTPS requests are answered with a small JSON document describing the
decision, or, with an origin URL, forwarded there with the ``Client-Cert`` and
``Client-Cert-Chain`` headers passthrough mode documents. Each connection is one log line and is
recorded with the handle's and the control API's connections.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cfmock._fronts.http1 import printable

if TYPE_CHECKING:
    from OpenSSL import SSL

    from cfmock._fronts.server import MockServer
    from cfmock._viewer.connect import ConnectionAttempt
    from cfmock.pki import CertificateAuthority, Issued

LOG = logging.getLogger("cfmock.edge")
READ_TIMEOUT = 30.0
MAX_REQUEST_BYTES = 1024 * 1024
MAX_CONNECTIONS = 64
"""Connections handled at once; more wait to be accepted."""


class Edge:
    """The viewer edge on ``host:port`` (0: a free port) in front of *server*'s distributions."""

    def __init__(
        self,
        server: MockServer,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        origin: str | None = None,
        directory: str | Path | None = None,
    ) -> None:
        from cfmock.pki import CertificateAuthority

        self.server = server
        self.origin = origin
        if origin is not None and urllib.parse.urlsplit(origin).scheme not in ("http", "https"):
            from cfmock.exceptions import CfmockError

            raise CfmockError(f"cfmock: the edge's origin must be an http(s) URL, got {origin!r}")
        self.ca: CertificateAuthority = CertificateAuthority("cfmock local edge CA")
        folder = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="cfmock-edge-"))
        self.ca_file = folder / "cfmock-edge-ca.pem"
        self.ca_file.write_bytes(self.ca.pem)
        self.ocsp: dict[int, str] = {}
        """OCSP verdicts for the edge's connections, by serial number (the control API's)."""
        self._certificates: dict[str, Issued] = {}
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._stopping = threading.Event()
        self._listener = socket.create_server((host, port))
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._listener.getsockname()[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        """``https://HOST:PORT`` (clients give a distribution's name as SNI, e.g. with curl's
        ``--resolve NAME:PORT:HOST``)."""
        host, port = self.address
        return f"https://{host}:{port}"

    def start(self) -> None:
        """Accept connections on a thread of its own."""
        self._thread = threading.Thread(target=self._accept, name="cfmock-edge", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting and close every open connection."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            # Wakes the thread waiting in accept(), which close() alone does not.
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            open_sockets = list(self._open)
        for sock in open_sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(5)

    # -- accepting ----------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, address = self._listener.accept()
            except OSError:
                return
            if not self._slots.acquire(blocking=False):
                # Every slot is taken: refuse this one rather than stop accepting.
                LOG.info(
                    "edge: client=%s refused: %d connections open", address[0], MAX_CONNECTIONS
                )
                with contextlib.suppress(OSError):
                    sock.close()
                continue
            worker = threading.Thread(
                target=self._serve, args=(sock, address), name="cfmock-edge-connection", daemon=True
            )
            worker.start()

    def _serve(self, sock: socket.socket, address: Any) -> None:
        with self._lock:
            self._open.add(sock)
        try:
            sock.settimeout(READ_TIMEOUT)
            _Connection(self, sock, address).run()
        except Exception:  # noqa: BLE001 - one connection's failure must not reach the others
            LOG.exception("edge: the connection from %s failed", address[0])
        finally:
            with self._lock:
                self._open.discard(sock)
            with contextlib.suppress(OSError):
                sock.close()
            self._slots.release()

    # -- TLS -------------------------------------------------------------------------------------

    def context(self) -> SSL.Context:
        """The context a connection starts with: it only waits for the SNI to choose."""

        return _context()

    def certificate_for(self, name: str) -> Issued:
        """The server certificate for *name*, issued by the edge's CA on first use."""
        with self._lock:
            found = self._certificates.get(name)
            if found is None:
                # A common name holds at most 64 characters; the subjectAltName is what
                # clients check, and it holds the whole name.
                found = self.ca.issue(name[:64], dns_names=(name,), client_auth=False)
                self._certificates[name] = found
            return found


class _Connection:
    """One client: the handshake with the decision in it, then its requests."""

    def __init__(self, edge: Edge, sock: socket.socket, address: Any) -> None:
        self.edge = edge
        self.sock = sock
        self.client_ip = str(address[0])
        self.address = address
        self.sni: str | None = None
        self.distribution: Any = None
        self.chain: dict[int, Any] = {}
        self.attempt: ConnectionAttempt | None = None
        self.failure: str | None = None

    def run(self) -> None:
        from OpenSSL import SSL

        context = self.edge.context()
        context.set_tlsext_servername_callback(self._choose)
        connection = SSL.Connection(context, self.sock)
        connection.set_accept_state()
        # Until the SNI chooses a distribution, no certificate is asked for.
        connection.set_verify(SSL.VERIFY_NONE, self._verify)
        try:
            _patiently(connection.do_handshake, self.sock, time.monotonic() + READ_TIMEOUT)
        except (SSL.Error, OSError) as error:
            if self.attempt is None and "did not return a certificate" in str(error):
                # Required mode, and the client sent none: OpenSSL ended the handshake
                # before any callback; the decision says so, and the attempt is recorded.
                self.attempt = self._decide(None, ())
            self._log_refused(error)
            return
        if self.distribution is None:
            self._log_refused(None)
            return
        if self.attempt is None:
            self.attempt = self._decide(None, ())
        if not self.attempt.allowed:
            self._log()
            _close(connection)
            return
        self._log()
        self._answer(connection)

    # The SNI picks the distribution, its certificate and what is asked of the client.
    def _choose(self, connection: SSL.Connection) -> None:
        try:
            self._choose_for(connection)
        except Exception:  # noqa: BLE001 - pyOpenSSL would print it and fail the handshake
            LOG.exception("edge: sni=%s client=%s: no certificate", self.sni, self.client_ip)
            self.distribution = None

    def _choose_for(self, connection: SSL.Connection) -> None:
        from OpenSSL import SSL

        name = (connection.get_servername() or b"").decode("ascii", errors="replace")
        self.sni = name
        backend = self.edge.server.dispatcher.backend
        distribution = backend.distributions.find(backend.options.account_id, name)
        if distribution is None or name == distribution.id:
            return  # no certificate: the handshake fails
        self.distribution = distribution
        issued = self.edge.certificate_for(name)
        context = _context()
        context.use_certificate(issued.certificate)
        context.use_privatekey(issued.private_key)
        connection.set_context(context)
        mode = distribution.mtls_mode
        if mode is None:
            connection.set_verify(SSL.VERIFY_NONE, self._verify)
        elif mode == "required":
            connection.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, self._verify)
        else:
            connection.set_verify(SSL.VERIFY_PEER, self._verify)

    # Called for each certificate of the chain OpenSSL built from what the client sent, the
    # top first and the leaf last: the decision is taken at the leaf.
    def _verify(
        self, connection: SSL.Connection, certificate: Any, error: int, depth: int, ok: int
    ) -> bool:
        self.chain[depth] = certificate.to_cryptography()
        if depth != 0:
            return True
        if self.attempt is None:
            intermediates = [self.chain[d] for d in sorted(self.chain) if d > 0]
            try:
                self.attempt = self._decide(self.chain[0], intermediates)
            except Exception as failure:  # noqa: BLE001 - OpenSSL would swallow it unseen
                self.failure = f"the decision failed: {type(failure).__name__}: {failure}"
                LOG.exception("edge: sni=%s client=%s %s", self.sni, self.client_ip, self.failure)
                return False
        return self.attempt.allowed

    def _decide(self, leaf: Any, intermediates: Any) -> ConnectionAttempt:
        from cfmock._viewer.connect import connect

        backend = self.edge.server.dispatcher.backend
        return connect(
            backend,
            backend.options.account_id,
            self.distribution.id,
            leaf,
            intermediates=intermediates,
            client_ip=self.client_ip,
            ocsp=dict(self.edge.ocsp),
        )

    # -- after the handshake ------------------------------------------------------------------

    def _answer(self, connection: SSL.Connection) -> None:
        import h11

        peer = h11.Connection(h11.SERVER, max_incomplete_event_size=64 * 1024)
        while True:
            try:
                request, body = _read_request(connection, peer, self.sock)
            except _BadRequest as bad:
                content = f"cfmock edge: {bad}\n".encode()
                head = [("Content-Type", "text/plain"), ("Content-Length", str(len(content)))]
                answer = h11.Connection(h11.SERVER)
                data = answer.send(
                    h11.Response(status_code=400, headers=head, reason=b"Bad Request")
                )
                data = (data or b"") + content
                _send_all(connection, data, self.sock)
                _close(connection)
                return
            if request is None:
                return
            status, headers, content = self._respond(request, body)
            close = not _keeps_alive(request) or peer.our_state is h11.MUST_CLOSE
            headers = [*headers, ("Content-Length", str(len(content)))]
            if close:
                headers.append(("Connection", "close"))
            reason = _reason(status)
            data = peer.send(h11.Response(status_code=status, headers=headers, reason=reason))
            data = (data or b"") + (peer.send(h11.Data(data=content)) or b"")
            data += peer.send(h11.EndOfMessage()) or b""
            _send_all(connection, data, self.sock)
            if close or peer.our_state is not h11.DONE:
                _close(connection)
                return
            peer.start_next_cycle()

    def _respond(self, request: Any, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        attempt = self.attempt
        assert attempt is not None
        if self.edge.origin is not None:
            return self._forward(request, body)
        function = attempt.function
        document = {
            "distributionId": attempt.distribution_id,
            "sni": self.sni,
            "allowed": attempt.allowed,
            "decidedBy": attempt.decided_by,
            "reason": attempt.reason,
            "clientIp": attempt.client_ip,
            "subject": attempt.subject,
            "serialNumber": attempt.serial_number,
            "function": None if function is None else function.name,
            "customData": None if function is None else function.custom_data,
            "method": request.method.decode("ascii", errors="replace"),
            "target": request.target.decode("ascii", errors="replace"),
        }
        content = json.dumps(document, indent=2).encode() + b"\n"
        return 200, [("Content-Type", "application/json")], content

    def _forward(self, request: Any, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        import http.client

        attempt = self.attempt
        assert attempt is not None and self.edge.origin is not None
        origin = urllib.parse.urlsplit(self.edge.origin)
        headers = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in request.headers
            if name.lower() not in (b"client-cert", b"client-cert-chain", b"host", b"connection")
        }
        headers["Host"] = origin.netloc
        if attempt.client_cert is not None:
            headers["Client-Cert"] = f":{attempt.client_cert}:"
            if attempt.client_cert_chain:
                headers["Client-Cert-Chain"] = ", ".join(
                    f":{part}:" for part in attempt.client_cert_chain.split(",")
                )
        factory = (
            http.client.HTTPSConnection if origin.scheme == "https" else http.client.HTTPConnection
        )
        upstream = factory(origin.hostname or "localhost", origin.port, timeout=READ_TIMEOUT)
        try:
            path = origin.path.rstrip("/") + request.target.decode("ascii", errors="replace")
            upstream.request(request.method.decode("ascii"), path, body=body, headers=headers)
            answer = upstream.getresponse()
            content = answer.read()
            kept = [
                (name, value)
                for name, value in answer.getheaders()
                if name.lower() not in ("content-length", "connection", "transfer-encoding")
            ]
            return answer.status, kept, content
        except OSError as error:
            message = f"cfmock edge: the origin {self.edge.origin} did not answer: {error}\n"
            return 502, [("Content-Type", "text/plain")], message.encode()
        finally:
            upstream.close()

    # -- logging ------------------------------------------------------------------------------

    def _log(self) -> None:
        attempt = self.attempt
        assert attempt is not None
        LOG.info(
            "edge: sni=%s client=%s subject=%s serial=%s %s decided_by=%s code=%s reason=%s",
            printable(self.sni or "-"),
            self.client_ip,
            printable(attempt.subject or "-"),
            attempt.serial_number or "-",
            "allowed" if attempt.allowed else "refused",
            attempt.decided_by,
            attempt.code or "-",
            printable(attempt.reason),
        )

    def _log_refused(self, error: BaseException | None) -> None:
        if self.attempt is not None:
            self._log()
            return
        if self.distribution is None:
            LOG.info(
                "edge: sni=%s client=%s refused: no distribution has this name",
                printable(self.sni or "-"),
                self.client_ip,
            )
            return
        LOG.info(
            "edge: sni=%s client=%s handshake failed: %s",
            printable(self.sni or "-"),
            self.client_ip,
            printable(str(error) or type(error).__name__),
        )


def _context() -> SSL.Context:
    from OpenSSL import SSL

    context = SSL.Context(SSL.TLS_SERVER_METHOD)
    context.set_min_proto_version(SSL.TLS1_2_VERSION)
    # CloudFront turns session resumption off with mTLS: every connection is decided afresh.
    context.set_options(SSL.OP_NO_TICKET)
    context.set_session_cache_mode(SSL.SESS_CACHE_OFF)
    return context


def _patiently(call: Any, sock: socket.socket, deadline: float | None = None) -> Any:
    """*call* on a socket with a timeout, which OpenSSL sees as non-blocking: waits while it
    wants to read or write, up to :data:`READ_TIMEOUT` each time and until *deadline* in all
    (so a client that trickles bytes cannot hold a connection for ever)."""
    import select

    from OpenSSL import SSL

    while True:
        wait = READ_TIMEOUT
        if deadline is not None:
            wait = min(wait, deadline - time.monotonic())
            if wait <= 0:
                raise TimeoutError("the client took too long")
        try:
            return call()
        except SSL.WantReadError:
            ready = select.select([sock], [], [], wait)[0]
        except SSL.WantWriteError:
            ready = select.select([], [sock], [], wait)[1]
        if not ready:
            raise TimeoutError("the client went quiet")


def _send_all(connection: SSL.Connection, data: bytes, sock: socket.socket) -> None:
    view = memoryview(data)
    while view:
        sent: int = _patiently(lambda chunk=view: connection.send(chunk), sock)
        view = view[sent:]


def _reason(status: int) -> bytes:
    import http

    try:
        return http.HTTPStatus(status).phrase.encode("ascii")
    except ValueError:
        return b""


def _read_request(connection: SSL.Connection, peer: Any, sock: socket.socket) -> tuple[Any, bytes]:
    import h11
    from OpenSSL import SSL

    request = None
    body = b""
    total = 0
    deadline = time.monotonic() + READ_TIMEOUT
    while True:
        try:
            event = peer.next_event()
        except h11.RemoteProtocolError as error:
            if total == 0:
                return None, b""
            raise _BadRequest(f"the request is not HTTP/1.1 ({error})") from None
        if event is h11.NEED_DATA:
            try:
                data = _patiently(lambda: connection.recv(65536), sock, deadline)
            except (SSL.ZeroReturnError, SSL.SysCallError, SSL.Error, OSError):
                data = b""
            total += len(data)
            if total > MAX_REQUEST_BYTES:
                raise _BadRequest(f"the request is larger than {MAX_REQUEST_BYTES} bytes")
            peer.receive_data(data)
            continue
        if isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            return request, body
        elif isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
            return None, b""


class _BadRequest(Exception):
    """The client's bytes after the handshake are not a request the edge can read."""


def _keeps_alive(request: Any) -> bool:
    for name, value in request.headers:
        if name.lower() == b"connection" and value.lower() == b"close":
            return False
    return True


def _close(connection: SSL.Connection) -> None:
    from OpenSSL import SSL

    with contextlib.suppress(SSL.Error, OSError):
        connection.shutdown()
