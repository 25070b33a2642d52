"""Judges payloads with python-jsonschema (Draft 2020-12, every error, formats asserted).

Reads the cases file named on the command line, a JSON array of {"schema": path, "payload": JSON
text}, and prints one {"valid", "pointers"} per case.
"""
import json
import sys

from jsonschema import Draft202012Validator

validators = {}


def validator(path):
    if path not in validators:
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        Draft202012Validator.check_schema(schema)
        validators[path] = Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
    return validators[path]


def pointer(error):
    return "".join(
        "/" + str(part).replace("~", "~0").replace("/", "~1") for part in error.absolute_path
    )


def judge(case):
    try:
        value = json.loads(case["payload"])
    except ValueError:
        return {"valid": False, "pointers": [""]}
    errors = list(validator(case["schema"]).iter_errors(value))
    return {"valid": not errors, "pointers": [pointer(e) for e in errors]}


with open(sys.argv[1], encoding="utf-8") as f:
    cases = json.load(f)
json.dump([judge(case) for case in cases], sys.stdout)
