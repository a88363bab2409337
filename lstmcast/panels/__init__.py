"""Many series, one global model: the one seam for panels (data.series_id or layout: wide).

prepare -> train (fit_model, unchanged) -> evaluate (metrics per series and aggregated)
-> forecast (every series in one batch, one long CSV). The single-series path does not know
panels exist; the CLI sends a panel run here."""
