"""A chief whose workers read their own files scores the panel a part at a time: the blend,
the conformal bands, every series' metrics and preprocessing.json come out as from the whole
panel in memory, for the same model."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from lstmcast.config.load import load_experiment
from lstmcast.data.shards import FileShard
from lstmcast.data.workload import merged_state, plan_workload, prepare_workload
from lstmcast.evaluation.evaluate import calibrate_workload, evaluate_workload
from lstmcast.models import build_model
from lstmcast.models.seasonal import set_blend_share
from lstmcast.training.blend import choose_blend
from tests.helpers.panels import LENGTHS, long_panel, write_folder


@pytest.fixture
def experiment(tmp_path):
    frame = long_panel(LENGTHS)
    write_folder(tmp_path, frame, [["s0", "s4"], ["s1", "s6"], ["s2", "s3"], ["s5"]])
    config = {
        "data": {"path": "shards", "target": "y", "series_id": "series_id",
                 "static": ["kind"], "season_length": 3},
        "windows": {"lookback": 6, "horizon": 3},
        "split": {"validation": 6, "test": 6},
        "model": {"units": [4], "series_embedding": 2},
        "training": {"seed": 3},
    }  # fmt: skip
    (tmp_path / "shards.yaml").write_text(yaml.safe_dump(config))
    return load_experiment(tmp_path / "shards.yaml")


def model_for(whole):
    import keras

    keras.utils.set_random_seed(3)
    model = build_model(
        whole.experiment,
        num_features=whole.table.shape[1],
        series_count=whole.series_count,
        season_length=whole.season_length,
    )
    # an untrained network, made loud: the blend then takes some seasonal naive
    model.set_weights([weights * 4 for weights in model.get_weights()])
    set_blend_share(model, 1.0)  # the network alone, as fit leaves it (scaled above too)
    return model


@pytest.mark.parametrize("count", [2, 3])
def test_scoring_part_by_part_is_scoring_the_whole_panel(experiment, count):
    whole = prepare_workload(experiment)
    plan = plan_workload(experiment)
    model = model_for(whole)
    chief = FileShard(count - 1, count)  # its own part first, then the others'
    own = plan.part(chief)

    at_once = choose_blend(model, [whole.fitting])
    set_blend_share(model, 1.0)  # as fit leaves it
    by_parts = choose_blend(model, (part.fitting for part in plan.whole_from(own, chief)))
    assert 0 < by_parts.share == at_once.share < 1
    assert by_parts.windows == at_once.windows == len(whole.starts["validation"])
    assert by_parts.network_mae == pytest.approx(at_once.network_mae, rel=1e-6)

    bands = calibrate_workload(model, [whole])
    parted = calibrate_workload(model, plan.whole_from(own, chief))
    assert parted.calibration_windows == bands.calibration_windows
    for level in bands.levels:
        np.testing.assert_allclose(parted.radius[level], bands.radius[level], rtol=1e-5)

    expected = evaluate_workload(model, [whole], bands).to_dict()
    got = evaluate_workload(model, plan.whole_from(own, chief), bands).to_dict()
    assert list(got["per_series"]) == list(expected["per_series"]) == whole.layout.ids
    assert got["skipped"] == expected["skipped"] and got["test_windows"] == expected["test_windows"]
    for sid, scores in expected["per_series"].items():
        for method, metrics in scores["overall"].items():
            assert got["per_series"][sid]["overall"][method] == pytest.approx(metrics, rel=1e-5)
    assert got["mean_mase"] == pytest.approx(expected["mean_mase"], rel=1e-5)

    assert merged_state([part.state() for part in plan.whole_from(own, chief)]) == whole.state()
