"""Compile and fit a model on the training windows, stopping early on the validation windows."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lstmcast.config.schema import Experiment, TrainingSection
from lstmcast.data.prepare import PreparedData
from lstmcast.data.windows import window_dataset
from lstmcast.errors import TrainingError
from lstmcast.training import EpochReport, checkpoints
from lstmcast.training.placement import Placement, build_before_fit

if TYPE_CHECKING:
    import keras

ONE_DEVICE = Placement(device="", strategy=None)


@dataclass
class TrainingResult:
    model: keras.Model
    history: dict[str, list[float]]
    epochs_run: int
    best_epoch: int
    """1-based epoch whose weights the model keeps."""
    best_val_loss: float
    seconds: float
    samples_per_second: float
    num_params: int
    xla: bool = False
    """Whether the training step ran XLA-compiled (Keras may refuse jit_compile)."""


def fit_model(
    data: PreparedData,
    *,
    report: EpochReport | None = None,
    checkpoint: Path | None = None,
    placement: Placement = ONE_DEVICE,
) -> TrainingResult:
    """Build, compile and fit data.experiment's model; the returned model holds the best
    validation epoch's weights, in float32 on no particular device, whatever the training
    precision and placement. With a `checkpoint` folder (training/checkpoints.py), every
    epoch is saved there and a fit started again resumes after the last saved one."""
    import keras

    from lstmcast.models import build_model
    from lstmcast.models.recursive import one_step_model
    from lstmcast.models.spec import dtype_policy
    from lstmcast.training import optim
    from lstmcast.training.callbacks import (
        EpochExtras,
        EpochReporter,
        StatefulValidation,
        StopOnInterrupt,
        StopOnNonFiniteLoss,
    )

    experiment = data.experiment
    training, windows = experiment.training, experiment.windows
    num_features = data.scaled.shape[1]
    stateful = experiment.model.stateful
    batches = math.ceil(len(data.starts["train"]) / training.batch_size)
    repeat = training.min_steps_per_epoch > batches and not stateful
    steps_per_epoch = training.min_steps_per_epoch if repeat else batches
    with placement.scope(), dtype_policy(training.precision):
        model = build_model(
            experiment,
            num_features=num_features,
            use_cudnn=True if training.require_cudnn else "auto",
        )
        trained, horizon = model, windows.horizon
        if experiment.model.output == "recursive":  # fit the one-step model; the unrolled one
            trained, horizon = one_step_model(model), 1  # shares its weights
        trained.compile(
            optimizer=optim.optimizer(training, steps_per_epoch),
            loss=optim.loss(training),
            jit_compile=training.jit_compile,
        )
    datasets = {
        split: placement.shard(
            window_dataset(
                data.scaled,
                data.starts[split],
                lookback=windows.lookback,
                horizon=horizon,
                batch_size=training.batch_size,
                shuffle=training.shuffle and split == "train" and not stateful,
                seed=training.seed,
                repeat=repeat and split == "train",
                known=data.known_columns,
            )
        )
        for split in ("train", "validation")
    }
    build_before_fit(trained, placement, datasets["train"])
    callbacks: list[keras.callbacks.Callback] = []
    validation_data = datasets["validation"]
    if stateful:  # first, so the callbacks after it see its val_loss
        callbacks.append(StatefulValidation(data, trained.loss))
        validation_data = None
    units = float(data.scaler.scale[0]) ** optim.LOSS_POWER[training.loss]
    diverged = StopOnNonFiniteLoss()
    callbacks += [EpochExtras(loss_scale=units), diverged, *optim.schedule_callbacks(training)]
    resumed_after = 0
    if checkpoint is not None:
        resumed_after = checkpoints.completed_epochs(checkpoint)
        callbacks += [
            keras.callbacks.CSVLogger(str(checkpoint / checkpoints.HISTORY), append=True),
            keras.callbacks.BackupAndRestore(
                str(checkpoint / checkpoints.BACKUP),
                double_checkpoint=True,
                delete_checkpoint=False,
            ),
        ]
    if training.early_stopping is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=training.early_stopping.monitor,
                patience=training.early_stopping.patience,
                min_delta=training.early_stopping.min_delta,
                restore_best_weights=training.early_stopping.restore_best_weights,
            )
        )
    if experiment.output.tensorboard is not None:
        callbacks.append(
            keras.callbacks.TensorBoard(
                log_dir=str(experiment.output.tensorboard), write_graph=False, update_freq="epoch"
            )
        )
    if report is not None:
        callbacks.append(EpochReporter(report, training.epochs))
    interrupt = StopOnInterrupt()
    callbacks.append(interrupt)
    started = time.perf_counter()
    fitted = trained.fit(
        datasets["train"],
        validation_data=validation_data,
        epochs=training.epochs,
        steps_per_epoch=steps_per_epoch if repeat else None,
        callbacks=callbacks,
        verbose=0,
    )
    seconds = time.perf_counter() - started
    if interrupt.interrupted:
        raise KeyboardInterrupt
    if diverged.where is not None:
        if checkpoint is not None:  # its last epoch holds the diverged weights
            checkpoints.remove_checkpoint(checkpoint)
        raise TrainingError(diverged.advice(training))
    samples_per_epoch = (
        training.min_steps_per_epoch * training.batch_size if repeat else len(data.starts["train"])
    )
    history = {name: [float(v) for v in values] for name, values in fitted.history.items()}
    epochs_timed = len(history.get("loss", []))  # those `seconds` covers, not those resumed from
    if checkpoint is not None:  # the epochs before a restart too
        history = checkpoints.logged_history(checkpoint)
    val_losses = history.get("val_loss", [math.nan])
    stopping = training.early_stopping
    restored = stopping is not None and stopping.restore_best_weights
    monitored = history.get(stopping.monitor, val_losses) if stopping is not None else val_losses
    # Early stopping restarts with a resumed fit: its best epoch is one of those run since.
    since = range(min(resumed_after, len(monitored) - 1), len(monitored))
    best_index = min(since, key=monitored.__getitem__) if restored else -1
    epochs_run = len(history.get("loss", []))
    return TrainingResult(
        model=_portable(model, experiment, num_features)
        if _needs_portable_copy(training, placement)
        else model,
        history=history,
        epochs_run=epochs_run,
        best_epoch=best_index + 1 if best_index >= 0 else epochs_run,
        best_val_loss=val_losses[best_index],
        seconds=seconds,
        samples_per_second=samples_per_epoch * epochs_timed / seconds,
        num_params=int(model.count_params()),
        xla=bool(trained.jit_compile),
    )


def _needs_portable_copy(training: TrainingSection, placement: Placement) -> bool:
    """Trained in a way a plain float32 model on one CPU would not load or run the same."""
    return (
        training.precision != "float32" or placement.strategy is not None or training.require_cudnn
    )


def _portable(model: keras.Model, experiment: Experiment, num_features: int) -> keras.Model:
    """The same architecture in float32, outside any distribution strategy and free to run on
    any kernel, holding the trained weights: what the run folder saves, so a model trained
    with mixed precision, over several devices or on cuDNN loads and forecasts on a CPU."""
    from lstmcast.models import build_model

    portable = build_model(experiment, num_features=num_features)
    portable.set_weights(model.get_weights())
    return portable
