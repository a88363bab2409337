"""`lstmcast train CONFIG`: fit the model and write a complete run folder."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lstmcast.cli.options import (
    ConfigPath,
    DebugFlag,
    DeviceOption,
    JsonFlag,
    MlflowUriOption,
    Overrides,
    QuietFlag,
    VerboseFlag,
    WaitOption,
)
from lstmcast.cli.output import (
    configure,
    err_console,
    log_line,
    logging_to_file,
    print_json,
    print_table,
    reported_errors,
    say,
    warn,
    wrote,
)
from lstmcast.text import count_of, number
from lstmcast.workflows.destinations import Destination, check_destinations

if TYPE_CHECKING:
    from lstmcast.workflows.train import EpochReport

DeterminismFlag = Annotated[
    bool,
    typer.Option(
        "--check-determinism",
        help="Train twice for 2 epochs with the config's seed and compare weights and test "
        "metrics bit for bit; writes no run folder (exit 5 when they differ).",
    ),
]
GateFlag = Annotated[
    bool,
    typer.Option(
        "--gate",
        help="Quality gate (also gate.enabled): exit 9 unless the new run beats seasonal naive "
        "on its test split and is not worse than --against by more than gate.margin; the run "
        "folder is kept, marked refused, and promote will not take it.",
    ),
]
AgainstPath = Annotated[
    Path | None,
    typer.Option(
        "--against",
        help="The production run the gate compares with, e.g. runs/energy/current "
        "[default: gate.against].",
        show_default=False,
    ),
]
OverwriteFlag = Annotated[
    bool, typer.Option("--overwrite", help="Replace the run folder if it already exists.")
]


def train(
    config: ConfigPath,
    overrides: Overrides = None,
    device: DeviceOption = None,
    overwrite: OverwriteFlag = False,
    check_determinism: DeterminismFlag = False,
    gate: GateFlag = False,
    against: AgainstPath = None,
    wait: WaitOption = 0.0,
    mlflow_uri: MlflowUriOption = None,
    json_output: JsonFlag = False,
    quiet: QuietFlag = False,
    verbose: VerboseFlag = False,
    debug: DebugFlag = False,
) -> None:
    """Train the model described in CONFIG, score it on the test split, write the run folder.

    The folder appears only when complete; an existing one is kept unless --overwrite.
    """
    from lstmcast.config import load_experiment
    from lstmcast.workflows.runs import device_choice

    configure(verbose=verbose, debug=debug)
    with reported_errors(debug=debug, json_output=json_output):
        if device is not None:
            overrides = [*(overrides or []), f"training.device={device_choice(device)}"]
        if mlflow_uri is not None:
            overrides = [*(overrides or []), f"output.mlflow.tracking_uri={mlflow_uri}"]
        experiment = load_experiment(config, overrides or [])
        check_destinations(
            Destination("output.run_dir", experiment.run_dir, "folder"),
            Destination("output.tensorboard", experiment.output.tensorboard, "folder"),
        )
        if check_determinism:
            _check_determinism(experiment, json_output=json_output, quiet=quiet)
            return
        summary = train_and_show(
            experiment, Gating(gate, against, wait), overwrite=overwrite,
            json_output=json_output, quiet=quiet,
        )  # fmt: skip
    if json_output:
        print_json(summary.to_dict())


@dataclass(frozen=True)
class Gating:
    """--gate, --against and --wait as given."""

    gate: bool
    against: Path | None
    wait: float


def train_and_show(
    experiment: Any,
    gating: Gating,
    *,
    overwrite: bool,
    json_output: bool,
    quiet: bool,
    parent: Any = None,
) -> Any:
    """Train (from `parent`'s weights for `update`) with progress on stderr, show the result,
    raise the gate's refusal; the summary for --json."""
    from lstmcast.workflows.promote import GateRequest, refused
    from lstmcast.workflows.train import train as train_workflow

    asked = gating.gate or experiment.gate.enabled
    request = GateRequest(gating.against or experiment.gate.against, experiment.gate.margin)
    tell = lambda message: say(message, quiet=quiet)  # noqa: E731
    with epoch_progress(quiet=quiet, epochs=experiment.training.epochs) as report:
        summary = train_workflow(
            experiment, overwrite=overwrite, report=report, warn=warn, tell=tell,
            wait=gating.wait, gate=request if asked else None, parent=parent,
        )  # fmt: skip
    if summary.evaluation is not None:  # this process wrote the run folder
        wrote(summary.run_dir)
    refusal = refused(summary.run_dir, summary.gate)
    if not json_output:
        _show_training(summary, quiet=quiet)
    if refusal is not None:
        raise refusal
    return summary


def _show_training(summary: Any, *, quiet: bool) -> None:
    from lstmcast.cli.render import evaluation_tables, verdict

    if summary.evaluation is None:
        say(
            f"worker {summary.worker} of {summary.workers} finished "
            f"{count_of(summary.epochs_run, 'epoch')} in step with the others; worker 0 scores "
            "the model and writes the run folder",
            quiet=quiet,
        )
        return
    many = f" over {count_of(summary.series, 'series')}" if summary.evaluation.keyed else ""
    say(
        f"trained {summary.architecture} on {summary.device}{many}: "
        f"{summary.num_params:,} parameters, {count_of(summary.train_windows, 'training window')}, "
        f"{count_of(summary.epochs_run, 'epoch')} (best {summary.best_epoch}) in "
        f"{summary.seconds:.1f}s, {summary.samples_per_second:,.0f} windows/s",
        quiet=quiet,
    )
    result = summary.evaluation.to_dict()
    for table in evaluation_tables(result):
        print_table(table)
    say(verdict(result), quiet=quiet)
    if summary.gate is not None and summary.gate["passed"]:
        say(gate_sentence(summary.run_dir, summary.gate), quiet=quiet)
    say(f"run folder: {summary.run_dir}", quiet=quiet)


def gate_sentence(run_dir: Path, verdict: dict[str, Any]) -> str:
    versus = verdict["production"]
    beside = f", production {versus['run_id']} {number(versus['mase'])}" if versus else ""
    return (
        f"gate passed: test MASE {number(verdict['mase'])} (seasonal naive "
        f"{number(verdict['seasonal_naive_mase'])}{beside}); promote it with lstmcast promote "
        f"{run_dir} --as NAME"
    )


def _check_determinism(experiment: Any, *, json_output: bool, quiet: bool) -> None:
    from lstmcast.errors import TrainingError
    from lstmcast.workflows.train import check_determinism

    say(f"training twice on the same seed ({experiment.training.seed}) ...", quiet=quiet)
    check = check_determinism(experiment)
    if json_output:
        print_json(check.to_dict())
    runs = f"two {check.epochs}-epoch runs on {check.device}"
    if not check.deterministic:
        raise TrainingError(
            f"not deterministic: {runs} differ (largest weight difference "
            f"{check.largest_weight_difference:.3g}, metrics "
            f"{'equal' if check.identical_metrics else 'different'})"
        )
    say(
        f"deterministic: {runs} gave bit-identical weights ({check.weight_arrays} arrays) "
        "and test metrics",
        quiet=quiet,
    )


def _epoch_text(epoch: int, total: int, logs: dict[str, float], seconds: float) -> str:
    losses = "  ".join(f"{name} {value:.5g}" for name, value in logs.items())
    return f"epoch {epoch}/{total}  {losses}  ({seconds:.1f}s)"


def _epoch_to_log(epoch: int, total: int, logs: dict[str, float], seconds: float) -> None:
    log_line("info", _epoch_text(epoch, total, logs, seconds))


@contextlib.contextmanager
def epoch_progress(*, quiet: bool, epochs: int) -> Iterator[EpochReport | None]:
    """A live bar on a terminal, one plain line per epoch otherwise (logs, cron mail)."""
    if quiet:  # nothing on stderr; the --log-file still gets every epoch
        yield _epoch_to_log if logging_to_file() else None
        return
    if not err_console.is_terminal:

        def plain_line(epoch: int, total: int, logs: dict[str, float], seconds: float) -> None:
            say(_epoch_text(epoch, total, logs, seconds), quiet=False)

        yield plain_line
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("training"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task("", total=epochs)

        def advance(epoch: int, total: int, logs: dict[str, float], seconds: float) -> None:
            shown = {k: v for k, v in logs.items() if k in {"loss", "val_loss"}}
            text = "  ".join(f"{name} {value:.4g}" for name, value in shown.items())
            progress.update(task, completed=epoch, description=text)
            _epoch_to_log(epoch, total, logs, seconds)

        yield advance
