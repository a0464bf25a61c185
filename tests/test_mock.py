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


def test_nested_activation_with_other_options_is_refused() -> None:
    with mock_connection_functions(), pytest.raises(CfmockError) as excinfo:
        mock_connection_functions(max_functions=5).start()
    assert str(excinfo.value).startswith(
        "cfmock: a mock is already active with other options; an activation inside another "
        "shares its state and options."
    )


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


def test_decorating_a_class_that_is_not_a_test_case_is_a_type_error() -> None:
    class NotATestCase:
        pass

    with pytest.raises(TypeError) as excinfo:
        mock_connection_functions(NotATestCase)
    assert str(excinfo.value) == (
        "cfmock: mock_connection_functions can decorate functions, coroutine functions and "
        "unittest.TestCase subclasses, not the class "
        "test_decorating_a_class_that_is_not_a_test_case_is_a_type_error.<locals>.NotATestCase"
    )


def test_decorating_something_not_callable_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        mock_connection_functions()(42)


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
