"""Training budget: epochs of at least min_steps_per_epoch gradient steps."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from lstmcast.config.load import experiment_from_dict
from lstmcast.data.prepare import prepare_data
from lstmcast.training.fit import fit_model
from tests.helpers.data import synthetic_frame, tiny_experiment


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


def prepared(write_csv, tmp_path, **sections):
    config = tiny_experiment(write_csv(synthetic_frame(240)), tmp_path / "run", **sections)
    return prepare_data(experiment_from_dict(config, tmp_path / "experiment.yaml"))


@pytest.mark.parametrize(
    ("min_steps", "expected"), [(1, (5, False, True, 159)), (10, (10, True, True, 320))]
)
def test_epoch_plan_cycles_the_windows_of_a_short_series(write_csv, tmp_path, min_steps, expected):
    from lstmcast.training.fit import EpochPlan

    plan = EpochPlan.of(prepared(write_csv, tmp_path, training={"min_steps_per_epoch": min_steps}))
    assert (plan.steps, plan.repeat, plan.shuffle, plan.windows) == expected
    assert not plan.replayed_validation


def test_a_stateful_epoch_reads_its_streams_once_in_order(write_csv, tmp_path):
    from lstmcast.training.fit import EpochPlan

    data = prepared(
        write_csv,
        tmp_path,
        model={"stateful": True},
        scaling={"per_window": "none"},
        training={"batch_size": 4, "min_steps_per_epoch": 50},
    )
    plan = EpochPlan.of(data)
    assert not plan.repeat and not plan.shuffle and plan.replayed_validation


@pytest.mark.parametrize(
    ("val_loss", "restore", "resumed_after", "expected"),
    [
        ([3.0, 1.0, 2.0], True, 0, 2),
        ([3.0, 1.0, 2.0], False, 0, 0),  # no restore: the last epoch's weights
        ([3.0, 1.0, 2.0, 2.5], True, 2, 3),  # early stopping restarted after epoch 2
        ([3.0, 1.0], True, 5, 2),  # resumed past the end: the last epoch
    ],
)
def test_best_epoch_against_brute_force(val_loss, restore, resumed_after, expected):
    from lstmcast.config.sections.training import EarlyStopping
    from lstmcast.training.fit import best_epoch

    stopping = EarlyStopping(restore_best_weights=restore)
    got = best_epoch({"val_loss": val_loss}, stopping, resumed_after=resumed_after)
    since = range(min(resumed_after, len(val_loss) - 1), len(val_loss))
    assert got == expected == (min(since, key=val_loss.__getitem__) + 1 if restore else 0)
    assert best_epoch({"val_loss": val_loss}, None) == 0


def test_stateful_callbacks_compute_the_validation_loss_first_and_stop_last(write_csv, tmp_path):
    from lstmcast.training.callbacks import StatefulValidation, StopOnInterrupt
    from lstmcast.training.fit import EpochPlan, training_callbacks

    data = prepared(
        write_csv, tmp_path, model={"stateful": True}, scaling={"per_window": "none"},
        training={"batch_size": 4},
    )  # fmt: skip
    checkpoint = tmp_path / "checkpoint"
    fitted = SimpleNamespace(loss="mae")  # all the callbacks read of the model being fitted
    callbacks, stops = training_callbacks(
        data, fitted, EpochPlan.of(data), checkpoint=checkpoint, report=None
    )
    names = [type(callback).__name__ for callback in callbacks]
    assert isinstance(callbacks[0], StatefulValidation)
    assert isinstance(callbacks[-1], StopOnInterrupt) and callbacks[-1] is stops.interrupt
    assert {"CSVLogger", "BackupAndRestore"} <= set(names)


def test_check_outputs_refuses_an_existing_run_folder_before_any_work(tmp_path):
    from lstmcast.errors import ConfigError
    from lstmcast.workflows.train import check_outputs

    config = tiny_experiment(tmp_path / "x.csv", tmp_path / "run")
    (tmp_path / "run").mkdir()
    with pytest.raises(ConfigError, match="already exists"):
        check_outputs(experiment_from_dict(config, tmp_path / "e.yaml"), overwrite=False)


def test_workers_reading_their_own_files_plan_the_same_steps_from_everyones_counts(
    write_csv, tmp_path
):
    """Each worker's plan comes from every worker's window counts (gathered; here this worker
    holds the 159 training and 35 validation windows of the tiny series, another 41 and 300):
    an epoch is one pass over all of them in global batches, and validation runs the steps
    that cover the largest share once, each worker cycling through its own windows."""
    import numpy as np

    from lstmcast.runtime import Device
    from lstmcast.training.fit import EpochPlan
    from lstmcast.training.placement import Placement

    class TwoWorkers(Placement):
        def gather(self, counts):
            return np.array([counts, [41, 300]])

    data = prepared(write_csv, tmp_path, training={"batch_size": 32, "min_steps_per_epoch": 1})
    assert (len(data.starts["train"]), len(data.starts["validation"])) == (159, 35)
    placement = TwoWorkers(Device("cpu"), None, replicas=4, worker=0, workers=2, own_files=True)
    plan = EpochPlan.across_workers(data, placement)
    assert (plan.steps, plan.repeat, plan.windows) == (7, True, 7 * 32)  # ceil(200 / 32)
    fed = placement.worker_batch(256)  # 2 replicas here x 256 // 4
    assert fed == 128 and plan.validation_steps == 3  # ceil(300 / 128)
    assert plan.validation_windows == 384
    cycled = np.resize(data.starts["validation"], plan.validation_windows)
    assert set(cycled) == set(data.starts["validation"])  # every window, some more than once
