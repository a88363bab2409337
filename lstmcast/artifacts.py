"""The run folder: what `train` writes and `evaluate`/`forecast` read, complete or absent.

`train` builds the folder under a hidden sibling name and renames it into place only when every
file is written, so an interrupted or failed run leaves no folder that could be mistaken for a
finished one. manifest.json is written last and lists a checksum of each file it vouches for.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from lstmcast import __version__, locks
from lstmcast.config.load import experiment_from_dict
from lstmcast.config.schema import Experiment, ResolvedExperiment
from lstmcast.data.scaling import Scaler
from lstmcast.data.shards import data_sha256, file_sha256
from lstmcast.errors import ArtifactError, ConfigError
from lstmcast.files import umask, write_json, write_text_atomic
from lstmcast.models.onnx import OnnxModel, onnx_runtime_available

if TYPE_CHECKING:
    import keras

CONFIG_FILE = "config.yaml"
MANIFEST_FILE = "manifest.json"
MODEL_FILE = "model.keras"
ONNX_FILE = "model.onnx"
PREPROCESSING_FILE = "preprocessing.json"
HISTORY_FILE = "history.csv"
LOSS_PLOT_FILE = "loss.png"
METRICS_FILE = "metrics.json"
INTERVALS_FILE = "intervals.json"
GATE_FILE = "gate.json"
CHECKED_FILES = (CONFIG_FILE, MODEL_FILE, ONNX_FILE, PREPROCESSING_FILE, INTERVALS_FILE)
"""Files whose checksums the manifest records (model.onnx and intervals.json when the run has
them); metrics.json is rewritten by `evaluate`."""


@dataclass(frozen=True)
class Run:
    run_dir: Path
    experiment: ResolvedExperiment
    preprocessing: dict[str, Any]
    manifest: dict[str, Any]

    @property
    def scaler(self) -> Scaler:
        """A one-series run's scaler, fitted on its training rows when it was trained."""
        (entry,) = self.preprocessing["series"].values()
        return Scaler.from_dict(entry["scaler"])

    @property
    def intervals_state(self) -> dict[str, Any] | None:
        """The conformal intervals calibrated after training, as saved (evaluation/intervals.py
        reads them); None for a run without them."""
        path = self.run_dir / INTERVALS_FILE
        return read_json(path) if path.is_file() else None

    @property
    def is_panel(self) -> bool:
        """A many-series run (lstmcast/panels): one model, a scaler per series."""
        return bool(self.preprocessing.get("panel"))

    @property
    def run_id(self) -> str:
        """Names this exact run in logs: its folder (through any `current` link) and a digest
        of its manifest, so a retrain into the same folder gets a new id."""
        return run_id_of(self.run_dir)

    def onnx_model(self, engine: str = "auto") -> OnnxModel | None:
        """The ONNX export under ONNX Runtime, for engine auto or onnx, when the folder has one
        and onnxruntime is installed; None means Keras (engine onnx refuses instead)."""
        exported = self.run_dir / ONNX_FILE
        if engine != "keras" and exported.is_file() and onnx_runtime_available():
            try:
                return OnnxModel(exported)
            except Exception as err:  # onnxruntime raises its own types for a damaged file
                raise ArtifactError(f"{exported} cannot be loaded: {err}") from None
        if engine == "onnx":
            why = (
                "onnxruntime is not installed: pip install 'lstmcast[onnx]'"
                if exported.is_file()
                else f"{self.run_dir} has no {ONNX_FILE} (train with the onnx extra installed)"
            )
            raise ConfigError(f"--engine onnx: {why}")
        return None

    def load_model(self) -> keras.Model:
        from lstmcast.models import load_model

        try:
            return load_model(str(self.run_dir / MODEL_FILE))
        except Exception as err:  # Keras raises many types for a damaged zip
            raise ArtifactError(f"{self.run_dir / MODEL_FILE} cannot be loaded: {err}") from None


def ensure_run_dir_free(run_dir: Path, *, overwrite: bool) -> None:
    """Fail before training, not after, when the run folder exists and may not be replaced."""
    if run_dir.exists() and not overwrite:
        raise ConfigError(
            f"run folder {run_dir} already exists; pass --overwrite to replace it or choose "
            "another with --set output.run_dir=..."
        )
    if run_dir.exists() and not run_dir.is_dir():
        raise ConfigError(f"{run_dir} exists and is not a folder; choose another output.run_dir")


@contextlib.contextmanager
def staged_run_dir(run_dir: Path, *, overwrite: bool) -> Iterator[Path]:
    """Yield an empty hidden folder beside `run_dir`; on success it becomes `run_dir`."""
    ensure_run_dir_free(run_dir, overwrite=overwrite)
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{run_dir.name}.partial-", dir=run_dir.parent))
    staging.chmod(0o777 & ~umask())  # mkdtemp makes 0700; a run folder is ordinary output
    try:
        yield staging
        old = None
        if run_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{run_dir.name}.old-", dir=run_dir.parent))
            run_dir.replace(old / run_dir.name)
        staging.replace(run_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def write_history(path: Path, history: dict[str, list[float]]) -> None:
    """history.csv: one row per epoch, every logged value (losses, learning rate)."""
    names = list(history)
    rows = ["epoch," + ",".join(names)]
    for epoch, values in enumerate(zip(*history.values(), strict=True), start=1):
        rows.append(f"{epoch}," + ",".join(json.dumps(value) for value in values))
    write_text_atomic(path, "\n".join(rows) + "\n")


def save_config(staging: Path, experiment: ResolvedExperiment) -> None:
    """The resolved config, its data.path relative to the run folder (as a config's is to the
    config): a project copied elsewhere with its data and runs still finds the data."""
    resolved = experiment.model_dump(mode="json")
    run_dir = experiment.run_dir.resolve()
    resolved["data"]["path"] = os.path.relpath(experiment.data.path.resolve(), run_dir)
    write_text_atomic(staging / CONFIG_FILE, yaml.safe_dump(resolved, sort_keys=False))


def write_manifest(
    staging: Path,
    *,
    seed: int,
    device: str,
    versions: dict[str, str],
    data_sha256: str,
    model: dict[str, Any],
    training: dict[str, Any],
    parent: dict[str, Any] | None = None,
) -> None:
    """Written last: its presence and checksums are what make a run folder complete. An
    updated run names its `parent` (run id, data checksum, epochs added)."""
    manifest = {
        "lstmcast_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": sys.argv,
        "seed": seed,
        "device": device,
        "model": model,
        "training": training,
        "versions": versions,
        "data_sha256": data_sha256,
        **({"parent": parent} if parent is not None else {}),
        "files": {
            name: file_sha256(staging / name) for name in CHECKED_FILES if (staging / name).exists()
        },
    }
    write_json(staging / MANIFEST_FILE, manifest)


def load_run(run_dir: Path) -> Run:
    """Open a finished run folder, refusing one that is missing, partial or altered."""
    if not run_dir.is_dir():
        raise ArtifactError(
            f"run folder {run_dir} does not exist; train first with `lstmcast train CONFIG`"
        )
    manifest_path = run_dir / MANIFEST_FILE
    if not manifest_path.is_file():
        raise ArtifactError(
            f"{run_dir} is not a complete run folder (no {MANIFEST_FILE}); train again"
        )
    manifest = read_json(manifest_path)
    _check_written_by_this_or_older(run_dir, str(manifest.get("lstmcast_version", "0")))
    for name, expected in manifest.get("files", {}).items():
        path = run_dir / name
        if not path.is_file():
            raise ArtifactError(f"{run_dir} is incomplete: {name} is missing; train again")
        if file_sha256(path) != expected:
            raise ArtifactError(
                f"{path} has changed since training (checksum differs); train again"
            )
    raw_config = yaml.safe_load((run_dir / CONFIG_FILE).read_text(encoding="utf-8"))
    try:
        experiment = experiment_from_dict(raw_config, run_dir / CONFIG_FILE)
    except ConfigError as err:
        raise ArtifactError(f"{run_dir}: its saved config is not valid: {err}") from None
    if experiment.windows.lookback is None:
        raise ArtifactError(f"{run_dir}: its saved config has no windows.lookback; train again")
    resolved = experiment.model_dump()
    resolved["output"]["run_dir"] = run_dir
    experiment = ResolvedExperiment.model_validate(resolved)
    state = series_state(read_json(run_dir / PREPROCESSING_FILE), experiment.data.target)
    return Run(run_dir, experiment, state, manifest)


def series_state(state: dict[str, Any], target: str) -> dict[str, Any]:
    """A run's preprocessing state with its series listed, as a workload writes it: a
    one-series run written before workloads kept its scaler and split at the top."""
    if "series" in state:
        return state
    one = {"number": 1, "scaler": state["scaler"], "split": state["split"],
           "last_timestamp": state.get("last_timestamp")}  # fmt: skip
    return {**state, "panel": False, "series": {target: one}, "static": {}, "skipped": {},
            "series_embedding": 0}  # fmt: skip


@contextlib.contextmanager
def locked_run(
    run_dir: Path, *, command: str, exclusive: bool = False, wait: float = 0.0
) -> Iterator[Run]:
    """The run in `run_dir`, loaded and held under its lock (the folder's own, also through a
    `promote` link): shared to read it, exclusive to write into it. A path that is not a run
    folder is refused before any lock file is made beside it."""
    if not (run_dir / MANIFEST_FILE).is_file():
        load_run(run_dir)  # raises: missing, or not a complete run folder
    with locks.holding(run_dir.resolve(), command=command, exclusive=exclusive, wait=wait):
        yield load_run(run_dir)


def _check_written_by_this_or_older(run_dir: Path, version: str) -> None:
    """A run from a newer lstmcast may hold what this one cannot read right: refuse it."""

    def numbers(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", text)[:3])

    if numbers(version) > numbers(__version__):
        raise ArtifactError(
            f"{run_dir} was written by lstmcast {version}, newer than this {__version__}; "
            "upgrade lstmcast to read it (pip install -U lstmcast)"
        )


def run_id_of(run_dir: Path) -> str:
    """Run.run_id of the run folder at `run_dir`, without loading it."""
    return f"{run_dir.resolve().name}-{file_sha256(run_dir / MANIFEST_FILE)[:8]}"


def read_json(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ArtifactError(f"{path} cannot be read: {err}") from None
    if not isinstance(loaded, dict):
        raise ArtifactError(f"{path} is not a JSON object")
    return loaded


RUN_KEEPS_ITS_SETTINGS = (
    "--set changes a config file; a run folder keeps the settings it was trained with: give "
    "the config, or retrain with the setting"
)

COMPARED = ("data", "windows", "scaling", "model")
"""Sections whose values decide what a run is: a config pointing at a run must agree on them."""


def check_agreement(config: Path, experiment: Experiment, run: Run) -> None:
    """Refuse a config whose run folder holds a run trained with other settings: evaluating
    or forecasting it under this config's name would quietly use the old ones."""
    differences = []
    for section in COMPARED:
        wanted = getattr(experiment, section).model_dump(mode="json")
        trained = getattr(run.experiment, section).model_dump(mode="json")
        for key, value in wanted.items():
            if value in (None, "auto") or value == trained.get(key):
                continue  # left to a default the run resolved (lookback), or the same
            if (section, key) == ("data", "path") and _same_data(experiment.data.path, run):
                continue  # the same bytes, spelt from elsewhere (a project copied or moved)
            differences.append(f"{section}.{key} {value!r} (the run: {trained.get(key)!r})")
    if differences:
        raise ConfigError(
            f"{config} does not match the run in {run.run_dir}: {'; '.join(differences)}; "
            f"train it again (lstmcast train {config} --overwrite) or give the run folder"
        )


def _same_data(path: Path, run: Run) -> bool:
    """Whether the data at `path` is, byte for byte, what the run was trained on."""
    try:
        return data_sha256(path) == run.manifest.get("data_sha256")
    except OSError:
        return False


def model_label(cell: str, blend_share: float | None) -> str:
    """The model as people should read it: 'lstm', or 'lstm (blended 0.45 with seasonal
    naive)' when the forecast is 0.45 x the network + 0.55 x seasonal naive."""
    if blend_share is None or blend_share >= 1:
        return cell
    return f"{cell} (blended {blend_share:.2f} with seasonal naive)"


def run_summary(run: Run) -> dict[str, Any]:
    """What a run is, from its files alone (no TensorFlow): for `lstmcast info`."""
    manifest, preprocessing, experiment = run.manifest, run.preprocessing, run.experiment
    history = _history(run.run_dir / HISTORY_FILE)
    metrics_path = run.run_dir / METRICS_FILE
    metrics = read_json(metrics_path) if metrics_path.is_file() else {}
    label = metrics.get("model", experiment.model.cell)
    blend = manifest.get("training", {}).get("blend") or {}
    overall = metrics.get("overall") or {  # a panel run: the mean over its series
        name: {"mase": value} for name, value in metrics.get("mean_mase", {}).items()
    }
    return {
        "run_dir": str(run.run_dir),
        "created": manifest.get("created"),
        "lstmcast_version": manifest.get("lstmcast_version"),
        "trained_with": " ".join(manifest.get("command", [])),
        "data": {
            "path": str(experiment.data.path),
            "sha256": manifest.get("data_sha256"),
            "columns": preprocessing.get("columns"),
            "frequency": preprocessing.get("frequency"),
            "first_timestamp": preprocessing.get("first_timestamp"),
            "last_timestamp": preprocessing.get("last_timestamp"),
            "split": preprocessing.get("split"),
        },
        "windows": experiment.windows.model_dump(mode="json"),
        "model": manifest.get("model", {}),
        "device": manifest.get("device"),
        "versions": manifest.get("versions", {}),
        "training": {**manifest.get("training", {}), "seed": manifest.get("seed"), **history},
        "test_mase": {name: values.get("mase") for name, values in overall.items()},
        "skill": metrics.get("skill"),
        "model_label": label,
        "model_described": model_label(label, blend.get("share")),
        "intervals": list((run.intervals_state or {}).get("radius", {})),
        "panel": _panel_kind(preprocessing) if run.is_panel else None,
        "parent": manifest.get("parent"),
    }


def _panel_kind(preprocessing: dict[str, Any]) -> dict[str, Any]:
    """What a many-series run is: how many series, what tells them apart, and that it has no
    per-series parts (so it forecasts series it never saw)."""
    return {
        "series": len(preprocessing.get("series", {})),
        "skipped": len(preprocessing.get("skipped", {})),
        "static": list(preprocessing.get("static", {})),
        "per_series_parameters": bool(preprocessing.get("series_embedding")),
        "validation_starts": preprocessing.get("validation_starts"),
        "test_starts": preprocessing.get("test_starts"),
    }


def read_history(path: Path) -> list[dict[str, str]]:
    """history.csv's rows (write_history), each column name to its text."""
    import csv

    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _history(path: Path) -> dict[str, Any]:
    """Epochs run, and the epoch with the lowest validation loss, from history.csv."""
    if not path.is_file():
        return {}
    rows = read_history(path)
    losses = [(float(row["val_loss"]), int(row["epoch"])) for row in rows if row.get("val_loss")]
    best = min(losses) if losses else (float("nan"), 0)
    return {"epochs_run": len(rows), "best_epoch": best[1], "best_val_loss": best[0]}
