"""Counted nouns as messages print them."""

from __future__ import annotations

import pytest

from lstmcast.text import count_of


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [(1, "epoch", "1 epoch"), (2, "epoch", "2 epochs"), (3, "batch", "3 batches"),
     (2, "series", "2 series"), (1_000, "row", "1,000 rows"), (2, "entry", "2 entries")],
)  # fmt: skip
def test_count_of(count, noun, expected):
    assert count_of(count, noun) == expected
