"""The in-memory CloudFront: connection functions per account, their stages and ETags.

Plain typed Python in and out; no XML, no botocore. One lock serialises every read-check-write,
so two writers racing on one ETag cannot both win, and a failed write changes nothing because
every check runs before the single assignment that stores the new record.
"""

from __future__ import annotations

import datetime
import random
import threading
from collections.abc import Callable, Sequence

from cfmock import _tokens, _validation
from cfmock._options import MockOptions
from cfmock._state import ConnectionFunction, FunctionConfig, Stage, StageVersion, Status
from cfmock.exceptions import ServiceError

Clock = Callable[[], datetime.datetime]


def utc_now() -> datetime.datetime:
    """The current time in UTC, truncated to CloudFront's millisecond precision."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class Backend:
    """All connection functions of every account, for one top-level activation."""

    def __init__(
        self,
        options: MockOptions | None = None,
        *,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self.options = options or MockOptions()
        self._clock = clock
        self._rng = rng or random.Random()
        self._lock = threading.RLock()
        self._functions: dict[str, dict[str, ConnectionFunction]] = {}
        self._ids_by_name: dict[str, dict[str, str]] = {}

    # -- reads ------------------------------------------------------------------------------

    def functions(self, account_id: str) -> list[ConnectionFunction]:
        """Every function of *account_id*, oldest first."""
        with self._lock:
            return list(self._functions.get(account_id, {}).values())

    def resolve(self, account_id: str, identifier: str) -> ConnectionFunction:
        """Find a function by ID, ARN or name (in that order), or raise ``EntityNotFound``."""
        with self._lock:
            functions = self._functions.get(account_id, {})
            found = functions.get(identifier)
            if found is None and identifier.startswith("arn:"):
                found = functions.get(identifier.rpartition("/")[2])
                found = found if found is not None and found.arn == identifier else None
            if found is None:
                found = functions.get(self._ids_by_name.get(account_id, {}).get(identifier, ""))
            if found is None:
                raise _not_found(identifier)
            return found

    def describe(
        self, account_id: str, identifier: str, stage: str | None
    ) -> tuple[ConnectionFunction, StageVersion]:
        """A function and the stage asked for (DEVELOPMENT when *stage* is ``None``)."""
        wanted = _validation.parse_stage(stage)
        function = self.resolve(account_id, identifier)
        version = function.stage(wanted)
        if version is None:
            raise ServiceError(
                "EntityNotFound",
                f"The connection function {identifier!r} has no {wanted.value} stage; "
                f"it has not been published.",
            )
        return function, version

    # -- writes -----------------------------------------------------------------------------

    def create(
        self,
        account_id: str,
        name: str,
        config: FunctionConfig,
        code: bytes,
        tags: Sequence[tuple[str, str | None]] = (),
    ) -> ConnectionFunction:
        """Create a function in the DEVELOPMENT stage with Status ``UNPUBLISHED``."""
        _validation.check_name(name)
        _validation.check_config(config, self.options)
        _validation.check_code(code, self.options)
        _validation.check_tags(tags)
        with self._lock:
            functions = self._functions.setdefault(account_id, {})
            names = self._ids_by_name.setdefault(account_id, {})
            if name in names:
                raise ServiceError(
                    "EntityAlreadyExists",
                    f"A connection function named {name!r} already exists in this account.",
                )
            if len(functions) >= self.options.max_functions:
                raise ServiceError(
                    "EntityLimitExceeded",
                    f"This account already has {len(functions)} connection functions; the "
                    f"limit is {self.options.max_functions}.",
                )
            function_id = self._new_id(functions)
            now = self._clock()
            function = ConnectionFunction(
                id=function_id,
                name=name,
                arn=_tokens.function_arn(account_id, function_id),
                account_id=account_id,
                status=Status.UNPUBLISHED,
                created_time=now,
                development=StageVersion(
                    Stage.DEVELOPMENT, config, bytes(code), 1, _tokens.etag(1), now
                ),
                tags=tuple(tags),
            )
            functions[function_id] = function
            names[name] = function_id
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
            current = self._by_id(account_id, function_id)
            _validation.check_if_match(if_match, current.development.etag)
            _validation.check_config(config, self.options)
            _validation.check_code(code, self.options)
            version = current.development.version + 1
            development = StageVersion(
                Stage.DEVELOPMENT,
                config,
                bytes(code),
                version,
                _tokens.etag(version),
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
            self._functions[account_id][function_id] = updated
            return updated

    # -- helpers ----------------------------------------------------------------------------

    def _by_id(self, account_id: str, function_id: str) -> ConnectionFunction:
        # Mutations name the function by ID in the URI; a name or ARN there is not found.
        found = self._functions.get(account_id, {}).get(function_id)
        if found is None:
            raise _not_found(function_id)
        return found

    def _new_id(self, taken: dict[str, ConnectionFunction]) -> str:
        while True:
            function_id = _tokens.new_function_id(self._rng)
            if function_id not in taken:
                return function_id


def _not_found(identifier: str) -> ServiceError:
    return ServiceError("EntityNotFound", f"The connection function {identifier!r} does not exist.")
