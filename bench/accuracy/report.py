"""Benchmark results (the JSON the run writes) -> Markdown tables."""

from __future__ import annotations

from typing import Any

from bench.accuracy.ett import LOOKBACK, PUBLISHED, TEST_ROWS
from bench.accuracy.scoring import geometric_mean

LABELS = {
    "naive": "naive",
    "seasonal_naive": "seasonal naive",
    "auto_ets": "AutoETS",
    "auto_theta": "AutoTheta",
    "keras_lstm": "Keras LSTM",
    "nf_lstm": "NeuralForecast LSTM",
    "lstmcast": "lstmcast",
    "lstmcast_init": "lstmcast init's config",
}


def relative_mase(entry: dict[str, Any], method: str) -> float | None:
    """MASE / seasonal naive's MASE on the same windows; None if the method did not run."""
    methods = entry["methods"]
    if "scores" not in methods.get(method, {}) or "scores" not in methods.get("seasonal_naive", {}):
        return None
    return methods[method]["scores"]["mase"] / methods["seasonal_naive"]["scores"]["mase"]


def markdown(results: dict[str, Any]) -> str:
    parts = [f"## Run `{results['label']}`\n"]
    if results["overrides"]:
        parts.append(f"lstmcast defaults changed: `{' '.join(results['overrides'])}`\n")
    if results.get("complete", True):
        parts.append(f"Seed {results['seed']}; whole run {results['seconds']:.0f} s.\n")
    else:
        parts.append(f"Seed {results['seed']}; run still going or stopped: partial results.\n")
    if results["suite"]:
        parts += [suite_table(results["suite"]), detail_tables(results["suite"])]
    if results["ett"]:
        parts.append(ett_table(results["ett"]))
    return "\n".join(parts)


def suite_table(suite: dict[str, Any]) -> str:
    methods = _methods(suite)
    lines = [
        "### Relative MASE (MASE / seasonal naive's; below 1 beats seasonal naive)\n",
        "| series | m | H | L | W | " + " | ".join(LABELS[m] for m in methods) + " |",
        "|---|---:|---:|---:|---:|" + "---:|" * len(methods),
    ]
    for name, entry in suite.items():
        spec = entry["spec"]
        ratios = [relative_mase(entry, method) for method in methods]
        best = min((r for r in ratios if r is not None), default=None)
        cells = [_ratio(r, bold=r == best) for r in ratios]
        lines.append(
            f"| {name} | {spec['season_length']} | {spec['horizon']} | {entry['lookback']} | "
            f"{spec['test_windows']} | " + " | ".join(cells) + " |"
        )
    means = []
    for method in methods:
        ratios = [relative_mase(entry, method) for entry in suite.values()]
        means.append(_ratio(geometric_mean(ratios)) if all(r is not None for r in ratios) else "-")
    lines.append("| **geometric mean** | | | | | " + " | ".join(means) + " |")
    lines.append("")
    lines.append("### Wall seconds per method (fit once + all origins, own process)\n")
    lines.append("| series | " + " | ".join(LABELS[m] for m in methods) + " |")
    lines.append("|---|" + "---:|" * len(methods))
    totals = dict.fromkeys(methods, 0.0)
    for name, entry in suite.items():
        cells = []
        for method in methods:
            outcome = entry["methods"].get(method, {})
            seconds = outcome.get("seconds")
            totals[method] += seconds or 0.0
            cells.append("-" if seconds is None else f"{seconds:.1f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("| **total** | " + " | ".join(f"{totals[m]:.0f}" for m in methods) + " |")
    lines.append("")
    return "\n".join(lines)


def detail_tables(suite: dict[str, Any]) -> str:
    methods = _methods(suite)
    lines = ["### Every metric (MAE and RMSE in the series' units, sMAPE %)\n"]
    lines.append("| series | method | MAE | RMSE | sMAPE | MASE | notes |")
    lines.append("|---|---|---:|---:|---:|---:|---|")
    for name, entry in suite.items():
        for method in methods:
            outcome = entry["methods"].get(method, {})
            if "scores" not in outcome:
                why = outcome.get("skipped") or outcome.get("failed") or "not run"
                lines.append(f"| {name} | {LABELS[method]} | | | | | {why} |")
                continue
            scores, info = outcome["scores"], outcome.get("info", {})
            notes = ", ".join(f"{key} {value}" for key, value in info.items() if key != "lookback")
            lines.append(
                f"| {name} | {LABELS[method]} | {scores['mae']:.4g} | {scores['rmse']:.4g} | "
                f"{scores['smape']:.2f} | {scores['mase']:.3f} | {notes} |"
            )
    lines.append("")
    return "\n".join(lines)


def ett_table(ett: dict[str, Any]) -> str:
    lines = [
        f"### ETTh1-S (OT only, z-scored; every test window, {TEST_ROWS} test rows; "
        f"lstmcast input length {LOOKBACK})\n",
        "| H | lstmcast MSE | lstmcast MAE | persistence MSE | persistence MAE | "
        + " | ".join(f"{name} MSE" for name in PUBLISHED)
        + " | lstmcast epochs | lstmcast s |",
        "|---:|---:|---:|---:|---:|" + "---:|" * len(PUBLISHED) + "---:|---:|",
    ]
    for horizon, outcome in ett.items():
        if "scores" not in outcome:
            lines.append(f"| {horizon} | {outcome} |")
            continue
        ours, persistence = outcome["scores"]["lstmcast"], outcome["scores"]["persistence"]
        published = [PUBLISHED[name].get(int(horizon)) for name in PUBLISHED]
        cells = [
            f"{ours['mse']:.4f}",
            f"{ours['mae']:.4f}",
            f"{persistence['mse']:.4f}",
            f"{persistence['mae']:.4f}",
            *("-" if value is None else f"{value:.3f}" for value in published),
            str(outcome["info"]["epochs"]),
            f"{outcome['seconds']:.0f}",
        ]
        lines.append(f"| {horizon} | " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)


def _methods(suite: dict[str, Any]) -> list[str]:
    present = {method for entry in suite.values() for method in entry["methods"]}
    return [method for method in LABELS if method in present]


def _ratio(value: float | None, *, bold: bool = False) -> str:
    if value is None:
        return "-"
    return f"**{value:.3f}**" if bold else f"{value:.3f}"
