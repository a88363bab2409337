"""Options shared by several commands, each declared once as an Annotated alias."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ConfigPath = Annotated[
    Path,
    typer.Argument(help="Experiment YAML file (see configs/ for examples).", show_default=False),
]
RunOrConfig = Annotated[
    Path,
    typer.Argument(
        help="Run folder written by `train`, or the experiment YAML whose output.run_dir to use.",
        show_default=False,
    ),
]
Overrides = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY.PATH=VALUE",
        help="Override one config value, e.g. --set windows.lookback=48 (repeatable; the value "
        "is read as YAML).",
        show_default=False,
    ),
]
RunOverrides = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY.PATH=VALUE",
        help="With a config file (not a run folder, which keeps the settings it was trained "
        "with): override one of its values, e.g. --set output.run_dir=runs/other "
        "(repeatable).",
        show_default=False,
    ),
]
JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout instead of a table.")
]
QuietFlag = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print nothing on stderr but errors and warnings.")
]
VerboseFlag = Annotated[
    bool, typer.Option("--verbose", "-v", help="Let TensorFlow's own log lines through to stderr.")
]
DebugFlag = Annotated[
    bool,
    typer.Option(
        "--debug",
        help="Show the full traceback of an error (and, where TensorFlow runs, its own log lines).",
    ),
]
DeviceOption = Annotated[
    str | None,
    typer.Option(
        "--device",
        help="auto, cpu or gpu; replaces training.device. 'gpu' fails (exit 6) when TensorFlow "
        "sees no GPU instead of running on the CPU.",
        show_default=False,
    ),
]
PlotPath = Annotated[
    Path | None,
    typer.Option(
        "--plot",
        help="Also draw the result as a PNG (needs the plotting extra: pip install "
        "'lstmcast[plot]').",
        show_default=False,
    ),
]
MlflowUriOption = Annotated[
    str | None,
    typer.Option(
        "--mlflow-uri",
        metavar="URI",
        help="Also log to this MLflow tracking store: sqlite:///mlruns.db or a server's URL "
        "(replaces output.mlflow.tracking_uri; needs the mlflow extra).",
        show_default=False,
    ),
]
WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        metavar="SECONDS",
        help="When another lstmcast holds the run folder, wait up to this long for it instead "
        "of failing at once (exit 7).",
    ),
]
