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
    import unittest

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
                raise CfmockError(
                    "cfmock: a mock is already active with other options; an activation "
                    "inside another shares its state and options.\n"
                    f"  active: {outer.options}\n  asked:  {self.options}"
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
        """Decorate a function, a coroutine function or a ``unittest.TestCase`` subclass.

        Each call of the function (each test of the TestCase) runs in a fresh activation.
        """
        if isinstance(target, type):
            import unittest

            if not issubclass(target, unittest.TestCase):
                raise TypeError(
                    f"cfmock: mock_connection_functions can decorate functions, coroutine "
                    f"functions and unittest.TestCase subclasses, not the class "
                    f"{target.__qualname__}"
                )
            return cast(_F, self._decorate_test_case(target))
        if not callable(target):
            raise TypeError(
                f"cfmock: mock_connection_functions can decorate functions, coroutine "
                f"functions and unittest.TestCase subclasses, not {target!r}"
            )
        import inspect

        options = self.options
        if inspect.iscoroutinefunction(target):

            @functools.wraps(target)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                async with Activator(options):
                    return await target(*args, **kwargs)

            return cast(_F, run_async)

        @functools.wraps(target)
        def run(*args: Any, **kwargs: Any) -> Any:
            with Activator(options):
                return target(*args, **kwargs)

        return cast(_F, run)

    def _decorate_test_case(self, test_case: type[unittest.TestCase]) -> type[unittest.TestCase]:
        options = self.options
        original_set_up = test_case.setUp
        # Class fixtures run mocked too, each in an activation of its own: nothing they do
        # reaches the network, and every test still starts from an empty mock.
        for name in ("setUpClass", "tearDownClass"):
            original = getattr(test_case, name).__func__

            def class_fixture(cls: type, original: Any = original) -> None:
                with Activator(options):
                    original(cls)

            setattr(test_case, name, classmethod(functools.wraps(original)(class_fixture)))

        @functools.wraps(original_set_up)
        def set_up(test: unittest.TestCase) -> None:
            activator = Activator(options)
            activator.start()
            test.addCleanup(activator.stop)
            original_set_up(test)

        cast(Any, test_case).setUp = set_up
        return test_case


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
