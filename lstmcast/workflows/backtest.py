"""`backtest`, one series or many: RUN|CONFIG -> the mode it asks for -> every series' folds
scored beside the baselines -> an output folder (forecasts.csv, metrics.json) that appears
complete or not at all.

A run folder is backtested as trained: its model moves over each series' test part, every
origin of every series in one batched pass. A config refits a model every
backtest.refit_every folds (time-series cross-validation), each refit an ordinary seeded
training run on the rows before its fold (data/workload.py refit_part), forecasting every
origin of its folds as a model in production would without retraining. Folds lie on one
calendar: a fold's origins are the same timestamps in every series that has them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lstmcast import artifacts, files, locks, tracking
from lstmcast.artifacts import RUN_KEEPS_ITS_SETTINGS, Run, check_agreement, load_run, locked_run
from lstmcast.config.load import load_experiment
from lstmcast.config.schema import Experiment
from lstmcast.config.sections.backtest import BacktestSection
from lstmcast.data.frequency import format_timestamp
from lstmcast.data.panel import series_table
from lstmcast.data.workload import Workload, prepare_workload, refit_part
from lstmcast.errors import ArtifactError, ConfigError
from lstmcast.evaluation.backtest import (
    Backtest,
    FoldForecasts,
    SeriesBacktest,
    assemble,
    plan_folds,
    split_into_folds,
    test_part_folds,
)
from lstmcast.evaluation.evaluate import calibrate_workload
from lstmcast.evaluation.intervals import ConformalIntervals
from lstmcast.prediction import predict_scaled
from lstmcast.text import count_of

if TYPE_CHECKING:
    import keras

FORECASTS_FILE = "forecasts.csv"
METRICS_FILE = "metrics.json"
TRAIN_ONCE = "train once, move the origin over the test part"


@dataclass(frozen=True)
class BacktestResult:
    backtest: Backtest
    output: Path
    warnings: list[str]
    mlflow: str | None = None
    """The MLflow run the scores were logged to (output.mlflow or --mlflow-uri)."""


def run_backtest(
    target: Path,
    overrides: Sequence[str],
    *,
    output: Path | None = None,
    plot: Path | None = None,
    device: str | None = None,
    tell: Callable[[str], None] | None = None,
    wait: float = 0.0,
    mlflow_uri: str | None = None,
) -> BacktestResult:
    """A run folder: train once and move the origin. A config: refit every
    backtest.refit_every folds (default 1; 0 trains once, using the config's run folder).
    The scores go to MLflow too when output.mlflow or `mlflow_uri` names a store."""
    from lstmcast.runtime import select_device

    if target.is_dir():
        if overrides:
            raise ConfigError(RUN_KEEPS_ITS_SETTINGS)
        with locked_run(target, command="backtest", wait=wait) as run:
            experiment = run.experiment
            mlflow = tracking.with_uri(experiment.output.mlflow, mlflow_uri,
                                       experiment=target.resolve().name)  # fmt: skip
            select_device(device or "auto")
            result, run_dir = train_once(run, run.experiment.backtest), run.run_dir
        tested: Path | None = run_dir
    elif target.is_file():
        experiment = _with_device(load_experiment(target, overrides), device)
        mlflow = tracking.with_uri(experiment.output.mlflow, mlflow_uri, experiment=target.stem)
        result, run_dir = _from_config(target, experiment, tell), experiment.run_dir
        tested = run_dir if experiment.backtest.refit_every == 0 else None
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
    logged = None
    if mlflow is not None:
        with tracking.mirrored(mlflow, warnings.append):
            config = experiment.model_dump(mode="json")
            logged = tracking.log_backtest(result.to_dict(), mlflow, run_dir=tested, config=config)
    return BacktestResult(result, folder, warnings, logged)


def train_once(
    run: Run,
    section: BacktestSection,
    *,
    workload: Workload | None = None,
    model: keras.Model | None = None,
) -> Backtest:
    """The run's model forecasts every origin of the folds laid over each series' test part
    (never the rows it trained or calibrated on), in one batched pass. `workload` and
    `model`, when a caller has them already (report), spare reading them again."""
    started = time.perf_counter()
    workload = workload or prepare_workload(run.experiment, state=run.preprocessing)
    horizon = run.experiment.windows.horizon
    plans, skipped = {}, dict(workload.layout.skipped)
    for index, (sid, bounds) in enumerate(zip(workload.ids, workload.layout.bounds, strict=True)):
        rows = workload.panel.series[sid].num_rows
        try:
            plans[index] = test_part_folds(
                rows, bounds.test_start, horizon=horizon, section=section
            )
        except ConfigError as err:
            if not workload.keyed:
                raise
            skipped[sid] = str(err).removeprefix("backtest: ")
    if not plans:
        example = next(iter(skipped.items()))
        raise ConfigError(
            f"backtest: no series has room for its folds in its test part (e.g. {example[0]}: "
            f"{example[1]})"
        )
    predict_started = time.perf_counter()
    predicted = _predict(model or run.load_model(), workload, plans)
    seconds = time.perf_counter() - predict_started
    intervals = ConformalIntervals.of_run(run)
    per_series = {
        workload.ids[index]: _scored(workload, index, folds, predicted[index], intervals, section,
                                     TRAIN_ONCE)
        for index, folds in plans.items()
    }  # fmt: skip
    return Backtest.of(
        per_series, keyed=workload.keyed, skipped=skipped, started=started, predict_seconds=seconds
    )


def refit(
    experiment: Experiment,
    *,
    tell: Callable[[str], None] | None = None,
    before_test: bool = False,
) -> Backtest:
    """Refit and forecast fold by fold; `tell` hears one line per refit. `before_test` lays
    the folds over the rows before the test split (tuning chooses on them, so the test part
    stays unseen)."""
    from lstmcast.runtime import select_device

    started = time.perf_counter()
    workload = prepare_workload(experiment)
    experiment, section = workload.experiment, workload.experiment.backtest
    folds = _calendar_folds(workload, section, before_test=before_test)
    select_device(experiment.training.device)
    every = section.refit_every or 1
    forecasts: dict[str, list[FoldForecasts]] = {}
    seconds, skipped = 0.0, dict(workload.layout.skipped)
    for group_start in range(0, len(folds), every):
        group = folds[group_start : group_start + every]
        found, took, left_out = _refit_group(workload, group, tell=tell)
        for sid, fold_forecasts in found.items():
            forecasts.setdefault(sid, []).extend(fold_forecasts)
        seconds += took
        skipped.update(left_out)
    skipped.update(_missing_folds(workload.ids, forecasts, len(folds), skipped))
    forecasts = {sid: found for sid, found in forecasts.items() if sid not in skipped}
    if not forecasts:
        raise ConfigError(f"backtest: no series has rows at every fold's origins ({skipped})")
    every_text = "every fold" if every == 1 else f"every {every} folds"
    mode = f"refit {every_text}, {section.window} window"
    per_series = {
        sid: assemble(
            workload.panel.series[sid], found, label=experiment.model.cell,
            season_length=workload.season_length, mode=mode,
            horizon=section.horizon or experiment.windows.horizon, started=started,
            predict_seconds=0.0,
        )
        for sid, found in forecasts.items()
    }  # fmt: skip
    return Backtest.of(
        per_series, keyed=workload.keyed, skipped=skipped, started=started, predict_seconds=seconds
    )


def _missing_folds(
    ids: Sequence[str], forecasts: dict[str, list[FoldForecasts]], folds: int,
    skipped: dict[str, str],
) -> dict[str, str]:  # fmt: skip
    """Series without every fold (they start later): left out, so that every series is scored
    over the same folds."""
    return {
        sid: f"has origins in {len(forecasts.get(sid, []))} of the {count_of(folds, 'fold')} "
        "(it starts later)"
        for sid in ids
        if sid not in skipped and len(forecasts.get(sid, [])) < folds
    }


def _calendar_folds(
    workload: Workload, section: BacktestSection, *, before_test: bool
) -> list[pd.DatetimeIndex]:
    """Each fold's origins as timestamps of the union of every series' rows (one series: its
    own rows), laid over its end, or over the rows before the test split."""
    stamps = [workload.panel.series[sid].timestamps for sid in workload.ids]
    union = stamps[0] if len(stamps) == 1 else stamps[0].append(stamps[1:]).unique().sort_values()
    horizon = workload.experiment.windows.horizon
    end = int(union.searchsorted(workload.cut_offs[1])) if before_test else len(union)
    rows = plan_folds(
        end, horizon=horizon, folds=section.folds, spacing=section.spacing or horizon,
        first_allowed=workload.experiment.windows.lookback - 1,
    )  # fmt: skip
    return [union[fold] for fold in rows]


def _refit_group(
    workload: Workload, group: list[pd.DatetimeIndex], *, tell: Callable[[str], None] | None
) -> tuple[dict[str, list[FoldForecasts]], float, dict[str, str]]:
    """One refit on the rows up to the group's first origin; every series' forecasts of the
    group's folds (each origin read from the data up to it), the seconds predicting took, the
    series left out."""
    from lstmcast.runtime import seed_everything
    from lstmcast.training.fit import fit_model

    experiment = workload.experiment
    part = refit_part(workload, group[0][0])
    seed_everything(experiment.training.seed, deterministic_ops=not experiment.training.jit_compile)
    trained = fit_model(part.fitting)
    if tell is not None:
        rows = part.layout.bounds[0].num_rows
        up_to = format_timestamp(group[0][0], workload.panel.frequency)
        where = f"rows up to {up_to}" if workload.keyed else _rows_text(workload, part, rows)
        tell(
            f"refit on {where}: {count_of(trained.epochs_run, 'epoch')} "
            f"(best {trained.best_epoch}) in {trained.seconds:.1f}s"
        )
    intervals = calibrate_workload(trained.model, [part])
    whole = _whole_rows(workload, part)  # every row of the kept series, the refit's scalers
    plans = {index: _local_folds(whole.panel.series[sid].timestamps, group, experiment)
             for index, sid in enumerate(whole.ids)}  # fmt: skip
    plans = {index: folds for index, folds in plans.items() if folds}
    started = time.perf_counter()
    predicted = _predict(trained.model, whole, plans) if plans else {}
    seconds = time.perf_counter() - started
    found = {}
    for index, folds in plans.items():
        sid = whole.ids[index]
        first = int(
            workload.panel.series[sid].timestamps.searchsorted(part.panel.series[sid].timestamps[0])
        )
        trained_rows = (first, first + part.panel.series[sid].num_rows)
        bands = (
            intervals.for_scales(float(whole.layout.scalers[index].scale[0])) if intervals else None
        )
        found[sid] = split_into_folds(folds, predicted[index], bands, trained_rows)
    return found, seconds, part.layout.skipped


def _rows_text(workload: Workload, part: Workload, rows: int) -> str:
    """A one-series refit's rows, as row numbers of the whole series."""
    series = workload.panel.series[workload.ids[0]]
    first = int(series.timestamps.searchsorted(part.panel.series[part.ids[0]].timestamps[0]))
    return f"rows {first}..{first + rows - 1}"


def _whole_rows(workload: Workload, part: Workload) -> Workload:
    """The refit's series with all their rows, laid out with the refit's scalers, so each
    fold's origin reads the data up to it."""
    from lstmcast.data.panel import PanelLayout

    series = {sid: workload.panel.series[sid] for sid in part.ids}
    sizes = [series[sid].num_rows for sid in part.ids]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    bounds = [workload.layout.bounds[workload.ids.index(sid)] for sid in part.ids]
    layout = PanelLayout(part.ids, offsets, bounds, part.layout.scalers, {})
    data = workload.experiment.data
    blocks = [
        series_table(series[sid], scaler, workload.panel.static.get(sid, {}), data,
                     workload.static, number=_number(workload, sid))
        for sid, scaler in zip(part.ids, part.layout.scalers, strict=True)
    ]  # fmt: skip
    table = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
    from dataclasses import replace

    return replace(part, panel=type(part.panel)(series, workload.panel.static), layout=layout,
                   table=table)  # fmt: skip


def _number(workload: Workload, sid: str) -> int | None:
    if not workload.experiment.model.series_embedding:
        return None
    return workload.numbers[workload.ids.index(sid)]


def _local_folds(
    stamps: pd.DatetimeIndex, group: list[pd.DatetimeIndex], experiment: Experiment
) -> list[np.ndarray]:
    """The group's folds as rows of one series: the origins it has, with a window of history
    before and a horizon after; an empty list when it has none."""
    lookback, horizon = experiment.windows.lookback, experiment.windows.horizon
    folds = []
    for fold in group:
        rows = stamps.get_indexer(fold)
        rows = rows[(rows >= lookback - 1) & (rows + horizon < len(stamps))]
        if len(rows) == 0:
            return []
        folds.append(rows.astype(np.int64))
    return folds


def _predict(
    model: keras.Model, workload: Workload, plans: dict[int, list[np.ndarray]]
) -> dict[int, np.ndarray]:
    """Every origin of every planned series in one pass; each series' forecasts (origins,
    horizon) in its own units (a quantile model's median)."""
    experiment, layout = workload.experiment, workload.layout
    origins = np.concatenate([layout.offsets[i] + np.concatenate(f) for i, f in plans.items()])
    outputs = predict_scaled(model, experiment, workload.table, origins)
    quantiles = experiment.model.quantiles
    point = outputs[:, :, quantiles.index(0.5)] if quantiles else outputs
    predicted, start = {}, 0
    for index, folds in plans.items():
        count = sum(len(fold) for fold in folds)
        predicted[index] = layout.scalers[index].inverse_target(point[start : start + count])
        start += count
    return predicted


def _scored(
    workload: Workload,
    index: int,
    folds: list[np.ndarray],
    predicted: np.ndarray,
    intervals: ConformalIntervals | None,
    section: BacktestSection,
    mode: str,
) -> SeriesBacktest:
    experiment = workload.experiment
    sid = workload.ids[index]
    bands = (
        intervals.for_scales(float(workload.layout.scalers[index].scale[0])) if intervals else None
    )
    return assemble(
        workload.panel.series[sid], split_into_folds(folds, predicted, bands),
        label=experiment.model.cell, season_length=workload.season_length, mode=mode,
        horizon=section.horizon or experiment.windows.horizon, started=time.perf_counter(),
        predict_seconds=0.0,
    )  # fmt: skip


def _from_config(
    target: Path, experiment: Experiment, tell: Callable[[str], None] | None
) -> Backtest:
    section = experiment.backtest
    if section.refit_every == 0:
        from lstmcast.runtime import select_device

        run = load_run(experiment.run_dir)
        check_agreement(target, experiment, run)
        select_device(experiment.training.device)
        return train_once(run, section)
    return refit(experiment, tell=tell)


def _with_device(experiment: Experiment, device: str | None) -> Experiment:
    if device is None:
        return experiment
    training = experiment.training.model_copy(update={"device": device})
    return experiment.model_copy(update={"training": training})


def _write(result: Backtest, folder: Path, plot: Path | None) -> None:
    with artifacts.staged_run_dir(folder, overwrite=True) as staging:
        with files.replace_atomic(staging / FORECASTS_FILE) as temporary:
            result.frame.to_csv(temporary, index=False, lineterminator="\n")  # exact floats
        files.write_json(staging / METRICS_FILE, result.to_dict())
    if plot is not None:
        from lstmcast.evaluation.figures import plot_backtests

        plot_backtests(result, plot)
