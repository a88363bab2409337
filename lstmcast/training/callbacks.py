"""Keras callbacks that report progress through a function, never Keras's stdout progress bar."""

from __future__ import annotations

import time
from typing import Any

import keras

from lstmcast.training import EpochReport


class EpochReporter(keras.callbacks.Callback):
    """Calls `report` after every epoch; the CLI decides whether that is a bar or a log line."""

    def __init__(self, report: EpochReport, epochs: int) -> None:
        super().__init__()
        self._report = report
        self._epochs = epochs
        self._started = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = {name: float(value) for name, value in (logs or {}).items()}
        self._report(epoch + 1, self._epochs, logs, time.perf_counter() - self._started)
