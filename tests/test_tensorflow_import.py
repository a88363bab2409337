"""TensorFlow's import leaves out what Keras would pull in for features lstmcast never uses,
and leaves those packages importable afterwards (MLflow needs scikit-learn)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lstmcast import SHOW_TF_LOGS

CHECK = """
import sys
from lstmcast.runtime import KERAS_EXTRAS, import_tensorflow
import_tensorflow()
print(sorted(name for name in KERAS_EXTRAS if name in sys.modules))
import sklearn, matplotlib.pyplot
print(sklearn.__name__, matplotlib.pyplot.__name__)
"""


@pytest.mark.parametrize("show_logs", ["0", "1"])
def test_keras_imports_without_its_optional_extras_which_still_import_later(show_logs):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    env = {**os.environ, SHOW_TF_LOGS: show_logs}
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "sklearn matplotlib.pyplot"]
