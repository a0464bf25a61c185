"""AWS SDK for JavaScript v3 conformance: its own XML parser against `cfmock server`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conformance import JS_PROJECT, client_environment, js_sdk, require_tool, served


def test_the_lifecycle_through_the_javascript_sdk(tmp_path: Path) -> None:
    require_tool(js_sdk())
    with served() as server:
        completed = subprocess.run(
            ["node", "lifecycle.mjs", server.url],
            cwd=JS_PROJECT,
            env=client_environment(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    function_arn_prefix = "https://cloudfront.amazonaws.com/2020-05-31/connection-function/arn:aws:cloudfront::123456789012:connection-function/cf_"
    assert report["created"]["etag"] == "ETVPDKIKX0DER"
    assert report["created"]["location"].startswith(function_arn_prefix)
    assert report["created"]["status"] == "UNPUBLISHED"
    assert report["created"]["stage"] == "DEVELOPMENT"
    assert report["created"]["createdTimeIsDate"] is True
    assert report["updatedEtag"] == "E3UN6WX5RRO2AG"
    assert report["stale"] == {
        "typed": True,
        "name": "PreconditionFailed",
        "status": 412,
        "message": "The request failed because it didn't meet the preconditions in one or more "
        "request-header fields.",
    }
    assert report["describedEtag"] == "E3UN6WX5RRO2AG"
    assert report["code"] == "function connectionHandler(c) { c.logCustomData('js'); c.deny(); }"
    assert report["contentType"] == "application/octet-stream"
    assert report["codeIsBytes"] is True
    assert report["published"] == {"stage": "LIVE", "status": "PUBLISHING"}
    assert report["test"]["output"] == '{"connection":{"action":"deny","customData":"js"}}'
    assert report["test"]["error"] == ""
    assert report["test"]["logs"] == []
    assert 0 <= int(report["test"]["utilization"]) <= 100
    assert report["test"]["summaryName"] == "js-managed"
    assert report["listed"] == ["js-managed"]
    assert report["afterDelete"] == {"name": "EntityNotFound", "status": 404}
