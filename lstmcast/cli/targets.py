"""Resolve the RUN|CONFIG argument of evaluate and forecast to a loaded run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lstmcast.artifacts import Run, check_agreement, load_run
from lstmcast.config.load import load_experiment
from lstmcast.errors import ArtifactError, ConfigError


def open_run(run_or_config: Path, overrides: list[str], *, device: str | None = None) -> Run:
    """A folder is a run; a file is a config whose output.run_dir names the run. `device`
    (from --device, default auto) replaces the run's training.device for this command: how a
    model was trained (on a GPU, with require_cudnn) does not bind where it forecasts."""
    if run_or_config.is_dir():
        if overrides:
            raise ConfigError("--set applies to a config file, not to a run folder")
        return with_device(load_run(run_or_config), device)
    if run_or_config.is_file():
        experiment = load_experiment(run_or_config, overrides)
        run = load_run(experiment.run_dir)
        check_agreement(run_or_config, experiment, run)
        return with_device(run, device)
    raise ArtifactError(
        f"{run_or_config} is neither a run folder nor a config file; give the folder `train` "
        "wrote (e.g. runs/air_passengers) or its config"
    )


def with_device(run: Run, device: str | None) -> Run:
    update = {"device": device_choice(device or "auto"), "require_cudnn": False}
    training = run.experiment.training.model_copy(update=update)
    return replace(run, experiment=run.experiment.model_copy(update={"training": training}))


def device_choice(device: str) -> str:
    if device not in {"auto", "cpu", "gpu"}:
        raise ConfigError(f"--device: expected auto, cpu or gpu (got {device!r})")
    return device
