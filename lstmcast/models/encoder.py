"""The recurrent encoder every architecture shares: a stack of LSTM or GRU layers over the
input window, optionally bidirectional, residual and layer-normalised.

It returns what the output strategies need: the per-step sequence (for attention), a summary
vector of the whole window (for a direct head) and the last layer's final states (to start a
seq2seq decoder).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import keras

from lstmcast.config.sections.model import ModelSection
from lstmcast.models.initializers import ForgetGateBias

_MERGE_LAYERS = {
    "concat": keras.layers.Concatenate,
    "sum": keras.layers.Add,
    "ave": keras.layers.Average,
    "mul": keras.layers.Multiply,
}


@dataclass(frozen=True)
class Encoded:
    summary: Any
    """(batch, width): the window summed up by the last layer."""
    sequence: Any | None
    """(batch, lookback, width), when asked for."""
    states: list[Any]
    """Final states of the last layer ([h, c] for LSTM, [h] for GRU; forward and backward
    concatenated for a bidirectional layer), when asked for."""


def recurrent_layer(
    config: ModelSection,
    units: int,
    *,
    name: str,
    return_sequences: bool,
    return_state: bool = False,
    use_cudnn: bool | Literal["auto"] = "auto",
) -> keras.layers.Layer:
    """One LSTM or GRU layer with the config's cell options."""
    options: dict[str, Any] = {
        "activation": config.activation,
        "recurrent_activation": config.recurrent_activation,
        "dropout": config.dropout,
        "recurrent_dropout": config.recurrent_dropout,
        "kernel_regularizer": keras.regularizers.L2(config.kernel_l2) if config.kernel_l2 else None,
        "recurrent_regularizer": (
            keras.regularizers.L2(config.recurrent_l2) if config.recurrent_l2 else None
        ),
        "return_sequences": return_sequences,
        "return_state": return_state,
        "stateful": config.stateful,
        "use_cudnn": use_cudnn,
        "name": name,
    }
    if config.cell == "gru":
        return keras.layers.GRU(units, **options)
    if config.forget_bias is not None:
        options["unit_forget_bias"] = False
        options["bias_initializer"] = ForgetGateBias(config.forget_bias)
    else:
        options["unit_forget_bias"] = config.unit_forget_bias
    return keras.layers.LSTM(units, **options)


def encode(
    window: Any,
    config: ModelSection,
    *,
    sequence: bool = False,
    states: bool = False,
    use_cudnn: bool | Literal["auto"] = "auto",
) -> Encoded:
    """Run the stack over `window`. Every layer but the last returns sequences; the last one
    too when a sequence is asked for or a residual/normalisation needs it."""
    hidden = window
    last = len(config.units) - 1
    norm = keras.layers.LayerNormalization if config.layer_norm else None
    final_states: list[Any] = []
    for depth, units in enumerate(config.units):
        is_last = depth == last
        sequences_out = not is_last or sequence or config.residual or config.layer_norm
        layer = recurrent_layer(
            config,
            units,
            name=f"{config.cell}_{depth + 1}",
            return_sequences=sequences_out,
            return_state=is_last and (states or (sequences_out and config.bidirectional)),
            use_cudnn=use_cudnn,
        )
        if config.bidirectional:
            merge_mode = config.merge_mode or "concat"
            layer = keras.layers.Bidirectional(
                layer, merge_mode=merge_mode, name=f"bidirectional_{depth + 1}"
            )
        output = layer(hidden)
        if isinstance(output, list | tuple):
            output, *final_states = output
        if config.residual and depth > 0:
            output = keras.layers.Add(name=f"residual_{depth + 1}")([hidden, output])
        if norm is not None:
            output = norm(name=f"layer_norm_{depth + 1}")(output)
        hidden = output
    if not sequences_out:
        summary = hidden
    elif config.bidirectional:
        summary = _merged_final_outputs(final_states, config)
    else:
        summary = last_step(hidden, name="summary")
    if config.bidirectional and final_states:
        final_states = _joined_directions(final_states, config.cell)
    return Encoded(
        summary=summary,
        sequence=hidden if sequence else None,
        states=final_states if states else [],
    )


def last_step(sequence: Any, *, name: str) -> Any:
    """(batch, steps, width) -> (batch, width) of the last step, with built-in layers only."""
    steps, width = sequence.shape[1], sequence.shape[2]
    cropped = keras.layers.Cropping1D((steps - 1, 0), name=f"{name}_crop")(sequence)
    return keras.layers.Reshape((width,), name=name)(cropped)


def _merged_final_outputs(final_states: list[Any], config: ModelSection) -> Any:
    """A bidirectional layer's summary: its two directions' final outputs, merged the way the
    layer merges its sequences (the backward direction's final output has read the whole
    window, unlike its value at the last step of the sequence)."""
    half = len(final_states) // 2
    forward, backward = final_states[0], final_states[half]
    merge = _MERGE_LAYERS[config.merge_mode or "concat"]
    return merge(name="summary")([forward, backward])


def _joined_directions(final_states: list[Any], cell: str) -> list[Any]:
    """[fh, fc, bh, bc] -> [fh|bh, fc|bc] (GRU: [fh, bh] -> [fh|bh]): states for a decoder
    twice as wide as one direction."""
    half = len(final_states) // 2
    names = ["h", "c"] if cell == "lstm" else ["h"]
    return [
        keras.layers.Concatenate(name=f"encoder_{name}")([forward, backward])
        for name, forward, backward in zip(
            names, final_states[:half], final_states[half:], strict=True
        )
    ]
