"""Adapters for the KeyValueStore operations of both planes.

``CONTROL_PLANE`` holds the ``cloudfront`` operations on stores (rest-xml);
``DATA_PLANE`` the ``cloudfront-keyvaluestore`` operations on their keys (rest-json).
"""

from __future__ import annotations

from typing import Any

from cfmock._cloudfront.backend import Backend
from cfmock._cloudfront.function_operations import Operation, Params
from cfmock._cloudfront.kvs import KeyValueStore
from cfmock._cloudfront.paging import parse_count
from cfmock._cloudfront.validation import check_tags, invalid
from cfmock.exceptions import ServiceError, UnsupportedFeatureError

DEFAULT_MAX_ITEMS = 100
DEFAULT_MAX_RESULTS = 10
MAX_RESULTS = 50


def store_to_wire(store: KeyValueStore) -> Params:
    """The control plane's ``KeyValueStore`` structure."""
    return {
        "Name": store.name,
        "Id": store.id,
        "Comment": store.comment,
        "ARN": store.arn,
        "Status": store.status,
        "LastModifiedTime": store.last_modified_time,
    }


def _offset(token: str | None, name: str, code: str = "InvalidArgument") -> int:
    if token is None:
        return 0
    offset = parse_count(token)
    if offset is None:
        raise ServiceError(
            code, f"The {name} {token!r} is not valid. Pass the value of a previous page."
        )
    return offset


# -- control plane (cloudfront) -------------------------------------------------------------


def _create(backend: Backend, account_id: str, params: Params) -> Params:
    if params.get("ImportSource"):
        raise UnsupportedFeatureError(
            "cfmock: CreateKeyValueStore with an ImportSource (an S3 object) is not supported; "
            "create the store empty and put keys with the data plane or the handle."
        )
    check_tags([(t["Key"], t.get("Value")) for t in (params.get("Tags") or {}).get("Items") or []])
    store = backend.stores.create(account_id, params["Name"], params.get("Comment", ""))
    return {
        "KeyValueStore": store_to_wire(store),
        "ETag": store.etag,
        "Location": f"https://cloudfront.amazonaws.com/2020-05-31/key-value-store/{store.arn}",
    }


def _describe(backend: Backend, account_id: str, params: Params) -> Params:
    store = backend.stores.describe(account_id, params["Name"])
    return {"KeyValueStore": store_to_wire(store), "ETag": store.etag}


def _list(backend: Backend, account_id: str, params: Params) -> Params:
    max_items_text = params.get("MaxItems")
    limit = DEFAULT_MAX_ITEMS if max_items_text is None else parse_count(max_items_text)
    if limit is None:
        raise invalid(f"MaxItems must be a number, not {max_items_text!r}.")
    if not 1 <= limit <= DEFAULT_MAX_ITEMS:
        raise invalid(f"MaxItems is {limit}; it must be between 1 and {DEFAULT_MAX_ITEMS}.")
    start = _offset(params.get("Marker"), "marker")
    stores = backend.stores.list(account_id, params.get("Status"))
    page = stores[start : start + limit]
    listing: Params = {
        "MaxItems": limit,
        "Quantity": len(page),
        "Items": [store_to_wire(store) for store in page],
    }
    if start + limit < len(stores):
        listing["NextMarker"] = str(start + limit)
    return {"KeyValueStoreList": listing}


def _update(backend: Backend, account_id: str, params: Params) -> Params:
    store = backend.stores.update(
        account_id, params["Name"], params.get("IfMatch"), params["Comment"]
    )
    return {"KeyValueStore": store_to_wire(store), "ETag": store.etag}


def _delete(backend: Backend, account_id: str, params: Params) -> Params:
    backend.stores.delete(account_id, params["Name"], params.get("IfMatch"))
    return {}


CONTROL_PLANE: dict[str, Operation] = {
    "CreateKeyValueStore": _create,
    "DeleteKeyValueStore": _delete,
    "DescribeKeyValueStore": _describe,
    "ListKeyValueStores": _list,
    "UpdateKeyValueStore": _update,
}


# -- data plane (cloudfront-keyvaluestore) ---------------------------------------------------


def _counts(store: KeyValueStore) -> Params:
    return {"ItemCount": store.item_count, "TotalSizeInBytes": store.total_size}


def _written(store: KeyValueStore) -> Params:
    return {**_counts(store), "ETag": store.data_etag}


def _describe_data(backend: Backend, account_id: str, params: Params) -> Params:
    store = backend.stores.data_store(params["KvsARN"])
    return {
        **_counts(store),
        "KvsARN": store.arn,
        "Created": store.created_time,
        "LastModified": store.data_last_modified_time,
        "Status": store.status,
        "ETag": store.data_etag,
    }


def _get_key(backend: Backend, account_id: str, params: Params) -> Params:
    store, value = backend.stores.get_key(params["KvsARN"], params["Key"])
    return {"Key": params["Key"], "Value": value, **_counts(store)}


def _list_keys(backend: Backend, account_id: str, params: Params) -> Params:
    limit = params.get("MaxResults", DEFAULT_MAX_RESULTS)
    if not 1 <= limit <= MAX_RESULTS:
        raise ServiceError(
            "ValidationException", f"MaxResults is {limit}; it must be between 1 and {MAX_RESULTS}."
        )
    arn = backend.stores.data_store(params["KvsARN"]).arn
    start = _offset(params.get("NextToken"), "next token", "ValidationException")
    page, total = backend.stores.list_keys(arn, start, limit)
    output: Params = {"Items": [{"Key": key, "Value": value} for key, value in page]}
    if start + limit < total:
        output["NextToken"] = str(start + limit)
    return output


def _put_key(backend: Backend, account_id: str, params: Params) -> Params:
    store = backend.stores.write(
        params["KvsARN"], params.get("IfMatch"), puts=[(params["Key"], params["Value"])]
    )
    return _written(store)


def _delete_key(backend: Backend, account_id: str, params: Params) -> Params:
    store = backend.stores.delete_key(params["KvsARN"], params["Key"], params.get("IfMatch"))
    return _written(store)


def _update_keys(backend: Backend, account_id: str, params: Params) -> Params:
    puts: list[Any] = params.get("Puts") or []
    deletes: list[Any] = params.get("Deletes") or []
    store = backend.stores.write(
        params["KvsARN"],
        params.get("IfMatch"),
        puts=[(item["Key"], item["Value"]) for item in puts],
        deletes=[item["Key"] for item in deletes],
    )
    return _written(store)


DATA_PLANE: dict[str, Operation] = {
    "DeleteKey": _delete_key,
    "DescribeKeyValueStore": _describe_data,
    "GetKey": _get_key,
    "ListKeys": _list_keys,
    "PutKey": _put_key,
    "UpdateKeys": _update_keys,
}
