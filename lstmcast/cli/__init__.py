"""The `lstmcast` command: the only layer that knows Typer, Rich and exit codes."""

from __future__ import annotations

from typing import Annotated

import typer

from lstmcast import __version__
from lstmcast.cli.backtest import backtest
from lstmcast.cli.evaluate import evaluate
from lstmcast.cli.forecast import forecast
from lstmcast.cli.report import report
from lstmcast.cli.train import train
from lstmcast.cli.validate import validate
from lstmcast.errors import exit_codes_help

app = typer.Typer(
    name="lstmcast",
    help="Forecast time series with LSTMs described in a YAML file.\n\n"
    "validate CONFIG -> train CONFIG -> evaluate RUN -> forecast RUN; backtest RUN|CONFIG; "
    f"report RUN. Exit codes: {exit_codes_help()}.",
    rich_markup_mode=None,  # help text is plain: '[plot]' in pip install 'lstmcast[plot]' stays
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"lstmcast {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Forecast time series with LSTMs described in a YAML file."""


app.command("validate")(validate)
app.command("train")(train)
app.command("evaluate")(evaluate)
app.command("forecast")(forecast)
app.command("backtest")(backtest)
app.command("report")(report)


def main() -> None:
    app()
