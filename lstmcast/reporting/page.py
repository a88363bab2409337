"""The HTML a report is made of: one inline style, tables, embedded images, no script."""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from lstmcast import text
from lstmcast.artifacts import Run

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


def heading(run: Run, subject: str, model: str) -> str:
    """The page's title line and what the run is: `model` as people read it (a blend named)."""
    return (
        f"<h1>{escape(run.run_dir.name)}: {escape(subject)}</h1><p class=sub>"
        f"{escape(model)}: {escape(run.experiment.model.architecture)}; trained "
        f"{escape(str(run.manifest.get('created', '?')))} on "
        f"{escape(str(run.manifest.get('device')))}</p>"
    )


def card_row(cards: list[tuple[str, str]]) -> str:
    """Big figures in a row: (value, already escaped; what it is)."""
    shown = "".join(
        f"<div class=card><b>{value}</b><span>{escape(text)}</span></div>" for value, text in cards
    )
    return f"<div class=cards>{shown}</div>"


def document(run: Run, sections: list[str]) -> str:
    """The sections, then the resolved config behind a <details>, as one HTML page."""
    config = resolved_config(run)
    sections = [
        *sections,
        "<h2>Config</h2>",
        f"<details><summary>the resolved config, every key ({config.count(chr(10))} lines)"
        f"</summary><pre>{escape(config)}</pre></details>",
    ]
    body = "\n".join(sections)
    return (
        "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
        f"<title>lstmcast report: {escape(run.run_dir.name)}</title>\n<style>{STYLE}</style>\n"
        f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def resolved_config(run: Run) -> str:
    """The run's config as YAML with what the data decided filled in and said where it came
    from: the frequency and season length a config leaves out, and the lookback."""
    raw = run.experiment.model_dump(mode="json")
    state, data = run.preprocessing, raw["data"]
    notes = {}
    if data.get("frequency") is None and state.get("frequency"):
        data["frequency"] = state["frequency"]
        notes["frequency"] = "inferred from the timestamps"
    if data.get("season_length") is None and state.get("season_length"):
        data["season_length"] = state["season_length"]
        notes["season_length"] = "from the frequency" + (
            " and sessions" if data.get("sessions") else ""
        )
    lines = yaml.safe_dump(raw, sort_keys=False).splitlines()
    section = ""
    for index, line in enumerate(lines):
        if not line.startswith(" "):
            section = line.rstrip(":")
        key = line.strip().split(":")[0]
        if section == "data" and line.startswith("  ") and key in notes:
            lines[index] = f"{line}    # {notes.pop(key)}"
    return "\n".join(lines) + "\n"


def data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def methods_table(overall: dict[str, dict[str, float]]) -> str:
    metrics = text.METRIC_HEADINGS
    best = {
        metric: min(values[metric] for values in overall.values())
        for metric in metrics
        if metric != "bias"
    }
    head = "".join(f"<th>{name}</th>" for name in metrics.values())
    rows = []
    for method, values in overall.items():
        cells = "".join(
            f"<td{' class=best' if values[m] == best.get(m) else ''}>{number(values[m])}</td>"
            for m in metrics
        )
        rows.append(f"<tr><td>{escape(method)}</td>{cells}</tr>")
    return f"<table><tr><th>method</th>{head}</tr>{''.join(rows)}</table>"


def intervals_table(
    intervals: dict[str, dict[str, Any]], title: str, *, lowest: bool = False
) -> str:
    """Coverage, width, pinball and Winkler score per level; `lowest`: many series pooled, with
    the lowest coverage of any one series beside."""
    if not intervals:
        return ""
    columns = ["coverage", *(["lowest_series_coverage"] if lowest else []), "width", "pinball",
               "winkler"]  # fmt: skip
    rows = "".join(
        f"<tr><td>{level}%</td>" + "".join(f"<td>{number(s[c])}</td>" for c in columns) + "</tr>"
        for level, s in intervals.items()
    )
    pooled = (
        " One calibration pooled over the series, so coverage holds over all of them "
        "together; single series vary."
        if lowest
        else ""
    )
    lowest_head = "<th>lowest series %</th>" if lowest else ""
    return (
        f"<p class=note>{escape(title)}: coverage should be close to the level.{pooled}</p>"
        f"<table><tr><th>level</th><th>coverage %</th>{lowest_head}<th>mean width</th>"
        f"<th>pinball</th><th>Winkler</th></tr>{rows}</table>"
    )


def frame_table(frame: pd.DataFrame, shown: int = 12) -> str:
    """The first `shown` rows; all of them behind a <details> (no script) when longer."""
    head = "".join(f"<th>{escape(name)}</th>" for name in frame.columns)
    rows = [
        "<tr>" + "".join(f"<td>{number(value)}</td>" for value in row) + "</tr>"
        for row in frame.itertuples(index=False)
    ]
    table = f"<table><tr>{head}</tr>{''.join(rows[:shown])}</table>"
    if len(rows) <= shown:
        return table
    return (
        f"{table}<details><summary>all {len(rows)} rows</summary><table><tr>{head}</tr>"
        f"{''.join(rows)}</table></details>"
    )


def facts_table(facts: list[tuple[str, str]]) -> str:
    """Two columns: what, and its value."""
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in facts)
    return f"<table>{rows}</table>"


def img(images: dict[str, str], name: str, alt: str) -> str:
    if name not in images:
        return "<p class=note>(not available for this run)</p>"
    return f'<img src="{images[name]}" alt="{escape(alt)}">'


def number(value: Any) -> str:
    """Text escaped, integers with separators, every other number to three decimals (one
    format for a whole table), infinite bounds as 'unbounded'."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if value is not None and value == value and math.isinf(float(value)):
        return "unbounded"
    return text.number(None if value is None else float(value))


def escape(text: str) -> str:
    return html.escape(text, quote=True)
