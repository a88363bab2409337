"""What every architecture is built around: the window's shape, the future inputs, and the
per-window normalisation that wraps the network so a saved model maps forecasts back itself."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

import keras

from lstmcast.config.sections.model import ModelSection
from lstmcast.models.quantiles import QuantileSpread
from lstmcast.models.seasonal import SeasonalAnchor, SeasonalBlend
from lstmcast.models.series_embedding import UNKNOWN_SHARE, SeriesEmbedding
from lstmcast.models.window_norm import TargetDenormalization, WindowNormalization


@dataclass(frozen=True)
class ModelSpec:
    config: ModelSection
    lookback: int
    horizon: int
    num_features: int
    """Columns of the input window: observed, then known-in-advance ones."""
    observed: int
    """Leading columns known only up to the origin (target + features)."""
    per_window: str
    batch_size: int | None = None
    """Fixed batch size of a stateful model (its states are per batch row)."""
    use_cudnn: bool | Literal["auto"] = "auto"
    """True makes Keras raise rather than fall back from the cuDNN kernels (require_cudnn)."""
    series_embedding: tuple[int, int] | None = None
    """(series, size) for a learned vector per series, read from the last observed column
    (the series' number, 1-based; 0 is a series the model never saw)."""
    season_length: int = 1
    """The series' season: what a model anchored on or blended with seasonal naive repeats."""
    blend: bool = False
    """End in a SeasonalBlend, whose share training sets (model.blend)."""
    normalised: int | None = None
    """Leading columns per-window normalisation shifts (target + features); default: the
    observed ones. A panel's static one-hot columns are observed but must not be shifted,
    or a constant column would become zero in every window."""

    @property
    def known(self) -> int:
        """Trailing columns whose values over the horizon the model also reads."""
        return self.num_features - self.observed

    def one_step(self) -> ModelSpec:
        return replace(self, horizon=1)

    @property
    def outputs_per_step(self) -> int:
        """1, or the number of quantiles a quantile model emits per step."""
        return len(self.config.quantiles or [0.5])


@dataclass(frozen=True)
class Framed:
    """The model's inputs and the window the network reads (normalised when configured)."""

    inputs: Any
    window: Any
    """(batch, lookback, columns) as the network sees it."""
    future: Any | None
    """(batch, horizon, known columns) or None when nothing is known in advance."""
    center: Any | None
    scale: Any | None
    raw: Any = None
    """The window as given (globally scaled), before any per-window normalisation."""

    def output(self, forecast: Any, spec: ModelSpec, *, name: str) -> keras.Model:
        """The model from its (normalised) forecast: adds the linear skip when configured, maps
        back to the globally scaled units, and names the result. Under mixed precision the
        forecast is cast to float32 first, and what follows computes in float32."""
        if keras.config.dtype_policy().compute_dtype != "float32":
            forecast = keras.layers.Activation("linear", dtype="float32", name="forecast_float32")(
                forecast
            )
        with dtype_policy("float32"):
            forecast = self._finish(forecast, spec)
        # The model itself takes the build's policy: mixed_float16 tells compile to scale the loss.
        return keras.Model(self.inputs, forecast, name=name)

    def _finish(self, forecast: Any, spec: ModelSpec) -> Any:
        quantiles = spec.config.quantiles
        if quantiles:  # (batch, horizon, quantiles), never crossing
            forecast = QuantileSpread(quantiles.index(0.5), name="quantiles")(forecast)
        if spec.config.linear_skip:
            flat = keras.layers.Flatten(name="skip_flatten")(self.window)
            skip = keras.layers.Dense(spec.horizon, name="linear_skip")(flat)
            if quantiles:  # shifts every quantile alike
                skip = keras.layers.Reshape((spec.horizon, 1), name="skip_per_step")(skip)
            forecast = keras.layers.Add(name="forecast_plus_skip")([forecast, skip])
        if spec.config.anchor == "seasonal_naive":  # a correction to the last season
            given = [forecast, self.raw] + ([self.scale] if self.scale is not None else [])
            forecast = SeasonalAnchor(spec.season_length, name="seasonal_anchor")(given)
        elif self.center is not None:
            forecast = TargetDenormalization(name="window_denorm")(
                [forecast, self.center, self.scale]
            )
        blend = seasonal_blend(spec)
        return forecast if blend is None else blend([forecast, self.raw])


def seasonal_blend(spec: ModelSpec) -> SeasonalBlend | None:
    """The layer that ends a model with model.blend, or None."""
    if not spec.blend:
        return None
    quantiles = spec.config.quantiles
    median = quantiles.index(0.5) if quantiles else None
    return SeasonalBlend(spec.season_length, spec.horizon, median, name="seasonal_blend")


def frame_inputs(spec: ModelSpec) -> Framed:
    """keras.Input 'window' (and 'future' when known columns exist), normalised per window."""
    batch = spec.batch_size
    window = keras.Input(shape=(spec.lookback, spec.num_features), batch_size=batch, name="window")
    future, inputs = None, window
    if spec.known:
        future = keras.Input(shape=(spec.horizon, spec.known), batch_size=batch, name="future")
        inputs = {"window": window, "future": future}
    center = scale = None
    hidden = window
    if spec.per_window != "none":
        with dtype_policy("float32"):  # window statistics need float32 under mixed precision
            hidden, center, scale = WindowNormalization(
                spec.per_window, columns=spec.normalised or spec.observed, name="window_norm"
            )(window)
    if spec.series_embedding is not None:
        count, size = spec.series_embedding
        hidden = SeriesEmbedding(
            spec.observed - 1, count, size, UNKNOWN_SHARE, name="series_embedding"
        )(hidden)
    if spec.config.input_noise:  # active in training only
        hidden = keras.layers.GaussianNoise(spec.config.input_noise, name="input_noise")(hidden)
    return Framed(
        inputs=inputs, window=hidden, future=future, center=center, scale=scale, raw=window
    )


@contextlib.contextmanager
def dtype_policy(name: str) -> Iterator[None]:
    """Build layers under a Keras dtype policy ('float32', 'mixed_float16', ...), restoring the
    previous one after."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)
