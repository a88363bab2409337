"""A panel's static columns reach the network intact: per-window normalisation shifts the
target and features only, never a constant one-hot column (which it would turn into zeros)."""

from __future__ import annotations

import numpy as np

from lstmcast.data.workload import prepare_workload
from lstmcast.models import build_model
from tests.helpers.panels import long_panel
from tests.helpers.panels import panel_experiment as experiment


def test_window_normalisation_leaves_static_columns_alone(tmp_path):
    config = experiment(tmp_path, long_panel([30, 30]), static=["kind"])
    config = config.model_copy(
        update={"scaling": config.scaling.model_copy(update={"per_window": "mean"})}
    )
    data = prepare_workload(config)
    model = build_model(data.experiment, num_features=data.table.shape[1])
    norm = model.get_layer("window_norm")
    assert norm.columns == 1  # the target; the two one-hot columns pass through
    window = data.table[None, :6, :]
    normalised, _, _ = norm(window)
    np.testing.assert_array_equal(np.asarray(normalised)[0, :, 1:], window[0, :, 1:])
