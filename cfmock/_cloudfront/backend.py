"""The in-memory CloudFront: connection functions per account, their stages and ETags.

Plain typed Python in and out; no XML, no botocore. One lock serialises every read-check-write,
so two writers racing on one ETag cannot both win, and a failed write changes nothing because
every check runs before the single assignment that stores the new record.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import random
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from cfmock._cloudfront import tokens, validation
from cfmock._cloudfront.distributions import Distributions, Limits, Links
from cfmock._cloudfront.kvs import KeyValueStore, KeyValueStores
from cfmock._cloudfront.paging import OrderedIndex, decode_marker, encode_marker
from cfmock._cloudfront.trust_stores import TrustStore, TrustStores
from cfmock._cloudfront.values import (
    ConnectionFunction,
    FunctionConfig,
    FunctionRun,
    Stage,
    StageVersion,
    Status,
)
from cfmock._options import MockOptions
from cfmock._runtime import engine
from cfmock.exceptions import ServiceError

Clock = Callable[[], datetime.datetime]
Tags = Sequence[tuple[str, str | None]]

DEFAULT_MAX_ITEMS = 100
_SHARED_RNG = random.Random()
"""Where IDs come from unless a test gives its own: seeding a generator per activation would
cost more than the rest of an activation."""
MAX_RUNS = 10_000
"""Runs the backend remembers (``cf.runs``); older ones are forgotten first."""
MAX_MAX_ITEMS = 100


def utc_now() -> datetime.datetime:
    """The current time in UTC, truncated to CloudFront's millisecond precision."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class _Account:
    """One account's functions, with the indexes that make lookups and pages cheap."""

    def __init__(self) -> None:
        self.functions: dict[str, ConnectionFunction] = {}
        self.ids_by_name: dict[str, str] = {}
        self.sequence: dict[str, int] = {}
        self.all = OrderedIndex()
        self.live = OrderedIndex()
        self.publishing_until: dict[str, datetime.datetime] = {}


class Backend:
    """All connection functions of every account, for one top-level activation."""

    def __init__(
        self,
        options: MockOptions | None = None,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.options = options or MockOptions()
        # Looked up when the backend is made, not when this module is imported, so a test that
        # replaces ``utc_now`` before activating a mock gives the whole activation its clock.
        self._clock = clock if clock is not None else utc_now
        self._rng = rng or _SHARED_RNG
        self._lock = threading.RLock()
        self._accounts: dict[str, _Account] = {}
        self._sequences = itertools.count(1)
        self.stores = KeyValueStores(self._lock, self._clock, self._store_in_use)
        self.trust_stores = TrustStores(
            self._lock,
            self._clock,
            self._rng,
            delay=lambda: self.options.trust_store_delay,
            max_per_account=lambda: self.options.max_trust_stores,
            strict_bundles=lambda: self.options.strict_ca_bundles,
            us_east_1_only=lambda: self.options.require_us_east_1_bundles,
            in_use=self._trust_store_user,
        )
        self.distributions = Distributions(
            self._lock,
            self._clock,
            self._rng,
            Links(
                function_state=self._function_state,
                trust_store_status=self._trust_store_status,
            ),
            Limits(
                deploy_delay=lambda: self.options.deploy_delay,
                per_function=lambda: self.options.max_distributions_per_function,
                per_trust_store=lambda: self.options.max_distributions_per_trust_store,
                strict_https_only=lambda: self.options.strict_https_only,
            ),
        )
        self.runs: deque[FunctionRun] = deque(maxlen=MAX_RUNS)
        self.connections: deque[Any] = deque(maxlen=MAX_RUNS)
        """Every viewer connection decided (``cf.connect``), newest last."""

    # -- reads ------------------------------------------------------------------------------

    def now(self) -> datetime.datetime:
        """The mock's clock (what a connection is validated against by default)."""
        return self._clock()

    def accounts(self) -> list[str]:
        """Every account that holds (or held) a function, KeyValueStore, trust store or
        distribution, sorted."""
        with self._lock:
            held = set(self._accounts) | set(self.stores.accounts())
            held |= set(self.trust_stores.accounts()) | set(self.distributions.accounts())
            return sorted(held)

    def functions(self, account_id: str) -> list[ConnectionFunction]:
        """Every function of *account_id*, oldest first."""
        with self._lock:
            account = self._account(account_id)
            return [self._settled(account, f) for f in list(account.functions.values())]

    def resolve(self, account_id: str, identifier: str) -> ConnectionFunction:
        """Find a function by ID, ARN or name (in that order), or raise ``EntityNotFound``."""
        with self._lock:
            account = self._account(account_id)
            found = account.functions.get(identifier)
            if found is None and identifier.startswith("arn:"):
                found = account.functions.get(identifier.rpartition("/")[2])
                found = found if found is not None and found.arn == identifier else None
            if found is None:
                found = account.functions.get(account.ids_by_name.get(identifier, ""))
            if found is None:
                raise _not_found(identifier)
            return self._settled(account, found)

    def describe(
        self, account_id: str, identifier: str, stage: str | None
    ) -> tuple[ConnectionFunction, StageVersion]:
        """A function and the stage asked for (DEVELOPMENT when *stage* is ``None``)."""
        wanted = validation.parse_stage(stage)
        function = self.resolve(account_id, identifier)
        return function, _stage_of(function, wanted, identifier)

    def stage_by_id(
        self, account_id: str, function_id: str, stage: str | None
    ) -> tuple[ConnectionFunction, StageVersion]:
        """Like :meth:`describe`, for operations that name the function by ID only."""
        wanted = validation.parse_stage(stage)
        with self._lock:
            _, function = self._by_id(account_id, function_id)
        return function, _stage_of(function, wanted, function_id)

    def page(
        self, account_id: str, marker: str | None, max_items: int | None, stage: str | None
    ) -> tuple[list[tuple[ConnectionFunction, StageVersion]], str | None]:
        """One page of functions in creation order, and the marker of the next page.

        With ``stage="LIVE"`` only published functions are listed, with their LIVE stage.
        """
        wanted = validation.parse_stage(stage)
        limit = DEFAULT_MAX_ITEMS if max_items is None else max_items
        if not 1 <= limit <= MAX_MAX_ITEMS:
            raise validation.invalid(
                f"MaxItems is {limit}; it must be between 1 and {MAX_MAX_ITEMS}."
            )
        after = decode_marker(marker) if marker else None
        with self._lock:
            account = self._account(account_id)
            index = account.live if wanted is Stage.LIVE else account.all
            ids, next_sequence = index.page(after, limit)
            page = []
            for function_id in ids:
                function = self._settled(account, account.functions[function_id])
                page.append((function, _stage_of(function, wanted, function_id)))
        return page, (encode_marker(next_sequence) if next_sequence is not None else None)

    def tags(self, account_id: str, arn: str) -> tuple[tuple[str, str | None], ...]:
        """The tags of the function with this ARN."""
        with self._lock:
            return self._by_arn(account_id, arn).tags

    # -- writes -----------------------------------------------------------------------------

    def create(
        self,
        account_id: str,
        name: str,
        config: FunctionConfig,
        code: bytes,
        tags: Tags = (),
    ) -> ConnectionFunction:
        """Create a function in the DEVELOPMENT stage with Status ``UNPUBLISHED``."""
        validation.check_name(name)
        validation.check_config(config, self.options)
        validation.check_code(code, self.options)
        validation.check_tags(tags)
        with self._lock:
            self._check_associations(account_id, config)
            account = self._account(account_id, create=True)
            if name in account.ids_by_name:
                raise ServiceError(
                    "EntityAlreadyExists",
                    f"A connection function named {name!r} already exists in this account.",
                )
            if len(account.functions) >= self.options.max_functions:
                raise ServiceError(
                    "EntityLimitExceeded",
                    f"This account already has {len(account.functions)} connection functions; "
                    f"the limit is {self.options.max_functions}.",
                )
            function_id = self._new_id(account)
            now = self._clock()
            function = ConnectionFunction(
                id=function_id,
                name=name,
                arn=tokens.function_arn(account_id, function_id),
                account_id=account_id,
                status=Status.UNPUBLISHED,
                created_time=now,
                development=StageVersion(
                    Stage.DEVELOPMENT, config, bytes(code), 1, tokens.etag(1), now
                ),
                tags=tuple(tags),
            )
            sequence = next(self._sequences)
            account.functions[function_id] = function
            account.ids_by_name[name] = function_id
            account.sequence[function_id] = sequence
            account.all.add(sequence, function_id)
            return function

    def update(
        self,
        account_id: str,
        function_id: str,
        if_match: str | None,
        config: FunctionConfig,
        code: bytes,
    ) -> ConnectionFunction:
        """Replace the DEVELOPMENT config and code; the LIVE stage is untouched."""
        with self._lock:
            account, current = self._by_id(account_id, function_id)
            validation.check_if_match(if_match, current.development.etag)
            validation.check_config(config, self.options)
            self._check_associations(account_id, config)
            validation.check_code(code, self.options)
            version = current.development.version + 1
            development = StageVersion(
                Stage.DEVELOPMENT,
                config,
                bytes(code),
                version,
                tokens.etag(version),
                max(self._clock(), current.development.last_modified_time),
            )
            updated = ConnectionFunction(
                current.id,
                current.name,
                current.arn,
                current.account_id,
                current.status,
                current.created_time,
                development,
                current.live,
                current.tags,
            )
            account.functions[function_id] = updated
            return updated

    def publish(
        self,
        account_id: str,
        function_id: str,
        if_match: str | None,
        *,
        check_if_match: bool = True,
    ) -> ConnectionFunction:
        """Copy DEVELOPMENT to a frozen LIVE stage; the status becomes ``PUBLISHING``.

        The DEVELOPMENT ETag does not change. LIVE has its own version counter (or copies the
        DEVELOPMENT ETag with the ``live_etag_follows_development`` option). The status settles
        to ``UNASSOCIATED`` once ``publish_delay`` seconds have passed, at the next read.
        """
        with self._lock:
            account, current = self._by_id(account_id, function_id)
            if check_if_match:
                validation.check_if_match(if_match, current.development.etag)
            clock_now = self._clock()
            development = current.development
            # LIVE is never older than the code it copies nor than the LIVE it replaces, even
            # if the system clock is stepped back (as Update keeps DEVELOPMENT's time).
            now = max(clock_now, development.last_modified_time)
            if current.live is not None:
                now = max(now, current.live.last_modified_time)
            version = current.live.version + 1 if current.live is not None else 1
            live_etag = (
                development.etag
                if self.options.live_etag_follows_development
                else tokens.etag(version)
            )
            live = StageVersion(
                Stage.LIVE, development.config, development.code, version, live_etag, now
            )
            published = dataclasses.replace(current, status=Status.PUBLISHING, live=live)
            account.functions[function_id] = published
            account.live.add(account.sequence[function_id], function_id)
            account.publishing_until[function_id] = clock_now + datetime.timedelta(
                seconds=self.options.publish_delay
            )
            return published

    def finish_publishing(self, account_id: str | None = None) -> None:
        """Settle every ``PUBLISHING`` function (of one account, or all) now."""
        with self._lock:
            accounts = (
                [self._account(account_id)] if account_id is not None else self._accounts.values()
            )
            for account in accounts:
                for function_id in list(account.publishing_until):
                    self._settle(account, account.functions[function_id])

    def delete(self, account_id: str, function_id: str, if_match: str | None) -> None:
        """Remove both stages of a function; its name can then be used again."""
        with self._lock:
            account, current = self._by_id(account_id, function_id)
            validation.check_if_match(if_match, current.development.etag)
            self._check_not_in_use(current)
            sequence = account.sequence.pop(function_id)
            del account.functions[function_id]
            del account.ids_by_name[current.name]
            account.all.remove(sequence)
            account.live.remove(sequence)
            account.publishing_until.pop(function_id, None)

    def tag(self, account_id: str, arn: str, tags: Tags) -> None:
        """Add or overwrite tags; ETags do not change."""
        with self._lock:
            current = self._by_arn(account_id, arn)
            validation.check_tags(tags)
            merged = validation.with_tags(current.tags, tags)
            self._replace(account_id, dataclasses.replace(current, tags=merged))

    def untag(self, account_id: str, arn: str, keys: Iterable[str]) -> None:
        """Remove tags by key (absent keys are ignored); ETags do not change."""
        with self._lock:
            current = self._by_arn(account_id, arn)
            kept = validation.without_tags(current.tags, keys)
            self._replace(account_id, dataclasses.replace(current, tags=kept))

    def test(
        self,
        account_id: str,
        function_id: str,
        if_match: str | None,
        stage: str | None,
        connection_object: bytes,
    ) -> tuple[ConnectionFunction, StageVersion, engine.RunResult]:
        """Run the stage's code against *connection_object*, a JSON event.

        The checks and the KeyValueStore snapshot happen under the lock; the JavaScript runs
        outside it, so tests in several threads run side by side.
        """
        function, version = self.stage_by_id(account_id, function_id, stage)
        validation.check_if_match(if_match, version.etag)
        event = validation.parse_event(connection_object)
        return function, version, self.run_stage(account_id, function, version, event)

    def run_stage(
        self,
        account_id: str,
        function: ConnectionFunction,
        version: StageVersion,
        event: dict[str, Any],
    ) -> engine.RunResult:
        """Run one stage's code against *event* with its KeyValueStore, and record the run."""
        reader = None
        for arn in version.config.key_value_store_arns:
            reader = self.stores.reader(arn) or reader
        result = engine.run(
            version.code, event, reader, self._clock(), self._settings(function.name)
        )
        self.runs.append(
            FunctionRun(
                function_name=function.name,
                function_id=function.id,
                stage=version.stage,
                profile=result.profile,
                action=result.action,
                error=result.error,
                logs=result.logs,
                custom_data=result.custom_data,
                compute_utilization=result.compute_utilization,
                account_id=account_id,
            )
        )
        return result

    def _settings(self, function_name: str) -> engine.RunSettings:
        options = self.options
        return engine.RunSettings(
            profile=options.profile_for(function_name),
            memory_limit=options.memory_limit,
            log_limit=options.log_limit,
            strict_compute=options.strict_compute,
            error_message_prefix=options.error_message_prefix,
            check_kvs_argument=options.check_kvs_argument,
            seed_random=options.seed_random,
        )

    # -- helpers ----------------------------------------------------------------------------

    def _check_associations(self, account_id: str, config: FunctionConfig) -> None:
        for arn in config.key_value_store_arns:
            self.stores.check_associable(account_id, arn)

    def _store_in_use(self, store: KeyValueStore) -> bool:
        account = self._account(store.account_id)
        return any(
            store.arn in version.config.key_value_store_arns
            for function in account.functions.values()
            for version in (function.development, function.live)
            if version is not None
        )

    def _account(self, account_id: str, create: bool = False) -> _Account:
        account = self._accounts.get(account_id)
        if account is None:
            account = _Account()
            if create:
                self._accounts[account_id] = account
        return account

    def _by_id(self, account_id: str, function_id: str) -> tuple[_Account, ConnectionFunction]:
        # Mutations name the function by ID in the URI; a name or ARN there is not found.
        account = self._account(account_id)
        found = account.functions.get(function_id)
        if found is None:
            raise _not_found(function_id)
        return account, self._settled(account, found)

    def _by_arn(self, account_id: str, arn: str) -> ConnectionFunction:
        function_id = arn.rpartition("/")[2]
        account = self._account(account_id)
        found = account.functions.get(function_id)
        if found is None or found.arn != arn:
            raise ServiceError(
                "NoSuchResource", f"The resource {arn!r} does not exist in this account."
            )
        return self._settled(account, found)

    def _replace(self, account_id: str, function: ConnectionFunction) -> None:
        self._accounts[account_id].functions[function.id] = function

    def _settled(self, account: _Account, function: ConnectionFunction) -> ConnectionFunction:
        until = account.publishing_until.get(function.id)
        if until is not None and self._clock() >= until:
            function = self._settle(account, function)
        if function.status in (Status.UNASSOCIATED, Status.DEPLOYED):
            # The status follows the distributions that use the function, at every read.
            status = Status.DEPLOYED if self._deployed(function) else Status.UNASSOCIATED
            if status is not function.status:
                function = dataclasses.replace(function, status=status)
        return function

    def _deployed(self, function: ConnectionFunction) -> bool:
        if not self.options.report_deployed or self.options.moto_distributions:
            return False
        return bool(self.distributions.using_function(function.account_id, function.id))

    # -- what distributions ask ---------------------------------------------------------------

    def _function_state(self, account_id: str, function_id: str) -> str | None:
        found = self._account(account_id).functions.get(function_id)
        if found is None:
            return None
        return "published" if found.live is not None else "unpublished"

    def _trust_store_status(self, account_id: str, store_id: str) -> str | None:
        try:
            return self.trust_stores.by_id(account_id, store_id).status
        except ServiceError:
            return None

    def _trust_store_user(self, store: TrustStore) -> str | None:
        if self.options.moto_distributions:
            return None
        users = self.distributions.using_trust_store(store.account_id, store.id)
        return users[0].id if users else None

    def _settle(self, account: _Account, function: ConnectionFunction) -> ConnectionFunction:
        account.publishing_until.pop(function.id, None)
        settled = dataclasses.replace(function, status=Status.UNASSOCIATED)
        account.functions[function.id] = settled
        return settled

    def _check_not_in_use(self, function: ConnectionFunction) -> None:
        if self.options.moto_distributions:
            return
        users = self.distributions.using_function(function.account_id, function.id)
        if users:
            raise ServiceError(
                "CannotDeleteEntityWhileInUse",
                f"The connection function {function.id!r} is associated with distribution "
                f"{users[0].id}; remove the ConnectionFunctionAssociation first.",
            )

    def _new_id(self, account: _Account) -> str:
        while True:
            function_id = tokens.new_function_id(self._rng)
            if function_id not in account.functions:
                return function_id


def _stage_of(function: ConnectionFunction, stage: Stage, identifier: str) -> StageVersion:
    version = function.stage(stage)
    if version is None:
        raise ServiceError(
            "EntityNotFound",
            f"The connection function {identifier!r} has no {stage.value} stage; "
            f"it has not been published.",
        )
    return version


def _not_found(identifier: str) -> ServiceError:
    return ServiceError("EntityNotFound", f"The connection function {identifier!r} does not exist.")
