"""model.blend: after the network has trained, choose how much of its forecast to keep
against seasonal naive, on the validation windows it never fitted.

A network that learned little from a short or changing series forecasts worse than repeating
the last season; the blend lets the validation windows say so, and by how much, before the
test split ever does. The share lives in the model (models/seasonal.py), so evaluate,
forecast and backtest use it without knowing it exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lstmcast.data.prepare import PreparedData
from lstmcast.data.windows import target_windows
from lstmcast.evaluation.baselines import seasonal_naive
from lstmcast.prediction import predict_scaled

if TYPE_CHECKING:
    import keras

SHARES = np.round(np.linspace(1.0, 0.0, 21), 2)
"""The network's shares tried, from 1 down: the first best wins, so a tie keeps the network."""


@dataclass(frozen=True)
class BlendChoice:
    share: float
    """The network's weight in the forecast; seasonal naive has the rest."""
    windows: int
    network_mae: float
    seasonal_naive_mae: float
    blend_mae: float
    """Validation mean absolute errors in the scaled units the model works in."""

    def describe(self) -> str:
        counted = f"on {self.windows} validation windows"
        if self.share == 1.0:
            return f"model.blend: the network alone (seasonal naive did not help {counted})"
        gain = 100 * (1 - self.blend_mae / self.network_mae)
        return (
            f"model.blend: forecast = {self.share:.2f} x network + {1 - self.share:.2f} x "
            f"seasonal naive, chosen {counted} (MAE {gain:.1f} % below the network's alone)"
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def choose_blend(model: keras.Model, parts: Iterable[PreparedData]) -> BlendChoice | None:
    """Set the model's blend share to the one with the lowest validation MAE over every
    part's windows (one part, or a panel's parts read one at a time); None (and the model left
    as it is) for a model without a blend or a run without validation windows."""
    from lstmcast.models.seasonal import blend_layers, set_blend_share

    layers = blend_layers(model)
    if not layers:
        return None
    sums, cells, windows = np.zeros(len(SHARES)), 0, 0
    for data in parts:
        part_sums, (part_windows, horizon) = _absolute_errors(model, data, layers[0].season)
        sums += part_sums
        cells, windows = cells + part_windows * horizon, windows + part_windows
    if windows == 0:
        return None
    errors = [float(total / cells) for total in sums]
    best = int(np.argmin(errors))
    set_blend_share(model, float(SHARES[best]))
    return BlendChoice(
        share=float(SHARES[best]),
        windows=windows,
        network_mae=errors[0],
        seasonal_naive_mae=errors[-1],
        blend_mae=errors[best],
    )


def _absolute_errors(
    model: keras.Model, data: PreparedData, season: int
) -> tuple[np.ndarray, tuple[int, int]]:
    """(the sum of absolute validation errors at each share, (windows, horizon) summed)."""
    experiment, starts = data.experiment, data.starts["validation"]
    if len(starts) == 0:
        return np.zeros(len(SHARES)), (0, 0)
    lookback, horizon = experiment.windows.lookback, experiment.windows.horizon
    actual = target_windows(data.scaled[:, 0], starts, lookback=lookback, horizon=horizon)
    origins = starts + lookback - 1
    network = _point(predict_scaled(model, experiment, data.scaled, origins), experiment)
    naive = seasonal_naive_after(data.scaled[:, 0], origins, horizon=horizon, season=season)
    sums = [float(np.sum(np.abs(s * network + (1 - s) * naive - actual))) for s in SHARES]
    return np.array(sums), actual.shape


def seasonal_naive_after(
    target: np.ndarray, origins: np.ndarray, *, horizon: int, season: int
) -> np.ndarray:
    """What the blend layer's seasonal naive forecasts after each origin, (windows, horizon):
    the evaluation baseline read from the first target row (origin + 1), gathered from the
    table instead of a second pass of the model (on 250,000 validation windows that pass cost
    as much as the first)."""
    return seasonal_naive(target, origins + 1, horizon, season)


def _point(outputs: np.ndarray, experiment: Any) -> np.ndarray:
    """(windows, horizon): the forecast, or a quantile model's median."""
    quantiles = experiment.model.quantiles
    return outputs[:, :, quantiles.index(0.5)] if quantiles else outputs
