"""One method on one series in its own process: `python -m bench.accuracy.worker METHOD SERIES`.

A process per method keeps TensorFlow and PyTorch apart, gives each a fresh, comparable wall
time, and lets the peers run in their own environment. Writes JSON to --out.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.accuracy.suite import BY_NAME, load_task

PEER_METHODS = ("auto_ets", "auto_theta", "nf_lstm")
"""Methods that run in the peers' environment (.venv-bench)."""


def run(method: str, series: str, *, lookback: int, seed: int, overrides: list[str]) -> Any:
    if method == "lstmcast_ett":
        from bench.accuracy.ett import run_ett

        return run_ett(int(series), seed=seed, overrides=overrides)
    task = load_task(BY_NAME[series])
    info: dict[str, Any] = {"lookback": lookback}
    if method in ("auto_ets", "auto_theta"):
        from bench.accuracy.peers import forecast_statistical

        forecast = forecast_statistical(task, method)
    elif method == "nf_lstm":
        from bench.accuracy.peers import forecast_neuralforecast

        forecast = forecast_neuralforecast(task, lookback=lookback, seed=seed)
    elif method == "keras_lstm":
        from bench.accuracy.keras_lstm import forecast_keras_lstm

        forecast = forecast_keras_lstm(task, lookback=lookback, seed=seed)
    elif method == "lstmcast":
        from bench.accuracy.lstmcast_method import forecast_lstmcast

        forecast, info = forecast_lstmcast(task, seed=seed, overrides=overrides)
    elif method == "lstmcast_init":
        from bench.accuracy.lstmcast_method import forecast_lstmcast_init

        forecast, info = forecast_lstmcast_init(task, seed=seed, overrides=overrides)
    else:
        raise SystemExit(f"unknown method {method!r}")
    return {"forecast": forecast.tolist(), "info": info}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("method")
    parser.add_argument("series", help="a suite series name, or the horizon for lstmcast_ett")
    parser.add_argument("--lookback", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    result = run(
        args.method, args.series, lookback=args.lookback, seed=args.seed, overrides=args.overrides
    )
    result["worker_seconds"] = round(time.perf_counter() - started, 2)
    args.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
