"""What a study found: every trial, the best ones, which keys mattered, and the best config
written as a YAML file that `lstmcast train` accepts unchanged."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from lstmcast import files
from lstmcast.config.load import apply_override, load_experiment
from lstmcast.config.sections.tune import SearchDimension
from lstmcast.tuning.space import decoded, override

if TYPE_CHECKING:
    import optuna


def summarise(study: optuna.Study, space: dict[str, SearchDimension]) -> dict[str, Any]:
    """Trials (number, state, value, seconds, params), counts by state, the best trial, the
    config as written (trial 0 when the study began with it) and parameter importances."""
    trials = [_trial(trial, space) for trial in study.get_trials(deepcopy=False)]
    complete = [t for t in trials if t["state"] == "complete"]
    best = min(complete, key=lambda t: t["value"]) if complete else None
    written = next((t for t in complete if t["as_written"]), None)
    return {
        "study": study.study_name,
        "trials": trials,
        "counts": {s: sum(t["state"] == s for t in trials) for s in {t["state"] for t in trials}},
        "best": best,
        "as_written": written,
        "importances": _importances(study),
    }


def _trial(trial: optuna.trial.FrozenTrial, space: dict[str, SearchDimension]) -> dict[str, Any]:
    seconds = (
        (trial.datetime_complete - trial.datetime_start).total_seconds()
        if trial.datetime_complete and trial.datetime_start
        else None
    )
    return {
        "number": trial.number,
        "state": trial.state.name.lower(),
        "value": trial.value,
        "seconds": round(seconds, 2) if seconds is not None else None,
        "params": decoded(trial.params, space),
        "as_written": bool(trial.user_attrs.get("as_written")),
        "error": trial.user_attrs.get("error"),
    }


def _importances(study: optuna.Study) -> dict[str, float]:
    """Optuna's fANOVA importances over the complete trials; empty while there are too few
    (or a single key) to say."""
    import optuna

    states = optuna.trial.TrialState
    complete = study.get_trials(deepcopy=False, states=(states.COMPLETE,))
    if len(complete) < 3 or len({key for t in complete for key in t.params}) < 2:
        return {}
    try:
        found = optuna.importance.get_param_importances(study)
    except (RuntimeError, ValueError):
        return {}
    return {key: round(float(value), 4) for key, value in found.items()}


def write_best(
    config: Path,
    overrides: Sequence[str],
    best: dict[str, Any],
    output: Path,
    *,
    note: str,
) -> Path:
    """The config file with the command line's --set and the best trial's values applied,
    training into its own run folder (the original's + '-tuned'), checked as `train` reads it."""
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    for setting in [*overrides, *(override(key, value) for key, value in best["params"].items())]:
        apply_override(raw, setting)
    experiment = load_experiment(config, overrides)
    raw.setdefault("output", {})["run_dir"] = f"{experiment.run_dir}-tuned"
    if output.parent.resolve() != config.parent.resolve():
        relative = os.path.relpath(experiment.data.path, output.parent.resolve())
        raw["data"]["path"] = relative
    text = f"# {note}\n" + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    files.write_text_atomic(output, text)
    load_experiment(output)  # what train will read
    return output
