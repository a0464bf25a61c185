"""Every activation form: decorators, with, async with, start/stop, TestCase, nesting."""

from __future__ import annotations

import asyncio
import dataclasses
import unittest

import boto3
import pytest

from cfmock import Activator, CloudFrontMock, mock_connection_functions
from cfmock._fronts import botocore_seam
from cfmock._options import MockOptions
from cfmock.exceptions import CfmockError, NotStartedError
from tests.scaffolding import create


def _client():
    return boto3.client("cloudfront", region_name="us-east-1")


def test_bare_decorator_on_a_function() -> None:
    @mock_connection_functions
    def run(x: int) -> int:
        create(_client())
        return x + 1

    assert run(1) == 2
    assert run(1) == 2  # each call is a fresh activation: no EntityAlreadyExists
    assert not botocore_seam.is_installed()


def test_decorator_with_options_on_a_function() -> None:
    @mock_connection_functions(max_functions=1)
    def run() -> str:
        create(_client(), "one")
        with pytest.raises(_client().exceptions.EntityLimitExceeded):
            create(_client(), "two")
        return "done"

    assert run() == "done"


def test_decorator_keeps_the_function_name_and_docstring() -> None:
    @mock_connection_functions
    def documented() -> None:
        """Docs."""

    assert documented.__name__ == "documented"
    assert documented.__doc__ == "Docs."


def test_bare_decorator_on_a_coroutine_function() -> None:
    @mock_connection_functions
    async def run() -> str:
        await asyncio.sleep(0)
        return create(_client())["ConnectionFunctionSummary"]["Status"]

    assert asyncio.run(run()) == "UNPUBLISHED"
    assert not botocore_seam.is_installed()


def test_decorator_with_options_on_a_coroutine_function() -> None:
    @mock_connection_functions(account_id="111122223333")
    async def run() -> str:
        return create(_client())["ConnectionFunctionSummary"]["ConnectionFunctionArn"]

    assert asyncio.run(run()).startswith("arn:aws:cloudfront::111122223333:connection-function/")


def test_context_manager_returns_the_handle() -> None:
    with mock_connection_functions() as cf:
        assert isinstance(cf, CloudFrontMock)
        create(_client(), "seen")
        assert [f.name for f in cf.functions()] == ["seen"]
    assert not botocore_seam.is_installed()


def test_async_context_manager() -> None:
    async def run() -> list[str]:
        async with mock_connection_functions() as cf:
            create(_client(), "async-seen")
            return [f.name for f in cf.functions()]

    assert asyncio.run(run()) == ["async-seen"]
    assert not botocore_seam.is_installed()


def test_start_and_stop_for_notebooks() -> None:
    mock = mock_connection_functions()
    assert isinstance(mock, Activator)
    cf = mock.start()
    try:
        create(_client(), "notebook")
        assert mock.start() is cf  # a second start is harmless
        assert cf.get_function("notebook").name == "notebook"
    finally:
        mock.stop()
    assert not botocore_seam.is_installed()


def test_stop_without_start_is_a_clear_error() -> None:
    with pytest.raises(NotStartedError) as excinfo:
        mock_connection_functions().stop()
    assert str(excinfo.value) == (
        "cfmock: stop() was called on an activator that is not started; call start() first, "
        "or use it as a decorator or in a with block"
    )


def test_stop_twice_is_a_clear_error() -> None:
    mock = mock_connection_functions()
    mock.start()
    mock.stop()
    with pytest.raises(NotStartedError):
        mock.stop()


def test_the_users_exception_is_never_masked() -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), mock_connection_functions():
        raise Boom
    assert not botocore_seam.is_installed()

    @mock_connection_functions
    def failing() -> None:
        raise Boom

    with pytest.raises(Boom):
        failing()
    assert not botocore_seam.is_installed()


def test_nested_activations_share_state_and_the_outer_keeps_it() -> None:
    with mock_connection_functions() as outer:
        create(_client(), "outer")
        with mock_connection_functions() as inner:
            assert [f.name for f in inner.functions()] == ["outer"]
            create(_client(), "inner")
        assert botocore_seam.is_installed()
        assert [f.name for f in outer.functions()] == ["outer", "inner"]
        create(_client(), "after-inner")
    assert not botocore_seam.is_installed()


def test_nested_activation_with_other_options_is_refused_naming_the_fields() -> None:
    with mock_connection_functions(), pytest.raises(CfmockError) as excinfo:
        mock_connection_functions(max_functions=5, function_profiles={"gate": "permissive"}).start()
    assert str(excinfo.value) == (
        "cfmock: a mock is already active with other options, and an activation inside "
        "another shares its state and options. They differ in:\n"
        "  max_functions: active 100, asked 5\n"
        "  function_profiles: active {}, asked {'gate': 'permissive'}\n"
        "Give the inner activation the same options, or stop the active mock first "
        "(cfmock.stop_all() stops every activation)."
    )
    assert not botocore_seam.is_installed()


def test_unknown_option_is_named() -> None:
    with pytest.raises(CfmockError) as excinfo:
        mock_connection_functions(max_function=3)  # type: ignore[call-overload]
    # Every option, sorted: the list grows with the options, so it is read off MockOptions.
    options = sorted(option.name for option in dataclasses.fields(MockOptions))
    assert str(excinfo.value) == (
        f"cfmock: unknown option(s) max_function; the options are {', '.join(options)}"
    )
    assert {
        "account_id",
        "max_functions",
        "runtime_profile",
        "function_profiles",
        "memory_limit",
        "log_limit",
        "strict_compute",
    } <= set(options)
    with pytest.raises(CfmockError) as excinfo:
        mock_connection_functions(profile="permissive", zeta=1)  # type: ignore[call-overload]
    assert str(excinfo.value) == (
        f"cfmock: unknown option(s) profile, zeta; the options are {', '.join(options)}"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"account_id": "12"}, "cfmock: account_id must be a string of 12 digits, got '12'"),
        ({"code_size_limit": 0}, "cfmock: code_size_limit must be between 1 and 40960, got 0"),
        (
            {"code_size_limit": 50_000},
            "cfmock: code_size_limit must be between 1 and 40960, got 50000",
        ),
        ({"max_functions": "3"}, "cfmock: max_functions must be an int, got '3'"),
        ({"max_comment_length": -1}, "cfmock: max_comment_length must be at least 0, got -1"),
    ],
)
def test_invalid_option_values_are_explained(options, message) -> None:
    with pytest.raises(CfmockError) as excinfo:
        mock_connection_functions(**options)
    assert str(excinfo.value) == message


def test_decorating_something_not_callable_is_a_type_error() -> None:
    with pytest.raises(TypeError) as excinfo:
        mock_connection_functions()(42)
    assert str(excinfo.value) == (
        "cfmock: mock_connection_functions can decorate functions, coroutine functions and "
        "test classes (unittest.TestCase subclasses or plain pytest classes), not 42"
    )


def test_with_the_factory_itself_shows_the_right_spelling() -> None:
    with pytest.raises(TypeError) as excinfo, mock_connection_functions:  # type: ignore[attr-defined]
        pass
    assert str(excinfo.value) == (
        "cfmock: mock_connection_functions builds activators and is not one itself; call it: "
        "`with mock_connection_functions():`, or `with mock_connection_functions() as cf:` for "
        "the handle"
    )
    # The method that ``with`` looks up second says the same, should anything call it.
    with pytest.raises(TypeError):
        type(mock_connection_functions).__exit__(mock_connection_functions, None, None, None)  # type: ignore[attr-defined]

    async def enter_async() -> None:
        async with mock_connection_functions:  # type: ignore[attr-defined]
            pass

    with pytest.raises(TypeError) as excinfo:
        asyncio.run(enter_async())
    assert str(excinfo.value) == (
        "cfmock: mock_connection_functions builds activators and is not one itself; call it: "
        "`async with mock_connection_functions():`, or `async with mock_connection_functions() "
        "as cf:` for the handle"
    )
    assert not botocore_seam.is_installed()


def test_start_and_stop_on_the_factory_itself_show_the_right_spelling() -> None:
    with pytest.raises(AttributeError) as excinfo:
        mock_connection_functions.start()  # type: ignore[attr-defined]
    assert str(excinfo.value) == (
        "cfmock: mock_connection_functions has no start(); build an activator and start it: "
        "`mock = mock_connection_functions()`, then `cf = mock.start()`"
    )
    with pytest.raises(AttributeError) as excinfo:
        mock_connection_functions.stop()  # type: ignore[attr-defined]
    assert str(excinfo.value) == (
        "cfmock: mock_connection_functions has no stop(); stop the activator you started "
        "(`mock.stop()`), or every activation with `cfmock.stop_all()`"
    )
    assert not hasattr(mock_connection_functions, "other")


def test_the_factory_reads_as_the_function_it_is() -> None:
    import inspect

    assert repr(mock_connection_functions) == (
        "<cfmock.mock_connection_functions: call it for an activator>"
    )
    assert mock_connection_functions.__name__ == "mock_connection_functions"
    assert mock_connection_functions.__doc__ is not None
    assert mock_connection_functions.__doc__.startswith("Mock the CloudFront Connection")
    assert list(inspect.signature(mock_connection_functions).parameters) == ["target", "options"]


def test_activator_repr_says_whether_it_is_active_and_what_it_holds() -> None:
    mock = mock_connection_functions(max_functions=5, function_profiles={"gate": "permissive"})
    assert repr(mock) == (
        "<cfmock activator mock_connection_functions(max_functions=5, "
        "function_profiles={'gate': 'permissive'}), inactive>"
    )
    cf = mock.start()
    try:
        create(_client(), "gate")
        cf.add_key_value_store("serials", {"ABC": "revoked"})
        assert repr(mock) == (
            "<cfmock activator mock_connection_functions(max_functions=5, "
            "function_profiles={'gate': 'permissive'}), active: 1 function, 1 KeyValueStore, "
            "0 trust stores, 0 distributions, 1 call>"
        )
    finally:
        mock.stop()
    assert repr(mock_connection_functions()) == (
        "<cfmock activator mock_connection_functions(), inactive>"
    )


def test_stop_all_stops_every_activation_however_it_was_started() -> None:
    from cfmock import stop_all

    assert stop_all() == 0
    first = mock_connection_functions()
    first.start()
    second = mock_connection_functions()  # a rebound variable in a notebook
    second.start()
    with pytest.raises(NotStartedError), mock_connection_functions():
        assert stop_all() == 3
    assert not botocore_seam.is_installed()
    assert "inactive" in repr(first) and "inactive" in repr(second)
    first.start()  # a stopped activator starts again, afresh
    assert first.start().functions() == []
    assert stop_all() == 1
    assert not botocore_seam.is_installed()


def test_test_case_class_runs_each_test_in_a_fresh_activation() -> None:
    seen: list[tuple[str, bool]] = []

    @mock_connection_functions
    class Functions(unittest.TestCase):
        def setUp(self) -> None:
            self.client = _client()
            create(self.client, "from-setup")

        def test_one(self) -> None:
            create(self.client, "only-here")
            seen.append(("one", botocore_seam.is_installed()))

        def test_two(self) -> None:
            # test_one's function is gone: creating it again succeeds.
            create(self.client, "only-here")
            seen.append(("two", botocore_seam.is_installed()))

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(Functions).run(result)
    assert result.errors == [] and result.failures == []
    assert result.testsRun == 2
    assert sorted(seen) == [("one", True), ("two", True)]
    assert not botocore_seam.is_installed()
