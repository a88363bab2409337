"""Train once, move the origin, for every series of a panel: each series' folds are laid over
its own test part (evaluation/backtest.py's rule), every origin of every series is predicted
in one batched pass, and each series is scored as a single-series backtest would score it.
The forecasts file is the single-series one with a `series_id` column in front."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lstmcast.artifacts import Run
from lstmcast.config.schema import BacktestSection
from lstmcast.data.scaling import Scaler
from lstmcast.errors import ConfigError
from lstmcast.evaluation.backtest import (
    Backtest,
    FrameAside,
    assemble,
    split_into_folds,
    test_part_folds,
)
from lstmcast.evaluation.intervals import ConformalIntervals
from lstmcast.panels.evaluate import pooled_coverage, series_scores, summarise
from lstmcast.panels.prepare import PanelData, prepare_panel
from lstmcast.prediction import forecast_at_origins

if TYPE_CHECKING:
    import keras

MODE = "train once, move the origin over each series' test part"


@dataclass(frozen=True)
class PanelBacktest(FrameAside):
    mode: str
    model: str
    target: str
    horizon: int
    season_length: int
    folds: int
    series: int
    skipped: dict[str, str]
    mean_mase: dict[str, float]
    median_mase: dict[str, float]
    beats_seasonal_naive: float
    worst: list[dict[str, Any]]
    intervals: dict[str, dict[str, float]]
    unbounded: list[int]
    """Interval levels whose band is infinite (too few calibration windows)."""
    per_series: dict[str, dict[str, Any]]
    windows: int
    predict_seconds: float
    windows_per_second: float
    seconds: float
    frame: pd.DataFrame = field(repr=False, compare=False)


def backtest_panel(
    run: Run,
    section: BacktestSection,
    *,
    data: PanelData | None = None,
    model: keras.Model | None = None,
) -> PanelBacktest:
    """Every series' folds forecast by the run's model in one pass, scored per series and
    summarised as `evaluate` summarises a panel. `data` and `model`, when a caller has them
    already (report), spare reading them again."""
    started = time.perf_counter()
    data = data or prepare_panel(run.experiment)
    plans, skipped = _plans(data, section)
    if not plans:
        example = next(iter(skipped.items()))
        raise ConfigError(
            f"backtest: no series has room for its folds in its test part (e.g. {example[0]}: "
            f"{example[1]})"
        )
    layout = data.layout
    origins = np.concatenate([layout.offsets[i] + np.concatenate(f) for i, f in plans.items()])
    columns = data.table.shape[1]
    identity = Scaler("none", np.zeros(columns), np.ones(columns))
    predict_started = time.perf_counter()
    model = model or run.load_model()
    scaled = forecast_at_origins(model, run.experiment, data.table, origins, identity)
    predict_seconds = time.perf_counter() - predict_started
    intervals = ConformalIntervals.of_run(run)
    results = _per_series(data, plans, scaled, intervals, section)
    return _summary(data, results, skipped, intervals, section, started, predict_seconds)


def _plans(
    data: PanelData, section: BacktestSection
) -> tuple[dict[int, list[np.ndarray]], dict[str, str]]:
    """series index -> its folds (local row origins); the series without room, and why."""
    plans, skipped = {}, {}
    horizon = data.experiment.windows.horizon
    for index, (sid, bounds) in enumerate(zip(data.layout.ids, data.layout.bounds, strict=True)):
        rows = data.panel.series[sid].num_rows
        try:
            plans[index] = test_part_folds(
                rows, bounds.test_start, horizon=horizon, section=section
            )
        except ConfigError as err:
            skipped[sid] = str(err).removeprefix("backtest: ")
    return plans, skipped


def _per_series(
    data: PanelData,
    plans: dict[int, list[np.ndarray]],
    scaled: np.ndarray,
    intervals: ConformalIntervals | None,
    section: BacktestSection,
) -> dict[str, Backtest]:
    experiment, layout = data.experiment, data.layout
    results, start = {}, 0
    for index, folds in plans.items():
        count = sum(len(fold) for fold in folds)
        scaler = layout.scalers[index]
        predicted = scaler.inverse_target(scaled[start : start + count])
        start += count
        bands = intervals.scaled(float(scaler.scale[0])) if intervals is not None else None
        sid = layout.ids[index]
        results[sid] = assemble(
            data.panel.series[sid],
            split_into_folds(folds, predicted, bands),
            label=experiment.model.cell,
            season_length=data.season_length,
            mode=MODE,
            horizon=section.horizon or experiment.windows.horizon,
            started=time.perf_counter(),
            predict_seconds=0.0,
        )
    return results


def _summary(
    data: PanelData,
    results: dict[str, Backtest],
    skipped: dict[str, str],
    intervals: ConformalIntervals | None,
    section: BacktestSection,
    started: float,
    predict_seconds: float,
) -> PanelBacktest:
    experiment = data.experiment
    label = experiment.model.cell
    per_series = {
        sid: series_scores(result.windows, result.overall, label, result.intervals)
        for sid, result in results.items()
    }
    frames = [result.frame.assign(series_id=sid) for sid, result in results.items()]
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[["series_id", *frame.columns[:-1]]]
    windows = sum(result.windows for result in results.values())
    return PanelBacktest(
        mode=MODE,
        model=label,
        target=experiment.data.target,
        horizon=section.horizon or experiment.windows.horizon,
        season_length=data.season_length,
        folds=section.folds,
        series=len(results),
        skipped={**data.layout.skipped, **skipped},
        **summarise(per_series, label),
        intervals=pooled_coverage(per_series),
        unbounded=intervals.unbounded if intervals is not None else [],
        per_series=per_series,
        windows=windows,
        predict_seconds=round(predict_seconds, 3),
        windows_per_second=round(windows / predict_seconds, 1) if predict_seconds else 0.0,
        seconds=round(time.perf_counter() - started, 3),
        frame=frame,
    )
