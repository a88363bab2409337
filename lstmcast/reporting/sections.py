"""The report's page, section by section, the same sections for one series and many: the
figures in cards, the latest forecast, the test split beside the baselines (for many series
also the spread over series and where the model does worst), the backtest, every series (many
only), training and data; then the resolved config."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lstmcast.data.frequency import format_timestamp
from lstmcast.data.prepare import timeline_of
from lstmcast.evaluation.backtest import Backtest
from lstmcast.evaluation.evaluate import Evaluation
from lstmcast.reporting.contents import Contents
from lstmcast.reporting.page import (
    card_row,
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


def run_page(contents: Contents, images: dict[str, str]) -> str:
    evaluation = contents.evaluation
    target = contents.run.experiment.data.target
    subject = f"{target}, {count_of(len(evaluation.per_series), 'series')}, one model"
    sections = [
        heading(contents.run, subject if evaluation.keyed else target, evaluation.model_label),
        _cards(contents),
        *(f"<p class=note>{escape(note)}</p>" for note in contents.notes),
        *_latest(contents, images),
        *_test(evaluation, images),
        *_backtest(contents.backtest, images),
        *(_every_series(evaluation) if evaluation.keyed else []),
        "<h2>Training</h2>",
        img(images, "loss", "loss per epoch"),
        "<h2>Data</h2>",
        _data_table(contents),
        *([] if evaluation.keyed else [img(images, "splits", "splits")]),
    ]
    return document(contents.run, sections)


def _cards(contents: Contents) -> str:
    evaluation, backtest = contents.evaluation, contents.backtest
    label, mean = evaluation.model, "mean " if evaluation.keyed else ""
    cards = [
        (number(evaluation.overall[label]["mase"]), f"{mean}test MASE, {evaluation.model_label}"),
        (number(evaluation.overall["seasonal_naive"]["mase"]), f"{mean}test MASE, seasonal naive"),
        (f"{evaluation.skill:+.1%}", "skill vs seasonal naive"),
    ]
    if evaluation.keyed:
        share = evaluation.summary["beats_seasonal_naive"]
        cards.append((f"{share:.0%}", "of series beat seasonal naive"))
    if backtest is not None:
        for level, scores in backtest.intervals.items():
            if math.isfinite(scores["width"]):
                cards.append((f"{scores['coverage']:.0f}%", f"{level}% band coverage, backtest"))
    if contents.forecast is not None:
        cards.append((escape(contents.forecast.origin), "latest origin"))
    return card_row(cards)


def _latest(contents: Contents, images: dict[str, str]) -> list[str]:
    if contents.forecast is None:
        return []
    what = "the series it does worst on, " if contents.evaluation.keyed else ""
    return [
        "<h2>Latest forecast</h2>",
        f"<p class=note>Drawn: {what}recent history, then the forecast with its bands.</p>",
        img(images, "forecast", "forecast with its interval bands after recent history"),
        frame_table(contents.forecast.frame),
    ]


def _test(evaluation: Evaluation, images: dict[str, str]) -> list[str]:
    keyed = evaluation.keyed
    scores = list(evaluation.per_series.values())
    first = min(s.first_origin for s in scores)
    last = max(s.last_origin for s in scores)
    scale = "its own training part" if keyed else "the training part"
    sections = [
        "<h2>Test metrics beside the baselines</h2>",
        f"<p class=note>{count_of(evaluation.num_windows, 'test window')} x "
        f"{count_of(scores[0].horizon, 'step')}, origins {escape(first)} .. {escape(last)}. "
        f"MASE scale: seasonal-naive MAE of {scale}, m = {scores[0].season_length}"
        + ("; means and medians are over series." if keyed else ". Best in bold.")
        + "</p>",
        _summary_table(evaluation.summary) if keyed else methods_table(evaluation.overall),
        img(images, "steps", "MASE per horizon step"),
        intervals_table(
            evaluation.intervals, "Prediction intervals on the test part", lowest=keyed
        ),  # fmt: skip
    ]
    if keyed:
        sections += [
            img(images, "spread", "MASE against seasonal naive, series by series"),
            "<h3>Where it does worst</h3>",
            _worst_table(evaluation),
        ]
    return sections


def _backtest(backtest: Backtest | None, images: dict[str, str]) -> list[str]:
    if backtest is None:
        return []
    folds = len(next(iter(backtest.per_series.values())).folds)
    each = " per series" if backtest.keyed else ""
    return [
        "<h2>Backtest</h2>",
        f"<p class=note>{escape(backtest.mode)}: {count_of(folds, 'fold')}{each}, "
        f"{count_of(backtest.windows, 'origin')} x {count_of(backtest.horizon, 'step')}; skill "
        f"vs seasonal naive {backtest.skill:+.1%}.</p>",
        img(images, "backtest", "backtest: actuals, one-step forecasts, MASE per fold"),
        _summary_table(backtest.summary) if backtest.keyed else methods_table(backtest.overall),
        _fold_table(backtest),
        intervals_table(
            backtest.intervals, "Prediction intervals over the backtest", lowest=backtest.keyed
        ),  # fmt: skip
    ]


def _fold_table(backtest: Backtest) -> str:
    """Each fold: its first origin, origins, MASE of the model and seasonal naive and band
    coverage (many series: origins summed, the rest averaged over series)."""
    label, levels = backtest.model, list(backtest.intervals)
    series = list(backtest.per_series.values())
    mean = "mean " if backtest.keyed else ""
    head = "".join(f"<th>{level}% coverage</th>" for level in levels)
    rows = []
    for k, fold in enumerate(series[0].folds):
        folds = [s.folds[k] for s in series]
        cells = [
            np.nanmean([f["overall"][label]["mase"] for f in folds]),
            np.nanmean([f["overall"]["seasonal_naive"]["mase"] for f in folds]),
            *(np.mean([f["intervals"][level]["coverage"] for f in folds]) for level in levels),
        ]
        first = min(f["first_origin"] for f in folds)
        origins = sum(f["origins"] for f in folds)
        rows.append(
            f"<tr><td>{fold['fold']}</td><td>{escape(first)}</td><td>{origins:,}</td>"
            + "".join(f"<td>{number(float(value))}</td>" for value in cells)
            + "</tr>"
        )
    return (
        f"<table><tr><th>fold</th><th>first origin</th><th>origins</th><th>{mean}MASE "
        f"{escape(label)}</th><th>{mean}MASE seasonal naive</th>{head}</tr>{''.join(rows)}"
        "</table>"
    )


def _summary_table(summary: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{escape(method)}</td><td>{number(mean)}</td>"
        f"<td>{number(summary['median_mase'][method])}</td></tr>"
        for method, mean in summary["mean_mase"].items()
    )
    share = f"{summary['beats_seasonal_naive']:.0%}"
    return (
        f"<table><tr><th>method</th><th>mean MASE</th><th>median MASE</th></tr>{rows}</table>"
        f"<p class=note>The model beats seasonal naive on {share} of the series.</p>"
    )


def _worst_table(evaluation: Evaluation) -> str:
    rows = "".join(
        f"<tr><td>{escape(w['series_id'])}</td><td>{number(w['mase'])}</td>"
        f"<td>{number(w['seasonal_naive_mase'])}</td></tr>"
        for w in evaluation.summary["worst"]
    )
    return (
        f"<table><tr><th>series</th><th>MASE {escape(evaluation.model)}</th>"
        f"<th>MASE seasonal naive</th></tr>{rows}</table>"
    )


def _every_series(evaluation: Evaluation) -> list[str]:
    """Every series, behind a <details> (no script): its scores and band coverage."""
    label, levels = evaluation.model, list(evaluation.intervals)
    head = "".join(f"<th>{level}% coverage</th>" for level in levels)
    rows = "".join(
        f"<tr><td>{escape(sid)}</td><td>{s.num_windows}</td>"
        f"<td>{number(s.overall[label]['mase'])}</td>"
        f"<td>{number(s.overall['seasonal_naive']['mase'])}</td>"
        + "".join(f"<td>{number(s.intervals[level]['coverage'])}</td>" for level in levels)
        + "</tr>"
        for sid, s in evaluation.per_series.items()
    )
    return [
        "<h2>Every series</h2>",
        f"<details><summary>all {len(evaluation.per_series)} series</summary><table><tr>"
        f"<th>series</th><th>test windows</th><th>MASE {escape(label)}</th>"
        f"<th>MASE seasonal naive</th>{head}</tr>{rows}</table></details>",
    ]


def _data_table(contents: Contents) -> str:
    """The data as the run read it; each part's rows summed over the series, from the first
    series' first row in it to the last one's last."""
    experiment, workload = contents.run.experiment, contents.workload
    series = [workload.panel.series[sid] for sid in workload.ids]
    frequency = series[0].frequency
    stamp = lambda value: format_timestamp(value, frequency)  # noqa: E731
    first, last = workload.span
    facts = [("file", str(experiment.data.path))]
    if workload.keyed:
        facts.append((
            "series", f"{len(workload.ids):,} modelled, {len(workload.layout.skipped):,} too short"
        ))  # fmt: skip
    facts += [
        ("rows", f"{sum(s.num_rows for s in series):,}"),
        ("from .. to", f"{stamp(first)} .. {stamp(last)}"),
        ("steps", timeline_of(experiment.data, frequency).describe()),
        ("season length", str(workload.season_length)),
        ("columns", ", ".join(series[0].columns)),
        ("lookback, horizon", f"{experiment.windows.lookback}, {experiment.windows.horizon}"),
    ]
    if workload.keyed:
        facts += [
            ("static columns", ", ".join(experiment.data.static) or "none"),
            ("learned vector per series", str(experiment.model.series_embedding or "no")),
        ]
    for name in ("train", "validation", "test"):
        parts = [(s, b.rows(name)) for s, b in zip(series, workload.layout.bounds, strict=True)]
        rows = sum(end - begin for _, (begin, end) in parts)
        begins = [s.timestamps[begin] for s, (begin, end) in parts if end > begin]
        ends = [s.timestamps[end - 1] for s, (begin, end) in parts if end > begin]
        span = f" ({stamp(min(begins))} .. {stamp(max(ends))})" if begins else ""
        facts.append((f"{name} rows", f"{rows:,}{span}"))
    return facts_table(facts)
