"""One module per command's job, written once for one series and many: train, evaluate,
score (issued forecasts against what happened), forecast, backtest, promote (with the gate)."""
