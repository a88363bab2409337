"""The pictures a forecaster looks at, as PNGs (plotting extra): a forecast with its band
after enough history to see the season, error by horizon step beside the baselines, a
backtest over time, and the splits of a series."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmcast.evaluation.backtest import Backtest, SeriesBacktest
from lstmcast.plots import figure_to
from lstmcast.text import count_of

MODEL_COLOUR, ACTUAL_COLOUR = "#1f5fa8", "#222222"
BASELINE_COLOURS = {"naive": "#999999", "seasonal_naive": "#d08a2c", "drift": "#7a9a3a"}
BAND_COLOURS = ("#dbe7f5", "#b3cdeb", "#8ab2e0", "#6497d4")
"""Bands from the widest (palest) in: opaque, so the legend shows each as it is drawn."""


SHOWN_SERIES = 6
"""Series drawn in a forecast's picture: the first of many (a grid of 300 is no picture)."""


def plot_forecasts(
    histories: dict[str, pd.Series],
    forecast: pd.DataFrame,
    path: Path,
    *,
    target: str,
    title: str,
) -> None:
    """Each series' recent history (by timestamp, or by row for frequency none), then its
    forecast with its interval bands, widest lightest; one panel a series, at most
    SHOWN_SERIES, named when there are many."""
    ids = list(histories)[:SHOWN_SERIES]
    with figure_to(path, size=(9, 4 if len(ids) == 1 else 2.6 * len(ids)), rows=len(ids)) as (
        _, panels
    ):  # fmt: skip
        for index, (sid, axes) in enumerate(zip(ids, np.atleast_1d(panels), strict=True)):
            rows = forecast[forecast["series_id"] == sid] if "series_id" in forecast else forecast
            named = f"{sid}: {title}" if "series_id" in forecast else title
            if index and "series_id" in forecast:
                named = str(sid)
            _draw_forecast(axes, histories[sid], rows.reset_index(drop=True), target, named)


def plot_forecast(
    history: pd.Series, forecast: pd.DataFrame, path: Path, *, target: str, title: str
) -> None:
    """One series' history, then its forecast with its bands (plot_forecasts of one)."""
    plot_forecasts({target: history}, forecast, path, target=target, title=title)


def _draw_forecast(
    axes: Any, history: pd.Series, forecast: pd.DataFrame, target: str, title: str
) -> None:
    x_history, x_future = _x_axes(history.index, forecast)
    axes.plot(x_history, history.to_numpy(), color=ACTUAL_COLOUR, lw=1, label="history")
    for level, colour in _bands(forecast):  # widest first: narrower ones drawn over it
        axes.fill_between(
            x_future, forecast[f"lower_{level}"], forecast[f"upper_{level}"],
            color=colour, lw=0, label=f"{level}% interval",
        )  # fmt: skip
    joined_x = [_last(x_history), *list(x_future)]  # the line goes on from the last row
    joined_y = [history.to_numpy()[-1], *forecast[target].to_numpy()]
    axes.plot(joined_x, joined_y, color=MODEL_COLOUR, lw=1.6, label="forecast")
    axes.set_title(title, loc="left", fontsize=10)
    axes.set_ylabel(target)
    if isinstance(x_future, np.ndarray):
        axes.set_xlabel("row (frequency none: the time of future rows is unknown)")
    axes.legend(loc="best", fontsize=8, frameon=False)
    axes.grid(alpha=0.25)


def plot_error_by_step(
    per_step: dict[str, dict[str, list[float]]], path: Path, *, title: str
) -> None:
    """MASE per horizon step, the model beside each baseline."""
    with figure_to(path, size=(9, 3.6)) as (_, axes):
        for method, metrics in per_step.items():
            steps = np.arange(1, len(metrics["mase"]) + 1)
            colour = BASELINE_COLOURS.get(method, MODEL_COLOUR)
            axes.plot(
                steps,
                metrics["mase"],
                color=colour,
                lw=2 if colour == MODEL_COLOUR else 1.2,
                marker="o" if len(steps) <= 24 else None,
                ms=3,
                label=method,
            )
        axes.axhline(1.0, color="#cccccc", lw=0.8)
        axes.set_xlabel("horizon step")
        axes.set_ylabel("MASE")
        axes.set_title(title, loc="left", fontsize=10)
        axes.legend(fontsize=8, frameon=False)
        axes.grid(alpha=0.25)


def plot_backtests(backtest: Backtest, path: Path) -> None:
    """One series' backtest (plot_backtest's picture), or for many series the worst few
    (top panels, as plot_backtest's) above every fold's MASE averaged over the series."""
    if not backtest.keyed:
        plot_backtest(next(iter(backtest.per_series.values())), path)
        return
    worst = [row["series_id"] for row in backtest.summary["worst"][:SHOWN_WORST]]
    shown = [backtest.per_series[sid] for sid in worst if sid in backtest.per_series]
    rows = len(shown) + 1
    with figure_to(path, size=(9, 2.8 * rows), rows=rows) as (_, panels):
        for sid, series, axes in zip(worst, shown, panels, strict=False):
            _draw_backtest(axes, series, title=f"{sid}: {series.mode}")
        folds = [fold["fold"] for fold in shown[0].folds]
        methods = (backtest.model, "seasonal_naive")
        means = {method: _mean_fold_mase(backtest, method) for method in methods}
        _draw_fold_mase(
            panels[-1], folds, means, ylabel=f"mean MASE over {len(backtest.per_series)} series"
        )


SHOWN_WORST = 3
"""Series a many-series backtest picture draws: where the model does worst."""


def _mean_fold_mase(backtest: Backtest, method: str) -> list[float]:
    """Each fold's MASE of `method`, averaged over the series (every series has every fold)."""
    scores = [[fold["overall"][method]["mase"] for fold in s.folds]
              for s in backtest.per_series.values()]  # fmt: skip
    return np.nanmean(np.array(scores, dtype=np.float64), axis=0).tolist()


def plot_backtest(backtest: SeriesBacktest, path: Path) -> None:
    """Top: actuals over the backtest, the model's one-step-ahead forecasts with their band,
    and each fold's first forecast over the whole horizon (dashed), folds shaded. Bottom:
    MASE of each fold, the model beside seasonal naive."""
    with figure_to(path, size=(9, 6.4), rows=2) as (_, (top, bottom)):
        title = f"{backtest.target}: {count_of(len(backtest.folds), 'fold')}, {backtest.mode}"
        _draw_backtest(top, backtest, title=title)
        folds = [fold["fold"] for fold in backtest.folds]
        mase = {
            method: [fold["overall"][method]["mase"] for fold in backtest.folds]
            for method in (backtest.model, "seasonal_naive")
        }
        _draw_fold_mase(bottom, folds, mase, ylabel="MASE")


def _draw_backtest(axes: Any, backtest: SeriesBacktest, *, title: str) -> None:
    frame = backtest.frame
    first = frame[frame["step"] == 1].reset_index(drop=True)
    times = _times(frame["timestamp"])
    x = times[(frame["step"] == 1).to_numpy()].reset_index(drop=True)
    for level, colour in _bands(first)[-1:]:  # the narrowest band, not to hide the lines
        axes.fill_between(
            x, first[f"lower_{level}"], first[f"upper_{level}"], color=colour, lw=0,
            label=f"{level}% interval, step 1",
        )  # fmt: skip
    actual = pd.DataFrame({"x": times, "y": frame["y_true"]}).drop_duplicates("x")
    actual = actual.sort_values("x")
    axes.plot(actual["x"], actual["y"], color=ACTUAL_COLOUR, lw=1, label="actual")
    axes.plot(x, first["y_pred"], color=MODEL_COLOUR, lw=1.2, label="forecast, step 1")
    _whole_horizons(axes, frame, times)
    axes.set_ylabel(backtest.target)
    for number, part in first.groupby("fold"):
        shown = x.iloc[part.index]
        shade = 0.04 if number % 2 else 0.0
        axes.axvspan(shown.iloc[0], shown.iloc[-1], color="#000000", alpha=shade, lw=0)
    axes.set_title(title, loc="left", fontsize=10)
    axes.legend(fontsize=8, frameon=False)
    axes.grid(alpha=0.25)


def _draw_fold_mase(
    axes: Any, folds: list[int], mase: dict[str, list[float]], *, ylabel: str
) -> None:
    for method, values in mase.items():
        colour = BASELINE_COLOURS.get(method, MODEL_COLOUR)
        axes.plot(folds, values, marker="o", label=method, color=colour)
    axes.set_xticks(folds)
    axes.set_xlabel("fold")
    axes.set_ylabel(ylabel)
    axes.legend(fontsize=8, frameon=False)
    axes.grid(alpha=0.25)


def plot_series_spread(ratios: np.ndarray, path: Path, *, label: str) -> None:
    """How the model fares against seasonal naive across a panel: the histogram of each
    series' MASE ratio, with 1 (as good as seasonal naive) marked."""
    finite = ratios[np.isfinite(ratios)]
    with figure_to(path, size=(9, 3.2)) as (_, axes):
        bins = min(max(len(finite) // 3, 5), 40)
        axes.hist(finite, bins=bins, color=MODEL_COLOUR, alpha=0.8)
        axes.axvline(1.0, color=BASELINE_COLOURS["seasonal_naive"], lw=1.5)
        axes.set_xlabel(f"MASE {label} / MASE seasonal naive, per series (left of 1: better)")
        axes.set_ylabel("series")
        better = float(np.mean(finite < 1)) if len(finite) else float("nan")
        axes.set_title(
            f"{len(finite)} series; {better:.0%} better than seasonal naive",
            loc="left",
            fontsize=10,
        )
        axes.grid(alpha=0.25)


def plot_splits(series: pd.Series, bounds: Any, path: Path) -> None:
    """The target over time with the training, validation and test parts shaded."""
    with figure_to(path, size=(9, 2.8)) as (_, axes):
        x = series.index
        axes.plot(x, series.to_numpy(), color=ACTUAL_COLOUR, lw=0.8)
        parts = [("train", "#1f5fa8"), ("validation", "#d08a2c"), ("test", "#7a9a3a")]
        for name, colour in parts:
            first, end = bounds.rows(name)
            if end > first:
                axes.axvspan(x[first], x[end - 1], color=colour, alpha=0.15, lw=0, label=name)
        axes.legend(fontsize=8, frameon=False, ncol=3, loc="upper left")
        axes.set_ylabel(series.name)
        axes.grid(alpha=0.25)


def _whole_horizons(axes: Any, frame: pd.DataFrame, times: pd.Series) -> None:
    """Each fold's first origin forecast over every step, dashed: how the horizon fares."""
    for index, (_, fold) in enumerate(frame.groupby("fold")):
        path = fold[fold["origin"] == fold["origin"].iloc[0]]
        axes.plot(
            times[path.index], path["y_pred"], color=MODEL_COLOUR, lw=0.9, ls="--",
            label="each fold's first forecast, all steps" if index == 0 else None,
        )  # fmt: skip


def _times(stamps: pd.Series) -> pd.Series:
    """Timestamps to draw against (local, as written); row numbers when there are none
    (frequency none)."""
    try:
        parsed = pd.to_datetime(stamps, errors="coerce", format="ISO8601")
    except (ValueError, TypeError):  # offsets that change: drawn in UTC
        parsed = pd.to_datetime(stamps, errors="coerce", format="ISO8601", utc=True)
    if parsed.isna().any():
        return pd.Series(np.arange(len(stamps)), index=stamps.index)
    return parsed


def _bands(frame: pd.DataFrame) -> list[tuple[int, str]]:
    """(level, colour) of each finite band, widest and palest first."""
    levels = _levels(frame)
    return list(zip(levels, BAND_COLOURS[: len(levels)], strict=True))


def _last(values: Any) -> Any:
    return values[-1] if not hasattr(values, "iloc") else values.iloc[-1]


def _levels(frame: pd.DataFrame) -> list[int]:
    """Levels with a finite band, widest first (an unbounded band has nothing to draw)."""
    levels = [int(name.split("_")[1]) for name in frame.columns if name.startswith("lower_")]
    finite = [level for level in levels if np.isfinite(frame[f"lower_{level}"]).all()]
    return sorted(finite, reverse=True)


def _x_axes(history_index: Any, forecast: pd.DataFrame) -> tuple[Any, Any]:
    """Timestamps when the forecast has them; otherwise row numbers continuing the history."""
    stamps = pd.to_datetime(forecast["timestamp"], errors="coerce", format="ISO8601")
    if isinstance(history_index, pd.DatetimeIndex) and stamps.notna().all():
        if history_index.tz is not None and stamps.dt.tz is None:
            stamps = stamps.dt.tz_localize(history_index.tz)
        return history_index, stamps
    rows = np.arange(len(history_index))
    return rows, len(rows) + np.arange(len(forecast))
