"""`lstmcast report RUN|CONFIG`: one self-contained HTML page about a run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lstmcast.cli.options import (
    DebugFlag,
    DeviceOption,
    JsonFlag,
    QuietFlag,
    RunOrConfig,
    RunOverrides,
    VerboseFlag,
    WaitOption,
)
from lstmcast.cli.output import configure, print_json, reported_errors, say, warn, wrote
from lstmcast.workflows.destinations import Destination, check_destinations

ReportPath = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Where to write the HTML file [default: report.html in the run folder].",
        show_default=False,
    ),
]


def report(
    run: RunOrConfig,
    output: ReportPath = None,
    overrides: RunOverrides = None,
    device: DeviceOption = None,
    wait: WaitOption = 0.0,
    json_output: JsonFlag = False,
    quiet: QuietFlag = False,
    verbose: VerboseFlag = False,
    debug: DebugFlag = False,
) -> None:
    """Write one HTML file about RUN: latest forecast with its band, test metrics beside the
    baselines, a train-once backtest, training curves, the data and its splits, the config.

    Images are embedded and nothing is fetched, so it can be mailed or dropped on a shared
    drive as it is. Needs the plotting extra: pip install 'lstmcast[plot]'.
    """
    from lstmcast.reporting import write_report
    from lstmcast.workflows.runs import opened_run

    configure(verbose=verbose, debug=debug)
    with reported_errors(debug=debug, json_output=json_output):
        check_destinations(Destination("--output", output))
        target = opened_run(run, overrides or [], command="report", device=device, wait=wait)
        with target as opened:
            result = write_report(opened, output=output)
    wrote(result.path)
    for note in result.notes:
        warn(note)
    if json_output:
        print_json({"report": str(result.path), "notes": result.notes})
    say(f"report -> {result.path}", quiet=quiet)
