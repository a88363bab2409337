"""Start-up time of the commands that never import TensorFlow, beside `import typer` itself,
and of one that does, beside `import tensorflow`.

    python -m bench.startup [ROUNDS]        (make bench-startup)

Each command runs ROUNDS times (default 7), the commands alternating so that machine noise
falls on all of them alike; the table gives the median wall time and its ratio to
`python -c "import typer"`, the floor any Typer CLI pays, and shows a two-command Typer app's
own `--help` (Typer renders help with rich) beside it. `lstmcast evaluate RUN` (TensorFlow
loaded, a small run scored) is set beside a bare `import tensorflow`, which also imports what
Keras finds installed (scikit-learn with the mlflow extra, pyplot) and lstmcast leaves out.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.forecast_latency import RUN, train_once

REPO = Path(__file__).resolve().parents[1]
TWO_COMMAND_APP = """
import typer
app = typer.Typer()
@app.command()
def hello(name: str = "you") -> None:
    \"\"\"Say hello.\"\"\"
@app.command()
def bye() -> None:
    \"\"\"Say goodbye.\"\"\"
app()
"""
COMMANDS = {
    'python -c "import typer"': [sys.executable, "-c", "import typer"],
    "a two-command Typer app --help": [sys.executable, "-c", TWO_COMMAND_APP, "--help"],
    "lstmcast --help": [sys.executable, "-m", "lstmcast", "--help"],
    "lstmcast train --help": [sys.executable, "-m", "lstmcast", "train", "--help"],
    "lstmcast schema": [sys.executable, "-m", "lstmcast", "schema"],
    "lstmcast validate configs/air_passengers.yaml": [
        sys.executable, "-m", "lstmcast", "validate", "configs/air_passengers.yaml", "-q",
    ],
    "lstmcast init sample_data/air_passengers.csv -o -": [
        sys.executable, "-m", "lstmcast", "init", "sample_data/air_passengers.csv", "-o", "-",
        "-q",
    ],
    "lstmcast info RUN": [sys.executable, "-m", "lstmcast", "info", str(RUN)],
}  # fmt: skip
WITH_TENSORFLOW = {
    'python -c "import tensorflow"': [sys.executable, "-c", "import tensorflow"],
    "lstmcast evaluate RUN": [sys.executable, "-m", "lstmcast", "evaluate", str(RUN), "-q"],
}


def main(rounds: int) -> None:
    train_once()  # the run folder `info` and `evaluate` read (forecast latency's)
    table(COMMANDS, rounds, "import typer")
    print()
    table(WITH_TENSORFLOW, rounds, "import tensorflow")


def table(commands: dict[str, list[str]], rounds: int, floor_name: str) -> None:
    """Each command's median wall time over `rounds`, and its ratio to the first one's."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, cwd=REPO, check=True, capture_output=True)
            times[name].append(time.perf_counter() - started)
    floor = statistics.median(next(iter(times.values())))
    print(f"| command | median wall s ({rounds} runs) | x {floor_name} |")
    print("|---|---:|---:|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| `{name}` | {median:.3f} | {median / floor:.2f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
