"""The forecast log: whole forecasts only, from any number of writers, and a torn tail cut."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pandas as pd
import pytest

from lstmcast.data.forecast_log import append_log, log_rows, read_log
from lstmcast.errors import ConfigError


def rows(origin: int, steps: int = 24) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"timestamp": [f"t{origin + s}" for s in range(1, steps + 1)],
         "step": range(1, steps + 1), "load": [float(origin)] * steps}
    )  # fmt: skip
    return log_rows(frame, target="load", run_id="run-1", origin=f"o{origin}")


def _append(path: str, origin: int) -> None:
    for repeat in range(20):
        append_log(Path(path), rows(origin * 100 + repeat), tell=print)


def test_many_writers_at_once_leave_whole_forecasts_and_one_header(tmp_path):
    path = tmp_path / "log.csv"
    context = multiprocessing.get_context("spawn")  # no fork of a threaded test worker
    writers = [context.Process(target=_append, args=(str(path), w)) for w in range(4)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
        assert writer.exitcode == 0, "a writer did not finish"
    log = read_log(path)
    assert path.read_text().count("issued_at") == 1
    assert len(log) == 4 * 20 * 24
    for _, forecast in log.groupby("origin"):  # no forecast torn apart by another
        assert forecast["step"].tolist() == list(range(1, 25))
        assert forecast.index.to_series().diff().dropna().eq(1).all()


def test_a_half_written_tail_is_cut_before_the_next_append(tmp_path):
    path = tmp_path / "log.csv"
    append_log(path, rows(1), tell=print)
    with path.open("a") as stream:
        stream.write("2026-01-01T00:00:00+00:00,run-1,load,o9,t1")  # killed mid-line
    assert len(read_log(path)) == 24  # the reader ignores it...
    said = []
    append_log(path, rows(2), tell=said.append)  # ...and the next writer cuts it off
    assert len(read_log(path)) == 48 and "half-written line" in said[0]


def test_a_log_with_other_columns_is_refused(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("issued_at,run_id,target,origin,timestamp,step,forecast,lower_80\n")
    with pytest.raises(ConfigError, match="log it to another file"):
        append_log(path, rows(1), tell=print)
