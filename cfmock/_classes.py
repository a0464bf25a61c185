"""``@mock_connection_functions`` on test classes: ``unittest.TestCase`` subclasses and plain
pytest classes, each test in a fresh activation. Imported only when a class is decorated."""

from __future__ import annotations

import functools
import inspect
import unittest
from typing import TYPE_CHECKING, Any, cast

from cfmock._mock import Activator

if TYPE_CHECKING:
    from cfmock._options import MockOptions


def decorate(test_class: type, activator: Activator) -> type:
    """Make each test of *test_class* run in a fresh activation with *activator*'s options."""
    if issubclass(test_class, unittest.TestCase):
        return _decorate_test_case(test_class, activator.options)
    return _decorate_test_class(test_class, activator)


def _decorate_test_case(
    test_case: type[unittest.TestCase], options: MockOptions
) -> type[unittest.TestCase]:
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


def _decorate_test_class(test_class: type, activator: Activator) -> type:
    # Under pytest, the plugin's ``_cfmock_test_class`` fixture reads this attribute and runs
    # each test, its setup_method and teardown_method and its function fixtures in one fresh
    # activation. Wrapping the test methods as well keeps them mocked wherever they are called
    # from (without the plugin, or by hand).
    options = activator.options
    cast(Any, test_class)._cfmock_options = options
    for name in dir(test_class):
        if name.startswith("test"):
            _rewrap(test_class, name, lambda method: activator(_unwrapped(method)))
    # setup_class and teardown_class run mocked, each in an activation of its own, as a
    # TestCase's setUpClass does: every test still starts from an empty mock.
    for name in ("setup_class", "teardown_class"):
        if hasattr(test_class, name):
            _rewrap(test_class, name, lambda hook: _class_hook(_unwrapped(hook), options))
    return test_class


def _rewrap(owner: type, name: str, wrap: Any) -> None:
    """Replace the function behind *owner*'s attribute *name* by ``wrap(function)``, keeping
    it a staticmethod or classmethod if it was; attributes that hold no function stay."""
    raw = inspect.getattr_static(owner, name)
    if isinstance(raw, (staticmethod, classmethod)):
        setattr(owner, name, type(raw)(wrap(raw.__func__)))
    elif inspect.isfunction(raw):
        setattr(owner, name, wrap(raw))


def _unwrapped(function: Any) -> Any:
    # A class whose base was decorated too: wrap the user's function once, with these options.
    return getattr(function, "_cfmock_wrapped", function)


def _class_hook(original: Any, options: MockOptions) -> Any:
    # pytest passes the class to setup_class only if the function takes an argument, so the
    # wrapper takes exactly what the original takes (the class, or nothing for a staticmethod).
    if inspect.signature(original).parameters:

        @functools.wraps(original)
        def hook(cls: type) -> Any:
            with Activator(options):
                return original(cls)

    else:

        @functools.wraps(original)
        def hook() -> Any:
            with Activator(options):
                return original()

    cast(Any, hook)._cfmock_wrapped = original
    return hook
