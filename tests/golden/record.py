"""Golden results: every shipped config trained for one tiny epoch with its seed through the
real CLI, and what it produced (test metrics, interval half-widths, the forecast), so that a
refactoring can be shown to change none of it.

    python -m tests.golden.record            # write tests/golden/results.json
    python -m tests.golden.record --check    # compare against it (relative 1e-6)

Figures depend on the machine (its instruction sets and threads: README, "What varies between
machines"), so the file records where it was made and the check is for refactoring on one
machine, not for CI.
"""

from __future__ import annotations

import io
import json
import math
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from tests.helpers.configs import PANELS, SHIPPED, forecast_input, quick_settings
from tests.helpers.data import CONFIGS, REPO

RESULTS = Path(__file__).with_name("results.json")
TOLERANCE = 1e-6


def _cli(*args: object, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "lstmcast", *map(str, args)],
        cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"lstmcast {args[0]} {args[1]} exited {done.returncode}: {done.stderr}")
    return done.stdout


def record_one(name: str, work: Path) -> dict[str, Any]:
    config = yaml.safe_load((CONFIGS / f"{name}.yaml").read_text())
    run_dir = work / "runs" / name
    _cli("train", CONFIGS / f"{name}.yaml", *quick_settings(config, str(run_dir)), "-q", cwd=work)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    intervals = run_dir / "intervals.json"
    radius = json.loads(intervals.read_text())["radius"] if intervals.is_file() else None
    forecast_args = forecast_input(config, work)
    frame = pd.read_csv(io.StringIO(_cli("forecast", run_dir, *forecast_args, "-o", "-",
                                          cwd=work)))  # fmt: skip
    numeric = frame.select_dtypes("number").drop(columns=["step"])
    return {
        "metrics": _numbers(metrics),
        "radius": radius,
        "forecast": {column: numeric[column].tolist() for column in numeric},
    }


def _numbers(value: Any) -> Any:
    """Only the numbers of a nested result (and the keys that lead to them)."""
    if isinstance(value, dict):
        kept = {key: _numbers(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item is not None}
    if isinstance(value, list):
        numbers = [_numbers(item) for item in value]
        return numbers if any(item is not None for item in numbers) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def differences(expected: Any, found: Any, where: str = "") -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(found, dict):
            return [f"{where}: expected a mapping"]
        missing = [f"{where}.{key}: missing" for key in expected if key not in found]
        return missing + [
            problem
            for key in expected
            if key in found
            for problem in differences(expected[key], found[key], f"{where}.{key}")
        ]
    if isinstance(expected, list):
        if not isinstance(found, list) or len(found) != len(expected):
            return [f"{where}: expected {len(expected)} values"]
        return [
            p
            for i, (e, f) in enumerate(zip(expected, found, strict=True))
            for p in differences(e, f, f"{where}[{i}]")
        ]
    if expected is None or found is None:
        return [] if expected == found else [f"{where}: {expected} != {found}"]
    if math.isnan(expected) and math.isnan(found):
        return []
    if not math.isclose(expected, found, rel_tol=TOLERANCE, abs_tol=1e-9):
        return [f"{where}: {expected} != {found}"]
    return []


def main() -> None:
    check = "--check" in sys.argv
    names = [name for name in sys.argv[1:] if not name.startswith("--")] or [*SHIPPED, *PANELS]
    found = {}
    with tempfile.TemporaryDirectory(prefix="lstmcast-golden-") as folder:
        for name in names:
            print(f"{name} ...", file=sys.stderr, flush=True)
            found[name] = record_one(name, Path(folder))
    if not check:
        document = {"machine": f"{platform.machine()} {platform.processor()}", "configs": found}
        RESULTS.write_text(json.dumps(document, indent=1) + "\n")
        print(f"wrote {RESULTS.relative_to(REPO)}", file=sys.stderr)
        return
    expected = json.loads(RESULTS.read_text())["configs"]
    problems = [p for name in found for p in differences(expected[name], found[name], name)]
    print("\n".join(problems[:40]) or f"identical: {', '.join(found)}")
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
