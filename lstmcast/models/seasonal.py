"""Seasonal naive inside the model: the window's last season repeated over the horizon, as an
anchor the network corrects (model.anchor) or as a forecast its own is blended with
(model.blend). Both read the raw, globally scaled window, so the saved model needs nothing
else; both are registered, so `load_model(safe_mode=True)` restores them."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


def last_season(window: Any, season: int, horizon: int) -> Any:
    """(batch, lookback, columns) -> (batch, horizon): the target's last `season` values of
    the window, repeated: the seasonal-naive forecast."""
    lookback = window.shape[1]
    rows = [lookback - season + step % season for step in range(horizon)]
    return ops.take(window[:, :, 0], ops.convert_to_tensor(rows, dtype="int32"), axis=1)


@keras.saving.register_keras_serializable(package="lstmcast")
class SeasonalAnchor(keras.layers.Layer):
    """[correction (batch, horizon) or (batch, horizon, quantiles), raw window (batch,
    lookback, columns), and the per-window scale (batch, 1, columns) when there is one] -> the
    seasonal-naive forecast + correction * scale."""

    def __init__(self, season: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.season = season

    def call(self, inputs: list[Any]) -> Any:
        correction, window = inputs[0], inputs[1]
        anchor = last_season(window, self.season, correction.shape[1])
        scale = inputs[2][:, 0, :1] if len(inputs) > 2 else ops.ones_like(anchor[:, :1])
        if len(correction.shape) == 3:  # quantiles: each corrects the same anchor
            anchor, scale = anchor[:, :, None], scale[:, :, None]
        return anchor + correction * scale

    def compute_output_shape(self, input_shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
        return input_shapes[0]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "season": self.season}


@keras.saving.register_keras_serializable(package="lstmcast")
class SeasonalBlend(keras.layers.Layer):
    """[forecast (batch, horizon) or (batch, horizon, quantiles), raw window] -> share *
    forecast + (1 - share) * seasonal naive. A quantile forecast moves every quantile by what
    its median (at `median`) moves, so its spread stays the network's.

    `share` is a weight but not a trained one: it is 1 (the network alone) while the network
    trains, and training then sets it from the validation windows (training/blend.py); the
    saved model keeps it like any weight."""

    def __init__(self, season: int, horizon: int, median: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.season, self.horizon, self.median = season, horizon, median

    def build(self, input_shapes: list[tuple[int, ...]]) -> None:
        self.share = self.add_weight(shape=(), initializer="ones", trainable=False, name="share")

    def call(self, inputs: list[Any]) -> Any:
        forecast, window = inputs
        # the horizon is the layer's own: an ensemble's median loses its static shape when
        # traced for export
        naive = last_season(window, self.season, self.horizon)
        if len(forecast.shape) == 3:
            shift = (1.0 - self.share) * (naive - forecast[:, :, self.median])
            return forecast + shift[:, :, None]
        return self.share * forecast + (1.0 - self.share) * naive

    def compute_output_shape(self, input_shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
        return input_shapes[0]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "season": self.season,
            "horizon": self.horizon,
            "median": self.median,
        }


def seasonal_layers(model: keras.Model, kind: type[keras.layers.Layer]) -> list[Any]:
    """Every layer of `kind` in the model, in nested models too (an ensemble's members)."""
    found = []
    for layer in model.layers:
        if isinstance(layer, kind):
            found.append(layer)
        elif isinstance(layer, keras.Model):
            found += seasonal_layers(layer, kind)
    return found


def blend_layers(model: keras.Model) -> list[SeasonalBlend]:
    """The model's blend (one; none when model.blend does not apply)."""
    return seasonal_layers(model, SeasonalBlend)


def blend_share(model: Any) -> float | None:
    """The network's share in a blended model's forecast; None when it has no blend."""
    layers = blend_layers(model) if hasattr(model, "layers") else []
    return float(keras.ops.convert_to_numpy(layers[0].share)) if layers else None


def season_of(model: keras.Model) -> int:
    """The season a trained model repeats (1 when it repeats none): what building the same
    architecture again needs."""
    layers = seasonal_layers(model, SeasonalAnchor) + blend_layers(model)
    return layers[0].season if layers else 1


def set_blend_share(model: keras.Model, share: float) -> None:
    for layer in blend_layers(model):
        layer.share.assign(share)
