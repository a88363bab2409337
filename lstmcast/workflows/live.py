"""`evaluate RUN --history LOG`, one series or many: the forecasts a job issued (forecast
--log) scored against the actuals that have arrived since, beside the naive baselines on the
same cells and the run's own test figures (metrics.json; no TensorFlow needed), with a drift
verdict. Many series are scored each on its own and pooled on each series' MASE scale.

Live scoring is another job than test-split scoring: it reads no model and no windows, only
the log, the actuals and what `evaluate` measured on the test split.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from lstmcast.artifacts import METRICS_FILE, Run, read_json
from lstmcast.data.forecast_log import read_log
from lstmcast.data.workload import load_series_of
from lstmcast.errors import ArtifactError, ConfigError, DataError
from lstmcast.evaluation.live import (
    BUCKETS,
    ExpectedError,
    LiveCells,
    default_bucket,
    live_cells,
    live_report,
)


def score_history(
    run: Run,
    history: Path,
    actuals: Path | None,
    *,
    bucket: str | None = None,
    drift_margin: float = 0.25,
) -> dict[str, Any]:
    """The log's forecasts of RUN's target scored against the actuals (default: the run's
    data.path), per step, per run, per `bucket` of origins, and per series for many."""
    if bucket is not None and bucket not in BUCKETS:
        raise ConfigError(f"--bucket: expected one of {', '.join(BUCKETS)} (got {bucket!r})")
    if not drift_margin >= 0:
        raise ConfigError(f"--drift-margin: expected a share >= 0 (got {drift_margin})")
    metrics = _test_metrics(run)
    data = run.experiment.data
    log = read_log(history)
    log = log[log["target"] == data.target]
    if log.empty:
        raise DataError(f"--history: {history} holds no forecasts of {data.target}")
    frequency = run.preprocessing["frequency"]
    role = "--actuals" if actuals is not None else "data.path"
    observed = load_series_of(data, path=actuals, frequency=frequency, role=role).series
    keyed = data.is_panel  # many series: logged and scored per series
    cells = LiveCells.joined(_cells_per_series(log, observed, metrics, keyed))
    report = live_report(
        cells,
        bucket=bucket or default_bucket(frequency),
        frequency=frequency,
        keyed=keyed,
        drift_margin=drift_margin,
    )
    model = metrics["model"]
    report["left_out"] = _left_out(log, observed, keyed)
    report["test"] = {
        "mase": metrics["overall"][model]["mase"],
        "seasonal_naive_mase": metrics["overall"]["seasonal_naive"]["mase"],
        "mae": metrics["overall"][model]["mae"],
    }
    return {"target": data.target, "run_id": run.run_id, "history": str(history), **report}


def _test_metrics(run: Run) -> dict[str, Any]:
    path = run.run_dir / METRICS_FILE
    if not path.is_file():
        raise ArtifactError(
            f"{run.run_dir} has no {METRICS_FILE}; run lstmcast evaluate {run.run_dir}"
        )
    return read_json(path)


def _cells_per_series(
    log: pd.DataFrame, observed: dict[str, Any], metrics: dict[str, Any], keyed: bool
) -> list[LiveCells]:
    """Each logged series' cells (one series: the whole log), beside its own test figures;
    logged series the actuals no longer hold are named and left out."""
    groups = dict(iter(log.groupby("series_id", sort=True))) if keyed else {"": log}
    unknown = [str(sid) for sid in groups if keyed and str(sid) not in observed]
    if unknown and len(unknown) == len(groups):
        raise DataError(f"--history: no logged series is in the actuals (e.g. {unknown[0]})")
    parts = []
    for sid, rows in groups.items():
        name = str(sid)
        if keyed and name not in observed:
            continue
        series = observed[name] if keyed else next(iter(observed.values()))
        figures = _test_figures(metrics, name if keyed else None)
        parts.append(
            live_cells(
                rows, series, season_length=metrics["season_length"], test=figures, series_id=name
            )  # fmt: skip
        )
    return parts


def _left_out(log: pd.DataFrame, observed: dict[str, Any], keyed: bool) -> list[str]:
    """Logged series the actuals no longer hold (dropped from the feed): not scored."""
    if not keyed:
        return []
    return sorted({str(sid) for sid in log["series_id"]} - set(observed))


def _test_figures(metrics: dict[str, Any], sid: str | None) -> ExpectedError:
    """One series' test MAE per step and MASE scale: the run's own, or its entry under a
    panel's per_series."""
    model = metrics["model"]
    if sid is None:
        return ExpectedError(metrics["per_step"][model]["mae"], metrics["mase_scale"])
    entry = metrics["per_series"].get(sid)
    if entry is None or "per_step_mae" not in entry:
        raise ArtifactError(
            f"metrics.json has no test figures for series {sid}; run lstmcast evaluate on the "
            "run folder to score its series again"
        )
    return ExpectedError(entry["per_step_mae"], entry["mase_scale"])
