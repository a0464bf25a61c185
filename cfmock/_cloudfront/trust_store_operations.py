"""Adapters for the trust-store operations: botocore's parameters in, botocore's out."""

from __future__ import annotations

from typing import Any

from cfmock._cloudfront.backend import Backend
from cfmock._cloudfront.function_operations import Operation, Params, tags_from_wire
from cfmock._cloudfront.trust_stores import BundleLocation, TrustStore
from cfmock._cloudfront.validation import invalid


def store_to_wire(store: TrustStore, *, summary: bool = False) -> Params:
    """``TrustStore`` (or, with *summary*, ``TrustStoreSummary`` with its ETag)."""
    wire: Params = {
        "Id": store.id,
        "Arn": store.arn,
        "Name": store.name,
        "Status": store.status,
        "NumberOfCaCertificates": store.number_of_ca_certificates,
        "LastModifiedTime": store.last_modified_time,
    }
    if store.reason:
        wire["Reason"] = store.reason
    if summary:
        wire["ETag"] = store.etag
    else:
        wire["UseClientCertificateOCSPEndpoint"] = store.use_ocsp
    return wire


def _location(source: dict[str, Any] | None) -> BundleLocation | None:
    """The bundle's S3 location; None when no source was sent. A source with no member (the
    union holds exactly one) is ``InvalidArgument``."""
    if source is None:
        return None
    s3 = source.get("CaCertificatesBundleS3Location")
    if not s3:
        raise invalid(
            "CaCertificatesBundleSource must hold CaCertificatesBundleS3Location (Bucket, Key, "
            "Region and optionally Version)."
        )
    return BundleLocation(s3["Bucket"], s3["Key"], s3["Region"], s3.get("Version") or None)


def _create(backend: Backend, account_id: str, params: Params) -> Params:
    location = _location(params["CaCertificatesBundleSource"])
    if location is None:  # pragma: no cover - a required member: the codec checked it
        raise invalid("CaCertificatesBundleSource is required.")
    store = backend.trust_stores.create(
        account_id,
        params["Name"],
        location,
        use_ocsp=bool(params.get("UseClientCertificateOCSPEndpoint", False)),
        tags=tags_from_wire(params.get("Tags")),
    )
    return {"TrustStore": store_to_wire(store), "ETag": store.etag}


def _get(backend: Backend, account_id: str, params: Params) -> Params:
    store = backend.trust_stores.resolve(account_id, params["Identifier"])
    return {"TrustStore": store_to_wire(store), "ETag": store.etag}


def _update(backend: Backend, account_id: str, params: Params) -> Params:
    store = backend.trust_stores.update(
        account_id,
        params["Id"],
        params.get("IfMatch"),
        _location(params.get("CaCertificatesBundleSource")),
        params.get("UseClientCertificateOCSPEndpoint"),
    )
    return {"TrustStore": store_to_wire(store), "ETag": store.etag}


def _delete(backend: Backend, account_id: str, params: Params) -> Params:
    backend.trust_stores.delete(account_id, params["Id"], params.get("IfMatch"))
    return {}


def _list(backend: Backend, account_id: str, params: Params) -> Params:
    stores, after = backend.trust_stores.page(
        account_id, params.get("Marker"), params.get("MaxItems")
    )
    answer: Params = {"TrustStoreList": [store_to_wire(s, summary=True) for s in stores]}
    if after is not None:
        answer["NextMarker"] = after
    return answer


OPERATIONS: dict[str, Operation] = {
    "CreateTrustStore": _create,
    "DeleteTrustStore": _delete,
    "GetTrustStore": _get,
    "ListTrustStores": _list,
    "UpdateTrustStore": _update,
}
"""The trust-store operations cfmock answers."""
