"""The README says what the code does: its exit-code table is errors.EXIT_CODES, and the
known-good versions are the ones internals.py names."""

from __future__ import annotations

import re

from lstmcast.errors import EXIT_CODES, ExitCode, exit_codes_help
from tests.helpers.data import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_exit_code_table_is_the_errors_table():
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", README, flags=re.MULTILINE)
    assert [(int(code), text) for code, text in rows] == [
        (int(code), sentence) for code, (_, sentence) in EXIT_CODES.items()
    ]


def test_every_exit_code_is_listed_in_help():
    assert set(EXIT_CODES) == set(ExitCode)
    for code in ExitCode:
        assert f"{int(code)} " in exit_codes_help()


def test_root_help_lists_every_exit_code_and_help_text_keeps_brackets():
    from typer.testing import CliRunner

    from lstmcast.cli import app

    runner = CliRunner()
    root = runner.invoke(app, ["--help"])
    for code, (short, _) in EXIT_CODES.items():
        assert f"{int(code)} {short}" in " ".join(root.output.split())
    evaluate = runner.invoke(app, ["evaluate", "--help"])
    assert "pip install 'lstmcast[plot]'" in " ".join(evaluate.output.split())
