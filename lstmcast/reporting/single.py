"""The report of a one-series run: latest forecast, test metrics, backtest, training, data."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pandas as pd

from lstmcast import artifacts
from lstmcast.artifacts import Run
from lstmcast.data.frequency import format_timestamps
from lstmcast.data.prepare import PreparedData, timeline_of
from lstmcast.data.workload import prepare_workload
from lstmcast.errors import ConfigError
from lstmcast.evaluation import figures
from lstmcast.evaluation.backtest import Backtest, backtest_run
from lstmcast.evaluation.evaluate import evaluate_workload
from lstmcast.evaluation.intervals import ConformalIntervals
from lstmcast.evaluation.series import SeriesEvaluation as Evaluation
from lstmcast.reporting.page import (
    card_row,
    data_uri,
    document,
    escape,
    facts_table,
    frame_table,
    heading,
    img,
    intervals_table,
    methods_table,
    number,
)
from lstmcast.text import count_of
from lstmcast.workflows.forecast import Forecast, forecast


def single_page(run: Run) -> tuple[str, list[str]]:
    """(the page, notes): evaluate, backtest (train once) and forecast one series, drawn."""
    workload = prepare_workload(run.experiment, state=run.preprocessing)
    data = workload.fitting
    intervals = ConformalIntervals.of_run(run)
    model = run.load_model()  # once, for the evaluation, the backtest and the forecast
    (evaluation,) = evaluate_workload(model, [workload], intervals).per_series.values()
    notes: list[str] = intervals.warnings() if intervals is not None else []
    try:
        backtest: Backtest | None = backtest_run(
            run, run.experiment.backtest, data=data, model=model
        )
    except ConfigError as error:
        backtest = None
        notes.append(f"no backtest: {error}")
    latest = forecast(run, model=model) if not run.experiment.data.known else None
    if latest is None:
        notes.append(
            "no latest forecast: the model reads known-future columns, which only a "
            "forecast --input with future rows provides"
        )
    with tempfile.TemporaryDirectory() as folder:
        images = _draw(run, data, evaluation, backtest, latest, Path(folder))
        page = _page(run, data, evaluation, backtest, latest, images, notes)
    return page, notes


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
    return {name: data_uri(path) for name, path in drawn.items()}


def _page(
    run: Run,
    data: PreparedData,
    evaluation: Evaluation,
    backtest: Backtest | None,
    forecast: Forecast | None,
    images: dict[str, str],
    notes: list[str],
) -> str:
    label = evaluation.model
    sections = [
        heading(run, data.series.target, evaluation.model_label or label),
        _cards(evaluation, backtest, forecast),
        *(f"<p class=note>{escape(note)}</p>" for note in notes),
    ]
    if forecast is not None:
        sections += [
            "<h2>Latest forecast</h2>",
            img(images, "forecast", "forecast with its interval bands after recent history"),
            frame_table(forecast.frame),
        ]
    sections += [
        "<h2>Test metrics beside the baselines</h2>",
        f"<p class=note>{count_of(evaluation.num_windows, 'test window')} x "
        f"{count_of(evaluation.horizon, 'step')}, "
        f"origins {escape(evaluation.first_origin)} .. {escape(evaluation.last_origin)}. MASE "
        f"scale: seasonal-naive MAE on the training part, m = {evaluation.season_length}. Best in "
        "bold.</p>",
        methods_table(evaluation.overall),
        img(images, "steps", "MASE per horizon step"),
        intervals_table(evaluation.intervals, "Prediction intervals on the test part"),
    ]
    if backtest is not None:
        sections += [
            "<h2>Backtest</h2>",
            f"<p class=note>{escape(backtest.mode)}: {count_of(len(backtest.folds), 'fold')}, "
            f"{count_of(backtest.windows, 'origin')} x {count_of(backtest.horizon, 'step')}; "
            "skill vs seasonal naive "
            f"{backtest.skill:+.1%}.</p>",
            img(images, "backtest", "backtest: actuals, one-step forecasts, MASE per fold"),
            methods_table(backtest.overall),
            _fold_table(backtest, label),
            intervals_table(backtest.intervals, "Prediction intervals over the backtest"),
        ]
    sections += ["<h2>Training</h2>", img(images, "loss", "loss per epoch")]
    sections += ["<h2>Data</h2>", _data_table(run, data), img(images, "splits", "splits")]
    return document(run, sections)


def _cards(evaluation: Evaluation, backtest: Backtest | None, forecast: Forecast | None) -> str:
    label = evaluation.model
    cards = [
        (number(evaluation.overall[label]["mase"]), f"test MASE, {evaluation.model_label}"),
        (number(evaluation.overall["seasonal_naive"]["mase"]), "test MASE, seasonal naive"),
        (f"{evaluation.skill:+.1%}", "skill vs seasonal naive"),
    ]
    if backtest is not None:
        for level, scores in backtest.intervals.items():
            if math.isfinite(scores["width"]):
                cards.append((f"{scores['coverage']:.0f}%", f"{level}% band coverage, backtest"))
    if forecast is not None:
        cards.append((escape(forecast.origin), "latest origin"))
    return card_row(cards)


def _fold_table(backtest: Backtest, label: str) -> str:
    levels = list(backtest.intervals)
    head = "".join(f"<th>{level}% coverage</th>" for level in levels)
    rows = "".join(
        f"<tr><td>{fold['fold']}</td><td>{escape(fold['first_origin'])}</td><td>{fold['origins']}"
        f"</td><td>{number(fold['overall'][label]['mase'])}</td>"
        f"<td>{number(fold['overall']['seasonal_naive']['mase'])}</td>"
        + "".join(f"<td>{number(fold['intervals'][level]['coverage'])}</td>" for level in levels)
        + "</tr>"
        for fold in backtest.folds
    )
    return (
        f"<table><tr><th>fold</th><th>first origin</th><th>origins</th><th>MASE {label}</th>"
        f"<th>MASE seasonal naive</th>{head}</tr>{rows}</table>"
    )


def _data_table(run: Run, data: PreparedData) -> str:
    series = data.series
    stamps = format_timestamps(series.timestamps, series.frequency)
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
    return facts_table(facts)
