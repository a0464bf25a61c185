"""The call log keeps what a test reads at a few hundred bytes a call: large blobs as their
size and digest, short strings shared."""

from __future__ import annotations

import hashlib

import pytest

from cfmock import CloudFrontMock, RecordedBlob
from cfmock._cloudfront.values import RECORDED_BLOB_BYTES, for_the_log
from tests.scaffolding import config

SMALL = b"function connectionHandler(c) { c.allow(); }"
LARGE = SMALL + b"\n// " + b"x" * 2000


def test_a_large_blob_is_recorded_by_size_and_digest_and_equals_its_bytes(client, cf) -> None:
    summary = client.create_connection_function(
        Name="big", ConnectionFunctionConfig=config(), ConnectionFunctionCode=LARGE
    )
    client.create_connection_function(
        Name="small", ConnectionFunctionConfig=config(), ConnectionFunctionCode=SMALL
    )
    big, small = (call.parameters["ConnectionFunctionCode"] for call in cf.calls)
    assert isinstance(big, RecordedBlob)
    assert (big.size, big.sha256) == (len(LARGE), hashlib.sha256(LARGE).hexdigest())
    assert big == LARGE and bytes(LARGE).__eq__(big) is NotImplemented
    assert len(big) == len(LARGE)
    assert big != LARGE + b"!" and big != SMALL and big != "text"
    assert small == SMALL and isinstance(small, bytes)
    assert repr(big) == f"RecordedBlob(size={len(LARGE)}, sha256={big.sha256[:16]}…)"
    # The function itself keeps the whole code.
    assert cf.get_function("big").development.code == LARGE
    assert summary["ETag"]


def test_records_of_the_same_bytes_are_one_object() -> None:
    first, second = for_the_log(LARGE), for_the_log(bytes(LARGE))
    assert first is second and first == RecordedBlob.of(LARGE)
    assert RecordedBlob(3, "a") == RecordedBlob(3, "a") != RecordedBlob(4, "a")


def test_the_recent_records_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from cfmock._cloudfront import values

    monkeypatch.setattr(values, "_RECENT_BLOBS", {})
    monkeypatch.setattr(values, "_MAX_RECENT_BLOBS", 2)
    for n in range(5):
        for_the_log(bytes([n]) * (RECORDED_BLOB_BYTES + 1))
    assert len(values._RECENT_BLOBS) <= 2


def test_parameters_keep_their_shape_and_share_short_strings() -> None:
    long_text = "y" * 100
    kept = for_the_log({"A": ["one", {"B": b"x", "C": 3}], "D": long_text, "E": None})
    assert kept == {"A": ["one", {"B": b"x", "C": 3}], "D": long_text, "E": None}
    assert kept["A"][0] is for_the_log("".join(["o", "ne"]))


def test_the_handle_reads_blob_records_like_bytes(cf: CloudFrontMock, client) -> None:
    created = cf.add_function("gate", LARGE)
    client.update_connection_function(
        Id=created.id,
        IfMatch=created.etag,
        ConnectionFunctionConfig=config(),
        ConnectionFunctionCode=LARGE,
    )
    (call,) = cf.calls
    assert call.parameters["ConnectionFunctionCode"] == LARGE
