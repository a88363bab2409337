"""`report`: one self-contained HTML page about a run, for a mail or a shared drive.

Everything is computed from the run folder as the other commands do (evaluate, a train-once
backtest, forecast) and drawn with the plotting extra; images are embedded as data URIs, the
style is inline, and there is no script, so the file reads anywhere, offline, as it is.
"""

from __future__ import annotations

import base64
import html
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from lstmcast import artifacts
from lstmcast.artifacts import Run
from lstmcast.data.prepare import PreparedData, prepare_data, timeline_of
from lstmcast.errors import ConfigError
from lstmcast.evaluation import figures
from lstmcast.evaluation.backtest import Backtest, backtest_run
from lstmcast.evaluation.evaluate import Evaluation, evaluate_model
from lstmcast.evaluation.intervals import ConformalIntervals
from lstmcast.evaluation.metrics import LABELS
from lstmcast.forecasting import Forecast, forecast_run

STYLE = """
body{font:15px/1.45 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#1d2330;
margin:0;background:#f4f5f7}
main{max-width:980px;margin:0 auto;padding:24px 28px 48px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:36px 0 8px;border-bottom:1px solid
#e3e5ea;padding-bottom:4px}p.sub{color:#5b6472;margin:0 0 18px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:18px 0}
.card{flex:1 1 180px;border:1px solid #e3e5ea;border-radius:6px;padding:10px 14px}
.card b{display:block;font-size:21px}.card span{color:#5b6472;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin:8px 0 4px}
th,td{padding:4px 10px;border-bottom:1px solid #eceef2;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f7f8fa;font-weight:600}
td.best{font-weight:700}img{max-width:100%;display:block;margin:8px 0}
summary{cursor:pointer;color:#1f5fa8;font-size:13px;margin:4px 0}
pre{background:#f7f8fa;border:1px solid #e3e5ea;padding:10px;font-size:12px;overflow:auto}
.note{color:#5b6472;font-size:13px}
"""


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
    data = prepare_data(run.experiment, scaler=run.scaler)
    intervals = ConformalIntervals.of_run(run)
    model = run.load_model()  # once, for the evaluation, the backtest and the forecast
    evaluation = evaluate_model(model, data, intervals)
    notes: list[str] = intervals.warnings() if intervals is not None else []
    try:
        backtest: Backtest | None = backtest_run(
            run, run.experiment.backtest, data=data, model=model
        )
    except ConfigError as error:
        backtest = None
        notes.append(f"no backtest: {error}")
    forecast = forecast_run(run, model=model) if not run.experiment.data.known else None
    if forecast is None:
        notes.append(
            "no latest forecast: the model reads known-future columns, which only a "
            "forecast --input with future rows provides"
        )
    with tempfile.TemporaryDirectory() as folder:
        images = _draw(run, data, evaluation, backtest, forecast, Path(folder))
        page = _page(run, data, evaluation, backtest, forecast, images, notes)
    artifacts.write_text_atomic(path, page)
    if tell is not None:
        tell(f"report -> {path}")
    return Report(page, path, notes)


def _draw(
    run: Run,
    data: PreparedData,
    evaluation: Evaluation,
    backtest: Backtest | None,
    forecast: Forecast | None,
    folder: Path,
) -> dict[str, str]:
    """name -> PNG as a data URI."""
    from lstmcast.plots import plot_history

    series = pd.Series(
        data.series.values[:, 0], index=data.series.timestamps, name=data.series.target
    )
    if data.series.frequency == "none":
        series = series.reset_index(drop=True)
    drawn = {"splits": folder / "splits.png", "steps": folder / "steps.png"}
    figures.plot_splits(series, data.bounds, drawn["splits"])
    figures.plot_error_by_step(
        evaluation.per_step, drawn["steps"], title="MASE per horizon step on the test part"
    )
    history_file = run.run_dir / artifacts.HISTORY_FILE
    if history_file.is_file():
        drawn["loss"] = folder / "loss.png"
        history = pd.read_csv(history_file).drop(columns="epoch")
        plot_history({name: history[name].tolist() for name in history}, drawn["loss"])
    if backtest is not None:
        drawn["backtest"] = folder / "backtest.png"
        figures.plot_backtest(backtest, drawn["backtest"])
    if forecast is not None:
        drawn["forecast"] = folder / "forecast.png"
        recent = max(3 * data.season_length, 4 * len(forecast.frame), 48)
        title = f"the next {len(forecast.frame)} steps after {forecast.origin}"
        figures.plot_forecast(
            series.iloc[-recent:],
            forecast.frame,
            drawn["forecast"],
            target=data.series.target,
            title=title,
        )
    return {name: _data_uri(path) for name, path in drawn.items()}


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _page(
    run: Run,
    data: PreparedData,
    evaluation: Evaluation,
    backtest: Backtest | None,
    forecast: Forecast | None,
    images: dict[str, str],
    notes: list[str],
) -> str:
    experiment, label = run.experiment, evaluation.model
    sections = [
        f"<h1>{_e(run.run_dir.name)}: {_e(data.series.target)}</h1>",
        f"<p class=sub>{_e(experiment.model.architecture)}; trained "
        f"{_e(str(run.manifest.get('created', '?')))} on {_e(str(run.manifest.get('device')))}"
        f"</p>",
        _cards(evaluation, backtest, forecast),
        *(f"<p class=note>{_e(note)}</p>" for note in notes),
    ]
    if forecast is not None:
        sections += [
            "<h2>Latest forecast</h2>",
            _img(images, "forecast", "forecast with its interval bands after recent history"),
            _frame_table(forecast.frame),
        ]
    sections += [
        "<h2>Test metrics beside the baselines</h2>",
        f"<p class=note>{evaluation.num_windows} test windows x {evaluation.horizon} steps, "
        f"origins {_e(evaluation.first_origin)} .. {_e(evaluation.last_origin)}. MASE scale: "
        f"seasonal-naive MAE on the training part, m = {evaluation.season_length}. Best in "
        "bold.</p>",
        _methods_table(evaluation.overall),
        _img(images, "steps", "MASE per horizon step"),
        _intervals_table(evaluation.intervals, "Prediction intervals on the test part"),
    ]
    if backtest is not None:
        sections += [
            "<h2>Backtest</h2>",
            f"<p class=note>{_e(backtest.mode)}: {len(backtest.folds)} folds, "
            f"{backtest.windows} origins x {backtest.horizon} steps; skill vs seasonal naive "
            f"{backtest.skill:+.1%}.</p>",
            _img(images, "backtest", "backtest: actuals, one-step forecasts, MASE per fold"),
            _methods_table(backtest.overall),
            _fold_table(backtest, label),
            _intervals_table(backtest.intervals, "Prediction intervals over the backtest"),
        ]
    sections += ["<h2>Training</h2>", _img(images, "loss", "loss per epoch")]
    sections += ["<h2>Data</h2>", _data_table(run, data), _img(images, "splits", "splits")]
    config = yaml.safe_dump(experiment.model_dump(mode="json"), sort_keys=False)
    sections += [
        "<h2>Config</h2>",
        f"<details><summary>the resolved config, every key ({config.count(chr(10))} lines)"
        f"</summary><pre>{_e(config)}</pre></details>",
    ]
    body = "\n".join(sections)
    return (
        "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
        f"<title>lstmcast report: {_e(run.run_dir.name)}</title>\n<style>{STYLE}</style>\n"
        f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _cards(evaluation: Evaluation, backtest: Backtest | None, forecast: Forecast | None) -> str:
    label = evaluation.model
    cards = [
        (f"{evaluation.overall[label]['mase']:.3f}", f"test MASE ({label})"),
        (f"{evaluation.overall['seasonal_naive']['mase']:.3f}", "test MASE, seasonal naive"),
        (f"{evaluation.skill:+.1%}", "skill vs seasonal naive"),
    ]
    if backtest is not None:
        for level, scores in backtest.intervals.items():
            if math.isfinite(scores["width"]):
                cards.append((f"{scores['coverage']:.0f}%", f"{level}% band coverage, backtest"))
    if forecast is not None:
        cards.append((_e(forecast.origin), "latest origin"))
    return (
        "<div class=cards>"
        + "".join(
            f"<div class=card><b>{value}</b><span>{_e(text)}</span></div>" for value, text in cards
        )
        + "</div>"
    )


def _methods_table(overall: dict[str, dict[str, float]]) -> str:
    metrics = LABELS
    best = {
        metric: min(values[metric] for values in overall.values())
        for metric in metrics
        if metric != "bias"
    }
    head = "".join(f"<th>{name}</th>" for name in metrics.values())
    rows = []
    for method, values in overall.items():
        cells = "".join(
            f"<td{' class=best' if values[m] == best.get(m) else ''}>{_num(values[m])}</td>"
            for m in metrics
        )
        rows.append(f"<tr><td>{_e(method)}</td>{cells}</tr>")
    return f"<table><tr><th>method</th>{head}</tr>{''.join(rows)}</table>"


def _intervals_table(intervals: dict[str, dict[str, Any]], title: str) -> str:
    if not intervals:
        return ""
    rows = "".join(
        f"<tr><td>{level}%</td><td>{_num(s['coverage'])}</td><td>{_num(s['width'])}</td>"
        f"<td>{_num(s['pinball'])}</td><td>{_num(s['winkler'])}</td></tr>"
        for level, s in intervals.items()
    )
    return (
        f"<p class=note>{_e(title)}: coverage should be close to the level.</p><table><tr>"
        "<th>level</th><th>coverage %</th><th>mean width</th><th>pinball</th>"
        f"<th>Winkler</th></tr>{rows}</table>"
    )


def _fold_table(backtest: Backtest, label: str) -> str:
    levels = list(backtest.intervals)
    head = "".join(f"<th>{level}% coverage</th>" for level in levels)
    rows = "".join(
        f"<tr><td>{fold['fold']}</td><td>{_e(fold['first_origin'])}</td><td>{fold['origins']}"
        f"</td><td>{_num(fold['overall'][label]['mase'])}</td>"
        f"<td>{_num(fold['overall']['seasonal_naive']['mase'])}</td>"
        + "".join(f"<td>{_num(fold['intervals'][level]['coverage'])}</td>" for level in levels)
        + "</tr>"
        for fold in backtest.folds
    )
    return (
        f"<table><tr><th>fold</th><th>first origin</th><th>origins</th><th>MASE {label}</th>"
        f"<th>MASE seasonal naive</th>{head}</tr>{rows}</table>"
    )


def _frame_table(frame: pd.DataFrame, shown: int = 12) -> str:
    """The first `shown` rows; all of them behind a <details> (no script) when longer."""
    head = "".join(f"<th>{_e(name)}</th>" for name in frame.columns)
    rows = [
        "<tr>" + "".join(f"<td>{_num(value)}</td>" for value in row) + "</tr>"
        for row in frame.itertuples(index=False)
    ]
    table = f"<table><tr>{head}</tr>{''.join(rows[:shown])}</table>"
    if len(rows) <= shown:
        return table
    return (
        f"{table}<details><summary>all {len(rows)} steps</summary><table><tr>{head}</tr>"
        f"{''.join(rows)}</table></details>"
    )


def _data_table(run: Run, data: PreparedData) -> str:
    series = data.series
    stamps = series.timestamps
    facts = [
        ("file", str(run.experiment.data.path)),
        ("rows", f"{series.num_rows:,}"),
        ("from .. to", f"{stamps[0]} .. {stamps[-1]}"),
        ("steps", timeline_of(run.experiment.data, series.frequency).describe()),
        ("columns", ", ".join(series.columns)),
        ("season length", str(data.season_length)),
        (
            "lookback, horizon",
            f"{run.experiment.windows.lookback}, {run.experiment.windows.horizon}",
        ),
    ]
    for name in ("train", "validation", "test"):
        first, end = data.bounds.rows(name)
        facts.append((f"{name} rows", f"{end - first:,} ({stamps[first]} .. {stamps[end - 1]})"))
    rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in facts)
    return f"<table>{rows}</table>"


def _img(images: dict[str, str], name: str, alt: str) -> str:
    if name not in images:
        return "<p class=note>(not available for this run)</p>"
    return f'<img src="{images[name]}" alt="{_e(alt)}">'


def _num(value: Any) -> str:
    """Integers as they are, other numbers to four significant digits (one decimal from 100
    on), infinite bounds as 'unbounded'."""
    if isinstance(value, str):
        return _e(value)
    if isinstance(value, int | np.integer):
        return str(value)
    if value is None or value != value:
        return "-"
    number = float(value)
    if math.isinf(number):
        return "unbounded"
    return f"{number:,.1f}" if abs(number) >= 100 else f"{number:.4g}"


def _e(text: str) -> str:
    return html.escape(text, quote=True)
