"""output.onnx: write the trained model as ONNX beside model.keras, only when it forecasts the
same numbers.

Keras exports through tf2onnx; not every layer of every family converts, and a converter may
convert wrongly without failing. So the export is checked against Keras on the validation
windows (up to CHECK_WINDOWS of them) and kept only when every output agrees to TOLERANCE; a
run folder without `model.onnx` forecasts with Keras, as before. The outcome is one line for
`train` to say.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from lstmcast.data.prepare import PreparedData
from lstmcast.errors import ConfigError
from lstmcast.models.onnx import OnnxModel
from lstmcast.prediction import predict_scaled

if TYPE_CHECKING:
    import keras

TOLERANCE = 1e-5
"""Largest difference allowed between Keras's and ONNX Runtime's outputs, in the scaled units
the model works in, relative to the output's own size (and absolute below 1)."""
CHECK_WINDOWS = 512
PACKAGES = ("tf2onnx", "onnxruntime")


def missing_onnx_packages() -> list[str]:
    return [name for name in PACKAGES if importlib.util.find_spec(name) is None]


def check_onnx_possible(setting: str) -> None:
    """output.onnx: always refuses, before training, a machine that cannot export."""
    missing = missing_onnx_packages()
    if setting == "always" and missing:
        raise ConfigError(
            f"output.onnx: always needs {' and '.join(missing)}: pip install 'lstmcast[onnx]'"
        )


def export_onnx(
    model: keras.Model, data: PreparedData, path: Path, *, tell: Callable[[str], None]
) -> None:
    """Write `path` when the export agrees with `model`, and `tell` what happened (nothing when
    output.onnx is never, or auto without the packages)."""
    outcome = _export(model, data, path)
    if outcome is not None:
        tell(outcome)


def _export(model: keras.Model, data: PreparedData, path: Path) -> str | None:
    experiment = data.experiment
    if experiment.output.onnx == "never" or missing_onnx_packages():
        return None
    if experiment.model.stateful:
        return "output.onnx: not written; a stateful model replays its history with Keras"
    try:
        _quietly(lambda: model.export(str(path), format="onnx", verbose=False))
        difference = _largest_difference(model, OnnxModel(path), data)
    except Exception as err:  # tf2onnx raises many types for a layer it cannot convert
        path.unlink(missing_ok=True)
        return f"output.onnx: not written; the export failed ({type(err).__name__}: {err})"
    if not difference <= TOLERANCE:
        path.unlink()
        return (
            f"output.onnx: not written; ONNX Runtime's forecasts differ from Keras's by "
            f"{difference:.2g} (more than {TOLERANCE:g}); forecast uses Keras"
        )
    return f"output.onnx: model.onnx written (agrees with Keras to {difference:.1g})"


def _largest_difference(model: keras.Model, exported: OnnxModel, data: PreparedData) -> float:
    experiment = data.experiment
    starts = data.starts["validation"][:CHECK_WINDOWS]
    if len(starts) == 0:
        starts = data.starts["train"][:CHECK_WINDOWS]
    origins = starts + experiment.windows.lookback - 1
    expected = predict_scaled(model, experiment, data.scaled, origins)
    got = predict_scaled(exported, experiment, data.scaled, origins)
    return float(np.max(np.abs(got - expected) / np.maximum(np.abs(expected), 1.0)))


def _quietly(action: Callable[[], object]) -> None:
    """tf2onnx logs and prints while converting; none of it is for a person."""
    loggers = [logging.getLogger(name) for name in ("tf2onnx", "absl", "tensorflow")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            action()
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
