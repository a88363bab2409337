"""Keras callbacks that report progress through a function, never Keras's stdout progress bar."""

from __future__ import annotations

import math
import signal
import threading
import time
from typing import Any

import keras

from lstmcast.data.windows import target_windows
from lstmcast.errors import STOP_SIGNALS, Interrupted
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
    """Ctrl-C (SIGINT), SIGTERM or SIGHUP stops training at the end of the current batch;
    fit's caller then raises errors.Interrupted for that signal.

    Python delivers SIGINT as an exception wherever the interpreter happens to be, which inside
    TensorFlow's runtime can be swallowed; a flag checked after every batch cannot. A second
    signal falls back to an immediate interrupt.
    """

    def __init__(self) -> None:
        super().__init__()
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}

    @property
    def interrupted(self) -> bool:
        return self.signum is not None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if threading.current_thread() is threading.main_thread():
            for stop in (signal.SIGINT, *STOP_SIGNALS):
                self._previous[stop] = signal.signal(stop, self._request_stop)

    def _request_stop(self, signum: int, frame: Any) -> None:
        self.signum = signum
        for stop in self._previous:
            signal.signal(stop, _interrupt_now)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.interrupted:
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        for stop, previous in self._previous.items():
            signal.signal(stop, previous)
        self._previous = {}


def _interrupt_now(signum: int, frame: Any) -> None:
    raise Interrupted(signum)


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
        from lstmcast.prediction import predict_scaled

        data, experiment = self._data, self._data.experiment
        lookback, horizon = experiment.windows.lookback, experiment.windows.horizon
        starts = data.starts["validation"]
        predicted = predict_scaled(self.model, experiment, data.scaled, starts + lookback - 1)
        actual = target_windows(data.scaled[:, 0], starts, lookback=lookback, horizon=horizon)
        if logs is not None:
            logs["val_loss"] = float(self._loss(actual, predicted))


class EpochExtras(keras.callbacks.Callback):
    """Adds to each epoch's logs (so history.csv and the progress lines show them): the
    learning rate the epoch started with, and the losses in the target's units."""

    def __init__(self, loss_scale: float) -> None:
        super().__init__()
        self._loss_scale = loss_scale
        self._rate = math.nan

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._rate = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if logs is None:
            return
        logs["learning_rate"] = self._rate
        for name in ("loss", "val_loss"):
            if name in logs:
                logs[f"{name}_units"] = float(logs[name]) * self._loss_scale


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Stops at the first batch whose loss is NaN or infinite; fit_model turns it into an
    error with the usual fixes instead of training on garbage."""

    def __init__(self) -> None:
        super().__init__()
        self.where: tuple[int, int] | None = None
        self._epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch + 1

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.where = (self._epoch, batch + 1)
            self.model.stop_training = True

    def advice(self, training: Any) -> str:
        epoch, batch = self.where or (0, 0)
        clipping = "" if training.clip_norm else ", set training.clip_norm: 1.0"
        return (
            f"the training loss became NaN or infinite in epoch {epoch}, batch {batch}; lower "
            f"training.learning_rate (now {training.learning_rate:g}){clipping}, or check the "
            "data's scale (scaling.method: standard)"
        )
