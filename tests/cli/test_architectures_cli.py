"""Architectures through the commands users run: config errors that name the key, known-future
forecasts, attention exports, stateful runs, parameter counts and the cuDNN warning."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from lstmcast.artifacts import MANIFEST_FILE
from lstmcast.config.schema import Experiment
from lstmcast.errors import ExitCode
from lstmcast.runtime import Device
from lstmcast.training.setup import gpu_warnings
from tests.helpers.data import REPO, synthetic_frame, tiny_experiment
from tests.helpers.runs import invoke


def train_tiny(write_config, csv, run_dir, **sections: dict) -> dict:
    """Train conftest's tiny experiment with `sections` merged in; the train --json summary."""
    result = invoke(
        "train", write_config(tiny_experiment(csv, run_dir, **sections)), "--json", "-q"
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def config_text(model: str, extra: str = "") -> str:
    return (
        "data:\n  path: x.csv\n  target: y\n"
        + extra
        + "windows:\n  lookback: 8\n  horizon: 2\nmodel:\n"
        + model
    )


@pytest.mark.parametrize(
    ("model", "extra", "expected"),
    [
        (
            "  merge_mode: sum\n",
            "",
            "line 8: model.merge_mode: only bidirectional layers merge directions; set "
            "bidirectional: true or remove merge_mode",
        ),
        (
            "  units: [16, 8]\n  residual: true\n",
            "",
            "model.residual: residual connections add a layer's input to its output, so every "
            "layer needs the same width (units are [16, 8])",
        ),
        (
            "  units: [10]\n  attention: multi_head\n  attention_heads: 4\n",
            "",
            "model.attention_heads: 4 heads do not divide the encoder width 10",
        ),
        (
            "  attention_heads: 2\n",
            "",
            "model.attention_heads: heads belong to attention: multi_head",
        ),
        (
            "  cell: gru\n  forget_bias: 2.0\n",
            "",
            "model.forget_bias: GRU cells have no forget gate",
        ),
        ("  bidirectional: true\n  stateful: true\n", "", "model.stateful: a backward pass"),
        ("  output: seq2seq\n  stateful: true\n", "", "model.stateful: needs output: direct"),
        (
            "  output: recursive\n",
            "  features: [x1]\n",
            "model.output: recursive feeds each forecast back as the next input, but "
            "data.features ['x1'] have no future values",
        ),
        ("  stateful: true\n", "", "scaling.per_window: a stateful model carries its state"),
        ("  units: [4]\n", "  known: [y]\n", "data.known: the target 'y' is listed"),
        ("  units: [4]\n", "  calendar: [fortnight]\n", "data.calendar.0: Input should be"),
    ],
)
def test_architecture_config_errors_name_the_key(write_config, model, extra, expected):
    result = invoke("validate", write_config(config_text(model, extra)))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert expected in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_stateful_batch_size_the_training_rows_cannot_fill(write_csv, write_config, tmp_path):
    csv = write_csv(synthetic_frame(240))
    config = tiny_experiment(
        csv,
        tmp_path / "run",
        model={"stateful": True},
        scaling={"per_window": "none"},
        training={"batch_size": 32},
    )
    result = invoke("validate", write_config(config))
    assert result.exit_code == ExitCode.USAGE
    assert "training.batch_size: a stateful model trains on 32 parallel streams" in " ".join(
        result.output.split()
    )
    assert "set batch_size to at most 16" in " ".join(result.output.split())


def test_every_shipped_config_is_valid():
    configs = sorted((REPO / "configs").glob("*.yaml"))
    assert len(configs) >= 10
    for config in configs:
        result = invoke("validate", config, "--json")
        assert result.exit_code == 0, (config, result.output)


def test_cudnn_blockers_are_named_on_gpu_only():
    config = Experiment.model_validate(
        {
            "data": {"path": "x.csv", "target": "y"},
            "windows": {"horizon": 2},
            "model": {"recurrent_dropout": 0.2, "activation": "relu"},
        }
    )
    (warning,) = gpu_warnings(config, Device("gpu", names=("NVIDIA H100",)))
    assert "model.activation: relu (cuDNN needs tanh)" in warning
    assert "model.recurrent_dropout: 0.2 (cuDNN needs 0)" in warning
    assert gpu_warnings(config, Device("cpu", cores=2)) == []
    plain = config.model_copy(
        update={
            "model": config.model.model_copy(
                update={"recurrent_dropout": 0.0, "activation": "tanh"}
            )
        }
    )
    assert gpu_warnings(plain, Device("gpu", names=("NVIDIA H100",))) == []


def test_validate_says_what_leaves_the_cudnn_path(tiny_config):
    result = invoke("validate", tiny_config, "--set", "model.recurrent_dropout=0.1")
    assert result.exit_code == 0, result.output
    assert "would not use the cuDNN kernel because of model.recurrent_dropout: 0.1" in " ".join(
        result.output.split()
    )


def test_known_future_train_and_forecast(write_csv, write_config, tmp_path):
    """seq2seq with a known column and calendar features: forecast reads the known column's
    future from the input's trailing rows and builds the calendar itself."""
    frame = synthetic_frame(240, features=2).rename(columns={"x1": "promo"})
    csv = write_csv(frame)
    run_dir = tmp_path / "runs" / "known"
    summary = train_tiny(
        write_config,
        csv,
        run_dir,
        data={"known": ["promo"], "calendar": ["hour", "day_of_week"]},
        model={"output": "seq2seq"},
    )
    manifest = json.loads((run_dir / MANIFEST_FILE).read_text())
    assert manifest["model"] == {
        "architecture": "1-layer lstm (4), seq2seq output",
        "parameters": summary["num_params"],
    }

    history = frame.tail(20)
    future = pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-11", periods=2, freq="h").strftime(
                "%Y-%m-%dT%H:%M:%S"
            ),
            "load": np.nan,
            "promo": [0.5, -0.5],
        }
    )
    latest = write_csv(pd.concat([history, future]), "latest.csv")
    out = tmp_path / "next.csv"
    result = invoke("forecast", run_dir, "--input", latest, "--output", out)
    assert result.exit_code == 0, result.output
    forecast = pd.read_csv(out)
    assert forecast["timestamp"].tolist() == ["2024-01-11T00:00:00", "2024-01-11T01:00:00"]
    assert forecast["load"].notna().all()

    moved = write_csv(pd.concat([history, future.assign(promo=[3.0, 3.0])]), "moved.csv")
    other = tmp_path / "other.csv"
    assert invoke("forecast", run_dir, "--input", moved, "--output", other).exit_code == 0
    assert not np.allclose(pd.read_csv(other)["load"], forecast["load"])  # the future is read

    without = invoke("forecast", run_dir, "--input", write_csv(history, "history.csv"))
    assert without.exit_code == ExitCode.DATA
    assert "the model reads promo over the 2 steps after the last observed load" in " ".join(
        without.output.split()
    )
    gap = write_csv(pd.concat([history, future.assign(promo=[0.5, np.nan])]), "gap.csv")
    missing = invoke("forecast", run_dir, "--input", gap)
    assert missing.exit_code == ExitCode.DATA
    assert "line 23: promo must be filled in every row after the last observed load" in " ".join(
        missing.output.split()
    )


def test_attention_weights_export(write_csv, write_config, tmp_path):
    csv = write_csv(synthetic_frame(240))
    run_dir = tmp_path / "runs" / "attention"
    model = {"output": "seq2seq", "attention": "multi_head", "attention_heads": 2}
    train_tiny(write_config, csv, run_dir, model=model)
    weights_csv, heat_map = tmp_path / "weights.csv", tmp_path / "weights.png"
    result = invoke(
        "evaluate", run_dir, "--attention", weights_csv, "--attention-plot", heat_map, "--json"
    )
    assert result.exit_code == 0, result.output
    num_windows = json.loads(result.stdout)["num_windows"]
    weights = pd.read_csv(weights_csv)
    assert len(weights) == num_windows * 2 * 2  # windows x heads x decoder steps
    assert weights.columns[:3].tolist() == ["origin", "head", "query"]
    assert weights.columns[3:].tolist() == [f"lag_{lag}" for lag in range(7, -1, -1)]
    assert weights["query"].unique().tolist() == ["step 1", "step 2"]
    np.testing.assert_allclose(weights.iloc[:, 3:].sum(axis=1), 1, atol=1e-4)
    assert heat_map.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files


def test_attention_export_without_attention_is_refused(tiny_config, tmp_path):
    assert invoke("train", tiny_config, "-q").exit_code == 0
    target = tmp_path / "weights.csv"
    result = invoke("evaluate", tmp_path / "runs" / "tiny", "--attention", target)
    assert result.exit_code == ExitCode.USAGE
    assert "has no attention layer (model.attention: none)" in " ".join(result.output.split())
    assert not target.exists()
    nowhere = invoke(
        "evaluate", tmp_path / "runs" / "tiny", "--attention-plot", tmp_path / "no" / "a.png"
    )
    assert nowhere.exit_code == ExitCode.USAGE
    assert "--attention-plot: folder" in nowhere.output


def test_stateful_train_evaluate_forecast(write_csv, write_config, tmp_path):
    csv = write_csv(synthetic_frame(240))
    run_dir = tmp_path / "runs" / "stateful"
    summary = train_tiny(
        write_config,
        csv,
        run_dir,
        data={"calendar": ["hour"]},
        model={"stateful": True},
        scaling={"per_window": "none"},
        training={"batch_size": 4},
    )
    assert summary["train_windows"] == 4 * ((168 // 4 - 2) // 8)  # 4 streams of 42 rows
    evaluated = invoke("evaluate", run_dir, "--json")
    assert json.loads(evaluated.stdout)["overall"] == summary["evaluation"]["overall"]
    forecast = invoke("forecast", run_dir, "--output", "-")
    assert forecast.exit_code == 0, forecast.output
    assert forecast.stdout.splitlines()[0] == (
        "timestamp,step,load,lower_80,upper_80,lower_95,upper_95"
    )
    saved = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert saved["model"]["stateful"] is True
    refused = invoke("evaluate", run_dir, "--attention", tmp_path / "weights.csv")
    assert refused.exit_code == ExitCode.USAGE
    assert "is stateful" in refused.output


def test_recursive_with_calendar_forecasts_from_history_alone(write_csv, write_config, tmp_path):
    """Calendar features need no future rows: forecast computes them for the new timestamps."""
    csv = write_csv(synthetic_frame(240))
    run_dir = tmp_path / "runs" / "recursive"
    sections = {"data": {"calendar": ["hour"]}, "model": {"output": "recursive"}}
    validated = invoke("validate", write_config(tiny_experiment(csv, run_dir, **sections)))
    assert "also reads hour_sin, hour_cos over the horizon" in validated.output
    train_tiny(write_config, csv, run_dir, **sections)
    forecast = invoke("forecast", run_dir, "--output", "-")
    assert forecast.exit_code == 0, forecast.output
    assert [line.split(",")[:2] for line in forecast.stdout.splitlines()[1:]] == [
        ["2024-01-11T00:00:00", "1"],
        ["2024-01-11T01:00:00", "2"],
    ]
