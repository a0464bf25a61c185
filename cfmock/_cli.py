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
    parser.parse_args(argv)  # "demo" is the only command so far
    from cfmock._demo import run_demo

    return run_demo(sys.stdout)
