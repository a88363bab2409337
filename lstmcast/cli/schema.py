"""`lstmcast schema`: the config's JSON Schema, for editors that complete and check YAML."""

from __future__ import annotations

import json
import sys

from lstmcast.cli.options import DebugFlag, JsonFlag
from lstmcast.cli.output import print_json, reported_errors


def schema(json_output: JsonFlag = False, debug: DebugFlag = False) -> None:
    """Print the JSON Schema of the experiment config on stdout.

    Save it and point your editor at it; with the YAML language server, the first line of a
    config `# yaml-language-server: $schema=lstmcast.schema.json` turns on completion, the
    descriptions of every key and checks as you type. Never imports TensorFlow. With --json,
    the schema is the `schema` key of the envelope every command's --json shares.
    """
    from lstmcast.config.schema import Experiment

    with reported_errors(debug=debug, json_output=json_output):
        document = Experiment.model_json_schema()
        document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        document["title"] = "lstmcast experiment"
    if json_output:
        print_json({"schema": document})
        return
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
