"""A global model scored series by series on its test windows, beside the baselines, and the
figures that summarise a panel: mean and median MASE, the share of series where the model
beats seasonal naive, the worst series."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lstmcast import artifacts
from lstmcast.artifacts import Run
from lstmcast.data.scaling import Scaler
from lstmcast.data.windows import target_windows
from lstmcast.evaluation.scoring import Scales, baseline_forecasts, score, skill
from lstmcast.panels.prepare import PanelData
from lstmcast.prediction import forecast_at_origins

if TYPE_CHECKING:
    import keras

WORST = 5


def evaluate_panel(model: keras.Model, data: PanelData) -> dict[str, Any]:
    """Per-series metrics on every test window (stride 1), in each series' own units."""
    experiment, layout = data.experiment, data.layout
    lookback, horizon = experiment.windows.lookback, experiment.windows.horizon
    origins = data.starts["test"] + lookback - 1
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
        per_series[sid] = _score_series(
            data, sid, index, local, layout.scalers[index].inverse_target(scaled[mine]), label
        )
    return {
        "model": label,
        "target": experiment.data.target,
        "horizon": horizon,
        "season_length": data.season_length,
        "series": len(per_series),
        "test_windows": int(len(origins)),
        "skipped": layout.skipped,
        **summarise(per_series, label),
        "per_series": per_series,
    }


def _score_series(
    data: PanelData, sid: str, index: int, origins: np.ndarray, forecast: np.ndarray, label: str
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
    return {"windows": int(len(origins)), "overall": overall, "skill": skill(overall, label)}


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


def rescore_panel(run: Run) -> dict[str, Any]:
    """`evaluate RUN` for a panel run: re-score on the test split, rewrite metrics.json."""
    from lstmcast.panels.prepare import prepare_panel
    from lstmcast.runtime import select_device

    data = prepare_panel(run.experiment)
    select_device(run.experiment.training.device)  # TensorFlow loads quietly, on the device asked
    evaluation = evaluate_panel(run.load_model(), data)
    artifacts.write_json(run.run_dir / artifacts.METRICS_FILE, evaluation)
    return evaluation
