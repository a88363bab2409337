"""Attention of forecast queries over the encoder's steps: additive (Bahdanau), dot-product
(Luong) or multi-head. The layer is always named 'attention' and built to return its scores,
so `evaluate` can read the weights back from a saved model."""

from __future__ import annotations

from typing import Any

import keras

from lstmcast.config.sections.model import ModelSection

ATTENTION_LAYER = "attention"


def attend(config: ModelSection, query: Any, values: Any) -> Any:
    """Context vectors (batch, queries, width) of `query` (batch, queries, width) over
    `values` (batch, lookback, width)."""
    width = query.shape[-1]
    if values.shape[-1] != width:  # e.g. a decoder twice as wide as a summing encoder
        values = keras.layers.Dense(width, use_bias=False, name="attention_values")(values)
    if config.attention == "multi_head":
        layer = keras.layers.MultiHeadAttention(
            num_heads=config.heads, key_dim=width // config.heads, name=ATTENTION_LAYER
        )
        context, _ = layer(query, values, return_attention_scores=True)
        return context
    if config.attention == "additive":
        layer = keras.layers.AdditiveAttention(name=ATTENTION_LAYER)
    else:
        layer = keras.layers.Attention(score_mode="dot", name=ATTENTION_LAYER)
    context, _ = layer([query, values], return_attention_scores=True)
    return context


def attention_scores_model(model: keras.Model) -> keras.Model | None:
    """model inputs -> attention weights (batch, heads, queries, lookback); None without
    attention. For a recursive model, the weights of its first forecast step."""
    inner = model
    if ATTENTION_LAYER not in {layer.name for layer in model.layers}:
        nested = [layer for layer in model.layers if isinstance(layer, keras.Model)]
        if not nested:
            return None
        inner = nested[0]
        if ATTENTION_LAYER not in {layer.name for layer in inner.layers}:
            return None
    scores = inner.get_layer(ATTENTION_LAYER).output[1]
    if len(scores.shape) == 3:  # single-head layers: (batch, queries, lookback)
        scores = keras.layers.Reshape((1, *scores.shape[1:]), name="scores_heads")(scores)
    return keras.Model(inner.inputs, scores)
