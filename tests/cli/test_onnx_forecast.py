"""output.onnx and forecast --engine: training writes model.onnx when it agrees with Keras,
the manifest guards it, forecast uses it without importing TensorFlow and gives Keras's
numbers; what cannot be exported or run says so in one line."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from lstmcast.artifacts import MANIFEST_FILE, ONNX_FILE
from lstmcast.errors import ExitCode
from tests.helpers.data import synthetic_frame, tiny_experiment
from tests.helpers.program import imports_tensorflow, lstmcast


def _trained(write_csv, write_config, tmp_path, **sections):
    csv = write_csv(synthetic_frame(240, features=2))
    config = tiny_experiment(csv, tmp_path / "runs" / "tiny", data={"features": ["x1"]})
    for section, values in sections.items():
        config[section] = {**config.get(section, {}), **values}
    path = write_config(config)
    done = lstmcast("train", path, "--overwrite", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path / "runs" / "tiny", done.stderr


def _forecast(run_dir, tmp_path, *args):
    done = lstmcast("forecast", run_dir, "-o", "-", *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return pd.read_csv(io.StringIO(done.stdout)), done.stderr


@pytest.mark.slow
def test_forecast_from_the_export_matches_keras_without_tensorflow(
    write_csv, write_config, tmp_path
):
    run_dir, said = _trained(write_csv, write_config, tmp_path)
    assert "output.onnx: model.onnx written (agrees with Keras to" in said
    assert ONNX_FILE in json.loads((run_dir / MANIFEST_FILE).read_text())["files"]
    keras_frame, keras_said = _forecast(run_dir, tmp_path, "--engine", "keras")
    onnx_frame, onnx_said = _forecast(run_dir, tmp_path)  # auto: the export
    assert "ONNX Runtime" in onnx_said and "ONNX Runtime" not in keras_said
    assert list(onnx_frame.columns) == list(keras_frame.columns)
    numbers = keras_frame.columns[2:]
    np.testing.assert_allclose(onnx_frame[numbers], keras_frame[numbers], rtol=1e-5, atol=1e-4)
    assert not imports_tensorflow("forecast", run_dir, "-o", "-")


@pytest.mark.slow
def test_a_changed_export_is_refused_and_a_missing_one_named(write_csv, write_config, tmp_path):
    run_dir, _ = _trained(write_csv, write_config, tmp_path, output={"onnx": "never"})
    assert not (run_dir / ONNX_FILE).exists()
    refused = lstmcast("forecast", run_dir, "--engine", "onnx", cwd=tmp_path)
    assert refused.returncode == ExitCode.USAGE
    assert refused.stderr.strip() == (
        f"error: --engine onnx: {run_dir} has no model.onnx (train with the onnx extra installed)"
    )
    assert lstmcast("forecast", run_dir, "--engine", "tflite", cwd=tmp_path).returncode == 2

    run_dir, _ = _trained(write_csv, write_config, tmp_path, output={"onnx": "auto"})
    exported = run_dir / ONNX_FILE
    exported.write_bytes(exported.read_bytes()[:-10])
    changed = lstmcast("forecast", run_dir, cwd=tmp_path)
    assert changed.returncode == ExitCode.ARTIFACT
    assert "has changed since training" in changed.stderr and "Traceback" not in changed.stderr


@pytest.mark.slow
def test_a_stateful_run_is_not_exported_and_forecasts_with_keras(write_csv, write_config, tmp_path):
    run_dir, said = _trained(
        write_csv,
        write_config,
        tmp_path,
        model={"stateful": True},
        scaling={"per_window": "none"},
        training={"batch_size": 4},
    )
    assert "output.onnx: not written; a stateful model replays its history with Keras" in said
    assert not (run_dir / ONNX_FILE).exists()
    frame, said = _forecast(run_dir, tmp_path)
    assert "ONNX Runtime" not in said and len(frame) == 2


def test_always_refuses_a_machine_without_the_packages(monkeypatch):
    from lstmcast.errors import ConfigError
    from lstmcast.training import export

    monkeypatch.setattr(export, "missing_onnx_packages", lambda: ["tf2onnx"])
    with pytest.raises(ConfigError, match=r"output.onnx: always needs tf2onnx: pip install"):
        export.check_onnx_possible("always")
    export.check_onnx_possible("auto")  # auto trains on without the export
