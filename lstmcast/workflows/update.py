"""`update`: a trained run continued on newer data, into a new run folder that names its parent.

Retraining from scratch every week throws away what the model has learned; continuing from its
weights for a few epochs costs a fraction of it. The parent's own config is used on the new
data, so the architecture, horizon, lookback, target and columns are the parent's and its
weights fit; only training.* may change. Each series keeps the parent's scaler (a series the
parent never saw is scaled by its own training rows), validation and test are the newest rows
by the config's split, the blend and the bands are chosen again on the new validation windows,
and the run goes through train's own path, gate included (workflows/train.py with a parent).
The parent is only read.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from lstmcast import artifacts, tracking
from lstmcast.artifacts import Run
from lstmcast.config.load import apply_override, experiment_from_dict
from lstmcast.config.schema import Experiment
from lstmcast.errors import ConfigError

UPDATE_SUFFIX = ".update-"
UPDATE_EPOCHS = 1
"""Epochs an update trains for unless --epochs says otherwise: one pass over the data up to now,
the choice of bench/update_year.py (a weekly update of vic_elec over 8 weeks: live MASE 0.604
after one epoch, 0.800 after 3, 0.779 after 10, retraining 0.672; on the tourism panel over 8
quarters the counts were level, within 1 % of retraining)."""


def planned_update(
    run: Path,
    data: Path,
    *,
    output_run: Path | None,
    epochs: int | None,
    overrides: list[str],
    mlflow_uri: str | None = None,
) -> tuple[Run, Experiment]:
    """(the parent run at `run`, the experiment that updates it on `data` into `output_run`,
    by default beside it, logged to MLflow as the parent was or at `mlflow_uri`); what cannot
    be updated is refused before any work."""
    parent = artifacts.load_run(run)
    destination = output_run or default_run_dir(run)
    experiment = update_experiment(
        parent, data, run_dir=destination, epochs=epochs, overrides=overrides
    )
    mlflow = tracking.with_uri(
        experiment.output.mlflow, mlflow_uri, experiment=_base_name(parent.run_dir)
    )
    output = experiment.output.model_copy(update={"mlflow": mlflow})
    return parent, experiment.model_copy(update={"output": output})


def update_experiment(
    parent: Run, data: Path, *, run_dir: Path, epochs: int | None, overrides: list[str]
) -> Experiment:
    """The parent's saved config on `data`, into `run_dir`; only training.* may be changed."""
    for override in overrides:
        key = override.partition("=")[0].strip()
        if not key.startswith("training."):
            raise ConfigError(
                f"--set {key}: an update keeps the run's data columns, windows, model and "
                "scaling so that its weights still fit; only training.* can change (train a "
                "new run to change the rest)"
            )
    raw = parent.experiment.model_dump(mode="json")  # what the run saved, read once by load_run
    raw["data"]["path"] = str(data.resolve())
    raw["output"]["run_dir"] = str(run_dir.resolve())
    raw["training"]["epochs"] = epochs or UPDATE_EPOCHS
    for override in overrides:
        apply_override(raw, override)
    return experiment_from_dict(raw, parent.run_dir / artifacts.CONFIG_FILE)


def default_run_dir(parent: Path, now: datetime | None = None) -> Path:
    """Beside the parent's folder (through any `current` link): NAME.update-YYYYMMDDTHHMMSS,
    NAME being the parent's own name without an earlier update's suffix."""
    moment = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%S")
    return parent.resolve().parent / f"{_base_name(parent)}{UPDATE_SUFFIX}{moment}"


def _base_name(run_dir: Path) -> str:
    """The run's folder name (through any `current` link) without an update's suffix."""
    return run_dir.resolve().name.split(UPDATE_SUFFIX)[0]
