"""A run's model as ONNX, run by ONNX Runtime: a forecast without importing TensorFlow.

Importing TensorFlow and loading a Keras model is most of a cron forecast's few seconds; ONNX
Runtime loads the same network in milliseconds. Training writes `model.onnx` beside
`model.keras` when the `onnx` extra is installed and the export agrees with Keras
(training/export.py); `forecast` reads it when onnxruntime is installed. This module imports
neither TensorFlow nor Keras.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

CHUNK = 4096
"""Windows per ONNX Runtime call: bounds the memory of a many-series forecast."""


def onnx_runtime_available() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None


class OnnxModel:
    """The part of a Keras model's interface lstmcast predicts with: predict(inputs)."""

    def __init__(self, path: Path) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only: a cron job's stderr stays quiet
        self.session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self.input_names = [given.name for given in self.session.get_inputs()]
        self.device = f"CPU (ONNX Runtime {onnxruntime.__version__})"

    def predict(self, inputs: np.ndarray | dict[str, np.ndarray]) -> np.ndarray:
        """Outputs for (windows, lookback, columns), or {"window", "future"} as the Keras
        model takes them."""
        named = inputs if isinstance(inputs, dict) else {"window": inputs}
        count = len(named["window"])
        parts = [
            self.session.run(None, self._feed(named, slice(first, first + CHUNK)))[0]
            for first in range(0, max(count, 1), CHUNK)
        ]
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def _feed(self, named: dict[str, np.ndarray], rows: slice) -> dict[str, np.ndarray]:
        """By the Keras inputs' names ('window', 'future') when the export kept them, else in
        that order."""
        if len(self.input_names) == 1:
            return {self.input_names[0]: named["window"][rows]}
        if set(self.input_names) == set(named):
            return {name: named[name][rows] for name in self.input_names}
        ordered = [named["window"], named["future"]]
        return {name: ordered[i][rows] for i, name in enumerate(self.input_names)}
