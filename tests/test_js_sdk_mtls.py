"""AWS SDK for JavaScript v3 conformance: trust stores and a distribution's mTLS links."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from cfmock.pki import CertificateAuthority
from tests.conformance import JS_PROJECT, client_environment, js_sdk, require_tool, served


def test_trust_stores_and_an_association_through_the_javascript_sdk(tmp_path: Path) -> None:
    require_tool(js_sdk())
    with served() as server:
        server.dispatcher.backend.trust_stores.put_bundle(
            "pki", "root.pem", CertificateAuthority("JS Root CA").pem, "us-east-1", None
        )
        completed = subprocess.run(
            ["node", "mtls.mjs", server.url],
            cwd=JS_PROJECT,
            env=client_environment(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["createdStore"]["etag"] == "ETVPDKIKX0DER"
    assert report["createdStore"]["status"] == "pending"
    assert report["createdStore"]["arn"].startswith(
        "arn:aws:cloudfront::123456789012:trust-store/ts_"
    )
    assert report["gotStore"] == {
        "etag": "ETVPDKIKX0DER",
        "status": "active",
        "count": 1,
        "modifiedIsDate": True,
    }
    assert report["updatedStore"] == {"etag": "E3UN6WX5RRO2AG", "ocsp": True}
    assert report["listedStores"] == [["js-devices", "E3UN6WX5RRO2AG"]]
    assert report["distribution"] == {
        "etag": "ETVPDKIKX0DER",
        "status": "InProgress",
        "mode": "required",
        "associated": True,
    }
    assert report["configTrustStore"] is True
    assert report["functionStatus"] == "DEPLOYED"
    assert report["byFunction"] == [True]
    assert report["byStore"] == [True]
    assert report["inUse"] == {
        "typed": True,
        "name": "CannotDeleteEntityWhileInUse",
        "status": 409,
    }
