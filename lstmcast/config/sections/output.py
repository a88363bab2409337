"""output and forecast: where the run goes, what it exports, and how stale an input a
forecast accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import (
    Field,
    field_validator,
)

from lstmcast.config.sections.base import Strict


class MlflowSection(Strict):
    tracking_uri: str = Field(
        description="Where MLflow keeps runs: a database such as a SQLite file "
        "(sqlite:///mlruns.db, relative to the working directory) or a tracking server "
        "(https://mlflow.example.com); needs the mlflow extra.",
        min_length=1,
    )
    experiment: str | None = Field(
        None, description="MLflow experiment the runs go to; default the config file's name."
    )
    registered_model: str | None = Field(
        None,
        description="Registered model that `promote RUN --as NAME` adds the run to as a "
        "version and points the alias NAME at; unset, promote leaves the registry alone.",
    )


class OutputSection(Strict):
    run_dir: Path | None = Field(
        None,
        description="Run folder written by train, relative to the working directory; "
        "default runs/<config file name>.",
    )
    tensorboard: Path | None = Field(
        None,
        description="Also write TensorBoard logs (losses, learning rate, per epoch) to this "
        "folder, relative to the working directory; needs the tensorboard extra.",
    )
    onnx: Literal["auto", "always", "never"] = Field(
        "auto",
        description="Also write model.onnx, which forecast runs with ONNX Runtime without "
        "importing TensorFlow (a cron forecast in a fraction of a second), when its outputs "
        "agree with Keras's to 1e-5 on the validation windows. 'auto': when the onnx extra is "
        "installed; 'always': refuse to train without it; stateful models are never exported.",
    )
    mlflow: MlflowSection | None = Field(
        None,
        description="null: no MLflow (it is not even imported); set, train, update, tune and "
        "backtest also log to MLflow: the config as params, losses per epoch, test and backtest "
        "metrics, lineage tags, the run folder as artifacts (docs/production.md).",
    )


def parse_duration(text: str) -> float:
    """Seconds in a duration people write: '90min', '3h', '2 days', '1D', 'P1DT2H'."""
    import pandas as pd

    try:
        seconds = pd.Timedelta(text).total_seconds()
    except (ValueError, TypeError):
        raise ValueError(
            f"'{text}' is not a duration; write e.g. '90min', '3h', '2 days' or 'P1D'"
        ) from None
    if not seconds > 0:
        raise ValueError(f"'{text}' is not a positive duration")
    return seconds


class ForecastSection(Strict):
    max_staleness: str | None = Field(
        None,
        description="Refuse to forecast (exit 8) when the input's last timestamp is older "
        "than this before --as-of or now ('3h', '2 days'): a cron job never forecasts from a "
        "feed that stopped. Naive timestamps are compared with the machine's local clock. "
        "--max-staleness replaces it.",
    )

    @field_validator("max_staleness")
    @classmethod
    def _duration(cls, text: str | None) -> str | None:
        if text is not None:
            parse_duration(text)
        return text
