"""Rolling-origin backtests: forecasts made at many origins over the end of the series, each
with only the data before it, scored fold by fold beside the baselines on the same cells.

A fold is a run of consecutive origins; the last fold's last origin leaves exactly one model
horizon after it. With 100 rows, horizon 4, 3 folds of spacing 5: origins 81-85, 86-90,
91-95 (the last forecast reads rows up to 95 and targets 96-99). Every (origin, step) of a
fold appears once. Train-once backtests (this module) move the origin over the test part of a
trained run; refits (training/backtest.py) train a model per fold group and hand their
forecasts here to be scored the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lstmcast.config.sections.backtest import BacktestSection
from lstmcast.data.frequency import format_timestamps
from lstmcast.data.validate import Series
from lstmcast.errors import ConfigError
from lstmcast.evaluation.intervals import ConformalIntervals
from lstmcast.evaluation.scoring import (
    Pooled,
    Scales,
    baseline_forecasts,
    score,
    score_intervals,
    series_brief,
    skill,
)


def plan_folds(
    num_rows: int, *, horizon: int, folds: int, spacing: int, first_allowed: int
) -> list[np.ndarray]:
    """Origins (row indices) of each fold, oldest first; refuses folds that would start
    before `first_allowed` (the first origin the caller can honestly forecast from)."""
    last = num_rows - horizon - 1
    first = last - folds * spacing + 1
    if first < first_allowed:
        raise ConfigError(
            f"backtest: {folds} folds of {spacing} origins need origins from row {first}, but "
            f"the first usable one is row {first_allowed}; use fewer folds or a smaller "
            "backtest.spacing"
        )
    return [np.arange(first + k * spacing, first + (k + 1) * spacing) for k in range(folds)]


def test_part_folds(
    num_rows: int, test_start: int, *, horizon: int, section: BacktestSection
) -> list[np.ndarray]:
    """Train-once folds: laid over the test part (the first origin's first target is the
    first test row), sharing it evenly unless backtest.spacing says otherwise."""
    first_allowed = test_start - 1
    usable = num_rows - horizon - first_allowed
    spacing = section.spacing or max(usable // section.folds, 1)
    return plan_folds(
        num_rows, horizon=horizon, folds=section.folds, spacing=spacing, first_allowed=first_allowed
    )


@dataclass(frozen=True)
class FoldForecasts:
    """One fold's model forecasts (origins, horizon) in the target's units, and its bands."""

    origins: np.ndarray
    predicted: np.ndarray
    bands: dict[int, tuple[np.ndarray, np.ndarray]]
    trained_rows: tuple[int, int] | None = None
    """Refits: the rows [first, end) its model trained and validated on."""


class FrameAside:
    """A result whose `frame` (every forecast) goes to a CSV and the rest to JSON."""

    def to_dict(self) -> dict[str, Any]:
        fields = self.__dataclass_fields__  # type: ignore[attr-defined]
        return {name: getattr(self, name) for name in fields if name != "frame"}


@dataclass(frozen=True)
class SeriesBacktest(FrameAside):
    mode: str
    model: str
    target: str
    horizon: int
    season_length: int
    mase_scale: float
    rmsse_scale: float
    """In-sample seasonal-naive MAE and MSE of the rows before the first forecast."""
    folds: list[dict[str, Any]]
    overall: dict[str, dict[str, float]]
    per_step: dict[str, dict[str, list[float]]]
    skill: float
    intervals: dict[str, dict[str, Any]]
    windows: int
    predict_seconds: float
    windows_per_second: float
    seconds: float
    frame: pd.DataFrame = field(repr=False, compare=False)

    @property
    def unbounded(self) -> list[int]:
        """Interval levels whose band is infinite (too few calibration windows)."""
        return [int(level) for level, s in self.intervals.items() if not np.isfinite(s["width"])]


def split_into_folds(
    folds: list[np.ndarray],
    predicted: np.ndarray,
    intervals: ConformalIntervals | None,
    trained_rows: tuple[int, int] | None = None,
) -> list[FoldForecasts]:
    """One batched prediction over the folds' origins, in fold order, cut back into folds
    with their bands."""
    bands = intervals.bounds(predicted) if intervals is not None else {}
    ends = np.cumsum([len(fold) for fold in folds])
    cut = [slice(end - len(fold), end) for fold, end in zip(folds, ends, strict=True)]
    return [
        FoldForecasts(
            fold,
            predicted[rows],
            {level: (low[rows], up[rows]) for level, (low, up) in bands.items()},
            trained_rows,
        )
        for fold, rows in zip(folds, cut, strict=True)
    ]


def assemble(
    series: Series,
    folds: list[FoldForecasts],
    *,
    label: str,
    season_length: int,
    mode: str,
    horizon: int,
    started: float,
    predict_seconds: float,
) -> SeriesBacktest:
    """Score every fold and all folds together beside the baselines, in the target's units;
    MASE and RMSSE scaled by the rows before the first fold's first target."""
    target, m = series.target_values, season_length
    scales = Scales.of(target[: folds[0].origins[0] + 1], m)
    cells = [_fold_cells(target, fold, horizon, m, label) for fold in folds]
    summaries = [
        _fold_summary(series, number, fold, actual, forecasts, bands, scales)
        for number, (fold, (actual, forecasts, bands)) in enumerate(
            zip(folds, cells, strict=True), start=1
        )
    ]
    actual = np.concatenate([actual for actual, _, _ in cells])
    forecasts = {name: np.concatenate([c[1][name] for c in cells]) for name in cells[0][1]}
    bands = {
        level: tuple(np.concatenate([c[2][level][side] for c in cells]) for side in (0, 1))
        for level in cells[0][2]
    }
    overall, per_step = score(actual, forecasts, scales)
    windows = len(actual)
    return SeriesBacktest(
        mode=mode,
        model=label,
        target=series.target,
        horizon=horizon,
        season_length=m,
        mase_scale=scales.mae,
        rmsse_scale=scales.mse,
        folds=summaries,
        overall=overall,
        per_step=per_step,
        skill=skill(overall, label),
        intervals=score_intervals(actual, bands),
        windows=windows,
        predict_seconds=round(predict_seconds, 3),
        windows_per_second=round(windows / predict_seconds, 1) if predict_seconds else 0.0,
        seconds=round(time.perf_counter() - started, 3),
        frame=_frame(series, folds, cells, horizon).assign(
            mase_scale=scales.mae, rmsse_scale=scales.mse
        ),
    )


def _fold_cells(
    target: np.ndarray, fold: FoldForecasts, horizon: int, m: int, label: str
) -> tuple[np.ndarray, dict[str, np.ndarray], dict[int, tuple[np.ndarray, np.ndarray]]]:
    """(actual, model and baseline forecasts, bands), each (origins, horizon)."""
    first_targets = fold.origins + 1
    actual = target[first_targets[:, None] + np.arange(horizon)]
    forecasts = {
        label: fold.predicted[:, :horizon],
        **baseline_forecasts(target, first_targets, horizon, m),
    }
    bands = {level: (low[:, :horizon], up[:, :horizon]) for level, (low, up) in fold.bands.items()}
    return actual, forecasts, bands


def _fold_summary(
    series: Series,
    number: int,
    fold: FoldForecasts,
    actual: np.ndarray,
    forecasts: dict[str, np.ndarray],
    bands: dict[int, tuple[np.ndarray, np.ndarray]],
    scales: Scales,
) -> dict[str, Any]:
    overall, _ = score(actual, forecasts, scales)
    first, last = format_timestamps(series.timestamps[fold.origins[[0, -1]]])
    return {
        "fold": number,
        "first_origin": first,
        "last_origin": last,
        "origins": len(fold.origins),
        "trained_rows": list(fold.trained_rows) if fold.trained_rows else None,
        "overall": overall,
        "intervals": score_intervals(actual, bands),
    }


def _frame(
    series: Series,
    folds: list[FoldForecasts],
    cells: list[tuple[np.ndarray, dict[str, np.ndarray], dict[int, Any]]],
    horizon: int,
) -> pd.DataFrame:
    """One row per fold, origin and step: fold, origin, timestamp, step, y_true, y_pred, the
    interval bounds, then naive, seasonal_naive and drift (assemble adds the two in-sample
    scales), so every reported metric can be recomputed from the file alone."""
    stamps = series.timestamps
    parts = []
    for number, (fold, (actual, forecasts, bands)) in enumerate(
        zip(folds, cells, strict=True), start=1
    ):
        count = len(fold.origins)
        target_rows = (fold.origins[:, None] + 1 + np.arange(horizon)).ravel()
        model, *baselines = forecasts
        columns: dict[str, Any] = {
            "fold": np.full(count * horizon, number),
            "origin": np.repeat(format_timestamps(stamps[fold.origins]), horizon),
            "timestamp": format_timestamps(stamps[target_rows]),
            "step": np.tile(np.arange(1, horizon + 1), count),
            "y_true": actual.ravel(),
            "y_pred": forecasts[model].ravel(),
        }
        for level, (lower, upper) in bands.items():
            columns[f"lower_{level}"], columns[f"upper_{level}"] = lower.ravel(), upper.ravel()
        columns.update({name: forecasts[name].ravel() for name in baselines})
        parts.append(pd.DataFrame(columns))
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class Backtest(FrameAside):
    """Every series' backtest and the summary over them (one series: its own)."""

    mode: str
    model: str
    target: str
    horizon: int
    season_length: int
    keyed: bool
    per_series: dict[str, SeriesBacktest]
    skipped: dict[str, str]
    """Series left out (too short, or no room for their folds), and why."""
    summary: dict[str, Any]
    overall: dict[str, dict[str, float]]
    per_step: dict[str, dict[str, list[float]]]
    intervals: dict[str, dict[str, Any]]
    skill: float
    windows: int
    predict_seconds: float
    windows_per_second: float
    seconds: float
    frame: pd.DataFrame = field(repr=False, compare=False)

    @classmethod
    def of(
        cls,
        per_series: dict[str, SeriesBacktest],
        *,
        keyed: bool,
        skipped: dict[str, str],
        started: float,
        predict_seconds: float,
    ) -> Backtest:
        first = next(iter(per_series.values()))
        windows = {sid: s.windows for sid, s in per_series.items()}
        pooled = Pooled.of(per_series, windows, first.model)
        total = sum(windows.values())
        frames = [s.frame.assign(series_id=sid) for sid, s in per_series.items()]
        frame = (
            pd.concat(frames, ignore_index=True)[["series_id", *first.frame.columns]]
            if keyed
            else first.frame
        )
        return cls(
            mode=first.mode, model=first.model, target=first.target, horizon=first.horizon,
            season_length=first.season_length, keyed=keyed, per_series=per_series,
            skipped=skipped, summary=pooled.summary, overall=pooled.overall,
            per_step=pooled.per_step, intervals=pooled.intervals, skill=pooled.skill,
            windows=total, predict_seconds=round(predict_seconds, 3),
            windows_per_second=round(total / predict_seconds, 1) if predict_seconds else 0.0,
            seconds=round(time.perf_counter() - started, 3), frame=frame,
        )  # fmt: skip

    @property
    def unbounded(self) -> list[int]:
        """Interval levels whose band is infinite (too few calibration windows)."""
        return [int(level) for level, s in self.intervals.items() if not np.isfinite(s["width"])]

    def to_dict(self) -> dict[str, Any]:
        """The summary beside the pooled scores: one series' backtest in full, many series'
        each in brief under per_series."""
        common = {
            "mode": self.mode, "model": self.model, "target": self.target,
            "horizon": self.horizon, "season_length": self.season_length,
            "overall": self.overall, "per_step": self.per_step, "skill": self.skill,
            "intervals": self.intervals, "windows": self.windows,
            "predict_seconds": self.predict_seconds,
            "windows_per_second": self.windows_per_second, "seconds": self.seconds,
            **self.summary, "skipped": self.skipped,
        }  # fmt: skip
        if not self.keyed:
            return {**next(iter(self.per_series.values())).to_dict(), **common}
        folds = len(next(iter(self.per_series.values())).folds)
        brief = {
            sid: series_brief(s.windows, s.overall, s.skill, s.intervals)
            for sid, s in self.per_series.items()
        }
        return {**common, "folds": folds, "per_series": brief}
