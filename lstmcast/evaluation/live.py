"""Live accuracy: the forecasts a job actually issued (the forecast log) scored against the
actuals that have arrived since, beside the naive baselines on the same cells and the run's
own test figures, with a drift flag when live error stays above the test error.

Cells are matched by position, not by timestamp arithmetic: an issued step h from origin o
is the actual h rows after o in the actuals' own (validated) calendar, so business days,
holidays and frequency none need nothing special.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from lstmcast.data.frequency import days_or_more, format_timestamp
from lstmcast.data.validate import Series, parse_timestamps
from lstmcast.errors import DataError

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
    """series_id, origin, step, run_id, actual, forecast, naive, seasonal_naive, test_mae (the
    run's test MAE of that series at that step: what this cell's error is expected to be) and
    scale (the series' MASE scale)."""
    issued: int
    """Issued steps in the log, arrived or not."""

    @classmethod
    def joined(cls, parts: list[LiveCells]) -> LiveCells:
        frame = pd.concat([part.frame for part in parts], ignore_index=True)
        return cls(frame, issued=sum(part.issued for part in parts))


@dataclass(frozen=True)
class ExpectedError:
    """What a series' live error is compared with: its test MAE per step and its MASE scale."""

    mae_per_step: list[float]
    mase_scale: float


def live_cells(
    log: pd.DataFrame,
    actuals: Series,
    *,
    season_length: int,
    test: ExpectedError,
    series_id: str = "",
) -> LiveCells:
    """Join one series' log with its actuals; cells not yet observed (or whose origin the
    actuals do not reach back to, or without a full season before it) are left out."""
    origins = parse_timestamps(log["origin"], actuals.source, "origin")
    position = actuals.timestamps.get_indexer(origins)
    step = log["step"].to_numpy(dtype=int)
    target_row = position + step
    seasonal_row = position - season_length + 1 + (step - 1) % season_length
    arrived = (position >= 0) & (target_row < actuals.num_rows) & (seasonal_row >= 0)
    arrived &= step <= len(test.mae_per_step)
    y = actuals.target_values
    rows = np.flatnonzero(arrived)
    frame = pd.DataFrame(
        {
            "series_id": series_id,
            "origin": origins[rows],
            "step": step[rows],
            "run_id": log["run_id"].to_numpy()[rows],
            "actual": y[target_row[rows]],
            "forecast": log["forecast"].to_numpy(dtype=float)[rows],
            "naive": y[position[rows]],
            "seasonal_naive": y[seasonal_row[rows]],
            "test_mae": np.asarray(test.mae_per_step, dtype=float)[step[rows] - 1],
            "scale": test.mase_scale,
        }
    )
    return LiveCells(frame, issued=len(log))


def _scores(cells: pd.DataFrame, *, units: bool = True) -> dict[str, Any]:
    """MAE of the forecast and both baselines (`units`: cells of one series), MASE of each
    (every cell on its series' scale), and live error over test error on the same cells."""
    scale = cells["scale"].to_numpy()
    scaled = {
        name: float(np.mean(np.abs(cells["actual"] - cells[name]) / scale))
        for name in ("forecast", "naive", "seasonal_naive")
    }
    expected = float(np.mean(cells["test_mae"] / scale))
    scores: dict[str, Any] = {"cells": len(cells)}
    if units:
        scores |= {
            "mae": float(np.mean(np.abs(cells["actual"] - cells["forecast"]))),
            "naive_mae": float(np.mean(np.abs(cells["actual"] - cells["naive"]))),
            "seasonal_naive_mae": float(np.mean(np.abs(cells["actual"] - cells["seasonal_naive"]))),
            "test_mae": float(cells["test_mae"].mean()),
        }
    return scores | {
        "mase": scaled["forecast"],
        "naive_mase": scaled["naive"],
        "seasonal_naive_mase": scaled["seasonal_naive"],
        "live_over_test": scaled["forecast"] / expected if expected > 0 else None,
    }


def live_report(
    cells: LiveCells,
    *,
    bucket: str,
    frequency: str | None = None,
    keyed: bool = False,
    drift_margin: float = 0.25,
    drift_buckets: int = 2,
) -> dict[str, Any]:
    """Overall, per step, per run and per time bucket (by origin), and the drift verdict:
    drift when each of the last `drift_buckets` buckets has a live MAE above the run's test
    MAE on the same steps by more than `drift_margin`. Many series (`keyed`) are pooled on
    each series' MASE scale, and each series is also scored and judged on its own."""
    frame = cells.frame
    if frame.empty:
        raise DataError(
            f"none of the {cells.issued} logged forecast steps has an actual yet (or the "
            "actuals do not reach back to their origins); score again when they arrive"
        )
    judge = functools.partial(_judged, bucket=bucket, margin=drift_margin, buckets=drift_buckets)
    by_bucket, drift = judge(frame, units=not keyed)
    report = {
        "issued_steps": cells.issued,
        "scored_steps": len(frame),
        "first_origin": format_timestamp(frame["origin"].min(), frequency),
        "last_origin": format_timestamp(frame["origin"].max(), frequency),
        "overall": _scores(frame, units=not keyed),
        "per_step": {int(k): _scores(p, units=not keyed) for k, p in frame.groupby("step")},
        "per_run": {str(k): _scores(p, units=not keyed) for k, p in frame.groupby("run_id")},
        "bucket": bucket,
        "per_bucket": by_bucket,
        "drift": drift,
    }
    if keyed:
        verdicts = {sid: judge(part)[1] for sid, part in frame.groupby("series_id")}
        report["per_series"] = {
            sid: {**_scores(part), "drifting": verdicts[sid]["drifting"]}
            for sid, part in frame.groupby("series_id")
        }
        report["drifting_series"] = [sid for sid, v in verdicts.items() if v["drifting"]]
    return report


def _judged(
    frame: pd.DataFrame, *, bucket: str, margin: float, buckets: int, units: bool = True
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Scores per time bucket (by origin) and the drift verdict on them."""
    periods = frame["origin"].dt.tz_localize(None).dt.to_period(BUCKETS[bucket])
    by_bucket = {str(k): _scores(part, units=units) for k, part in frame.groupby(periods)}
    return by_bucket, _drift(by_bucket, margin=margin, buckets=buckets)


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
