"""A global model scored series by series on its test windows, beside the baselines, and the
figures that summarise a panel: mean and median MASE, the share of series where the model
beats seasonal naive, the worst series."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from lstmcast import artifacts
from lstmcast.artifacts import Run, model_label
from lstmcast.data.scaling import Scaler
from lstmcast.data.windows import target_windows
from lstmcast.evaluation.evaluate import validation_forecasts
from lstmcast.evaluation.intervals import ConformalIntervals, calibrate
from lstmcast.evaluation.scoring import Scales, baseline_forecasts, score, score_intervals, skill
from lstmcast.panels.prepare import PanelData
from lstmcast.prediction import forecast_at_origins

if TYPE_CHECKING:
    import keras

WORST = 5


def evaluate_panel(
    model: keras.Model, parts: Iterable[PanelData], intervals: ConformalIntervals | None = None
) -> dict[str, Any]:
    """Per-series metrics on every test window, in each series' own units; with intervals,
    their coverage per series and pooled over every test cell of every series. `parts`: the
    panel, or its parts read one at a time; the result is the same."""
    per_series: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    windows = 0
    for data in parts:
        per_series.update(_score_part(model, data, intervals))
        skipped.update(data.layout.skipped)
        windows += len(data.starts["test"])
    from lstmcast.models.seasonal import blend_share  # Keras: only where a model is

    experiment, label = data.experiment, data.experiment.model.cell
    per_series = dict(sorted(per_series.items()))  # in id order, as one part lists them
    return {
        "model": label,
        "model_label": model_label(label, blend_share(model)),
        "target": experiment.data.target,
        "horizon": experiment.windows.horizon,
        "season_length": data.season_length,
        "series": len(per_series),
        "test_windows": windows,
        "skipped": dict(sorted(skipped.items())),
        **summarise(per_series, label),
        "intervals": pooled_coverage(per_series),
        "per_series": per_series,
    }


def _score_part(
    model: keras.Model, data: PanelData, intervals: ConformalIntervals | None
) -> dict[str, dict[str, Any]]:
    """Each series of one part: its scores on its test windows."""
    experiment, layout = data.experiment, data.layout
    origins = data.starts["test"] + experiment.windows.lookback - 1
    columns = data.table.shape[1]
    scaled = forecast_at_origins(
        model, experiment, data.table, origins, Scaler("none", np.zeros(columns), np.ones(columns))
    )
    owner = layout.series_of(origins)
    label = experiment.model.cell
    per_series = {}
    for index, sid in enumerate(layout.ids):
        mine = owner == index
        local = origins[mine] - layout.offsets[index]
        scaler = layout.scalers[index]
        bands = intervals.scaled(float(scaler.scale[0])) if intervals is not None else None
        per_series[sid] = _score_series(
            data, sid, index, local, scaler.inverse_target(scaled[mine]), label, bands
        )
    return per_series


def _score_series(
    data: PanelData,
    sid: str,
    index: int,
    origins: np.ndarray,
    forecast: np.ndarray,
    label: str,
    intervals: ConformalIntervals | None,
) -> dict[str, Any]:
    series, bounds = data.panel.series[sid], data.layout.bounds[index]
    horizon, lookback = data.experiment.windows.horizon, data.experiment.windows.lookback
    target = series.values[:, 0]
    actual = target_windows(
        series.values, origins - lookback + 1, lookback=lookback, horizon=horizon
    )
    methods = {
        label: forecast,
        **baseline_forecasts(target, origins + 1, horizon, data.season_length),
    }
    scales = Scales.of(target[: bounds.validation_start], data.season_length)
    overall, _ = score(actual, methods, scales)
    bands = intervals.bounds(forecast) if intervals is not None else {}
    return series_scores(len(origins), overall, label, score_intervals(actual, bands))


def series_scores(
    windows: int, overall: dict[str, dict[str, float]], label: str, intervals: dict[str, Any]
) -> dict[str, Any]:
    """One series' entry in a panel's per_series: its windows, scores and band coverage."""
    return {
        "windows": int(windows),
        "overall": overall,
        "skill": skill(overall, label),
        "intervals": {level: {"coverage": s["coverage"]} for level, s in intervals.items()},
    }


def pooled_coverage(per_series: dict[str, dict[str, Any]]) -> dict[str, dict[str, float]]:
    """level -> the share of every test cell of every series inside its band (what a
    calibration pooled over series promises), and the lowest coverage of any one series."""
    scored = [(s["windows"], s["intervals"]) for s in per_series.values() if s["intervals"]]
    if not scored:
        return {}
    weights = np.array([windows for windows, _ in scored], dtype=np.float64)
    pooled = {}
    for level in scored[0][1]:
        coverage = np.array([bands[level]["coverage"] for _, bands in scored])
        pooled[level] = {
            "coverage": _round(float(np.average(coverage, weights=weights))),
            "lowest_series_coverage": _round(float(coverage.min())),
        }
    return pooled


def summarise(per_series: dict[str, dict[str, Any]], label: str) -> dict[str, Any]:
    """Mean and median MASE per method, the share of series beating seasonal naive, and the
    series where the model does worst against it."""
    methods = list(next(iter(per_series.values()))["overall"])
    mase = {m: np.array([s["overall"][m]["mase"] for s in per_series.values()]) for m in methods}
    finite = {m: values[np.isfinite(values)] for m, values in mase.items()}
    ratio = mase[label] / mase["seasonal_naive"]
    order = np.argsort(np.where(np.isfinite(ratio), -ratio, np.inf))
    ids = list(per_series)
    return {
        "mean_mase": {m: _round(v.mean()) for m, v in finite.items()},
        "median_mase": {m: _round(np.median(v)) for m, v in finite.items()},
        "beats_seasonal_naive": _round(float(np.mean(mase[label] < mase["seasonal_naive"]))),
        "worst": [
            {
                "series_id": ids[i],
                "mase": _round(mase[label][i]),
                "seasonal_naive_mase": _round(mase["seasonal_naive"][i]),
            }
            for i in order[:WORST]
        ],  # fmt: skip
    }


def _round(value: float) -> float:
    return float(f"{float(value):.7g}") if np.isfinite(value) else float("nan")


def calibrate_panel(model: keras.Model, parts: Iterable[PanelData]) -> ConformalIntervals | None:
    """Split-conformal half-widths from the validation windows of every series pooled (over
    every part), in the per-series scaled units the model works in (a series has too few
    validation windows for a band of its own); each series' band is that times its own
    scale."""
    pairs, levels = [], None
    for data in parts:
        if data.experiment.intervals is None:
            return None
        pairs.append(validation_forecasts(model, data.fitting))
        levels = data.experiment.intervals.levels
    if len(pairs) == 1:
        actual, predicted = pairs[0]
    else:
        actual, predicted = (np.concatenate(arrays) for arrays in zip(*pairs, strict=True))
    source = "validation windows of every series, pooled in per-series scaled units"
    return calibrate(actual, predicted, levels, source=source)


def rescore_panel(run: Run) -> dict[str, Any]:
    """`evaluate RUN` for a panel run: re-score on the test split, rewrite metrics.json."""
    from lstmcast.panels.prepare import prepare_panel
    from lstmcast.runtime import select_device

    data = prepare_panel(run.experiment)
    select_device(run.experiment.training.device)  # TensorFlow loads quietly, on the device asked
    evaluation = evaluate_panel(run.load_model(), [data], ConformalIntervals.of_run(run))
    artifacts.write_json(run.run_dir / artifacts.METRICS_FILE, evaluation)
    return evaluation
