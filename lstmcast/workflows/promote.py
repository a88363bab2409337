"""The run a crontab forecasts with: the quality gate of a retrain (`train --gate`), and
`lstmcast promote RUN --as NAME`, a stable name for the run in production.

The gate: a new run replaces production only when it beats seasonal naive on its test split
and is not worse than the production run, by more than a margin, on the very same cells (MASE;
a panel's mean over its series). The verdict is saved in the run folder (gate.json), where
`promote` reads it.

NAME is a folder holding one symbolic link, `current`, to the accepted run (relative, so the
tree can move), swapped atomically with rename(2): a `forecast NAME/current` in the crontab
never sees a half-made link and never needs editing. Each promotion is appended to
NAME/promotions.log, the history of what was in production when.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from lstmcast import artifacts, files, locks
from lstmcast.artifacts import GATE_FILE, MANIFEST_FILE, Run, load_run, locked_run
from lstmcast.data.workload import prepare_workload
from lstmcast.errors import ArtifactError, ConfigError, GateError
from lstmcast.evaluation.evaluate import evaluate_workload


@dataclass(frozen=True)
class GateRequest:
    """What `train --gate` (or gate.enabled) asks: beat seasonal naive, and the production run
    `against` (when it exists) by no more than `margin` worse."""

    against: Path | None
    margin: float


def apply_gate(
    run_dir: Path, request: GateRequest, *, tell: Callable[[str], None]
) -> dict[str, Any]:
    """Judge the run just trained in `run_dir` on its test split's MASE (a panel's mean over its
    series) and write the verdict into the run folder (refused(...) says what to raise)."""
    against, margin = request.against, request.margin
    new = load_run(run_dir)
    scores = _test_scores(new)
    reasons = []
    if not scores["mase"] < scores["seasonal_naive_mase"]:
        reasons.append(
            f"test MASE {scores['mase']:.4g} does not beat seasonal naive's "
            f"{scores['seasonal_naive_mase']:.4g}"
        )
    production = None
    if against is not None and against.exists():
        production = _production_scores(new, against)
        limit = production["mase"] * (1 + margin)
        if scores["mase"] > limit:
            reasons.append(
                f"test MASE {scores['mase']:.4g} is worse than the production run "
                f"{production['run_id']}'s {production['mase']:.4g} on the same cells by more "
                f"than {margin:.0%}"
            )
    elif against is not None:
        tell(f"gate: no production run at {against} yet; judged against seasonal naive only")
    verdict = {"passed": not reasons, "reasons": reasons, "margin": margin, **scores}
    verdict["production"] = production
    files.write_json(run_dir / GATE_FILE, verdict)
    return verdict


def refused(run_dir: Path, verdict: dict[str, Any] | None) -> GateError | None:
    """The error (exit 9) of a run its gate refused; None for one it passed or never judged."""
    if verdict is None or verdict["passed"]:
        return None
    return GateError(f"gate: {run_dir} is refused: {'; '.join(verdict['reasons'])}")


def gate_verdict(run_dir: Path) -> dict[str, Any] | None:
    """The saved verdict of a gated run; None for a run trained without the gate."""
    path = run_dir / GATE_FILE
    if not path.is_file():
        return None
    return artifacts.read_json(path)


def _test_scores(run: Run) -> dict[str, Any]:
    metrics_path = run.run_dir / artifacts.METRICS_FILE
    metrics = artifacts.read_json(metrics_path)
    model = metrics["model"]
    return {
        "run_id": run.run_id,
        "mase": metrics["overall"][model]["mase"],
        "seasonal_naive_mase": metrics["overall"]["seasonal_naive"]["mase"],
        "test_windows": metrics["num_windows"],
        "first_origin": metrics["first_origin"],
    }


def _production_scores(new: Run, against: Path) -> dict[str, Any]:
    """The production model scored on the new run's data and test split (every series it
    knows), with its own scalers."""
    with locked_run(against, command="train --gate") as production:
        if production.experiment.data.columns != new.experiment.data.columns:
            raise ArtifactError(
                f"gate: the production run {against} reads {production.experiment.data.columns}, "
                f"the new run {new.experiment.data.columns}; they cannot be compared"
            )
        update = {"data": new.experiment.data, "split": new.experiment.split}
        experiment = production.experiment.model_copy(update=update)
        workload = prepare_workload(experiment, state=production.preprocessing)
        evaluation = evaluate_workload(production.load_model(), [workload]).to_dict()
    model = evaluation["model"]
    return {
        "run_id": production.run_id,
        "path": str(against),
        "mase": evaluation["overall"][model]["mase"],
        "test_windows": evaluation["num_windows"],
        "first_origin": evaluation["first_origin"],
    }


CURRENT = "current"
HISTORY = "promotions.log"


def pointer_folder(run_dir: Path, name: str) -> Path:
    """NAME beside the run (runs/NAME) unless NAME is a path."""
    return Path(name) if os.sep in name else run_dir.resolve().parent / name


def promote(run_dir: Path, name: str, *, force: bool = False) -> dict[str, Any]:
    """Point NAME/current at `run_dir` (a complete run that did not fail its gate)."""
    folder = pointer_folder(run_dir, name)
    if (folder / MANIFEST_FILE).exists():
        raise ConfigError(
            f"--as {name}: {folder} is a run folder; name the pointer something else "
            "(e.g. the config's name without a date)"
        )
    with locked_run(run_dir, command="promote") as run:  # refuses a missing or altered run
        verdict = gate_verdict(run_dir)
        if verdict is not None and not verdict["passed"] and not force:
            raise GateError(
                f"{run_dir} failed its quality gate ({'; '.join(verdict['reasons'])}); not "
                "promoted (--force promotes it anyway)"
            )
        with locks.holding(folder, command="promote"):
            previous = _swap_link(folder, run_dir.resolve())
    _append_history(folder, run.run_id, run_dir.resolve(), previous)
    warnings: list[str] = []
    return {
        "current": str(folder / CURRENT),
        "run": str(run_dir.resolve()),
        "run_id": run.run_id,
        "previous": str(previous) if previous else None,
        "gate": verdict,
        "registry": _registry_alias(run, name, warnings),
        "warnings": warnings,
    }


def _registry_alias(run: Run, name: str, warnings: list[str]) -> str | None:
    """'MODEL@NAME (version N)' when output.mlflow.registered_model names a registry model."""
    section = run.experiment.output.mlflow
    if section is None or section.registered_model is None:
        return None
    from lstmcast import tracking

    with tracking.mirrored(section, warnings.append):
        return tracking.set_alias(run.run_dir, section, name)
    return None


def _swap_link(folder: Path, target: Path) -> Path | None:
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / CURRENT
    if link.exists() and not link.is_symlink():
        raise ConfigError(f"{link} exists and is not a link lstmcast made; move it away first")
    previous = link.resolve() if link.is_symlink() else None
    staging = folder / f".{CURRENT}.{os.getpid()}"
    staging.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, folder), staging)
    os.replace(staging, link)  # atomic: readers see the old run or the new one
    return previous


def _append_history(folder: Path, run_id: str, target: Path, previous: Path | None) -> None:
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    line = f"{stamp}\t{run_id}\t{target}\tprevious={previous or '-'}\n"
    with open(folder / HISTORY, "a", encoding="utf-8") as stream:
        stream.write(line)
