"""Run the accuracy benchmark: every method on every series, then ETTh1-S; print Markdown.

    python -m bench.accuracy                      # everything (make bench-accuracy)
    python -m bench.accuracy --series air_passengers,co2 --methods lstmcast --ett none
    python -m bench.accuracy --set training.loss=mse --label mse --reuse bench/results/x.json

Each method runs in its own process (the peers in .venv-bench); results go to
bench/results/accuracy-<label>.json and .md, progress to stderr, the Markdown to stdout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.accuracy import report
from bench.accuracy.baselines import baseline
from bench.accuracy.ett import HORIZONS
from bench.accuracy.scoring import score, seasonal_naive_scale
from bench.accuracy.suite import EXTRA, REPO, SUITE, load_task
from bench.accuracy.worker import PEER_METHODS
from lstmcast.data.windows import default_lookback

METHODS = (
    "naive",
    "seasonal_naive",
    "auto_ets",
    "auto_theta",
    "keras_lstm",
    "nf_lstm",
    "lstmcast",
    "lstmcast_init",
)
PEERS_PYTHON = REPO / ".venv-bench" / "bin" / "python"


def run_worker(method: str, series: str, args: argparse.Namespace, lookback: int = 0) -> Any:
    python = PEERS_PYTHON if method in PEER_METHODS else Path(sys.executable)
    if not python.exists():
        return {"skipped": f"{python} missing: run `make bench-peers` first"}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        command = [str(python), "-m", "bench.accuracy.worker", method, series, "--out", str(out)]
        command += ["--lookback", str(lookback), "--seed", str(args.seed)]
        command += [arg for override in args.overrides for arg in ("--set", override)]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            tail = done.stderr.strip().splitlines()[-3:]
            return {"failed": f"exit {done.returncode}: {' | '.join(tail)}"}
        result = json.loads(out.read_text())
    result["seconds"] = round(seconds, 1)
    return result


def run_suite(args: argparse.Namespace, reused: dict[str, Any], results: dict[str, Any]) -> None:
    """Fill results["suite"], saving after every method so a stopped run keeps what it did."""
    for spec in (*SUITE, *EXTRA):
        if spec.name not in args.series:
            continue
        task = load_task(spec)
        lookback = default_lookback(spec.horizon, spec.season_length)
        actual = task.actuals()
        scale = seasonal_naive_scale(task.values[: task.history_end], spec.season_length)
        entry: dict[str, Any] = {"spec": spec.__dict__, "lookback": lookback, "methods": {}}
        results["suite"][spec.name] = entry
        for method in args.methods:
            old = reused.get(spec.name, {}).get("methods", {}).get(method)
            ours = ("naive", "seasonal_naive", "lstmcast", "lstmcast_init")
            if old is not None and method not in ours:
                entry["methods"][method] = {**old, "reused": True}
                continue
            _progress(f"{spec.name}: {method} ...")
            if method in ("naive", "seasonal_naive"):
                outcome: dict[str, Any] = {"forecast": baseline(task, method), "seconds": 0.0}
            else:
                outcome = run_worker(method, spec.name, args, lookback)
            if "forecast" in outcome:
                forecast = np.asarray(outcome.pop("forecast"), dtype="float64")
                outcome["scores"] = score(actual, forecast, scale=scale)
                _progress(
                    f"{spec.name}: {method} MASE {outcome['scores']['mase']:.3f} "
                    f"in {outcome['seconds']} s"
                )
            else:
                _progress(f"{spec.name}: {method} {outcome}")
            entry["methods"][method] = outcome
            save(results)


def run_ett(args: argparse.Namespace, results: dict[str, Any]) -> None:
    for horizon in args.ett:
        _progress(f"ETTh1-S H={horizon} ...")
        outcome = run_worker("lstmcast_ett", str(horizon), args)
        _progress(f"ETTh1-S H={horizon}: {outcome.get('scores', outcome)}")
        results["ett"][str(horizon)] = outcome
        save(results)


def save(results: dict[str, Any]) -> Path:
    """Write the results JSON and Markdown as they stand; returns the Markdown's path."""
    folder = REPO / "bench" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"accuracy-{results['label']}"
    stem.with_suffix(".json").write_text(json.dumps(results, indent=1))
    stem.with_suffix(".md").write_text(report.markdown(results))
    return stem.with_suffix(".md")


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _names(text: str, known: tuple[str, ...], option: str) -> list[str]:
    names = [name for name in text.split(",") if name] if text != "all" else list(known)
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise SystemExit(f"{option}: unknown {unknown}; choose from {', '.join(known)}")
    return names


def _series(text: str) -> list[str]:
    """'all': the suite the defaults were chosen on; 'extra': the series added to check they
    generalise (held-out ones among them); or names from either."""
    groups = {"all": SUITE, "extra": EXTRA}
    if text in groups:
        return [spec.name for spec in groups[text]]
    return _names(text, tuple(spec.name for spec in (*SUITE, *EXTRA)), "--series")


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.accuracy",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--series", default="all", help="comma-separated suite series")
    parser.add_argument("--methods", default="all", help="comma-separated methods")
    parser.add_argument("--ett", default="all", help="ETTh1-S horizons, or 'none'")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change one lstmcast default for this run (repeatable), to measure a candidate",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label", default="defaults", help="names the results files")
    parser.add_argument(
        "--reuse", type=Path, help="an earlier results JSON whose peer and Keras results to keep"
    )
    args = parser.parse_args()
    args.series = _series(args.series)
    args.methods = _names(args.methods, METHODS, "--methods")
    args.ett = (
        []
        if args.ett == "none"
        else [int(h) for h in _names(args.ett, tuple(str(h) for h in HORIZONS), "--ett")]
    )
    reused = json.loads(args.reuse.read_text())["suite"] if args.reuse else {}

    started = time.perf_counter()
    results: dict[str, Any] = {
        "label": args.label,
        "overrides": args.overrides,
        "seed": args.seed,
        "complete": False,
        "seconds": 0.0,
        "suite": {},
        "ett": {},
    }
    run_suite(args, reused, results)
    run_ett(args, results)
    results["complete"] = True
    results["seconds"] = round(time.perf_counter() - started, 1)
    markdown = save(results)
    sys.stdout.write(markdown.read_text())
    _progress(f"wrote {markdown.relative_to(REPO)} and .json")


if __name__ == "__main__":
    main()
