"""The handle: seeding and inspecting state without boto3."""

from __future__ import annotations

import dataclasses
from typing import Any

import boto3
import pytest

from cfmock import CloudFrontMock, ConnectionFunction, Stage, mock_connection_functions
from cfmock.exceptions import FunctionNotFoundError, InvalidSeedError


def test_seeded_function_is_visible_to_boto3_with_the_same_etag(cf: CloudFrontMock, client) -> None:
    store = cf.add_key_value_store("serials", {"ABC": "revoked"})
    seeded = cf.add_function(
        "seeded",
        "function connectionHandler(c) { c.allow(); }",
        comment="from the handle",
        key_value_store_arn=store.arn,
        tags={"team": "edge"},
    )
    described = client.describe_connection_function(Identifier="seeded")
    assert described["ETag"] == seeded.etag == "ETVPDKIKX0DER"
    summary = described["ConnectionFunctionSummary"]
    assert summary["Id"] == seeded.id
    assert summary["ConnectionFunctionConfig"]["Comment"] == "from the handle"
    assert summary["ConnectionFunctionConfig"]["KeyValueStoreAssociations"]["Items"] == [
        {"KeyValueStoreARN": store.arn}
    ]
    assert client.get_connection_function(Identifier=seeded.id)[
        "ConnectionFunctionCode"
    ].read() == (b"function connectionHandler(c) { c.allow(); }")
    assert seeded.tags == (("team", "edge"),)


def test_seeding_what_cloudfront_would_refuse_raises_invalid_seed_error(cf: CloudFrontMock) -> None:
    with pytest.raises(InvalidSeedError) as excinfo:
        cf.add_function("bad name", b"code")
    assert excinfo.value.error.code == "InvalidArgument"
    assert str(excinfo.value).startswith(
        "cfmock: CloudFront would reject this seed with InvalidArgument: "
        "The connection function name 'bad name' is not valid."
    )
    assert cf.functions() == []


def test_get_function_by_id_arn_or_name_and_a_helpful_miss(cf: CloudFrontMock) -> None:
    seeded = cf.add_function("lookup", b"code")
    assert cf.get_function(seeded.id) == cf.get_function(seeded.arn) == cf.get_function("lookup")
    with pytest.raises(FunctionNotFoundError) as excinfo:
        cf.get_function("missing")
    assert str(excinfo.value) == (
        f"cfmock: no connection function 'missing' in account 123456789012; it holds: "
        f"lookup ({seeded.id})"
    )
    assert isinstance(excinfo.value, LookupError)


def test_snapshots_do_not_change_after_later_writes(cf: CloudFrontMock, client) -> None:
    before = cf.add_function("snap", b"v1")
    client.update_connection_function(
        Id=before.id,
        IfMatch=before.etag,
        ConnectionFunctionConfig={"Comment": "c", "Runtime": "cloudfront-js-2.0"},
        ConnectionFunctionCode=b"v2",
    )
    after = cf.get_function(before.id)
    assert before.development.code == b"v1"
    assert after.development.code == b"v2"
    assert after.stage(Stage.DEVELOPMENT) is after.development
    assert after.stage(Stage.LIVE) is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        after.name = "renamed"  # type: ignore[misc]


def test_account_option_moves_everything_to_that_account() -> None:
    with mock_connection_functions(account_id="111122223333") as cf:
        assert cf.account_id == "111122223333"
        client = boto3.client("cloudfront", region_name="us-east-1")
        seeded = cf.add_function("acct", b"code")
        assert seeded.arn == f"arn:aws:cloudfront::111122223333:connection-function/{seeded.id}"
        assert client.describe_connection_function(Identifier=seeded.arn)["ETag"]
        other: list[ConnectionFunction] = cf.functions(account_id="123456789012")
        assert other == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"k": "\ud800"},
            "The value of key 'k' holds an unpaired surrogate; strings must be valid Unicode.",
        ),
        ({"\udfff": "v"}, "The key holds an unpaired surrogate; strings must be valid Unicode."),
        ({"k": 1}, "The value of key 'k' is int; keys and values are strings."),
        ({2: "v"}, "The key is int; keys and values are strings."),
    ],
)
def test_seeding_a_store_with_text_the_data_plane_refuses_is_an_invalid_seed(
    cf: CloudFrontMock, data: dict[Any, Any], message: str
) -> None:
    with pytest.raises(InvalidSeedError) as caught:
        cf.add_key_value_store("refused", data)
    assert caught.value.error.code == "ValidationException"
    assert str(caught.value.error) == message
    assert [store.name for store in cf._backend.stores.list(cf.account_id)] == []
    store = cf.add_key_value_store("kept", {"a": "1"})
    with pytest.raises(InvalidSeedError) as caught:
        cf.put_keys("kept", data)
    assert str(caught.value.error) == message
    assert dict(cf.key_value_store("kept").data) == {"a": "1"}
    assert cf.key_value_store("kept").data_etag == store.data_etag


def test_repr_says_whether_the_handle_is_active_and_what_the_mock_holds() -> None:
    from cfmock.pki import CertificateAuthority

    mock = mock_connection_functions()
    cf = mock.start()
    try:
        assert repr(cf) == (
            "<CloudFrontMock active, account 123456789012: 0 functions, 0 KeyValueStores, "
            "0 trust stores, 0 distributions, 0 calls>"
        )
        client = boto3.client("cloudfront", region_name="us-east-1")
        client.list_connection_functions()
        cf.add_function("gate", "function connectionHandler(c) { c.allow(); }")
        cf.publish("gate")
        cf.add_key_value_store("serials", {"ABC": "revoked"})
        cf.add_trust_store("devices", CertificateAuthority("Repr Root CA").pem)
        cf.add_distribution(trust_store="devices", function="gate")
        assert repr(cf) == (
            "<CloudFrontMock active, account 123456789012: 1 function, 1 KeyValueStore, "
            "1 trust store, 1 distribution, 1 call>"
        )
        cf.add_function("other", b"code", account_id="111122223333")
        cf.add_function("third", b"code", account_id="111122223333")
        client.list_connection_functions()
        counts = (
            "3 functions, 1 KeyValueStore, 1 trust store, 1 distribution, 2 calls (in 2 accounts)"
        )
        assert repr(cf) == f"<CloudFrontMock active, account 123456789012: {counts}>"
        assert repr(mock) == f"<cfmock activator mock_connection_functions(), active: {counts}>"
    finally:
        mock.stop()
    # A stopped activation's handle still shows its final state.
    assert repr(cf) == f"<CloudFrontMock inactive, account 123456789012: {counts}>"
    assert repr(mock) == "<cfmock activator mock_connection_functions(), inactive>"
