"""Words and numbers for people, one way everywhere: '1 row', '3 rows', 'an 80% interval',
'0.758', '66 years'. Imports nothing of lstmcast, so every layer may use it."""

from __future__ import annotations

import math

METRIC_HEADINGS = {
    "mae": "MAE",
    "rmse": "RMSE",
    "mape": "MAPE %",
    "smape": "sMAPE %",
    "mase": "MASE",
    "rmsse": "RMSSE",
    "bias": "bias",
}
"""How tables and reports head each metric, in the order they are shown (evaluation/metrics.py
METRICS)."""

_IRREGULAR = {"series": "series", "is": "are", "was": "were", "has": "have"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """The noun for `count` of it: plural(1, 'row') 'row', plural(2, 'row') 'rows'."""
    if count == 1:
        return noun
    if many is not None:
        return many
    head, _, last = noun.rpartition(" ")
    word = _IRREGULAR.get(last) or (last[:-1] + "ies" if _consonant_y(last) else _s(last))
    return f"{head} {word}" if head else word


def count_of(count: int, noun: str, many: str | None = None) -> str:
    """'1 row', '2,041 rows', '1 non-numeric cell', '3 series'."""
    return f"{count:,} {plural(count, noun, many)}"


def _consonant_y(word: str) -> bool:
    return len(word) > 1 and word.endswith("y") and word[-2] not in "aeiou"


def _s(word: str) -> str:
    hissing = word.endswith(("s", "x", "ch", "sh")) and not word.endswith("epoch")  # a hard ch
    return word + ("es" if hissing else "s")


def a_or_an(phrase: str) -> str:
    """'a 95% interval', 'an 80% interval', 'an hourly series', 'a monthly series'."""
    first = phrase.lstrip()[:1].lower()
    spoken_vowel = first in "aeio" or phrase.lstrip().startswith(("8", "11", "18", "hour"))
    return f"{'an' if spoken_vowel else 'a'} {phrase}"


def number(value: float | None, digits: int = 3) -> str:
    """A score for a table or a sentence: fixed decimals, thousands separated, NaN as '-'.

    number(0.8) '0.800', number(24100.5) '24,100.500', number(float('nan')) '-'.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:,.{digits}f}"


def share(fraction: float) -> str:
    """A fraction as people say it: 0.125 '12.5%', 0.5 '50%'."""
    percent = 100 * fraction
    return f"{percent:.0f}%" if abs(percent - round(percent)) < 0.05 else f"{percent:.1f}%"


_UNITS = (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60))


def duration(seconds: float) -> str:
    """A length of time in the largest unit that keeps it at least 2: '90 seconds',
    '3.5 hours', '66 years' (never '2.41e+04 days')."""
    for unit, size in _UNITS:
        if seconds >= 2 * size:
            value = seconds / size
            shown = f"{value:,.0f}" if value >= 10 else f"{value:.2g}"
            return f"{shown} {unit}"
    return f"{seconds:.0f} seconds"
