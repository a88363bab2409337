"""Compile and fit a model on the training windows, stopping early on the validation windows.

fit_model reads as its steps: plan the epochs, build and compile, make the datasets, gather
the callbacks, fit, then turn Keras's history into a TrainingResult (best epoch, resumed
epochs, throughput). Each step is a function of its own with a test of its own.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lstmcast.config.sections.training import EarlyStopping, TrainingSection
from lstmcast.data.prepare import PreparedData
from lstmcast.data.windows import window_dataset
from lstmcast.errors import Interrupted, TrainingError
from lstmcast.prediction import prediction_batch
from lstmcast.runtime import Device
from lstmcast.training import EpochReport, checkpoints
from lstmcast.training.blend import BlendChoice, choose_blend
from lstmcast.training.placement import Placement, build_before_fit

if TYPE_CHECKING:
    import keras

ONE_DEVICE = Placement(device=Device("cpu"), strategy=None)
"""Whatever device select_device left TensorFlow on, no strategy."""


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
    blend: BlendChoice | None = None
    """The share of seasonal naive chosen on the validation windows (model.blend)."""


@dataclass(frozen=True)
class EpochPlan:
    """How an epoch is cut: a pass over the training windows, or (for a short series) a fixed
    number of steps cycling through them again, so early stopping checks as often as on a long
    one. Stateful training always reads its streams once per epoch, in order."""

    steps: int
    repeat: bool
    shuffle: bool
    windows: int
    """Training windows seen per epoch."""
    replayed_validation: bool
    """Stateful: the validation loss comes from replaying the history before each validation
    origin (a callback), not from Keras's own pass over independent windows."""
    validation_steps: int | None = None
    """Workers reading their own files: the validation steps every worker takes."""
    validation_windows: int | None = None
    """... and the windows this worker feeds in them, cycling through its own."""

    @classmethod
    def of(cls, data: PreparedData) -> EpochPlan:
        training, stateful = data.experiment.training, data.experiment.model.stateful
        count = len(data.starts["train"])
        batches = math.ceil(count / training.batch_size)
        repeat = training.min_steps_per_epoch > batches and not stateful
        steps = training.min_steps_per_epoch if repeat else batches
        windows = steps * training.batch_size if repeat else count
        return cls(steps, repeat, training.shuffle and not stateful, windows, stateful)

    @classmethod
    def across_workers(cls, data: PreparedData, placement: Placement) -> EpochPlan:
        """Workers reading their own files hold different numbers of windows, but every worker
        must take the same steps. An epoch is one pass over all workers' training windows in
        global batches, each worker cycling through its own, shuffled; validation takes the
        steps that cover the worker with the most windows once, the others going round theirs
        again (the loss is a mean over every worker's batches, so those weigh a little more)."""
        training = data.experiment.training
        counts = placement.gather([len(data.starts["train"]), len(data.starts["validation"])])
        total = int(counts[:, 0].sum())
        steps = max(math.ceil(total / training.batch_size), training.min_steps_per_epoch)
        fed = placement.worker_batch(prediction_batch(training))
        validation_steps = math.ceil(int(counts[:, 1].max()) / fed)
        return cls(
            steps=steps,
            repeat=True,
            shuffle=training.shuffle,
            windows=steps * training.batch_size,
            replayed_validation=False,
            validation_steps=validation_steps,
            validation_windows=validation_steps * fed,
        )


def fit_model(
    data: PreparedData,
    *,
    report: EpochReport | None = None,
    checkpoint: Path | None = None,
    placement: Placement = ONE_DEVICE,
    start_from: keras.Model | None = None,
) -> TrainingResult:
    """Build, compile and fit data.experiment's model; the returned model holds the best
    validation epoch's weights, in float32 on no particular device, whatever the training
    precision and placement. With a `checkpoint` folder (training/checkpoints.py), every
    epoch is saved there and a fit started again resumes after the last saved one. With
    `start_from` (a trained model of the same architecture: an update), training continues
    from its weights instead of fresh ones."""
    experiment = data.experiment
    plan = EpochPlan.across_workers(data, placement) if placement.own_files else EpochPlan.of(data)
    model, trained, horizon = compile_model(data, plan, placement)
    if start_from is not None:
        from lstmcast.models.seasonal import set_blend_share

        model.set_weights(start_from.get_weights())
        set_blend_share(model, 1.0)  # the network trains alone; the blend is chosen after
    datasets = training_datasets(data, plan, placement, horizon=horizon)
    build_before_fit(trained, placement, datasets["train"])
    resumed_after = checkpoints.completed_epochs(checkpoint) if checkpoint is not None else 0
    callbacks, stops = training_callbacks(data, trained, plan, checkpoint=checkpoint, report=report)
    validation = None if plan.replayed_validation else placement.feed(datasets["validation"])
    started = time.perf_counter()
    fitted = trained.fit(
        placement.feed(datasets["train"]),
        validation_data=validation,
        epochs=experiment.training.epochs,
        steps_per_epoch=plan.steps if plan.repeat else None,
        validation_steps=plan.validation_steps,
        callbacks=callbacks,
        verbose=0,
    )
    seconds = time.perf_counter() - started
    stops.raise_if_stopped(experiment.training, checkpoint)
    timed = len(fitted.history.get("loss", []))  # the epochs `seconds` covers
    history = epoch_history(fitted.history, checkpoint)
    best = best_epoch(history, experiment.training.early_stopping, resumed_after=resumed_after)
    epochs_run = len(history.get("loss", []))
    portable = portable_model(model, data, placement)
    return TrainingResult(
        model=portable,
        history=history,
        epochs_run=epochs_run,
        best_epoch=best or epochs_run,
        best_val_loss=history.get("val_loss", [math.nan])[best - 1 if best else -1],
        seconds=seconds,
        samples_per_second=plan.windows * timed / seconds,
        num_params=int(model.count_params()),
        xla=bool(trained.jit_compile),
        blend=None if placement.own_files else choose_blend(portable, [data]),
    )


def compile_model(
    data: PreparedData, plan: EpochPlan, placement: Placement
) -> tuple[keras.Model, keras.Model, int]:
    """(the model to save, the model to fit, the fitted model's horizon): a recursive model
    fits its one-step model, which shares its weights, on one-step targets; an ensemble fits
    its members' stacked outputs, each member on its own loss."""
    from lstmcast.models import build_model
    from lstmcast.models.recursive import one_step_model
    from lstmcast.models.spec import dtype_policy
    from lstmcast.training import optim

    experiment = data.experiment
    training = experiment.training
    with placement.scope(), dtype_policy(training.precision):
        model = build_model(
            experiment,
            num_features=data.scaled.shape[1],
            series_count=data.series_count,
            season_length=data.season_length,
            use_cudnn=True if training.require_cudnn else "auto",
        )
        trained, horizon = model, experiment.windows.horizon
        loss = optim.loss(training, experiment.model.quantiles)
        if experiment.model.output == "recursive":
            trained, horizon = one_step_model(model), 1
        if experiment.model.ensemble > 1:
            from lstmcast.models.ensemble import MembersLoss, members_model

            trained = members_model(model)
            loss = MembersLoss(loss, experiment.model.ensemble)
        trained.compile(
            optimizer=optim.optimizer(training, plan.steps),
            loss=loss,
            jit_compile=training.jit_compile,
        )
    return model, trained, horizon


def training_datasets(
    data: PreparedData, plan: EpochPlan, placement: Placement, *, horizon: int
) -> dict[str, Any]:
    """The training windows (shuffled, cycled as planned) and the validation windows, those in
    prediction-sized batches (no gradients: at batch 32, scoring 250,000 validation windows
    took twice as long as at 256). Workers reading their own files batch per replica and
    cycle through their validation windows to the planned number."""
    training, lookback = data.experiment.training, data.experiment.windows.lookback
    batch_sizes = {"train": training.batch_size, "validation": prediction_batch(training)}
    starts, repeat = dict(data.starts), {"train": plan.repeat, "validation": False}
    if placement.own_files:
        batch_sizes = {split: placement.replica_batch(size) for split, size in batch_sizes.items()}
        starts["validation"] = np.resize(starts["validation"], plan.validation_windows)
        repeat["validation"] = True
    return {
        split: window_dataset(
            data.scaled,
            starts[split],
            lookback=lookback,
            horizon=horizon,
            batch_size=batch_sizes[split],
            shuffle=plan.shuffle and split == "train",
            seed=training.seed,
            repeat=repeat[split],
            known=data.known_columns,
        )
        for split in ("train", "validation")
    }


class Stops:
    """The two callbacks that end a fit early for a reason the caller must act on."""

    def __init__(self) -> None:
        from lstmcast.training.callbacks import StopOnInterrupt, StopOnNonFiniteLoss

        self.interrupt = StopOnInterrupt()
        self.diverged = StopOnNonFiniteLoss()

    def raise_if_stopped(self, training: TrainingSection, checkpoint: Path | None) -> None:
        if self.interrupt.signum is not None:
            raise Interrupted(self.interrupt.signum)
        if self.diverged.where is not None:
            if checkpoint is not None:  # its last epoch holds the diverged weights
                checkpoints.remove_checkpoint(checkpoint)
            raise TrainingError(self.diverged.advice(training))


def training_callbacks(
    data: PreparedData,
    trained: keras.Model,
    plan: EpochPlan,
    *,
    checkpoint: Path | None,
    report: EpochReport | None,
) -> tuple[list[keras.callbacks.Callback], Stops]:
    """In order: what computes the epoch's logs (stateful validation, extras), what acts on
    them (schedules, checkpoint, early stopping, TensorBoard), then reporting and stops."""
    import keras

    from lstmcast.training import optim
    from lstmcast.training.callbacks import EpochExtras, EpochReporter, StatefulValidation

    experiment = data.experiment
    training = experiment.training
    stops = Stops()
    callbacks: list[keras.callbacks.Callback] = []
    if plan.replayed_validation:  # first, so the callbacks after it see its val_loss
        callbacks.append(StatefulValidation(data, trained.loss))
    units = float(data.scaler.scale[0]) ** optim.LOSS_POWER[training.loss]
    callbacks += [EpochExtras(loss_scale=units), stops.diverged]
    callbacks += optim.schedule_callbacks(training)
    if checkpoint is not None:
        callbacks += checkpoints.callbacks(checkpoint)
    if training.early_stopping is not None:
        stopping = training.early_stopping
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=stopping.monitor,
                patience=stopping.patience,
                min_delta=stopping.min_delta,
                restore_best_weights=stopping.restore_best_weights,
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
    return [*callbacks, stops.interrupt], stops


def epoch_history(fitted: dict[str, list[Any]], checkpoint: Path | None) -> dict[str, list[float]]:
    """Every epoch's logs: this fit's, or, with a checkpoint, those of the runs before a
    restart too (the checkpoint's log holds them all)."""
    if checkpoint is not None:
        return checkpoints.logged_history(checkpoint)
    return {name: [float(value) for value in values] for name, values in fitted.items()}


def best_epoch(
    history: dict[str, list[float]], stopping: EarlyStopping | None, *, resumed_after: int = 0
) -> int:
    """The 1-based epoch whose weights early stopping restored, or 0 when it restored none
    (the model keeps the last epoch's). A resumed fit restarts early stopping, so its best
    epoch is one of those run since the restart.

    val_loss [3, 1, 2], restoring: 2; resumed after epoch 2: 3 (only epoch 3 ran since).
    """
    if stopping is None or not stopping.restore_best_weights:
        return 0
    monitored = history.get(stopping.monitor) or history.get("val_loss") or []
    if not monitored:
        return 0
    since = range(min(resumed_after, len(monitored) - 1), len(monitored))
    return min(since, key=monitored.__getitem__) + 1


def portable_model(model: keras.Model, data: PreparedData, placement: Placement) -> keras.Model:
    """What the run folder saves. Trained with mixed precision, over several devices or on
    cuDNN, a model would not load or run the same as a plain float32 model on one CPU: then
    the same architecture is built again in float32, outside any strategy and free to run on
    any kernel, holding the trained weights."""
    experiment = data.experiment
    training = experiment.training
    plain = (
        training.precision == "float32"
        and placement.strategy is None
        and not training.require_cudnn
    )
    if plain:
        return model
    from lstmcast.models import build_model

    portable = build_model(
        experiment,
        num_features=data.scaled.shape[1],
        series_count=data.series_count,
        season_length=data.season_length,
    )
    portable.set_weights(model.get_weights())
    return portable
