"""The backend as plain Python: no botocore, no XML."""

from __future__ import annotations

import datetime
import random
import threading
from typing import Any

import pytest

from cfmock._cloudfront.backend import Backend
from cfmock._cloudfront.tokens import etag, function_arn, new_function_id
from cfmock._cloudfront.values import FunctionConfig, Stage, Status
from cfmock._options import MockOptions
from cfmock._runtime import engine
from cfmock.exceptions import ServiceError

ACCOUNT = "123456789012"
CONFIG = FunctionConfig("comment")


def test_create_then_describe_by_id_arn_and_name() -> None:
    backend = Backend(rng=random.Random(7))
    created = backend.create(ACCOUNT, "fn", CONFIG, b"code", [("k", "v")])
    for identifier in (created.id, created.arn, "fn"):
        function, version = backend.describe(ACCOUNT, identifier, None)
        assert function == created
        assert version.stage is Stage.DEVELOPMENT
        assert version.etag == "ETVPDKIKX0DER"
    assert created.status is Status.UNPUBLISHED
    assert created.tags == (("k", "v"),)
    assert created.live is None


def test_an_arn_of_another_account_is_not_found() -> None:
    backend = Backend()
    created = backend.create(ACCOUNT, "fn", CONFIG, b"code")
    foreign = function_arn("999999999999", created.id)
    with pytest.raises(ServiceError) as excinfo:
        backend.resolve(ACCOUNT, foreign)
    assert excinfo.value.code == "EntityNotFound"


def test_accounts_are_separate() -> None:
    backend = Backend()
    backend.create(ACCOUNT, "fn", CONFIG, b"code")
    backend.create("111122223333", "fn", CONFIG, b"code")
    assert [f.account_id for f in backend.functions(ACCOUNT)] == [ACCOUNT]
    with pytest.raises(ServiceError):
        backend.resolve("111122223333", backend.functions(ACCOUNT)[0].id)


def test_update_replaces_config_and_code_and_bumps_the_version() -> None:
    backend = Backend()
    created = backend.create(ACCOUNT, "fn", CONFIG, b"v1")
    updated = backend.update(ACCOUNT, created.id, created.etag, FunctionConfig("new"), b"v2")
    assert updated.development.version == 2
    assert updated.development.etag == "E3UN6WX5RRO2AG"
    assert updated.development.code == b"v2"
    assert updated.development.config.comment == "new"
    assert updated.created_time == created.created_time


def test_last_modified_time_never_goes_backwards_even_if_the_clock_does() -> None:
    times = iter(
        [
            datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc),
            datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
        ]
    )
    backend = Backend(clock=lambda: next(times))
    created = backend.create(ACCOUNT, "fn", CONFIG, b"v1")
    updated = backend.update(ACCOUNT, created.id, created.etag, CONFIG, b"v2")
    assert updated.development.last_modified_time == created.created_time


def test_a_failed_update_changes_nothing() -> None:
    backend = Backend()
    created = backend.create(ACCOUNT, "fn", CONFIG, b"v1")
    for if_match, config, code in [
        ("stale", CONFIG, b"v2"),
        (None, CONFIG, b"v2"),
        (created.etag, FunctionConfig("c", "cloudfront-js-1.0"), b"v2"),
        (created.etag, CONFIG, b""),
        (created.etag, CONFIG, b"x" * 10_241),
    ]:
        with pytest.raises(ServiceError):
            backend.update(ACCOUNT, created.id, if_match, config, code)
    assert backend.resolve(ACCOUNT, created.id) == created


def test_racing_writers_on_one_etag_exactly_one_wins() -> None:
    backend = Backend()
    created = backend.create(ACCOUNT, "fn", CONFIG, b"v1")
    barrier = threading.Barrier(16)
    outcomes: list[str] = []

    def write(index: int) -> None:
        barrier.wait()
        try:
            backend.update(ACCOUNT, created.id, created.etag, CONFIG, f"v{index}".encode())
            outcomes.append("won")
        except ServiceError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["PreconditionFailed"] * 15 + ["won"]
    assert backend.resolve(ACCOUNT, created.id).development.version == 2


def test_concurrent_creates_of_one_name_create_it_once() -> None:
    backend = Backend()
    barrier = threading.Barrier(8)
    codes: list[str] = []

    def create() -> None:
        barrier.wait()
        try:
            backend.create(ACCOUNT, "same", CONFIG, b"x")
            codes.append("created")
        except ServiceError as error:
            codes.append(error.code)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == ["EntityAlreadyExists"] * 7 + ["created"]


def test_empty_tag_key_is_invalid_tagging() -> None:
    with pytest.raises(ServiceError) as excinfo:
        Backend().create(ACCOUNT, "fn", CONFIG, b"x", [("", "v")])
    assert excinfo.value.code == "InvalidTagging"


def test_options_reach_the_checks() -> None:
    backend = Backend(MockOptions(code_size_limit=3))
    backend.create(ACCOUNT, "fn", CONFIG, b"abc")
    with pytest.raises(ServiceError) as excinfo:
        backend.create(ACCOUNT, "fn2", CONFIG, b"abcd")
    assert excinfo.value.code == "EntitySizeLimitExceeded"


def test_etags_are_the_known_tokens_then_stable_distinct_tokens() -> None:
    assert [etag(v) for v in (1, 2, 3)] == ["ETVPDKIKX0DER", "E3UN6WX5RRO2AG", "E1F83G8C2ARO7P"]
    assert etag(2, prefix="KV") == "KV3UN6WX5RRO2AG"
    later = [etag(v) for v in range(4, 20_000)]
    assert all(
        len(token) == 14 and token.startswith("E") and token[1:].isalnum() for token in later
    )
    assert all(token[1:].upper() == token[1:] for token in later)
    assert len(set(later) | {etag(1), etag(2), etag(3)}) == len(later) + 3
    assert etag(4) == etag(4)
    with pytest.raises(ValueError):
        etag(0)


def test_function_ids_are_cf_and_27_base62_characters() -> None:
    rng = random.Random(1)
    ids = {new_function_id(rng) for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith("cf_") and len(i) == 30 and i[3:].isalnum() for i in ids)


def test_a_drawn_id_already_taken_is_drawn_again() -> None:
    rng = random.Random(7)
    backend = Backend(rng=rng)
    first = backend.create(ACCOUNT, "first", CONFIG, b"code")
    rng.seed(7)  # the generator repeats itself: its next ID is the one already taken
    second = backend.create(ACCOUNT, "second", CONFIG, b"code")
    replay = random.Random(7)
    assert new_function_id(replay) == first.id
    assert second.id == new_function_id(replay) != first.id
    assert [f.name for f in backend.functions(ACCOUNT)] == ["first", "second"]


def test_a_run_sees_its_store_unless_the_store_went_away_as_the_run_began(monkeypatch) -> None:
    seen: list[engine.KeyValueSource | None] = []

    def run(
        code: bytes,
        event: Any,
        kvs: engine.KeyValueSource | None,
        now: Any,
        settings: engine.RunSettings,
    ) -> engine.RunResult:
        seen.append(kvs)
        return engine.RunResult("allow", None, (), "", 0, settings.profile)

    monkeypatch.setattr(engine, "run", run)
    backend = Backend()
    store = backend.stores.create(ACCOUNT, "serials")
    backend.stores.seed(store.arn, {"ABC": "revoked"})
    created = backend.create(
        ACCOUNT, "fn", FunctionConfig("c", key_value_store_arns=(store.arn,)), b"code"
    )
    backend.test(ACCOUNT, created.id, created.etag, None, b"{}")
    stage_by_id = backend.stage_by_id

    def racing(*args: Any) -> Any:
        found = stage_by_id(*args)
        # Another client drops the association and deletes the store in this very instant.
        backend.update(ACCOUNT, created.id, created.etag, CONFIG, b"code")
        backend.stores.delete(ACCOUNT, "serials", store.etag)
        return found

    monkeypatch.setattr(backend, "stage_by_id", racing)
    backend.test(ACCOUNT, created.id, created.etag, None, b"{}")
    reads = [None if kvs is None else kvs.read(None).changes for kvs in seen]
    assert reads == [{"ABC": "revoked"}, None]
