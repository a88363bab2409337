"""Attention weights of the test windows: which past steps each forecast looked at.

Exported as CSV (one row per window, head and query; one column per input step, lag_0 being
the origin) and, with the plotting extra, as a heat map averaged over windows and heads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lstmcast.config.sections.model import ModelSection
from lstmcast.data.frequency import format_timestamps
from lstmcast.data.prepare import PreparedData
from lstmcast.errors import ConfigError
from lstmcast.prediction import predict_scaled

if TYPE_CHECKING:
    import keras


@dataclass(frozen=True)
class AttentionWeights:
    origins: np.ndarray
    """Row index of each test window's origin."""
    weights: np.ndarray
    """(windows, heads, queries, lookback); each query's weights sum to 1 over the lookback."""
    queries: list[str]
    """What asked: 'forecast' (direct), 'step 1' .. 'step H' (seq2seq decoder steps)."""

    def to_frame(self, timestamps: pd.DatetimeIndex) -> pd.DataFrame:
        windows, heads, queries, lookback = self.weights.shape
        index = pd.DataFrame(
            {
                "origin": np.repeat(format_timestamps(timestamps[self.origins]), heads * queries),
                "head": np.tile(np.repeat(np.arange(1, heads + 1), queries), windows),
                "query": np.tile(self.queries, windows * heads),
            }
        )
        lags = [f"lag_{lag}" for lag in range(lookback - 1, -1, -1)]
        values = pd.DataFrame(self.weights.reshape(-1, lookback), columns=lags)
        return pd.concat([index, values], axis=1)

    def mean_map(self) -> np.ndarray:
        """(queries, lookback): the average over windows and heads."""
        return self.weights.mean(axis=(0, 1))


def require_attention(model: ModelSection, run_dir: Path) -> None:
    if model.stateful:
        raise ConfigError(
            f"--attention: the model in {run_dir} is stateful, and its weights depend on the "
            "state carried from earlier windows; attention export covers stateless models"
        )
    if model.attention == "none":
        raise ConfigError(
            f"--attention: the model in {run_dir} has no attention layer (model.attention: "
            "none); train with model.attention: additive, dot or multi_head"
        )


def attention_weights(model: keras.Model, data: PreparedData) -> AttentionWeights:
    """The attention weights of every test window (stride 1), as evaluate scores them."""
    from lstmcast.models.attention import attention_scores_model

    experiment = data.experiment
    scores_model = attention_scores_model(model)
    if scores_model is None:  # the config says attention but the saved model has none
        raise ConfigError("--attention: the saved model has no layer named 'attention'")
    output = experiment.model.output
    horizon = 1 if output == "recursive" else experiment.windows.horizon
    origins = data.starts["test"] + experiment.windows.lookback - 1
    weights = predict_scaled(scores_model, experiment, data.scaled, origins, horizon=horizon)
    queries = {
        "direct": ["forecast"],
        "seq2seq": [f"step {step}" for step in range(1, horizon + 1)],
        "recursive": ["step 1"],  # the one-step model's attention at the first step
    }[output]
    return AttentionWeights(origins=origins, weights=weights, queries=queries)


def plot_attention(weights: AttentionWeights, path: Path) -> None:
    """Heat map of the mean weights, queries down, input steps across (origin on the right)."""
    from lstmcast.plots import figure_to

    mean = weights.mean_map()
    queries, lookback = mean.shape
    size = (min(4 + lookback / 8, 16), min(2 + queries / 4, 12))
    with figure_to(path, size=size) as (figure, axes):
        extent = (-lookback + 0.5, 0.5, queries + 0.5, 0.5)  # x: steps before the origin
        image = axes.imshow(mean, aspect="auto", cmap="viridis", extent=extent)
        axes.set_xlabel("input step relative to the origin (0 = origin)")
        axes.set_ylabel("forecast step" if queries > 1 else "")
        axes.set_yticks(range(1, queries + 1), weights.queries if queries <= 24 else None)
        axes.set_title(f"mean attention over {weights.weights.shape[0]} test windows")
        figure.colorbar(image, ax=axes, label="weight")
