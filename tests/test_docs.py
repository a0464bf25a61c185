"""Every ```python block in the README and docs/ runs, so the examples cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cfmock._fronts import botocore_seam

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_there_are_examples_to_run() -> None:
    assert sum(len(BLOCK.findall(page.read_text())) for page in PAGES) >= 3


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_python_blocks_run(page: Path) -> None:
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for number, block in enumerate(BLOCK.findall(page.read_text()), start=1):
        code = compile(block, f"{page.name} block {number}", "exec")
        exec(code, namespace)  # noqa: S102 - running our own documentation is the point
        assert not botocore_seam.is_installed(), f"{page.name} block {number} left a mock active"
