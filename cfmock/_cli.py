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
    server.add_argument(
        "--edge-port",
        type=int,
        default=None,
        metavar="PORT",
        help="also listen as a local viewer edge (TLS with client certificates) on PORT "
        "(0: a free port, printed at start)",
    )
    server.add_argument(
        "--edge-origin",
        default=None,
        metavar="URL",
        help="forward the edge's allowed requests to URL, with Client-Cert headers "
        "(default: answer with a JSON description of the decision)",
    )
    server.add_argument(
        "--profile",
        choices=("faithful", "permissive"),
        default="faithful",
        help="the runtime profile functions run under (default: %(default)s)",
    )
    check = commands.add_parser(
        "check",
        help="check connection functions' code the way CloudFront's runtime loads it",
        description=(
            "Report the first construct in each FILE that CloudFront's cloudfront-js-2.0 "
            "runtime refuses to load, as FILE:LINE:COLUMN: MESSAGE. Exit status: 0 when every "
            "file would load, 1 when one would not, 2 when a file cannot be read or is not "
            "UTF-8 (the other files are still checked)."
        ),
    )
    check.add_argument("files", nargs="+", metavar="FILE", help="a function's code ('-': stdin)")
    check.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text lines, or a JSON list of {file, line, column, message} (default: %(default)s)",
    )
    check.add_argument(
        "--profile",
        choices=("faithful", "permissive"),
        default="faithful",
        help="the runtime profile to check against (default: %(default)s)",
    )
    arguments = parser.parse_args(argv)
    if arguments.command == "server":
        return run_server(
            arguments.host,
            arguments.port,
            arguments.account,
            arguments.profile,
            edge_port=arguments.edge_port,
            edge_origin=arguments.edge_origin,
        )
    if arguments.command == "check":
        return run_check(arguments.files, arguments.format, arguments.profile)
    from cfmock._demo import run_demo

    return run_demo(sys.stdout)


def run_server(
    host: str,
    port: int,
    account: str | None,
    profile: str = "faithful",
    *,
    edge_port: int | None = None,
    edge_origin: str | None = None,
) -> int:
    """Serve until SIGINT or SIGTERM, logging one line per request."""
    import logging
    import signal
    import threading

    from cfmock._fronts.server import MockServer
    from cfmock._options import MockOptions
    from cfmock.exceptions import CfmockError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    try:
        options = MockOptions(runtime_profile=profile)
        if account:
            options = MockOptions(account_id=account, runtime_profile=profile)
        server = MockServer(host, port, options)
        if edge_port is not None:
            server.start_edge(host, edge_port, origin=edge_origin)
    except (CfmockError, OSError, ImportError) as error:
        print(f"cfmock server: {str(error).removeprefix('cfmock: ')}", file=sys.stderr)
        return 2

    def stop(signum: int, frame: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"cfmock server listening on {server.url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    if server.edge is not None:
        print(
            f"cfmock edge listening on {server.edge.url} (clients trust {server.edge.ca_file})",
            file=sys.stderr,
            flush=True,
        )
    try:
        server.serve_forever()
    finally:
        server.server_close()
    print("cfmock server stopped", file=sys.stderr, flush=True)
    return 0


def run_check(files: Sequence[str], output: str, profile: str) -> int:
    """Check each file; print its problem, if any. Exit 2 if a file could not be checked."""
    import json

    from cfmock._runtime.syntax import check_code
    from cfmock.exceptions import CfmockError

    found: list[dict[str, object]] = []
    unreadable = False
    for name in files:
        try:
            code = sys.stdin.buffer.read() if name == "-" else _read(name)
            problems = check_code(code, profile=profile)
        except (OSError, CfmockError) as error:
            print(f"cfmock check: {name}: {error}", file=sys.stderr)
            unreadable = True
            continue
        for problem in problems:
            found.append(
                {
                    "file": name,
                    "line": problem.line,
                    "column": problem.column,
                    "message": problem.message,
                }
            )
    if output == "json":
        print(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        for entry in found:
            print(f"{entry['file']}:{entry['line']}:{entry['column']}: {entry['message']}")
    if unreadable:
        return 2
    return 1 if found else 0


def _read(name: str) -> bytes:
    with open(name, "rb") as file:
        return file.read()
