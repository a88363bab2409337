"""`lstmcast validate CONFIG`: check config and data, train nothing, never import TensorFlow."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from lstmcast.cli.options import ConfigPath, DebugFlag, JsonFlag, Overrides, QuietFlag
from lstmcast.cli.output import print_json, print_table, reported_errors, say, warn
from lstmcast.text import count_of


def validate(
    config: ConfigPath,
    overrides: Overrides = None,
    json_output: JsonFlag = False,
    quiet: QuietFlag = False,
    debug: DebugFlag = False,
) -> None:
    """Check CONFIG and its CSV, and show the rows and windows of each split.

    Exit 0 when `train` would start; 2 for a config error, 3 for a data error.
    """
    from lstmcast.workflows.validate import validate_config

    with reported_errors(debug=debug, json_output=json_output):
        summary = validate_config(config, overrides or [])
    for message in summary["warnings"]:
        warn(message)
    if json_output:
        print_json(summary)
        return
    table = Table(title=f"{config}: valid", title_justify="left")
    for column in ("split", "rows", "first timestamp", "last timestamp", "windows"):
        table.add_column(column, justify="right" if column in {"rows", "windows"} else "left")
    for name, part in summary["splits"].items():
        table.add_row(
            name, f"{part['rows']:,}", part["first"], part["last"], f"{part['windows']:,}"
        )
    print_table(table)
    _say_what_it_is(summary, quiet=quiet)


def _say_what_it_is(summary: dict[str, Any], *, quiet: bool) -> None:
    if "series" in summary:
        say(
            f"{count_of(summary['series'], 'series')} ({len(summary['skipped'])} too short, "
            f"left out); validation from {summary['validation_starts']}, test from "
            f"{summary['test_starts']} in every series",
            quiet=quiet,
        )
        for sid, why in summary["skipped"].items():
            say(f"left out: {sid}: {why}", quiet=quiet)
    say(
        f"{summary['rows']:,} rows of {', '.join(summary['columns'])}, {summary['steps']}, "
        f"season length {summary['season_length']}, lookback "
        f"{summary['lookback']}, horizon {summary['horizon']}; "
        f"run folder: {summary['run_dir']}",
        quiet=quiet,
    )
    known = summary["known_columns"]
    reads = f"; also reads {', '.join(known)} over the horizon" if known else ""
    say(f"model: {summary['architecture']}{reads}", quiet=quiet)
    if summary["cudnn_blockers"]:
        say(
            "on a GPU this model would not use the cuDNN kernel because of "
            + "; ".join(summary["cudnn_blockers"]),
            quiet=quiet,
        )
