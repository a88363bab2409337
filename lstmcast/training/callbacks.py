"""Keras callbacks that report progress through a function, never Keras's stdout progress bar."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

import keras
import numpy as np

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


class StopOnInterrupt(keras.callbacks.Callback):
    """Ctrl-C (SIGINT) stops training at the end of the current batch, then raises
    KeyboardInterrupt from fit's caller.

    Python delivers SIGINT as an exception wherever the interpreter happens to be, which inside
    TensorFlow's runtime can be swallowed; a flag checked after every batch cannot. A second
    Ctrl-C falls back to Python's default and interrupts at once.
    """

    def __init__(self) -> None:
        super().__init__()
        self.interrupted = False
        self._previous: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._request_stop)

    def _request_stop(self, signum: int, frame: Any) -> None:
        self.interrupted = True
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.interrupted:
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


class StatefulValidation(keras.callbacks.Callback):
    """A stateful model's epoch: states reset at its start; at its end, `val_loss` from every
    validation origin read after the whole history before it (as evaluate reads the test)."""

    def __init__(self, data: Any, loss: Any) -> None:
        super().__init__()
        self._data = data
        self._loss = loss

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        from lstmcast.models.stateful import reset_states

        reset_states(self.model)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        from lstmcast.models.stateful import predict_at_origins

        data, experiment = self._data, self._data.experiment
        lookback, horizon = experiment.windows.lookback, experiment.windows.horizon
        starts = data.starts["validation"]
        predicted = predict_at_origins(
            self.model, experiment, data.scaled, starts + lookback - 1, known=data.known_columns
        )
        actual = data.scaled[starts[:, None] + lookback + np.arange(horizon), 0]
        if logs is not None:
            logs["val_loss"] = float(self._loss(actual, predicted))
