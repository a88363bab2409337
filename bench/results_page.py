"""`make bench`: every speed and memory benchmark in one command, written to bench/RESULTS.md
with the machine, the library versions and the command behind each table.

    python -m bench.results_page        (make bench; about 20 minutes on 2 cores)

Each benchmark runs in its own process, one after another, and prints its own side-by-side
ratios; this page only gathers them. The accuracy benchmark has its own page
(bench/ACCURACY.md, `make bench-accuracy`, over an hour).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "bench" / "RESULTS.md"
BENCHMARKS = {
    "Forecast latency: Keras against the run's ONNX export (target 3)": [
        "-m", "bench.forecast_latency", "5",
    ],
    "Start-up of the commands that never import TensorFlow (target 4)": ["-m", "bench.startup"],
    "Prediction throughput: evaluate's predictions against a bare model.predict (target 5)": [
        "-m", "bench.prediction_throughput",
    ],
    "Training overhead: lstmcast train against hand-written Keras (target 2)": [
        "-m", "bench.training_overhead",
    ],
    "Window memory: lazy windows against materialised copies": ["bench/windows_memory.py"],
    "Long series end to end: 1M, 5M and 20M rows x 8 columns (target 1)": [
        "-m", "bench.long_series",
    ],
    "Beyond one machine: two workers, the whole file each or their own files": [
        "-m", "bench.worker_files",
    ],
}  # fmt: skip
NOT_YET = """## Not measured

- Training overhead on a GPU: no GPU with TensorFlow is available to this project.
"""
PACKAGES = ("tensorflow", "keras", "numpy", "pandas", "onnxruntime", "tf2onnx", "pyarrow")


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown CPU",
    )  # fmt: skip
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )  # fmt: skip
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return (
        f"{os.cpu_count()} x {cpu}, {memory_kb / 2**20:.0f} GiB, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; " + ", ".join(versions)
    )


def main() -> None:
    started = datetime.now(timezone.utc).isoformat(timespec="minutes")
    sections = []
    for title, args in BENCHMARKS.items():
        print(f"{title} ...", file=sys.stderr)
        clock = time.perf_counter()
        done = subprocess.run(
            [sys.executable, *args], cwd=REPO, check=True, capture_output=True, text=True
        )
        seconds = time.perf_counter() - clock
        command = "python " + " ".join(args)
        sections.append(f"## {title}\n\n`{command}` ({seconds:.0f} s)\n\n{done.stdout.strip()}\n")
    page = (
        f"# Speed and memory benchmarks\n\nWritten by `make bench` ({started}).\n\n"
        f"Machine: {machine()}.\n\n" + "\n".join(sections) + "\n" + NOT_YET
    )
    PAGE.write_text(page, encoding="utf-8")
    print(page)


if __name__ == "__main__":
    main()
