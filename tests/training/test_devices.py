"""Device policy on a CPU-only machine: mixed precision, XLA, require_cudnn, what train
reports and records, TF_CONFIG checks, and a GPU-trained run folder forecasting on a CPU."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import yaml

from lstmcast.errors import ConfigError, ExitCode
from lstmcast.runtime import Device, import_tensorflow
from tests.helpers.data import synthetic_frame, tiny_experiment
from tests.helpers.models import experiment, inputs

tf = import_tensorflow()
H100 = Device("gpu", names=("NVIDIA H100",))
TWO_H100 = Device("gpu", count=2, names=("NVIDIA H100", "NVIDIA H100"))

import keras  # noqa: E402

from lstmcast.models import build_model, load_model  # noqa: E402
from lstmcast.models.spec import dtype_policy  # noqa: E402
from lstmcast.training.placement import (  # noqa: E402
    Placement,
    _cluster_from_environment,
    recurrent_kernel,
)
from tests.helpers.runs import invoke  # noqa: E402

MIXED_FAMILIES = {
    "direct + per-window norm + skip": {"units": [8], "linear_skip": True},
    "seq2seq attention": {"units": [8], "output": "seq2seq", "attention": "dot"},
    "recursive": {"units": [8], "output": "recursive"},
    "bidirectional gru": {"cell": "gru", "units": [8], "bidirectional": True},
}


def all_layers(model: keras.layers.Layer) -> list[keras.layers.Layer]:
    """Every layer inside, through nested models and wrappers, with public attributes only."""
    found = []
    inner = getattr(model, "layers", None) or [
        getattr(model, name)
        for name in ("forward_layer", "backward_layer", "layer")
        if isinstance(getattr(model, name, None), keras.layers.Layer)
    ]
    for layer in inner:
        found += [layer, *all_layers(layer)]
    return found


def recurrent_layers(model: keras.Model) -> list[keras.layers.Layer]:
    return [
        layer
        for layer in all_layers(model)
        if isinstance(layer, keras.layers.LSTM | keras.layers.GRU)
    ]


@pytest.mark.parametrize("family", MIXED_FAMILIES)
def test_mixed_precision_computes_in_float16_and_forecasts_in_float32(family):
    config = experiment(MIXED_FAMILIES[family], known=True)
    with dtype_policy("mixed_float16"):
        model = build_model(config, num_features=4)
    assert keras.config.dtype_policy().name == "float32"  # restored after the build
    layers = recurrent_layers(model)
    assert layers and all(layer.compute_dtype == "float16" for layer in layers)
    assert all(weight.dtype == "float32" for weight in model.weights)
    assert model.output.dtype == "float32"
    if "norm" in family:
        assert model.get_layer("window_norm").compute_dtype == "float32"
    forecast = model.predict(inputs(5, 12, 4, 3), verbose=0)
    assert forecast.dtype == np.float32 and np.isfinite(forecast).all()

    model.compile(optimizer=keras.optimizers.Adam(), loss="mae")  # as fit compiles it
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)


def test_use_cudnn_reaches_every_recurrent_layer_and_keras_enforces_it():
    config = experiment({"units": [8, 8], "bidirectional": True, "output": "seq2seq"})
    strict = build_model(config, num_features=1, use_cudnn=True)
    layers = recurrent_layers(strict)
    assert len(layers) == 2 * 2 + 1  # both directions of both layers, and the decoder
    assert all(layer.use_cudnn is True for layer in layers)
    with pytest.raises(ValueError, match="use_cudnn=True"):  # no GPU here: Keras refuses
        strict(inputs(2, 12, 4, 0), training=True)
    assert all(
        layer.use_cudnn == "auto" for layer in recurrent_layers(build_model(config, num_features=1))
    )


@pytest.mark.parametrize(
    ("model", "device", "expected"),
    [
        ({}, H100, "cuDNN"),
        ({"recurrent_dropout": 0.1}, H100, "generic (model.recurrent_dropout"),
        ({"activation": "relu"}, TWO_H100, "generic (model.activation: relu"),
        ({}, Device("cpu", cores=2), "generic (cuDNN needs a GPU)"),
    ],
)
def test_recurrent_kernel_follows_the_cudnn_conditions(model, device, expected):
    described = recurrent_kernel(experiment({"units": [4], **model}), Placement(device, None))
    assert described.startswith(expected)


def train(write_csv, write_config, tmp_path, *extra: str, **sections):
    csv = write_csv(synthetic_frame(240))
    run_dir = tmp_path / "runs" / "devices"
    config = write_config(tiny_experiment(csv, run_dir, **sections))
    result = invoke("train", str(config), "--json", "-q", *extra)
    return result, run_dir, config


def summary_of(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_train_reports_and_records_device_kernel_and_versions(write_csv, write_config, tmp_path):
    result, run_dir, _ = train(write_csv, write_config, tmp_path)
    summary = summary_of(result)
    assert summary["device"].startswith("CPU (")
    assert {"tensorflow": tf.__version__, "keras": keras.__version__}.items() <= summary[
        "versions"
    ].items()
    assert summary["recurrent_kernel"] == "generic (cuDNN needs a GPU)"
    assert (summary["precision"], summary["xla"], summary["replicas"]) == ("float32", False, 1)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["device"] == summary["device"]
    assert manifest["training"] == {
        "recurrent_kernel": "generic (cuDNN needs a GPU)",
        "precision": "float32",
        "xla": False,
        "distribution": "none",
        "replicas": 1,
        "workers": 1,
        "blend": summary["blend"],
    }
    assert manifest["versions"].items() <= summary["versions"].items()  # --json adds lstmcast's

    plain = invoke("train", str(tmp_path / "experiment.yaml"), "--overwrite")
    assert plain.exit_code == 0, plain.output
    assert "training on CPU (" in plain.stderr
    assert f"TensorFlow {tf.__version__}, Keras {keras.__version__}" in plain.stderr
    assert "recurrent kernel generic (cuDNN needs a GPU), float32" in plain.stderr


def test_mixed_precision_run_saves_a_float32_model_that_scores_the_same(
    write_csv, write_config, tmp_path
):
    result, run_dir, _ = train(
        write_csv, write_config, tmp_path, training={"precision": "mixed_float16"}
    )
    summary = summary_of(result)
    assert summary["precision"] == "mixed_float16"
    assert any("usually slower than float32" in warning for warning in summary["warnings"])
    model = load_model(str(run_dir / "model.keras"))
    assert all(layer.dtype_policy.name == "float32" for layer in [model, *all_layers(model)])
    assert json.loads((run_dir / "manifest.json").read_text())["training"]["precision"] == (
        "mixed_float16"
    )
    evaluated = invoke("evaluate", str(run_dir), "--json")
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.stdout)["overall"] == summary["evaluation"]["overall"]


def test_xla_compiles_the_training_step_and_matches_plain_training(
    write_csv, write_config, tmp_path
):
    plain = summary_of(train(write_csv, write_config, tmp_path)[0])
    result, run_dir, _ = train(
        write_csv, write_config, tmp_path, "--overwrite", training={"jit_compile": True}
    )
    compiled = summary_of(result)
    assert compiled["xla"] is True and plain["xla"] is False
    assert json.loads((run_dir / "manifest.json").read_text())["training"]["xla"] is True
    expected = plain["evaluation"]["overall"]["lstm"]
    for metric, value in expected.items():  # rounding apart; bias up to the MAE's rounding
        got = compiled["evaluation"]["overall"]["lstm"][metric]
        assert got == pytest.approx(value, rel=1e-3, abs=1e-3 * expected["mae"])


@pytest.mark.parametrize(
    ("training", "model", "message"),
    [
        (
            {"require_cudnn": True},
            {"activation": "relu"},
            "training.require_cudnn: model.activation: relu (cuDNN needs tanh) would leave",
        ),
        (
            {"require_cudnn": True},
            {"recurrent_dropout": 0.2},
            "training.require_cudnn: model.recurrent_dropout: 0.2 (cuDNN needs 0)",
        ),
        (
            {"require_cudnn": True, "jit_compile": True},
            {},
            "training.jit_compile: XLA cannot compile the cuDNN kernels",
        ),
        ({"require_cudnn": True, "device": "cpu"}, {}, "training.require_cudnn: the cuDNN"),
        ({"cpu_replicas": 2}, {}, "training.cpu_replicas: splits the CPU for distribution"),
        (
            {"distribution": "mirrored"},
            {"stateful": True},
            "training.distribution: a stateful model keeps one state per batch row",
        ),
    ],
    ids=["activation", "recurrent dropout", "xla", "cpu", "cpu replicas", "stateful"],
)
def test_device_settings_that_contradict_are_config_errors(
    write_csv, write_config, tmp_path, training, model, message
):
    scaling = {"per_window": "none"} if model.get("stateful") else {}
    result, run_dir, _ = train(
        write_csv, write_config, tmp_path, training=training, model=model, scaling=scaling
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in result.stderr
    assert not run_dir.exists()


def test_require_cudnn_without_a_gpu_fails_fast_with_the_device_code(
    write_csv, write_config, tmp_path
):
    result, run_dir, _ = train(write_csv, write_config, tmp_path, training={"require_cudnn": True})
    assert result.exit_code == ExitCode.DEVICE, result.output
    assert "training.require_cudnn is true but TensorFlow sees no GPU" in result.stderr
    assert "set training.require_cudnn: false" in result.stderr
    assert not run_dir.exists() and not list(run_dir.parent.glob(".*checkpoint*"))


@pytest.mark.parametrize(
    ("tf_config", "message"),
    [
        (None, "multi_worker needs the TF_CONFIG environment variable"),
        ("{not json", "TF_CONFIG: not a valid cluster description"),
        (
            '{"cluster": {"worker": ["localhost:1"]}, "task": {"type": "worker", "index": 3}}',
            "task worker 3 is not in the cluster",
        ),
    ],
    ids=["missing", "not json", "not a member"],
)
def test_tf_config_is_checked_before_tensorflow_reads_it(monkeypatch, tf_config, message):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    if tf_config is not None:
        monkeypatch.setenv("TF_CONFIG", tf_config)
    with pytest.raises(ConfigError, match=message):
        _cluster_from_environment()


def test_tf_config_ranks_the_chief_first(monkeypatch):
    cluster = {"chief": ["a:1"], "worker": ["b:1", "c:1"]}
    for task, rank in [({"type": "chief", "index": 0}, 0), ({"type": "worker", "index": 1}, 2)]:
        monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": task}))
        assert _cluster_from_environment().index == rank
        assert _cluster_from_environment().size == 3


def test_a_gpu_trained_run_folder_evaluates_and_forecasts_on_a_cpu(
    write_csv, write_config, tmp_path
):
    """What a run folder trained on a GPU holds (device gpu, require_cudnn, mixed precision in
    its config; a GPU in its manifest) does not bind where it is used."""
    result, run_dir, _ = train(
        write_csv, write_config, tmp_path, training={"precision": "mixed_float16"}
    )
    summary_of(result)
    config_path = run_dir / "config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["training"].update(device="gpu", require_cudnn=True)
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["device"] = "GPU (NVIDIA H100 80GB HBM3)"
    manifest["training"]["recurrent_kernel"] = "cuDNN"
    manifest["files"]["config.yaml"] = hashlib.sha256(config_path.read_bytes()).hexdigest()
    (run_dir / "manifest.json").write_text(json.dumps(manifest))

    evaluated = invoke("evaluate", str(run_dir), "--json")
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.stdout)["device"].startswith("CPU (")
    forecast = invoke("forecast", str(run_dir), "-o", "-")
    assert forecast.exit_code == 0, forecast.output
    assert len(forecast.stdout.strip().splitlines()) == 1 + 2  # header + horizon rows
    refused = invoke("forecast", str(run_dir), "-o", "-", "--device", "gpu")
    assert refused.exit_code == ExitCode.DEVICE


def test_the_cudnn_warning_also_fires_on_several_gpus():
    from lstmcast.training.setup import gpu_warnings

    config = experiment({"units": [4], "recurrent_dropout": 0.1})
    assert gpu_warnings(config, TWO_H100) == gpu_warnings(config, H100)
    assert gpu_warnings(config, H100)
