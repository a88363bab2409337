"""MLflow, when output.mlflow asks for it: a finished run folder mirrored as an MLflow run (the
config as params, losses per epoch, test scores, lineage tags, the folder as artifacts), a
backtest's scores added to the run it tested, a study's trials under one parent, and
promote's alias in the model registry.

The run folder stays the record and MLflow a window onto it, so everything here reads
finished files, and a tracking server that is down costs a warning (`mirrored`), never a run.
mlflow is imported in this module only, and only when the key is set.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from lstmcast import artifacts
from lstmcast.config.sections.output import MlflowSection
from lstmcast.errors import ConfigError

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

RUN_ID_TAG = "lstmcast.run_id"
STUDY_TAG = "lstmcast.study"
TRIAL_TAG = "lstmcast.trial"
RUN_FOLDER_ARTIFACTS = "run_folder"
# A tracking server that is down should cost seconds, not MLflow's default minutes of retries.
NETWORK_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "20",
}
BATCH = {"metrics": 1000, "params": 100, "tags": 100}  # MLflow's limits per log_batch call


def check_installed(section: MlflowSection | None) -> None:
    """Refuse before hours of training when output.mlflow is set and mlflow is not there."""
    import importlib.util

    if section is not None and importlib.util.find_spec("mlflow") is None:
        raise ConfigError("output.mlflow needs the mlflow package: pip install 'lstmcast[mlflow]'")


def with_uri(
    configured: MlflowSection | None, uri: str | None, *, experiment: str
) -> MlflowSection | None:
    """output.mlflow with --mlflow-uri in place of its tracking_uri (with no output.mlflow,
    the experiment is `experiment`: the config's or the run's name), refused before any work
    when mlflow is not installed."""
    if uri is None:
        section = configured
    elif configured is None:
        section = MlflowSection(tracking_uri=uri, experiment=experiment)
    else:
        section = configured.model_copy(update={"tracking_uri": uri})
    check_installed(section)
    return section


@contextlib.contextmanager
def mirrored(section: MlflowSection, warn: Callable[[str], None]) -> Iterator[None]:
    """Run MLflow calls; a failure becomes one warning naming the store, and the command goes
    on (its run folder is complete without MLflow)."""
    try:
        yield
    except Exception as err:  # noqa: BLE001 - any failure of the mirror is reported, not raised
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        warn(
            f"MLflow: not logged to {section.tracking_uri} (the files written are complete "
            f"without it): {reason[:300]}"
        )


@dataclass(frozen=True)
class Tracker:
    """An open connection to one MLflow experiment."""

    section: MlflowSection
    client: MlflowClient
    experiment_id: str

    @classmethod
    def open(cls, section: MlflowSection) -> Tracker:
        for key, value in NETWORK_DEFAULTS.items():
            os.environ.setdefault(key, value)
        from mlflow.tracking import MlflowClient

        for name in ("mlflow", "alembic"):  # their INFO lines are not ours to print
            logging.getLogger(name).setLevel(logging.WARNING)

        client = MlflowClient(tracking_uri=section.tracking_uri)
        name = section.experiment or "lstmcast"
        found = client.get_experiment_by_name(name)
        if found is None:
            try:
                return cls(section, client, client.create_experiment(name))
            except Exception:  # another process created it a moment ago
                found = client.get_experiment_by_name(name)
                if found is None:
                    raise
        return cls(section, client, found.experiment_id)

    def find(self, tag: str, value: str) -> str | None:
        """The newest MLflow run of this experiment whose tag `tag` is `value`."""
        runs = self.client.search_runs(
            [self.experiment_id], filter_string=f"tags.`{tag}` = '{value}'",
            order_by=["attributes.start_time DESC"], max_results=1,
        )  # fmt: skip
        return runs[0].info.run_id if runs else None

    def start(self, name: str, tags: dict[str, str]) -> str:
        return self.client.create_run(self.experiment_id, run_name=name, tags=tags).info.run_id

    @contextlib.contextmanager
    def finishing(self, mlflow_run: str) -> Iterator[None]:
        """Mark the MLflow run FINISHED after the block, FAILED if it raised (never left
        RUNNING by a store that went away half-way)."""
        try:
            yield
        except BaseException:
            with contextlib.suppress(Exception):
                self.client.set_terminated(mlflow_run, status="FAILED")
            raise
        self.client.set_terminated(mlflow_run)

    def log(
        self,
        mlflow_run: str,
        *,
        params: dict[str, str] | None = None,
        metrics: list[tuple[str, float, int]] | None = None,
        tags: dict[str, str] | None = None,
    ) -> None:
        """Params, (key, value, step) metrics and tags, in batches MLflow accepts."""
        from mlflow.entities import Metric, Param, RunTag

        now = int(time.time() * 1000)
        entities = {
            "params": [Param(k, v) for k, v in (params or {}).items()],
            "metrics": [Metric(k, v, now, step) for k, v, step in metrics or []],
            "tags": [RunTag(k, v) for k, v in (tags or {}).items()],
        }
        for kind, items in entities.items():
            size = BATCH[kind]
            for begin in range(0, len(items), size):
                self.client.log_batch(mlflow_run, **{kind: items[begin : begin + size]})


def log_run(run_dir: Path, section: MlflowSection, *, command: str) -> str:
    """The finished run folder as an MLflow run; its MLflow run id."""
    return _log_run(Tracker.open(section), run_dir, command=command)


def _log_run(tracker: Tracker, run_dir: Path, *, command: str) -> str:
    manifest = artifacts.read_json(run_dir / artifacts.MANIFEST_FILE)
    run_id = artifacts.run_id_of(run_dir)
    tags = {RUN_ID_TAG: run_id, **_lineage_tags(run_dir, manifest, command, tracker)}
    config = yaml.safe_load((run_dir / artifacts.CONFIG_FILE).read_text(encoding="utf-8"))
    scores = artifacts.read_json(run_dir / artifacts.METRICS_FILE)
    metrics = _history_metrics(run_dir / artifacts.HISTORY_FILE) + score_metrics("test", scores)
    mlflow_run = tracker.start(run_dir.resolve().name, tags)
    with tracker.finishing(mlflow_run):
        tracker.log(mlflow_run, params=flat_params(config), metrics=metrics)
        tracker.client.log_artifacts(mlflow_run, str(run_dir), RUN_FOLDER_ARTIFACTS)
    return mlflow_run


def log_backtest(
    scores: dict[str, Any], section: MlflowSection, *, run_dir: Path | None, config: dict | None
) -> str:
    """A backtest's scores: into the MLflow run of the run folder it tested (logged now if it
    is not there yet), or, for a refitting backtest of a config, a run of its own."""
    tracker = Tracker.open(section)
    if run_dir is not None:
        mlflow_run = tracker.find(RUN_ID_TAG, artifacts.run_id_of(run_dir))
        if mlflow_run is None:
            mlflow_run = _log_run(tracker, run_dir, command="train")
        tracker.log(mlflow_run, metrics=score_metrics("backtest", scores))
        return mlflow_run
    name = f"{section.experiment} backtest"
    mlflow_run = tracker.start(name, {"lstmcast.command": "backtest", "lstmcast.mode":
                                      str(scores.get("mode", ""))})  # fmt: skip
    with tracker.finishing(mlflow_run):
        tracker.log(mlflow_run, params=flat_params(config or {}),
                    metrics=score_metrics("backtest", scores))  # fmt: skip
    return mlflow_run


def log_study(found: dict[str, Any], section: MlflowSection, *, config: dict) -> str:
    """A study as one MLflow run with a nested run per finished trial (trials logged by an
    earlier invocation of the same study are not logged twice)."""
    tracker = Tracker.open(section)
    study = found["study"]
    parent = tracker.find(STUDY_TAG, study) or tracker.start(
        f"tune {study}", {STUDY_TAG: study, "lstmcast.command": "tune"}
    )
    logged = {
        run.data.tags.get(TRIAL_TAG)
        for run in tracker.client.search_runs(
            [tracker.experiment_id], filter_string=f"tags.`mlflow.parentRunId` = '{parent}'"
        )
    }
    for trial in found["trials"]:
        if str(trial["number"]) in logged or trial["state"] != "complete":
            continue
        child = tracker.start(f"trial {trial['number']}", {
            "mlflow.parentRunId": parent, TRIAL_TAG: str(trial["number"]),
            "lstmcast.as_written": str(trial["as_written"]).lower()})  # fmt: skip
        with tracker.finishing(child):
            tracker.log(child, params={k: _text(v) for k, v in trial["params"].items()},
                        metrics=[("objective", float(trial["value"]), 0),
                                 ("seconds", float(trial["seconds"]), 0)])  # fmt: skip
    best = found["best"]
    with tracker.finishing(parent):
        tracker.log(parent, params=flat_params(config) if not logged else None,
                    metrics=[("best_objective", float(best["value"]), len(found["trials"]))],
                    tags={"lstmcast.best_trial": str(best["number"])})  # fmt: skip
    return parent


def set_alias(run_dir: Path, section: MlflowSection, alias: str) -> str | None:
    """The run as a version of output.mlflow.registered_model with the alias `alias` (the run
    logged first if it is not in MLflow yet); None when no registry is configured."""
    name = section.registered_model
    if name is None:
        return None
    alias = registry_alias(alias)
    tracker = Tracker.open(section)
    mlflow_run = tracker.find(RUN_ID_TAG, artifacts.run_id_of(run_dir)) or _log_run(
        tracker, run_dir, command="train"
    )
    client = tracker.client
    if not client.search_registered_models(filter_string=f"name = '{name}'"):
        client.create_registered_model(name)
    versions = client.search_model_versions(f"name = '{name}' and run_id = '{mlflow_run}'")
    if versions:
        version = versions[0].version
    else:
        source = f"{client.get_run(mlflow_run).info.artifact_uri}/{RUN_FOLDER_ARTIFACTS}"
        version = client.create_model_version(name, source, run_id=mlflow_run).version
    client.set_registered_model_alias(name, alias, str(version))
    return f"{name}@{alias} (version {version})"


def registry_alias(name: str) -> str:
    """promote's NAME as an MLflow alias: its last path part, characters MLflow refuses made
    '_' (an alias may hold letters, digits, '_' and '-')."""
    alias = re.sub(r"[^\w-]", "_", Path(name).name)
    if not alias or alias.lower() == "latest" or re.fullmatch(r"[vV]\d+", alias):
        raise ConfigError(f"--as {name}: MLflow reserves the alias '{alias}'; choose another")
    return alias


def flat_params(config: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """A nested config as MLflow params: dotted keys (the ones `--set` takes), unset keys
    left out, lists as JSON."""
    flat: dict[str, str] = {}
    for key, value in config.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flat_params(value, f"{dotted}."))
        elif value is not None and value != {}:
            flat[dotted] = _text(value)
    return flat


def score_metrics(prefix: str, scores: dict[str, Any]) -> list[tuple[str, float, int]]:
    """metrics.json of evaluate or backtest as MLflow metrics: `test.mase` for the model,
    `test.seasonal_naive.mase` for a baseline, a panel's mean and median MASE, interval
    coverage and width per level."""
    model = scores["model"]
    metrics = []
    for method, values in scores["overall"].items():
        name = prefix if method == model else f"{prefix}.{method}"
        metrics += [(f"{name}.{metric}", value) for metric, value in values.items()]
    metrics.append((f"{prefix}.skill", scores.get("skill")))
    for summary in ("mean_mase", "median_mase"):
        value = scores.get(summary, {}).get(model)
        metrics.append((f"{prefix}.{summary}", value))
    metrics.append((f"{prefix}.beats_seasonal_naive", scores.get("beats_seasonal_naive")))
    for level, band in (scores.get("intervals") or {}).items():
        metrics += [(f"{prefix}.interval{level}.{k}", band.get(k)) for k in ("coverage", "width")]
    return [(key, float(value), 0) for key, value in metrics if _finite(value)]


def _history_metrics(path: Path) -> list[tuple[str, float, int]]:
    """Every column of history.csv (loss, val_loss, learning_rate, ...) at its epoch."""
    return [
        (key, float(value), int(row["epoch"]))
        for row in artifacts.read_history(path)
        for key, value in row.items()
        if key != "epoch" and value not in ("", None) and _finite(float(value))
    ]


def _lineage_tags(
    run_dir: Path, manifest: dict[str, Any], command: str, tracker: Tracker
) -> dict[str, str]:
    tags = {
        "lstmcast.command": command,
        "lstmcast.run_dir": str(run_dir.resolve()),
        "lstmcast.data_sha256": manifest["data_sha256"],
        "lstmcast.device": manifest["device"],
        "lstmcast.seed": str(manifest["seed"]),
        "lstmcast.architecture": manifest["model"]["architecture"],
        "lstmcast.version": manifest["lstmcast_version"],
        **{f"lstmcast.versions.{k}": v for k, v in manifest["versions"].items()},
    }
    gate = run_dir / artifacts.GATE_FILE
    if gate.is_file():
        tags["lstmcast.gate"] = "passed" if artifacts.read_json(gate)["passed"] else "refused"
    parent = manifest.get("parent")
    if parent:
        tags["lstmcast.parent_run_id"] = parent["run_id"]
        tags["lstmcast.epochs_added"] = str(parent["epochs_added"])
        found = tracker.find(RUN_ID_TAG, parent["run_id"])
        if found:
            tags["lstmcast.parent_mlflow_run_id"] = found
    return tags


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _finite(value: Any) -> bool:
    import math

    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
