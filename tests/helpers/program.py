"""The real program as a user runs it: `python -m lstmcast` in a subprocess."""

from __future__ import annotations

import ast
import os
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO

ENV = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "NO_COLOR": "1", "COLUMNS": "200"}
ENV.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the program itself must keep TensorFlow quiet
TF_NOISE = ("absl::InitializeLog", "oneDNN", "cuda", "cpu_feature_guard", "I0000", "W0000")


def lstmcast(*args: object, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return _run(args, cwd=cwd, env=ENV, timeout=timeout)


def minimal(*args: object, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """The program as cron runs it: `env -i PATH=... HOME=...`, stdin from /dev/null, no
    terminal anywhere."""
    home = Path(tempfile.gettempdir()) / "lstmcast-test-home"  # Keras writes ~/.keras there
    home.mkdir(exist_ok=True)
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(home)}
    return _run(args, cwd=cwd, env=env, timeout=timeout, stdin=subprocess.DEVNULL)


def _run(
    args: tuple[object, ...],
    *,
    cwd: Path,
    env: dict[str, str],
    timeout: int,
    stdin: int | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lstmcast", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        stdin=stdin,
        timeout=timeout,
    )


def wait_for_line(stream: IO[str], prefix: str, *, timeout: float = 120) -> str:
    """Read `stream` until a line starts with `prefix` and return it; fail, rather than hang,
    after `timeout` seconds or when the stream ends first. The rest stays in the stream."""
    found: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in stream:
            if line.startswith(prefix):
                found.put(line)
                return
        found.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        line = found.get(timeout=timeout)
    except queue.Empty:
        raise AssertionError(f"no line starting {prefix!r} within {timeout:g}s") from None
    if line is None:
        raise AssertionError(f"the output ended before a line starting {prefix!r}")
    return line


def imports_tensorflow(*args: object) -> bool:
    """Whether `lstmcast ARGS`, run to its end in a fresh process, imported TensorFlow or
    Keras (the commands that must not pay for them)."""
    return bool(imported(("tensorflow", "keras"), *args))


def imported(modules: tuple[str, ...], *args: object) -> list[str]:
    """Which of `modules` `lstmcast ARGS`, run to its end in a fresh process, imported."""
    code = (
        "import sys; from lstmcast.cli import main; "
        f"sys.argv = ['lstmcast', *{[str(arg) for arg in args]!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print([name for name in {modules!r} if name in sys.modules], file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("["), done.stderr
    return ast.literal_eval(last)
