"""``cfmock demo``: the Connection Functions lifecycle against the mock, as a transcript."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO

import botocore.session
from botocore.exceptions import ClientError

from cfmock._mock import mock_connection_functions

_RUNTIME = "cloudfront-js-2.0"
_ALLOW_ALL = b"function connectionHandler(connection) {\n  connection.allow();\n}\n"
_ALLOW_ORG = (
    b"function connectionHandler(connection) {\n"
    b"  const cert = connection.clientCertificate;\n"
    b"  if (cert && cert.certificates.leaf.subject.includes('O=ExampleCorp')) {\n"
    b"    return connection.allow();\n"
    b"  }\n"
    b"  connection.deny();\n"
    b"}\n"
)


def run_demo(out: TextIO) -> int:
    """Drive a real botocore CloudFront client against the mock and print each step."""
    with mock_connection_functions() as cf:
        # No credentials are configured: the mock answers unsigned requests.
        client: Any = botocore.session.get_session().create_client(
            "cloudfront", region_name="us-east-1"
        )
        step = _Printer(out)
        created = step(
            "create_connection_function",
            lambda: client.create_connection_function(
                Name="allow-example-corp",
                ConnectionFunctionConfig={
                    "Comment": "allow everyone",
                    "Runtime": "cloudfront-js-2.0",
                },
                ConnectionFunctionCode=_ALLOW_ALL,
            ),
        )
        function_id = created["ConnectionFunctionSummary"]["Id"]
        first_etag = created["ETag"]
        step(
            "describe_connection_function (by name)",
            lambda: client.describe_connection_function(Identifier="allow-example-corp"),
        )

        def update(
            title: str, if_match: str, comment: str, code: bytes, runtime: str = _RUNTIME
        ) -> dict[str, Any]:
            return step(
                f"update_connection_function {title}",
                lambda: client.update_connection_function(
                    Id=function_id,
                    IfMatch=if_match,
                    ConnectionFunctionConfig={"Comment": comment, "Runtime": runtime},
                    ConnectionFunctionCode=code,
                ),
            )

        updated = update(f"with IfMatch={first_etag}", first_etag, "allow ExampleCorp", _ALLOW_ORG)
        update(f"again with the stale IfMatch={first_etag}", first_etag, "lost", _ALLOW_ALL)
        update("with an empty IfMatch", "", "x", _ALLOW_ALL)
        update(
            "with Runtime cloudfront-js-1.0", updated["ETag"], "x", _ALLOW_ALL, "cloudfront-js-1.0"
        )
        update("with 11 KB of code", updated["ETag"], "x", b"//" + b"x" * 11_000)
        got = step(
            "get_connection_function",
            lambda: client.get_connection_function(Identifier=function_id),
        )
        step.note(f"code now stored:\n{got['ConnectionFunctionCode'].read().decode()}")
        step(
            "describe_connection_function Stage=LIVE (never published)",
            lambda: client.describe_connection_function(Identifier=function_id, Stage="LIVE"),
        )
        calls = ", ".join(f"{c.operation}={c.error_code or c.status}" for c in cf.calls)
        step.note(f"recorded calls: {calls}")
    return 0


class _Printer:
    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._count = 0

    def __call__(self, title: str, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        self._count += 1
        self._out.write(f"\n[{self._count}] {title}\n")
        try:
            response = call()
        except ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            err = error.response["Error"]
            self._out.write(f"    -> {status} {err['Code']}: {err['Message']}\n")
            return {}
        status = response["ResponseMetadata"]["HTTPStatusCode"]
        shown = {k: v for k, v in response.items() if k not in ("ResponseMetadata",)}
        text = json.dumps(shown, indent=2, default=_show)
        self._out.write(
            f"    -> {status}\n" + "".join(f"    {line}\n" for line in text.splitlines())
        )
        return response

    def note(self, text: str) -> None:
        self._out.write("".join(f"    {line}\n" for line in text.splitlines()))


def _show(value: object) -> str:
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return f"<{type(value).__name__}>"
