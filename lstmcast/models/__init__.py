"""build_model(experiment, ...) -> keras.Model: a recurrent encoder (encoder.py) under one of
three output strategies (direct.py, seq2seq.py, recursive.py), with optional attention.

Importing this package imports Keras: only training, evaluation and forecasting do, never the
CLI's start-up path. Call runtime.import_tensorflow() first to keep start-up logs quiet.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from lstmcast.config.schema import ResolvedExperiment

if TYPE_CHECKING:
    import keras


def build_model(
    experiment: ResolvedExperiment,
    *,
    num_features: int,
    batch_size: int | None = None,
    use_cudnn: bool | Literal["auto"] = "auto",
    series_count: int = 0,
    season_length: int = 1,
    blend: bool | None = None,
) -> keras.Model:
    """The configured architecture for windows of `num_features` columns (observed columns,
    then those known in advance). A stateful model needs its `batch_size` (default: the
    training batch size); `use_cudnn=True` makes Keras raise instead of leaving cuDNN;
    `season_length` is what model.anchor and model.blend repeat; `blend` overrides whether
    the model ends in a blend (rebuilding a trained model: whether it has one)."""
    from lstmcast.data.prepare import blends_seasonal_naive, check_season_fits, known_column_count
    from lstmcast.models.direct import build_direct
    from lstmcast.models.recursive import build_recursive
    from lstmcast.models.seq2seq import build_seq2seq
    from lstmcast.models.spec import ModelSpec

    spec = ModelSpec(
        config=experiment.model,
        lookback=experiment.windows.lookback,
        horizon=experiment.windows.horizon,
        num_features=num_features,
        observed=num_features - known_column_count(experiment),
        per_window=experiment.scaling.per_window,
        batch_size=(batch_size or experiment.training.batch_size)
        if experiment.model.stateful
        else None,
        use_cudnn=use_cudnn,
        # a panel's static columns are observed but constant: never shift them per window
        normalised=experiment.data.observed_columns if experiment.data.is_panel else None,
        season_length=season_length,
        blend=blends_seasonal_naive(experiment, season_length) if blend is None else blend,
        series_embedding=(series_count, experiment.model.series_embedding)
        if experiment.model.series_embedding
        else None,
    )
    check_season_fits(experiment, season_length)
    builders = {"direct": build_direct, "seq2seq": build_seq2seq, "recursive": build_recursive}
    builder = builders[experiment.model.output]
    if experiment.model.ensemble > 1:
        from lstmcast.models.ensemble import build_ensemble
        from lstmcast.models.spec import seasonal_blend

        # one blend after the members' median, so a quantile ensemble keeps its spread too
        members = replace(spec, blend=False)
        return build_ensemble(
            lambda name: builder(members, name=name),
            experiment.model.ensemble,
            blend=seasonal_blend(spec),
        )
    return builder(spec)


def load_model(path: str) -> keras.Model:
    """Load a saved `.keras` model with lstmcast's layers registered, in Keras's safe mode."""
    import keras

    # Imported for their registrations of lstmcast's layers and initialisers.
    from lstmcast.models import (  # noqa: F401
        ensemble,
        initializers,
        quantiles,
        recursive,
        seasonal,
        series_embedding,
        window_norm,
    )

    return keras.models.load_model(path, safe_mode=True, compile=False)
