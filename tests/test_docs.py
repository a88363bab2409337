"""The README says what the code does: its exit-code table is errors.EXIT_CODES, and the
known-good versions are the ones internals.py names."""

from __future__ import annotations

import re

from lstmcast.errors import EXIT_CODES, ExitCode, exit_codes_help
from tests.helpers.data import REPO
from tests.helpers.runs import invoke

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

    root = invoke("--help")
    for code, (short, _) in EXIT_CODES.items():
        assert f"{int(code)} {short}" in " ".join(root.output.split())
    evaluate = invoke("evaluate", "--help")
    assert "pip install 'lstmcast[plot]'" in " ".join(evaluate.output.split())


def test_the_readme_keys_block_and_docs_config_are_the_schema():
    from lstmcast.config.reference import keys_document, keys_reference

    block = README.split("Keys, with defaults", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    assert block == keys_reference(), "regenerate: python -m lstmcast.config.reference"
    document = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    assert document == keys_document(), "regenerate: python -m lstmcast.config.reference --document"
    for section in ("forecast:", "gate:", "tune:", "  series_id:", "  layout:", "  static:",
                    "  series_embedding:", "  sessions:", "  timezone:"):  # fmt: skip
        assert f"\n{section}" in block
