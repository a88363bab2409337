"""Every architecture family: it builds from config, learns, reloads bit for bit, has the
right shapes and parameter count, and nothing after the origin reaches its input."""

from __future__ import annotations

import numpy as np
import pytest

from lstmcast.config.schema import Experiment
from lstmcast.runtime import import_tensorflow, seed_everything

import_tensorflow()

import keras  # noqa: E402

from lstmcast.models import build_model, load_model  # noqa: E402
from lstmcast.models.initializers import ForgetGateBias  # noqa: E402
from lstmcast.models.recursive import one_step_model  # noqa: E402
from tests.helpers.models import FAMILIES, experiment, inputs  # noqa: E402


def sine_windows(count: int, lookback: int, horizon: int):
    """A learnable series: a sine with a random phase per window, next values as targets."""
    rng = np.random.default_rng(1)
    phase = rng.uniform(0, 2 * np.pi, size=(count, 1))
    steps = np.arange(lookback + horizon)[None, :]
    series = np.sin(2 * np.pi * steps / 8 + phase).astype("float32")
    return series[:, :lookback, None], series[:, lookback:]


@pytest.mark.parametrize(
    ("horizon", "known"), [(1, False), (4, True)], ids=["H=1 window only", "H=4 known future"]
)
@pytest.mark.parametrize("family", FAMILIES)
def test_shapes_and_save_load_bit_for_bit(family, horizon, known, tmp_path):
    batch = 32 if family == "stateful" else 5
    model = build_model(
        experiment(FAMILIES[family], horizon=horizon, known=known), num_features=4 if known else 1
    )
    x = inputs(batch, 12, horizon, 3 if known else 0)
    before = model.predict(x, verbose=0, batch_size=batch)
    assert before.shape == (batch, horizon)
    path = tmp_path / "model.keras"
    model.save(path)
    reloaded = load_model(str(path))
    if family == "stateful":  # the state carried by the first predict must not count
        from lstmcast.models.stateful import reset_states

        reset_states(model)
        before = model.predict(x, verbose=0, batch_size=batch)
    after = reloaded.predict(x, verbose=0, batch_size=batch)
    np.testing.assert_array_equal(before, after)
    assert reloaded.count_params() == model.count_params()


@pytest.mark.parametrize("family", [name for name in FAMILIES if name != "stateful"])
def test_loss_goes_down_on_a_learnable_series(family):
    seed_everything(3)
    config = experiment(FAMILIES[family])
    model = build_model(config, num_features=1)
    trained = one_step_model(model) if config.model.output == "recursive" else model
    window, target = sine_windows(256, 12, 4)
    if trained is not model:
        target = target[:, :1]
    trained.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    before = trained.evaluate(window, target, verbose=0)
    trained.fit(window, target, epochs=8, batch_size=32, verbose=0, shuffle=False)
    after = trained.evaluate(window, target, verbose=0)
    assert after < 0.5 * before, (before, after)


def test_stateful_model_learns_across_windows():
    """Batch row i continues row i of the previous batch; states reset only between epochs."""
    seed_everything(3)
    model = build_model(experiment(FAMILIES["stateful"], batch_size=8), num_features=1)
    window, target = sine_windows(64, 12, 4)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    before = model.evaluate(window, target, verbose=0, batch_size=8)
    for _ in range(8):
        model.fit(window, target, epochs=1, batch_size=8, verbose=0, shuffle=False)
        for layer in model.layers:
            if isinstance(layer, keras.layers.RNN):
                layer.reset_state()
    assert model.evaluate(window, target, verbose=0, batch_size=8) < 0.5 * before


def lstm_params(inputs: int, units: int) -> int:
    return 4 * (units * (inputs + units) + units)


def gru_params(inputs: int, units: int) -> int:  # reset_after: two bias vectors per gate
    return 3 * (units * (inputs + units) + 2 * units)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ({"units": [8, 4]}, lstm_params(2, 8) + lstm_params(8, 4) + 4 * 3 + 3),
        ({"cell": "gru", "units": [8]}, gru_params(2, 8) + 8 * 3 + 3),
        ({"units": [8], "bidirectional": True}, 2 * lstm_params(2, 8) + 16 * 3 + 3),
        ({"units": [8], "bidirectional": True, "merge_mode": "sum"}, 2 * lstm_params(2, 8) + 27),
        (
            {"units": [8], "output": "seq2seq"},  # decoder reads the summary, width 8
            lstm_params(2, 8) + lstm_params(8, 8) + 8 + 1,
        ),
        ({"units": [8], "output": "recursive"}, lstm_params(2, 8) + 8 + 1),
    ],
)
def test_parameter_count_matches_the_formula(model, expected):
    built = build_model(
        Experiment.model_validate(
            {
                "data": {"path": "x.csv", "target": "y"},
                "windows": {"lookback": 6, "horizon": 3},
                "scaling": {"per_window": "none"},
                "model": {"blend": "none", **model},  # a blend adds one non-trained weight
            }
        ),
        num_features=2,
    )
    assert built.count_params() == expected


@pytest.mark.parametrize(("merge_mode", "width"), [("concat", 16), ("sum", 8), ("ave", 8)])
def test_bidirectional_merge_modes(merge_mode, width):
    model = build_model(
        experiment({"units": [8], "bidirectional": True, "merge_mode": merge_mode}),
        num_features=1,
    )
    layer = model.get_layer("bidirectional_1")
    assert isinstance(layer, keras.layers.Bidirectional)
    assert layer.merge_mode == merge_mode
    assert layer.output.shape[-1] == width


def test_bidirectional_summary_is_both_directions_final_outputs():
    """The backward direction's summary is its output after reading the whole window, so a
    change in the first input step moves it (it would not at the sequence's last step)."""
    model = build_model(
        experiment({"units": [4], "bidirectional": True, "attention": "dot"}), num_features=1
    )
    summary = keras.Model(model.inputs, model.get_layer("summary").output)
    window = inputs(2, 12, 4, 0)
    changed = window.copy()
    changed[:, 0] += 5
    difference = np.abs(summary.predict(changed, verbose=0) - summary.predict(window, verbose=0))
    assert difference[:, 4:].max() > 1e-4  # backward half


def test_residual_stack_adds_each_layer_input():
    """Numerically: layer k's residual is its input (the normalised output of layer k - 1) plus
    its own LSTM output, for every layer after the first."""
    model = build_model(experiment(FAMILIES["residual 4 deep + layer norm"]), num_features=1)
    names = {layer.name for layer in model.layers}
    assert "residual_1" not in names and {f"layer_norm_{depth}" for depth in range(1, 5)} <= names
    window = inputs(3, 12, 4, 0)
    for depth in (2, 3, 4):
        parts = [f"layer_norm_{depth - 1}", f"lstm_{depth}", f"residual_{depth}"]
        probe = keras.Model(model.inputs, [model.get_layer(name).output for name in parts])
        layer_input, lstm_output, residual = probe.predict(window, verbose=0)
        np.testing.assert_allclose(residual, layer_input + lstm_output, rtol=1e-5, atol=1e-6)


def test_forget_gate_bias_starts_at_the_configured_value():
    model = build_model(experiment({"units": [3], "forget_bias": 2.5}), num_features=1)
    bias = model.get_layer("lstm_1").cell.bias.numpy()
    np.testing.assert_array_equal(bias, [0, 0, 0, 2.5, 2.5, 2.5, 0, 0, 0, 0, 0, 0])
    assert ForgetGateBias(1.0).get_config() == {"value": 1.0}


def test_recursive_model_feeds_its_one_step_forecast_back():
    """The unrolled model equals a numpy loop over its one-step model."""
    config = experiment({"units": [6], "output": "recursive"}, horizon=5, known=True)
    model = build_model(config, num_features=4)
    core = one_step_model(model)
    x = inputs(3, 12, 5, 3, seed=4)
    window, future = x["window"].copy(), x["future"]
    expected = []
    for step in range(5):
        forecast = core.predict({"window": window, "future": future[:, step : step + 1]}, verbose=0)
        expected.append(forecast[:, 0])
        row = np.concatenate([forecast, future[:, step]], axis=1)
        window = np.concatenate([window[:, 1:], row[:, None, :]], axis=1)
    np.testing.assert_allclose(model.predict(x, verbose=0), np.stack(expected, 1), rtol=1e-5)


@pytest.mark.parametrize("family", [name for name in FAMILIES if name != "stateful"])
def test_known_future_reaches_the_forecast_and_nothing_else_from_after_the_origin(family):
    """Model inputs are the window (up to the origin) and the known columns' future only; the
    known future does move the forecast."""
    config = experiment(FAMILIES[family], known=True)
    model = build_model(config, num_features=4)
    shapes = {tensor.name: tuple(tensor.shape) for tensor in model.inputs}
    assert shapes == {"window": (None, 12, 4), "future": (None, 4, 3)}
    x = inputs(4, 12, 4, 3, seed=5)
    moved = {**x, "future": x["future"] + 1}
    assert not np.allclose(model.predict(x, verbose=0), model.predict(moved, verbose=0))


def test_stateful_inference_equals_reading_each_phase_window_by_window():
    """The prediction seam on a stateful model against brute force: a batch-1 copy reset,
    then fed every window of the origin's phase from the first row, in order."""
    from lstmcast.models.stateful import reset_states
    from lstmcast.prediction import predict_scaled

    config = experiment({"units": [5], "stateful": True}, lookback=4, horizon=2, batch_size=3)
    model = build_model(config, num_features=1)
    table = np.random.default_rng(6).normal(size=(30, 1)).astype("float32")
    origins = np.array([3, 9, 10, 17, 26, 27])
    fast = predict_scaled(model, config, table, origins)
    single = build_model(config, num_features=1, batch_size=1)
    single.set_weights(model.get_weights())
    for row, origin in enumerate(origins):
        reset_states(single)
        phase = (origin + 1) % 4
        for start in range(phase, origin - 3 + 1, 4):
            slow = single.predict_on_batch(table[None, start : start + 4])
        np.testing.assert_allclose(fast[row], slow[0], rtol=1e-5, atol=1e-6)
