"""A year of cron runs, compressed: every file under tests/corpus/ and every broken run folder,
forecast input and output place, through the real program in a cron-like environment."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.helpers.data import REPO, synthetic_frame
from tests.helpers.program import minimal
from tests.helpers.runs import tiny_run

CORPUS = REPO / "tests" / "corpus"

CSV_CASES = {  # file -> (exit code, what the message must name); 0: must be accepted
    "empty": (3, "is empty"),
    "header_only": (3, "has a header but no data rows"),
    "semicolons": (2, "does not look comma-separated"),
    "tabs": (2, "does not look comma-separated"),
    "bom": (0, ""),
    "crlf": (0, ""),
    "quoted_numbers": (0, ""),
    "thousands_separators": (3, "remove the thousands separators"),
    "non_numeric_cell": (3, "column 'load' has empty cells"),
    "nan_cell": (3, "column 'load' has empty cells"),
    "inf_cell": (3, "1 infinite value (first: line 32)"),
    "duplicated_timestamp": (3, "repeats 2024-01-02 06:00:00 on lines 32 and 33"),
    "unsorted": (3, "not in increasing order: line 23"),
    "mixed_zones": (3, "to +02:00 at line 32, where it goes back in time"),
    "unparsable_timestamp": (3, "line 32, value 'yesterday'"),
    "empty_timestamp": (3, "1 empty or unparsable timestamp (first: line 32"),
    "day_first_dates": (3, "use ISO 8601"),
    "month_first_dates": (3, "use ISO 8601"),
    "constant_target": (0, "warning: the target 'load' is constant in the training rows"),
    "all_zero_target": (0, "(every value 0): scaling leaves it as is"),
    "tiny_magnitudes": (0, ""),
    "huge_magnitudes": (0, ""),
    "overflowing_magnitudes": (3, "values beyond ±1e+150 (first: line 2"),
    "too_few_rows": (3, "6 rows are too few for lookback 8 + horizon 2"),
    "ragged_row": (3, "line 32 has 3 fields but the header has 2"),
    "missing_rows": (3, "20 rows missing from the hourly grid (2024-01-01T20:00:00, "),
    "half_written_last_line": (3, "line 61 has 1 fields"),
    "wrong_target_column": (2, "data.target: column 'load' is not in"),
    "no_timestamp_column": (2, "data.timestamp: column 'timestamp' is not in"),
    "latin1": (3, "is not UTF-8 text"),
    "gzipped": (3, "is not UTF-8 text"),
}
YAML_CASES = {
    "syntax_error": (2, "line 2: invalid YAML"),
    "tab_indent": (2, "found character '\\t'"),
    "duplicate_key": (2, "windows.horizon is given twice, on lines 5 and 6"),
    "wrong_type": (2, "line 5: windows.horizon: Input should be a valid integer"),
    "bool_for_number": (2, "windows.horizon: expected a number, got true"),
    "zero_lookback": (2, "windows.lookback: Input should be greater than 0"),
    "lookback_longer_than_data": (3, "144 rows are too few for lookback 100000"),
    "data_path_missing": (3, "no_such_file.csv does not exist"),
    "data_path_is_folder": (3, "is a folder; give a CSV file"),
    "unknown_key": (2, "did you mean 'lookback'?"),
    "empty": (2, "is empty"),
    "top_level_list": (2, "must be a mapping of sections"),
    "splits_leave_no_training": (2, "leaves no training rows"),
    "unknown_cell": (2, "model.cell: Input should be 'lstm' or 'gru'"),
    "bad_frequency": (2, "'fortnightly' is not a pandas frequency"),
    "bad_staleness": (2, "forecast.max_staleness: 'soon' is not a duration"),
    "negative_epochs": (2, "training.epochs: Input should be greater than 0"),
    "no_test_split": (2, "split.test: a row count must be at least 1"),
    "not_utf8": (2, "is not UTF-8 text"),
}


def test_the_corpus_and_the_cases_list_the_same_files():
    assert {p.stem for p in (CORPUS / "csv").glob("*.csv")} == set(CSV_CASES)
    assert {p.stem for p in (CORPUS / "yaml").glob("*.yaml")} == set(YAML_CASES)


def written(folder: Path) -> set[str]:
    """What is in `folder`, but for the hidden lock files that sit beside run folders for good
    (`runs/.NAME.lock`: a lock is a file that outlives its holders)."""
    return {p.name for p in folder.iterdir() if not p.name.endswith(".lock")}


def refused_as_documented(result, code: int, fragment: str, tmp_path: Path, before: set) -> None:
    """The exit code, one error line naming the problem, the same in --json, nothing written."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr
    assert written(tmp_path) == before  # nothing written, not even runs/
    if code == 0:
        assert fragment in result.stderr
        return
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert fragment in lines[0]
    document = json.loads(result.stdout)
    message = document["error"]["message"]
    assert document["schema_version"] == 1 and document["status"] == "error"
    assert document["error"]["exit_code"] == code
    assert message.split() == lines[0].removeprefix("error: ").split()  # a tab shows as spaces


@pytest.mark.parametrize("name", sorted(CSV_CASES))
def test_broken_csv(tmp_path, name):
    code, fragment = CSV_CASES[name]
    config = {
        "data": {"path": str(CORPUS / "csv" / f"{name}.csv"), "target": "load"},
        "windows": {"lookback": 8, "horizon": 2},
        "split": {"validation": 0.2, "test": 0.2},
    }
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    result = minimal("validate", "c.yaml", "--json", cwd=tmp_path)
    refused_as_documented(result, code, fragment, tmp_path, {"c.yaml"})


@pytest.mark.parametrize("name", sorted(YAML_CASES))
def test_broken_yaml(tmp_path, name):
    code, fragment = YAML_CASES[name]
    result = minimal("validate", CORPUS / "yaml" / f"{name}.yaml", "--json", cwd=tmp_path)
    refused_as_documented(result, code, fragment, tmp_path, set())


def test_a_config_that_is_a_folder(tmp_path):
    result = minimal("train", tmp_path, "--json", cwd=tmp_path)
    refused_as_documented(
        result, 2, "is a folder; give the experiment's YAML file", tmp_path, set()
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """One tiny run on an hourly series, shared by the run-folder and --input cases."""
    root = tmp_path_factory.mktemp("trained")
    tiny_run(root)
    return root


def _break_model(run: Path) -> None:
    with open(run / "model.keras", "r+b") as stream:
        stream.truncate(100)


def _newer(run: Path) -> None:
    manifest = json.loads((run / "manifest.json").read_text())
    (run / "manifest.json").write_text(json.dumps({**manifest, "lstmcast_version": "9.0.0"}))


RUN_FOLDER_CASES = {  # how the folder is broken -> the message
    "missing model": (lambda run: (run / "model.keras").unlink(), "model.keras is missing"),
    "truncated model": (_break_model, "model.keras has changed since training"),
    "foreign model": (
        lambda run: (run / "model.keras").write_bytes(b"PK\x03\x04 another model"),
        "model.keras has changed since training",
    ),
    "edited config": (
        lambda run: (run / "config.yaml").write_text(
            (run / "config.yaml").read_text().replace("horizon: 2", "horizon: 3")
        ),
        "config.yaml has changed since training",
    ),
    "missing manifest": (
        lambda run: (run / "manifest.json").unlink(),
        "is not a complete run folder (no manifest.json)",
    ),
    "corrupt manifest": (
        lambda run: (run / "manifest.json").write_text('{"files": '),
        "manifest.json cannot be read",
    ),
    "missing preprocessing": (
        lambda run: (run / "preprocessing.json").unlink(),
        "preprocessing.json is missing",
    ),
    "from a newer lstmcast": (_newer, "was written by lstmcast 9.0.0, newer than this"),
    "empty folder": (
        lambda run: [path.unlink() for path in run.iterdir()],
        "is not a complete run folder",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(RUN_FOLDER_CASES))
def test_broken_run_folder(trained, tmp_path, case):
    breaks, fragment = RUN_FOLDER_CASES[case]
    run = tmp_path / "run"
    shutil.copytree(trained / "runs" / "tiny", run)
    breaks(run)
    before = written(tmp_path)
    result = minimal("forecast", run, "--json", "-o", tmp_path / "out.csv", cwd=tmp_path)
    refused_as_documented(result, 4, fragment, tmp_path, before)


def _input(rows: pd.DataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "latest.csv"
    rows.to_csv(path, index=False)
    return path


def _with_nan_last(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[frame.index[-1], "load"] = np.nan
    return frame


INPUT_CASES = {
    "other columns": (
        lambda f: f.rename(columns={"load": "demand"}),
        3,
        "data.target: column 'load' is not in",
    ),
    "other frequency": (
        lambda f: f.iloc[::2],
        3,
        "timestamps step by '2h' (2-hour) but the trained run's frequency is 'h' (hourly)",
    ),
    "too short": (lambda f: f.tail(5), 3, "has 5 rows but the model reads the last 8"),
    "older than training": (
        lambda f: f.head(200),
        3,
        "before the data the run was trained on did",
    ),
    "NaN in the last row": (_with_nan_last, 3, "column 'load' has empty cells"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(INPUT_CASES))
def test_bad_forecast_input(trained, tmp_path, case):
    change, code, fragment = INPUT_CASES[case]
    latest = _input(change(synthetic_frame(rows=240)), tmp_path)
    before = written(tmp_path)
    result = minimal(
        "forecast", trained / "runs" / "tiny", "-i", latest, "-o", "out.csv", "--json",
        cwd=tmp_path,
    )  # fmt: skip
    refused_as_documented(result, code, fragment, tmp_path, before)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("output", "fragment"),
    [
        ("no/such/folder/out.csv", "--output: folder no/such/folder does not exist"),
        ("/sys/out.csv", "--output: cannot write /sys/out.csv"),
        (".", "--output: . is a folder; give a file name"),
    ],
)
def test_bad_output_place(trained, tmp_path, output, fragment):
    before = written(tmp_path)
    result = minimal("forecast", trained / "runs" / "tiny", "-o", output, "--json", cwd=tmp_path)
    refused_as_documented(result, 2, fragment, tmp_path, before)
