"""Experiment config: the pydantic schema and the YAML loader. No TensorFlow here."""

from lstmcast.config.load import load_experiment
from lstmcast.config.schema import Experiment

__all__ = ["Experiment", "load_experiment"]
