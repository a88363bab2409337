"""The plain hand-written Keras LSTM people start with, as the reference to beat.

Two LSTM(64) layers, a dense head for all H steps, standard scaling fitted on the training
rows, MSE, Adam (1e-3), batch 32, early stopping (patience 10, best weights), at most 100
epochs: the same lookback, validation rows and epoch budget lstmcast gets.
"""

from __future__ import annotations

import numpy as np

from bench.accuracy.suite import Task

EPOCHS = 100
PATIENCE = 10
BATCH_SIZE = 32


def _windows(values: np.ndarray, first_targets: np.ndarray, lookback: int, horizon: int):
    inputs = np.stack([values[t - lookback : t] for t in first_targets])[..., None]
    targets = np.stack([values[t : t + horizon] for t in first_targets])
    return inputs.astype("float32"), targets.astype("float32")


def forecast_keras_lstm(task: Task, *, lookback: int, seed: int) -> np.ndarray:
    import keras

    keras.utils.set_random_seed(seed)
    spec = task.spec
    horizon, train_end = spec.horizon, task.history_end - spec.validation
    mean, std = task.values[:train_end].mean(), task.values[:train_end].std()
    scaled = (task.values - mean) / std
    # A window belongs to the part holding its whole horizon; inputs may reach back.
    train = _windows(scaled, np.arange(lookback, train_end - horizon + 1), lookback, horizon)
    validation = _windows(
        scaled, np.arange(train_end, task.history_end - horizon + 1), lookback, horizon
    )
    model = keras.Sequential(
        [
            keras.Input((lookback, 1)),
            keras.layers.LSTM(64, return_sequences=True),
            keras.layers.LSTM(64),
            keras.layers.Dense(horizon),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    model.fit(
        *train,
        validation_data=validation,
        epochs=EPOCHS,
        batch_size=BATCH_SIZE,
        callbacks=[keras.callbacks.EarlyStopping(patience=PATIENCE, restore_best_weights=True)],
        verbose=0,
    )
    inputs, _ = _windows(scaled, task.origins + 1, lookback, 0)  # inputs end at each origin
    return model.predict(inputs, verbose=0).astype("float64") * std + mean
