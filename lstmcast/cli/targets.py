"""Resolve the RUN|CONFIG argument of evaluate and forecast to a loaded run."""

from __future__ import annotations

from pathlib import Path

from lstmcast.artifacts import Run, load_run
from lstmcast.config.load import load_experiment
from lstmcast.errors import ArtifactError, ConfigError


def open_run(run_or_config: Path, overrides: list[str]) -> Run:
    """A folder is a run; a file is a config whose output.run_dir names the run."""
    if run_or_config.is_dir():
        if overrides:
            raise ConfigError("--set applies to a config file, not to a run folder")
        return load_run(run_or_config)
    if run_or_config.is_file():
        return load_run(load_experiment(run_or_config, overrides).run_dir)
    raise ArtifactError(
        f"{run_or_config} is neither a run folder nor a config file; give the folder `train` "
        "wrote (e.g. runs/air_passengers) or its config"
    )
