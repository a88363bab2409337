"""Metrics, naive baselines, and the test-split evaluation that puts them side by side."""
