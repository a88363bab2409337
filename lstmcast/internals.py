"""Every place lstmcast touches a private TensorFlow or Keras name, behind one guard.

Keras is pinned `>=3.3,<4` and any minor release may rename what these workarounds use. Each is
checked before it is used: a missing name becomes a one-line error that names the installed
version, the setting that needs it and the known-good versions, or a documented fallback,
instead of a traceback mid-training. `tests/test_internals.py` fails loudly the day an upgrade
removes one.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from lstmcast.errors import ConfigError

KNOWN_GOOD = {"tensorflow": "2.21.0", "keras": "3.15.1"}
"""The versions the whole test suite last passed with (README, 'Known-good versions')."""

PRIVATE_NAMES = {
    "tensorflow.python.framework.config": ("disable_op_determinism",),
    "keras.src.backend.tensorflow.trainer": (
        "reduce_per_replica",
        "_collective_all_reduce_multi_worker",
        "_is_per_replica_instance",
        "tree",
    ),
    "keras.Model": ("_symbolic_build", "_maybe_symbolic_build"),
}
"""module or class -> the private names lstmcast uses from it."""

BACKUP_METADATA = "training_metadata.json"
"""The file keras.callbacks.BackupAndRestore writes beside its weights, holding the epoch."""


def missing_names() -> list[str]:
    """Every private name above that the installed TensorFlow/Keras lacks, as 'module.name'."""
    missing = []
    for owner, names in PRIVATE_NAMES.items():
        found = _resolve(owner)
        missing += [f"{owner}.{name}" for name in names if not hasattr(found, name)]
    return missing


def _resolve(owner: str) -> Any:
    module, _, attribute = owner.rpartition(".")
    try:
        return importlib.import_module(owner)
    except ImportError:
        return getattr(importlib.import_module(module), attribute, None)


def require(owner: str, *, setting: str) -> Any:
    """The module or class `owner` with all its names listed above, or a ConfigError naming the
    versions and the `setting` that needs them."""
    found = _resolve(owner)
    absent = [name for name in PRIVATE_NAMES[owner] if not hasattr(found, name)]
    if absent:
        raise ConfigError(
            f"{setting} needs {owner}.{absent[0]}, which Keras {_version('keras')} / TensorFlow "
            f"{_version('tensorflow')} no longer has; change {setting} or install the "
            f"known-good versions (keras=={KNOWN_GOOD['keras']}, "
            f"tensorflow=={KNOWN_GOOD['tensorflow']})"
        )
    return found


def _version(package: str) -> str:
    try:
        return str(importlib.import_module(package).__version__)
    except ImportError:
        return "not installed"


def disable_op_determinism() -> None:
    """TensorFlow has a public switch on for deterministic kernels but none off; without the
    private one, the setting stays as a previous run in this process left it (harmless: only
    tests train twice in one process)."""
    config = _resolve("tensorflow.python.framework.config")
    if hasattr(config, "disable_op_determinism"):
        config.disable_op_determinism()


def backup_epoch(backup: Path) -> int:
    """Epochs that keras.callbacks.BackupAndRestore has saved in `backup`; 0 when none, or
    when its private metadata cannot be read (training then starts over: safe, not silent,
    because `train` says 'resuming' only when this is above 0)."""
    metadata = backup / BACKUP_METADATA
    try:
        return int(json.loads(metadata.read_text(encoding="utf-8"))["epoch"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def patch_multi_worker_reduce() -> None:
    """Keras 3's fit averages scalar metrics 'along axis 0' across workers, which fails under
    MultiWorkerMirroredStrategy (keras-team/keras#20585, open): average them with axis=None.
    Only this process's distributed training is affected; checked by the two-worker test."""
    trainer = require(
        "keras.src.backend.tensorflow.trainer", setting="training.distribution: multi_worker"
    )
    if getattr(trainer.reduce_per_replica, "lstmcast_fixed", False):
        return
    keras_reduce = trainer.reduce_per_replica

    def reduce_per_replica(values: Any, strategy: Any, reduction: str) -> Any:
        if reduction not in {"auto", "mean"} or not trainer._collective_all_reduce_multi_worker(
            strategy
        ):
            return keras_reduce(values, strategy, reduction)

        def mean(value: Any) -> Any:
            if not trainer._is_per_replica_instance(value):
                return value
            return strategy.reduce("MEAN", value, axis=None)

        return trainer.tree.map_structure(mean, values)

    reduce_per_replica.lstmcast_fixed = True  # type: ignore[attr-defined]
    trainer.reduce_per_replica = reduce_per_replica


def build_from_batch(model: Any, batch: Any) -> None:
    """Build a model's losses and optimizer from one batch of the right shapes, and stop fit
    from doing it again by averaging a real first batch across replicas (the other half of
    keras-team/keras#20585: it fails across workers and whenever a batch splits unevenly)."""
    require("keras.Model", setting="training.distribution")
    model._symbolic_build(data_batch=batch)
    model._maybe_symbolic_build = lambda iterator=None, data_batch=None: None
