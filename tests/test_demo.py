"""``cfmock demo``: the whole story, in order, through the console script."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys

import pytest

from cfmock import _demo as demo_module
from cfmock._cli import use_color
from cfmock._demo import run_demo
from cfmock._fronts import botocore_seam

# What changes from run to run (IDs, the store's UUID) is replaced before the comparison.
VARIABLE = [
    (re.compile(r"cf_[A-Za-z0-9]{27}"), "cf_<id>"),
    (re.compile(r"ts_[A-Za-z0-9]{27}"), "ts_<id>"),
    (re.compile(r"arn:aws:cloudfront::123456789012:key-value-store/[0-9a-f-]{36}"), "<kvs-arn>"),
    (re.compile(r"Id: E[A-Z0-9]{13}$", re.MULTILINE), "Id: E<id>"),
    (re.compile(r"d[a-z0-9]{13}\.cloudfront\.net"), "d<id>.cloudfront.net"),
]
ANSI = re.compile(r"\x1b\[[0-9;]*m")

TRANSCRIPT = """\
cfmock demo: a connection function's life, against the mock
Real botocore clients (what boto3.client returns); no AWS account, no network.

[1] Create a connection function (its DEVELOPMENT stage)
    > cloudfront.create_connection_function(
          Name='device-gate',
          ConnectionFunctionConfig={
              'Comment': 'allow every device',
              'Runtime': 'cloudfront-js-2.0',
          },
          ConnectionFunctionCode=<44 bytes>,
      )
    < 201 Created
      Id: cf_<id>
      Stage: DEVELOPMENT
      Status: UNPUBLISHED
      ETag: ETVPDKIKX0DER

[2] Two writers hold ETag ETVPDKIKX0DER: the first update wins
    > cloudfront.update_connection_function(
          Id='cf_<id>',
          IfMatch='ETVPDKIKX0DER',
          ConnectionFunctionConfig={
              'Comment': 'log each device',
              'Runtime': 'cloudfront-js-2.0',
          },
          ConnectionFunctionCode=<149 bytes>,
      )
    < 200 OK
      ETag: E3UN6WX5RRO2AG
    > cloudfront.update_connection_function(
          Id='cf_<id>',
          IfMatch='ETVPDKIKX0DER',
          ConnectionFunctionConfig={'Comment': 'lost', 'Runtime': 'cloudfront-js-2.0'},
          ConnectionFunctionCode=<149 bytes>,
      )
    < 412 PreconditionFailed
      Message: The request failed because it didn't meet the preconditions in one or
        more request-header fields.
    The second writer's ETag is stale: CloudFront refuses it, and nothing changes.

[3] Publish: the DEVELOPMENT stage is copied to LIVE
    > cloudfront.publish_connection_function(
          Id='cf_<id>',
          IfMatch='E3UN6WX5RRO2AG',
      )
    < 200 OK
      Stage: LIVE
      Status: PUBLISHING

[4] Two devices, and a KeyValueStore that lists device_2 as revoked
    > ca = cfmock.pki.CertificateAuthority('Devices Root CA')
    > device_1 = ca.issue('device-1', serial_number=0x4A3F5C91)
    > device_2 = ca.issue('device-2', serial_number=0x4A3F5C92)
    < two client certificates signed by ca
    > cloudfront.create_key_value_store(
          Name='revoked-devices',
          Comment='serial numbers of lost devices',
      )
    < 201 Created
      ARN: <kvs-arn>
      Status: READY
    > cloudfront-keyvaluestore.describe_key_value_store(
          KvsARN='<kvs-arn>',
      )
    < 200 OK
      ItemCount: 0
      ETag: KVTVPDKIKX0DER
    > cloudfront-keyvaluestore.put_key(
          KvsARN='<kvs-arn>',
          Key=device_2.event_serial_number,
          Value='lost on 2026-11-02',
          IfMatch='KVTVPDKIKX0DER',
      )
    < 200 OK
      ItemCount: 1
      ETag: KV3UN6WX5RRO2AG
    device_2.event_serial_number is '4a:3f:5c:92'.

[5] Update the function: deny the serial numbers the store lists
    > cloudfront.update_connection_function(
          Id='cf_<id>',
          IfMatch='E3UN6WX5RRO2AG',
          ConnectionFunctionConfig={
              'Comment': 'deny revoked devices',
              'Runtime': 'cloudfront-js-2.0',
              'KeyValueStoreAssociations': {
                  'Quantity': 1,
                  'Items': [
                      {
                          'KeyValueStoreARN': '<kvs-arn>',
                      },
                  ],
              },
          },
          ConnectionFunctionCode=<303 bytes>,
      )
    < 200 OK
      ETag: E1F83G8C2ARO7P
      | import cf from 'cloudfront';
      |
      | async function connectionHandler(connection) {
      |   const serial = connection.clientCertificate.certificates.leaf.serialNumber;
      |   if (await cf.kvs().exists(serial)) {
      |     connection.logCustomData('revoked ' + serial);
      |     return connection.deny();
      |   }
      |   connection.allow();
      | }

[6] TestConnectionFunction runs the JavaScript: device_1 allowed, device_2 denied
    > cloudfront.test_connection_function(
          Id='cf_<id>',
          IfMatch='E1F83G8C2ARO7P',
          Stage='DEVELOPMENT',
          ConnectionObject=cfmock.connection_object(device_1),
      )
    < 200 OK
      ConnectionFunctionOutput: {"connection":{"action":"allow"}}
    > cloudfront.test_connection_function(
          Id='cf_<id>',
          IfMatch='E1F83G8C2ARO7P',
          Stage='DEVELOPMENT',
          ConnectionObject=cfmock.connection_object(device_2),
      )
    < 200 OK
      ConnectionFunctionOutput: {"connection":{"action":"deny","customData":"revoked 4a:3f:5c:92"}}

[7] Publish the revocation check
    > cloudfront.publish_connection_function(
          Id='cf_<id>',
          IfMatch='E1F83G8C2ARO7P',
      )
    < 200 OK
      Stage: LIVE
      Status: PUBLISHING

[8] A trust store of the devices' CA
    > cf.put_ca_bundle('pki', 'devices.pem', ca.pem)
    < the CA bundle is in the mock's S3
    > cloudfront.create_trust_store(
          Name='devices',
          CaCertificatesBundleSource={
              'CaCertificatesBundleS3Location': {
                  'Bucket': 'pki',
                  'Key': 'devices.pem',
                  'Region': 'us-east-1',
              },
          },
      )
    < 201 Created
      Id: ts_<id>
      Status: pending
    > cloudfront.get_trust_store(Identifier='ts_<id>')
    < 200 OK
      Status: active
      NumberOfCaCertificates: 1

[9] A distribution with viewer mTLS and the connection function
    > cloudfront.create_distribution(
          DistributionConfig={
              'CallerReference': 'devices-api',
              'Comment': '',
              'Enabled': True,
              'Origins': {...},
              'DefaultCacheBehavior': {...},
              'Aliases': {'Quantity': 1, 'Items': ['devices.example.com']},
              'ViewerMtlsConfig': {
                  'Mode': 'required',
                  'TrustStoreConfig': {'TrustStoreId': 'ts_<id>'},
              },
              'ConnectionFunctionAssociation': {'Id': 'cf_<id>'},
          },
      )
    < 201 Created
      Id: E<id>
      DomainName: d<id>.cloudfront.net
      Status: InProgress
    > cloudfront.describe_connection_function(Identifier='device-gate')
    < 200 OK
      Status: DEPLOYED
    A distribution uses the function now: it is DEPLOYED.

[10] Viewer connections, decided end to end: the trust store, then the function
    > cf.connect('devices.example.com', device_1)
    < allowed
      decided_by: function
      reason: allowed by connection function device-gate
    > cf.connect('devices.example.com', device_2)
    < refused: ConnectionFunctionDenied
      decided_by: function
      reason: denied by connection function device-gate; custom data 'revoked 4a:3f:5c:92'

Done: 10 steps, all answered by the mock.
In a test, the same calls work inside mock_connection_functions() or with the
cfmock pytest fixture.

Next:
  the docs, https://github.com/cfmock/cfmock/blob/main/docs (docs/ in a clone):
    tutorial.md            unit-test a connection function like this one, step by step
    viewer-connection.md   cf.connect and cfmock.pki: viewer connections in a test
    pytest.md              the cfmock fixture and marker
    cli.md                 the cfmock command: demo, server and check
  cfmock server --port 0   the same mock over HTTP, for the AWS CLI and other SDKs
  cfmock --help            every command, with examples
"""


def normalized(text: str) -> str:
    for pattern, replacement in VARIABLE:
        text = pattern.sub(replacement, text)
    return text


def environment(**changes: str) -> dict[str, str]:
    """This process's environment without the colour settings, with *changes*."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "FORCE_COLOR")}
    return {**env, **changes}


def demo(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cfmock", "demo", *args],
        capture_output=True,
        text=True,
        env=environment(**env),
        timeout=120,
        check=False,
    )


def demo_on_a_terminal(*args: str, **env: str) -> tuple[int, str]:
    """Run the demo with its stdout on a pseudo-terminal; its exit status and output."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "cfmock", "demo", *args],
        stdout=terminal,
        stderr=subprocess.DEVNULL,
        env=environment(**env),
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the demo closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    # The terminal turns each newline into CR LF.
    return process.wait(timeout=120), b"".join(chunks).decode().replace("\r\n", "\n")


def test_the_demo_tells_the_story_in_order_whatever_the_aws_settings() -> None:
    # A profile that does not exist and another account's credentials change nothing.
    result = demo(
        AWS_PROFILE="no-such-profile",
        AWS_ACCESS_KEY_ID="111122223333",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert normalized(result.stdout) == TRANSCRIPT
    assert "PreconditionFailed" in result.stdout  # .ci/run looks for it


def test_forced_colour_paints_the_same_transcript() -> None:
    result = demo("--color", "always", NO_COLOR="1")
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert "\x1b[1m[1] Create a connection function (its DEVELOPMENT stage)\x1b[0m" in lines
    assert "    \x1b[31m< 412 PreconditionFailed\x1b[0m" in lines
    assert "    \x1b[32m< 201 Created\x1b[0m" in lines
    assert "\x1b[36m    > cf.connect('devices.example.com', device_1)\x1b[0m" in lines
    assert normalized(ANSI.sub("", result.stdout)) == TRANSCRIPT


def test_a_terminal_gets_colour() -> None:
    status, output = demo_on_a_terminal()
    assert status == 0
    assert "\x1b[31m< refused: ConnectionFunctionDenied\x1b[0m" in output
    assert normalized(ANSI.sub("", output)) == TRANSCRIPT


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--no-color"], {}), ([], {"NO_COLOR": "1"})],
    ids=["--no-color", "NO_COLOR"],
)
def test_a_terminal_gets_no_colour_when_told(args, env) -> None:
    status, output = demo_on_a_terminal(*args, **env)
    assert status == 0
    assert "\x1b" not in output
    assert normalized(output) == TRANSCRIPT


class _Stream(io.StringIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


@pytest.mark.parametrize(
    ("choice", "terminal", "env", "expected"),
    [
        ("auto", True, {}, True),
        ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": ""}, True),  # no-color.org: an empty NO_COLOR is unset
        ("auto", True, {"NO_COLOR": "0"}, False),
        ("auto", True, {"TERM": "dumb"}, False),
        ("always", False, {"NO_COLOR": "1"}, True),
        ("never", True, {}, False),
    ],
)
def test_when_to_colour(monkeypatch, choice, terminal, env, expected) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert use_color(choice, _Stream(terminal)) is expected


def test_the_demo_in_process_leaves_no_mock_behind() -> None:
    out = io.StringIO()
    assert run_demo(out) == 0
    assert normalized(out.getvalue()) == TRANSCRIPT
    assert not botocore_seam.is_installed()


def test_a_step_the_mock_refuses_ends_the_demo_with_status_1(monkeypatch) -> None:
    # The story needs every step but one to succeed; here the first one cannot.
    monkeypatch.setattr(demo_module, "_RUNTIME", "cloudfront-js-1.0")
    out = io.StringIO()
    assert run_demo(out) == 1
    assert out.getvalue().splitlines()[-3:] == [
        "        functions. Connection functions support only cloudfront-js-2.0.",
        "",
        "The demo stopped at step 1: create_connection_function answered InvalidArgument. This "
        "is a bug in cfmock; please report it at https://github.com/cfmock/cfmock/issues.",
    ]
    assert not botocore_seam.is_installed()
