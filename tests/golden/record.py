"""Golden results: every shipped config trained for one tiny epoch with its seed through the
real CLI, and what it produced (test metrics, interval half-widths, the forecast), so that a
refactoring can be shown to change none of it.

    python -m tests.golden.record            # write tests/golden/results.json
    python -m tests.golden.record NAME ...   # record (or replace) those configs only
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
        "backtest": _backtest(run_dir, work),
        "refit": _refit(name, config, run_dir, work),
    }


def _refit(name: str, config: dict, run_dir: Path, work: Path) -> dict[str, Any]:
    settings = quick_settings(config, str(run_dir))
    return _backtest(CONFIGS / f"{name}.yaml", work, *settings, *REFIT)


REFIT = ("--set", "backtest.refit_every=1", "--set", "backtest.folds=2",
         "--set", "backtest.spacing=2")  # fmt: skip
"""Two refits of one tiny epoch, two origins each."""


def _backtest(target: Path, work: Path, *settings: str) -> dict[str, Any]:
    """A backtest's metrics and every number of its forecasts file."""
    output = work / "backtest"
    _cli("backtest", target, *settings, "--output", output, "-q", cwd=work)
    frame = pd.read_csv(output / "forecasts.csv")
    numeric = frame.select_dtypes("number")
    return {
        "metrics": _numbers(json.loads((output / "metrics.json").read_text())),
        "forecasts": {column: digest(numeric[column].tolist()) for column in numeric},
    }


def _compact(document: dict[str, Any]) -> str:
    """One line a config, so that a re-recorded config is a one-line change."""
    lines = [f" {json.dumps(name)}: {json.dumps(entry, separators=(',', ':'))}"
             for name, entry in document["configs"].items()]  # fmt: skip
    return (
        f'{{"machine": {json.dumps(document["machine"])}, "configs": {{\n'
        + ",\n".join(lines)
        + "\n}}\n"
    )


def digest(values: list[float]) -> dict[str, Any]:
    """A long column in brief: its length, sum, sum of magnitudes, first and last values (a
    changed value changes the sum of magnitudes beyond 1e-6 unless it is a rounding)."""
    finite = [v for v in values if math.isfinite(v)]
    return {
        "rows": len(values),
        "sum": math.fsum(finite),
        "sum_abs": math.fsum(abs(v) for v in finite),
        "head": values[:6],
        "tail": values[-6:],
    }


def _numbers(value: Any) -> Any:
    """Only the numbers of a nested result (and the keys that lead to them)."""
    if isinstance(value, dict):
        kept = {key: _numbers(item) for key, item in value.items() if "second" not in key}
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
    if not check:  # named configs replace their own entries only
        kept = json.loads(RESULTS.read_text())["configs"] if RESULTS.is_file() else {}
        configs = {**kept, **found} if sys.argv[1:] else found
        document = {"machine": f"{platform.machine()} {platform.processor()}", "configs": configs}
        RESULTS.write_text(_compact(document))
        print(f"wrote {RESULTS.relative_to(REPO)}", file=sys.stderr)
        return
    expected = json.loads(RESULTS.read_text())["configs"]
    problems = [p for name in found for p in differences(expected[name], found[name], name)]
    print("\n".join(problems[:40]) or f"identical: {', '.join(found)}")
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
