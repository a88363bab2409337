"""Direct multi-output: one head maps the encoded window (and the known future) to every
horizon step at once."""

from __future__ import annotations

import keras

from lstmcast.models.attention import attend
from lstmcast.models.encoder import encode
from lstmcast.models.spec import ModelSpec, frame_inputs


def build_direct(spec: ModelSpec, *, name: str = "direct") -> keras.Model:
    config = spec.config
    framed = frame_inputs(spec)
    encoded = encode(
        framed.window, config, sequence=config.attention != "none", use_cudnn=spec.use_cudnn
    )
    head_inputs = [encoded.summary]
    if config.attention != "none":
        width = encoded.summary.shape[-1]
        query = keras.layers.Reshape((1, width), name="query")(encoded.summary)
        context = attend(config, query, encoded.sequence)
        head_inputs.append(keras.layers.Flatten(name="context")(context))
    if framed.future is not None:
        head_inputs.append(keras.layers.Flatten(name="future_flat")(framed.future))
    features = head_inputs[0]
    if len(head_inputs) > 1:
        features = keras.layers.Concatenate(name="head_inputs")(head_inputs)
    per_step = spec.outputs_per_step
    forecast = keras.layers.Dense(spec.horizon * per_step, name="forecast")(features)
    if config.quantiles:
        forecast = keras.layers.Reshape((spec.horizon, per_step), name="forecast_quantiles")(
            forecast
        )
    return framed.output(forecast, spec, name=name)
