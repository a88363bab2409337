"""lstmcast: YAML-configured LSTM forecasting from the command line.

Importing the package imports nothing heavy; TensorFlow loads only inside the commands that train,
evaluate or forecast.
"""

__version__ = "0.1.0"

SHOW_TF_LOGS = "LSTMCAST_TF_LOGS"
"""Set to 1 (by --verbose or --debug) before TensorFlow loads: its own log lines reach stderr."""
