"""`train`, one series or many: the workload -> device and seeds -> fit -> blend -> bands ->
test scores -> a complete run folder -> the quality gate, when asked.

Workers reading their own files of a folder fit on their own part; the chief then calibrates,
scores and writes from every part, read one at a time (data/workload.py).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lstmcast import artifacts, files, locks, tracking
from lstmcast.artifacts import Run
from lstmcast.config.schema import Experiment
from lstmcast.data import shards
from lstmcast.data.profile import acf_lookback
from lstmcast.data.shards import FileShard
from lstmcast.data.workload import Workload, merged_state, plan_workload, prepare_workload
from lstmcast.errors import ConfigError
from lstmcast.evaluation.evaluate import Evaluation, calibrate_workload, evaluate_workload
from lstmcast.evaluation.intervals import ConformalIntervals
from lstmcast.phases import PhaseTimes, phase, recording
from lstmcast.plots import plot_history, plotting_available
from lstmcast.text import count_of
from lstmcast.training import EpochReport, checkpoints
from lstmcast.training.blend import choose_blend
from lstmcast.training.export import check_onnx_possible, export_onnx
from lstmcast.training.placement import file_share, worker_rank
from lstmcast.training.setup import TrainingSetup, start_tensorflow
from lstmcast.training.warm_start import WarmStart
from lstmcast.workflows.promote import GateRequest, apply_gate

if TYPE_CHECKING:
    from lstmcast.training.fit import TrainingResult


@dataclass(frozen=True)
class TrainSummary:
    run_dir: Path
    device: str
    replicas: int
    worker: int
    workers: int
    files: list[str]
    """The files whose values this process trained on (its own share, when each worker reads
    its own files of a folder); empty for one file."""
    recurrent_kernel: str
    precision: str
    xla: bool
    versions: dict[str, str]
    architecture: str
    num_params: int
    series: int
    skipped: dict[str, str]
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
    gate: dict[str, Any] | None = None
    """The quality gate's verdict, when the run was gated."""
    mlflow: str | None = None
    """The MLflow run this run was logged as (output.mlflow), when logging succeeded."""
    phases: PhaseTimes = field(default_factory=dict)
    """Wall seconds and peak RSS after each phase: read, validate, scale, window, tensorflow,
    fit, (blend, on the chief of workers reading their own files), calibrate, evaluate,
    write."""

    def to_dict(self) -> dict[str, Any]:
        summary = {name: getattr(self, name) for name in self.__dataclass_fields__}
        summary["run_dir"] = str(self.run_dir)
        summary["evaluation"] = self.evaluation.to_dict() if self.evaluation else None
        return summary


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


def train(
    experiment: Experiment,
    *,
    overwrite: bool = False,
    report: EpochReport | None = None,
    warn: Callable[[str], None] | None = None,
    tell: Callable[[str], None] | None = None,
    wait: float = 0.0,
    gate: GateRequest | None = None,
    parent: Run | None = None,
) -> TrainSummary:
    """Train, score every series on its test split, write the run folder atomically while
    holding its lock (waiting up to `wait` seconds for another holder), then judge it with
    the quality gate when asked (its verdict in the folder and the summary; refused() says
    whether it failed). `warn` hears warnings as soon as they are known (before training),
    `tell` notes such as resuming. With a `parent` run (`update`), training starts from its
    weights and scalers and the manifest names it."""
    notes = Notes(warn, tell)
    start = WarmStart(parent) if parent is not None else None
    with run_dir_lock(experiment, wait=wait, tell=notes.tell), recording() as times:
        summary = _train(experiment, notes, overwrite=overwrite, report=report, start=start)
    summary = replace(summary, phases=times)
    if summary.evaluation is None:  # a worker: the chief judges and logs the run
        return summary
    if gate is not None:
        summary = replace(summary, gate=apply_gate(summary.run_dir, gate, tell=notes.tell))
    return _logged_to_mlflow(summary, experiment, notes, command="update" if parent else "train")


def _logged_to_mlflow(
    summary: TrainSummary, experiment: Experiment, notes: Notes, *, command: str
) -> TrainSummary:
    """The run folder mirrored to MLflow when output.mlflow is set; a failure is a warning."""
    section = experiment.output.mlflow
    if section is None:
        return summary
    with tracking.mirrored(section, notes.warning):  # the warning lands in summary.warnings
        mlflow_run = tracking.log_run(summary.run_dir, section, command=command)
        notes.tell(f"logged to MLflow: {section.tracking_uri}, experiment "
                   f"'{section.experiment}', run {mlflow_run}")  # fmt: skip
        summary = replace(summary, mlflow=mlflow_run)
    return summary


def run_dir_lock(
    experiment: Experiment, *, wait: float, tell: Callable[[str], None]
) -> contextlib.AbstractContextManager[None]:
    """The run folder's lock for `train`; under multi_worker only the chief writes the folder,
    so only it locks."""
    if worker_rank(experiment) != 0:
        return contextlib.nullcontext()
    return locks.holding(experiment.run_dir, command="train", wait=wait, tell=tell)


def check_outputs(experiment: Experiment, *, overwrite: bool) -> None:
    """Refuse before any work what would only fail after training."""
    artifacts.ensure_run_dir_free(experiment.run_dir, overwrite=overwrite)
    check_onnx_possible(experiment.output.onnx)
    tracking.check_installed(experiment.output.mlflow)
    if experiment.output.tensorboard is not None and not importlib.util.find_spec("tensorboard"):
        raise ConfigError(
            "output.tensorboard needs the tensorboard package: pip install 'lstmcast[tensorboard]'"
        )


def _train(
    experiment: Experiment,
    notes: Notes,
    *,
    overwrite: bool,
    report: EpochReport | None,
    start: WarmStart | None = None,
) -> TrainSummary:
    check_outputs(experiment, overwrite=overwrite)
    workload, parts = _prepared(experiment, notes, start)  # data errors before TensorFlow
    for message in data_notes(experiment, workload):
        notes.tell(message)
    if workload.layout.skipped:
        notes.warning(_skipped_note(workload))
    for message in workload.warnings:
        notes.warning(message)
    experiment, training = workload.experiment, workload.experiment.training
    placement = start_tensorflow(experiment, notes.warning)
    setup = TrainingSetup.of(experiment, placement)
    many = f"; {count_of(workload.series_count, 'series')}, one model" if workload.keyed else ""
    notes.tell(setup.describe(training) + many)
    if start is not None:
        notes.tell(start.describe(training.epochs))
    data_sha256 = shards.data_sha256(experiment.data.path)
    checkpoint = checkpoints.open_checkpoint(
        experiment, data_sha256, notes.tell, worker=placement.worker
    )

    from lstmcast.training.fit import fit_model

    with phase("fit"):
        result = fit_model(
            workload.fitting, report=report, checkpoint=checkpoint, placement=placement,
            start_from=start.weights() if start is not None else None,
        )  # fmt: skip
    if placement.own_files and placement.is_chief:  # chosen on every part's validation windows
        with phase("blend"):
            result = replace(result, blend=choose_blend(result.model, (p.fitting for p in parts())))
    if result.blend is not None:
        notes.tell(result.blend.describe())
    if training.jit_compile and not result.xla:
        notes.warning("Keras did not XLA-compile this model (cuDNN layers cannot be)")
    evaluation = None
    if placement.is_chief:  # the chief scores and writes; the other workers only train
        manifest = setup.manifest(training, data_sha256=data_sha256, result=result)
        if start is not None:
            manifest["parent"] = start.facts(epochs_added=result.epochs_run)
        evaluation = _score_and_write(workload, parts, result, manifest, overwrite, notes.tell)
    checkpoints.remove_checkpoint(checkpoint)  # the run folder is complete
    return _summary(workload, setup, result, evaluation, notes.warnings)


def _prepared(
    experiment: Experiment, notes: Notes, start: WarmStart | None = None
) -> tuple[Workload, Callable[[], Iterable[Workload]]]:
    """This process's workload, and the parts of the whole one the chief scores: itself, or
    (workers reading their own files) every worker's part, read one at a time. An update's
    workload keeps its parent's scalers and is checked against them."""
    share = file_share(experiment)
    if share is None:
        workload = prepare_workload(
            experiment, state=start.state if start else None, features=False
        )
        arrived = start.check(workload) if start is not None else None
        if arrived is not None:
            notes.tell(arrived)
        return workload, lambda: [workload]
    if start is not None:
        raise ConfigError("update: workers reading their own files of a folder cannot update "
                          "a run; update it on one machine")  # fmt: skip
    plan = plan_workload(experiment)
    workload = plan.part(share, features=False)
    notes.tell(_share_note(workload, share))
    return workload, functools.partial(plan.whole_from, workload, share)


MANY_ORIGINS = 50_000
"""Validation windows beyond which (and beyond 4x the training windows) train suggests
windows.evaluation_stride."""


def data_notes(experiment: Experiment, workload: Workload) -> list[str]:
    """What the data decided that a person should hear: an autocorrelation lookback and why,
    and scoring that would dwarf training."""
    notes = []
    if experiment.windows.lookback == "auto":
        training = workload.fitting.series.target_values[: workload.fitting.bounds.validation_start]
        why = acf_lookback(training, workload.season_length)[1]
        notes.append(
            f"windows.lookback auto: {workload.experiment.windows.lookback}, because {why}"
        )
    origins = many_origins_note(workload.starts, workload.experiment.windows.evaluation_stride)
    return [*notes, *([origins] if origins else [])]


def many_origins_note(starts: dict[str, np.ndarray], evaluation_stride: int) -> str | None:
    """On a very long series, scoring every validation and test origin (each epoch, for the
    blend, the intervals and the metrics) can take longer than training: say so, and the
    evaluation_stride that keeps about MANY_ORIGINS of them."""
    validation, test = len(starts["validation"]), len(starts["test"])
    few = validation <= max(MANY_ORIGINS, 4 * len(starts["train"]))
    if evaluation_stride > 1 or few:
        return None
    return (
        f"scoring every origin: {validation:,} validation windows (each epoch, the blend, the "
        f"intervals) and {test:,} test windows; windows.evaluation_stride: "
        f"{-(-validation // MANY_ORIGINS)} would keep about {MANY_ORIGINS:,} of each"
    )


def _score_and_write(
    workload: Workload,
    parts: Callable[[], Iterable[Workload]],
    result: TrainingResult,
    manifest: dict[str, Any],
    overwrite: bool,
    tell: Callable[[str], None],
) -> Evaluation:
    """Calibrate the bands and score every series over the workload's parts (each read when
    reached), write the run folder; the evaluation."""
    with phase("calibrate"):
        intervals = calibrate_workload(result.model, parts())
    states: list[dict[str, Any]] = []
    with phase("evaluate"):
        # the test forecasts go before the folder is written: a run keeps only their scores
        evaluation = evaluate_workload(
            result.model, _keeping_states(parts(), states), intervals
        ).scores_only()
    with phase("write"):
        write_run_folder(workload, result, evaluation, intervals, merged_state(states),
                         manifest=manifest, overwrite=overwrite, tell=tell)  # fmt: skip
    return evaluation


def write_run_folder(
    workload: Workload,
    result: TrainingResult,
    evaluation: Evaluation,
    intervals: ConformalIntervals | None,
    state: dict[str, Any],
    *,
    manifest: dict[str, Any],
    overwrite: bool,
    tell: Callable[[str], None],
) -> None:
    experiment = workload.experiment
    with artifacts.staged_run_dir(experiment.run_dir, overwrite=overwrite) as staging:
        artifacts.save_config(staging, experiment)
        result.model.save(staging / artifacts.MODEL_FILE)
        export_onnx(result.model, workload.fitting, staging / artifacts.ONNX_FILE, tell=tell)
        files.write_json(staging / artifacts.PREPROCESSING_FILE, state)
        artifacts.write_history(staging / artifacts.HISTORY_FILE, result.history)
        if plotting_available():
            plot_history(result.history, staging / artifacts.LOSS_PLOT_FILE)
        files.write_json(staging / artifacts.METRICS_FILE, evaluation.to_dict())
        if intervals is not None:
            files.write_json(staging / artifacts.INTERVALS_FILE, intervals.to_dict())
        model = {"architecture": experiment.model.architecture, "parameters": result.num_params}
        artifacts.write_manifest(staging, model=model, **manifest)


def _keeping_states(parts: Iterable[Workload], states: list[dict[str, Any]]) -> Iterator[Workload]:
    """The parts, each one's preprocessing state appended to `states` as it passes."""
    for part in parts:
        states.append(part.state())
        yield part


def _summary(
    workload: Workload,
    setup: TrainingSetup,
    result: TrainingResult,
    evaluation: Evaluation | None,
    warnings: list[str],
) -> TrainSummary:
    experiment, placement = workload.experiment, setup.placement
    files = [path.name for path in workload.files] if placement.own_files else []
    return TrainSummary(
        run_dir=experiment.run_dir, device=placement.describe(), replicas=placement.replicas,
        worker=placement.worker, workers=placement.workers, files=files,
        recurrent_kernel=setup.kernel, precision=experiment.training.precision, xla=result.xla,
        versions=setup.versions, architecture=experiment.model.architecture,
        num_params=result.num_params, series=workload.series_count,
        skipped=workload.layout.skipped, train_windows=len(workload.starts["train"]),
        validation_windows=len(workload.starts["validation"]), epochs_run=result.epochs_run,
        best_epoch=result.best_epoch, best_val_loss=result.best_val_loss,
        seconds=result.seconds, samples_per_second=result.samples_per_second,
        evaluation=evaluation, warnings=warnings,
        blend=result.blend.to_dict() if result.blend is not None else None,
    )  # fmt: skip


def _share_note(workload: Workload, share: FileShard) -> str:
    return (
        f"worker {share.worker} of {share.workers} trains on its own "
        f"{count_of(len(workload.files), 'file')} "
        f"({', '.join(path.name for path in workload.files[:3])}"
        f"{', ...' if len(workload.files) > 3 else ''}): {len(workload.ids)} of "
        f"{workload.series_count} series, {len(workload.starts['train'])} training windows"
    )


def _skipped_note(workload: Workload) -> str:
    skipped = workload.layout.skipped
    first = list(skipped.items())[:3]
    listed = "; ".join(f"{sid}: {why}" for sid, why in first)
    more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    return (
        f"{len(skipped)} of {len(skipped) + len(workload.ids)} series are too short for a "
        f"window in every split and are left out ({listed}{more}); all are listed in --json "
        "and in the run's metrics.json"
    )


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
    from lstmcast.runtime import seed_everything
    from lstmcast.training.fit import fit_model
    from lstmcast.training.placement import place

    workload = prepare_workload(experiment)
    resolved = workload.experiment
    training = resolved.training.model_copy(
        update={"epochs": min(epochs, resolved.training.epochs), "early_stopping": None}
    )
    workload = replace(workload, experiment=resolved.model_copy(update={"training": training}))
    placement = place(workload.experiment)
    runs = []
    for _ in range(2):
        seed_everything(training.seed, deterministic_ops=not training.jit_compile)
        model = fit_model(workload.fitting, placement=placement).model
        runs.append((model.get_weights(), evaluate_workload(model, [workload]).overall))
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
