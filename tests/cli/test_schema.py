"""`lstmcast schema`: a JSON Schema every shipped config satisfies, printed without TensorFlow."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
import yaml

from tests.helpers.data import CONFIGS
from tests.helpers.program import ENV, lstmcast


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    result = lstmcast("schema", cwd=tmp_path_factory.mktemp("schema"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("config", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_config_satisfies_the_schema(schema, config):
    jsonschema.validate(yaml.safe_load(config.read_text()), schema)


def test_a_misspelt_key_breaks_the_schema(schema):
    config = {"data": {"path": "x.csv", "target": "y"}, "windows": {"horizon": 2, "lookbak": 4}}
    with pytest.raises(jsonschema.ValidationError, match="'lookbak' was unexpected"):
        jsonschema.validate(config, schema)


def test_schema_imports_no_tensorflow():
    code = (
        "import sys; from lstmcast.cli.schema import schema; schema(); "
        "print('tensorflow' in sys.modules or 'keras' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    assert done.stderr.strip() == "False"
