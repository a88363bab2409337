"""The search space: config keys checked against the schema before any trial, sampled by
Optuna, and turned back into `--set` overrides. Values travel as JSON text (a YAML subset), so
a choice may be a list such as `model.units: {choices: [[32], [64, 64]]}`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstmcast.config.load import load_experiment
from lstmcast.config.schema import Experiment
from lstmcast.config.sections.tune import SearchDimension
from lstmcast.errors import ConfigError

if TYPE_CHECKING:
    import optuna


def check_space(config: Path, space: dict[str, SearchDimension], overrides: Sequence[str]) -> None:
    """Every choice, and both ends of every range, set in the config and validated as
    `train` would: a misspelt key or an impossible value stops the study before it starts."""
    if not space:
        raise ConfigError(
            f"{config}: tune.space is empty; name the keys to search, e.g. "
            "tune: {space: {model.dropout: {low: 0.0, high: 0.3}}}"
        )
    for key, dimension in space.items():
        values = (
            dimension.choices if dimension.choices is not None else [dimension.low, dimension.high]
        )
        for value in values:
            try:
                load_experiment(config, [*overrides, override(key, value)])
            except ConfigError as err:
                reason = str(err).removeprefix(f"{config}: ")
                raise ConfigError(
                    f"tune.space.{key}: {value!r} does not fit the config: {reason}"
                ) from None


def override(key: str, value: Any) -> str:
    return f"{key}={json.dumps(value)}"


def suggest(trial: optuna.Trial, space: dict[str, SearchDimension]) -> dict[str, Any]:
    """One value per key, drawn by the study's sampler."""
    params: dict[str, Any] = {}
    for key, dimension in space.items():
        if dimension.kind == "categorical":
            text = trial.suggest_categorical(key, [json.dumps(c) for c in dimension.choices or []])
            params[key] = json.loads(text)
        elif dimension.kind == "int":
            params[key] = trial.suggest_int(
                key, int(dimension.low), int(dimension.high), step=int(dimension.step or 1),  # type: ignore[arg-type]
                log=dimension.log,
            )  # fmt: skip
        else:
            params[key] = trial.suggest_float(
                key, float(dimension.low), float(dimension.high), step=dimension.step,  # type: ignore[arg-type]
                log=dimension.log,
            )  # fmt: skip
    return params


def decoded(params: dict[str, Any], space: dict[str, SearchDimension]) -> dict[str, Any]:
    """A stored trial's params as config values (choices are stored as their JSON text)."""
    return {
        key: json.loads(value) if space[key].kind == "categorical" else value
        for key, value in params.items()
        if key in space
    }


def as_written(experiment: Experiment, space: dict[str, SearchDimension]) -> dict[str, Any] | None:
    """The config's own value of every key, as Optuna params, when each lies in the space: the
    study's first trial, so the result says how far the search moved from the config."""
    params = {}
    raw = experiment.model_dump(mode="json")
    for key, dimension in space.items():
        value: Any = raw
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if dimension.kind == "categorical":
            if value not in (dimension.choices or []):
                return None
            params[key] = json.dumps(value)
        elif value is None or not dimension.low <= value <= dimension.high:  # type: ignore[operator]
            return None
        else:
            params[key] = value
    return params


def shown(params: dict[str, Any]) -> str:
    """key=value, ... for people: floats to four significant digits."""
    return ", ".join(
        f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}"
        for key, value in params.items()
    )
