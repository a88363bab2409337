"""One series' test windows scored beside the baselines on exactly the same cells: what a
workload's evaluation (evaluation/evaluate.py) computes for each of its series."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lstmcast.data.frequency import format_timestamps
from lstmcast.data.prepare import PreparedData
from lstmcast.data.windows import target_windows
from lstmcast.errors import DataError
from lstmcast.evaluation.intervals import ConformalIntervals
from lstmcast.evaluation.metrics import blocks, pinball
from lstmcast.evaluation.scoring import LazyForecasts, Scales, score_band, score_windows, skill
from lstmcast.prediction import forecast_at_origins, quantile_column

if TYPE_CHECKING:
    import keras


@dataclass(frozen=True)
class WindowForecasts:
    """Every test window's forecasts, by method, beside the actual values: (windows, horizon).

    Only the model's forecast is held; the actuals, the baselines and the interval bounds are
    rebuilt when a table asks for them (each is as large as the forecast)."""

    origins: np.ndarray
    """Row index of each window's origin, its last observed row."""
    by_method: LazyForecasts
    """The model's forecast first, then the baselines."""
    intervals: ConformalIntervals | None = None
    quantiles: dict[str, np.ndarray] = field(default_factory=dict)
    """quantile_10 ... of a quantile model, (windows, horizon) each."""

    @property
    def actual(self) -> np.ndarray:
        return self.by_method.actual()

    @property
    def bands(self) -> dict[str, np.ndarray]:
        """lower_80, upper_80, ... around the model's forecast, then a quantile model's
        quantile columns."""
        model = next(iter(self.by_method))
        around = self.intervals.columns(self.by_method[model]) if self.intervals else {}
        return {**around, **self.quantiles}

    def to_frame(self, timestamps: pd.DatetimeIndex) -> pd.DataFrame:
        """Long form, one row per window and step: origin, timestamp, step, actual, the model,
        its interval bounds, then the baselines."""
        actual = self.actual
        num_windows, horizon = actual.shape
        rows = (self.origins[:, None] + np.arange(1, horizon + 1)).ravel()
        columns = {
            "origin": np.repeat(format_timestamps(timestamps[self.origins]), horizon),
            "timestamp": format_timestamps(timestamps[rows]),
            "step": np.tile(np.arange(1, horizon + 1), num_windows),
            "actual": actual.ravel(),
        }
        model, *others = self.by_method
        columns[model] = self.by_method[model].ravel()
        columns.update({name: values.ravel() for name, values in self.bands.items()})
        columns.update({name: self.by_method[name].ravel() for name in others})
        return pd.DataFrame(columns)


@dataclass(frozen=True)
class SeriesEvaluation:
    model: str
    """The model's label in every table, CSV and JSON key: its cell family, lstm or gru."""
    target: str
    split: str
    num_windows: int
    horizon: int
    season_length: int
    mase_scale: float
    first_origin: str
    """Last observed timestamp before the first window scored (DESIGN.md's 'origin')."""
    last_origin: str
    zero_actuals_skipped_by_mape: int
    overall: dict[str, dict[str, float]]
    """method -> metric -> value, over all windows and steps."""
    per_step: dict[str, dict[str, list[float]]]
    """method -> metric -> one value per horizon step."""
    skill: float
    """1 - MASE(model) / MASE(seasonal naive)."""
    intervals: dict[str, dict[str, Any]]
    """level -> coverage (%), width, pinball, winkler, coverage_per_step; empty without."""
    forecasts: WindowForecasts | None = field(repr=False, compare=False)
    """None once only the scores are kept (Evaluation.scores_only)."""
    quantiles: dict[str, dict[str, float]] = field(default_factory=dict)
    """A quantile model's quantile_10 ... -> pinball loss and % of actuals at or below it."""
    model_label: str = ""
    """The model as people read it: 'lstm (blended 0.45 with seasonal naive)'."""

    def to_dict(self) -> dict[str, Any]:
        return {
            name: getattr(self, name) for name in self.__dataclass_fields__ if name != "forecasts"
        }


def with_quantile_scores(
    evaluation: SeriesEvaluation, quantiles: np.ndarray, levels: list[float]
) -> SeriesEvaluation:
    """The evaluation with each quantile's pinball loss and the share of actuals below it
    (which should be close to the quantile), and the quantile columns in its forecasts."""
    actual = evaluation.forecasts.actual
    scores = {
        quantile_column(q): {
            "pinball": round(float(pinball(actual, quantiles[:, :, i], q)), 6),
            "below_percent": round(float(100 * np.mean(actual <= quantiles[:, :, i])), 6),
        }
        for i, q in enumerate(levels)
    }
    columns = {quantile_column(q): quantiles[:, :, i] for i, q in enumerate(levels)}
    return replace(
        evaluation,
        quantiles=scores,
        forecasts=replace(evaluation.forecasts, quantiles=columns),
    )


def validation_residuals(model: keras.Model, data: PreparedData) -> np.ndarray:
    """|actual - forecast| over the validation windows (windows, horizon), in the target's
    units: what the conformal bands are calibrated on. Written over the forecast, the actuals
    gathered a block at a time: one array the size of the windows, not three."""
    lookback, horizon = data.experiment.windows.lookback, data.experiment.windows.horizon
    starts = data.starts["validation"]
    residuals = forecast_at_origins(
        model, data.experiment, data.scaled, starts + lookback - 1, data.scaler
    )
    for rows in blocks(len(starts)):
        block = residuals[rows]
        actual = target_windows(data.series.target_values, starts[rows], lookback=lookback,
                                horizon=horizon)  # fmt: skip
        np.abs(np.subtract(actual, block, out=block), out=block)
    return residuals


def score_forecasts(
    data: PreparedData,
    forecast: np.ndarray,
    *,
    lookback: int,
    horizon: int,
    intervals: ConformalIntervals | None = None,
) -> SeriesEvaluation:
    """Metrics of `forecast` (test windows, horizon), in original units, beside the baselines."""
    starts = data.starts["test"]
    target = data.series.target_values
    first_targets = starts + lookback
    m = data.season_length
    if first_targets.min() < m:
        raise DataError(
            f"season length {m} is longer than the history before the first test window "
            f"({first_targets.min()} rows); set data.season_length smaller or give more history"
        )
    label = data.experiment.model.cell
    forecasts = LazyForecasts({label: forecast}, target, first_targets, horizon, m)
    train_first, train_end = data.bounds.rows("train")
    scales = Scales.of(target[train_first:train_end], m)
    overall, per_step = score_windows(forecasts, scales)
    interval_scores = {
        str(level): score_band(forecasts, forecast, intervals.radius[level], level=level)
        for level in (intervals.levels if intervals is not None else [])
    }
    origins = first_targets - 1
    first_origin, last_origin = format_timestamps(data.series.timestamps[origins[[0, -1]]])
    return SeriesEvaluation(
        model=label,
        target=data.series.target,
        split="test",
        num_windows=len(starts),
        horizon=horizon,
        season_length=m,
        mase_scale=scales.mae,
        first_origin=first_origin,
        last_origin=last_origin,
        zero_actuals_skipped_by_mape=forecasts.zero_actuals(),
        overall=overall,
        per_step=per_step,
        skill=skill(overall, label),
        intervals=interval_scores,
        forecasts=WindowForecasts(origins, forecasts, intervals),
    )
