"""The `lstmcast` command: the only layer that knows Typer, Rich and exit codes."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from lstmcast import __version__
from lstmcast.cli.backtest import backtest
from lstmcast.cli.evaluate import evaluate
from lstmcast.cli.forecast import forecast
from lstmcast.cli.info import info
from lstmcast.cli.init import init
from lstmcast.cli.output import fail, log_to, reported_errors
from lstmcast.cli.promote import promote
from lstmcast.cli.report import report
from lstmcast.cli.schema import schema
from lstmcast.cli.train import train
from lstmcast.cli.tune import tune
from lstmcast.cli.update import update
from lstmcast.cli.validate import validate
from lstmcast.errors import STOP_SIGNALS, ExitCode, Interrupted, exit_codes_help

app = typer.Typer(
    name="lstmcast",
    help="Forecast time series with LSTMs described in a YAML file.\n\n"
    "init CSV -> validate CONFIG -> train CONFIG -> evaluate RUN -> forecast RUN; backtest "
    "RUN|CONFIG; report RUN; update RUN --input NEW; promote RUN --as NAME; tune CONFIG. "
    "--json on every command; "
    f"cron contract in docs/production.md. Exit codes: {exit_codes_help()}.",
    rich_markup_mode=None,  # help text is plain: '[plot]' in pip install 'lstmcast[plot]' stays
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"lstmcast {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    context: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    log_file: Annotated[
        Path | None,
        typer.Option(
            "--log-file",
            help="Also append every message (progress, warnings, errors) to this file, one "
            "timestamped line each, --quiet or not; rotate it with logrotate.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Forecast time series with LSTMs described in a YAML file."""
    with reported_errors(json_output="--json" in sys.argv[1:]):
        log_to(log_file, context.invoked_subcommand)


app.command("init")(init)
app.command("validate")(validate)
app.command("train")(train)
app.command("update")(update)
app.command("evaluate")(evaluate)
app.command("forecast")(forecast)
app.command("backtest")(backtest)
app.command("report")(report)
app.command("promote")(promote)
app.command("tune")(tune)
app.command("info")(info)
app.command("schema")(schema)


def main() -> None:
    """Run the command; a usage error (unknown flag or command, missing argument) is one
    `error:` line and exit 2, like every other failure, instead of Click's usage block."""
    for stop in STOP_SIGNALS:  # cron, systemd and `timeout` stop a job with these
        signal.signal(stop, _interrupt)
    try:
        code = app(standalone_mode=False)
    except typer.Abort:  # Ctrl-C or end of input outside a command's own handling
        _fail("interrupted; nothing was written", ExitCode.INTERRUPTED)
    except Exception as err:
        if not _is_click_error(err):
            raise
        message = err.format_message()  # type: ignore[attr-defined]
        if type(err).__name__ == "NoArgsIsHelpError":  # `lstmcast` alone: the help, as asked
            print(message, file=sys.stderr)
        else:
            context = getattr(err, "ctx", None)
            where = context.command_path if context is not None else "lstmcast"
            _fail(f"{message.rstrip('.')} (see '{where} --help')", err.exit_code)  # type: ignore[attr-defined]
        sys.exit(err.exit_code)  # type: ignore[attr-defined]
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> None:
    """One error line (and, with --json anywhere on the line, the error document)."""
    with reported_errors(json_output="--json" in sys.argv[1:]):
        try:
            fail(message, code)
        except typer.Exit as stop:
            sys.exit(stop.exit_code)


def _interrupt(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def _is_click_error(err: Exception) -> bool:
    """Click's own errors (Typer vendors Click privately, so matched by what they carry):
    a usage error has exit code 2 and formats its message."""
    return isinstance(getattr(err, "exit_code", None), int) and hasattr(err, "format_message")
