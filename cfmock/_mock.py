"""The activator: decorator, context manager, async context manager and start/stop.

Active activations form a list. The first one to start installs the botocore seam and creates
the dispatcher; any activation started while another is active shares it; the seam is
removed, and the state dropped, when the last one stops. The fronts read the active dispatcher
from ``_current``, one reference that is only ever replaced whole under the lock.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from cfmock.exceptions import CfmockError, NotStartedError

if TYPE_CHECKING:
    from cfmock._dispatch import Dispatcher
    from cfmock._handle import CloudFrontMock
    from cfmock._options import MockOptions

_F = TypeVar("_F", bound=Any)

_lock = threading.Lock()
_active: list[Activator] = []
_current: Dispatcher | None = None


def current_dispatcher() -> Dispatcher | None:
    """The dispatcher of the active mock, or ``None``; read without the lock on every request."""
    return _current


class Activator:
    """Activates the mock: as ``@decorator``, ``with``, ``async with`` or ``start()``/``stop()``.

    Built by :func:`mock_connection_functions`; entering it returns the
    :class:`~cfmock.CloudFrontMock` handle. Entering an activator that is already entered (a
    ``with`` inside a ``with`` of the same object) is counted: only the outermost exit stops it.
    """

    def __init__(self, options: MockOptions) -> None:
        self.options = options
        self._dispatcher: Dispatcher | None = None
        self._handle: CloudFrontMock | None = None
        self._depth = 0

    def start(self) -> CloudFrontMock:
        """Activate the mock and return its handle. Starting a started activator does nothing."""
        with _lock:
            if self._handle is None:
                self._start()
                self._depth = 1
            return cast("CloudFrontMock", self._handle)

    def _start(self) -> CloudFrontMock:
        global _current
        if _active:
            outer = _active[0]
            if outer.options != self.options:
                differences = "".join(
                    f"\n  {name}: active {active!r}, asked {asked!r}"
                    for name, active, asked in _differences(outer.options, self.options)
                )
                raise CfmockError(
                    "cfmock: a mock is already active with other options, and an activation "
                    "inside another shares its state and options. They differ in:"
                    f"{differences}\n"
                    "Give the inner activation the same options, or stop the active mock "
                    "first (cfmock.stop_all() stops every activation)."
                )
            dispatcher = cast("Dispatcher", outer._dispatcher)
        else:
            # Imported on first use: the seam and the codec pull in most of botocore,
            # which ``import cfmock`` should not pay for.
            from cfmock._cloudfront.backend import Backend
            from cfmock._dispatch import Dispatcher
            from cfmock._fronts import botocore_seam

            dispatcher = Dispatcher(Backend(self.options))
            botocore_seam.install(
                current_dispatcher, intercept_requests=self.options.intercept_requests
            )
            _current = dispatcher
        from cfmock._handle import CloudFrontMock

        self._dispatcher = dispatcher
        self._handle = CloudFrontMock(dispatcher)
        self._depth = 0
        _active.append(self)
        return self._handle

    def stop(self) -> None:
        """Deactivate. The last active activation restores botocore and drops the state."""
        with _lock:
            if self._handle is None:
                raise NotStartedError(
                    "cfmock: stop() was called on an activator that is not started; "
                    "call start() first, or use it as a decorator or in a with block"
                )
            self._stop()

    def _stop(self) -> None:
        global _current
        _active.remove(self)
        self._dispatcher = None
        self._handle = None
        self._depth = 0
        if not _active:
            from cfmock._fronts import botocore_seam

            _current = None
            botocore_seam.uninstall()

    def __enter__(self) -> CloudFrontMock:
        with _lock:
            handle = self._handle if self._handle is not None else self._start()
            self._depth += 1
            return handle

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with _lock:
            if self._handle is None:
                if exc is not None:
                    return  # stopped inside the block; the block's own exception goes on
                raise NotStartedError(
                    "cfmock: the mock was stopped inside its with block (stop() was called "
                    "on the activator before the block ended)"
                )
            self._depth -= 1
            if self._depth <= 0:
                self._stop()

    async def __aenter__(self) -> CloudFrontMock:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)

    def __call__(self, target: _F) -> _F:
        """Decorate a function, a coroutine function or a test class.

        Each call of the function, and each test of the class (a ``unittest.TestCase`` or a
        plain pytest class), runs in a fresh activation.
        """
        if isinstance(target, type):
            from cfmock import _classes

            return cast(_F, _classes.decorate(target, self))
        if not callable(target):
            raise TypeError(
                f"cfmock: mock_connection_functions can decorate functions, coroutine "
                f"functions and test classes (unittest.TestCase subclasses or plain pytest "
                f"classes), not {target!r}"
            )
        import inspect

        options = self.options
        if inspect.iscoroutinefunction(target):

            @functools.wraps(target)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                async with Activator(options):
                    return await target(*args, **kwargs)

            wrapper: Any = run_async
        else:

            @functools.wraps(target)
            def run(*args: Any, **kwargs: Any) -> Any:
                with Activator(options):
                    return target(*args, **kwargs)

            wrapper = run
        wrapper._cfmock_wrapped = target
        return cast(_F, wrapper)

    def __repr__(self) -> str:
        state = "inactive"
        if self._handle is not None:
            state = f"active: {self._handle._contents()}"
        return f"<cfmock activator {_spelling(self.options)}, {state}>"


def _differences(active: MockOptions, asked: MockOptions) -> list[tuple[str, Any, Any]]:
    import dataclasses

    return [
        (field.name, _shown(getattr(active, field.name)), _shown(getattr(asked, field.name)))
        for field in dataclasses.fields(active)
        if getattr(active, field.name) != getattr(asked, field.name)
    ]


def _shown(value: Any) -> Any:
    # function_profiles is a read-only mapping; show it as the dict it was given as.
    return dict(value) if isinstance(value, Mapping) else value


def _spelling(options: MockOptions) -> str:
    """How to build an activator with *options*: ``mock_connection_functions(max_functions=5)``."""
    from cfmock._options import MockOptions

    given = ", ".join(
        f"{name}={asked!r}" for name, _, asked in _differences(MockOptions(), options)
    )
    return f"mock_connection_functions({given})"


def stop_all() -> int:
    """Stop every active activation, however it was started, and return how many there were.

    For notebooks and REPLs, where an activator's variable may be lost or rebound: afterwards
    no mock is active and botocore is restored. A ``with`` block or decorated test whose
    activation was stopped this way raises :class:`~cfmock.exceptions.NotStartedError` when it
    ends.
    """
    with _lock:
        stopped = len(_active)
        # The innermost first, so that the seam comes off once, with the outermost.
        for activator in _active[::-1]:
            activator._stop()
        return stopped


@overload
def mock_connection_functions(target: _F, /) -> _F: ...


@overload
def mock_connection_functions(
    *,
    account_id: str = ...,
    code_size_limit: int = ...,
    max_functions: int = ...,
    max_comment_length: int | None = ...,
    publish_delay: float = ...,
    live_etag_follows_development: bool = ...,
    trust_store_delay: float = ...,
    max_trust_stores: int = ...,
    strict_ca_bundles: bool = ...,
    require_us_east_1_bundles: bool = ...,
    deploy_delay: float = ...,
    max_distributions_per_function: int = ...,
    max_distributions_per_trust_store: int = ...,
    strict_https_only: bool = ...,
    report_deployed: bool = ...,
    moto_distributions: bool = ...,
    check_client_auth_usage: bool = ...,
    connect_disabled: bool = ...,
    intercept_requests: bool = ...,
    runtime_profile: str = ...,
    function_profiles: Mapping[str, str] = ...,
    memory_limit: int | None = ...,
    log_limit: int | None = ...,
    strict_compute: bool = ...,
    error_message_prefix: bool = ...,
    check_kvs_argument: bool = ...,
    seed_random: bool = ...,
) -> Activator: ...


def mock_connection_functions(target: Any = None, /, **options: Any) -> Any:
    """Mock the CloudFront Connection Functions API for boto3/botocore clients.

    Use it bare as a decorator (``@mock_connection_functions``), called with options
    (``@mock_connection_functions(code_size_limit=40_960)``), as a context manager
    (``with mock_connection_functions() as cf:``), as an async context manager, or through
    ``start()``/``stop()``. The keyword options are the fields of :class:`~cfmock.MockOptions`.
    """
    from cfmock._options import MockOptions

    activator = Activator(MockOptions.from_kwargs(options))
    if target is None:
        return activator
    return activator(target)


_WITH_MESSAGE = (
    "cfmock: mock_connection_functions builds activators and is not one itself; call it: "
    "`{kind} mock_connection_functions():`, or `{kind} mock_connection_functions() as cf:` "
    "for the handle"
)


class _Factory:
    """What the name ``mock_connection_functions`` holds at run time: the function above, which
    type checkers see, and a clear message for the spellings that forget to call it."""

    __call__ = staticmethod(mock_connection_functions)

    def __init__(self) -> None:
        functools.update_wrapper(self, mock_connection_functions)

    def __repr__(self) -> str:
        return "<cfmock.mock_connection_functions: call it for an activator>"

    # ``with`` looks up both methods before it calls __enter__.
    def _with(self, *args: object) -> None:
        raise TypeError(_WITH_MESSAGE.format(kind="with"))

    async def _async_with(self, *args: object) -> None:
        raise TypeError(_WITH_MESSAGE.format(kind="async with"))

    __enter__ = __exit__ = _with
    __aenter__ = __aexit__ = _async_with

    def __getattr__(self, name: str) -> Any:
        if name == "start":
            raise AttributeError(
                "cfmock: mock_connection_functions has no start(); build an activator and "
                "start it: `mock = mock_connection_functions()`, then `cf = mock.start()`"
            )
        if name == "stop":
            raise AttributeError(
                "cfmock: mock_connection_functions has no stop(); stop the activator you "
                "started (`mock.stop()`), or every activation with `cfmock.stop_all()`"
            )
        raise AttributeError(f"'mock_connection_functions' has no attribute {name!r}")


if not TYPE_CHECKING:  # pragma: no branch - type checkers read the function above
    mock_connection_functions = _Factory()  # noqa: F811
