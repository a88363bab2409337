"""Config errors name the key path, the YAML line and the near-miss; overrides are typed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from lstmcast.config import load_experiment
from lstmcast.errors import ConfigError, ExitCode

GOOD = """\
data:
  path: series.csv
  target: load
windows:
  lookback: 8
  horizon: 2
"""


def load_text(write_config, text: str, overrides: tuple[str, ...] = ()):
    return load_experiment(write_config(text), list(overrides))


def error_text(write_config, text: str, overrides: tuple[str, ...] = ()) -> str:
    with pytest.raises(ConfigError) as caught:
        load_text(write_config, text, overrides)
    assert caught.value.exit_code == ExitCode.USAGE
    return str(caught.value)


def test_good_config_resolves_paths(write_config, tmp_path):
    experiment = load_text(write_config, GOOD)
    assert experiment.data.path == (tmp_path / "series.csv").resolve()
    assert experiment.run_dir == Path("runs/experiment")
    assert experiment.windows.stride == 1
    assert experiment.model.units == [64]  # the benchmarked default (bench/ACCURACY.md)


def test_misspelt_key_names_line_and_near_miss(write_config):
    message = error_text(write_config, GOOD.replace("lookback: 8", "lookbak: 8"))
    assert "line 5: windows.lookbak: unknown key 'lookbak'; did you mean 'lookback'?" in message


def test_unknown_section_is_rejected(write_config):
    message = error_text(write_config, GOOD + "trainig:\n  epochs: 3\n")
    assert "line 7: trainig: unknown key 'trainig'; did you mean 'training'?" in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("lookback: 8", "lookback: 0", "windows.lookback: Input should be greater than 0 (got 0)"),
        ("horizon: 2", "horizon: 0", "windows.horizon: Input should be greater than 0 (got 0)"),
        (
            "lookback: 8",
            "lookback: eight",
            "windows.lookback: Input should be a whole number of steps or 'auto'",
        ),
    ],
)
def test_impossible_values_name_key_and_value(write_config, old, new, expected):
    assert expected in error_text(write_config, GOOD.replace(old, new))


def test_missing_required_key(write_config):
    message = error_text(write_config, GOOD.replace("  target: load\n", ""))
    assert "data.target: is required but missing" in message


def test_choice_near_miss(write_config):
    message = error_text(write_config, GOOD + "training:\n  optimizer: adma\n")
    assert "line 8: training.optimizer:" in message
    assert "did you mean 'adam'?" in message


def test_split_that_leaves_no_training_rows(write_config):
    message = error_text(write_config, GOOD + "split:\n  validation: 0.5\n  test: 0.6\n")
    assert "split: validation + test = 1.1 leaves no training rows" in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.5", "a fraction must lie strictly between 0 and 1 (got 1.5)"),
        ("0", "a row count must be at least 1 (got 0)"),
        ("soon", "expected a fraction (0.1), a row count (24) or a first timestamp"),
    ],
)
def test_split_size_errors(write_config, value, expected):
    message = error_text(write_config, GOOD + f"split:\n  test: {value}\n")
    assert "split.test:" in message and expected in message


def test_split_sizes_accept_fraction_count_and_date(write_config):
    text = GOOD + "split:\n  validation: 2020-01-01\n  test: 24\n"
    experiment = load_text(write_config, text)
    assert experiment.split.validation.year == 2020
    assert experiment.split.test == 24


def test_target_listed_as_feature(write_config):
    message = error_text(
        write_config, GOOD.replace("target: load", "target: load\n  features: [load]")
    )
    assert "data.features: the target 'load' is listed" in message


def test_unknown_frequency(write_config):
    message = error_text(
        write_config, GOOD.replace("target: load", "target: load\n  frequency: fortnight")
    )
    assert "data.frequency: 'fortnight' is not a pandas frequency" in message


def test_overrides_are_typed_through_the_schema(write_config):
    experiment = load_text(
        write_config,
        GOOD,
        ("windows.lookback=48", "model.units=[16, 8]", "training.shuffle=false"),
    )
    assert experiment.windows.lookback == 48
    assert experiment.model.units == [16, 8]
    assert experiment.training.shuffle is False


def test_bad_override_names_the_flag(write_config):
    message = error_text(write_config, GOOD, ("windows.lookback=-3",))
    assert "--set windows.lookback=-3: windows.lookback: Input should be greater than 0" in message
    message = error_text(write_config, GOOD, ("windows.lookbak=3",))
    assert "did you mean 'lookback'?" in message
    message = error_text(write_config, GOOD, ("no-equals-sign",))
    assert "--set expects KEY.PATH=VALUE" in message


def test_invalid_yaml_names_the_line(write_config):
    message = error_text(write_config, GOOD + "model:\n  units: [4\n")
    assert "invalid YAML" in message and "line" in message


def test_yaml_is_loaded_safely(write_config):
    message = error_text(write_config, GOOD + "model: !!python/object/apply:os.system ['true']\n")
    assert "invalid YAML" in message


def test_several_problems_are_all_reported(write_config):
    text = GOOD.replace("lookback: 8", "lookback: 0").replace("horizon: 2", "horizont: 2")
    message = error_text(write_config, text)
    assert "windows.lookback" in message and "windows.horizont" in message


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_experiment(tmp_path / "nope.yaml")


def test_loading_a_config_never_imports_tensorflow(tmp_path):
    code = (
        "import sys; from pathlib import Path; from lstmcast.config import load_experiment; "
        "import lstmcast.cli; "
        f"load_experiment(Path({str(tmp_path / 'c.yaml')!r})); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'tensorflow', 'keras'}))"
    )
    (tmp_path / "c.yaml").write_text(GOOD, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_run_folders_of_schema_1_keep_loading(write_config):
    """Issue-2/3 run folders saved `model: {type: stacked, ...}`: the default encoder."""
    text = GOOD + "model:\n  type: stacked\n  units: [16]\n  linear_skip: true\n"
    model = load_text(write_config, text).model
    assert (model.units, model.linear_skip, model.cell, model.output) == (
        [16],
        True,
        "lstm",
        "direct",
    )
    assert "model.type: unknown key" in error_text(write_config, GOOD + "model:\n  type: wavenet\n")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"holidays": ["2024-12-25"]}, "data.holidays: a holiday list belongs to business days"),
        ({"frequency": "none", "calendar": ["hour"]}, "data.calendar: frequency none counts rows"),
        ({"max_filled": 0}, "data.max_filled: Input should be greater than 0"),
        ({"frequency": "fortnightly"}, "'fortnightly' is not a pandas frequency; use e.g."),
    ],
)
def test_calendar_settings_that_mean_nothing_are_refused_naming_the_key(
    write_config, data, expected
):
    config = {"data": {"path": "x.csv", "target": "y", **data}, "windows": {"horizon": 2}}
    with pytest.raises(ConfigError, match=re.escape(expected)):
        load_experiment(write_config(config))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "data: {path: x.csv, target: y}\nwindows:\n  horizon: true\n",
            "line 3: windows.horizon: expected a number, got true",
        ),
        (
            "data: {path: x.csv, target: y}\nwindows: {horizon: 2}\nmodel:\n  units: [8, false]\n",
            "line 4: model.units: expected a number, got [8, false]",
        ),
        (
            "data: {path: x.csv, target: y}\nwindows: {horizon: 2}\ntraining:\n  seed: false\n",
            "line 4: training.seed: expected a number, got false",
        ),
        (
            "data: {path: x.csv, target: y}\nwindows:\n  horizon: 4\n  lookback: 8\n  horizon: 6\n",
            "windows.horizon is given twice, on lines 3 and 5; keep one",
        ),
        (
            "data: {path: x.csv, target: y}\nwindows: {horizon: 2}\ndata: {path: z.csv}\n",
            "data is given twice, on lines 1 and 3; keep one",
        ),
    ],
)
def test_booleans_for_numbers_and_repeated_keys_are_refused(write_config, text, expected):
    with pytest.raises(ConfigError, match=re.escape(expected)):
        load_experiment(write_config(text))
