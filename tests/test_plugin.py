"""The pytest plugin, tested with pytester the way a user's suite would use it."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def only_our_plugin(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """The inner runs load cfmock's plugin and nothing else the machine has installed."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeini("[pytest]\naddopts = -p cfmock.plugin\n")


def test_fixture_yields_an_active_mock_and_the_handle_type(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        from cfmock import CloudFrontMock

        def test_create(cfmock: CloudFrontMock):
            assert isinstance(cfmock, CloudFrontMock)
            client = boto3.client("cloudfront", region_name="us-east-1")
            client.create_connection_function(
                Name="fn",
                ConnectionFunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"},
                ConnectionFunctionCode=b"function connectionHandler(c) { c.allow(); }",
            )
            assert [f.name for f in cfmock.functions()] == ["fn"]

        def test_each_test_starts_empty(cfmock):
            assert cfmock.functions() == []
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_marker_options_closest_wins(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.cfmock(code_size_limit=100, max_functions=3)

        @pytest.mark.cfmock(code_size_limit=200)
        class TestOptions:
            def test_class_marker(self, cfmock):
                assert (cfmock.options.code_size_limit, cfmock.options.max_functions) == (200, 3)

            @pytest.mark.cfmock(code_size_limit=300)
            def test_function_marker(self, cfmock):
                assert cfmock.options.code_size_limit == 300

        def test_module_marker(cfmock):
            assert cfmock.options.code_size_limit == 100
        """
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=3)


def test_marker_errors_are_reported(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.cfmock(no_such_option=1)
        def test_unknown(cfmock):
            pass

        @pytest.mark.cfmock(40960)
        def test_positional(cfmock):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*CfmockError: cfmock: unknown option(s) no_such_option; the options are*",
            "*cfmock: the cfmock marker takes keyword options only, got (40960,)*",
        ]
    )


def test_the_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.cfmock(**options): options for the cfmock fixture*"])


def test_the_plugin_is_registered_as_an_entry_point() -> None:
    from importlib.metadata import entry_points

    (plugin,) = [ep for ep in entry_points(group="pytest11") if ep.name == "cfmock"]
    assert plugin.value == "cfmock.plugin"


def test_xdist_workers_each_have_their_own_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import os
        import pytest

        @pytest.mark.parametrize("index", range(6))
        def test_isolated(cfmock, index):
            cfmock.add_function("same-name", b"function connectionHandler(c) {}")
            assert [f.name for f in cfmock.functions()] == ["same-name"]
            assert os.environ["PYTEST_XDIST_WORKER"].startswith("gw")
        """
    )
    pytester.runpytest_subprocess("-n", "2", "-p", "xdist").assert_outcomes(passed=6)
