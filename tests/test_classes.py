"""@mock_connection_functions on plain pytest test classes, run the way a user's suite runs them."""

from __future__ import annotations

import boto3
import pytest

from cfmock import mock_connection_functions
from cfmock._fronts import botocore_seam
from tests.scaffolding import create

pytest_plugins = ["pytester"]

# What every inner run's module starts with: a create that fails unless the mock is active (the
# outer conftest leaves no credentials) and a record of whether the mock was active.
PRELUDE = """
import boto3
import pytest

from cfmock import mock_connection_functions
from cfmock._fronts import botocore_seam

CONFIG = {"Comment": "", "Runtime": "cloudfront-js-2.0"}
CODE = b"function connectionHandler(c) { c.allow(); }"


def create(name):
    client = boto3.client("cloudfront", region_name="us-east-1")
    return client.create_connection_function(
        Name=name, ConnectionFunctionConfig=CONFIG, ConnectionFunctionCode=CODE
    )


def names(cf):
    return [function.name for function in cf.functions()]
"""

# Runs last in every inner module: nothing is left active.
EPILOGUE = """

def test_zz_nothing_is_left_active():
    assert not botocore_seam.is_installed()
"""


@pytest.fixture(autouse=True)
def only_our_plugin(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """The inner runs load cfmock's plugin and nothing else the machine has installed."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeini("[pytest]\naddopts = -p cfmock.plugin\n")


def run(pytester: pytest.Pytester, body: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(PRELUDE + body + EPILOGUE)
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def test_setup_and_teardown_methods_run_inside_each_tests_fresh_activation(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
@mock_connection_functions
class TestFunctions:
    def setup_method(self, method):
        assert botocore_seam.is_installed()
        # EntityAlreadyExists if the state were shared with the previous test.
        self.created = create("from-setup")

    def teardown_method(self):
        assert botocore_seam.is_installed()
        client = boto3.client("cloudfront", region_name="us-east-1")
        client.delete_connection_function(
            Id=self.created["ConnectionFunctionSummary"]["Id"], IfMatch=self.created["ETag"]
        )

    def test_one(self, cfmock):
        create("only-here")
        assert names(cfmock) == ["from-setup", "only-here"]

    def test_two(self, cfmock):
        create("only-here")
        assert names(cfmock) == ["from-setup", "only-here"]

    @pytest.mark.parametrize("name", ["a", "b"])
    def test_parametrized(self, cfmock, name):
        create(name)
        assert names(cfmock) == ["from-setup", name]

    @staticmethod
    def test_static():
        assert botocore_seam.is_installed()
        create("from-setup-is-there")
""",
    )
    result.assert_outcomes(passed=6)


def test_a_failing_setup_or_test_ends_its_activation(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@mock_connection_functions
class TestFailures:
    def setup_method(self, method):
        if method.__name__ == "test_setup_fails":
            raise RuntimeError("setup failed")

    def teardown_method(self, method):
        assert botocore_seam.is_installed()

    def test_setup_fails(self):
        pass

    def test_fails(self):
        create("gate")
        raise AssertionError("the test failed")

    def test_after_the_failures_starts_empty(self, cfmock):
        assert cfmock.functions() == []
""",
    )
    result.assert_outcomes(passed=2, failed=1, errors=1)
    result.stdout.fnmatch_lines(["*RuntimeError: setup failed", "*AssertionError: the test failed"])


def test_class_hooks_run_mocked_each_in_an_activation_of_its_own(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
SEEN = []


@mock_connection_functions
class TestClassMethodHooks:
    @classmethod
    def setup_class(cls):
        SEEN.append(("setup_class", cls.__name__, botocore_seam.is_installed()))
        create("from-setup-class")

    @classmethod
    def teardown_class(cls):
        SEEN.append(("teardown_class", cls.__name__, botocore_seam.is_installed()))
        create("from-setup-class")  # the class hook's state is its own

    def test_starts_empty(self, cfmock):
        assert cfmock.functions() == []


@mock_connection_functions
class TestPlainFunctionHooks:
    def setup_class(self):
        SEEN.append(("setup_class", self.__name__, botocore_seam.is_installed()))

    @staticmethod
    def teardown_class():
        SEEN.append(("teardown_class", "static", botocore_seam.is_installed()))

    def test_mocked(self):
        assert botocore_seam.is_installed()


def test_seen():
    assert SEEN == [
        ("setup_class", "TestClassMethodHooks", True),
        ("teardown_class", "TestClassMethodHooks", True),
        ("setup_class", "TestPlainFunctionHooks", True),
        ("teardown_class", "static", True),
    ]
""",
    )
    result.assert_outcomes(passed=4)


def test_inherited_tests_and_subclasses(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
class Base:
    def test_inherited(self):
        assert botocore_seam.is_installed()
        create("inherited")


@mock_connection_functions
class TestDecoratedChild(Base):
    def test_own(self):
        create("own")


class TestUndecoratedGrandchild(TestDecoratedChild):
    def setup_method(self):
        assert botocore_seam.is_installed()

    def test_new(self, cfmock):
        assert cfmock.functions() == []


@mock_connection_functions(max_functions=1)
class TestRedecoratedWithOtherOptions(TestDecoratedChild):
    def test_options(self, cfmock):
        assert cfmock.options.max_functions == 1
        create("one")
        client = boto3.client("cloudfront", region_name="us-east-1")
        with pytest.raises(client.exceptions.EntityLimitExceeded):
            create("two")


def test_the_base_is_untouched():
    assert not botocore_seam.is_installed()
    assert not hasattr(Base, "_cfmock_options")
    assert "_cfmock_wrapped" not in vars(Base.test_inherited)
""",
    )
    # Child: 2, grandchild: 3, redecorated: 3 (its inherited ones under its own options), 1.
    result.assert_outcomes(passed=10)


def test_options_and_the_cfmock_fixture_in_a_decorated_class(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@mock_connection_functions(max_functions=7)
class TestOptions:
    def test_the_fixture_is_the_class_activation(self, cfmock):
        assert cfmock.options.max_functions == 7
        create("gate")
        assert names(cfmock) == ["gate"]

    @pytest.mark.cfmock(max_functions=7, publish_delay=0)
    def test_a_marker_may_repeat_the_options(self, cfmock):
        assert cfmock.options.max_functions == 7

    @pytest.mark.cfmock(max_functions=8)
    def test_a_marker_that_differs_is_named(self, cfmock):
        pass
""",
    )
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "E * cfmock.exceptions.CfmockError: cfmock: a mock is already active with other "
            "options, and an activation inside another shares its state and options. They "
            "differ in:",
            "E *   max_functions: active 7, asked 8",
        ]
    )


def test_async_test_methods_under_an_async_plugin(pytester: pytest.Pytester) -> None:
    # A stand-in for pytest-asyncio or anyio: it runs coroutine tests with asyncio.run.
    pytester.makeconftest(
        """
import asyncio
import inspect

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**arguments))
        return True
    return None
"""
    )
    result = run(
        pytester,
        """
@mock_connection_functions
class TestAsync:
    def setup_method(self):
        create("from-setup")

    async def test_one(self, cfmock):
        create("only-here")
        assert names(cfmock) == ["from-setup", "only-here"]

    @pytest.mark.parametrize("name", ["a", "b"])
    async def test_two(self, cfmock, name):
        create(name)
        assert names(cfmock) == ["from-setup", name]
""",
    )
    result.assert_outcomes(passed=4)


@mock_connection_functions
class TestWithoutThePlugin:
    """This suite runs without cfmock's plugin (``-p no:cfmock``): the test methods are still
    mocked, each call in a fresh activation; setup_method then runs unmocked."""

    def setup_method(self) -> None:
        assert not botocore_seam.is_installed()

    def test_one(self) -> None:
        assert botocore_seam.is_installed()
        create(boto3.client("cloudfront", region_name="us-east-1"), "only-here")

    def test_two(self) -> None:
        create(boto3.client("cloudfront", region_name="us-east-1"), "only-here")


def test_test_methods_called_by_hand_are_each_mocked_afresh() -> None:
    instance = TestWithoutThePlugin()
    instance.test_one()
    instance.test_one()
    assert not botocore_seam.is_installed()


def test_a_class_attribute_named_like_a_test_that_is_no_function_is_left_alone() -> None:
    @mock_connection_functions
    class Holder:
        test_data = [1, 2]
        testing = property(lambda self: 3)

    assert Holder.test_data == [1, 2]
    assert Holder().testing == 3
