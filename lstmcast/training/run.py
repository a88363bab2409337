"""`train` end to end: data -> device and seeds -> fit -> test metrics -> complete run folder."""

from __future__ import annotations

import contextlib
import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lstmcast import artifacts, locks
from lstmcast.config.schema import Experiment, ResolvedExperiment, TrainingSection
from lstmcast.data import shards
from lstmcast.data.frequency import format_timestamp
from lstmcast.data.prepare import PreparedData, prepare_data
from lstmcast.data.profile import acf_lookback
from lstmcast.errors import ConfigError
from lstmcast.evaluation.evaluate import Evaluation, calibrate_intervals, evaluate_model
from lstmcast.evaluation.intervals import ConformalIntervals
from lstmcast.phases import PhaseTimes, phase, recording
from lstmcast.plots import plot_history, plotting_available
from lstmcast.runtime import Device, seed_everything
from lstmcast.training import EpochReport, checkpoints
from lstmcast.training.export import check_onnx_possible, export_onnx
from lstmcast.training.placement import Placement, place, recurrent_kernel, worker_rank

if TYPE_CHECKING:
    from lstmcast.training.fit import TrainingResult


@dataclass(frozen=True)
class TrainSummary:
    run_dir: Path
    device: str
    replicas: int
    worker: int
    workers: int
    recurrent_kernel: str
    precision: str
    xla: bool
    versions: dict[str, str]
    architecture: str
    num_params: int
    train_windows: int
    validation_windows: int
    epochs_run: int
    best_epoch: int
    best_val_loss: float
    seconds: float
    samples_per_second: float
    evaluation: Evaluation | None
    """None on a worker other than the chief: the chief scores and writes the run folder."""
    warnings: list[str]
    blend: dict[str, Any] | None = None
    """The network's share against seasonal naive and its validation errors (model.blend)."""
    phases: PhaseTimes = field(default_factory=dict)
    """Wall seconds and peak RSS after each phase: read, validate, window, scale, tensorflow,
    fit, calibrate, evaluate, write."""

    def to_dict(self) -> dict[str, Any]:
        summary = {name: getattr(self, name) for name in self.__dataclass_fields__}
        summary["run_dir"] = str(self.run_dir)
        summary["evaluation"] = self.evaluation.to_dict() if self.evaluation else None
        return summary


def train_experiment(
    experiment: Experiment,
    *,
    overwrite: bool = False,
    report: EpochReport | None = None,
    warn: Callable[[str], None] | None = None,
    tell: Callable[[str], None] | None = None,
    wait: float = 0.0,
) -> TrainSummary:
    """Train, score on the test split, and write the run folder atomically, holding its lock
    (waiting up to `wait` seconds for another holder); `warn` hears warnings as soon as they
    are known (before training), and the summary keeps them; `tell` hears notes such as
    resuming from a checkpoint."""
    notes = Notes(warn, tell)
    with run_dir_lock(experiment, wait=wait, tell=notes.tell), recording() as times:
        summary = _train(experiment, notes, overwrite=overwrite, report=report)
    return replace(summary, phases=times)


def run_dir_lock(
    experiment: Experiment, *, wait: float, tell: Callable[[str], None]
) -> contextlib.AbstractContextManager[None]:
    """The run folder's lock for `train`; under multi_worker only the chief writes the folder,
    so only it locks."""
    if worker_rank(experiment) != 0:
        return contextlib.nullcontext()
    return locks.holding(experiment.run_dir, command="train", wait=wait, tell=tell)


def _train(
    experiment: Experiment, notes: Notes, *, overwrite: bool, report: EpochReport | None
) -> TrainSummary:
    check_outputs(experiment, overwrite=overwrite)
    data = prepare_data(experiment)  # data errors surface before TensorFlow loads
    for message in data.warnings:
        notes.warning(message)
    if experiment.windows.lookback == "auto":
        training_target = data.series.values[: data.bounds.validation_start, 0]
        why = acf_lookback(training_target, data.season_length)[1]
        notes.tell(f"windows.lookback auto: {data.experiment.windows.lookback}, because {why}")
    if (note := many_origins_note(data)) is not None:
        notes.tell(note)
    experiment, training = data.experiment, data.experiment.training
    placement = start_tensorflow(experiment, notes)
    setup = TrainingSetup.of(experiment, placement)
    notes.tell(setup.describe(training))
    data_sha256 = shards.data_sha256(experiment.data.path)
    checkpoint = checkpoints.open_checkpoint(
        experiment, data_sha256, notes.tell, worker=placement.worker
    )

    from lstmcast.training.fit import fit_model

    with phase("fit"):
        result = fit_model(data, report=report, checkpoint=checkpoint, placement=placement)
    if result.blend is not None:
        notes.tell(result.blend.describe())
    if training.jit_compile and not result.xla:
        notes.warning("Keras did not XLA-compile this model (cuDNN layers cannot be)")
    evaluation = None
    if placement.is_chief:
        with phase("calibrate"):
            intervals = calibrate_intervals(result.model, data)
        with phase("evaluate"):
            evaluation = evaluate_model(result.model, data, intervals)
        manifest = setup.manifest(training, data_sha256=data_sha256, result=result)
        with phase("write"):
            _write_run_folder(
                data, result, evaluation, intervals, overwrite=overwrite, manifest=manifest,
                tell=notes.tell,
            )  # fmt: skip
    checkpoints.remove_checkpoint(checkpoint)  # the run folder is complete
    return summarize(data, setup, result, evaluation, notes.warnings)


MANY_ORIGINS = 50_000
"""Validation windows beyond which (and beyond 4x the training windows) train suggests
windows.evaluation_stride."""


def many_origins_note(data: PreparedData) -> str | None:
    """On a very long series, scoring every validation and test origin (each epoch, for the
    blend, the intervals and the metrics) can take longer than training: say so, and the
    evaluation_stride that keeps about MANY_ORIGINS of them."""
    validation, test = len(data.starts["validation"]), len(data.starts["test"])
    few = validation <= max(MANY_ORIGINS, 4 * len(data.starts["train"]))
    if data.experiment.windows.evaluation_stride > 1 or few:
        return None
    return (
        f"scoring every origin: {validation:,} validation windows (each epoch, the blend, the "
        f"intervals) and {test:,} test windows; windows.evaluation_stride: "
        f"{-(-validation // MANY_ORIGINS)} would keep about {MANY_ORIGINS:,} of each"
    )


def start_tensorflow(experiment: ResolvedExperiment, notes: Notes) -> Placement:
    """The device (and strategy) chosen and the seeds set, the placement's warnings told: what
    every kind of training does first once the data is known to be good."""
    with phase("tensorflow"):
        placement = place(experiment)
        training = experiment.training
        seed_everything(training.seed, deterministic_ops=not training.jit_compile)
    for message in placement_warnings(experiment, placement):
        notes.warning(message)
    return placement


class Notes:
    """Warnings and notes for the caller as they happen; the warnings are also kept."""

    def __init__(
        self, warn: Callable[[str], None] | None, tell: Callable[[str], None] | None
    ) -> None:
        self._warn, self._tell = warn, tell
        self.warnings: list[str] = []

    def warning(self, message: str) -> None:
        self.warnings.append(message)
        if self._warn is not None:
            self._warn(message)

    def tell(self, message: str) -> None:
        if self._tell is not None:
            self._tell(message)


def check_outputs(experiment: Experiment, *, overwrite: bool) -> None:
    """Refuse before any work what would only fail after training."""
    artifacts.ensure_run_dir_free(experiment.run_dir, overwrite=overwrite)
    check_onnx_possible(experiment.output.onnx)
    if experiment.output.tensorboard is not None and not importlib.util.find_spec("tensorboard"):
        raise ConfigError(
            "output.tensorboard needs the tensorboard package: pip install 'lstmcast[tensorboard]'"
        )


@dataclass(frozen=True)
class TrainingSetup:
    """Where and how training runs, as train reports it and the manifest records it."""

    placement: Placement
    kernel: str
    versions: dict[str, str]

    @classmethod
    def of(cls, experiment: Experiment, placement: Placement) -> TrainingSetup:
        return cls(placement, recurrent_kernel(experiment, placement), library_versions())

    def describe(self, training: TrainingSection) -> str:
        return (
            f"training on {self.placement.describe()}: TensorFlow {self.versions['tensorflow']}, "
            f"Keras {self.versions['keras']}, recurrent kernel {self.kernel}, "
            f"{training.precision}" + (", XLA" if training.jit_compile else "")
        )

    def manifest(
        self, training: TrainingSection, *, data_sha256: str, result: TrainingResult
    ) -> dict[str, Any]:
        placement = self.placement
        blend = result.blend.to_dict() if result.blend is not None else None
        return {
            "seed": training.seed,
            "device": placement.describe(),
            "versions": self.versions,
            "data_sha256": data_sha256,
            "training": {
                "recurrent_kernel": self.kernel,
                "precision": training.precision,
                "xla": result.xla,
                "distribution": training.distribution,
                "replicas": placement.replicas,
                "workers": placement.workers,
                "blend": blend,
            },
        }


def summarize(
    data: PreparedData,
    setup: TrainingSetup,
    result: TrainingResult,
    evaluation: Evaluation | None,
    warnings: list[str],
) -> TrainSummary:
    experiment, placement = data.experiment, setup.placement
    return TrainSummary(
        run_dir=experiment.run_dir,
        device=placement.describe(),
        replicas=placement.replicas,
        worker=placement.worker,
        workers=placement.workers,
        recurrent_kernel=setup.kernel,
        precision=experiment.training.precision,
        xla=result.xla,
        versions=setup.versions,
        architecture=experiment.model.architecture,
        num_params=result.num_params,
        train_windows=len(data.starts["train"]),
        validation_windows=len(data.starts["validation"]),
        epochs_run=result.epochs_run,
        best_epoch=result.best_epoch,
        best_val_loss=result.best_val_loss,
        seconds=result.seconds,
        samples_per_second=result.samples_per_second,
        evaluation=evaluation,
        warnings=warnings,
        blend=result.blend.to_dict() if result.blend is not None else None,
    )


def _write_run_folder(
    data: PreparedData,
    result: TrainingResult,
    evaluation: Evaluation,
    intervals: ConformalIntervals | None,
    *,
    overwrite: bool,
    manifest: dict[str, Any],
    tell: Callable[[str], None],
) -> None:
    experiment = data.experiment
    with artifacts.staged_run_dir(experiment.run_dir, overwrite=overwrite) as staging:
        artifacts.save_config(staging, experiment)
        result.model.save(staging / artifacts.MODEL_FILE)
        export_onnx(result.model, data, staging / artifacts.ONNX_FILE, tell=tell)
        artifacts.write_json(staging / artifacts.PREPROCESSING_FILE, preprocessing_state(data))
        write_history(staging / artifacts.HISTORY_FILE, result.history)
        if plotting_available():
            plot_history(result.history, staging / artifacts.LOSS_PLOT_FILE)
        artifacts.write_json(staging / artifacts.METRICS_FILE, evaluation.to_dict())
        if intervals is not None:
            artifacts.write_json(staging / artifacts.INTERVALS_FILE, intervals.to_dict())
        artifacts.write_manifest(
            staging,
            model={"architecture": experiment.model.architecture, "parameters": result.num_params},
            **manifest,
        )


def library_versions() -> dict[str, str]:
    import keras
    import tensorflow as tf

    return {"tensorflow": tf.__version__, "keras": keras.__version__}


def placement_warnings(experiment: Experiment, placement: Placement) -> list[str]:
    """What is worth knowing before hours of training: slow kernels, slow precision, uneven
    replica batches."""
    training = experiment.training
    warnings = gpu_warnings(experiment, placement.device)
    if training.precision != "float32" and not placement.gpu:
        warnings.append(
            f"training.precision: {training.precision} on a CPU is usually slower than float32; "
            "it pays on GPUs with tensor cores"
        )
    if placement.replicas > 1 and training.batch_size % placement.replicas:
        warnings.append(
            f"training.batch_size {training.batch_size} does not divide among "
            f"{placement.replicas} replicas; replicas get unequal batches"
        )
    return warnings


def gpu_warnings(experiment: Experiment, device: Device) -> list[str]:
    """On a GPU, the settings that keep Keras off its cuDNN kernels (several times slower)."""
    blockers = experiment.model.cudnn_blockers()
    if not device.is_gpu or not blockers:
        return []
    return [
        f"{experiment.model.cell.upper()} layers will not use the cuDNN kernel on this GPU "
        f"because of {'; '.join(blockers)}; training will be several times slower"
    ]


def preprocessing_state(data: PreparedData) -> dict[str, Any]:
    """What forecasting needs to reproduce the inputs the model was trained on, as JSON."""
    series = data.series
    return {
        "columns": series.columns,
        "frequency": series.frequency,
        "season_length": data.season_length,
        "scaler": data.scaler.to_dict(),
        "split": data.bounds.to_dict(),
        "first_timestamp": format_timestamp(series.timestamps[0], series.frequency),
        "last_timestamp": format_timestamp(series.timestamps[-1], series.frequency),
    }


def write_history(path: Path, history: dict[str, list[float]]) -> None:
    names = list(history)
    rows = ["epoch," + ",".join(names)]
    for epoch, values in enumerate(zip(*history.values(), strict=True), start=1):
        rows.append(f"{epoch}," + ",".join(json.dumps(value) for value in values))
    artifacts.write_text_atomic(path, "\n".join(rows) + "\n")


@dataclass(frozen=True)
class DeterminismCheck:
    device: str
    epochs: int
    weight_arrays: int
    identical_weights: bool
    identical_metrics: bool
    largest_weight_difference: float

    @property
    def deterministic(self) -> bool:
        return self.identical_weights and self.identical_metrics

    def to_dict(self) -> dict[str, Any]:
        facts = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return {**facts, "deterministic": self.deterministic}


def check_determinism(experiment: Experiment, *, epochs: int = 2) -> DeterminismCheck:
    """Train the experiment twice for a few epochs with its seed, in this process, and compare
    the weights and test metrics bit for bit. Writes nothing."""
    data = prepare_data(experiment)
    training = data.experiment.training.model_copy(
        update={"epochs": min(epochs, data.experiment.training.epochs), "early_stopping": None}
    )
    data = replace(data, experiment=data.experiment.model_copy(update={"training": training}))
    placement = place(data.experiment)

    from lstmcast.training.fit import fit_model

    runs = []
    for _ in range(2):
        seed_everything(training.seed, deterministic_ops=not training.jit_compile)
        model = fit_model(data, placement=placement).model
        runs.append((model.get_weights(), evaluate_model(model, data).overall))
    (first, first_metrics), (second, second_metrics) = runs
    pairs = list(zip(first, second, strict=True))
    return DeterminismCheck(
        device=placement.describe(),
        epochs=training.epochs,
        weight_arrays=len(first),
        identical_weights=all(np.array_equal(a, b) for a, b in pairs),
        identical_metrics=first_metrics == second_metrics,
        largest_weight_difference=max(float(np.max(np.abs(a - b), initial=0.0)) for a, b in pairs),
    )
