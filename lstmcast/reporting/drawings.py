"""A report's pictures, drawn once into a folder and embedded as data URIs: the latest
forecast, MASE per step, the backtest, the loss per epoch and the splits; for many series
also the spread of each series against seasonal naive."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lstmcast import artifacts
from lstmcast.evaluation import figures
from lstmcast.reporting.contents import Contents
from lstmcast.reporting.page import data_uri, number
from lstmcast.workflows.forecast import Forecast


def draw(contents: Contents, folder: Path) -> dict[str, str]:
    """name -> PNG as a data URI."""
    evaluation, drawn = contents.evaluation, {}
    drawn["steps"] = folder / "steps.png"
    figures.plot_error_by_step(evaluation.per_step, drawn["steps"], title=_steps_title(contents))
    if evaluation.keyed:
        drawn["spread"] = folder / "spread.png"
        figures.plot_series_spread(_ratios(contents), drawn["spread"], label=evaluation.model)
    else:
        drawn["splits"] = folder / "splits.png"
        _draw_splits(contents, drawn["splits"])
    if contents.forecast is not None:
        drawn["forecast"] = folder / "forecast.png"
        _draw_forecast(contents, contents.forecast, drawn["forecast"])
    if contents.backtest is not None:
        drawn["backtest"] = folder / "backtest.png"
        figures.plot_backtests(contents.backtest, drawn["backtest"])
    history = contents.run.run_dir / artifacts.HISTORY_FILE
    if history.is_file():
        from lstmcast.plots import plot_history

        drawn["loss"] = folder / "loss.png"
        loss = pd.read_csv(history).drop(columns="epoch")
        plot_history({name: loss[name].tolist() for name in loss}, drawn["loss"])
    return {name: data_uri(path) for name, path in drawn.items()}


def _steps_title(contents: Contents) -> str:
    mean = " (mean over series)" if contents.evaluation.keyed else ""
    return f"MASE{mean} per horizon step on the test part"


def _ratios(contents: Contents) -> np.ndarray:
    """Each series' test MASE over seasonal naive's."""
    label = contents.evaluation.model
    pairs = [
        (s.overall[label]["mase"], s.overall["seasonal_naive"]["mase"])
        for s in contents.evaluation.per_series.values()
    ]
    return np.array([mine / theirs if theirs else np.nan for mine, theirs in pairs])


def _draw_forecast(contents: Contents, latest: Forecast, path: Path) -> None:
    """The latest forecast after recent history: the one series, or the worst few of many
    with their test MASE beside seasonal naive's."""
    shown = [sid for sid in contents.shown if sid in latest.history]
    histories = {sid: latest.history[sid] for sid in shown}
    steps = len(latest.frame) // len(latest.origins)
    title = f"the next {steps} steps after {latest.origin}"
    if contents.evaluation.keyed:
        worst = {row["series_id"]: row for row in contents.evaluation.summary["worst"]}
        first = worst[shown[0]]
        title = (
            f"test MASE {number(first['mase'])} vs seasonal naive "
            f"{number(first['seasonal_naive_mase'])}"
        )
    figures.plot_forecasts(histories, latest.frame, path, target=latest.target, title=title)


def _draw_splits(contents: Contents, path: Path) -> None:
    series = contents.workload.fitting.series
    values = pd.Series(series.target_values, index=series.timestamps, name=series.target)
    if series.frequency == "none":
        values = values.reset_index(drop=True)
    figures.plot_splits(values, contents.workload.fitting.bounds, path)
