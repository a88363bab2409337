"""`report`: one self-contained HTML page about a run, for a mail or a shared drive.

Everything is computed from the run folder as the other commands do (evaluate, a train-once
backtest, forecast) and drawn with the plotting extra; images are embedded as data URIs, the
style is inline, and there is no script, so the file reads anywhere, offline, as it is. A
many-series run gets its own page (panel.py): the spread over series, the worst of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lstmcast import artifacts
from lstmcast.artifacts import Run
from lstmcast.errors import ConfigError


@dataclass(frozen=True)
class Report:
    html: str
    path: Path
    notes: list[str]


def write_report(
    run: Run, *, output: Path | None = None, tell: Callable[[str], None] | None = None
) -> Report:
    """Evaluate, backtest (train once) and forecast the run, draw it, write one HTML file."""
    from lstmcast.plots import plotting_available

    if not plotting_available():
        raise ConfigError(
            "report draws its figures with matplotlib; install the plotting extra: "
            "pip install 'lstmcast[plot]'"
        )
    path = output or run.run_dir / "report.html"
    if not path.parent.is_dir():
        raise ConfigError(f"--output: folder {path.parent} does not exist")
    from lstmcast.runtime import select_device

    select_device(run.experiment.training.device)  # TensorFlow starts quietly, on that device
    if run.is_panel:
        from lstmcast.reporting.panel import panel_page

        page, notes = panel_page(run)
    else:
        from lstmcast.reporting.single import single_page

        page, notes = single_page(run)
    artifacts.write_text_atomic(path, page)
    if tell is not None:
        tell(f"report -> {path}")
    return Report(page, path, notes)
