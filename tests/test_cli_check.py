"""``cfmock check FILE...``: the load-time check as a command for CI and editors."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from cfmock._cli import main

GOOD = (
    "import cf from 'cloudfront';\n"
    "function connectionHandler(connection) {\n"
    "  connection.allow();\n"
    "}\n"
)
BAD = (
    "import cf from 'cloudfront';\n"
    "const kvs = cf.kvs();\n"
    "async function connectionHandler(connection) {\n"
    "  const entry = JSON.parse(await kvs.get('k'));\n"
    "  for (const x of entry) {}\n"
    "}\n"
)
BAD_MESSAGE = "SyntaxError: await in arguments not supported in 4"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "good.js").write_text(GOOD)
    (tmp_path / "bad.js").write_text(BAD)
    (tmp_path / "latin1.js").write_bytes(b"var s = '\xe9';")
    return tmp_path


def test_files_that_load_exit_0_and_print_nothing(files, capsys) -> None:
    assert main(["check", str(files / "good.js"), str(files / "good.js")]) == 0
    assert capsys.readouterr().out == ""


def test_a_refused_file_exits_1_with_one_located_line(files, capsys) -> None:
    good, bad = str(files / "good.js"), str(files / "bad.js")
    assert main(["check", good, bad]) == 1
    assert capsys.readouterr().out == f"{bad}:4:28: {BAD_MESSAGE}\n"


def test_json_lists_every_problem_with_its_file(files, capsys) -> None:
    bad = str(files / "bad.js")
    assert main(["check", "--format", "json", bad, str(files / "good.js")]) == 1
    assert json.loads(capsys.readouterr().out) == [
        {"file": bad, "line": 4, "column": 28, "message": BAD_MESSAGE}
    ]
    assert main(["check", "--format", "json", str(files / "good.js")]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_missing_or_non_utf8_file_is_a_usage_error_but_the_others_are_checked(
    files, capsys
) -> None:
    missing, latin1, bad = str(files / "nope.js"), str(files / "latin1.js"), str(files / "bad.js")
    assert main(["check", missing, latin1, bad]) == 2
    captured = capsys.readouterr()
    assert captured.out == f"{bad}:4:28: {BAD_MESSAGE}\n"
    assert f"cfmock check: {missing}: " in captured.err
    assert f"cfmock check: {latin1}: the code is not valid UTF-8" in captured.err


def test_the_profile_is_faithful_or_permissive_and_nothing_else(files, capsys) -> None:
    good, bad = str(files / "good.js"), str(files / "bad.js")
    assert main(["check", "--profile", "faithful", good]) == 0
    assert main(["check", "--profile", "faithful", bad]) == 1
    assert capsys.readouterr().out == f"{bad}:4:28: {BAD_MESSAGE}\n"
    # Under the permissive profile modern JavaScript loads: only what no engine parses fails.
    assert main(["check", "--profile", "permissive", good, bad]) == 0
    assert capsys.readouterr().out == ""
    (files / "broken.js").write_text("function connectionHandler(c) {\n  c.allow(;\n}\n")
    assert main(["check", "--profile", "permissive", str(files / "broken.js")]) == 1
    assert capsys.readouterr().out.startswith(f"{files / 'broken.js'}:2:")
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--profile", "strict", good])
    assert exit_info.value.code == 2
    assert "invalid choice: 'strict'" in capsys.readouterr().err


def test_check_without_files_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check"])
    assert exit_info.value.code == 2
    assert "FILE" in capsys.readouterr().err


def test_a_dash_reads_the_code_from_stdin(monkeypatch, capsys) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(BAD.encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["check", "-"]) == 1
    assert capsys.readouterr().out == f"-:4:28: {BAD_MESSAGE}\n"


def test_python_dash_m_cfmock_check(files) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cfmock", "check", str(files / "bad.js"), str(files / "good.js")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == f"{files / 'bad.js'}:4:28: {BAD_MESSAGE}\n"
    assert result.stderr == ""
