"""`backtest` end to end: RUN|CONFIG -> the mode it asks for -> scored folds -> an output
folder (forecasts.csv, metrics.json) that appears complete or not at all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lstmcast import artifacts, locks
from lstmcast.artifacts import Run, check_agreement, load_run, locked_run
from lstmcast.config.load import load_experiment
from lstmcast.config.schema import BacktestSection, Experiment
from lstmcast.errors import ArtifactError, ConfigError
from lstmcast.evaluation.backtest import Backtest, backtest_run

if TYPE_CHECKING:
    from lstmcast.panels.backtest import PanelBacktest

FORECASTS_FILE = "forecasts.csv"
METRICS_FILE = "metrics.json"


@dataclass(frozen=True)
class BacktestResult:
    backtest: Backtest | PanelBacktest
    output: Path
    warnings: list[str]


def run_backtest(
    target: Path,
    overrides: Sequence[str],
    *,
    output: Path | None = None,
    plot: Path | None = None,
    device: str | None = None,
    tell: Callable[[str], None] | None = None,
    wait: float = 0.0,
) -> BacktestResult:
    """A run folder: train once and move the origin. A config: refit every
    backtest.refit_every folds (default 1; 0 trains once, using the config's run folder)."""
    from lstmcast.runtime import select_device

    if target.is_dir():
        if overrides:
            raise ConfigError(artifacts.RUN_KEEPS_ITS_SETTINGS)
        with locked_run(target, command="backtest", wait=wait) as run:
            _refuse_panel_plot(run.is_panel, plot)
            select_device(device or "auto")
            result, run_dir = _train_once(run, run.experiment.backtest), run.run_dir
    elif target.is_file():
        experiment = _with_device(load_experiment(target, overrides), device)
        _refuse_panel_plot(experiment.data.is_panel, plot)
        result, run_dir = _from_config(target, experiment, tell), experiment.run_dir
    else:
        raise ArtifactError(
            f"{target} is neither a run folder nor a config file; give the folder `train` "
            "wrote (e.g. runs/air_passengers) or its config"
        )
    folder = output or run_dir.parent / f"{run_dir.name}-backtest"
    with locks.holding(folder, command="backtest", wait=wait):
        _write(result, folder, plot)
    warnings = [
        f"intervals: the {level}% band is unbounded (too few calibration windows for it)"
        for level in result.unbounded
    ]
    return BacktestResult(result, folder, warnings)


def _refuse_panel_plot(is_panel: bool, plot: Path | None) -> None:
    if is_panel and plot is not None:
        raise ConfigError("--plot: not drawn for many-series backtests; forecasts.csv has them")


def _train_once(run: Run, section: BacktestSection) -> Backtest | PanelBacktest:
    if run.is_panel:
        from lstmcast.panels.backtest import backtest_panel

        return backtest_panel(run, section)
    return backtest_run(run, section)


def _from_config(
    target: Path, experiment: Experiment, tell: Callable[[str], None] | None
) -> Backtest | PanelBacktest:
    section = experiment.backtest
    if section.refit_every == 0:
        from lstmcast.runtime import select_device

        run = load_run(experiment.run_dir)
        check_agreement(target, experiment, run)
        select_device(experiment.training.device)
        return _train_once(run, section)
    if experiment.data.is_panel:
        raise ConfigError(
            "backtest: refits are not built for many-series runs yet; train the panel and "
            "backtest its run folder (train once, move the origin over every series' test "
            "part), or set backtest.refit_every: 0"
        )
    from lstmcast.training.backtest import backtest_refit

    return backtest_refit(experiment, tell=tell)


def _with_device(experiment: Experiment, device: str | None) -> Experiment:
    if device is None:
        return experiment
    training = experiment.training.model_copy(update={"device": device})
    return experiment.model_copy(update={"training": training})


def _write(result: Backtest | PanelBacktest, folder: Path, plot: Path | None) -> None:
    with artifacts.staged_run_dir(folder, overwrite=True) as staging:
        with artifacts.replace_atomic(staging / FORECASTS_FILE) as temporary:
            result.frame.to_csv(temporary, index=False, lineterminator="\n")  # exact floats
        artifacts.write_json(staging / METRICS_FILE, result.to_dict())
    if plot is not None:
        from lstmcast.evaluation.figures import plot_backtest

        plot_backtest(result, plot)
