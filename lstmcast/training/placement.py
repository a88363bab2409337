"""Where training runs: the device, the tf.distribute strategy over several devices or
machines, the numeric precision, and which recurrent kernel that leaves the layers on."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from lstmcast import internals
from lstmcast.config.schema import Experiment
from lstmcast.data.shards import FileShard
from lstmcast.errors import ConfigError
from lstmcast.runtime import Device, import_tensorflow, select_device

TF_CONFIG = "TF_CONFIG"


@dataclass(frozen=True)
class Placement:
    device: Device
    strategy: Any | None
    """The tf.distribute strategy, or None for one device."""
    replicas: int = 1
    worker: int = 0
    workers: int = 1
    own_files: bool = False
    """Each worker reads its own files of a folder (reads_own_files): its windows are its
    own, not a share of everyone's."""

    @property
    def is_chief(self) -> bool:
        """The one process that writes the run folder (worker 0)."""
        return self.worker == 0

    @property
    def gpu(self) -> bool:
        return self.device.is_gpu

    def scope(self) -> contextlib.AbstractContextManager[Any]:
        """Variables created inside are mirrored over the replicas."""
        return self.strategy.scope() if self.strategy is not None else contextlib.nullcontext()

    def feed(self, dataset: Any) -> Any:
        """The dataset as fit reads it. Across workers that build the same windows in the same
        seeded order, each keeps its share of every global batch (tf.data's DATA
        auto-sharding); across workers that read their own files, each feeds its own windows,
        already batched per replica (distribute_datasets_from_function)."""
        if self.workers < 2:
            return dataset
        if self.own_files:
            return self.strategy.distribute_datasets_from_function(lambda context: dataset)
        tf = import_tensorflow()
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA
        )
        return dataset.with_options(options)

    def replica_batch(self, batch_size: int) -> int:
        """A replica's part of a global batch (at least one window)."""
        return max(1, batch_size // self.replicas)

    def worker_batch(self, batch_size: int) -> int:
        """The windows one worker feeds per step: its replicas' parts of a global batch."""
        return self.replica_batch(batch_size) * (self.replicas // self.workers)

    def gather(self, counts: list[int]) -> np.ndarray:
        """Every worker's `counts`, one row per worker in rank order (a collective: every
        worker must call it at the same point)."""
        if self.workers < 2:
            return np.asarray([counts], dtype=np.int64)
        tf = import_tensorflow()
        local = self.strategy.experimental_distribute_values_from_function(
            lambda context: tf.constant([counts], tf.int64)
        )
        rows = self.strategy.gather(local, axis=0).numpy()  # one row per replica
        return rows[:: self.replicas // self.workers]

    def describe(self) -> str:
        if self.workers > 1:
            return (
                f"{self.device.describe()}, worker {self.worker} of {self.workers} "
                f"({self.replicas} replicas in all)"
            )
        if self.strategy is not None:
            return f"{self.device.describe()}, mirrored over {self.replicas} replicas"
        return self.device.describe()


def place(experiment: Experiment) -> Placement:
    """Choose the device and, for distributed training, create TensorFlow's strategy (which
    must happen before any other TensorFlow work in the process)."""
    training = experiment.training
    required_by = "training.require_cudnn" if training.require_cudnn else ""
    if training.distribution == "multi_worker":
        cluster = _cluster_from_environment()
    device = select_device(
        training.device, cpu_devices=training.cpu_replicas or 1, required_by=required_by
    )
    if training.distribution == "none":
        return Placement(device=device, strategy=None)
    internals.require("keras.Model", setting="training.distribution")  # before hours of work
    tf = import_tensorflow()
    if training.distribution == "mirrored":
        devices = None if device.is_gpu else _logical_cpus(tf)
        strategy = tf.distribute.MirroredStrategy(devices=devices)
        return Placement(device, strategy, replicas=strategy.num_replicas_in_sync)
    internals.patch_multi_worker_reduce()
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    return Placement(
        device,
        strategy,
        replicas=strategy.num_replicas_in_sync,
        worker=cluster.index,
        workers=cluster.size,
        own_files=reads_own_files(experiment),
    )


def reads_own_files(experiment: Experiment) -> bool:
    """Across workers, a panel kept as a folder of files is read file by file: each worker
    reads the values of its own files only (data/shards.py)."""
    data = experiment.data
    return (
        experiment.training.distribution == "multi_worker" and data.is_panel and data.path.is_dir()
    )


def file_share(experiment: Experiment) -> FileShard | None:
    """This worker's share of the files when each worker reads its own; None when every
    process reads all the data. From TF_CONFIG, before TensorFlow starts."""
    if not reads_own_files(experiment):
        return None
    cluster = _cluster_from_environment()
    return FileShard(cluster.index, cluster.size)


def worker_rank(experiment: Experiment) -> int:
    """This process's rank in a multi-worker run (0: the chief, which writes the run folder);
    0 for any other placement. Read from TF_CONFIG, before TensorFlow starts."""
    if experiment.training.distribution != "multi_worker":
        return 0
    return _cluster_from_environment().index


def _logical_cpus(tf: Any) -> list[str]:
    return [device.name for device in tf.config.list_logical_devices("CPU")]


@dataclass(frozen=True)
class _Cluster:
    size: int
    index: int
    """This process's rank: the chief is 0, then the workers in order."""


def _cluster_from_environment() -> _Cluster:
    """Check TF_CONFIG the way a user can act on before TensorFlow reads it."""
    how = "see docs/training.md, 'Several machines'"
    raw = os.environ.get(TF_CONFIG)
    if not raw:
        raise ConfigError(
            "training.distribution: multi_worker needs the TF_CONFIG environment variable "
            f"(the cluster's addresses and this worker's role); {how}"
        )
    try:
        config = json.loads(raw)
        cluster, task = config["cluster"], config["task"]
        chiefs, workers = list(cluster.get("chief", [])), list(cluster.get("worker", []))
        kind, index = task["type"], int(task["index"])
        ranks = {"chief": 0, "worker": len(chiefs)}
        members = {"chief": chiefs, "worker": workers}
        if kind not in ranks or not 0 <= index < len(members[kind]):
            raise ValueError(f"task {kind} {index} is not in the cluster")
    except (ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"TF_CONFIG: not a valid cluster description ({error}); {how}") from None
    return _Cluster(size=len(chiefs) + len(workers), index=ranks[kind] + index)


def build_before_fit(model: Any, placement: Placement, dataset: Any) -> None:
    """Under a distribution strategy, build the model's losses and optimizer from the batch
    shapes, so fit does not average a first batch across replicas to learn them: that fails
    across workers (the first Keras fault above) and whenever a batch splits unevenly."""
    if placement.strategy is None:
        return
    tf = import_tensorflow()
    sample = tf.nest.map_structure(
        lambda spec: tf.zeros([1, *spec.shape[1:]], spec.dtype), dataset.element_spec
    )
    with placement.scope():
        internals.build_from_batch(model, sample)


def recurrent_kernel(experiment: Experiment, placement: Placement) -> str:
    """Which implementation the LSTM/GRU layers run, by Keras's documented cuDNN conditions."""
    if not placement.gpu:
        return "generic (cuDNN needs a GPU)"
    blockers = experiment.model.cudnn_blockers()
    if blockers:
        return f"generic ({'; '.join(blockers)})"
    return "cuDNN"
