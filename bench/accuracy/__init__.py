"""Accuracy benchmark: lstmcast's defaults beside statistical and neural peers on real series.

Run `make bench-accuracy` (or `python -m bench.accuracy --help`); see bench/ACCURACY.md.
"""
