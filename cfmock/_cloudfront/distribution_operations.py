"""Adapters for the distribution operations cfmock answers: botocore's parameters in and out."""

from __future__ import annotations

from cfmock._cloudfront import distributions
from cfmock._cloudfront.backend import Backend
from cfmock._cloudfront.function_operations import Operation, Params, tags_from_wire

DISTRIBUTION_OPERATIONS = frozenset(
    {
        "CreateDistribution",
        "CreateDistributionWithTags",
        "GetDistribution",
        "GetDistributionConfig",
        "UpdateDistribution",
        "DeleteDistribution",
        "ListDistributions",
    }
)
"""Handed to moto instead when the ``moto_distributions`` option is on."""


def _location(distribution_id: str) -> str:
    return f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{distribution_id}"


def _created(distribution: distributions.Distribution) -> Params:
    return {
        "Distribution": distributions.to_wire(distribution),
        "Location": _location(distribution.id),
        "ETag": distribution.etag,
    }


def _create(backend: Backend, account_id: str, params: Params) -> Params:
    return _created(backend.distributions.create(account_id, params["DistributionConfig"]))


def _create_with_tags(backend: Backend, account_id: str, params: Params) -> Params:
    both = params["DistributionConfigWithTags"]
    tags = tags_from_wire(both.get("Tags"))
    return _created(backend.distributions.create(account_id, both["DistributionConfig"], tags))


def _get(backend: Backend, account_id: str, params: Params) -> Params:
    distribution = backend.distributions.get(account_id, params["Id"])
    return {"Distribution": distributions.to_wire(distribution), "ETag": distribution.etag}


def _get_config(backend: Backend, account_id: str, params: Params) -> Params:
    distribution = backend.distributions.get(account_id, params["Id"])
    return {"DistributionConfig": distribution.config, "ETag": distribution.etag}


def _update(backend: Backend, account_id: str, params: Params) -> Params:
    distribution = backend.distributions.update(
        account_id, params["Id"], params.get("IfMatch"), params["DistributionConfig"]
    )
    return {"Distribution": distributions.to_wire(distribution), "ETag": distribution.etag}


def _delete(backend: Backend, account_id: str, params: Params) -> Params:
    backend.distributions.delete(account_id, params["Id"], params.get("IfMatch"))
    return {}


def _list(backend: Backend, account_id: str, params: Params) -> Params:
    every = backend.distributions.list(account_id)
    page = backend.distributions.page(every, params.get("Marker"), params.get("MaxItems"))
    return {"DistributionList": page}


def _by_function(backend: Backend, account_id: str, params: Params) -> Params:
    function = backend.resolve(account_id, params["ConnectionFunctionIdentifier"])
    users = (
        []
        if backend.options.moto_distributions
        else (backend.distributions.using_function(account_id, function.id))
    )
    page = backend.distributions.page(users, params.get("Marker"), params.get("MaxItems"))
    return {"DistributionList": page}


def _by_trust_store(backend: Backend, account_id: str, params: Params) -> Params:
    store = backend.trust_stores.resolve(account_id, params["TrustStoreIdentifier"])
    users = (
        []
        if backend.options.moto_distributions
        else (backend.distributions.using_trust_store(account_id, store.id))
    )
    page = backend.distributions.page(users, params.get("Marker"), params.get("MaxItems"))
    return {"DistributionList": page}


OPERATIONS: dict[str, Operation] = {
    "CreateDistribution": _create,
    "CreateDistributionWithTags": _create_with_tags,
    "DeleteDistribution": _delete,
    "GetDistribution": _get,
    "GetDistributionConfig": _get_config,
    "ListDistributions": _list,
    "ListDistributionsByConnectionFunction": _by_function,
    "ListDistributionsByTrustStore": _by_trust_store,
    "UpdateDistribution": _update,
}
"""The distribution operations cfmock answers."""
