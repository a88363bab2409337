"""The README's "Results on the bundled series" table, regenerated: each config trained with
its seed through the real CLI, one after another, the machine and what makes figures differ
between machines said beside the table.

    python -m bench.readme_results        (make readme-results; about 7 minutes on 2 cores)

Two CPU runs on one machine give bit-identical figures. Another machine with the same library
versions may differ in the second or third decimal: oneDNN and Eigen choose their kernels by
the CPU's instruction set (AVX2, AVX-512, AMX), and the number of threads changes the order in
which sums are reduced; either changes the last bits of every step, and training follows them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.results_page import machine

REPO = Path(__file__).resolve().parents[1]
ROWS = {  # config -> what the series is, as the table says it
    "air_passengers": "monthly, 144 rows",
    "taylor": "half-hourly, 4,032 rows",
    "vic_elec": "half-hourly, 52,608 rows, 3 columns",
    "goog_trading_days": "trading days (`B`), 1,258 rows",
    "bank_calls": "5-minute business hours (`sessions`), 5,070 rows",
}


def instruction_sets() -> str:
    """The vector extensions that decide which kernels oneDNN and Eigen run."""
    flags = next(
        (line.split(":", 1)[1].split() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("flags")),
        [],
    )  # fmt: skip
    shown = [
        flag for flag in ("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile") if flag in flags
    ]
    return ", ".join(shown) or "none of AVX2/AVX-512/AMX"


def train(name: str, folder: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "lstmcast", "train", f"configs/{name}.yaml", "--json", "-q",
         "--set", f"output.run_dir={folder / name}"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{name}: train exited {done.returncode}: {done.stderr.strip()}")
    return json.loads(done.stdout)


def row(name: str, result: dict) -> str:
    evaluation = result["evaluation"]
    overall, model = evaluation["overall"], evaluation["model"]
    scores = [overall[method]["mase"] for method in (model, "seasonal_naive", "naive")]
    best = min(scores)
    cells = [f"**{value:.3f}**" if value == best else f"{value:.3f}" for value in scores]
    share = (result.get("blend") or {}).get("share")
    blend = "-" if share is None else f"{share:.2f}"
    seconds = result["seconds"]
    wall = f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"
    windows = f"{evaluation['num_windows']:,} x {evaluation['horizon']} steps"
    return (
        f"| `configs/{name}.yaml` | {ROWS[name]} | {windows} | {' | '.join(cells)} | {blend} | "
        f"{wall} |"
    )


def main() -> None:
    lines = [
        "| config | series | test windows | LSTM | seasonal naive | naive | blend | train wall "
        "time |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory(prefix="lstmcast-readme-") as folder:
        for name in ROWS:
            print(f"training {name} ...", file=sys.stderr, flush=True)
            lines.append(row(name, train(name, Path(folder))))
    print("\n".join(lines))
    print(
        f"\nMachine: {machine()}; instruction sets {instruction_sets()}; {os.cpu_count()} threads."
    )


if __name__ == "__main__":
    main()
