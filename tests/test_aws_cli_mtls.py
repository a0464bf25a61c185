"""AWS CLI conformance: trust stores and a distribution's mTLS links against `cfmock server`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from cfmock._cloudfront.distributions import minimal_config
from cfmock.pki import CertificateAuthority
from tests.conformance import aws_cli, client_environment, require_tool, served


def test_trust_stores_and_an_association_through_the_aws_cli(tmp_path: Path) -> None:
    path, missing = aws_cli()
    require_tool(missing)
    assert path is not None
    environment = client_environment(tmp_path)

    with served() as server:
        server.dispatcher.backend.trust_stores.put_bundle(
            "pki", "root.pem", CertificateAuthority("CLI Root CA").pem, "us-east-1", None
        )

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [str(path), "cloudfront", *args, "--endpoint-url", server.url, "--output", "json"],
                env=environment,
                capture_output=True,
                text=True,
                timeout=60,
            )

        def call(*args: str) -> Any:
            completed = run(*args)
            assert completed.returncode == 0, completed.stderr
            return json.loads(completed.stdout) if completed.stdout.strip() else None

        bundle = json.dumps(
            {
                "CaCertificatesBundleS3Location": {
                    "Bucket": "pki",
                    "Key": "root.pem",
                    "Region": "us-east-1",
                }
            }
        )
        created = call(
            "create-trust-store", "--name", "cli-devices", "--ca-certificates-bundle-source", bundle
        )
        store_id = created["TrustStore"]["Id"]
        assert (created["ETag"], created["TrustStore"]["Status"]) == ("ETVPDKIKX0DER", "pending")
        got = call("get-trust-store", "--identifier", "cli-devices")
        assert (got["TrustStore"]["Status"], got["TrustStore"]["NumberOfCaCertificates"]) == (
            "active",
            1,
        )
        listed = call("list-trust-stores")
        assert [s["Name"] for s in listed["TrustStoreList"]] == ["cli-devices"]

        code = tmp_path / "gate.js"
        code.write_text("function connectionHandler(connection) { connection.allow(); }\n")
        function = call(
            "create-connection-function",
            "--name",
            "cli-gate",
            "--connection-function-config",
            json.dumps({"Comment": "", "Runtime": "cloudfront-js-2.0"}),
            "--connection-function-code",
            f"fileb://{code}",
        )
        function_id = function["ConnectionFunctionSummary"]["Id"]
        call("publish-connection-function", "--id", function_id, "--if-match", function["ETag"])
        config = minimal_config("cli-mtls")
        config["ViewerMtlsConfig"] = {
            "Mode": "required",
            "TrustStoreConfig": {"TrustStoreId": store_id},
        }
        config["ConnectionFunctionAssociation"] = {"Id": function_id}
        distribution = call("create-distribution", "--distribution-config", json.dumps(config))
        distribution_id = distribution["Distribution"]["Id"]
        assert (
            distribution["Distribution"]["DistributionConfig"]["ViewerMtlsConfig"]["Mode"]
            == "required"
        )
        described = call("describe-connection-function", "--identifier", function_id)
        assert described["ConnectionFunctionSummary"]["Status"] == "DEPLOYED"
        by_function = call(
            "list-distributions-by-connection-function",
            "--connection-function-identifier",
            function_id,
        )
        assert [d["Id"] for d in by_function["DistributionList"]["Items"]] == [distribution_id]
        by_store = call("list-distributions-by-trust-store", "--trust-store-identifier", store_id)
        assert [d["Id"] for d in by_store["DistributionList"]["Items"]] == [distribution_id]
        refused = run("delete-trust-store", "--id", store_id, "--if-match", got["ETag"])
        assert refused.returncode != 0
        assert "CannotDeleteEntityWhileInUse" in refused.stderr
        call("wait", "distribution-deployed", "--id", distribution_id)
