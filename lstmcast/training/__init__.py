"""Compile and fit a model on window datasets; device choice and seeding.

This package's __init__ imports nothing heavy, so the CLI can name EpochReport at start-up.
"""

from collections.abc import Callable

EpochReport = Callable[[int, int, dict[str, float], float], None]
"""report(epoch (1-based), epochs, logs, seconds for that epoch), called after each epoch."""
