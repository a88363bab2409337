"""lstmcast: YAML-configured LSTM forecasting from the command line.

Importing the package imports nothing heavy; TensorFlow loads only inside the commands that train,
evaluate or forecast.
"""

__version__ = "0.1.0"
