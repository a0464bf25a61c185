"""The README and docs/ as a user meets them: every example runs, every page is on the site.

Every ```python block runs, so the examples cannot rot:

- the blocks of a page run in order in one namespace, so a block can use what an earlier one
  on the same page defined;
- the blocks that make up test modules also run under pytest, through ``pytester`` with
  cfmock's plugin, as the user's own suite would, and every test in them must pass. A block
  that defines tests (``def test_*``, ``async def test_*``, ``class Test*``) is a test module a
  user can paste as it is. A block whose first line names a file (``# conftest.py``,
  ``# test_revocation.py``) is that file, or its continuation: a tutorial builds one module
  block by block.

Code in the docs fits the column: no line of a code block is longer than 88 characters, so
that it shows without scrolling on the site. ```text blocks are left out: they quote what
programs print (messages, logs, answers), which a wrap would misquote.

Every page is in the site's navigation (Zensical does not report one left out) and in the
README's list of pages.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cfmock._fronts import botocore_seam

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
COLUMN = 88
FILE_NAME = re.compile(r"# ((?:conftest|test_\w+)\.py)\n")


def python_blocks(page: Path) -> list[str]:
    return [code for language, code in FENCE.findall(page.read_text()) if language == "python"]


def count_tests(block: str) -> int:
    """How many tests pytest collects from *block*: its test functions and test methods."""
    count = 0
    for node in ast.parse(block).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            count += node.name.startswith("test")
        elif isinstance(node, ast.ClassDef) and (
            node.name.startswith("Test")
            or any("TestCase" in ast.unparse(base) for base in node.bases)
        ):
            count += sum(
                isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef))
                and member.name.startswith("test")
                for member in node.body
            )
    return count


def files_for_pytest(page: Path) -> dict[str, str]:
    """The files of the page's test run: named blocks joined by name, other test blocks alone."""
    files: dict[str, str] = {}
    for number, block in enumerate(python_blocks(page), start=1):
        named = FILE_NAME.match(block)
        if named:
            name = named.group(1)
            files[name] = files[name] + "\n\n" + block if name in files else block
        elif count_tests(block):
            files[f"test_{page.stem.replace('-', '_').lower()}_block{number}.py"] = block
    return files


PAGES_WITH_TESTS = [page for page in PAGES if files_for_pytest(page)]


def test_there_are_examples_to_run() -> None:
    assert sum(len(python_blocks(page)) for page in PAGES) >= 3
    assert len(PAGES_WITH_TESTS) >= 3


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_python_blocks_run(page: Path, request: pytest.FixtureRequest) -> None:
    # Blocks with tests run here too (defining them, not running them), and their markers need
    # the plugin's registration, which this suite does not load (`-p no:cfmock`).
    request.config.addinivalue_line("markers", "cfmock: the plugin's marker, for the docs")
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for number, block in enumerate(python_blocks(page), start=1):
        code = compile(block, f"{page.name} block {number}", "exec")
        exec(code, namespace)  # noqa: S102 - running our own documentation is the point
        assert not botocore_seam.is_installed(), f"{page.name} block {number} left a mock active"


@pytest.mark.parametrize("page", PAGES_WITH_TESTS, ids=lambda page: page.name)
def test_python_tests_pass_under_pytest(
    page: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The inner run loads cfmock's plugin and nothing else the machine has installed.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    files = files_for_pytest(page)
    for name, source in files.items():
        (pytester.path / name).write_text(source)
    result = pytester.runpytest("-p", "cfmock.plugin", "-W", "error", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=sum(count_tests(source) for source in files.values()))
    assert not botocore_seam.is_installed(), f"{page.name}'s tests left a mock active"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_code_fits_the_column(page: Path) -> None:
    too_long = [
        f"{page.name}, a {language or 'plain'} block: {line}"
        for language, code in FENCE.findall(page.read_text())
        if language != "text"
        for line in code.splitlines()
        if len(line) > COLUMN
    ]
    assert too_long == []


def test_every_page_is_on_the_site() -> None:
    """Zensical does not report a page left out of the navigation; this test does."""
    listed = re.findall(
        r"^\s*- (?:[^:\n]+: )?([\w./-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(), re.M
    )
    pages = sorted(path.name for path in (ROOT / "docs").glob("*.md"))
    assert sorted(listed) == pages


def test_the_readme_lists_every_page() -> None:
    listed = set(re.findall(r"\]\(docs/([\w-]+\.md)\)", (ROOT / "README.md").read_text()))
    pages = {path.name for path in (ROOT / "docs").glob("*.md")} - {"changelog.md"}
    assert sorted(pages - listed) == []
