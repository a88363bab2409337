"""Training budget: epochs of at least min_steps_per_epoch gradient steps."""

from __future__ import annotations

import pytest

from lstmcast.config.load import experiment_from_dict
from lstmcast.data.prepare import prepare_data
from lstmcast.training.fit import fit_model
from tests.conftest import synthetic_frame, tiny_experiment


@pytest.mark.parametrize(("min_steps", "steps_per_epoch"), [(1, 5), (10, 10)])
def test_an_epoch_is_at_least_min_steps_per_epoch(write_csv, tmp_path, min_steps, steps_per_epoch):
    config = tiny_experiment(
        write_csv(synthetic_frame(240)),
        tmp_path / "run",
        training={"epochs": 2, "min_steps_per_epoch": min_steps},
    )
    data = prepare_data(experiment_from_dict(config, tmp_path / "experiment.yaml"))
    assert -(-len(data.starts["train"]) // 32) == 5  # 159 windows in batches of 32
    result = fit_model(data)
    assert int(result.model.optimizer.iterations.numpy()) == 2 * steps_per_epoch
    assert len(result.history["loss"]) == 2
