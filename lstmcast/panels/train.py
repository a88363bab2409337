"""`train` for a panel: one global model over every series, then per-series test metrics and a
complete run folder. The fitting itself is the single-series fit_model, unchanged."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from lstmcast import artifacts
from lstmcast.config.schema import Experiment
from lstmcast.data import shards
from lstmcast.data.shards import FileShard
from lstmcast.panels.evaluate import calibrate_panel, evaluate_panel
from lstmcast.panels.prepare import PanelData, merged_state, plan_panel, prepare_panel
from lstmcast.phases import PhaseTimes, phase, recording
from lstmcast.plots import plot_history, plotting_available
from lstmcast.training import EpochReport, checkpoints
from lstmcast.training.blend import choose_blend
from lstmcast.training.export import export_onnx
from lstmcast.training.placement import file_share
from lstmcast.training.run import (
    Notes,
    TrainingSetup,
    check_outputs,
    run_dir_lock,
    start_tensorflow,
    write_history,
)

if TYPE_CHECKING:
    from lstmcast.training.fit import TrainingResult


@dataclass(frozen=True)
class PanelTrainSummary:
    run_dir: str
    device: str
    worker: int
    workers: int
    files: list[str]
    """The files whose values this process trained on (its own share, when each worker
    reads its own files)."""
    architecture: str
    num_params: int
    series: int
    skipped: dict[str, str]
    train_windows: int
    epochs_run: int
    best_epoch: int
    seconds: float
    samples_per_second: float
    evaluation: dict[str, Any] | None
    """None on a worker other than the chief: the chief scores and writes the run folder."""
    versions: dict[str, str]
    warnings: list[str]
    phases: PhaseTimes = field(default_factory=dict)
    """Wall seconds and peak RSS after each phase: prepare, tensorflow, fit, (blend, on the
    chief of workers reading their own files), calibrate, evaluate, write."""

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def train_panel(
    experiment: Experiment,
    *,
    overwrite: bool = False,
    report: EpochReport | None = None,
    warn: Callable[[str], None] | None = None,
    tell: Callable[[str], None] | None = None,
    wait: float = 0.0,
) -> PanelTrainSummary:
    """Train, score each series on its test split, write the run folder atomically."""
    notes = Notes(warn, tell)
    with run_dir_lock(experiment, wait=wait, tell=notes.tell), recording() as times:
        summary = _train(experiment, notes, overwrite=overwrite, report=report)
    return replace(summary, phases=times)


def _train(
    experiment: Experiment, notes: Notes, *, overwrite: bool, report: EpochReport | None
) -> PanelTrainSummary:
    check_outputs(experiment, overwrite=overwrite)
    share = file_share(experiment)
    with phase("prepare"):  # data errors surface before TensorFlow loads
        if share is None:
            data = prepare_panel(experiment)
            parts = _whole(data)
        else:
            plan = plan_panel(experiment)
            data = plan.part(share)
            parts = functools.partial(plan.whole_from, data, share)
            notes.tell(_share_note(data, share))
    if data.layout.skipped:
        notes.warning(_skipped_note(data))
    for message in data.warnings:
        notes.warning(message)
    return _fit_and_write(data, parts, notes, overwrite=overwrite, report=report)


def _fit_and_write(
    data: PanelData,
    parts: Callable[[], Iterable[PanelData]],
    notes: Notes,
    *,
    overwrite: bool,
    report: EpochReport | None,
) -> PanelTrainSummary:
    """Fit on `data` (this worker's part); the chief then scores the whole panel, `parts`."""
    experiment, training = data.experiment, data.experiment.training
    placement = start_tensorflow(experiment, notes)
    setup = TrainingSetup.of(experiment, placement)
    notes.tell(setup.describe(training) + f"; {data.series_count} series, one model")
    data_sha256 = shards.data_sha256(experiment.data.path)
    checkpoint = checkpoints.open_checkpoint(
        experiment, data_sha256, notes.tell, worker=placement.worker
    )

    from lstmcast.training.fit import fit_model

    with phase("fit"):
        result = fit_model(data.fitting, report=report, checkpoint=checkpoint, placement=placement)
    if placement.own_files and placement.is_chief:  # chosen on every part's validation windows
        with phase("blend"):
            result = replace(result, blend=choose_blend(result.model, (p.fitting for p in parts())))
    if result.blend is not None:
        notes.tell(result.blend.describe())
    evaluation = None
    if placement.is_chief:  # the chief scores and writes; the other workers only train
        manifest = setup.manifest(training, data_sha256=data_sha256, result=result)
        evaluation = _score_and_write(data, parts, result, notes, manifest, overwrite=overwrite)
    checkpoints.remove_checkpoint(checkpoint)
    return PanelTrainSummary(
        str(experiment.run_dir), placement.describe(), placement.worker, placement.workers,
        [path.name for path in data.files], experiment.model.architecture, result.num_params,
        data.series_count, data.layout.skipped, int(len(data.starts["train"])),
        result.epochs_run, result.best_epoch, result.seconds, result.samples_per_second,
        evaluation, setup.versions, notes.warnings,
    )  # fmt: skip


def _score_and_write(
    data: PanelData,
    parts: Callable[[], Iterable[PanelData]],
    result: TrainingResult,
    notes: Notes,
    manifest: dict[str, Any],
    *,
    overwrite: bool,
) -> dict[str, Any]:
    """Calibrate the bands and score every series over the panel's parts (each read when
    reached: the whole panel is never in memory at once when workers read their own files),
    write the run folder; the evaluation."""
    experiment = data.experiment
    with phase("calibrate"):
        intervals = calibrate_panel(result.model, parts())
    states: list[dict[str, Any]] = []
    with phase("evaluate"):
        evaluation = evaluate_panel(result.model, _keeping_states(parts(), states), intervals)
    staged = artifacts.staged_run_dir(experiment.run_dir, overwrite=overwrite)
    with phase("write"), staged as staging:
        artifacts.save_config(staging, experiment)
        result.model.save(staging / artifacts.MODEL_FILE)
        export_onnx(result.model, data.fitting, staging / artifacts.ONNX_FILE, tell=notes.tell)
        artifacts.write_json(staging / artifacts.PREPROCESSING_FILE, merged_state(states))
        write_history(staging / artifacts.HISTORY_FILE, result.history)
        if plotting_available():
            plot_history(result.history, staging / artifacts.LOSS_PLOT_FILE)
        artifacts.write_json(staging / artifacts.METRICS_FILE, evaluation)
        if intervals is not None:
            artifacts.write_json(staging / artifacts.INTERVALS_FILE, intervals.to_dict())
        model = {"architecture": experiment.model.architecture, "parameters": result.num_params}
        artifacts.write_manifest(staging, model=model, **manifest)
    return evaluation


def _whole(data: PanelData) -> Callable[[], Iterable[PanelData]]:
    """The panel's parts when one process holds it all: itself."""
    return lambda: [data]


def _keeping_states(
    parts: Iterable[PanelData], states: list[dict[str, Any]]
) -> Iterator[PanelData]:
    """The parts, each one's preprocessing state appended to `states` as it passes."""
    for part in parts:
        states.append(part.state())
        yield part


def _share_note(data: PanelData, share: FileShard) -> str:
    return (
        f"worker {share.worker} of {share.workers} trains on its own "
        f"{_count(len(data.files), 'file')} "
        f"({', '.join(path.name for path in data.files[:3])}"
        f"{', ...' if len(data.files) > 3 else ''}): {len(data.layout.ids)} of "
        f"{data.series_count} series, {len(data.starts['train'])} training windows"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _skipped_note(data: PanelData) -> str:
    skipped = data.layout.skipped
    first = list(skipped.items())[:3]
    listed = "; ".join(f"{sid}: {why}" for sid, why in first)
    more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    return (
        f"{len(skipped)} of {len(skipped) + len(data.layout.ids)} series are too short for a "
        f"window in every split and are left out ({listed}{more}); all are listed in --json "
        "and in the run's metrics.json"
    )
