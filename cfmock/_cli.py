"""The ``cfmock`` console script (also ``python -m cfmock``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from cfmock import __version__
from cfmock.exceptions import DOCS_URL

_MAIN_EPILOG = f"""\
examples:
  cfmock demo              a connection function's life against the mock
  cfmock server --port 0   the mock over HTTP for the AWS CLI and other SDKs
  cfmock check gate.js     would CloudFront's runtime load gate.js?
  cfmock COMMAND --help    a command's options and examples

docs: {DOCS_URL}/cli.md
"""
_DEMO_EPILOG = """\
colour:
  With --color auto (the default) the transcript is coloured when stdout is a
  terminal, NO_COLOR is unset or empty and TERM is not "dumb". --color always
  colours it anyway; --no-color never does.

examples:
  cfmock demo
  cfmock demo --no-color > demo.txt
  cfmock demo --color always | less -R
"""
_SERVER_EPILOG = """\
control API (for test harnesses, not for AWS clients):
  POST /_cfmock/reset        forget everything the mock holds
  GET  /_cfmock/state        what the mock holds, the calls and the connections
  POST /_cfmock/ca-bundles   seed a CA bundle for CreateTrustStore
  POST /_cfmock/connect      decide a viewer connection, as cf.connect does
  POST /_cfmock/ocsp         OCSP verdicts for the edge's connections
  POST /_cfmock/keys         put keys into a KeyValueStore

examples:
  cfmock server                        http://127.0.0.1:5000
  cfmock server --port 0               a free port, printed on the first line
  cfmock server --account 111122223333 --profile permissive
  cfmock server --edge-port 0 --edge-origin http://127.0.0.1:8080

  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
  export AWS_DEFAULT_REGION=us-east-1
  aws cloudfront list-connection-functions --endpoint-url http://127.0.0.1:5000
  curl -s http://127.0.0.1:5000/_cfmock/state

  # the KeyValueStore data plane: the server is also the HTTP proxy of a made-up host
  HTTP_PROXY=http://127.0.0.1:5000 aws cloudfront-keyvaluestore describe-key-value-store \\
    --kvs-arn ARN --endpoint-url http://kvs.cfmock --no-sign-request
"""
_CHECK_EPILOG = """\
examples:
  cfmock check gate.js
  cfmock check --format json functions/*.js
  cat gate.js | cfmock check -
  cfmock check --profile permissive gate.js
"""


def _usage_error(prog: str, message: str) -> NoReturn:
    print(f"{prog}: {message}; see '{prog} --help'", file=sys.stderr)
    raise SystemExit(2)


def _reason(error: BaseException) -> str:
    """An error's message without the ``cfmock:`` that the command's own prefix replaces."""
    return str(error).removeprefix("cfmock: ")


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, ``PROG: MESSAGE; see 'PROG --help'``, and exit status 2."""

    def error(self, message: str) -> NoReturn:
        _usage_error(self.prog, message)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 0 to 65535")
    return port


def _account(text: str) -> str:
    if len(text) != 12 or not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not an AWS account ID (12 digits)")
    return text


def _parser() -> _Parser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="cfmock",
        description=(
            "A mock of the Amazon CloudFront Connection Functions API and viewer mTLS, for\n"
            "Python tests. In tests, use it in process (mock_connection_functions, the cfmock\n"
            "pytest fixture); these commands show it, serve it to other tools, and check code."
        ),
        epilog=_MAIN_EPILOG,
        formatter_class=formatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"cfmock {__version__}", help="print the version"
    )
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="walk a connection function's life against the mock and print it",
        description=(
            "Walk a connection function's life against the in-process mock and print each\n"
            "request and answer: create; a stale-ETag update refused (PreconditionFailed);\n"
            "publish; a KeyValueStore of revoked serial numbers; TestConnectionFunction\n"
            "allowing one device and denying a revoked one; a trust store, a distribution\n"
            "with viewer mTLS, and viewer connections decided end to end. No AWS account\n"
            "and no network are used."
        ),
        epilog=_DEMO_EPILOG,
        formatter_class=formatter,
    )
    demo.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the transcript (default: %(default)s)",
    )
    demo.add_argument(
        "--no-color",
        dest="color",
        action="store_const",
        const="never",
        help="the same as --color never",
    )
    server = commands.add_parser(
        "server",
        help="serve the mock over HTTP for the AWS CLI and other SDKs",
        description=(
            "Serve the mock over HTTP on localhost for the AWS CLI, the AWS SDK for\n"
            "JavaScript and other SDKs: point their endpoint URL at it. It logs one line per\n"
            "request on stderr, stops on Ctrl-C or SIGTERM, and exits 2 if it cannot start."
        ),
        epilog=_SERVER_EPILOG,
        formatter_class=formatter,
    )
    server.add_argument(
        "--host", default="127.0.0.1", help="the address to bind (default: %(default)s)"
    )
    server.add_argument(
        "--port",
        type=_port,
        default=5000,
        help="the port, 0 to 65535; 0 picks a free one (default: %(default)s)",
    )
    server.add_argument(
        "--account",
        type=_account,
        default=None,
        help="the account of requests whose access key ID is not 12 digits (default: 123456789012)",
    )
    server.add_argument(
        "--edge-port",
        type=_port,
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
        "(default: answer with a JSON description of the decision); needs --edge-port",
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
            "Report the first construct in each FILE that CloudFront's cloudfront-js-2.0\n"
            "runtime refuses to load, as FILE:LINE:COLUMN: MESSAGE. Exit status: 0 when every\n"
            "file would load, 1 when one would not, 2 when a file cannot be read or is not\n"
            "UTF-8 (the other files are still checked)."
        ),
        epilog=_CHECK_EPILOG,
        formatter_class=formatter,
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in *argv* (defaults to ``sys.argv[1:]``); return the exit status."""
    parser = _parser()
    arguments, unknown = parser.parse_known_args(argv)
    if unknown:
        prog = f"cfmock {arguments.command}" if arguments.command else "cfmock"
        _usage_error(prog, f"unrecognized arguments: {' '.join(unknown)}")
    if arguments.command is None:
        parser.print_help()
        return 0
    if arguments.command == "server":
        if arguments.edge_origin is not None and arguments.edge_port is None:
            _usage_error(
                "cfmock server", "--edge-origin needs --edge-port, the edge that forwards to it"
            )
        return run_server(
            arguments.host,
            arguments.port,
            arguments.account,
            arguments.profile,
            edge_port=arguments.edge_port,
            edge_origin=arguments.edge_origin,
        )
    try:
        if arguments.command == "check":
            status = run_check(arguments.files, arguments.format, arguments.profile)
        else:
            from cfmock._demo import run_demo

            status = run_demo(sys.stdout, color=use_color(arguments.color, sys.stdout))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader left early (``cfmock demo | head``). Point stdout at /dev/null so that the
        # flush at exit cannot fail again, and stop without a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return status


def use_color(choice: str, stream: TextIO) -> bool:
    """Whether to colour *stream*: *choice* ``always``/``never``, or for ``auto`` a terminal
    without ``NO_COLOR`` (https://no-color.org) and not ``TERM=dumb``."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


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
        # The answers' lines go straight to stderr, formatted as basicConfig's: a log record
        # for each would cost a quarter of the server's throughput.
        server.answer_log = sys.stderr
        if edge_port is not None:
            server.start_edge(host, edge_port, origin=edge_origin)
    except (CfmockError, OSError, ImportError) as error:
        print(f"cfmock server: {_reason(error)}", file=sys.stderr)
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
            print(f"cfmock check: {name}: {_reason(error)}", file=sys.stderr)
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
