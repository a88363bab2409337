"""Experiments and random inputs for building models directly, without a CSV."""

from __future__ import annotations

import numpy as np

from lstmcast.config.schema import ResolvedExperiment

KNOWN = {"data": {"known": ["k"], "calendar": ["hour"]}}  # 1 + 2 known-in-advance columns


def experiment(
    model: dict, *, lookback=12, horizon=4, known=False, batch_size=32
) -> ResolvedExperiment:
    per_window = "none" if model.get("stateful") else "standard"
    data = {"path": "x.csv", "target": "y", **(KNOWN["data"] if known else {})}
    return ResolvedExperiment.model_validate(
        {
            "data": data,
            "windows": {"lookback": lookback, "horizon": horizon},
            "scaling": {"per_window": per_window},
            "model": model,
            "training": {"batch_size": batch_size},
            "output": {"run_dir": "runs/x"},
        }
    )


def inputs(batch: int, lookback: int, horizon: int, known: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    window = rng.normal(size=(batch, lookback, 1 + known)).astype("float32")
    if not known:
        return window
    return {"window": window, "future": rng.normal(size=(batch, horizon, known)).astype("float32")}


FAMILIES = {
    "stacked lstm": {"units": [8, 8]},
    "gru": {"cell": "gru", "units": [8, 8]},
    "bidirectional concat": {"units": [8], "bidirectional": True},
    "bidirectional sum": {"units": [8], "bidirectional": True, "merge_mode": "sum"},
    "bidirectional ave": {"units": [8], "bidirectional": True, "merge_mode": "ave"},
    "bidirectional mul": {"units": [8], "bidirectional": True, "merge_mode": "mul"},
    "residual 4 deep + layer norm": {"units": [8] * 4, "residual": True, "layer_norm": True},
    "additive attention": {"units": [8], "attention": "additive"},
    "dot attention": {"units": [8], "attention": "dot"},
    "multi-head attention": {"units": [8], "attention": "multi_head", "attention_heads": 2},
    "seq2seq": {"units": [8], "output": "seq2seq"},
    "seq2seq gru bidirectional attention": {
        "cell": "gru",
        "units": [8],
        "bidirectional": True,
        "output": "seq2seq",
        "attention": "dot",
    },
    "recursive": {"units": [8], "output": "recursive"},
    "cell options": {
        "units": [8],
        "activation": "softsign",
        "recurrent_activation": "hard_sigmoid",
        "forget_bias": 2.0,
        "kernel_l2": 1e-4,
        "recurrent_l2": 1e-4,
        "dropout": 0.1,
        "recurrent_dropout": 0.1,
    },
    "stateful": {"units": [8], "stateful": True},
}
