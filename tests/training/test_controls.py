"""Training controls: optimiser options, schedules (the logged rate follows the formula), loss
in the target's units, input noise, the non-finite-loss stop, and early-stopping monitors."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from lstmcast.config import load_experiment
from lstmcast.errors import ExitCode
from lstmcast.runtime import import_tensorflow
from tests.helpers.data import synthetic_frame, tiny_experiment

import_tensorflow()

import keras  # noqa: E402

from lstmcast.training import optim  # noqa: E402
from tests.helpers.runs import invoke  # noqa: E402


def train(write_csv, write_config, tmp_path, frame=None, **sections):
    csv = write_csv(synthetic_frame(240) if frame is None else frame)
    run_dir = tmp_path / "runs" / "controls"
    config = write_config(tiny_experiment(csv, run_dir, **sections))
    result = invoke("train", str(config), "--json", "-q")
    return result, run_dir, config


def history(run_dir) -> pd.DataFrame:
    return pd.read_csv(run_dir / "history.csv")


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ({"type": "constant"}, lambda epoch: 0.01),
        ({"type": "step", "every_epochs": 2, "factor": 0.5}, lambda e: 0.01 * 0.5 ** (e // 2)),
        ({"type": "exponential", "rate": 0.8}, lambda e: 0.01 * 0.8**e),
        (
            {"type": "cosine", "warmup_epochs": 2, "final_fraction": 0.1},
            lambda e: (
                0.01 * e / 2
                if e < 2
                else 0.01 * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (e - 2) / 4)))
            ),
        ),
    ],
    ids=["constant", "step", "exponential", "cosine"],
)
def test_schedule_sets_the_rate_of_every_epoch(
    write_csv, write_config, tmp_path, schedule, expected
):
    """6 epochs of 3 steps each; the rate each epoch starts with, against the formula."""
    result, run_dir, _ = train(
        write_csv,
        write_config,
        tmp_path,
        training={
            "epochs": 6,
            "learning_rate": 0.01,
            "schedule": schedule,
            "min_steps_per_epoch": 3,
            "batch_size": 64,
        },
    )
    assert result.exit_code == 0, result.output
    rates = history(run_dir)["learning_rate"].to_numpy()
    np.testing.assert_allclose(rates, [expected(epoch) for epoch in range(6)], rtol=1e-5)


def test_plateau_schedule_drops_the_rate_when_validation_stalls(write_csv, write_config, tmp_path):
    result, run_dir, _ = train(
        write_csv,
        write_config,
        tmp_path,
        training={
            "epochs": 8,
            "learning_rate": 0.01,
            "schedule": {
                "type": "plateau",
                "factor": 0.5,
                "patience": 0,
                "min_learning_rate": 0.004,
            },
        },
    )
    assert result.exit_code == 0, result.output
    frame = history(run_dir)
    rates, val = frame["learning_rate"].to_numpy(), frame["val_loss"].to_numpy()
    for epoch in range(1, len(rates)):
        stalled = val[epoch - 1] >= val[: epoch - 1].min(initial=np.inf)
        want = max(rates[epoch - 1] * 0.5, 0.004) if stalled else rates[epoch - 1]
        assert rates[epoch] == pytest.approx(want, rel=1e-5)
    assert rates.min() >= 0.004 - 1e-9


@pytest.mark.parametrize("loss", ["mae", "mse", "huber"])
def test_loss_in_units_is_the_loss_of_unscaled_forecasts(write_csv, write_config, tmp_path, loss):
    """val_loss_units of the last epoch against the loss computed by brute force on the
    validation windows in the target's own units (huber with its delta in units)."""
    from lstmcast.data.prepare import prepare_data
    from lstmcast.data.windows import target_windows
    from lstmcast.models import load_model

    result, run_dir, config = train(
        write_csv,
        write_config,
        tmp_path,
        training={"loss": loss, "huber_delta": 0.5, "early_stopping": None},
    )
    assert result.exit_code == 0, result.output
    data = prepare_data(load_experiment(config))
    starts = data.starts["validation"]
    windows = np.stack([data.scaled[s : s + 8] for s in starts])
    predicted = load_model(str(run_dir / "model.keras")).predict(windows, verbose=0)
    scale = data.scaler.scale[0]
    error = data.scaler.inverse_target(predicted) - target_windows(
        data.series.target_values, starts, lookback=8, horizon=2
    )
    delta = 0.5 * scale
    per_loss = {
        "mae": np.abs(error).mean(),
        "mse": (error**2).mean(),
        "huber": np.where(
            np.abs(error) <= delta, 0.5 * error**2, delta * (np.abs(error) - 0.5 * delta)
        ).mean(),
    }
    assert history(run_dir)["val_loss_units"].iloc[-1] == pytest.approx(per_loss[loss], rel=1e-3)


def test_optimizer_options_reach_keras():
    experiment = load_experiment_from(
        {
            "optimizer": "sgd",
            "momentum": 0.9,
            "nesterov": True,
            "clip_norm": 1.0,
            "weight_decay": 0.01,
        }
    )
    built = optim.optimizer(experiment.training, steps_per_epoch=10)
    assert isinstance(built, keras.optimizers.SGD)
    assert (built.momentum, built.nesterov, built.clipnorm, built.weight_decay) == (
        0.9,
        True,
        1.0,
        0.01,
    )
    clipped = optim.optimizer(load_experiment_from({"clip_value": 0.5}).training, 10)
    assert clipped.clipvalue == 0.5 and isinstance(clipped, keras.optimizers.Adam)
    huber = optim.loss(load_experiment_from({"loss": "huber", "huber_delta": 2.0}).training)
    assert float(huber(np.array([[0.0]]), np.array([[3.0]]))) == pytest.approx(2.0 * (3 - 1))


def load_experiment_from(training: dict):
    from lstmcast.config.schema import Experiment

    return Experiment.model_validate(
        {"data": {"path": "x.csv", "target": "y"}, "windows": {"horizon": 2}, "training": training}
    )


@pytest.mark.parametrize(
    ("training", "message"),
    [
        (
            {"optimizer": "adam", "nesterov": True},
            "training.nesterov: Nesterov momentum is an sgd option",
        ),
        ({"optimizer": "adam", "momentum": 0.9}, "training.momentum: adam has no momentum setting"),
        ({"optimizer": "sgd", "nesterov": True}, "training.nesterov: needs momentum > 0"),
        (
            {"schedule": {"type": "cosine", "warmup": 2}},
            "training.schedule.warmup: unknown key 'warmup'; did you mean 'warmup_epochs'?",
        ),
    ],
)
def test_training_option_errors_name_the_key(write_csv, write_config, tmp_path, training, message):
    result, _, _ = train(write_csv, write_config, tmp_path, training=training)
    assert result.exit_code == ExitCode.USAGE
    assert message in " ".join(result.output.split())


def test_non_finite_loss_stops_with_advice_and_no_run_folder(write_csv, write_config, tmp_path):
    result, run_dir, _ = train(
        write_csv,
        write_config,
        tmp_path,
        training={"optimizer": "sgd", "learning_rate": 1e12, "loss": "mse", "epochs": 5},
    )
    assert result.exit_code == ExitCode.TRAINING, result.output
    text = " ".join(result.output.split())
    assert "the training loss became NaN or infinite in epoch 1" in text
    assert "lower training.learning_rate (now 1e+12), set training.clip_norm: 1.0" in text
    assert not run_dir.exists()
    assert not run_dir.parent.exists()  # nor the runs/ folder the checkpoint needed


def test_a_constant_series_trains_without_library_warnings(write_csv, write_config, tmp_path):
    frame = synthetic_frame(240)
    frame["load"] = 5.0
    result, run_dir, _ = train(write_csv, write_config, tmp_path, frame=frame)
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output and (run_dir / "loss.png").is_file()


def test_input_noise_is_a_training_only_layer():
    from lstmcast.models import build_model

    experiment = load_experiment_from({}).model_copy()
    experiment = experiment.model_copy(
        update={"model": experiment.model.model_copy(update={"input_noise": 0.5})}
    )
    experiment = experiment.model_copy(
        update={"windows": experiment.windows.model_copy(update={"lookback": 6})}
    )
    model = build_model(experiment, num_features=1)
    assert model.get_layer("input_noise").stddev == 0.5
    window = np.random.default_rng(0).normal(size=(3, 6, 1)).astype("float32")
    np.testing.assert_array_equal(model(window, training=False), model(window, training=False))
    assert not np.allclose(model(window, training=True), model(window, training=False))


def test_early_stopping_can_monitor_the_training_loss(write_csv, write_config, tmp_path):
    result, run_dir, _ = train(
        write_csv,
        write_config,
        tmp_path,
        training={"epochs": 6, "early_stopping": {"monitor": "loss", "patience": 0}},
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    losses = history(run_dir)["loss"].to_numpy()
    assert summary["best_epoch"] == int(np.argmin(losses)) + 1


def test_tensorboard_logs_and_loss_curve(write_csv, write_config, tmp_path):
    logs = tmp_path / "tensorboard"
    result, run_dir, _ = train(write_csv, write_config, tmp_path, output={"tensorboard": str(logs)})
    assert result.exit_code == 0, result.output
    events = sorted(path.parent.name for path in logs.rglob("events.out.tfevents.*"))
    assert events == ["train", "validation"]
    assert (run_dir / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_check_determinism_trains_twice_and_writes_nothing(tiny_config, tmp_path):
    result = invoke("train", str(tiny_config), "--check-determinism", "--json")
    assert result.exit_code == 0, result.output
    check = json.loads(result.stdout)
    assert check["deterministic"] is True
    assert check["identical_weights"] and check["identical_metrics"]
    assert check["largest_weight_difference"] == 0.0
    assert "bit-identical weights" in result.stderr
    assert not (tmp_path / "runs").exists()


def test_device_policy_fails_fast_without_a_gpu(tiny_config, tmp_path):
    """Tests hide every GPU; --device gpu must refuse (exit 6) instead of using the CPU."""
    run_dir = tmp_path / "runs" / "tiny"
    refused = invoke("train", str(tiny_config), "--device", "gpu")
    assert refused.exit_code == ExitCode.DEVICE
    assert "TensorFlow sees no GPU" in refused.output
    assert not run_dir.exists()
    assert invoke("train", str(tiny_config), "--device", "cpu", "-q").exit_code == 0
    for command in (["evaluate", str(run_dir)], ["forecast", str(run_dir)]):
        assert invoke(*command, "--device", "gpu").exit_code == ExitCode.DEVICE
        assert invoke(*command, "--device", "tpu").exit_code == ExitCode.USAGE
