"""`lstmcast promote RUN --as NAME`: put an accepted run in production under a stable name."""

from __future__ import annotations

from typing import Annotated

import typer

from lstmcast.cli.options import DebugFlag, JsonFlag, QuietFlag
from lstmcast.cli.output import print_json, reported_errors, say, warn, wrote


def promote(
    run: Annotated[
        str, typer.Argument(help="The run folder to put in production.", show_default=False)
    ],
    name: Annotated[
        str,
        typer.Option(
            "--as",
            help="The stable name: NAME/current (beside RUN, or a path) becomes a link to RUN.",
            show_default=False,
        ),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Promote a run that failed its gate anyway.")
    ] = False,
    json_output: JsonFlag = False,
    quiet: QuietFlag = False,
    debug: DebugFlag = False,
) -> None:
    """Point NAME/current at RUN atomically, so `forecast NAME/current` in a crontab follows
    every promotion without editing; refuses a run that is incomplete or failed `train --gate`
    (exit 9). The history is appended to NAME/promotions.log."""
    from pathlib import Path

    from lstmcast.workflows.promote import promote as point

    with reported_errors(debug=debug, json_output=json_output):
        result = point(Path(run), name, force=force)
    wrote(result["current"])
    if json_output:
        print_json(result)
        return
    for message in result["warnings"]:
        warn(message)
    was = f" (was {result['previous']})" if result["previous"] else ""
    say(f"{result['current']} -> {result['run']}{was}", quiet=quiet)
    if result["registry"] is not None:
        say(f"MLflow registry: {result['registry']} -> {result['run_id']}", quiet=quiet)
