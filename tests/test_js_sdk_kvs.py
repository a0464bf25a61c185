"""AWS SDK for JavaScript v3 conformance: the KeyValueStore data plane against `cfmock server`.

``tests/js/kvs.mjs`` reaches the made-up ``<account>.kvs.cfmock`` host through an ``http.Agent``
whose ``lookup`` answers the server's address, and signs with ``@aws-sdk/signature-v4a``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conformance import JS_PROJECT, client_environment, js_sdk, require_tool, served


def kvs_sdk() -> str | None:
    """Why the data-plane client cannot run here, or ``None`` (nothing is downloaded)."""
    missing = js_sdk()
    if missing is None:
        for package in ("client-cloudfront-keyvaluestore", "signature-v4a"):
            if not (JS_PROJECT / "node_modules" / "@aws-sdk" / package).is_dir():
                return f"@aws-sdk/{package} is not installed in tests/js/node_modules"
    return missing


def test_put_key_and_get_key_through_the_javascript_sdk(tmp_path: Path) -> None:
    require_tool(kvs_sdk())
    with served() as server:
        completed = subprocess.run(
            ["node", "kvs.mjs", server.url],
            cwd=JS_PROJECT,
            env=client_environment(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
        calls = [
            (call.service, call.operation, call.account_id) for call in server.dispatcher.calls
        ]
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["arn"].startswith("arn:aws:cloudfront::123456789012:key-value-store/")
    assert report["described"] == {"etag": "KVTVPDKIKX0DER", "itemCount": 0, "status": "READY"}
    assert report["put"] == {"etag": "KV3UN6WX5RRO2AG", "itemCount": 1, "totalSizeInBytes": 12}
    assert report["got"] == {"key": "10:01", "value": "revoked"}
    assert report["stale"] == {"typed": True, "name": "ValidationException", "status": 400}
    assert report["absent"] == {"typed": True, "name": "ResourceNotFoundException", "status": 404}
    assert report["listed"] == [["10:01", "revoked"]]
    signed = ("cloudfront-keyvaluestore", "111122223333")
    assert calls == [
        ("cloudfront", "CreateKeyValueStore", "123456789012"),
        (signed[0], "DescribeKeyValueStore", signed[1]),
        (signed[0], "PutKey", signed[1]),
        (signed[0], "GetKey", signed[1]),
        (signed[0], "PutKey", signed[1]),
        (signed[0], "GetKey", signed[1]),
        ("cloudfront-keyvaluestore", "ListKeys", "123456789012"),  # unsigned
    ]
