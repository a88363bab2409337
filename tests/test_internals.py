"""The private TensorFlow/Keras names lstmcast patches or reads exist in the installed
versions. This fails loudly the day an upgrade removes one: fix lstmcast/internals.py then."""

from __future__ import annotations

import json

import pytest

from lstmcast import internals
from lstmcast.errors import ConfigError
from lstmcast.runtime import import_tensorflow
from tests.helpers.data import REPO

import_tensorflow()


def test_every_private_name_lstmcast_uses_exists():
    assert internals.missing_names() == []


def test_a_missing_name_is_a_config_error_naming_versions_and_setting(monkeypatch):
    monkeypatch.setitem(internals.PRIVATE_NAMES, "keras.Model", ("_no_such_method",))
    with pytest.raises(ConfigError) as raised:
        internals.require("keras.Model", setting="training.distribution")
    message = str(raised.value)
    assert message.startswith("training.distribution needs keras.Model._no_such_method, which ")
    assert "Keras 3." in message and "keras==" in message and "tensorflow==" in message


def test_backup_epoch_reads_keras_metadata_and_falls_back_to_zero(tmp_path):
    assert internals.backup_epoch(tmp_path) == 0  # nothing saved yet
    (tmp_path / internals.BACKUP_METADATA).write_text(json.dumps({"epoch": 7}))
    assert internals.backup_epoch(tmp_path) == 7
    (tmp_path / internals.BACKUP_METADATA).write_text("{not json")
    assert internals.backup_epoch(tmp_path) == 0  # a format Keras changed: start over


def test_backup_and_restore_writes_the_metadata_file_lstmcast_reads(tmp_path):
    """Keras's BackupAndRestore itself, one epoch: its file name and key are what we read."""
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    backup = keras.callbacks.BackupAndRestore(str(tmp_path), delete_checkpoint=False)
    model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=2, callbacks=[backup], verbose=0)
    assert internals.backup_epoch(tmp_path) == 2


def test_known_good_versions_are_the_installed_ones_or_documented():
    import keras
    import tensorflow as tf

    readme = (REPO / "README.md").read_text()
    for package, version in internals.KNOWN_GOOD.items():
        assert f"{package} {version}" in readme.lower() or f"{package}=={version}" in readme
    assert keras.__version__.startswith("3.") and tf.__version__.startswith("2.")
