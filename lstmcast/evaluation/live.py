"""Live accuracy: the forecasts a job actually issued (the forecast log) scored against the
actuals that have arrived since, beside the naive baselines on the same cells and the run's
own test figures, with a drift flag when live error stays above the test error.

Cells are matched by position, not by timestamp arithmetic: an issued step h from origin o
is the actual h rows after o in the actuals' own (validated) calendar, so business days,
holidays and frequency none need nothing special.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from lstmcast.artifacts import METRICS_FILE, Run, read_json
from lstmcast.data.forecast_log import read_log
from lstmcast.data.frequency import days_or_more
from lstmcast.data.prepare import load_series
from lstmcast.data.validate import Series, parse_timestamps
from lstmcast.errors import ArtifactError, DataError

BUCKETS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def default_bucket(frequency: str) -> str:
    """The buckets live scores are grouped in when none is asked: a day for steps within a
    day (its season), a week for days and weeks, else the data's own step (month, quarter,
    year): never buckets finer than the forecasts are issued."""
    if not days_or_more(frequency):
        return "day"
    code = to_offset(frequency).rule_code.split("-")[0] if frequency != "B" else "B"
    for prefix, bucket in (("Y", "year"), ("A", "year"), ("Q", "quarter"), ("M", "month")):
        if code.startswith(prefix) or code.startswith(f"B{prefix}"):
            return bucket
    return "week"


@dataclass(frozen=True)
class LiveCells:
    """Every issued step whose actual has arrived, with both baselines on the same cell."""

    frame: pd.DataFrame
    """origin, step, run_id, actual, forecast, naive, seasonal_naive, test_mae (the run's
    test MAE at that step: what this cell's error is expected to be)."""
    issued: int
    """Issued steps in the log, arrived or not."""


def live_cells(
    log: pd.DataFrame, actuals: Series, *, season_length: int, test_mae_per_step: list[float]
) -> LiveCells:
    """Join the log with the actuals; cells not yet observed (or whose origin the actuals do
    not reach back to, or without a full season before it) are left out."""
    origins = parse_timestamps(log["origin"], actuals.source, "origin")
    position = actuals.timestamps.get_indexer(origins)
    step = log["step"].to_numpy(dtype=int)
    target_row = position + step
    seasonal_row = position - season_length + 1 + (step - 1) % season_length
    arrived = (position >= 0) & (target_row < actuals.num_rows) & (seasonal_row >= 0)
    arrived &= step <= len(test_mae_per_step)
    y = actuals.values[:, 0]
    rows = np.flatnonzero(arrived)
    frame = pd.DataFrame(
        {
            "origin": origins[rows],
            "step": step[rows],
            "run_id": log["run_id"].to_numpy()[rows],
            "actual": y[target_row[rows]],
            "forecast": log["forecast"].to_numpy(dtype=float)[rows],
            "naive": y[position[rows]],
            "seasonal_naive": y[seasonal_row[rows]],
            "test_mae": np.asarray(test_mae_per_step, dtype=float)[step[rows] - 1],
        }
    )
    return LiveCells(frame, issued=len(log))


def _scores(cells: pd.DataFrame, mase_scale: float) -> dict[str, Any]:
    """MAE of the forecast and both baselines, live MASE, and live error over test error."""
    errors = {
        name: float(np.mean(np.abs(cells["actual"] - cells[name])))
        for name in ("forecast", "naive", "seasonal_naive")
    }
    expected = float(cells["test_mae"].mean())
    return {
        "cells": len(cells),
        "mae": errors["forecast"],
        "naive_mae": errors["naive"],
        "seasonal_naive_mae": errors["seasonal_naive"],
        "mase": errors["forecast"] / mase_scale,
        "seasonal_naive_mase": errors["seasonal_naive"] / mase_scale,
        "test_mae": expected,
        "live_over_test": errors["forecast"] / expected if expected > 0 else None,
    }


def live_report(
    cells: LiveCells,
    *,
    mase_scale: float,
    bucket: str,
    drift_margin: float = 0.25,
    drift_buckets: int = 2,
) -> dict[str, Any]:
    """Overall, per step, per run and per time bucket (by origin), and the drift verdict:
    drift when each of the last `drift_buckets` buckets has a live MAE above the run's test
    MAE on the same steps by more than `drift_margin`."""
    frame = cells.frame
    if frame.empty:
        raise DataError(
            f"none of the {cells.issued} logged forecast steps has an actual yet (or the "
            "actuals do not reach back to their origins); score again when they arrive"
        )
    periods = frame["origin"].dt.tz_localize(None).dt.to_period(BUCKETS[bucket])
    by_bucket = {str(period): _scores(part, mase_scale) for period, part in frame.groupby(periods)}
    by_step = {int(step): _scores(part, mase_scale) for step, part in frame.groupby("step")}
    by_run = {str(run): _scores(part, mase_scale) for run, part in frame.groupby("run_id")}
    return {
        "issued_steps": cells.issued,
        "scored_steps": len(frame),
        "first_origin": frame["origin"].min().isoformat(),
        "last_origin": frame["origin"].max().isoformat(),
        "overall": _scores(frame, mase_scale),
        "per_step": by_step,
        "per_run": by_run,
        "bucket": bucket,
        "per_bucket": by_bucket,
        "drift": _drift(by_bucket, margin=drift_margin, buckets=drift_buckets),
    }


def _drift(by_bucket: dict[str, dict[str, Any]], *, margin: float, buckets: int) -> dict[str, Any]:
    """Judged on the last buckets holding at least a quarter of the usual number of cells: the
    bucket still filling (today's, whose later steps have no actuals yet) is too thin to judge."""
    usual = float(np.median([scores["cells"] for scores in by_bucket.values()]))
    full = [scores for scores in by_bucket.values() if scores["cells"] >= usual / 4]
    ratios = [scores["live_over_test"] for scores in full][-buckets:]
    judged = len(ratios) == buckets and all(ratio is not None for ratio in ratios)
    drifting = judged and all(ratio > 1 + margin for ratio in ratios)
    if not judged:
        verdict = f"not judged: drift needs {buckets} buckets with actuals, there are {len(ratios)}"
    elif drifting:
        verdict = (
            f"DRIFT: live MAE above the test MAE by more than {margin:.0%} in each of the last "
            f"{buckets} buckets ({', '.join(f'{r:.2f}x' for r in ratios)}); retrain or look "
            "at the data"
        )
    else:
        verdict = f"no drift: live MAE within {margin:.0%} of the test MAE in the last buckets"
    return {"drifting": drifting, "margin": margin, "buckets": buckets, "verdict": verdict}


def score_history(
    run: Run, history: Path, actuals: Path | None, *, bucket: str | None, drift_margin: float
) -> dict[str, Any]:
    """`evaluate RUN --history LOG --actuals CSV`: the log's forecasts of RUN's target scored
    against the actuals, beside RUN's test figures (metrics.json; no TensorFlow needed)."""
    metrics_path = run.run_dir / METRICS_FILE
    if not metrics_path.is_file():
        raise ArtifactError(
            f"{run.run_dir} has no {METRICS_FILE}; run lstmcast evaluate {run.run_dir}"
        )
    metrics = read_json(metrics_path)
    data = run.experiment.data
    log = read_log(history)
    log = log[log["target"] == data.target]
    if log.empty:
        raise DataError(f"--history: {history} holds no forecasts of {data.target}")
    frequency = run.preprocessing["frequency"]
    role = "--actuals" if actuals is not None else "data.path"
    series = load_series(data, path=actuals, frequency=frequency, role=role)
    model = metrics["model"]
    cells = live_cells(
        log,
        series,
        season_length=metrics["season_length"],
        test_mae_per_step=metrics["per_step"][model]["mae"],
    )
    report = live_report(
        cells,
        mase_scale=metrics["mase_scale"],
        bucket=bucket or default_bucket(frequency),
        drift_margin=drift_margin,
    )
    report["test"] = {
        "mase": metrics["overall"][model]["mase"],
        "seasonal_naive_mase": metrics["overall"]["seasonal_naive"]["mase"],
        "mae": metrics["overall"][model]["mae"],
    }
    return {"target": data.target, "run_id": run.run_id, "history": str(history), **report}
