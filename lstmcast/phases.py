"""Where a command's time and memory go: wall seconds and the process's peak RSS at the end of
each named phase (read, validate, scale, window, fit, ...), for `train --json` and the
long-series benchmark.

The code doing the work marks its phases with `phase(name)`; nothing is recorded unless a
caller is `recording()`, so the marks cost nothing elsewhere and no clock is passed down
through every layer.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

PhaseTimes = dict[str, dict[str, float]]
"""phase -> {"seconds": wall seconds (summed if the phase ran more than once),
"peak_rss_mib": the process's peak resident memory when it ended}, in the order they ran."""

_CURRENT: ContextVar[PhaseTimes | None] = ContextVar("lstmcast_phases", default=None)


@contextlib.contextmanager
def recording() -> Iterator[PhaseTimes]:
    """Record the phases run inside the block into the dictionary it yields."""
    times: PhaseTimes = {}
    token = _CURRENT.set(times)
    try:
        yield times
    finally:
        _CURRENT.reset(token)


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    times = _CURRENT.get()
    if times is None:
        yield
        return
    started = time.perf_counter()
    yield
    entry = times.setdefault(name, {"seconds": 0.0})
    entry["seconds"] = round(entry["seconds"] + time.perf_counter() - started, 3)
    entry["peak_rss_mib"] = peak_rss_mib()


def peak_rss_mib() -> float:
    """The process's peak resident memory so far, in MiB (NaN where the OS does not say).

    On Linux, VmHWM: getrusage's ru_maxrss survives exec, so a command started by a large
    process (a test runner, a notebook) would report its parent's peak as its own."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    per_unit = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * per_unit / 2**20, 1)
