"""Where and how training runs, told before it starts: the device and strategy with their
seeds, what is slow on them, and the facts the manifest records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lstmcast.config.schema import Experiment, ResolvedExperiment
from lstmcast.config.sections.training import TrainingSection
from lstmcast.phases import phase
from lstmcast.runtime import Device, seed_everything
from lstmcast.training.placement import Placement, place, recurrent_kernel

if TYPE_CHECKING:
    from collections.abc import Callable

    from lstmcast.training.fit import TrainingResult


def start_tensorflow(experiment: ResolvedExperiment, warn: Callable[[str], None]) -> Placement:
    """The device (and strategy) chosen and the seeds set, the placement's warnings told: what
    every kind of training does first once the data is known to be good."""
    with phase("tensorflow"):
        placement = place(experiment)
        training = experiment.training
        seed_everything(training.seed, deterministic_ops=not training.jit_compile)
    for message in placement_warnings(experiment, placement):
        warn(message)
    return placement


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
