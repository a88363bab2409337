"""The peer methods of bench/panel_accuracy.py, run in the peers' environment (.venv-bench):

    .venv-bench/bin/python bench/panel_peers.py TRAIN.csv SPEC_JSON > forecasts.json

SPEC: target, horizon, season, freq, methods (auto_ets, auto_theta, seasonal_naive, nhits),
seed. Each method fits on every series' rows of TRAIN.csv and forecasts the horizon after
them; its wall seconds (fit + forecast, one process, one job) are timed alone. NHITS is one
global model at NeuralForecast's defaults with per-series standard scaling and early stopping
on the last horizon of each series (input_size twice the horizon, as its examples write it;
series shorter than that padded at their start, as the library offers).
Imports nothing of lstmcast, which it never runs beside."""

from __future__ import annotations

import json
import sys
import time

import pandas as pd


def statistical(train: pd.DataFrame, spec: dict, method: str) -> pd.DataFrame:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta, SeasonalNaive

    model = {"auto_ets": AutoETS, "auto_theta": AutoTheta, "seasonal_naive": SeasonalNaive}[method](
        season_length=spec["season"]
    )
    engine = StatsForecast(models=[model], freq=spec["freq"], n_jobs=1)
    forecast = engine.forecast(df=train, h=spec["horizon"]).reset_index()
    column = next(c for c in forecast.columns if c not in {"unique_id", "ds", "index"})
    return forecast.rename(columns={column: "y_hat"})[["unique_id", "ds", "y_hat"]]


def nhits(train: pd.DataFrame, spec: dict) -> pd.DataFrame:
    import logging

    from neuralforecast import NeuralForecast
    from neuralforecast.models import NHITS

    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    horizon = spec["horizon"]
    model = NHITS(
        h=horizon, input_size=2 * horizon, scaler_type="standard", early_stop_patience_steps=5,
        start_padding_enabled=True, random_seed=spec["seed"], enable_progress_bar=False,
        logger=False,
        enable_model_summary=False,
    )  # fmt: skip
    engine = NeuralForecast(models=[model], freq=spec["freq"])
    engine.fit(df=train, val_size=horizon)
    forecast = engine.predict().reset_index()
    return forecast.rename(columns={"NHITS": "y_hat"})[["unique_id", "ds", "y_hat"]]


def main() -> None:
    frame, spec = pd.read_csv(sys.argv[1]), json.loads(sys.argv[2])
    train = frame.rename(columns={"series_id": "unique_id", spec["target"]: "y"})
    train["ds"] = pd.to_datetime(train["timestamp"])
    train = train[["unique_id", "ds", "y"]]
    found = {}
    for method in spec["methods"]:
        started = time.perf_counter()
        forecast = nhits(train, spec) if method == "nhits" else statistical(train, spec, method)
        seconds = time.perf_counter() - started
        forecast["ds"] = forecast["ds"].dt.strftime("%Y-%m-%d")
        found[method] = {"seconds": seconds, "forecast": forecast.to_dict(orient="list")}
    json.dump(found, sys.stdout)


if __name__ == "__main__":
    main()
