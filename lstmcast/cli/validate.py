"""`lstmcast validate CONFIG`: check config and data, train nothing, never import TensorFlow."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from lstmcast.cli.options import ConfigPath, DebugFlag, JsonFlag, Overrides, QuietFlag
from lstmcast.cli.output import print_json, print_table, reported_errors, say, warn


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
    from lstmcast.config import load_experiment
    from lstmcast.data.prepare import prepare_data

    with reported_errors(debug=debug, json_output=json_output):
        experiment = load_experiment(config, overrides or [])
        if experiment.data.is_panel:
            from lstmcast.panels.prepare import prepare_panel

            summary = describe_panel(prepare_panel(experiment))
            _show_panel(config, summary, json_output=json_output, quiet=quiet)
            return
        summary = describe(prepare_data(experiment))
    for message in summary["warnings"]:
        warn(message)
    if json_output:
        print_json(summary)
        return
    table = Table(title=f"{config}: valid", title_justify="left")
    for column in ("split", "rows", "first timestamp", "last timestamp", "windows"):
        table.add_column(column, justify="right" if column in {"rows", "windows"} else "left")
    for name, part in summary["splits"].items():
        table.add_row(name, str(part["rows"]), part["first"], part["last"], str(part["windows"]))
    print_table(table)
    say(
        f"{summary['rows']} rows of {', '.join(summary['columns'])}, {summary['steps']}, "
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


def describe(data: Any) -> dict[str, Any]:
    """The facts `validate` reports, as a JSON-ready dict."""
    from lstmcast.data.calendar import calendar_columns
    from lstmcast.data.frequency import format_timestamps
    from lstmcast.data.prepare import timeline_of

    experiment = data.experiment
    timestamps = data.series.timestamps
    splits = {}
    for name, windows in data.starts.items():
        first, end = data.bounds.rows(name)
        first_stamp, last_stamp = format_timestamps(timestamps[[first, end - 1]])
        splits[name] = {
            "rows": end - first,
            "first": first_stamp,
            "last": last_stamp,
            "windows": len(windows),
        }
    return {
        "valid": True,
        "data": str(experiment.data.path),
        "rows": data.series.num_rows,
        "columns": data.series.columns,
        "frequency": data.series.frequency,
        "steps": timeline_of(experiment.data, data.series.frequency).describe(),
        "season_length": data.season_length,
        "lookback": experiment.windows.lookback,
        "horizon": experiment.windows.horizon,
        "known_columns": [*experiment.data.known, *calendar_columns(experiment.data.calendar)],
        "architecture": experiment.model.architecture,
        "cudnn_blockers": experiment.model.cudnn_blockers(),
        "splits": splits,
        "run_dir": str(experiment.run_dir),
        "warnings": data.warnings,
    }


def describe_panel(data: Any) -> dict[str, Any]:
    """The facts `validate` reports for many series, as a JSON-ready dict."""
    from lstmcast.data.frequency import format_timestamp

    experiment, layout = data.experiment, data.layout
    return {
        "valid": True,
        "data": str(experiment.data.path),
        "series": len(layout.ids),
        "skipped": layout.skipped,
        "rows": int(layout.offsets[-1]),
        "frequency": data.panel.frequency,
        "season_length": data.season_length,
        "lookback": experiment.windows.lookback,
        "horizon": experiment.windows.horizon,
        "validation_starts": format_timestamp(data.cut_offs[0], data.panel.frequency),
        "test_starts": format_timestamp(data.cut_offs[1], data.panel.frequency),
        "windows": {split: int(len(starts)) for split, starts in data.starts.items()},
        "static": data.static,
        "architecture": experiment.model.architecture,
        "run_dir": str(experiment.run_dir),
        "warnings": data.warnings,
    }


def _show_panel(config: Any, summary: dict[str, Any], *, json_output: bool, quiet: bool) -> None:
    for message in summary["warnings"]:
        warn(message)
    if json_output:
        print_json(summary)
        return
    windows = ", ".join(f"{count:,} {split}" for split, count in summary["windows"].items())
    say(
        f"{config}: valid: {summary['series']} series ({len(summary['skipped'])} too short, "
        f"left out), {summary['rows']:,} rows every '{summary['frequency']}', season length "
        f"{summary['season_length']}, lookback {summary['lookback']}, horizon "
        f"{summary['horizon']}; validation from {summary['validation_starts']}, test from "
        f"{summary['test_starts']} in every series; windows: {windows}; run folder: "
        f"{summary['run_dir']}",
        quiet=quiet,
    )
    for sid, why in summary["skipped"].items():
        say(f"left out: {sid}: {why}", quiet=quiet)
