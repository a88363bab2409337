"""The report of a many-series run: how the one model fares across the series (mean and
median MASE, the spread of each series against seasonal naive, band coverage pooled and at
its worst), the series it does worst on with their latest forecasts, the backtest, every
series in one table, training and data."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmcast import artifacts
from lstmcast.artifacts import Run
from lstmcast.errors import ConfigError
from lstmcast.evaluation import figures
from lstmcast.evaluation.evaluate import evaluate_workload
from lstmcast.evaluation.intervals import ConformalIntervals
from lstmcast.panels.backtest import PanelBacktest, backtest_panel
from lstmcast.panels.prepare import PanelData, prepare_panel
from lstmcast.reporting.page import (
    card_row,
    data_uri,
    document,
    escape,
    facts_table,
    frame_table,
    heading,
    img,
    number,
)
from lstmcast.text import count_of
from lstmcast.workflows.forecast import forecast as forecast_workflow

SHOWN_WORST = 3


def panel_page(run: Run) -> tuple[str, list[str]]:
    """(the page, notes): evaluate every series, backtest them, forecast them, drawn."""
    data = prepare_panel(run.experiment)
    intervals = ConformalIntervals.of_run(run)
    model = run.load_model()  # once, for the evaluation, the backtest and the forecast
    evaluation = evaluate_workload(model, [data], intervals).to_dict()
    notes: list[str] = intervals.warnings() if intervals is not None else []
    if data.layout.skipped:
        skipped = len(data.layout.skipped)
        are = "is" if skipped == 1 else "are"
        notes.append(f"{count_of(skipped, 'series')} {are} too short and left out")
    try:
        backtest: PanelBacktest | None = backtest_panel(
            run, run.experiment.backtest, data=data, model=model
        )
    except ConfigError as error:
        backtest = None
        notes.append(f"no backtest: {error}")
    latest = forecast_workflow(run, model=model)
    forecast, stale = latest.frame, latest.warnings
    notes += stale
    with tempfile.TemporaryDirectory() as folder:
        images = _draw(run, data, evaluation, forecast, Path(folder))
    return _page(run, data, evaluation, backtest, forecast, images, notes), notes


def _draw(
    run: Run, data: PanelData, evaluation: dict[str, Any], forecast: pd.DataFrame, folder: Path
) -> dict[str, str]:
    """name -> PNG as a data URI: the spread over series, the worst series' forecasts, loss."""
    from lstmcast.plots import plot_history

    label, target = evaluation["model"], evaluation["target"]
    drawn = {"spread": folder / "spread.png"}
    figures.plot_series_spread(_ratios(evaluation), drawn["spread"], label=label)
    for rank, worst in enumerate(evaluation["worst"][:SHOWN_WORST]):
        sid = worst["series_id"]
        series = data.panel.series[sid]
        recent = max(3 * data.season_length, 4 * run.experiment.windows.horizon, 24)
        history = pd.Series(series.values[-recent:, 0], index=series.timestamps[-recent:])
        drawn[f"worst{rank}"] = folder / f"worst{rank}.png"
        title = (
            f"{sid}: test MASE {number(worst['mase'])} vs seasonal naive "
            f"{number(worst['seasonal_naive_mase'])}; the next steps"
        )
        mine = forecast[forecast.series_id == sid].reset_index(drop=True)
        figures.plot_forecast(history, mine, drawn[f"worst{rank}"], target=target, title=title)
    history_file = run.run_dir / artifacts.HISTORY_FILE
    if history_file.is_file():
        drawn["loss"] = folder / "loss.png"
        loss = pd.read_csv(history_file).drop(columns="epoch")
        plot_history({name: loss[name].tolist() for name in loss}, drawn["loss"])
    return {name: data_uri(path) for name, path in drawn.items()}


def _ratios(scores: dict[str, Any]) -> np.ndarray:
    label = scores["model"]
    return np.array(
        [
            s["overall"][label]["mase"] / s["overall"]["seasonal_naive"]["mase"]
            if s["overall"]["seasonal_naive"]["mase"]
            else np.nan
            for s in scores["per_series"].values()
        ]
    )


def _page(
    run: Run,
    data: PanelData,
    evaluation: dict[str, Any],
    backtest: PanelBacktest | None,
    forecast: pd.DataFrame,
    images: dict[str, str],
    notes: list[str],
) -> str:
    label = evaluation["model"]
    sections = [
        heading(
            run,
            f"{evaluation['target']}, {evaluation['series']} series, one model",
            evaluation.get("model_label") or evaluation["model"],
        ),
        _cards(evaluation, backtest),
        *(f"<p class=note>{escape(note)}</p>" for note in notes),
        "<h2>Across the series, on the test part</h2>",
        f"<p class=note>{evaluation['test_windows']:,} test windows x {evaluation['horizon']} "
        "steps. Each series' MASE is scaled by its own training part's seasonal-naive MAE, "
        f"m = {evaluation['season_length']}; the mean and median are over series.</p>",
        _summary_table(evaluation),
        img(images, "spread", "MASE against seasonal naive, series by series"),
        _coverage_table(evaluation["intervals"], "Prediction intervals on the test part"),
        "<h2>Where it does worst</h2>",
        _worst_table(evaluation, label),
        *(
            img(images, f"worst{rank}", "a worst series: history and latest forecast")
            for rank in range(min(SHOWN_WORST, len(evaluation["worst"])))
        ),
    ]
    if backtest is not None:
        scores = backtest.to_dict()
        sections += [
            "<h2>Backtest</h2>",
            f"<p class=note>{escape(backtest.mode)}: {count_of(backtest.folds, 'fold')} per "
            f"series, {count_of(backtest.windows, 'origin')} x "
            f"{count_of(backtest.horizon, 'step')} in all.</p>",
            _summary_table(scores),
            _coverage_table(backtest.intervals, "Prediction intervals over the backtest"),
        ]
    sections += [
        "<h2>Every series</h2>",
        _series_table(evaluation, label),
        "<h2>Latest forecast</h2>",
        frame_table(forecast),
        "<h2>Training</h2>",
        img(images, "loss", "loss per epoch"),
        "<h2>Data</h2>",
        _data_table(run, data),
    ]
    return document(run, sections)


def _cards(evaluation: dict[str, Any], backtest: PanelBacktest | None) -> str:
    label = evaluation["model"]
    cards = [
        (
            number(evaluation["mean_mase"][label]),
            f"mean test MASE, {evaluation.get('model_label') or label}",
        ),
        (number(evaluation["mean_mase"]["seasonal_naive"]), "mean test MASE, seasonal naive"),
        (f"{evaluation['beats_seasonal_naive']:.0%}", "of series beat seasonal naive"),
    ]
    if backtest is not None:
        for level, scores in backtest.intervals.items():
            if int(level) not in backtest.unbounded:
                cards.append((f"{scores['coverage']:.0f}%", f"{level}% band coverage, backtest"))
    return card_row(cards)


def _summary_table(scores: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{escape(method)}</td><td>{number(mean)}</td>"
        f"<td>{number(scores['median_mase'][method])}</td></tr>"
        for method, mean in scores["mean_mase"].items()
    )
    share = f"{scores['beats_seasonal_naive']:.0%}"
    return (
        f"<table><tr><th>method</th><th>mean MASE</th><th>median MASE</th></tr>{rows}</table>"
        f"<p class=note>The model beats seasonal naive on {share} of the series.</p>"
    )


def _coverage_table(intervals: dict[str, dict[str, float]], title: str) -> str:
    if not intervals:
        return ""
    rows = "".join(
        f"<tr><td>{level}%</td><td>{number(s['coverage'])}</td>"
        f"<td>{number(s['lowest_series_coverage'])}</td></tr>"
        for level, s in intervals.items()
    )
    return (
        f"<p class=note>{escape(title)}: one calibration pooled over the series, so coverage "
        "holds over all of them together; single series vary.</p><table><tr><th>level</th>"
        f"<th>coverage %, all cells</th><th>lowest series %</th></tr>{rows}</table>"
    )


def _worst_table(evaluation: dict[str, Any], label: str) -> str:
    rows = "".join(
        f"<tr><td>{escape(w['series_id'])}</td><td>{number(w['mase'])}</td>"
        f"<td>{number(w['seasonal_naive_mase'])}</td></tr>"
        for w in evaluation["worst"]
    )
    return (
        f"<table><tr><th>series</th><th>MASE {escape(label)}</th><th>MASE seasonal naive</th>"
        f"</tr>{rows}</table>"
    )


def _series_table(evaluation: dict[str, Any], label: str) -> str:
    """Every series, behind a <details> (no script): its scores and band coverage."""
    levels = list(evaluation["intervals"])
    head = "".join(f"<th>{level}% coverage</th>" for level in levels)
    rows = "".join(
        f"<tr><td>{escape(sid)}</td><td>{s['windows']}</td>"
        f"<td>{number(s['overall'][label]['mase'])}</td>"
        f"<td>{number(s['overall']['seasonal_naive']['mase'])}</td>"
        + "".join(f"<td>{number(s['intervals'][level]['coverage'])}</td>" for level in levels)
        + "</tr>"
        for sid, s in evaluation["per_series"].items()
    )
    return (
        f"<details><summary>all {evaluation['series']} series</summary><table><tr>"
        f"<th>series</th><th>test windows</th><th>MASE {escape(label)}</th>"
        f"<th>MASE seasonal naive</th>{head}</tr>{rows}</table></details>"
    )


def _data_table(run: Run, data: PanelData) -> str:
    experiment = run.experiment
    (first, last), (validation, test) = data.span, data.cut_offs
    facts = [
        ("file", str(experiment.data.path)),
        ("series", f"{len(data.layout.ids):,} modelled, {len(data.layout.skipped):,} too short"),
        ("rows", f"{sum(s.num_rows for s in data.panel.series.values()):,}"),
        ("from .. to", f"{first} .. {last}"),
        ("frequency, season length", f"{data.panel.frequency}, {data.season_length}"),
        ("validation, test from", f"{validation}, {test}"),
        ("lookback, horizon", f"{experiment.windows.lookback}, {experiment.windows.horizon}"),
        ("static columns", ", ".join(experiment.data.static) or "none"),
        ("learned vector per series", str(experiment.model.series_embedding or "no")),
    ]
    return facts_table(facts)
