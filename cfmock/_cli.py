"""The ``cfmock`` console script (also ``python -m cfmock``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in *argv* (defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(
        prog="cfmock",
        description="In-process mock of the Amazon CloudFront Connection Functions API.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "demo", help="walk the Connection Functions lifecycle against the mock and print it"
    )
    server = commands.add_parser(
        "server", help="serve the mock over HTTP for the AWS CLI and other SDKs"
    )
    server.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    server.add_argument("--port", type=int, default=5000, help="port (default: %(default)s)")
    server.add_argument(
        "--account",
        default=None,
        help="account for requests whose access key is not 12 digits (default: 123456789012)",
    )
    arguments = parser.parse_args(argv)
    if arguments.command == "server":
        return run_server(arguments.host, arguments.port, arguments.account)
    from cfmock._demo import run_demo

    return run_demo(sys.stdout)


def run_server(host: str, port: int, account: str | None) -> int:
    """Serve until SIGINT or SIGTERM, logging one line per request."""
    import logging
    import signal
    import threading

    from cfmock._fronts.server import MockServer
    from cfmock._options import MockOptions
    from cfmock.exceptions import CfmockError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    try:
        options = MockOptions(account_id=account) if account else MockOptions()
        server = MockServer(host, port, options)
    except (CfmockError, OSError) as error:
        print(f"cfmock server: {error}", file=sys.stderr)
        return 2

    def stop(signum: int, frame: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"cfmock server listening on {server.url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    print("cfmock server stopped", file=sys.stderr, flush=True)
    return 0
