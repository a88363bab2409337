"""The fast row-width check against the csv module it stands in for, on random files cut into
small blocks so that lines cross block boundaries."""

from __future__ import annotations

import numpy as np
import pytest

from lstmcast.data import read
from lstmcast.errors import DataError


def _random_file(rng: np.random.Generator, width: int) -> bytes:
    newline = b"\r\n" if rng.random() < 0.5 else b"\n"
    lines = [b",".join(b"h%d" % i for i in range(width))]
    for _ in range(rng.integers(0, 40)):
        kind = rng.random()
        if kind < 0.1:
            lines.append(b"")  # a blank line, skipped by pandas and csv alike
        else:
            fields = width if kind < 0.85 else int(rng.integers(1, width + 3))
            cells = [b"%d" % rng.integers(0, 10 ** int(rng.integers(1, 6))) for _ in range(fields)]
            if rng.random() < 0.05:
                cells[0] = b'"1,5"'  # quoted: the fast check hands over to csv
            lines.append(b",".join(cells))
    text = newline.join(lines)
    return text + newline if rng.random() < 0.7 else text


def _csv_accepts(path, width: int) -> bool:
    try:
        read._csv_widths(path, width)
    except DataError:
        return False
    return True


@pytest.mark.parametrize("seed", range(60))
def test_fast_width_check_agrees_with_the_csv_module(seed, tmp_path, monkeypatch):
    rng = np.random.default_rng(seed)
    monkeypatch.setattr(read, "CHUNK", int(rng.integers(3, 64)))
    width = int(rng.integers(1, 5))
    path = tmp_path / "data.csv"
    content = _random_file(rng, width)
    path.write_bytes(content)
    fast = read._widths_agree(path, width)
    if fast:  # it may only say "all well" when the csv module agrees
        assert _csv_accepts(path, width)
    if b'"' not in content and b"\n" in content:
        assert fast == _csv_accepts(path, width)
