"""The two ways tests run commands, written once: in this process through Typer's runner (for
behaviour), and a tiny trained run folder made by the real program (for what reads one)."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from lstmcast.cli import app
from tests.helpers.data import synthetic_frame, tiny_experiment
from tests.helpers.program import minimal

_runner = CliRunner()


def invoke(*args: object):
    """`lstmcast ARGS` in this process; the result has exit_code, output, stdout, stderr."""
    return _runner.invoke(app, [str(arg) for arg in args])


def tiny_run(root: Path, name: str = "tiny", *, rows: int = 240, **sections: dict) -> Path:
    """Train conftest's tiny experiment (an hourly synthetic series under `root`, `sections`
    merged into the config) with the real program, as cron would; the run folder."""
    csv = root / f"{name}.csv"
    synthetic_frame(rows=rows).to_csv(csv, index=False)
    run_dir = root / "runs" / name
    (root / f"{name}.yaml").write_text(yaml.safe_dump(tiny_experiment(csv, run_dir, **sections)))
    result = minimal("train", f"{name}.yaml", "-q", cwd=root)
    assert result.returncode == 0, result.stderr
    return run_dir
