"""Encoder-decoder: the encoder's final states start a decoder that unrolls over the horizon.

The decoder reads the encoder's summary at every step (repeat-vector style) and, when columns
are known in advance, their values at that step. It never reads targets, so training,
evaluation and forecasting run the same graph: nothing after the origin can leak in.
"""

from __future__ import annotations

import keras

from lstmcast.models.attention import attend
from lstmcast.models.encoder import encode, recurrent_layer
from lstmcast.models.spec import ModelSpec, frame_inputs


def build_seq2seq(spec: ModelSpec, *, name: str = "seq2seq") -> keras.Model:
    config = spec.config
    framed = frame_inputs(spec)
    encoded = encode(
        framed.window,
        config,
        sequence=config.attention != "none",
        states=True,
        use_cudnn=spec.use_cudnn,
    )
    steps = keras.layers.RepeatVector(spec.horizon, name="repeat_summary")(encoded.summary)
    if framed.future is not None:
        steps = keras.layers.Concatenate(name="decoder_inputs")([steps, framed.future])
    state_width = encoded.states[0].shape[-1]
    decoder = recurrent_layer(
        config, state_width, name="decoder", return_sequences=True, use_cudnn=spec.use_cudnn
    )
    decoded = decoder(steps, initial_state=encoded.states)
    if config.attention != "none":
        context = attend(config, decoded, encoded.sequence)
        decoded = keras.layers.Concatenate(name="decoded_and_context")([decoded, context])
    outputs = spec.outputs_per_step
    per_step = keras.layers.TimeDistributed(keras.layers.Dense(outputs), name="step_output")(
        decoded
    )
    forecast = per_step  # (batch, horizon, quantiles) for a quantile model
    if not config.quantiles:
        forecast = keras.layers.Reshape((spec.horizon,), name="forecast")(per_step)
    return framed.output(forecast, spec, name=name)
