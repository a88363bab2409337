"""`lstmcast info`: what a run is, from its folder alone, without TensorFlow."""

from __future__ import annotations

import json

from tests.helpers.program import imports_tensorflow
from tests.helpers.runs import invoke


def test_info_describes_a_run_without_tensorflow(tiny_config, tmp_path):
    assert invoke("train", str(tiny_config), "-q").exit_code == 0
    run_dir = tmp_path / "runs" / "tiny"
    result = invoke("info", str(run_dir), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["data"]["columns"] == ["load", "x1"] and len(summary["data"]["sha256"]) == 64
    assert summary["windows"]["lookback"] == 8 and summary["model"]["parameters"] > 0
    assert summary["training"]["epochs_run"] == 2 and summary["training"]["seed"] == 1
    assert set(summary["test_mase"]) == {"lstm", "naive", "seasonal_naive", "drift"}
    assert summary["intervals"] == ["80", "95"]
    human = invoke("info", str(tiny_config))
    assert "model      1-layer lstm (4), direct output" in human.stdout
    assert not imports_tensorflow("info", run_dir, "--json")
