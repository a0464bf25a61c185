"""KeyValueStores through boto3: the control plane in ``cloudfront`` and the data plane."""

from __future__ import annotations

from typing import Any

import boto3
import botocore.config
import pytest

from cfmock import CloudFrontMock
from cfmock.exceptions import (
    CfmockError,
    InvalidSeedError,
    StoreNotFoundError,
    UnsupportedFeatureError,
)
from tests.scaffolding import (
    CODE,
    ETAG_V1,
    ETAG_V2,
    MISSING_IF_MATCH,
    STALE_IF_MATCH,
    config,
    error_of,
)

STALE_DATA = "Pre-Condition failed during update of Key-Value-Store"


@pytest.fixture
def data(cf: CloudFrontMock) -> Any:
    return boto3.client("cloudfront-keyvaluestore", region_name="us-east-1")


def _store(client: Any, name: str = "serials", comment: str = "") -> dict[str, Any]:
    response: dict[str, Any] = client.create_key_value_store(Name=name, Comment=comment)
    return response


# -- control plane --------------------------------------------------------------------------


def test_create_describe_update_delete(client) -> None:
    created = _store(client, comment="revoked serials")
    store = created["KeyValueStore"]
    assert created["ETag"] == ETAG_V1
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert store["ARN"] == f"arn:aws:cloudfront::123456789012:key-value-store/{store['Id']}"
    assert created["Location"] == (
        f"https://cloudfront.amazonaws.com/2020-05-31/key-value-store/{store['ARN']}"
    )
    assert (store["Name"], store["Comment"], store["Status"]) == (
        "serials",
        "revoked serials",
        "READY",
    )

    described = client.describe_key_value_store(Name="serials")
    assert (described["KeyValueStore"], described["ETag"]) == (store, ETAG_V1)

    updated = client.update_key_value_store(Name="serials", Comment="new", IfMatch=ETAG_V1)
    assert (updated["KeyValueStore"]["Comment"], updated["ETag"]) == ("new", ETAG_V2)

    deleted = client.delete_key_value_store(Name="serials", IfMatch=ETAG_V2)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(client.exceptions.EntityNotFound) as excinfo:
        client.describe_key_value_store(Name="serials")
    assert error_of(excinfo) == (
        "EntityNotFound",
        404,
        "The KeyValueStore 'serials' does not exist.",
    )


def test_list_key_value_stores_pages(client) -> None:
    for index in range(3):
        _store(client, f"store-{index}")
    first = client.list_key_value_stores(MaxItems="2")["KeyValueStoreList"]
    rest = client.list_key_value_stores(MaxItems="2", Marker=first["NextMarker"])[
        "KeyValueStoreList"
    ]
    assert [s["Name"] for s in first["Items"]] == ["store-0", "store-1"]
    assert (first["Quantity"], first["MaxItems"]) == (2, 2)
    assert [s["Name"] for s in rest["Items"]] == ["store-2"]
    assert "NextMarker" not in rest
    assert client.list_key_value_stores(Status="PROVISIONING")["KeyValueStoreList"]["Quantity"] == 0


def test_control_plane_errors(client) -> None:
    _store(client)
    with pytest.raises(client.exceptions.EntityAlreadyExists) as excinfo:
        _store(client)
    assert error_of(excinfo) == (
        "EntityAlreadyExists",
        409,
        "A KeyValueStore named 'serials' already exists.",
    )
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        _store(client, "bad name")
    assert error_of(excinfo)[:2] == ("InvalidArgument", 400)
    with pytest.raises(client.exceptions.PreconditionFailed) as excinfo:
        client.update_key_value_store(Name="serials", Comment="x", IfMatch=ETAG_V2)
    assert error_of(excinfo) == ("PreconditionFailed", 412, STALE_IF_MATCH)
    with pytest.raises(client.exceptions.InvalidIfMatchVersion) as excinfo:
        client.delete_key_value_store(Name="serials", IfMatch="")
    assert error_of(excinfo) == ("InvalidIfMatchVersion", 400, MISSING_IF_MATCH)
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        client.list_key_value_stores(MaxItems="many")
    assert error_of(excinfo) == ("InvalidArgument", 400, "MaxItems must be a number, not 'many'.")
    for max_items in ("0", "101"):
        with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
            client.list_key_value_stores(MaxItems=max_items)
        assert error_of(excinfo) == (
            "InvalidArgument",
            400,
            f"MaxItems is {max_items}; it must be between 1 and 100.",
        )


def test_a_comment_over_128_characters_is_invalid_on_create_and_update(client) -> None:
    _store(client, comment="c" * 128)
    for call in (
        lambda: _store(client, "other", comment="c" * 129),
        lambda: client.update_key_value_store(Name="serials", Comment="c" * 129, IfMatch=ETAG_V1),
    ):
        with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
            call()
        assert error_of(excinfo) == (
            "InvalidArgument",
            400,
            "The comment is 129 characters long; the maximum is 128.",
        )
    assert [s["Name"] for s in client.list_key_value_stores()["KeyValueStoreList"]["Items"]] == [
        "serials"
    ]
    assert client.describe_key_value_store(Name="serials")["ETag"] == ETAG_V1


def test_an_account_holds_at_most_50_stores(client) -> None:
    for index in range(50):
        _store(client, f"store-{index}")
    with pytest.raises(client.exceptions.EntityLimitExceeded) as excinfo:
        _store(client, "one-more")
    assert error_of(excinfo) == (
        "EntityLimitExceeded",
        400,
        "This account already has 50 KeyValueStores; the limit is 50.",
    )
    other = boto3.client(
        "cloudfront",
        region_name="us-east-1",
        aws_access_key_id="111122223333",
        aws_secret_access_key="secret",
    )
    assert _store(other, "one-more")["KeyValueStore"]["Name"] == "one-more"  # per account


def test_import_source_is_a_usage_error(client) -> None:
    with pytest.raises(UnsupportedFeatureError):
        client.create_key_value_store(
            Name="imported",
            ImportSource={"SourceType": "S3", "SourceARN": "arn:aws:s3:::bucket/keys.json"},
        )


def test_a_store_in_use_cannot_be_deleted(client, cf) -> None:
    arn = _store(client)["KeyValueStore"]["ARN"]
    associations = {"Quantity": 1, "Items": [{"KeyValueStoreARN": arn}]}
    function = client.create_connection_function(
        Name="uses-store",
        ConnectionFunctionConfig=config(KeyValueStoreAssociations=associations),
        ConnectionFunctionCode=CODE,
    )
    with pytest.raises(client.exceptions.CannotDeleteEntityWhileInUse) as excinfo:
        client.delete_key_value_store(Name="serials", IfMatch=ETAG_V1)
    assert error_of(excinfo) == (
        "CannotDeleteEntityWhileInUse",
        409,
        "The KeyValueStore 'serials' is associated with a connection function.",
    )
    client.delete_connection_function(
        Id=function["ConnectionFunctionSummary"]["Id"], IfMatch=function["ETag"]
    )
    client.delete_key_value_store(Name="serials", IfMatch=ETAG_V1)
    assert cf.functions() == []


def test_associations_need_an_existing_ready_store_of_the_account(client, cf) -> None:
    provisioning = cf.add_key_value_store("slow", ready=False)
    foreign = cf.add_key_value_store("foreign", account_id="999999999999")
    missing = provisioning.arn[:-36] + "00000000-0000-0000-0000-000000000000"
    cases = [
        (missing, f"The KeyValueStore {missing!r} does not exist."),
        (foreign.arn, f"The KeyValueStore {foreign.arn!r} does not exist."),
        (
            provisioning.arn,
            f"The KeyValueStore {provisioning.arn!r} cannot be associated before the resource "
            f"is provisioned.",
        ),
    ]
    for arn, message in cases:
        with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
            client.create_connection_function(
                Name="needs-store",
                ConnectionFunctionConfig=config(
                    KeyValueStoreAssociations={"Quantity": 1, "Items": [{"KeyValueStoreARN": arn}]}
                ),
                ConnectionFunctionCode=CODE,
            )
        assert error_of(excinfo) == ("InvalidArgument", 400, message)
    cf.finish_provisioning("slow")
    assert cf.key_value_store(provisioning.arn).status == "READY"


# -- data plane -----------------------------------------------------------------------------


def test_data_plane_round_trip_with_kv_etags(client, data, cf) -> None:
    arn = _store(client)["KeyValueStore"]["ARN"]
    described = data.describe_key_value_store(KvsARN=arn)
    assert (described["ETag"], described["ItemCount"], described["Status"]) == (
        "KVTVPDKIKX0DER",
        0,
        "READY",
    )
    put = data.put_key(KvsARN=arn, Key="ABC", Value="revoked", IfMatch=described["ETag"])
    assert (put["ETag"], put["ItemCount"], put["TotalSizeInBytes"]) == ("KV3UN6WX5RRO2AG", 1, 10)
    got = data.get_key(KvsARN=arn, Key="ABC")
    assert (got["Key"], got["Value"], got["ItemCount"]) == ("ABC", "revoked", 1)
    updated = data.update_keys(
        KvsARN=arn,
        IfMatch=put["ETag"],
        Puts=[{"Key": "DEF", "Value": "revoked"}],
        Deletes=[{"Key": "ABC"}, {"Key": "never-there"}],
    )
    assert (updated["ETag"], updated["ItemCount"]) == ("KV1F83G8C2ARO7P", 1)
    deleted = data.delete_key(KvsARN=arn, Key="DEF", IfMatch=updated["ETag"])
    assert deleted["ItemCount"] == 0
    assert client.describe_key_value_store(Name="serials")["ETag"] == ETAG_V1
    assert [c.service for c in cf.calls][-2:] == ["cloudfront-keyvaluestore", "cloudfront"]


def test_list_keys_paginates(client, data, cf) -> None:
    arn = _store(client)["KeyValueStore"]["ARN"]
    cf.put_keys(arn, {f"key-{i:02d}": str(i) for i in range(25)})
    pages = list(data.get_paginator("list_keys").paginate(KvsARN=arn))
    assert [len(page["Items"]) for page in pages] == [10, 10, 5]
    assert pages[0]["Items"][0] == {"Key": "key-00", "Value": "0"}
    with pytest.raises(data.exceptions.ValidationException):
        data.list_keys(KvsARN=arn, MaxResults=51)


def test_data_plane_errors(client, data) -> None:
    arn = _store(client)["KeyValueStore"]["ARN"]
    etag = data.describe_key_value_store(KvsARN=arn)["ETag"]
    with pytest.raises(data.exceptions.ValidationException) as excinfo:
        data.put_key(KvsARN=arn, Key="k", Value="v", IfMatch="KV-stale")
    assert error_of(excinfo) == ("ValidationException", 400, STALE_DATA)
    with pytest.raises(data.exceptions.ResourceNotFoundException) as excinfo:
        data.get_key(KvsARN=arn, Key="missing")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        404,
        f"The key 'missing' does not exist in {arn!r}.",
    )
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.delete_key(KvsARN=arn, Key="missing", IfMatch=etag)
    with pytest.raises(data.exceptions.ValidationException) as excinfo:
        data.put_key(KvsARN=arn, Key="k" * 513, Value="v", IfMatch=etag)
    assert error_of(excinfo)[2] == f"The key {'k' * 513!r} is 513 bytes; keys are 1 to 512 bytes."
    with pytest.raises(data.exceptions.ValidationException) as excinfo:
        data.put_key(KvsARN=arn, Key="k", Value="v" * 1025, IfMatch=etag)
    assert error_of(excinfo)[2] == "The value of key 'k' is 1025 bytes; the maximum is 1024."
    with pytest.raises(data.exceptions.ValidationException) as excinfo:
        data.update_keys(
            KvsARN=arn, IfMatch=etag, Puts=[{"Key": f"k{i}", "Value": "v"} for i in range(51)]
        )
    assert error_of(excinfo)[2] == "51 keys were given; one request may change at most 50."
    unknown = arn[:-36] + "00000000-0000-0000-0000-000000000000"
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.describe_key_value_store(KvsARN=unknown)
    assert data.describe_key_value_store(KvsARN=arn)["ETag"] == etag  # nothing changed


def test_a_store_over_5_mb_is_service_quota_exceeded(client, data, cf) -> None:
    arn = _store(client)["KeyValueStore"]["ARN"]
    for batch in range(104):
        cf.put_keys(arn, {f"b{batch:03d}-{i:02d}": "v" * 1000 for i in range(50)})
    store = cf.key_value_store(arn)
    assert store.total_size < 5 * 1024 * 1024
    with pytest.raises(data.exceptions.ServiceQuotaExceededException) as excinfo:
        data.update_keys(
            KvsARN=arn,
            IfMatch=store.data_etag,
            Puts=[{"Key": f"over-{i:02d}", "Value": "v" * 1000} for i in range(50)],
        )
    assert error_of(excinfo)[:2] == ("ServiceQuotaExceededException", 402)
    assert cf.key_value_store(arn) == store


def test_handle_seeds_and_reads_stores(cf) -> None:
    store = cf.add_key_value_store("seeded", {"a": "1"}, comment="from the handle")
    assert (dict(store.data), store.data_etag, store.etag) == (
        {"a": "1"},
        "KV3UN6WX5RRO2AG",
        ETAG_V1,
    )
    assert cf.key_value_store("seeded") == store
    with pytest.raises(StoreNotFoundError):
        cf.key_value_store("nope")
    with pytest.raises(InvalidSeedError):
        cf.add_key_value_store("seeded")
    with pytest.raises(InvalidSeedError):
        cf.put_keys("seeded", {"k": "v" * 2000})


def test_a_bad_list_keys_token_is_validation_exception(client, data) -> None:
    arn = _store(client)["KeyValueStore"]["ARN"]
    with pytest.raises(data.exceptions.ValidationException) as excinfo:
        data.list_keys(KvsARN=arn, NextToken="not-a-token")
    assert error_of(excinfo) == (
        "ValidationException",
        400,
        "The next token 'not-a-token' is not valid. Pass the value of a previous page.",
    )


def test_faults_on_either_plane(client, data, cf) -> None:
    arn = _store(client)["KeyValueStore"]["ARN"]
    with pytest.raises(CfmockError) as excinfo:
        cf.fail("DescribeKeyValueStore", "AccessDenied")
    assert str(excinfo.value) == (
        "cfmock: DescribeKeyValueStore exists in cloudfront and cloudfront-keyvaluestore; "
        "pass service= to say which one should fail"
    )
    with pytest.raises(CfmockError):
        cf.fail("GetKey", "AccessDenied")  # the control plane's code, not the data plane's
    cf.fail("DescribeKeyValueStore", "AccessDeniedException", service="cloudfront-keyvaluestore")
    cf.fail("GetKey", "ThrottlingException", times=None)
    with pytest.raises(data.exceptions.AccessDeniedException):
        data.describe_key_value_store(KvsARN=arn)
    assert client.describe_key_value_store(Name="serials")["ETag"] == ETAG_V1
    no_retries = boto3.client(
        "cloudfront-keyvaluestore",
        region_name="us-east-1",
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )
    with pytest.raises(no_retries.exceptions.ClientError) as throttled:
        no_retries.get_key(KvsARN=arn, Key="k")
    assert error_of(throttled) == ("ThrottlingException", 400, "Rate exceeded")


def test_seeding_is_all_or_nothing_and_snapshots_are_read_only(cf) -> None:
    with pytest.raises(InvalidSeedError):
        cf.add_key_value_store("refused", {"k" * 513: "v"})
    with pytest.raises(InvalidSeedError) as excinfo:
        cf.add_key_value_store("refused", {f"k{i:04d}": "v" * 1000 for i in range(5300)})
    assert excinfo.value.error.code == "ServiceQuotaExceededException"
    with pytest.raises(StoreNotFoundError):
        cf.key_value_store("refused")
    store = cf.add_key_value_store("many", {f"k{i}": "v" for i in range(120)})
    assert (len(store.data), store.data_etag) == (120, "KV3UN6WX5RRO2AG")
    data: Any = store.data
    with pytest.raises(TypeError):
        data["k0"] = "changed"
    assert cf.key_value_store("many").data["k0"] == "v"
