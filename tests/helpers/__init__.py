"""Helpers shared by test modules: synthetic series, tiny configs, the real program as a
subprocess, and tiny models. Fixtures stay in conftest.py; test modules import from here."""
