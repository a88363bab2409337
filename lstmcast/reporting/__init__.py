"""`report`: one self-contained HTML page about a run, for a mail or a shared drive.

Everything is computed from the run folder as the other commands do (evaluate, a train-once
backtest, forecast: contents.py) and drawn with the plotting extra (drawings.py); images are
embedded as data URIs, the style is inline, and there is no script, so the file reads
anywhere, offline, as it is. One series and many get the same sections (sections.py); many
also the spread over series, the worst of them and every series' scores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lstmcast import files
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
    page, notes = _page(run)
    files.write_text_atomic(path, page)
    if tell is not None:
        tell(f"report -> {path}")
    return Report(page, path, notes)


def _page(run: Run) -> tuple[str, list[str]]:
    """(the page, notes)."""
    import tempfile

    from lstmcast.reporting.contents import gather
    from lstmcast.reporting.drawings import draw
    from lstmcast.reporting.sections import run_page

    contents = gather(run)
    with tempfile.TemporaryDirectory() as folder:
        images = draw(contents, Path(folder))
    return run_page(contents, images), contents.notes
