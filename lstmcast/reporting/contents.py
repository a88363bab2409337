"""What a report shows, computed once from the run folder as the other commands compute it:
the test split's evaluation, a train-once backtest and the latest forecast, one series or
many (a workload either way), with the notes a reader should see."""

from __future__ import annotations

from dataclasses import dataclass

from lstmcast.artifacts import Run
from lstmcast.data.workload import Workload, prepare_workload
from lstmcast.errors import ConfigError
from lstmcast.evaluation.backtest import Backtest
from lstmcast.evaluation.evaluate import Evaluation, evaluate_workload
from lstmcast.evaluation.intervals import ConformalIntervals
from lstmcast.text import count_of
from lstmcast.workflows.backtest import train_once
from lstmcast.workflows.forecast import Forecast, forecast

SHOWN_WORST = 3
"""Series of many whose latest forecast a report draws: where the model does worst."""


@dataclass(frozen=True)
class Contents:
    run: Run
    workload: Workload
    evaluation: Evaluation
    backtest: Backtest | None
    forecast: Forecast | None
    notes: list[str]

    @property
    def shown(self) -> list[str]:
        """The series whose forecast is drawn: the one, or the worst few of many."""
        if not self.evaluation.keyed:
            return self.workload.ids
        return [row["series_id"] for row in self.evaluation.summary["worst"][:SHOWN_WORST]]


def gather(run: Run) -> Contents:
    """Evaluate, backtest (train once) and forecast the run; the model is read once."""
    workload = prepare_workload(run.experiment, state=run.preprocessing)
    intervals = ConformalIntervals.of_run(run)
    model = run.load_model()
    evaluation = evaluate_workload(model, [workload], intervals)
    notes: list[str] = intervals.warnings() if intervals is not None else []
    if workload.layout.skipped:
        skipped = len(workload.layout.skipped)
        notes.append(f"{count_of(skipped, 'series')} too short, left out")
    try:
        backtest: Backtest | None = train_once(
            run, run.experiment.backtest, workload=workload, model=model
        )
    except ConfigError as error:
        backtest = None
        notes.append(f"no backtest: {error}")
    latest = None
    if run.experiment.data.known:
        notes.append(
            "no latest forecast: the model reads known-future columns, which only a "
            "forecast --input with future rows provides"
        )
    else:
        latest = forecast(run, model=model)
        notes += latest.warnings
    return Contents(run, workload, evaluation, backtest, latest, notes)
