"""Before/after table: lstmcast's relative MASE per series in several benchmark runs.

python -m bench.accuracy.compare bench/results/accuracy-{before,defaults}.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.accuracy.report import relative_mase
from bench.accuracy.scoring import geometric_mean


def compare(paths: list[Path]) -> str:
    runs = [json.loads(path.read_text()) for path in paths]
    series = list(dict.fromkeys(name for run in runs for name in run["suite"]))
    lines = [
        "| run | lstmcast settings changed | " + " | ".join(series) + " | geometric mean |",
        "|---|---|" + "---:|" * (len(series) + 1),
    ]
    for run in runs:
        ratios = [
            relative_mase(run["suite"][name], "lstmcast") if name in run["suite"] else None
            for name in series
        ]
        cells = ["-" if r is None else f"{r:.3f}" for r in ratios]
        complete = all(r is not None for r in ratios)
        mean = f"{geometric_mean(ratios):.3f}" if complete else "-"
        settings = " ".join(f"`{o}`" for o in run["overrides"]) or "(shipped defaults)"
        lines.append(f"| {run['label']} | {settings} | " + " | ".join(cells) + f" | {mean} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(compare([Path(arg) for arg in sys.argv[1:]]))
