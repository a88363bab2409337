"""Human-readable forms of results: Rich tables built from the same dicts --json prints."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from lstmcast.text import METRIC_HEADINGS, count_of, number

_LOWER_IS_BETTER = {"mae", "rmse", "mape", "smape", "mase", "rmsse"}


def evaluation_tables(evaluation: dict[str, Any], *, per_step: bool = False) -> list[Table]:
    """The tables of a test evaluation (its --json document): one series' metrics, bands and
    quantiles, or many series' mean and median MASE with the verdict on them."""
    if "per_series" in evaluation:
        return [panel_table(evaluation)]
    tables = [metrics_table(evaluation)]
    if evaluation["intervals"]:
        title = "conformal intervals (calibrated on validation) on the test"
        tables.append(intervals_table(evaluation["intervals"], title))
    if evaluation["quantiles"]:
        tables.append(quantiles_table(evaluation["quantiles"]))
    if per_step:
        tables.append(per_step_table(evaluation))
    return tables


def metrics_table(evaluation: dict[str, Any]) -> Table:
    """One row per method, the model first; the best value of each metric in bold."""
    title = (
        f"{evaluation['target']}: {count_of(evaluation['num_windows'], 'test window')} x "
        f"{count_of(evaluation['horizon'], 'step')}, origins {evaluation['first_origin']} .. "
        f"{evaluation['last_origin']}"
    )
    skipped = evaluation["zero_actuals_skipped_by_mape"]
    caption = (
        f"MASE (RMSSE) scale: seasonal-naive MAE (MSE) on the training part, "
        f"m={evaluation['season_length']}. bias: mean forecast minus actual. MAPE skips zero "
        "actuals" + (f" ({skipped} here)." if skipped else ".")
    )
    return methods_table(evaluation["overall"], title=title, caption=caption)


def methods_table(overall: dict[str, dict[str, Any]], *, title: str, caption: str) -> Table:
    table = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
    table.add_column("method")
    for metric in METRIC_HEADINGS:
        table.add_column(METRIC_HEADINGS[metric], justify="right")
    best = {metric: _best(overall, metric) for metric in _LOWER_IS_BETTER}
    for method, values in overall.items():
        cells = []
        for metric in METRIC_HEADINGS:
            text = _number(values[metric])
            cells.append(f"[bold]{text}[/]" if values[metric] == best.get(metric) else text)
        table.add_row(method, *cells)
    return table


def backtest_tables(backtest: dict[str, Any]) -> list[Table]:
    """All folds together beside the baselines, then fold by fold, then the intervals."""
    folds = backtest["folds"]
    title = (
        f"{backtest['target']}: backtest, {count_of(len(folds), 'fold')}, "
        f"{count_of(backtest['windows'], 'origin')} x {count_of(backtest['horizon'], 'step')}, "
        f"{folds[0]['first_origin']} .. {folds[-1]['last_origin']}"
    )
    caption = (
        f"{backtest['mode']}. MASE (RMSSE) scale: seasonal-naive MAE (MSE) of the rows before "
        f"the first forecast, m={backtest['season_length']}. Skill vs seasonal naive: "
        f"{_number(backtest['skill'])}."
    )
    tables = [methods_table(backtest["overall"], title=title, caption=caption)]
    per_fold = Table(title="MASE per fold", title_justify="left")
    methods = list(backtest["overall"])
    levels = list(backtest["intervals"])
    for column in ["fold", "first origin", "origins", *methods, *[f"{lv}% cover" for lv in levels]]:
        per_fold.add_column(column, justify="left" if column == "first origin" else "right")
    for fold in folds:
        per_fold.add_row(
            str(fold["fold"]),
            fold["first_origin"],
            str(fold["origins"]),
            *(_number(fold["overall"][method]["mase"]) for method in methods),
            *(_number(fold["intervals"][level]["coverage"]) for level in levels),
        )
    tables.append(per_fold)
    if levels:
        tables.append(intervals_table(backtest["intervals"], "prediction intervals, all folds"))
    return tables


def intervals_table(intervals: dict[str, dict[str, Any]], title: str) -> Table:
    """One row per level: coverage against nominal, mean width, pinball loss, Winkler score."""
    table = Table(title=title, title_justify="left")
    for column in ("level", "coverage %", "mean width", "pinball", "Winkler"):
        table.add_column(column, justify="right")
    for level, scores in intervals.items():
        table.add_row(
            f"{level}%",
            _number(scores["coverage"]),
            _number(scores["width"]),
            _number(scores["pinball"]),
            _number(scores["winkler"]),
        )
    return table


def quantiles_table(quantiles: dict[str, dict[str, float]]) -> Table:
    """A quantile model's quantiles on the test: pinball loss and how often the actual fell at
    or below each (close to the quantile when calibrated)."""
    table = Table(title="quantiles on the test", title_justify="left")
    for column in ("quantile", "pinball", "% actuals at or below"):
        table.add_column(column, justify="right")
    for name, scores in quantiles.items():
        table.add_row(
            name.removeprefix("quantile_") + "%",
            _number(scores["pinball"]),
            _number(scores["below_percent"]),
        )
    return table


def per_step_table(evaluation: dict[str, Any], metric: str = "mase") -> Table:
    """The metric per horizon step, one column per method."""
    table = Table(title=f"{METRIC_HEADINGS[metric]} per horizon step", title_justify="left")
    table.add_column("step", justify="right")
    methods = list(evaluation["per_step"])
    for method in methods:
        table.add_column(method, justify="right")
    for step in range(evaluation["horizon"]):
        table.add_row(
            str(step + 1),
            *(_number(evaluation["per_step"][method][metric][step]) for method in methods),
        )
    return table


def live_tables(live: dict[str, Any]) -> list[Table]:
    """Live accuracy overall and per run, per step, then per time bucket, with the test
    figures beside; every row on the same cells for the model and both baselines. Many
    series: pooled on each series' MASE scale, then the series furthest above their test
    error."""
    test = live["test"]
    title = (
        f"{live['target']}: {live['scored_steps']:,} of {live['issued_steps']:,} issued steps "
        f"scored, origins {live['first_origin']} .. {live['last_origin']}"
    )
    pooled = " (mean over series)" if "per_series" in live else ""
    caption = (
        f"test split: MASE{pooled} {_number(test['mase'])}, seasonal naive "
        f"{_number(test['seasonal_naive_mase'])}. live/test: live error over the run's test "
        "error on the same steps" + (", each series on its own MASE scale." if pooled else ".")
    )
    rows = {"all": live["overall"], **{f"run {run}": s for run, s in live["per_run"].items()}}
    tables = [_live_table(rows, title=title, caption=caption, first="forecasts")]
    steps = {str(step): scores for step, scores in live["per_step"].items()}
    tables.append(_live_table(steps, title="live accuracy per step", first="step"))
    title = f"live accuracy per {live['bucket']} (by origin)"
    tables.append(_live_table(live["per_bucket"], title=title, first=live["bucket"]))
    if "per_series" in live:
        tables.append(_live_table(_furthest(live["per_series"]), first="series", title=(
            f"the series furthest above their test error, of {len(live['per_series'])}"
        )))  # fmt: skip
    return tables


SHOWN_SERIES = 10


def _furthest(per_series: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    ranked = sorted(per_series.items(), key=lambda item: -(item[1]["live_over_test"] or 0.0))
    return dict(ranked[:SHOWN_SERIES])


def _live_table(
    rows: dict[str, dict[str, Any]], *, title: str, first: str, caption: str | None = None
) -> Table:
    """MAE in the target's units where the rows are one series' (and MASE beside it), MASE of
    the model and both baselines where they pool many."""
    table = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
    if "mae" in next(iter(rows.values())):
        columns = ("cells", "mae", "naive_mae", "seasonal_naive_mae", "mase", "live_over_test")
        headers = ("cells", "MAE", "naive MAE", "seasonal naive MAE", "MASE", "live/test")
    else:
        columns = ("cells", "mase", "naive_mase", "seasonal_naive_mase", "live_over_test")
        headers = ("cells", "MASE", "naive MASE", "seasonal naive MASE", "live/test")
    table.add_column(first)
    for header in headers:
        table.add_column(header, justify="right")
    for name, scores in rows.items():
        table.add_row(name, *(_number(scores[column]) for column in columns))
    return table


def panel_table(
    evaluation: dict[str, Any], *, title: str | None = None, scale: str = "its training part"
) -> Table:
    """A panel's scores (test, or a backtest's): mean and median MASE per method, and the
    verdict on the series."""
    title = title or (
        f"{evaluation['target']}: {count_of(evaluation['series'], 'series')}, "
        f"{count_of(evaluation['test_windows'], 'test window')} x "
        f"{count_of(evaluation['horizon'], 'step')}"
    )
    worst = ", ".join(
        f"{w['series_id']} ({_number(w['mase'])} vs {_number(w['seasonal_naive_mase'])})"
        for w in evaluation["worst"][:3]
    )
    caption = (
        f"beats seasonal naive on {evaluation['beats_seasonal_naive']:.0%} of the series; "
        f"worst against it: {worst}. MASE per series on the seasonal-naive MAE of {scale}, "
        f"m={evaluation['season_length']}."
        + "".join(
            f" The {level}% band held {scores['coverage']:.3g}% of the cells (lowest "
            f"series {scores['lowest_series_coverage']:.3g}%)."
            for level, scores in evaluation.get("intervals", {}).items()
        )
    )
    table = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
    for column in ("method", "mean MASE", "median MASE"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for method, mean in evaluation["mean_mase"].items():
        table.add_row(method, _number(mean), _number(evaluation["median_mase"][method]))
    return table


def verdict(evaluation: dict[str, Any], *, what: str = "test") -> str:
    """One sentence: is the model worth it against seasonal naive on MASE, and does a simpler
    baseline do better still?"""
    label = evaluation["model"]
    overall = evaluation["overall"]
    if "per_series" in evaluation:
        what = f"mean {what}"
    model = overall[label]["mase"]
    baseline = overall["seasonal_naive"]["mase"]
    if model is None or baseline is None or baseline != baseline or baseline == 0:
        return "MASE is undefined for this series (constant training part)."
    change = 100.0 * (baseline - model) / baseline
    word = "better" if change > 0 else "worse"
    named = evaluation.get("model_label") or label
    sentence = (
        f"{named} {what} MASE {number(model)} vs seasonal naive {number(baseline)}: "
        f"{abs(change):.1f}% {word}."
    )
    beaten_by = [
        name
        for name in ("naive", "drift")
        if name in overall and overall[name]["mase"] is not None and overall[name]["mase"] < model
    ]
    if beaten_by:
        sentence += f" {' and '.join(beaten_by)} did better still."
    return sentence


def _best(overall: dict[str, dict[str, float]], metric: str) -> float | None:
    values = [
        v[metric] for v in overall.values() if v[metric] is not None and v[metric] == v[metric]
    ]
    return min(values) if values else None


def _number(value: float | None) -> str:
    """Integers with separators, other numbers to three decimals: one format per table."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return number(value)
