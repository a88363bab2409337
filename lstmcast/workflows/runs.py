"""Resolve the RUN|CONFIG argument of the commands that read a run to the run, held locked."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from lstmcast.artifacts import (
    RUN_KEEPS_ITS_SETTINGS,
    Run,
    check_agreement,
    locked_run,
    run_summary,
)
from lstmcast.config.load import load_experiment
from lstmcast.errors import ArtifactError, ConfigError


@contextlib.contextmanager
def opened_run(
    run_or_config: Path,
    overrides: list[str],
    *,
    command: str,
    device: str | None = None,
    exclusive: bool = False,
    wait: float = 0.0,
) -> Iterator[Run]:
    """The run, loaded while holding its lock: shared to read it (forecast, report),
    exclusive to write into it (evaluate rewrites metrics.json), so a train --overwrite never
    swaps it underneath. A folder is a run; a file is a config whose output.run_dir names the
    run. `device` (from --device, default auto) replaces the run's training.device for this
    command: how a model was trained does not bind where it forecasts."""
    if run_or_config.is_dir():
        if overrides:
            raise ConfigError(RUN_KEEPS_ITS_SETTINGS)
        experiment, run_dir = None, run_or_config
    elif run_or_config.is_file():
        experiment = load_experiment(run_or_config, overrides)
        run_dir = experiment.run_dir
    else:
        raise ArtifactError(
            f"{run_or_config} is neither a run folder nor a config file; give the folder "
            "`train` wrote (e.g. runs/air_passengers) or its config"
        )
    with locked_run(run_dir, command=command, exclusive=exclusive, wait=wait) as run:
        if experiment is not None:
            check_agreement(run_or_config, experiment, run)
        yield with_device(run, device)


def with_device(run: Run, device: str | None) -> Run:
    update = {"device": device_choice(device or "auto"), "require_cudnn": False}
    training = run.experiment.training.model_copy(update=update)
    return replace(run, experiment=run.experiment.model_copy(update={"training": training}))


def device_choice(device: str) -> str:
    if device not in {"auto", "cpu", "gpu"}:
        raise ConfigError(f"--device: expected auto, cpu or gpu (got {device!r})")
    return device


def describe_run(run_or_config: Path, overrides: list[str]) -> dict[str, Any]:
    """`info`: what the run is, read from its folder under its shared lock (no TensorFlow)."""
    with opened_run(run_or_config, overrides, command="info") as run:
        return run_summary(run)
