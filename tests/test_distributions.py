"""Distributions through boto3: the viewer-mTLS slice and its links to functions and stores."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cfmock import CloudFrontMock, Distribution, mock_connection_functions
from cfmock._cloudfront import backend as backend_module
from cfmock.exceptions import DistributionNotFoundError
from tests import pki
from tests.scaffolding import ETAG_V1, ETAG_V2, MISSING_IF_MATCH, STALE_IF_MATCH, error_of

CA = pki.pem(pki.ca_certificate("Devices Root CA"))
CODE = "function connectionHandler(connection) { connection.allow(); }"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


def config(reference: str = "ref-1", **members: Any) -> dict[str, Any]:
    """A valid DistributionConfig with HTTPS-only behaviour and *members* added or replaced."""
    base: dict[str, Any] = {
        "CallerReference": reference,
        "Comment": "devices",
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "api",
                    "DomainName": "api.example.com",
                    "CustomOriginConfig": {
                        "HTTPPort": 80,
                        "HTTPSPort": 443,
                        "OriginProtocolPolicy": "https-only",
                    },
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "api",
            "ViewerProtocolPolicy": "https-only",
            "CachePolicyId": CACHING_OPTIMIZED,
        },
    }
    base.update(members)
    return base


def mtls(store_id: str | None, mode: str | None = "required", **more: Any) -> dict[str, Any]:
    value: dict[str, Any] = {} if mode is None else {"Mode": mode}
    if store_id is not None:
        value["TrustStoreConfig"] = {"TrustStoreId": store_id, **more}
    return value


@pytest.fixture
def links(cf: CloudFrontMock) -> tuple[str, str]:
    """An active trust store and a published function: their IDs."""
    store = cf.add_trust_store("devices", CA)
    function = cf.add_function("gate", CODE)
    cf.publish("gate")
    return store.id, function.id


def with_links(links: tuple[str, str], reference: str = "ref-1", **members: Any) -> dict[str, Any]:
    store_id, function_id = links
    return config(
        reference,
        ViewerMtlsConfig=mtls(store_id),
        ConnectionFunctionAssociation={"Id": function_id},
        **members,
    )


def refused(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return error_of(caught)


# -- create, read, deploy ---------------------------------------------------------------------


def test_create_answers_in_progress_and_reads_deploy(cf, client, links) -> None:
    sent = with_links(
        links,
        Aliases={"Quantity": 1, "Items": ["devices.example.com"]},
        HttpVersion="http2",
        CustomErrorResponses={
            "Quantity": 1,
            "Items": [{"ErrorCode": 404, "ResponsePagePath": "/404.html", "ResponseCode": "404"}],
        },
    )
    created = client.create_distribution(DistributionConfig=sent)
    distribution = created["Distribution"]
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["ETag"] == ETAG_V1
    assert created["Location"] == (
        f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{distribution['Id']}"
    )
    assert distribution["Status"] == "InProgress"
    assert distribution["Id"][0] == "E" and len(distribution["Id"]) == 14
    assert distribution["ARN"] == (
        f"arn:aws:cloudfront::123456789012:distribution/{distribution['Id']}"
    )
    assert distribution["DomainName"].endswith(".cloudfront.net")
    assert len(distribution["DomainName"]) == len("d") + 13 + len(".cloudfront.net")
    # The config comes back exactly as sent (no Mode or other member filled in).
    assert distribution["DistributionConfig"] == sent
    got = client.get_distribution(Id=distribution["Id"])
    assert (got["Distribution"]["Status"], got["ETag"]) == ("Deployed", ETAG_V1)
    got_config = client.get_distribution_config(Id=distribution["Id"])
    assert (got_config["DistributionConfig"], got_config["ETag"]) == (sent, ETAG_V1)


def test_the_deployed_waiter_returns_at_its_first_poll(client, links) -> None:
    distribution_id = client.create_distribution(DistributionConfig=with_links(links))[
        "Distribution"
    ]["Id"]
    waiter = client.get_waiter("distribution_deployed")
    waiter.wait(Id=distribution_id, WaiterConfig={"Delay": 0, "MaxAttempts": 1})


def test_create_checks(client) -> None:
    client.create_distribution(DistributionConfig=config())
    assert refused(lambda: client.create_distribution(DistributionConfig=config())) == (
        "DistributionAlreadyExists",
        409,
        "The caller reference that you are using to create a distribution is associated with "
        "another distribution.",
    )
    wrong = config("ref-2", Aliases={"Quantity": 2, "Items": ["a.example.com"]})
    assert refused(lambda: client.create_distribution(DistributionConfig=wrong)) == (
        "InconsistentQuantities",
        400,
        "The value of Quantity and the size of Items don't match.",
    )
    assert client.list_distributions()["DistributionList"]["Quantity"] == 1


def test_with_tags_and_tags_on_the_arn(client) -> None:
    created = client.create_distribution_with_tags(
        DistributionConfigWithTags={
            "DistributionConfig": config(),
            "Tags": {"Items": [{"Key": "team", "Value": "edge"}]},
        }
    )
    arn = created["Distribution"]["ARN"]
    client.tag_resource(Resource=arn, Tags={"Items": [{"Key": "env", "Value": "prod"}]})
    client.untag_resource(Resource=arn, TagKeys={"Items": ["team"]})
    assert client.list_tags_for_resource(Resource=arn)["Tags"]["Items"] == [
        {"Key": "env", "Value": "prod"}
    ]
    assert client.get_distribution(Id=created["Distribution"]["Id"])["ETag"] == ETAG_V1


# -- update and delete ---------------------------------------------------------------------


def test_update_checks_in_cloudfront_s_order(client) -> None:
    distribution_id = client.create_distribution(DistributionConfig=config())["Distribution"]["Id"]
    cases = [
        ({"Id": "EMISSING", "IfMatch": ""}, "NoSuchDistribution", 404),
        ({"Id": distribution_id, "IfMatch": ""}, "InvalidIfMatchVersion", 400),
        ({"Id": distribution_id, "IfMatch": ETAG_V2}, "PreconditionFailed", 412),
    ]
    for request, code, status in cases:
        error = refused(
            lambda request=request: client.update_distribution(
                DistributionConfig=config(), **request
            )
        )
        assert error[:2] == (code, status)
    assert (
        refused(
            lambda: client.update_distribution(
                Id=distribution_id, IfMatch="", DistributionConfig=config()
            )
        )[2]
        == MISSING_IF_MATCH
    )
    assert (
        refused(
            lambda: client.update_distribution(
                Id=distribution_id, IfMatch=ETAG_V2, DistributionConfig=config()
            )
        )[2]
        == STALE_IF_MATCH
    )
    assert refused(
        lambda: client.update_distribution(
            Id=distribution_id, IfMatch=ETAG_V1, DistributionConfig=config("other")
        )
    ) == (
        "IllegalUpdate",
        400,
        "The CallerReference of a distribution cannot change: it was 'ref-1'.",
    )
    assert client.get_distribution(Id=distribution_id)["ETag"] == ETAG_V1


def test_a_tool_that_retries_the_delete_gets_through(client) -> None:
    distribution_id = client.create_distribution(DistributionConfig=config(Enabled=False))[
        "Distribution"
    ]["Id"]
    with pytest.raises(ClientError) as first:
        client.delete_distribution(Id=distribution_id, IfMatch=ETAG_V1)
    assert error_of(first)[0] == "DistributionNotDisabled"
    client.delete_distribution(Id=distribution_id, IfMatch=ETAG_V1)
    assert client.list_distributions()["DistributionList"]["Quantity"] == 0


def test_update_replaces_the_whole_config(client) -> None:
    first = config(Aliases={"Quantity": 1, "Items": ["a.example.com"]})
    distribution_id = client.create_distribution(DistributionConfig=first)["Distribution"]["Id"]
    second = config(Comment="replaced")
    updated = client.update_distribution(
        Id=distribution_id, IfMatch=ETAG_V1, DistributionConfig=second
    )
    assert (updated["ETag"], updated["Distribution"]["Status"]) == (ETAG_V2, "InProgress")
    assert client.get_distribution_config(Id=distribution_id)["DistributionConfig"] == second


def test_delete_needs_a_disabled_deployed_distribution(client) -> None:
    distribution_id = client.create_distribution(DistributionConfig=config())["Distribution"]["Id"]
    not_disabled = (
        "DistributionNotDisabled",
        409,
        "The distribution you are trying to delete has not been disabled.",
    )
    assert refused(lambda: client.delete_distribution(Id=distribution_id, IfMatch=ETAG_V1)) == (
        not_disabled
    )
    disabled = config(Enabled=False)
    client.update_distribution(Id=distribution_id, IfMatch=ETAG_V1, DistributionConfig=disabled)
    # Disabled, but the change is still in progress.
    assert refused(lambda: client.delete_distribution(Id=distribution_id, IfMatch=ETAG_V2)) == (
        not_disabled
    )
    # That refusal was the read that saw the disable deployed: a retry gets through.
    assert client.get_distribution(Id=distribution_id)["Distribution"]["Status"] == "Deployed"
    for if_match, code in (("", "InvalidIfMatchVersion"), (ETAG_V1, "PreconditionFailed")):
        error = refused(
            lambda if_match=if_match: client.delete_distribution(
                Id=distribution_id, IfMatch=if_match
            )
        )
        assert error[0] == code
    deleted = client.delete_distribution(Id=distribution_id, IfMatch=ETAG_V2)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert refused(lambda: client.get_distribution(Id=distribution_id)) == (
        "NoSuchDistribution",
        404,
        f"The specified distribution does not exist: {distribution_id!r}.",
    )


# -- the viewer-mTLS rules ----------------------------------------------------------------------


def _create_refusal(client: Any, sent: dict[str, Any]) -> tuple[str, int, str]:
    return refused(lambda: client.create_distribution(DistributionConfig=sent))


def test_mtls_needs_an_existing_active_trust_store(cf, client, links) -> None:
    store_id, _ = links
    assert _create_refusal(client, config(ViewerMtlsConfig=mtls(None))) == (
        "InvalidArgument",
        400,
        "ViewerMtlsConfig: required mode needs TrustStoreConfig.TrustStoreId, the trust store "
        "that validates client certificates.",
    )
    assert _create_refusal(client, config(ViewerMtlsConfig=mtls(None, mode=None)))[2].startswith(
        "ViewerMtlsConfig: required mode needs"
    )
    assert _create_refusal(client, config(ViewerMtlsConfig=mtls("ts_missing"))) == (
        "EntityNotFound",
        404,
        "ViewerMtlsConfig.TrustStoreConfig.TrustStoreId: the trust store 'ts_missing' does not "
        "exist.",
    )
    failed = cf.add_trust_store("broken", b"not a bundle")
    assert _create_refusal(client, config(ViewerMtlsConfig=mtls(failed.id))) == (
        "InvalidArgument",
        400,
        f"ViewerMtlsConfig.TrustStoreConfig.TrustStoreId: the trust store {failed.id!r} is "
        "failed; only an active trust store can be used.",
    )
    assert _create_refusal(client, config(ViewerMtlsConfig=mtls(store_id, mode="strict"))) == (
        "InvalidArgument",
        400,
        "ViewerMtlsConfig.Mode 'strict' is not one of required, optional, passthrough.",
    )
    for mode in ("required", "optional"):
        sent = config(f"ref-{mode}", ViewerMtlsConfig=mtls(store_id, mode=mode))
        assert client.create_distribution(DistributionConfig=sent)["ETag"] == ETAG_V1


def test_a_pending_trust_store_cannot_be_used_yet() -> None:
    with mock_connection_functions(trust_store_delay=60) as cf:
        pending = cf.add_trust_store("later", CA, active=False)
        client = boto3.client("cloudfront", region_name="us-east-1")
        assert _create_refusal(client, config(ViewerMtlsConfig=mtls(pending.id)))[2] == (
            f"ViewerMtlsConfig.TrustStoreConfig.TrustStoreId: the trust store {pending.id!r} is "
            "pending; only an active trust store can be used."
        )
        cf.finish_trust_stores()
        client.create_distribution(DistributionConfig=config(ViewerMtlsConfig=mtls(pending.id)))


def test_mtls_refuses_plain_http_and_http3(client, links) -> None:
    store_id, _ = links
    allow_all = config(ViewerMtlsConfig=mtls(store_id))
    allow_all["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = "allow-all"
    assert _create_refusal(client, allow_all) == (
        "InvalidArgument",
        400,
        "DefaultCacheBehavior.ViewerProtocolPolicy is allow-all; viewer mTLS needs every cache "
        "behavior to refuse plain HTTP.",
    )
    behaviors = config(
        ViewerMtlsConfig=mtls(store_id),
        CacheBehaviors={
            "Quantity": 1,
            "Items": [
                {
                    "PathPattern": "/open/*",
                    "TargetOriginId": "api",
                    "ViewerProtocolPolicy": "allow-all",
                    "CachePolicyId": CACHING_OPTIMIZED,
                }
            ],
        },
    )
    assert _create_refusal(client, behaviors)[2].startswith(
        "CacheBehaviors.Items[0] (/open/*).ViewerProtocolPolicy is allow-all"
    )
    http3 = config(ViewerMtlsConfig=mtls(store_id), HttpVersion="http2and3")
    assert _create_refusal(client, http3) == (
        "InvalidArgument",
        400,
        "HttpVersion is http2and3; viewer mTLS does not work over HTTP/3.",
    )
    redirect = config(ViewerMtlsConfig=mtls(store_id))
    redirect["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = "redirect-to-https"
    client.create_distribution(DistributionConfig=redirect)


def test_strict_https_only_refuses_redirects() -> None:
    with mock_connection_functions(strict_https_only=True) as cf:
        store = cf.add_trust_store("devices", CA)
        client = boto3.client("cloudfront", region_name="us-east-1")
        redirect = config(ViewerMtlsConfig=mtls(store.id))
        redirect["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = "redirect-to-https"
        assert _create_refusal(client, redirect)[2] == (
            "DefaultCacheBehavior.ViewerProtocolPolicy is redirect-to-https; viewer mTLS needs "
            "every cache behavior to refuse plain HTTP (https-only: strict_https_only is on)."
        )


def test_passthrough_rules(client, links) -> None:
    store_id, _ = links
    with_store = config(ViewerMtlsConfig=mtls(store_id, mode="passthrough"))
    assert _create_refusal(client, with_store)[2].startswith(
        "ViewerMtlsConfig: passthrough mode takes no TrustStoreConfig"
    )
    cached = config(ViewerMtlsConfig=mtls(None, mode="passthrough"))
    assert _create_refusal(client, cached) == (
        "InvalidArgument",
        400,
        "DefaultCacheBehavior.CachePolicyId: passthrough mode needs the managed CachingDisabled "
        f"policy ({CACHING_DISABLED}) on every cache behavior.",
    )
    good = config(ViewerMtlsConfig=mtls(None, mode="passthrough"))
    good["DefaultCacheBehavior"]["CachePolicyId"] = CACHING_DISABLED
    shielded = copy.deepcopy(good)
    shielded["Origins"]["Items"][0]["OriginShield"] = {
        "Enabled": True,
        "OriginShieldRegion": "us-east-1",
    }
    assert "Origin Shield" in _create_refusal(client, shielded)[2]
    with_lambda = copy.deepcopy(good)
    with_lambda["DefaultCacheBehavior"]["LambdaFunctionAssociations"] = {
        "Quantity": 1,
        "Items": [
            {
                "LambdaFunctionARN": "arn:aws:lambda:us-east-1:123456789012:function:f:1",
                "EventType": "viewer-request",
            }
        ],
    }
    assert "Lambda@Edge" in _create_refusal(client, with_lambda)[2]
    created = client.create_distribution(DistributionConfig=good)
    assert created["Distribution"]["DistributionConfig"]["ViewerMtlsConfig"] == {
        "Mode": "passthrough"
    }


def test_association_rules(cf, client, links) -> None:
    store_id, function_id = links
    unknown = config(ViewerMtlsConfig=mtls(store_id), ConnectionFunctionAssociation={"Id": "cf_x"})
    assert _create_refusal(client, unknown) == (
        "EntityNotFound",
        404,
        "ConnectionFunctionAssociation.Id: the connection function 'cf_x' does not exist.",
    )
    draft = cf.add_function("draft", CODE)
    unpublished = config(
        ViewerMtlsConfig=mtls(store_id), ConnectionFunctionAssociation={"Id": draft.id}
    )
    assert _create_refusal(client, unpublished) == (
        "InvalidArgument",
        400,
        f"ConnectionFunctionAssociation.Id: the connection function {draft.id!r} is not "
        "published; only a published (LIVE) function can be associated.",
    )
    without_mtls = config(ConnectionFunctionAssociation={"Id": function_id})
    assert _create_refusal(client, without_mtls) == (
        "InvalidArgument",
        400,
        "ConnectionFunctionAssociation needs ViewerMtlsConfig: connection functions run only on "
        "distributions with viewer mTLS.",
    )


def test_quotas_per_function_and_per_trust_store() -> None:
    with mock_connection_functions(
        max_distributions_per_function=1, max_distributions_per_trust_store=2
    ) as cf:
        store = cf.add_trust_store("devices", CA)
        function = cf.add_function("gate", CODE)
        cf.publish("gate")
        client = boto3.client("cloudfront", region_name="us-east-1")
        linked = with_links((store.id, function.id))
        first = client.create_distribution(DistributionConfig=linked)["Distribution"]["Id"]
        second = copy.deepcopy(linked)
        second["CallerReference"] = "ref-2"
        assert _create_refusal(client, second) == (
            "EntityLimitExceeded",
            400,
            f"The connection function {function.id!r} is already associated with 1 "
            "distributions; the limit is 1.",
        )
        # Updating the one that holds the association is not a second one.
        client.update_distribution(Id=first, IfMatch=ETAG_V1, DistributionConfig=linked)
        del second["ConnectionFunctionAssociation"]
        client.create_distribution(DistributionConfig=second)
        third = config("ref-3", ViewerMtlsConfig=mtls(store.id))
        assert _create_refusal(client, third)[:2] == ("EntityLimitExceeded", 400)


# -- the links ----------------------------------------------------------------------------------


def _status(client: Any, stage: str = "DEVELOPMENT") -> str:
    summary = client.describe_connection_function(Identifier="gate", Stage=stage)
    return str(summary["ConnectionFunctionSummary"]["Status"])


def test_the_function_flow_of_an_infrastructure_tool(cf, client) -> None:
    store = cf.add_trust_store("devices", CA)
    created = client.create_connection_function(
        Name="gate",
        ConnectionFunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"},
        ConnectionFunctionCode=CODE.encode(),
    )
    function_id = created["ConnectionFunctionSummary"]["Id"]
    client.publish_connection_function(Id=function_id, IfMatch=created["ETag"])
    assert _status(client) == "UNASSOCIATED"
    linked = with_links((store.id, function_id))
    distribution_id = client.create_distribution(DistributionConfig=linked)["Distribution"]["Id"]
    assert (_status(client), _status(client, "LIVE")) == ("DEPLOYED", "DEPLOYED")
    published = client.publish_connection_function(Id=function_id, IfMatch=created["ETag"])
    assert published["ConnectionFunctionSummary"]["Status"] == "PUBLISHING"
    assert _status(client) == "DEPLOYED"
    users = client.list_distributions_by_connection_function(ConnectionFunctionIdentifier="gate")
    assert [d["Id"] for d in users["DistributionList"]["Items"]] == [distribution_id]
    assert refused(
        lambda: client.delete_connection_function(Id=function_id, IfMatch=created["ETag"])
    ) == (
        "CannotDeleteEntityWhileInUse",
        409,
        f"The connection function {function_id!r} is associated with distribution "
        f"{distribution_id}; remove the ConnectionFunctionAssociation first.",
    )
    unlinked = copy.deepcopy(linked)
    del unlinked["ConnectionFunctionAssociation"]
    client.update_distribution(Id=distribution_id, IfMatch=ETAG_V1, DistributionConfig=unlinked)
    assert _status(client) == "UNASSOCIATED"
    assert (
        client.list_distributions_by_connection_function(ConnectionFunctionIdentifier="gate")[
            "DistributionList"
        ]["Quantity"]
        == 0
    )
    client.delete_connection_function(Id=function_id, IfMatch=created["ETag"])


def test_report_deployed_false_keeps_unassociated() -> None:
    with mock_connection_functions(report_deployed=False) as cf:
        store = cf.add_trust_store("devices", CA)
        function = cf.add_function("gate", CODE)
        cf.publish("gate")
        client = boto3.client("cloudfront", region_name="us-east-1")
        client.create_distribution(DistributionConfig=with_links((store.id, function.id)))
        assert _status(client) == "UNASSOCIATED"


def test_a_used_trust_store_cannot_be_deleted_and_lists_its_users(cf, client, links) -> None:
    store_id, _ = links
    ids = []
    for index in range(3):
        sent = config(f"ref-{index}", ViewerMtlsConfig=mtls(store_id))
        ids.append(client.create_distribution(DistributionConfig=sent)["Distribution"]["Id"])
    client.create_distribution(DistributionConfig=config("plain"))
    assert refused(lambda: client.delete_trust_store(Id=store_id, IfMatch=ETAG_V1)) == (
        "CannotDeleteEntityWhileInUse",
        409,
        f"The trust store {store_id!r} is in use by distribution {ids[0]}; remove it from the "
        "distribution's ViewerMtlsConfig first.",
    )
    first = client.list_distributions_by_trust_store(TrustStoreIdentifier="devices", MaxItems="2")
    listing = first["DistributionList"]
    assert ([d["Id"] for d in listing["Items"]], listing["IsTruncated"]) == (ids[:2], True)
    rest = client.list_distributions_by_trust_store(
        TrustStoreIdentifier=store_id, Marker=listing["NextMarker"]
    )["DistributionList"]
    assert ([d["Id"] for d in rest["Items"]], rest["IsTruncated"]) == (ids[2:], False)
    assert "NextMarker" not in rest
    pages = client.get_paginator("list_distributions_by_trust_store").paginate(
        TrustStoreIdentifier=store_id, PaginationConfig={"PageSize": 1}
    )
    assert [d["Id"] for page in pages for d in page["DistributionList"].get("Items", [])] == ids
    assert refused(lambda: client.list_distributions_by_trust_store(TrustStoreIdentifier="nope"))[
        :2
    ] == ("EntityNotFound", 404)
    assert refused(
        lambda: client.list_distributions_by_connection_function(
            ConnectionFunctionIdentifier="nope"
        )
    )[:2] == ("EntityNotFound", 404)


def test_list_distributions_pages_with_string_max_items(client) -> None:
    ids = [
        client.create_distribution(DistributionConfig=config(f"ref-{i}"))["Distribution"]["Id"]
        for i in range(3)
    ]
    first = client.list_distributions(MaxItems="2")["DistributionList"]
    assert (first["Marker"], first["MaxItems"], first["Quantity"]) == ("", 2, 2)
    second = client.list_distributions(Marker=first["NextMarker"])["DistributionList"]
    assert [d["Id"] for d in second["Items"]] == ids[2:]
    assert second["Marker"] == first["NextMarker"]
    pages = client.get_paginator("list_distributions").paginate(PaginationConfig={"PageSize": 2})
    assert [d["Id"] for page in pages for d in page["DistributionList"]["Items"]] == ids
    summary = first["Items"][0]
    assert (summary["ETag"], summary["PriceClass"], summary["HttpVersion"]) == (
        ETAG_V1,
        "PriceClass_All",
        "http2",
    )
    assert summary["CacheBehaviors"] == {"Quantity": 0}
    for max_items in ("0", "x"):
        assert refused(
            lambda max_items=max_items: client.list_distributions(MaxItems=max_items)
        ) == (
            "InvalidArgument",
            400,
            f"MaxItems must be a positive number, not {max_items!r}.",
        )
    assert refused(lambda: client.list_distributions(Marker="bogus"))[:2] == (
        "InvalidArgument",
        400,
    )


def test_accounts_do_not_see_each_other_s_distributions(cf, client) -> None:
    client.create_distribution(DistributionConfig=config())
    other = boto3.client(
        "cloudfront",
        region_name="us-east-1",
        aws_access_key_id="111122223333",
        aws_secret_access_key="x",
    )
    assert other.list_distributions()["DistributionList"]["Quantity"] == 0
    other.create_distribution(DistributionConfig=config())  # the same CallerReference is fine
    assert len(cf.distributions("111122223333")) == 1


# -- the handle, the delay, moto ----------------------------------------------------------------


def test_the_handle_finds_distributions_by_id_domain_or_alias(cf, client) -> None:
    sent = config(Aliases={"Quantity": 1, "Items": ["devices.example.com"]})
    created = client.create_distribution(DistributionConfig=sent)["Distribution"]
    for name in (created["Id"], created["DomainName"], "devices.example.com"):
        found = cf.distribution(name)
        assert isinstance(found, Distribution)
        assert (found.id, found.aliases, found.enabled) == (
            created["Id"],
            ("devices.example.com",),
            True,
        )
    assert [d.id for d in cf.distributions()] == [created["Id"]]
    with pytest.raises(DistributionNotFoundError) as missing:
        cf.distribution("nope.example.com")
    assert str(missing.value) == (
        "cfmock: no distribution 'nope.example.com' in account 123456789012"
    )


def test_deploy_delay_keeps_distributions_in_progress(monkeypatch) -> None:
    now = [datetime.datetime(2026, 11, 30, tzinfo=datetime.timezone.utc)]
    monkeypatch.setattr(backend_module, "utc_now", lambda: now[0])
    with mock_connection_functions(deploy_delay=300) as cf:
        client = boto3.client("cloudfront", region_name="us-east-1")
        distribution_id = client.create_distribution(DistributionConfig=config())["Distribution"][
            "Id"
        ]
        assert client.get_distribution(Id=distribution_id)["Distribution"]["Status"] == (
            "InProgress"
        )
        now[0] += datetime.timedelta(seconds=301)
        assert cf.distribution(distribution_id).status == "Deployed"
        client.update_distribution(Id=distribution_id, IfMatch=ETAG_V1, DistributionConfig=config())
        assert cf.distribution(distribution_id).status == "InProgress"
        cf.finish_deploying()
        assert cf.distribution(distribution_id).status == "Deployed"


def test_moto_distributions_hands_the_operations_to_moto() -> None:
    moto = pytest.importorskip("moto")
    with moto.mock_aws(), mock_connection_functions(moto_distributions=True) as cf:
        store = cf.add_trust_store("devices", CA)
        function = cf.add_function("gate", CODE)
        cf.publish("gate")
        client = boto3.client("cloudfront", region_name="us-east-1")
        # moto stores the references without checking them.
        linked = with_links((store.id, "cf_unknown"))
        created = client.create_distribution(DistributionConfig=linked)["Distribution"]
        assert cf.distributions() == []
        assert client.get_distribution(Id=created["Id"])["Distribution"]["Id"] == created["Id"]
        assert (
            client.list_distributions_by_connection_function(ConnectionFunctionIdentifier="gate")[
                "DistributionList"
            ]["Quantity"]
            == 0
        )
        assert _status(client) == "UNASSOCIATED"
        client.delete_connection_function(Id=function.id, IfMatch=function.etag)


def test_aiobotocore_reaches_trust_stores_and_distributions() -> None:
    import asyncio

    aiobotocore_session = pytest.importorskip("aiobotocore.session")

    async def scenario(cf: CloudFrontMock) -> tuple[str, str, str]:
        session = aiobotocore_session.get_session()
        async with session.create_client("cloudfront", region_name="us-east-1") as client:
            store = await client.get_trust_store(Identifier="devices")
            function_id = cf.get_function("gate").id
            linked = with_links((store["TrustStore"]["Id"], function_id))
            created = await client.create_distribution(DistributionConfig=linked)
            got = await client.get_distribution(Id=created["Distribution"]["Id"])
            described = await client.describe_connection_function(Identifier="gate")
            return (
                store["TrustStore"]["Status"],
                got["Distribution"]["Status"],
                described["ConnectionFunctionSummary"]["Status"],
            )

    with mock_connection_functions() as cf:
        cf.add_trust_store("devices", CA)
        cf.add_function("gate", CODE)
        cf.publish("gate")
        assert asyncio.run(scenario(cf)) == ("active", "Deployed", "DEPLOYED")


def test_an_alias_belongs_to_one_distribution(client, cf) -> None:
    aliases = {"Quantity": 1, "Items": ["devices.example.com"]}
    first = client.create_distribution(DistributionConfig=config(Aliases=aliases))
    taken = config("ref-2", Aliases={"Quantity": 1, "Items": ["DEVICES.example.com"]})
    assert refused(lambda: client.create_distribution(DistributionConfig=taken)) == (
        "CNAMEAlreadyExists",
        409,
        "One or more of the CNAMEs you provided are already associated with a different resource.",
    )
    second = client.create_distribution(DistributionConfig=config("ref-3"))["Distribution"]
    assert refused(
        lambda: client.update_distribution(
            Id=second["Id"], IfMatch=ETAG_V1, DistributionConfig=config("ref-3", Aliases=aliases)
        )
    )[:2] == ("CNAMEAlreadyExists", 409)
    # Its own aliases are not in its way.
    client.update_distribution(
        Id=first["Distribution"]["Id"], IfMatch=ETAG_V1, DistributionConfig=config(Aliases=aliases)
    )


def test_add_distribution_refuses_settings_that_do_not_fit(cf) -> None:
    from cfmock.exceptions import InvalidSeedError

    cf.add_trust_store("devices", CA)
    with pytest.raises(InvalidSeedError, match="mode=None"):
        cf.add_distribution(mode=None, trust_store="devices")
    with pytest.raises(InvalidSeedError, match="ignore_certificate_expiry"):
        cf.add_distribution(mode="passthrough", ignore_certificate_expiry=True)
    with pytest.raises(InvalidSeedError, match="EntityNotFound"):
        cf.add_distribution(trust_store="nope")
    lenient = cf.add_distribution(trust_store="devices", ignore_certificate_expiry=True)
    assert lenient.config["ViewerMtlsConfig"]["TrustStoreConfig"]["IgnoreCertificateExpiry"]
