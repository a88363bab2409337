"""The quality gate of a retrain (`train --gate`): a new run replaces production only when it
beats seasonal naive on its test split and is not worse than the production run, by more than
a margin, on the very same cells. The verdict is saved in the run folder (gate.json), where
`lstmcast promote` reads it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lstmcast import artifacts
from lstmcast.artifacts import Run, load_run, locked_run
from lstmcast.data.prepare import prepare_data
from lstmcast.errors import ArtifactError, GateError
from lstmcast.evaluation.evaluate import evaluate_model

GATE_FILE = "gate.json"


def apply_gate(
    run_dir: Path, *, against: Path | None, margin: float, tell: Callable[[str], None]
) -> dict[str, Any]:
    """Judge the run just trained in `run_dir`; raise GateError when it fails, after writing
    the verdict into the run folder either way."""
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
    artifacts.write_json(run_dir / GATE_FILE, verdict)
    if reasons:
        raise GateError(f"gate: {run_dir} is refused: {'; '.join(reasons)}")
    return verdict


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
    """The production model scored on the new run's data and test split, with its own scaler."""
    with locked_run(against, command="train --gate") as production:
        if production.experiment.data.columns != new.experiment.data.columns:
            raise ArtifactError(
                f"gate: the production run {against} reads {production.experiment.data.columns}, "
                f"the new run {new.experiment.data.columns}; they cannot be compared"
            )
        update = {"data": new.experiment.data, "split": new.experiment.split}
        experiment = production.experiment.model_copy(update=update)
        data = prepare_data(experiment, scaler=production.scaler)
        evaluation = evaluate_model(production.load_model(), data).to_dict()
    model = evaluation["model"]
    return {
        "run_id": production.run_id,
        "path": str(against),
        "mase": evaluation["overall"][model]["mase"],
        "test_windows": evaluation["num_windows"],
        "first_origin": evaluation["first_origin"],
    }
