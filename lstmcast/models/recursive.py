"""Recursive one-step-ahead: a one-step model is trained, then fed its own forecasts.

The saved model unrolls the one-step model `horizon` times: each step's forecast (with that
step's known-in-advance values) becomes the newest row of the window and the oldest drops
out. Training fits the nested one-step model on one-step targets (`one_step_model`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import keras
from keras import ops

from lstmcast.models.direct import build_direct
from lstmcast.models.spec import ModelSpec, dtype_policy, frame_inputs

ONE_STEP = "one_step"


@keras.saving.register_keras_serializable(package="lstmcast")
class ShiftWindow(keras.layers.Layer):
    """[window (batch, lookback, columns), row (batch, columns)] -> the window one step later."""

    def call(self, inputs: list[Any]) -> Any:
        window, row = inputs
        return ops.concatenate([window[:, 1:, :], ops.expand_dims(row, 1)], axis=1)

    def compute_output_shape(self, input_shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
        return input_shapes[0]


def build_recursive(spec: ModelSpec, *, name: str = "recursive") -> keras.Model:
    """The configured direct model with horizon 1, unrolled over the horizon."""
    core = build_direct(spec.one_step(), name=ONE_STEP)
    with dtype_policy("float32"):  # feeding forecasts back stays in float32 under mixed precision
        inputs, forecast = _unrolled(core, spec)
    return keras.Model(inputs, forecast, name=name)  # the build's policy: loss scaling


def _unrolled(core: keras.Model, spec: ModelSpec) -> tuple[Any, Any]:
    outer = frame_inputs(_raw(spec))
    window, forecasts = outer.window, []
    for step in range(spec.horizon):
        future_step = None
        if outer.future is not None:
            future_step = keras.layers.Cropping1D(
                (step, spec.horizon - step - 1), name=f"future_{step + 1}"
            )(outer.future)
        forecast = core({"window": window, "future": future_step} if spec.known else window)
        forecasts.append(forecast)
        if step == spec.horizon - 1:
            break
        row = forecast
        if future_step is not None:
            known_row = keras.layers.Reshape((spec.known,), name=f"known_{step + 1}")(future_step)
            row = keras.layers.Concatenate(name=f"row_{step + 1}")([forecast, known_row])
        window = ShiftWindow(name=f"shift_{step + 1}")([window, row])
    joined = forecasts[0]
    if spec.horizon > 1:
        joined = keras.layers.Concatenate(name="forecast")(forecasts)
    return outer.inputs, joined


def one_step_model(model: keras.Model) -> keras.Model:
    """The nested one-step model that training fits."""
    return model.get_layer(ONE_STEP)


def _raw(spec: ModelSpec) -> ModelSpec:
    """The outer model feeds the core raw windows: the core normalises (and, in training,
    perturbs) each one itself."""
    quiet = spec.config.model_copy(update={"input_noise": 0.0})
    return replace(spec, per_window="none", config=quiet)
