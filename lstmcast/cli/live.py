"""`evaluate RUN --history LOG`: live accuracy of what forecast --log issued, a separate job
from test-split scoring (workflows/live.py), one series or many."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from lstmcast.cli.output import print_json, print_table, reported_errors, say, warn
from lstmcast.errors import ConfigError
from lstmcast.text import count_of

HistoryPath = Annotated[
    Path | None,
    typer.Option(
        "--history",
        help="Score the forecasts logged by forecast --log against --actuals instead of the "
        "test split: live accuracy per step and per --bucket, beside the naive baselines on "
        "the same cells and the run's test figures, and a drift flag.",
        show_default=False,
    ),
]
ActualsPath = Annotated[
    Path | None,
    typer.Option(
        "--actuals",
        help="CSV of the series as observed now (same columns as the training data) "
        "[default: the run's data.path].",
        show_default=False,
    ),
]
BucketOption = Annotated[
    str | None,
    typer.Option(
        "--bucket",
        help="With --history: day, week, month, quarter or year, by origin [default: a day "
        "for steps within a day, a week for daily and weekly data, else the data's step].",
        show_default=False,
    ),
]
DriftMargin = Annotated[
    float,
    typer.Option(
        "--drift-margin",
        help="With --history: flag drift when live MAE exceeds the test MAE on the same steps "
        "by more than this share in each of the last two buckets.",
    ),
]


@dataclass(frozen=True)
class LiveRequest:
    history: Path | None
    actuals: Path | None
    bucket: str | None
    drift_margin: float
    wait: float


def score_logged(
    run: Path, request: LiveRequest, *, json_output: bool, quiet: bool, debug: bool
) -> None:
    """Score the log against the actuals and show it: tables, then the drift verdict (a
    warning when drifting)."""
    from lstmcast.workflows.live import score_history
    from lstmcast.workflows.runs import opened_run

    with reported_errors(debug=debug, json_output=json_output):
        if request.history is None:
            raise ConfigError("--actuals scores a forecast log: give it with --history LOG.csv")
        with opened_run(run, [], command="evaluate", wait=request.wait) as opened:
            result = score_history(
                opened, request.history, request.actuals, bucket=request.bucket,
                drift_margin=request.drift_margin,
            )  # fmt: skip
    _show(result, json_output=json_output, quiet=quiet)


def _show(result: dict[str, Any], *, json_output: bool, quiet: bool) -> None:
    from lstmcast.cli.render import live_tables

    if json_output:
        print_json(result)
    else:
        for table in live_tables(result):
            print_table(table)
    if result["left_out"]:
        warn(
            f"{count_of(len(result['left_out']), 'logged series')} not in the actuals, not "
            f"scored: {', '.join(result['left_out'][:3])}"
        )
    drifting = result.get("drifting_series", [])
    if drifting:
        warn(
            f"{count_of(len(drifting), 'series')} drifting on their own: "
            f"{', '.join(drifting[:5])}{' ...' if len(drifting) > 5 else ''}"
        )
    drift = result["drift"]
    if drift["drifting"]:
        warn(drift["verdict"])
    else:
        say(drift["verdict"], quiet=quiet)
