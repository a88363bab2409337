"""A year of cron on one series or a panel, the policies side by side from the same start:
never retrain, retrain from scratch every step, update every step (`lstmcast update`, one
policy per --epochs given), each as the user runs it, with real subprocesses.

    python -m bench.update_year [--config configs/vic_elec.yaml] [--steps 52] [--epochs 10 [3]]
    python -m bench.update_year --config configs/tourism_panel.yaml --steps 8
    python -m bench.update_year --steps 52 --epochs 1 --workdir bench/results/year-vic_elec
    python -m bench.update_year --steps 52 --epochs 1 --workdir ... --so-far

With --workdir the year's state is saved after every step and a second run with the same
arguments resumes it (a year of vic_elec takes about three hours on 2 cores); --so-far scores
the steps finished so far without running more.

A step is a week of rows for data recorded within the day (vic_elec, half-hourly: 52 steps are
a year), else one period (tourism, quarterly: 4 steps are a year), cut at one timestamp for
every series. The first run trains on the rows before the first step; then at every step each
policy forecasts the next horizon from the rows up to now with `forecast --log`, a step of rows
arrives, and the policy retrains or updates (or not) on everything up to then. At the end
`evaluate --history` scores each policy's log against the actuals: live MASE over the year
(every log on the first run's MASE scale, so the policies compare directly), seasonal naive's
on the same cells, and the CPU seconds a step each policy spent in training. The table goes to
stdout and bench/results/update-year-CONFIG.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


def policies(epochs: list[int]) -> list[str]:
    """never, retrain, and one update policy per epoch count: update (one count) or update3."""
    updates = ["update"] if len(epochs) == 1 else [f"update{n}" for n in epochs]
    return ["never", "retrain", *updates]


def lstmcast(*args: object, cwd: Path) -> tuple[str, float]:
    """(stdout, CPU seconds of the child) of one command; exits on failure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-m", "lstmcast", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True)  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"lstmcast {args[0]} failed: {done.stderr.strip()[-600:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.stdout, cpu


def copied(config: Path) -> str:
    """The config as the benchmark runs it: reading data.csv, writing runs/first."""
    raw = yaml.safe_load(config.read_text())
    raw["data"]["path"] = "data.csv"
    raw["output"] = {**raw.get("output", {}), "run_dir": "runs/first"}
    return yaml.safe_dump(raw)


def setup(folder: Path, config: Path, history: pd.DataFrame) -> None:
    """The config copied beside the data; the first run trained."""
    (folder / "config.yaml").write_text(copied(config))
    history.to_csv(folder / "data.csv", index=False)
    lstmcast("train", "config.yaml", "--overwrite", "-q", cwd=folder)


class Cuts:
    """The data as it stood at each step: every series' rows up to one timestamp."""

    def __init__(self, frame: pd.DataFrame, timestamp: str, steps: int) -> None:
        self.frame = frame
        self.stamps = pd.to_datetime(frame[timestamp], utc=True)
        moments = self.stamps.drop_duplicates().sort_values().reset_index(drop=True)
        self.moments, self.size = moments, _stamps_a_step(moments)
        self.start = len(moments) - steps * self.size

    def upto(self, step: int) -> pd.DataFrame:
        """The rows known before step `step` arrives (0: the first run's)."""
        return self.frame[self.stamps <= self.moments[self.start + step * self.size - 1]]


def run_year(config: Path, steps: int, epochs: list[int], folder: Path) -> tuple[dict, float]:
    """Every step from where `folder` stands (a fresh start when it holds none) to the end: each
    policy's scores, and the wall seconds the year took over all its sessions."""
    data = yaml.safe_load(config.read_text())["data"]
    frame = pd.read_csv((config.parent / data["path"]).resolve())
    cuts = Cuts(frame, data.get("timestamp", "timestamp"), steps)
    names = policies(epochs)
    progress = Progress.resumed(folder, config, steps, epochs)
    if progress is None:
        started = time.perf_counter()
        folder.mkdir(parents=True, exist_ok=True)
        frame.to_csv(folder / "actuals.csv", index=False)
        setup(folder, config, cuts.upto(0))
        progress = Progress.started(folder, config, steps, epochs, names)
        progress.since = started
    updates = dict(zip(names[2:], epochs, strict=True))
    for step in range(progress.step, steps):
        cuts.upto(step).to_csv(folder / "data.csv", index=False)
        for policy in names:
            lstmcast("forecast", progress.current[policy], "--input", "data.csv", "--log",
                     f"{policy}.csv", "-o", "/dev/null", "-q", cwd=folder)  # fmt: skip
        cuts.upto(step + 1).to_csv(folder / "data.csv", index=False)
        if step < steps - 1:
            retrain(folder, step, progress)
            for policy, count in updates.items():
                update(folder, step, policy, count, progress)
        progress.done(step)
        print(f"step {step + 1}/{steps}", file=sys.stderr, flush=True)
    found = {policy: scored_log(folder, policy, progress.cpu[policy] / max(steps - 1, 1))
             for policy in names}  # fmt: skip
    return found, progress.state["seconds"]


def run_at(policy: str, step: int) -> str:
    """The run folder a policy forecasts from at `step` (the first run's until its first
    retrain or update)."""
    if policy == "never" or step == 0:
        return "runs/first"
    return f"runs/r{step}" if policy == "retrain" else f"runs/{policy}-{step}"


def retrain(folder: Path, step: int, progress: Progress) -> None:
    retrained = run_at("retrain", step + 1)
    _, seconds = lstmcast("train", "config.yaml", "--set", f"output.run_dir={retrained}",
                          "--overwrite", "-q", cwd=folder)  # fmt: skip
    progress.cpu["retrain"] += seconds
    progress.current["retrain"] = retrained


def update(folder: Path, step: int, policy: str, epochs: int, progress: Progress) -> None:
    updated = run_at(policy, step + 1)
    _, seconds = lstmcast("update", progress.current[policy], "-i", "data.csv", "--epochs", epochs,
                          "--output-run", updated, "--overwrite", "-q", cwd=folder)  # fmt: skip
    progress.cpu[policy] += seconds
    progress.current[policy] = updated


class Progress:
    """Where a year stands, saved after every step so that a benchmark of hours survives a stop:
    the next step, each policy's current run and CPU seconds so far, and the length of each
    policy's forecast log then (a step cut short may have logged; resuming cuts it back), and
    the wall seconds spent so far."""

    FILE = "progress.json"

    def __init__(self, folder: Path, state: dict) -> None:
        self.folder, self.state, self.since = folder, state, time.perf_counter()
        self.step, self.current, self.cpu = state["step"], state["current"], state["cpu"]

    @classmethod
    def started(cls, folder: Path, config: Path, steps: int, epochs: list[int],
                names: list[str]) -> Progress:  # fmt: skip
        state = {"config": str(config.resolve()), "steps": steps, "epochs": epochs, "step": 0,
                 "current": dict.fromkeys(names, "runs/first"), "cpu": dict.fromkeys(names, 0.0),
                 "log_bytes": dict.fromkeys(names, 0)}  # fmt: skip
        progress = cls(folder, state)
        progress.save()
        return progress

    @classmethod
    def resumed(cls, folder: Path, config: Path, steps: int, epochs: list[int]) -> Progress | None:
        path = folder / cls.FILE
        if not path.exists():
            return None
        state = json.loads(path.read_text())
        asked = {"steps": steps, "epochs": epochs}
        same = (folder / "config.yaml").read_text() == copied(config)
        if not same or {key: state[key] for key in asked} != asked:
            sys.exit(f"{folder} holds another benchmark ({path}); give another --workdir")
        for policy, size in state["log_bytes"].items():
            log = folder / f"{policy}.csv"
            if log.exists():
                with log.open("r+b") as handle:
                    handle.truncate(size)
        print(f"resuming {folder} at step {state['step'] + 1}", file=sys.stderr, flush=True)
        return cls(folder, state)

    def done(self, step: int) -> None:
        self.step = self.state["step"] = step + 1
        now = time.perf_counter()
        self.state["seconds"] = self.state.get("seconds", 0.0) + now - self.since
        self.since = now
        self.state["log_bytes"] = {policy: _size(self.folder / f"{policy}.csv")
                                   for policy in self.current}  # fmt: skip
        self.save()

    def save(self) -> None:
        scratch = self.folder / f"{self.FILE}.part"
        scratch.write_text(json.dumps(self.state, indent=1))
        scratch.replace(self.folder / self.FILE)


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _stamps_a_step(moments: pd.Series) -> int:
    """A step of timestamps for data recorded within the day, else one."""
    step = moments.iloc[1] - moments.iloc[0]
    return int(pd.Timedelta(days=7) / step) if step < pd.Timedelta(days=1) else 1


def scored_log(
    folder: Path, policy: str, cpu_a_step: float | None, log_bytes: int | None = None
) -> dict:
    """The policy's log (its first `log_bytes`, the steps finished, when given) scored by
    `evaluate --history` against the first run, so every policy is on the same MASE scale (the
    first run's training part)."""
    log = f"{policy}.csv"
    if log_bytes is not None:
        log = f"so-far-{policy}.csv"
        with (folder / f"{policy}.csv").open("rb") as whole:
            (folder / log).write_bytes(whole.read(log_bytes))
    out, _ = lstmcast("evaluate", "runs/first", "--history", log, "--actuals", "actuals.csv",
                      "--json", cwd=folder)  # fmt: skip
    return {"live": json.loads(out)["overall"], "cpu_a_step": cpu_a_step}


def so_far(folder: Path) -> tuple[dict, float, int]:
    """The steps `folder` has finished, scored without running more (a year still running, or
    stopped): each policy's scores, the wall seconds so far and the steps done."""
    state = json.loads((folder / Progress.FILE).read_text())
    done = state["step"]
    trainings = max(min(done, state["steps"] - 1), 1)  # the last step trains nothing
    found = {policy: scored_log(folder, policy, state["cpu"][policy] / trainings, size)
             for policy, size in state["log_bytes"].items()}  # fmt: skip
    return found, state["seconds"], done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=REPO / "configs" / "vic_elec.yaml")
    parser.add_argument(
        "--steps",
        "--weeks",
        type=int,
        default=52,
        dest="steps",
        help="steps from the first run to the end of the data (52 weeks of vic_elec)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        nargs="+",
        default=[10],
        help="update's --epochs; several give one update policy each",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where the year's runs and logs live; run again with the same one to resume "
        "(default: a new temporary folder)",
    )
    parser.add_argument(
        "--so-far",
        action="store_true",
        help="score the steps --workdir has finished, without running more",
    )
    args = parser.parse_args()
    folder = args.workdir or Path(tempfile.mkdtemp(prefix="update-year-"))
    if args.so_far:
        found, seconds, done = so_far(folder)
        scope = f"the first {done} of {args.steps} steps, "
    else:
        (found, seconds), scope = run_year(args.config, args.steps, args.epochs, folder), ""
    command = f"`python -m bench.update_year {' '.join(sys.argv[1:])}`"
    heading = ["# A year of cron (bench/update_year.py)", "",
               f"{command}: {scope}{seconds:.0f} s on this machine."]  # fmt: skip
    publish(heading, found, f"update-year-{args.config.stem}")


def publish(heading: list[str], found: dict, name: str) -> None:
    """The policies' live scores (and training CPU, when measured) under `heading`: printed and
    written to bench/results/NAME.md."""
    cpu = all(result["cpu_a_step"] is not None for result in found.values())
    columns = ["policy", "live MASE", "seasonal naive", *(["training CPU s a step"] if cpu else [])]
    lines = [*heading, "", f"| {' | '.join(columns)} |", "|---|" + "---:|" * (len(columns) - 1)]
    for policy, result in found.items():
        live = result["live"]
        cells = [policy, f"{live['mase']:.3f}", f"{live['seasonal_naive_mase']:.3f}"]
        cells += [f"{result['cpu_a_step']:.0f}"] if cpu else []
        lines.append(f"| {' | '.join(cells)} |")
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text)


if __name__ == "__main__":
    main()
