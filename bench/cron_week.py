"""A week of hourly cron on the bundled Taylor series, compressed into one run: the README's
crontab lines as real subprocesses in a cron-like environment (env -i, stdin /dev/null).

Weeks 1-10 train the production run (promoted as runs/taylor/current). Then, for each hour of
week 11: the feed grows by two half-hours, `forecast --as-of HOUR --max-staleness 90min --log`
runs, and every morning at 06:00 `evaluate --history` scores the log. The feed stops for six
hours on day 3 (each forecast then must exit 8 and log nothing), and on day 4 a gated retrain
on the data so far is promoted only if it passes. Prints what happened and writes
bench/results/cron-week.md.

    make bench-cron-week            # about 12 minutes on 2 CPU cores
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
HOURS = 168
OUTAGE = range(50, 56)  # the feed stops updating after hour 49 for six hours
RETRAIN_AT = 80  # day 4, 08:00


def lstmcast(*args: object, cwd: Path) -> tuple[int, float, str, str]:
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(cwd)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "lstmcast", *map(str, args)],
        cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
    )  # fmt: skip
    return done.returncode, time.perf_counter() - started, done.stdout, done.stderr


def setup(root: Path, series: pd.DataFrame) -> None:
    """The production run, trained on weeks 1-10 and promoted."""
    series.iloc[: 10 * 336].to_csv(root / "history.csv", index=False)
    config = yaml.safe_load((REPO / "configs" / "taylor.yaml").read_text())
    config["data"]["path"] = "feed.csv"
    config["training"]["epochs"] = 6  # a week is about the cron, not the accuracy
    (root / "taylor.yaml").write_text(yaml.safe_dump(config))
    (root / "feed.csv").write_bytes((root / "history.csv").read_bytes())
    code, seconds, _, err = lstmcast(
        "train", "taylor.yaml", "--set", "output.run_dir=runs/taylor-week10", "-q", cwd=root
    )
    if code != 0:
        sys.exit(f"training the production run failed: {err}")
    print(f"trained the production run in {seconds:.0f}s", flush=True)
    code, _, _, err = lstmcast("promote", "runs/taylor-week10", "--as", "taylor", cwd=root)
    if code != 0:
        sys.exit(f"promote failed: {err}")


def main() -> None:
    series = pd.read_csv(REPO / "sample_data" / "taylor_halfhourly.csv")
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="cron-"))
    root.mkdir(parents=True, exist_ok=True)
    setup(root, series)
    start = 10 * 336  # the first row of week 11
    codes: collections.Counter[int] = collections.Counter()
    forecast_seconds, mornings, events = [], [], []
    fed_until = start
    for hour in range(HOURS):
        now = start + 2 * hour  # the row of this hour's origin
        if hour not in OUTAGE:
            fed_until = now + 1
        series.iloc[:fed_until].to_csv(root / "feed.csv", index=False)
        as_of = series["timestamp"].iloc[now]
        code, seconds, _, err = lstmcast(
            "--log-file", "cron.log", "forecast", "runs/taylor/current", "--input", "feed.csv",
            "--as-of", as_of, "--max-staleness", "90min", "--log", "forecasts.csv",
            "--output", "next.csv", "--quiet", cwd=root,
        )  # fmt: skip
        codes[code] += 1
        forecast_seconds.append(seconds)
        if code != 0:
            events.append(f"hour {hour} ({as_of}): exit {code}: {err.strip()[:140]}")
        if hour % 24 == 6:
            mornings.append(morning(root, hour))
        if hour == RETRAIN_AT:
            events.append(retrain(root, hour))
    report(root, codes, forecast_seconds, mornings, events)


def morning(root: Path, hour: int) -> dict:
    code, seconds, out, err = lstmcast(
        "evaluate", "runs/taylor/current", "--history", "forecasts.csv", "--actuals", "feed.csv",
        "--bucket", "day", "--json", cwd=root,
    )  # fmt: skip
    if code != 0:  # the first morning may have no actuals for a whole forecast yet
        return {"hour": hour, "exit": code, "error": err.strip()[:140]}
    live = json.loads(out)
    overall = live["overall"]
    return {
        "hour": hour, "exit": code, "seconds": round(seconds, 2),
        "scored": live["scored_steps"], "issued": live["issued_steps"],
        "mase": round(overall["mase"], 3),
        "seasonal_naive_mase": round(overall["seasonal_naive_mase"], 3),
        "naive_mae": round(overall["naive_mae"], 1), "mae": round(overall["mae"], 1),
        "live_over_test": round(overall["live_over_test"], 2),
        "drift": live["drift"]["verdict"],
    }  # fmt: skip


def retrain(root: Path, hour: int) -> str:
    run = f"runs/taylor-hour{hour}"
    code, seconds, _, err = lstmcast(
        "train", "taylor.yaml", "--set", f"output.run_dir={run}", "--gate", "--against",
        "runs/taylor/current", "--quiet", cwd=root,
    )  # fmt: skip
    verdict = json.loads((root / run / "gate.json").read_text())
    if code == 0:
        code_promote, _, _, _ = lstmcast("promote", run, "--as", "taylor", cwd=root)
        return (
            f"hour {hour}: gated retrain passed in {seconds:.0f}s ({verdict}); "
            f"promote exit {code_promote}"
        )
    return (
        f"hour {hour}: gated retrain refused, exit {code} in {seconds:.0f}s: {err.strip()[-160:]}"
    )


def report(
    root: Path, codes, seconds: list[float], mornings: list[dict], events: list[str]
) -> None:
    log = pd.read_csv(root / "forecasts.csv")
    lines = [
        "# A week of hourly cron on the Taylor series (bench/cron_week.py)",
        "",
        f"- {HOURS} hourly forecasts: exit codes {dict(sorted(codes.items()))}",
        f"- forecast wall time per call: median {pd.Series(seconds).median():.2f}s, "
        f"max {max(seconds):.2f}s",
        f"- forecast log: {len(log)} rows, {log['origin'].nunique()} forecasts, "
        f"runs {sorted(log['run_id'].unique())}",
        f"- promotions: {(root / 'runs' / 'taylor' / 'promotions.log').read_text().count(chr(10))}",
        "",
        "## Events",
        "",
        *[f"- {event}" for event in events],
        "",
        "## Every morning: evaluate --history",
        "",
        "| hour | exit | scored/issued | MAE | naive MAE | MASE | seasonal naive MASE "
        "| live/test | drift |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for m in mornings:
        if m["exit"] != 0:
            lines.append(f"| {m['hour']} | {m['exit']} | {m['error']} |||||||")
            continue
        lines.append(
            f"| {m['hour']} | 0 | {m['scored']}/{m['issued']} | {m['mae']} | {m['naive_mae']} | "
            f"{m['mase']} | {m['seasonal_naive_mase']} | {m['live_over_test']} | {m['drift']} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    (REPO / "bench" / "results" / "cron-week.md").write_text(text)


if __name__ == "__main__":
    main()
