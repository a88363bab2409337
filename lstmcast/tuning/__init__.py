"""`lstmcast tune`: an Optuna study over config keys (space.py), each trial an ordinary seeded
fit or refitting backtest (objective.py), run by one or many workers sharing the study's
storage (study.py), ending in the best config as a YAML `train` accepts unchanged."""
