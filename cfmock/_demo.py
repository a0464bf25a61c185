"""``cfmock demo``: a connection function's life against the mock, told as a transcript.

Every CloudFront call goes through a real botocore client (what ``boto3.client`` returns), so
the transcript shows what a test would see. The handle is used only where no API exists: the
CA bundle in S3 and the viewer's connection itself.
"""

from __future__ import annotations

import http
import os
import textwrap
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TextIO

import botocore.session
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from cfmock._mock import mock_connection_functions
from cfmock.exceptions import DOCS_URL

_RUNTIME = "cloudfront-js-2.0"
_ALIAS = "devices.example.com"
# Chosen serial numbers keep the transcript the same whatever certificates the process made.
_SERIALS = (0x4A3F5C91, 0x4A3F5C92)
# Members of the distribution config the transcript leaves out: the demo is about viewer mTLS.
_ELIDED = frozenset({"Origins", "DefaultCacheBehavior"})
_WIDTH = 96
# Messages wrap at the column the docs show code in.
_PROSE = 88
_LOGGING_ALLOW = """function connectionHandler(connection) {
  console.log('device: ' + connection.clientCertificate.certificates.leaf.subject);
  connection.allow();
}
"""
_REVOCATION_CHECK = """import cf from 'cloudfront';

async function connectionHandler(connection) {
  const serial = connection.clientCertificate.certificates.leaf.serialNumber;
  if (await cf.kvs().exists(serial)) {
    connection.logCustomData('revoked ' + serial);
    return connection.deny();
  }
  connection.allow();
}
"""

_ISSUES = "https://github.com/cfmock/cfmock/issues"
_NEXT = f"""\
  the docs, {DOCS_URL} (docs/ in a clone):
    tutorial.md            unit-test a connection function like this one, step by step
    viewer-connection.md   cf.connect and cfmock.pki: viewer connections in a test
    pytest.md              the cfmock fixture and marker
    cli.md                 the cfmock command: demo, server and check
  cfmock server --port 0   the same mock over HTTP, for the AWS CLI and other SDKs
  cfmock --help            every command, with examples
"""


class Style:
    """ANSI colours for the transcript, or none at all."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def _paint(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def title(self, text: str) -> str:
        """A step's heading."""
        return self._paint("1", text)

    def request(self, text: str) -> str:
        """A request as the caller writes it."""
        return self._paint("36", text)

    def good(self, text: str) -> str:
        """A successful answer."""
        return self._paint("32", text)

    def bad(self, text: str) -> str:
        """A refusal: an error answer or a denied connection."""
        return self._paint("31", text)

    def quiet(self, text: str) -> str:
        """A remark that explains the step."""
        return self._paint("2", text)


def run_demo(out: TextIO, *, color: bool = False) -> int:
    """Walk a connection function from creation to a viewer connection, printing to *out*.

    *color* adds ANSI colours. Returns the exit status: 0, or 1 when the mock answered a step
    with an error the story does not expect (a bug in cfmock).
    """
    show = _Transcript(out, Style(color))
    show.intro()
    try:
        _story(show)
    except _Unexpected as error:
        show.failed(str(error))
        return 1
    show.outro()
    return 0


def _story(show: _Transcript) -> None:
    from cfmock import connection_object
    from cfmock._cloudfront.distributions import minimal_config
    from cfmock.pki import CertificateAuthority

    with mock_connection_functions() as cf:
        cloudfront, keys = _clients()

        show.step("Create a connection function (its DEVELOPMENT stage)")
        created = show.call(
            cloudfront,
            "create_connection_function",
            {
                "Name": "device-gate",
                "ConnectionFunctionConfig": {"Comment": "allow every device", "Runtime": _RUNTIME},
                "ConnectionFunctionCode": b"function connectionHandler(c) { c.allow(); }",
            },
            lambda r: [
                *_members(r["ConnectionFunctionSummary"], "Id", "Stage", "Status"),
                ("ETag", r["ETag"]),
            ],
        )
        function_id = created["ConnectionFunctionSummary"]["Id"]
        first_etag = created["ETag"]

        show.step(f"Two writers hold ETag {first_etag}: the first update wins")
        update = {
            "Id": function_id,
            "IfMatch": first_etag,
            "ConnectionFunctionConfig": {"Comment": "log each device", "Runtime": _RUNTIME},
            "ConnectionFunctionCode": _LOGGING_ALLOW.encode(),
        }
        updated = show.call(cloudfront, "update_connection_function", update, _etag)
        show.call(
            cloudfront,
            "update_connection_function",
            {**update, "ConnectionFunctionConfig": {"Comment": "lost", "Runtime": _RUNTIME}},
            refused=True,
        )
        show.note("The second writer's ETag is stale: CloudFront refuses it, and nothing changes.")

        show.step("Publish: the DEVELOPMENT stage is copied to LIVE")
        show.call(
            cloudfront,
            "publish_connection_function",
            {"Id": function_id, "IfMatch": updated["ETag"]},
            lambda r: _members(r["ConnectionFunctionSummary"], "Stage", "Status"),
        )

        show.step("Two devices, and a KeyValueStore that lists device_2 as revoked")
        ca = CertificateAuthority("Devices Root CA")
        device = ca.issue("device-1", serial_number=_SERIALS[0])
        revoked = ca.issue("device-2", serial_number=_SERIALS[1])
        show.request("ca = cfmock.pki.CertificateAuthority('Devices Root CA')")
        show.request(f"device_1 = ca.issue('device-1', serial_number=0x{_SERIALS[0]:X})")
        show.request(f"device_2 = ca.issue('device-2', serial_number=0x{_SERIALS[1]:X})")
        show.answer(True, "two client certificates signed by ca", [])
        store = show.call(
            cloudfront,
            "create_key_value_store",
            {"Name": "revoked-devices", "Comment": "serial numbers of lost devices"},
            lambda r: _members(r["KeyValueStore"], "ARN", "Status"),
        )["KeyValueStore"]
        data = show.call(
            keys,
            "describe_key_value_store",
            {"KvsARN": store["ARN"]},
            lambda r: _members(r, "ItemCount", "ETag"),
        )
        show.call(
            keys,
            "put_key",
            {
                "KvsARN": store["ARN"],
                "Key": revoked.event_serial_number,
                "Value": "lost on 2026-11-02",
                "IfMatch": data["ETag"],
            },
            lambda r: _members(r, "ItemCount", "ETag"),
            shown={"Key": _Verbatim("device_2.event_serial_number")},
        )
        show.note(f"device_2.event_serial_number is {revoked.event_serial_number!r}.")

        show.step("Update the function: deny the serial numbers the store lists")
        checked = show.call(
            cloudfront,
            "update_connection_function",
            {
                "Id": function_id,
                "IfMatch": updated["ETag"],
                "ConnectionFunctionConfig": {
                    "Comment": "deny revoked devices",
                    "Runtime": _RUNTIME,
                    "KeyValueStoreAssociations": {
                        "Quantity": 1,
                        "Items": [{"KeyValueStoreARN": store["ARN"]}],
                    },
                },
                "ConnectionFunctionCode": _REVOCATION_CHECK.encode(),
            },
            _etag,
        )
        show.code(_REVOCATION_CHECK)

        show.step("TestConnectionFunction runs the JavaScript: device_1 allowed, device_2 denied")
        for name, certificate in (("device_1", device), ("device_2", revoked)):
            show.call(
                cloudfront,
                "test_connection_function",
                {
                    "Id": function_id,
                    "IfMatch": checked["ETag"],
                    "Stage": "DEVELOPMENT",
                    "ConnectionObject": connection_object(certificate),
                },
                lambda r: [
                    (
                        "ConnectionFunctionOutput",
                        r["ConnectionFunctionTestResult"]["ConnectionFunctionOutput"],
                    )
                ],
                shown={"ConnectionObject": _Verbatim(f"cfmock.connection_object({name})")},
            )

        show.step("Publish the revocation check")
        show.call(
            cloudfront,
            "publish_connection_function",
            {"Id": function_id, "IfMatch": checked["ETag"]},
            lambda r: _members(r["ConnectionFunctionSummary"], "Stage", "Status"),
        )

        show.step("A trust store of the devices' CA")
        cf.put_ca_bundle("pki", "devices.pem", ca.pem)
        show.request("cf.put_ca_bundle('pki', 'devices.pem', ca.pem)")
        show.answer(True, "the CA bundle is in the mock's S3", [])
        trust_store = show.call(
            cloudfront,
            "create_trust_store",
            {
                "Name": "devices",
                "CaCertificatesBundleSource": {
                    "CaCertificatesBundleS3Location": {
                        "Bucket": "pki",
                        "Key": "devices.pem",
                        "Region": "us-east-1",
                    }
                },
            },
            lambda r: _members(r["TrustStore"], "Id", "Status"),
        )["TrustStore"]
        show.call(
            cloudfront,
            "get_trust_store",
            {"Identifier": trust_store["Id"]},
            lambda r: _members(r["TrustStore"], "Status", "NumberOfCaCertificates"),
        )

        show.step("A distribution with viewer mTLS and the connection function")
        config = {
            **minimal_config("devices-api", aliases=(_ALIAS,)),
            "ViewerMtlsConfig": {
                "Mode": "required",
                "TrustStoreConfig": {"TrustStoreId": trust_store["Id"]},
            },
            "ConnectionFunctionAssociation": {"Id": function_id},
        }
        show.call(
            cloudfront,
            "create_distribution",
            {"DistributionConfig": config},
            lambda r: _members(r["Distribution"], "Id", "DomainName", "Status"),
            shown={
                "DistributionConfig": {
                    key: _Verbatim("{...}") if key in _ELIDED else value
                    for key, value in config.items()
                }
            },
        )
        show.call(
            cloudfront,
            "describe_connection_function",
            {"Identifier": "device-gate"},
            lambda r: _members(r["ConnectionFunctionSummary"], "Status"),
        )
        show.note("A distribution uses the function now: it is DEPLOYED.")

        show.step("Viewer connections, decided end to end: the trust store, then the function")
        for name, certificate in (("device_1", device), ("device_2", revoked)):
            show.request(f"cf.connect({_ALIAS!r}, {name})")
            attempt = cf.connect(_ALIAS, certificate)
            show.answer(
                attempt.allowed,
                "allowed" if attempt.allowed else f"refused: {attempt.code}",
                [("decided_by", attempt.decided_by), ("reason", attempt.reason)],
            )


def _clients() -> tuple[Any, Any]:
    """A CloudFront and a KeyValueStore client that the user's AWS settings cannot change.

    An ``AWS_PROFILE`` that names no profile would stop the demo, and credentials would move it
    to their account: the demo reads no profile, no config file and no credentials, and its
    requests are unsigned (the mock answers them in its default account).
    """
    session = botocore.session.Session(
        session_vars={
            "profile": (None, None, None, None),
            "config_file": (None, None, os.devnull, None),
            "credentials_file": (None, None, os.devnull, None),
        }
    )
    unsigned = Config(signature_version=UNSIGNED)
    cloudfront = session.create_client("cloudfront", region_name="us-east-1", config=unsigned)
    keys = session.create_client(
        "cloudfront-keyvaluestore", region_name="us-east-1", config=unsigned
    )
    return cloudfront, keys


class _Unexpected(Exception):
    """The mock refused a step that the story needs."""


class _Transcript:
    """Writes the steps, requests and answers, one concern per method."""

    def __init__(self, out: TextIO, style: Style) -> None:
        self._out = out
        self._style = style
        self._count = 0

    def _line(self, text: str = "") -> None:
        self._out.write(f"{text}\n")

    def intro(self) -> None:
        """The demo's first lines."""
        self._line(self._style.title("cfmock demo: a connection function's life, against the mock"))
        self._line(
            self._style.quiet(
                "Real botocore clients (what boto3.client returns); no AWS account, no network."
            )
        )

    def step(self, title: str) -> None:
        """Start the next numbered step."""
        self._count += 1
        self._line()
        self._line(self._style.title(f"[{self._count}] {title}"))

    def request(self, text: str) -> None:
        """A request, prefixed with ``>``."""
        self._line(self._style.request(f"    > {text}"))

    def answer(self, ok: bool, headline: str, fields: Iterable[tuple[str, object]]) -> None:
        """An answer: its headline after ``<``, then one ``name: value`` line per field."""
        paint = self._style.good if ok else self._style.bad
        self._line(f"    {paint('< ' + headline)}")
        for name, value in fields:
            self._line(f"      {name}: {value}")

    def note(self, text: str) -> None:
        """A remark on the step."""
        self._line(self._style.quiet(f"    {text}"))

    def code(self, text: str) -> None:
        """A function's code, indented."""
        for line in text.splitlines():
            self._line(self._style.quiet(f"      | {line}".rstrip()))

    def call(
        self,
        client: Any,
        operation: str,
        arguments: Mapping[str, Any],
        fields: Callable[[dict[str, Any]], list[tuple[str, object]]] = lambda r: [],
        *,
        shown: Mapping[str, object] | None = None,
        refused: bool = False,
    ) -> dict[str, Any]:
        """Make the call, show it and its answer, and return the answer (``{}`` if refused).

        *shown* replaces the values of some arguments in the transcript. An error answer ends
        the demo, unless *refused* says that the step expects one.
        """
        service = client.meta.service_model.service_name
        written = {**arguments, **(shown or {})}
        flat = ", ".join(f"{name}={_repr(value)}" for name, value in written.items())
        if len(f"    > {service}.{operation}({flat})") <= _WIDTH:
            self.request(f"{service}.{operation}({flat})")
        else:
            self.request(f"{service}.{operation}(")
            for name, value in written.items():
                for line in _lines(f"{name}=", value, " " * 10):
                    self._line(self._style.request(line))
            self._line(self._style.request("      )"))
        try:
            response: dict[str, Any] = getattr(client, operation)(**arguments)
        except ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            code, message = error.response["Error"]["Code"], error.response["Error"]["Message"]
            self.answer(False, f"{status} {code}", [])
            wrapped = textwrap.wrap(f"Message: {message}", _PROSE - 6, subsequent_indent="  ")
            for line in wrapped:
                self._line(f"      {line}")
            if not refused:
                raise _Unexpected(f"{operation} answered {code}") from None
            return {}
        status = response["ResponseMetadata"]["HTTPStatusCode"]
        self.answer(True, f"{status} {http.HTTPStatus(status).phrase}", fields(response))
        return response

    def failed(self, what: str) -> None:
        """The line that ends a demo the mock broke off."""
        self._line()
        self._line(
            self._style.bad(
                f"The demo stopped at step {self._count}: {what}. This is a bug in cfmock; "
                f"please report it at {_ISSUES}."
            )
        )

    def outro(self) -> None:
        """The closing lines: the result and where to go next."""
        self._line()
        self._line(self._style.good(f"Done: {self._count} steps, all answered by the mock."))
        self._line("In a test, the same calls work inside mock_connection_functions() or with the")
        self._line("cfmock pytest fixture.")
        self._line()
        self._line(self._style.title("Next:"))
        self._out.write(_NEXT)


def _members(structure: Mapping[str, Any], *names: str) -> list[tuple[str, object]]:
    return [(name, structure[name]) for name in names]


def _etag(response: Mapping[str, Any]) -> list[tuple[str, object]]:
    return [("ETag", response["ETag"])]


class _Verbatim(str):
    """Text shown in a request as it is, not as a Python literal."""


def _repr(value: object) -> str:
    """A request argument as Python, with bytes as their size."""
    if isinstance(value, _Verbatim):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key!r}: {_repr(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_repr(item) for item in value) + "]"
    return repr(value)


def _lines(prefix: str, value: object, indent: str) -> list[str]:
    """*prefix* and *value* as lines that fit the width where they can, each ending in ``,``."""
    flat = f"{indent}{prefix}{_repr(value)},"
    if len(flat) <= _WIDTH or not isinstance(value, (Mapping, list)):
        return [flat]
    if isinstance(value, Mapping):
        inner = [_lines(f"{key!r}: ", item, indent + "    ") for key, item in value.items()]
        brackets = "{}"
    else:
        inner = [_lines("", item, indent + "    ") for item in value]
        brackets = "[]"
    return [
        f"{indent}{prefix}{brackets[0]}",
        *(line for lines in inner for line in lines),
        f"{indent}{brackets[1]},",
    ]
