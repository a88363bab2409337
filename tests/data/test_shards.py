"""A panel kept as a folder of files: read as the one file holding the same rows, and each
worker's share laid out exactly as in the whole panel (numbers, static levels, cut-offs),
reading only its own files' values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from lstmcast.config.load import load_experiment
from lstmcast.data.shards import FileShard, data_files, data_sha256
from lstmcast.data.workload import plan_workload, prepare_workload
from lstmcast.errors import ConfigError, DataError
from tests.helpers.panels import LENGTHS, long_panel, write_folder


def write_config(tmp_path: Path, path: str, **model: object) -> Path:
    config = {
        "data": {"path": path, "target": "y", "series_id": "series_id", "static": ["kind"]},
        "windows": {"lookback": 6, "horizon": 3},
        "split": {"validation": 6, "test": 6},
        "model": {"series_embedding": 2, **model},
    }
    (tmp_path / f"{path}.yaml").write_text(yaml.safe_dump(config))
    return tmp_path / f"{path}.yaml"


@pytest.fixture
def panel(tmp_path):
    frame = long_panel(LENGTHS)
    frame.loc[frame["series_id"] == "s6", "kind"] = "rare"  # a level one file alone holds
    frame.to_csv(tmp_path / "whole.csv", index=False)
    groups = [["s0", "s4"], ["s1", "s6"], ["s2", "s3"], ["s5"]]
    write_folder(tmp_path, frame, groups)
    whole = prepare_workload(load_experiment(write_config(tmp_path, "whole.csv")))
    return tmp_path, whole


def test_a_folder_of_files_is_the_one_file_holding_the_same_rows(panel):
    tmp_path, whole = panel
    folder = prepare_workload(load_experiment(write_config(tmp_path, "shards")))
    np.testing.assert_array_equal(folder.table, whole.table)
    for split in whole.starts:
        np.testing.assert_array_equal(folder.starts[split], whole.starts[split])
    assert folder.state() == whole.state()
    assert [path.name for path in folder.files] == [
        "part-0.csv", "part-1.parquet", "part-2.csv", "part-3.parquet",
    ]  # fmt: skip


@pytest.mark.parametrize("workers", [2, 3])
def test_each_worker_lays_out_its_series_as_the_whole_panel_does(panel, workers):
    tmp_path, whole = panel
    experiment = load_experiment(write_config(tmp_path, "shards"))
    seen = []
    for worker in range(workers):
        part = plan_workload(experiment).part(FileShard(worker, workers))
        assert part.cut_offs == whole.cut_offs
        assert part.static == whole.static  # 'rare' in every worker's one-hot order
        assert part.series_count == whole.series_count == len(whole.layout.ids)
        assert part.layout.skipped == {
            sid: why for sid, why in whole.layout.skipped.items() if sid in part.panel.series
        }
        for index, sid in enumerate(part.layout.ids):  # the same rows, numbers, one-hot
            mine = part.table[part.layout.offsets[index] : part.layout.offsets[index + 1]]
            at = whole.layout.ids.index(sid)
            np.testing.assert_array_equal(
                mine, whole.table[whole.layout.offsets[at] : whole.layout.offsets[at + 1]]
            )
        seen += part.layout.ids
        assert len(part.starts["train"]) < len(whole.starts["train"])
    assert sorted(seen) == whole.layout.ids  # every kept series on exactly one worker


def test_a_worker_reads_no_value_of_another_workers_files(panel):
    tmp_path, _ = panel
    broken = tmp_path / "shards" / "part-2.csv"  # worker 0 of 2 owns parts 0 and 2
    text = broken.read_text().splitlines()
    text[1] = text[1].rsplit(",", 1)[0] + ",not a number"
    broken.write_text("\n".join(text) + "\n")
    experiment = load_experiment(write_config(tmp_path, "shards"))
    assert plan_workload(experiment).part(FileShard(1, 2)).layout.ids == ["s1", "s5", "s6"]
    with pytest.raises(DataError, match="part-2.csv"):
        plan_workload(experiment).part(FileShard(0, 2))


def test_a_series_split_over_two_files_is_refused(tmp_path):
    frame = long_panel([30, 30])
    halves = [frame.iloc[:40], frame.iloc[40:]]  # s1 begins in the first file
    (tmp_path / "shards").mkdir()
    for number, half in enumerate(halves):
        half.to_csv(tmp_path / "shards" / f"{number}.csv", index=False)
    experiment = load_experiment(write_config(tmp_path, "shards"))
    with pytest.raises(DataError, match=r"series s1 is in both .*0\.csv and .*1\.csv"):
        prepare_workload(experiment)


def test_file_shares_cover_every_file_once_and_need_a_file_per_worker(tmp_path):
    files = [tmp_path / f"{n}.csv" for n in range(5)]
    shares = [FileShard(w, 3).own(files) for w in range(3)]
    assert shares == [[files[0], files[3]], [files[1], files[4]], [files[2]]]
    with pytest.raises(ConfigError, match="5 files for 6 workers"):
        FileShard(0, 6).own(files)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="holds no .csv or .parquet file"):
        data_files(tmp_path / "empty")


def test_a_folders_checksum_changes_with_any_data_file_and_ignores_markers(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.csv").write_text("timestamp,y\n")
    (folder / "b.csv").write_text("timestamp,y\n")
    first = data_sha256(folder)
    (folder / "_SUCCESS").write_text("done")
    assert data_sha256(folder) == first
    (folder / "b.csv").rename(folder / "c.csv")
    renamed = data_sha256(folder)
    assert renamed != first
    (folder / "c.csv").write_text("timestamp,y\n1,2\n")
    assert data_sha256(folder) not in {first, renamed}


def test_as_of_keeps_the_series_of_every_file_begun_by_then(tmp_path):
    """--as-of over a folder: a file whose series all begin later holds nothing yet; only
    none at all is an error."""
    from lstmcast.config.sections.data import DataSection
    from lstmcast.data.panel import load_panel

    early, late = long_panel([30, 30]), long_panel([30])
    late = late.assign(
        series_id="late", timestamp=pd.to_datetime(late["timestamp"]) + pd.DateOffset(years=3)
    )
    write_folder(tmp_path, pd.concat([early, late]), [["s0", "s1"], ["late"]])
    data = DataSection(path=tmp_path / "shards", target="y", series_id="series_id")
    panel = load_panel(data, as_of=pd.Timestamp("2020-06-01"))
    assert list(panel.series) == ["s0", "s1"]
    assert panel.series["s0"].timestamps[-1] == pd.Timestamp("2020-06-01")
    with pytest.raises(ConfigError, match="no file in .*shards has rows at or before it"):
        load_panel(data, as_of=pd.Timestamp("2010-01-01"))
