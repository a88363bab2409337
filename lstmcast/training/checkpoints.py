"""Resumable training: a hidden checkpoint folder beside the run folder, tied to one experiment.

Every completed epoch saves the weights (Keras BackupAndRestore, two copies, so a kill during a
save leaves the previous one) and appends the epoch's logs to a CSV. Started again with the
same config and data, `train` resumes after the last saved epoch; the folder is removed once
the run folder is complete. A checkpoint of another config or data is discarded, never mixed in.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from lstmcast import internals
from lstmcast.config.schema import Experiment

BACKUP = "backup"
HISTORY = "history.csv"
FINGERPRINT = "experiment.sha256"


def checkpoint_dir(run_dir: Path, worker: int = 0) -> Path:
    """Beside the run folder; each worker of a multi-worker run keeps its own copy."""
    suffix = f"-worker{worker}" if worker else ""
    return run_dir.parent / f".{run_dir.name}.checkpoint{suffix}"


def open_checkpoint(
    experiment: Experiment,
    data_sha256: str,
    tell: Callable[[str], None] | None = None,
    *,
    worker: int = 0,
) -> Path:
    """The experiment's checkpoint folder, created or reused; says when training resumes."""
    folder = checkpoint_dir(experiment.run_dir, worker)
    identity = hashlib.sha256(
        (experiment.model_dump_json() + data_sha256).encode("utf-8")
    ).hexdigest()
    stamp = folder / FINGERPRINT
    if folder.exists():
        same = stamp.exists() and stamp.read_text(encoding="utf-8") == identity
        if not same:
            shutil.rmtree(folder)
            if tell is not None:
                tell(f"discarding {folder}: it belongs to another config or data")
        elif completed_epochs(folder) and tell is not None:
            tell(
                f"resuming after epoch {completed_epochs(folder)} of "
                f"{experiment.training.epochs} from {folder}"
            )
    folder.mkdir(parents=True, exist_ok=True)
    stamp.write_text(identity, encoding="utf-8")
    return folder


def callbacks(folder: Path) -> list[Any]:
    """Keras callbacks that log every epoch and save its weights in `folder`."""
    import keras

    return [
        keras.callbacks.CSVLogger(str(folder / HISTORY), append=True),
        keras.callbacks.BackupAndRestore(
            str(folder / BACKUP), double_checkpoint=True, delete_checkpoint=False
        ),
    ]


def completed_epochs(folder: Path) -> int:
    return internals.backup_epoch(folder / BACKUP)


def logged_history(folder: Path) -> dict[str, list[float]]:
    """Every epoch's logs across restarts; an epoch logged twice (killed between its log line
    and its weights) keeps its last run."""
    frame = pd.read_csv(folder / HISTORY)
    frame = frame.drop_duplicates("epoch", keep="last").sort_values("epoch")
    return {name: frame[name].astype(float).tolist() for name in frame.columns if name != "epoch"}


def remove_checkpoint(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
