"""A model of the API, checked against the mock after every step of random call sequences.

Hypothesis drives a real boto3 ``cloudfront`` client and a ``cloudfront-keyvaluestore`` client
through create, update, describe, get, publish, test, delete, tagging, KeyValueStore create,
update and delete, and the data plane's PutKey, DeleteKey and UpdateKeys — each with the right
ETag, the LIVE one, a stale one, a guessed next one, a made-up one or none. A model in plain
Python predicts every outcome (the error code and HTTP status, or success and its result);
after every step the mock's state, read through the client and through the handle, must equal
the model's, and any call that failed must have left the state exactly as it was.

The backend's clock is replaced by one that moves 1 ms per reading, so "LastModifiedTime moves
forward on every successful write" can be checked strictly without sleeping.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from cfmock import CloudFrontMock, mock_connection_functions
from cfmock._cloudfront import backend as backend_module
from cfmock._cloudfront.kvs import KeyValueStore
from cfmock._cloudfront.tokens import etag
from cfmock._runtime import engine
from cfmock.exceptions import FunctionNotFoundError, StoreNotFoundError

RUNTIME = "cloudfront-js-2.0"
ALLOW = b"function connectionHandler(connection) { connection.allow(); }"
DENY = b"function connectionHandler(connection) { connection.deny(); }"
# Allows exactly when the associated store holds the key "open".
GATE = b"""import cf from 'cloudfront';
async function connectionHandler(connection) {
  if (await cf.kvs().exists('open')) { connection.allow(); } else { connection.deny(); }
}"""
NO_STORE_ERROR = "Error: No KeyValueStore is associated with this function"
CODES = {"allow": ALLOW, "deny": DENY, "gate": GATE}

FUNCTION_NAMES = ("alpha", "beta", "gamma")
STORE_NAMES = ("serials", "flags")
KEYS = ("open", "k1")
TAG_KEYS = ("env", "team", "tier")
MISSING_IF_MATCH = "The If-Match version is missing or not valid for the resource."
STALE_IF_MATCH = (
    "The request failed because it didn't meet the preconditions in one or more "
    "request-header fields."
)
STALE_DATA = "Pre-Condition failed during update of Key-Value-Store"

# Which If-Match a call sends. "live" is the LIVE ETag when there is one; "next" guesses the
# version after the current one (ETags are deterministic, so a guess looks real).
# Which function or store a call names: mostly one that exists, sometimes one deleted since.
PICKS = st.integers(min_value=0, max_value=7)
IF_MATCH_CHOICES = ("current",) * 5 + ("live", "stale", "next", "missing", "bogus")
# A store to associate: none, or one of the stores made so far (perhaps deleted since).
STORE_PICKS = st.none() | st.integers(min_value=0, max_value=3)

Expected = tuple[str, int] | None


@dataclasses.dataclass
class StageModel:
    version: int  # the version its ETag is the token of
    count: int  # the handle's StageVersion.version: updates or publishes so far
    code: bytes
    comment: str
    store_arn: str | None
    last_modified: datetime.datetime


@dataclasses.dataclass
class FunctionModel:
    id: str
    name: str
    arn: str
    created: datetime.datetime
    development: StageModel
    live: StageModel | None = None
    tags: dict[str, str | None] = dataclasses.field(default_factory=dict)
    deleted: bool = False


@dataclasses.dataclass
class StoreModel:
    name: str
    arn: str
    comment: str = ""
    version: int = 1
    data_version: int = 1
    data: dict[str, str] = dataclasses.field(default_factory=dict)
    last_modified: datetime.datetime | None = None
    data_last_modified: datetime.datetime | None = None
    deleted: bool = False

    @property
    def total_size(self) -> int:
        return sum(len(k.encode()) + len(v.encode()) for k, v in self.data.items())


class SteppingClock:
    """A clock that moves 1 ms each time it is read."""

    def __init__(self) -> None:
        self.now = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.timezone.utc)

    def __call__(self) -> datetime.datetime:
        self.now += datetime.timedelta(milliseconds=1)
        return self.now


@pytest.fixture(autouse=True)
def patient_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    """TestConnectionFunction runs end by themselves here: a crowded machine must not time
    them out and turn an expected allow into a deny."""
    monkeypatch.setattr(engine, "TIME_LIMIT", 30.0)


_clients: dict[str, Any] = {}


def _client(service: str) -> Any:
    # Clients are slow to make and cfmock intercepts clients made before it started: one each.
    if service not in _clients:
        _clients[service] = boto3.client(service, region_name="us-east-1")
    return _clients[service]


def _tag(key: str, value: str | None) -> dict[str, str]:
    return {"Key": key} if value is None else {"Key": key, "Value": value}


def _if_match(choice: str, current: int, live: int | None, prefix: str = "E") -> str:
    if choice == "current":
        return etag(current, prefix)
    if choice == "live":
        return etag(live if live is not None else current + 1, prefix)
    if choice == "stale":
        return etag(current - 1, prefix) if current > 1 else prefix + "STALE"
    if choice == "next":
        return etag(current + 1, prefix)
    if choice == "missing":
        return ""
    return prefix + "NOT-AN-ETAG"


def _precondition(sent: str, current: str) -> Expected:
    """The control plane's If-Match rule: missing is 400, not current is 412."""
    if not sent:
        return ("InvalidIfMatchVersion", 400)
    if sent != current:
        return ("PreconditionFailed", 412)
    return None


class ConnectionFunctionsMachine(RuleBasedStateMachine):
    """The model, the rules that drive both and the invariants that compare them."""

    live_etag_follows_development = False

    def __init__(self) -> None:
        super().__init__()
        self.clock = SteppingClock()
        real_now = backend_module.utc_now
        backend_module.utc_now = self.clock
        try:
            self.activation = mock_connection_functions(
                live_etag_follows_development=self.live_etag_follows_development
            )
            self.cf: CloudFrontMock = self.activation.start()
        finally:
            backend_module.utc_now = real_now
        self.client = _client("cloudfront")
        self.data = _client("cloudfront-keyvaluestore")
        self.model: list[FunctionModel] = []
        self.store_model: list[StoreModel] = []
        # The IDs of functions and ARNs of stores the last step called, checked on the wire.
        self.touched: set[str] = set()

    def teardown(self) -> None:
        self.activation.stop()

    # -- the model's lookups -----------------------------------------------------------------

    def _existing(self) -> Iterator[FunctionModel]:
        return (f for f in self.model if not f.deleted)

    def _named(self, name: str) -> FunctionModel | None:
        return next((f for f in self._existing() if f.name == name), None)

    def _store_named(self, name: str) -> StoreModel | None:
        return next((s for s in self.store_model if s.name == name and not s.deleted), None)

    def _store_in_use(self, store: StoreModel) -> bool:
        return any(
            stage is not None and stage.store_arn == store.arn
            for f in self._existing()
            for stage in (f.development, f.live)
        )

    def _function(self, pick: int) -> FunctionModel:
        existing = list(self._existing())
        if pick < 6 and existing:
            return existing[pick % len(existing)]
        return self.model[pick % len(self.model)]

    def _store(self, pick: int) -> StoreModel:
        existing = [s for s in self.store_model if not s.deleted]
        if pick < 6 and existing:
            return existing[pick % len(existing)]
        return self.store_model[pick % len(self.store_model)]

    def _associable(self, arn: str | None) -> bool:
        return arn is None or any(s.arn == arn and not s.deleted for s in self.store_model)

    # -- calling the mock ---------------------------------------------------------------------

    def _state(self) -> tuple[Any, ...]:
        """Everything the handle shows: every function and every store, contents included."""
        stores: list[KeyValueStore | None] = []
        for name in STORE_NAMES:
            try:
                stores.append(self.cf.key_value_store(name))
            except StoreNotFoundError:
                stores.append(None)
        return (tuple(self.cf.functions()), tuple(stores))

    def _call(self, expected: Expected, call: Callable[..., Any], **params: Any) -> Any:
        """Make one call; its outcome must be *expected*, and a failure must change nothing."""
        before = self._state()
        try:
            response = call(**params)
        except ClientError as error:
            got = (
                error.response["Error"]["Code"],
                error.response["ResponseMetadata"]["HTTPStatusCode"],
            )
            assert got == expected, f"{call.__name__}({params}) failed with {got}, not {expected}"
            message = error.response["Error"]["Message"]
            if got[0] == "InvalidIfMatchVersion":
                assert message == MISSING_IF_MATCH
            elif got[0] == "PreconditionFailed":
                assert message == STALE_IF_MATCH
            elif got == ("ValidationException", 400):
                assert message == STALE_DATA
            assert self._state() == before, f"the failed {call.__name__} changed the state"
            return None
        assert expected is None, f"{call.__name__}({params}) succeeded; expected {expected}"
        return response

    def _read(self, expected: Expected, call: Callable[..., Any], **params: Any) -> Any:
        """A read: like :meth:`_call`, and it must change nothing even when it succeeds."""
        before = self._state()
        response = self._call(expected, call, **params)
        assert self._state() == before, f"the read {call.__name__} changed the state"
        return response

    def _config(self, comment: str, store_arn: str | None) -> dict[str, Any]:
        config: dict[str, Any] = {"Comment": comment, "Runtime": RUNTIME}
        if store_arn is not None:
            config["KeyValueStoreAssociations"] = {
                "Quantity": 1,
                "Items": [{"KeyValueStoreARN": store_arn}],
            }
        return config

    def _store_arn(self, pick: int | None) -> str | None:
        if pick is None or not self.store_model:
            return None
        return self.store_model[pick % len(self.store_model)].arn

    # -- a store and a function to start from, so no example spends its steps getting there ----

    @initialize(code=st.sampled_from(sorted(CODES)), associated=st.booleans())
    def first_store_and_function(self, code: str, associated: bool) -> None:
        self.create_store(STORE_NAMES[0])
        self.create_function(FUNCTION_NAMES[0], code, "", 0 if associated else None, {})

    # -- connection functions -----------------------------------------------------------------

    @rule(
        name=st.sampled_from(FUNCTION_NAMES),
        code=st.sampled_from(sorted(CODES)),
        comment=st.sampled_from(["", "first"]),
        store=STORE_PICKS,
        tags=st.dictionaries(st.sampled_from(TAG_KEYS), st.sampled_from(["a", "b"]), max_size=2),
    )
    def create_function(
        self,
        name: str,
        code: str,
        comment: str,
        store: int | None,
        tags: dict[str, str],
    ) -> None:
        arn = self._store_arn(store)
        expected: Expected = None
        if not self._associable(arn):
            expected = ("InvalidArgument", 400)
        elif self._named(name) is not None:
            expected = ("EntityAlreadyExists", 409)
        params: dict[str, Any] = {
            "Name": name,
            "ConnectionFunctionConfig": self._config(comment, arn),
            "ConnectionFunctionCode": CODES[code],
        }
        if tags:
            params["Tags"] = {"Items": [{"Key": k, "Value": v} for k, v in tags.items()]}
        response = self._call(expected, self.client.create_connection_function, **params)
        if response is None:
            return
        summary = response["ConnectionFunctionSummary"]
        assert response["ETag"] == etag(1)
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
        assert (summary["Name"], summary["Stage"], summary["Status"]) == (
            name,
            "DEVELOPMENT",
            "UNPUBLISHED",
        )
        assert summary["CreatedTime"] == summary["LastModifiedTime"]
        assert all(summary["CreatedTime"] > f.created for f in self.model)
        function = FunctionModel(
            id=summary["Id"],
            name=name,
            arn=summary["ConnectionFunctionArn"],
            created=summary["CreatedTime"],
            development=StageModel(1, 1, CODES[code], comment, arn, summary["LastModifiedTime"]),
            tags=dict(tags),
        )
        self.model.append(function)
        self.touched.add(function.id)

    def update_function(
        self,
        function_pick: int,
        if_match: str,
        code: str,
        comment: str,
        store: int | None,
    ) -> None:
        function = self._function(function_pick)
        self.touched.add(function.id)
        live = function.live.version if function.live else None
        sent = _if_match(if_match, function.development.version, live)
        arn = self._store_arn(store)
        expected: Expected
        if function.deleted:
            expected = ("EntityNotFound", 404)
        else:
            expected = _precondition(sent, etag(function.development.version))
            if expected is None and not self._associable(arn):
                expected = ("InvalidArgument", 400)
        response = self._call(
            expected,
            self.client.update_connection_function,
            Id=function.id,
            IfMatch=sent,
            ConnectionFunctionConfig=self._config(comment, arn),
            ConnectionFunctionCode=CODES[code],
        )
        if response is None:
            return
        version = function.development.version + 1
        summary = response["ConnectionFunctionSummary"]
        assert response["ETag"] == etag(version)
        assert summary["Stage"] == "DEVELOPMENT"
        assert summary["LastModifiedTime"] > function.development.last_modified
        assert summary["CreatedTime"] == function.created
        function.development = StageModel(
            version, version, CODES[code], comment, arn, summary["LastModifiedTime"]
        )

    def publish_function(self, function_pick: int, if_match: str) -> None:
        function = self._function(function_pick)
        self.touched.add(function.id)
        live = function.live.version if function.live else None
        sent = _if_match(if_match, function.development.version, live)
        expected: Expected = (
            ("EntityNotFound", 404)
            if function.deleted
            else _precondition(sent, etag(function.development.version))
        )
        response = self._call(
            expected, self.client.publish_connection_function, Id=function.id, IfMatch=sent
        )
        if response is None:
            return
        summary = response["ConnectionFunctionSummary"]
        assert "ETag" not in response
        assert (summary["Stage"], summary["Status"]) == ("LIVE", "PUBLISHING")
        self._published(function, summary["LastModifiedTime"])

    def publish_by_handle(self, function_pick: int) -> None:
        """The handle's publish: no ETag, otherwise what PublishConnectionFunction does."""
        function = self._function(function_pick)
        self.touched.add(function.id)
        before = self._state()
        try:
            published = self.cf.publish(function.id)
        except FunctionNotFoundError:
            assert function.deleted
            assert self._state() == before
            return
        assert not function.deleted
        assert published.status.value == "PUBLISHING"
        assert published.live is not None
        self._published(function, published.live.last_modified_time)

    def _published(self, function: FunctionModel, last_modified: datetime.datetime) -> None:
        assert last_modified > function.development.last_modified
        if function.live is not None:
            assert last_modified > function.live.last_modified
        dev = function.development
        count = function.live.count + 1 if function.live else 1
        version = dev.version if self.live_etag_follows_development else count
        function.live = StageModel(
            version, count, dev.code, dev.comment, dev.store_arn, last_modified
        )

    def delete_function(self, function_pick: int, if_match: str) -> None:
        function = self._function(function_pick)
        self.touched.add(function.id)
        live = function.live.version if function.live else None
        sent = _if_match(if_match, function.development.version, live)
        expected: Expected = (
            ("EntityNotFound", 404)
            if function.deleted
            else _precondition(sent, etag(function.development.version))
        )
        response = self._call(
            expected, self.client.delete_connection_function, Id=function.id, IfMatch=sent
        )
        if response is not None:
            assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
            function.deleted = True

    def describe_and_get(self, function_pick: int, by: str, stage: str | None) -> None:
        function = self._function(function_pick)
        identifier = {"Id": function.id, "ARN": function.arn, "Name": function.name}[by]
        current = self._named(function.name) if by == "Name" else function
        self.touched.update(f.id for f in (function, current) if f is not None)
        stage_model = None
        if current is not None and not current.deleted:
            stage_model = current.live if stage == "LIVE" else current.development
        expected: Expected = None if stage_model is not None else ("EntityNotFound", 404)
        params: dict[str, Any] = {"Identifier": identifier}
        if stage is not None:
            params["Stage"] = stage
        described = self._read(expected, self.client.describe_connection_function, **params)
        got = self._read(expected, self.client.get_connection_function, **params)
        if stage_model is None:
            return
        assert current is not None
        summary = described["ConnectionFunctionSummary"]
        assert described["ETag"] == got["ETag"] == etag(stage_model.version)
        assert summary["Id"] == current.id
        assert summary["Stage"] == (stage or "DEVELOPMENT")
        assert summary["LastModifiedTime"] == stage_model.last_modified
        assert summary["ConnectionFunctionConfig"] == self._config(
            stage_model.comment, stage_model.store_arn
        )
        assert got["ConnectionFunctionCode"].read() == stage_model.code
        assert got["ContentType"] == "application/octet-stream"

    def test_function(
        self, function_pick: int, stage: str | None, if_match: str, event: bytes
    ) -> None:
        function = self._function(function_pick)
        self.touched.add(function.id)
        stage_model = None
        if not function.deleted:
            stage_model = function.live if stage == "LIVE" else function.development
        expected: Expected = ("EntityNotFound", 404)
        sent = "E" + "X" * 12
        if stage_model is not None:
            # The If-Match of the stage tested: "current" means that stage's own ETag.
            other = function.development if stage == "LIVE" else function.live
            sent = _if_match(if_match, stage_model.version, other.version if other else None)
            expected = _precondition(sent, etag(stage_model.version))
            if expected is None and event == b"not json":
                expected = ("InvalidArgument", 400)
        params: dict[str, Any] = {"Id": function.id, "IfMatch": sent, "ConnectionObject": event}
        if stage is not None:
            params["Stage"] = stage
        response = self._read(expected, self.client.test_connection_function, **params)
        if response is None:
            return
        assert stage_model is not None
        result = response["ConnectionFunctionTestResult"]
        error = ""
        if stage_model.code == ALLOW:
            action = "allow"
        elif stage_model.code == DENY:
            action = "deny"
        elif stage_model.store_arn is None:
            action, error = "deny", NO_STORE_ERROR
        else:
            store = next(s for s in self.store_model if s.arn == stage_model.store_arn)
            action = "allow" if "open" in store.data else "deny"
        assert json.loads(result["ConnectionFunctionOutput"]) == {"connection": {"action": action}}
        assert result["ConnectionFunctionErrorMessage"] == error
        assert result["ConnectionFunctionSummary"]["Stage"] == (stage or "DEVELOPMENT")
        utilization = result["ComputeUtilization"]
        assert utilization.isascii() and utilization.isdigit() and 0 <= int(utilization) <= 100

    # -- tags ---------------------------------------------------------------------------------

    def tag_function(self, function_pick: int, tags: dict[str, str | None]) -> None:
        function = self._function(function_pick)
        self.touched.add(function.id)
        expected: Expected = ("NoSuchResource", 404) if function.deleted else None
        response = self._call(
            expected,
            self.client.tag_resource,
            Resource=function.arn,
            Tags={"Items": [_tag(k, v) for k, v in tags.items()]},
        )
        if response is not None:
            function.tags.update(tags)

    def untag_function(self, function_pick: int, keys: list[str]) -> None:
        function = self._function(function_pick)
        self.touched.add(function.id)
        expected: Expected = ("NoSuchResource", 404) if function.deleted else None
        response = self._call(
            expected,
            self.client.untag_resource,
            Resource=function.arn,
            TagKeys={"Items": keys},
        )
        if response is not None:
            for key in keys:
                function.tags.pop(key, None)

    def list_tags(self, function_pick: int) -> None:
        function = self._function(function_pick)
        self.touched.add(function.id)
        expected: Expected = ("NoSuchResource", 404) if function.deleted else None
        response = self._read(expected, self.client.list_tags_for_resource, Resource=function.arn)
        if response is not None:
            items = response["Tags"].get("Items", [])
            assert {item["Key"]: item.get("Value") for item in items} == function.tags
            assert len(items) == len(function.tags)

    # -- KeyValueStores: control plane --------------------------------------------------------

    def create_store(self, name: str) -> None:
        expected: Expected = ("EntityAlreadyExists", 409) if self._store_named(name) else None
        response = self._call(expected, self.client.create_key_value_store, Name=name)
        if response is None:
            return
        assert response["ETag"] == etag(1)
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
        wire = response["KeyValueStore"]
        store = StoreModel(name, wire["ARN"], last_modified=wire["LastModifiedTime"])
        self.store_model.append(store)
        self.touched.add(store.arn)

    def update_store(self, store_pick: int, if_match: str, comment: str) -> None:
        store = self._store(store_pick)
        # Control-plane calls name the store: after a delete and a re-create that is a new one.
        current = self._store_named(store.name)
        self.touched.update(s.arn for s in (store, current) if s is not None)
        sent = _if_match(if_match, current.version if current else 1, None)
        expected: Expected = (
            ("EntityNotFound", 404)
            if current is None
            else _precondition(sent, etag(current.version))
        )
        response = self._call(
            expected,
            self.client.update_key_value_store,
            Name=store.name,
            IfMatch=sent,
            Comment=comment,
        )
        if response is None:
            return
        assert current is not None and current.last_modified is not None
        current.version += 1
        current.comment = comment
        assert response["ETag"] == etag(current.version)
        assert response["KeyValueStore"]["LastModifiedTime"] > current.last_modified
        current.last_modified = response["KeyValueStore"]["LastModifiedTime"]

    def delete_store(self, store_pick: int, if_match: str) -> None:
        store = self._store(store_pick)
        current = self._store_named(store.name)
        self.touched.update(s.arn for s in (store, current) if s is not None)
        sent = _if_match(if_match, current.version if current else 1, None)
        expected: Expected
        if current is None:
            expected = ("EntityNotFound", 404)
        else:
            expected = _precondition(sent, etag(current.version))
            if expected is None and self._store_in_use(current):
                expected = ("CannotDeleteEntityWhileInUse", 409)
        response = self._call(
            expected, self.client.delete_key_value_store, Name=store.name, IfMatch=sent
        )
        if response is not None:
            assert current is not None
            assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
            current.deleted = True

    # -- KeyValueStores: data plane -----------------------------------------------------------

    def _data_write(
        self,
        store: StoreModel,
        if_match: str,
        call: Callable[..., Any],
        puts: dict[str, str],
        deletes: list[str],
        must_exist: str | None = None,
        **params: Any,
    ) -> None:
        self.touched.add(store.arn)
        sent = _if_match(if_match, store.data_version, None, prefix="KV")
        expected: Expected
        if store.deleted or (must_exist is not None and must_exist not in store.data):
            expected = ("ResourceNotFoundException", 404)
        elif sent != etag(store.data_version, "KV"):
            expected = ("ValidationException", 400)
        else:
            expected = None
        response = self._call(expected, call, KvsARN=store.arn, IfMatch=sent, **params)
        if response is None:
            return
        for key in deletes:
            store.data.pop(key, None)
        store.data.update(puts)
        store.data_version += 1
        assert response["ETag"] == etag(store.data_version, "KV")
        assert (response["ItemCount"], response["TotalSizeInBytes"]) == (
            len(store.data),
            store.total_size,
        )
        stored = self.cf.key_value_store(store.arn)
        assert stored.data_last_modified_time is not None
        if store.data_last_modified is not None:
            assert stored.data_last_modified_time > store.data_last_modified
        store.data_last_modified = stored.data_last_modified_time

    def put_key(self, store_pick: int, if_match: str, key: str, value: str) -> None:
        store = self._store(store_pick)
        self._data_write(store, if_match, self.data.put_key, {key: value}, [], Key=key, Value=value)

    def put_keys_by_handle(self, store_pick: int, puts: dict[str, str]) -> None:
        """The handle's put_keys: no ETag, otherwise one data-plane write."""
        store = self._store(store_pick)
        self.touched.add(store.arn)
        before = self._state()
        try:
            written = self.cf.put_keys(store.arn, puts)
        except StoreNotFoundError:
            assert store.deleted
            assert self._state() == before
            return
        assert not store.deleted
        store.data.update(puts)
        store.data_version += 1
        assert written.data_etag == etag(store.data_version, "KV")
        assert written.data_last_modified_time is not None
        if store.data_last_modified is not None:
            assert written.data_last_modified_time > store.data_last_modified
        store.data_last_modified = written.data_last_modified_time

    def delete_key(self, store_pick: int, if_match: str, key: str) -> None:
        store = self._store(store_pick)
        self._data_write(store, if_match, self.data.delete_key, {}, [key], must_exist=key, Key=key)

    def update_keys(
        self, store_pick: int, if_match: str, puts: dict[str, str], deletes: list[str]
    ) -> None:
        store = self._store(store_pick)
        params: dict[str, Any] = {}
        if puts:
            params["Puts"] = [{"Key": k, "Value": v} for k, v in puts.items()]
        if deletes:
            params["Deletes"] = [{"Key": k} for k in deletes]
        self._data_write(store, if_match, self.data.update_keys, puts, deletes, **params)

    def get_key(self, key: str) -> None:
        for store in self.store_model:
            if store.deleted:
                continue
            expected: Expected = None if key in store.data else ("ResourceNotFoundException", 404)
            got = self._read(expected, self.data.get_key, KvsARN=store.arn, Key=key)
            if got is not None:
                assert (got["Key"], got["Value"]) == (key, store.data[key])
                assert got["ItemCount"] == len(store.data)

    def list_keys(self, store_pick: int, page_size: int) -> None:
        """ListKeys page by page: every key once, in the order the model put them."""
        store = self._store(store_pick)
        self.touched.add(store.arn)
        expected: Expected = ("ResourceNotFoundException", 404) if store.deleted else None
        items: list[tuple[str, str]] = []
        token = None
        for _ in range(len(store.data) + 2):
            params: dict[str, Any] = {"KvsARN": store.arn, "MaxResults": page_size}
            if token is not None:
                params["NextToken"] = token
            page = self._read(expected, self.data.list_keys, **params)
            if page is None:
                return
            items += [(item["Key"], item["Value"]) for item in page["Items"]]
            token = page.get("NextToken")
            if token is None:
                break
        assert items == list(store.data.items())

    def list_functions(self, page_size: int, stage: str | None) -> None:
        """ListConnectionFunctions page by page: every function once, in creation order."""
        ids: list[str] = []
        marker = None
        for _ in range(len(self.model) + 2):
            params: dict[str, Any] = {"MaxItems": page_size}
            if stage is not None:
                params["Stage"] = stage
            if marker is not None:
                params["Marker"] = marker
            page = self._read(None, self.client.list_connection_functions, **params)
            assert len(page["ConnectionFunctions"]) <= page_size
            ids += [summary["Id"] for summary in page["ConnectionFunctions"]]
            marker = page.get("NextMarker")
            if marker is None:
                break
        assert ids == [f.id for f in self._existing() if stage != "LIVE" or f.live]

    # -- the rules: few, so that every step is likely to act on what earlier steps made --------

    @rule(
        kind=st.sampled_from(["update", "update", "publish", "publish", "handle", "delete"]),
        function_pick=PICKS,
        if_match=st.sampled_from(IF_MATCH_CHOICES),
        code=st.sampled_from(sorted(CODES)),
        comment=st.sampled_from(["", "second", "third"]),
        store=STORE_PICKS,
    )
    def change_function(
        self,
        kind: str,
        function_pick: int,
        if_match: str,
        code: str,
        comment: str,
        store: int | None,
    ) -> None:
        if kind == "update":
            self.update_function(function_pick, if_match, code, comment, store)
        elif kind == "publish":
            self.publish_function(function_pick, if_match)
        elif kind == "handle":
            self.publish_by_handle(function_pick)
        else:
            self.delete_function(function_pick, if_match)

    @rule(
        kind=st.sampled_from(["describe", "test", "list"]),
        function_pick=PICKS,
        page_size=st.integers(min_value=1, max_value=3),
        by=st.sampled_from(["Id", "ARN", "Name"]),
        stage=st.sampled_from([None, "DEVELOPMENT", "LIVE"]),
        if_match=st.sampled_from(IF_MATCH_CHOICES),
        event=st.sampled_from([b"{}", b"{}", b'{"clientIp":"1.2.3.4"}', b"not json"]),
    )
    def read_function(
        self,
        kind: str,
        function_pick: int,
        page_size: int,
        by: str,
        stage: str | None,
        if_match: str,
        event: bytes,
    ) -> None:
        if kind == "describe":
            self.describe_and_get(function_pick, by, stage)
        elif kind == "test":
            self.test_function(function_pick, stage, if_match, event)
        else:
            self.list_functions(page_size, stage)

    @rule(
        kind=st.sampled_from(["tag", "untag", "list"]),
        function_pick=PICKS,
        tags=st.dictionaries(
            st.sampled_from(TAG_KEYS), st.sampled_from(["a", "b", "", None]), min_size=1, max_size=2
        ),
        keys=st.lists(st.sampled_from(TAG_KEYS), min_size=1, max_size=2, unique=True),
    )
    def change_tags(
        self, kind: str, function_pick: int, tags: dict[str, str | None], keys: list[str]
    ) -> None:
        if kind == "tag":
            self.tag_function(function_pick, tags)
        elif kind == "untag":
            self.untag_function(function_pick, keys)
        else:
            self.list_tags(function_pick)

    @rule(
        kind=st.sampled_from(["create", "update", "delete"]),
        name=st.sampled_from(STORE_NAMES),
        store_pick=PICKS,
        if_match=st.sampled_from(IF_MATCH_CHOICES),
        comment=st.sampled_from(["", "note", "other note"]),
    )
    def change_store(
        self, kind: str, name: str, store_pick: int, if_match: str, comment: str
    ) -> None:
        if kind == "create":
            self.create_store(name)
        elif kind == "update":
            self.update_store(store_pick, if_match, comment)
        else:
            self.delete_store(store_pick, if_match)

    @rule(
        kind=st.sampled_from(["put", "delete", "update", "handle", "get", "list"]),
        store_pick=PICKS,
        page_size=st.integers(min_value=1, max_value=3),
        if_match=st.sampled_from(IF_MATCH_CHOICES),
        key=st.sampled_from(KEYS),
        value=st.sampled_from(["", "x", "revoked"]),
        puts=st.dictionaries(st.sampled_from(KEYS), st.sampled_from(["y", "zz"]), max_size=2),
        deletes=st.lists(st.sampled_from(KEYS), max_size=2, unique=True),
    )
    def change_keys(
        self,
        kind: str,
        store_pick: int,
        page_size: int,
        if_match: str,
        key: str,
        value: str,
        puts: dict[str, str],
        deletes: list[str],
    ) -> None:
        if kind == "put":
            self.put_key(store_pick, if_match, key, value)
        elif kind == "delete":
            self.delete_key(store_pick, if_match, key)
        elif kind == "update":
            self.update_keys(store_pick, if_match, puts, deletes)
        elif kind == "handle":
            self.put_keys_by_handle(store_pick, puts)
        elif kind == "get":
            self.get_key(key)
        else:
            self.list_keys(store_pick, page_size)

    # -- invariants ---------------------------------------------------------------------------

    @invariant()
    def state_matches_the_model(self) -> None:
        """After every step: the handle's view, then the client's, of functions and stores."""
        self._functions_match_through_the_handle()
        self._functions_match_through_the_client()
        self._stores_match()
        self.touched.clear()

    def _functions_match_through_the_handle(self) -> None:
        existing = list(self._existing())
        snapshots = self.cf.functions()
        assert [f.id for f in snapshots] == [f.id for f in existing]
        for model, snapshot in zip(existing, snapshots, strict=True):
            assert self.cf.get_function(model.id) == snapshot
            assert snapshot.name == model.name
            assert snapshot.arn == model.arn
            assert snapshot.created_time == model.created
            assert snapshot.etag == etag(model.development.version)
            assert snapshot.status.value == ("UNASSOCIATED" if model.live else "UNPUBLISHED")
            assert dict(snapshot.tags) == model.tags
            for stage, stage_model in (
                (snapshot.development, model.development),
                (snapshot.live, model.live),
            ):
                if stage_model is None:
                    assert stage is None
                    continue
                assert stage is not None
                assert stage.version == stage_model.count
                assert stage.etag == etag(stage_model.version)
                assert stage.code == stage_model.code
                assert stage.config.comment == stage_model.comment
                assert stage.config.key_value_store_arns == (
                    (stage_model.store_arn,) if stage_model.store_arn else ()
                )
                assert stage.last_modified_time == stage_model.last_modified
        for model in self.model:
            if model.deleted and self._named(model.name) is None:
                for identifier in (model.id, model.name):
                    try:
                        self.cf.get_function(identifier)
                    except FunctionNotFoundError:
                        continue
                    raise AssertionError(f"deleted function {identifier} is still there")

    def _functions_match_through_the_client(self) -> None:
        # The lists show every function's summaries (LIVE once anything was ever published);
        # the ETags on the wire are checked for the functions the step touched (the handle
        # checked every ETag above).
        existing = list(self._existing())
        ever_published = any(f.live is not None for f in self.model)
        for stage in ("DEVELOPMENT", "LIVE") if ever_published else ("DEVELOPMENT",):
            listed = self.client.list_connection_functions(Stage=stage)["ConnectionFunctions"]
            expected = [
                (function, stage_model)
                for function in existing
                if (stage_model := function.live if stage == "LIVE" else function.development)
            ]
            assert [s["Id"] for s in listed] == [f.id for f, _ in expected]
            for summary, (function, stage_model) in zip(listed, expected, strict=True):
                assert summary == {
                    "Name": function.name,
                    "Id": function.id,
                    "ConnectionFunctionConfig": self._config(
                        stage_model.comment, stage_model.store_arn
                    ),
                    "ConnectionFunctionArn": function.arn,
                    "Status": "UNASSOCIATED" if function.live else "UNPUBLISHED",
                    "Stage": stage,
                    "CreatedTime": function.created,
                    "LastModifiedTime": stage_model.last_modified,
                }
        for function in self.model:
            if function.id not in self.touched:
                continue
            for stage in ("DEVELOPMENT", "LIVE") if function.live else ("DEVELOPMENT",):
                stage_model = function.live if stage == "LIVE" else function.development
                absent = function.deleted or stage_model is None
                described = self._read(
                    ("EntityNotFound", 404) if absent else None,
                    self.client.describe_connection_function,
                    Identifier=function.id,
                    Stage=stage,
                )
                if stage_model is not None and not absent:
                    assert described["ETag"] == etag(stage_model.version)

    def _stores_match(self) -> None:
        existing = [s for s in self.store_model if not s.deleted]
        for name in STORE_NAMES:
            model = self._store_named(name)
            if model is None:
                try:
                    self.cf.key_value_store(name)
                except StoreNotFoundError:
                    continue
                raise AssertionError(f"deleted store {name} is still there")
            stored = self.cf.key_value_store(name)
            assert self.cf.key_value_store(model.arn) == stored
            assert stored.arn == model.arn
            assert stored.etag == etag(model.version)
            assert stored.data_etag == etag(model.data_version, "KV")
            assert dict(stored.data) == model.data
            assert stored.comment == model.comment
            assert stored.last_modified_time == model.last_modified
        if not any(s.arn in self.touched for s in self.store_model):
            return
        listed = self.client.list_key_value_stores()["KeyValueStoreList"].get("Items", [])
        assert [(s["Name"], s["ARN"], s["Comment"], s["LastModifiedTime"]) for s in listed] == [
            (s.name, s.arn, s.comment, s.last_modified) for s in existing
        ]
        for model in self.store_model:
            if model.arn not in self.touched:
                continue
            data = self._read(
                ("ResourceNotFoundException", 404) if model.deleted else None,
                self.data.describe_key_value_store,
                KvsARN=model.arn,
            )
            if model.deleted:
                continue
            assert data["ETag"] == etag(model.data_version, "KV")
            assert (data["ItemCount"], data["TotalSizeInBytes"]) == (
                len(model.data),
                model.total_size,
            )
            control = self.client.describe_key_value_store(Name=model.name)
            assert control["ETag"] == etag(model.version)


class LiveEtagFollowsDevelopmentMachine(ConnectionFunctionsMachine):
    """The model with ``live_etag_follows_development=True``: LIVE copies DEVELOPMENT's ETag."""

    live_etag_follows_development = True


_SETTINGS = settings(max_examples=60, stateful_step_count=50, deadline=None, database=None)

TestConnectionFunctionsMachine = ConnectionFunctionsMachine.TestCase
TestConnectionFunctionsMachine.settings = _SETTINGS
TestLiveEtagFollowsDevelopmentMachine = LiveEtagFollowsDevelopmentMachine.TestCase
TestLiveEtagFollowsDevelopmentMachine.settings = settings(
    _SETTINGS, max_examples=20, stateful_step_count=50
)
