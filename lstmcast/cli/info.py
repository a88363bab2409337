"""`lstmcast info RUN|CONFIG`: what a run is, read from its folder, without TensorFlow."""

from __future__ import annotations

from typing import Any

from lstmcast.cli.options import DebugFlag, JsonFlag, RunOrConfig, RunOverrides
from lstmcast.cli.output import print_json, reported_errors
from lstmcast.text import count_of, number


def info(
    run: RunOrConfig,
    overrides: RunOverrides = None,
    json_output: JsonFlag = False,
    debug: DebugFlag = False,
) -> None:
    """Show what RUN is: its data (file, checksum, columns, calendar, splits), windows, model
    (architecture, parameters), where and with what it trained, and its test scores."""
    from lstmcast.workflows.runs import describe_run

    with reported_errors(debug=debug, json_output=json_output):
        summary = describe_run(run, overrides or [])
    if json_output:
        print_json(summary)
        return
    print("\n".join(_lines(summary)))


def _lines(summary: dict[str, Any]) -> list[str]:
    """The run, one aspect a line, each headed by what it is."""
    data, model, training = summary["data"], summary["model"], summary["training"]
    mase = summary["test_mase"]
    label = summary["model_label"]
    epochs = count_of(training.get("epochs_run") or 0, "epoch")
    lines = [
        f"run        {summary['run_dir']} (lstmcast {summary['lstmcast_version']}, "
        f"created {summary['created']})",
        f"data       {data['path']} (sha256 {str(data['sha256'])[:12]}…), columns "
        f"{', '.join(data['columns'] or [])}, every '{data['frequency']}', "
        f"{data['first_timestamp']} .. {data['last_timestamp']}",
        f"windows    lookback {summary['windows']['lookback']}, horizon "
        f"{summary['windows']['horizon']}",
        f"model      {model.get('architecture')}, {model.get('parameters', 0):,} parameters",
        f"trained    on {summary['device']}, TensorFlow {summary['versions'].get('tensorflow')}, "
        f"Keras {summary['versions'].get('keras')}, seed {training.get('seed')}, "
        f"{epochs} (best {training.get('best_epoch')})",
        f"test MASE  {summary['model_described']} {number(mase.get(label))} vs seasonal naive "
        f"{number(mase.get('seasonal_naive'))} (skill {number(summary['skill'])})",
        f"intervals  {', '.join(f'{level}%' for level in summary['intervals']) or 'none'}",
    ]
    if training.get("blend"):
        blend = training["blend"]
        lines.insert(
            4,
            f"blend      {blend['share']:.2f} x network + {1 - blend['share']:.2f} x seasonal "
            f"naive (chosen on {blend['windows']} validation windows)",
        )
    if summary["parent"]:
        parent = summary["parent"]
        lines.append(
            f"updated    from run {parent['run_id']} ({parent['run_dir']}): "
            f"{count_of(parent['epochs_added'], 'more epoch')} on this data"
        )
    if summary["panel"]:
        panel = summary["panel"]
        lines.append(
            f"series     {panel['series']} in one global model ({panel['skipped']} left out), "
            f"static columns {', '.join(panel['static']) or 'none'}, "
            + (
                "a learned vector per series (forecasts only these series)"
                if panel["per_series_parameters"]
                else "no per-series parameters (forecasts series it never saw)"
            )
            + f"; test from {panel['test_starts']} in every series"
        )
    return lines
