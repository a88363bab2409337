"""`validate`, one series or many: read and check the config and its data as `train` would,
lay out the splits and windows, and say what it found; nothing is trained and TensorFlow is
never imported."""

from __future__ import annotations

from typing import Any

from lstmcast.config.load import load_experiment
from lstmcast.data.calendar import calendar_columns
from lstmcast.data.frequency import format_timestamp
from lstmcast.data.prepare import timeline_of
from lstmcast.data.workload import Workload, prepare_workload


def validate_config(config: Any, overrides: list[str]) -> dict[str, Any]:
    """The facts `validate` reports, as a JSON-ready dict; many series add how many there are,
    which were left out and why, and the calendar cut-offs every series shares."""
    workload = prepare_workload(load_experiment(config, overrides))
    experiment, frequency = workload.experiment, workload.panel.frequency
    series = [workload.panel.series[sid] for sid in workload.ids]
    facts = {
        "valid": True,
        "data": str(experiment.data.path),
        "rows": sum(s.num_rows for s in series),
        "columns": series[0].columns,
        "frequency": frequency,
        "steps": timeline_of(experiment.data, frequency).describe(),
        "season_length": workload.season_length,
        "lookback": experiment.windows.lookback,
        "horizon": experiment.windows.horizon,
        "known_columns": [*experiment.data.known, *calendar_columns(experiment.data.calendar)],
        "architecture": experiment.model.architecture,
        "cudnn_blockers": experiment.model.cudnn_blockers(),
        "splits": _splits(workload),
        "run_dir": str(experiment.run_dir),
        "warnings": workload.warnings,
    }
    if workload.keyed:
        facts |= {
            "series": len(workload.ids),
            "skipped": workload.layout.skipped,
            "static": workload.static,
            "validation_starts": format_timestamp(workload.cut_offs[0], frequency),
            "test_starts": format_timestamp(workload.cut_offs[1], frequency),
        }
    return facts


def _splits(workload: Workload) -> dict[str, dict[str, Any]]:
    """Each split's rows (summed over the series), its first and last timestamp (of any
    series) and its windows."""
    series = [workload.panel.series[sid] for sid in workload.ids]
    frequency = workload.panel.frequency
    splits = {}
    for name, starts in workload.starts.items():
        rows = [(s, b.rows(name)) for s, b in zip(series, workload.layout.bounds, strict=True)]
        present = [(s, first, end) for s, (first, end) in rows if end > first]
        first = min(s.timestamps[first] for s, first, _ in present)
        last = max(s.timestamps[end - 1] for s, _, end in present)
        splits[name] = {
            "rows": sum(end - first for _, first, end in present),
            "first": format_timestamp(first, frequency),
            "last": format_timestamp(last, frequency),
            "windows": len(starts),
        }
    return splits
