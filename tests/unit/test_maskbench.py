"""JSONSchemaBench (MaskBench) cases through `curator validate --schema`: real-world
schemas with LLM-written instances labelled valid or invalid.

Every file of the six copied groups runs (about 12 s in all): its schema goes to a file,
its instances to a JSONL file (one per line), and the CLI's JSON report must list exactly
the instances labelled invalid among its failures (by "line N") and pass every valid one.
A schema without instances must still be accepted (an empty file: exit 0, total 0).
Differences are listed, with the reason, in KNOWN_INSTANCES and KNOWN_SCHEMAS.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curator.validation import CompiledSchema
from tests.conftest import SHARED_DATA

DATA = SHARED_DATA / "jsonschemabench-maskbench" / "maskbench" / "data"
GROUPS = {  # group -> (files, files with instances, instances)
    "JME_": (100, 100, 100),
    "MCPspec---": (45, 44, 88),
    "BFCL_simple_": (346, 346, 346),
    "Glaiveai2K---": (1707, 1634, 2738),
    "Github_trivial---": (444, 365, 1231),
    "Github_easy---": (1943, 1789, 7252),
}

_DRAFT4_UUID = ("draft-04 schema with format 'uuid': uuid is a format only from 2019-09 on, "
                "so jsonschema-rs ignores it in a draft-04 schema (unknown formats are "
                "annotations); the benchmark's label expects it asserted")
_DRAFT4_IRI = ("draft-04 schema with format 'iri': iri is a format only from draft-07 on, "
               "so jsonschema-rs ignores it in a draft-04 schema; the benchmark's label "
               "expects it asserted")

# "file :: line N" -> reason (labelled invalid, but curator passes it)
KNOWN_INSTANCES: dict[str, str] = {
    "Github_easy---o73983.json :: line 2": _DRAFT4_UUID,  # guid "not-a-uuid"
    "Github_easy---o73983.json :: line 4": _DRAFT4_UUID,  # guid one digit short
    "Github_easy---o73993.json :: line 2": _DRAFT4_UUID,  # refId "Invalid UUID"
    "Github_easy---o73993.json :: line 4": _DRAFT4_UUID,  # refId "not-a-uuid"
    "Github_easy---o73993.json :: line 5": _DRAFT4_UUID,  # refId one digit short
    "Github_easy---o76630.json :: line 2": _DRAFT4_IRI,  # homePage "not-an-iri"
}

# file -> (reason, a phrase the CLI's message must contain); the CLI exits 2 for these
KNOWN_SCHEMAS: dict[str, tuple[str, str]] = {
    "Github_easy---o66201.json": (
        "the schema itself is invalid: an `enum` lists the same value twice, which the "
        "metaschema forbids (uniqueItems); the file has no instances",
        "at /properties/hook_name/enum the keyword 'uniqueItems' fails"),
}


def _cases(prefix: str) -> list[Path]:
    return sorted(DATA.glob(f"{prefix}*.json")) if DATA.is_dir() else []


@pytest.fixture
def maskbench(shared_data) -> Path:
    if not DATA.is_dir():
        pytest.skip(f"JSONSchemaBench data not found at {DATA}")
    return DATA


def _write_case(case: dict, tmp_path: Path) -> tuple[Path, Path]:
    schema_file = tmp_path / "schema.json"
    data_file = tmp_path / "instances.jsonl"
    schema_file.write_text(json.dumps(case["schema"], ensure_ascii=False), encoding="utf-8")
    data_file.write_text("".join(json.dumps(t["data"], ensure_ascii=False) + "\n"
                                 for t in case.get("tests", [])), encoding="utf-8")
    return schema_file, data_file


@pytest.mark.parametrize("prefix", list(GROUPS), ids=lambda p: p.rstrip("-_"))
def test_group_through_cli(prefix: str, maskbench: Path, run_cli, tmp_path: Path) -> None:
    files = _cases(prefix)
    problems: list[str] = []
    differing: set[str] = set()
    refused: set[str] = set()
    with_tests = instances = 0
    for path in files:
        case = json.loads(path.read_text(encoding="utf-8"))
        tests = case.get("tests") or []
        with_tests += bool(tests)
        instances += len(tests)
        schema_file, data_file = _write_case(case, tmp_path)
        code, out, err = run_cli("validate", "--schema", schema_file, data_file,
                                 "--format", "json")
        if path.name in KNOWN_SCHEMAS:
            refused.add(path.name)
            phrase = KNOWN_SCHEMAS[path.name][1]
            if code != 2 or phrase not in err or "Traceback" in err:
                problems.append(f"{path.name}: expected exit 2 naming {phrase!r}, "
                                f"got {code}: {err.strip()[:300]}")
            continue
        if code not in (0, 1):
            problems.append(f"{path.name}: exit {code}: {err.strip()[:300]}")
            continue
        report = json.loads(out)
        summary = report["summary"]
        failed = {f["id"]: f["errors"] for f in report["failures"]}
        invalid_labels = sum(not t["valid"] for t in tests)
        expected_code = 0 if summary["invalid"] == 0 else 1
        if summary["total"] != len(tests) or summary["not_json"] != 0 or code != expected_code:
            problems.append(f"{path.name}: summary {summary}, exit {code}")
        for number, test in enumerate(tests, start=1):
            line = f"line {number}"
            key = f"{path.name} :: {line}"
            if (line in failed) != (not test["valid"]):
                differing.add(key)
                if key not in KNOWN_INSTANCES:
                    problems.append(f"{key}: labelled valid={test['valid']}, curator "
                                    f"errors: {failed.get(line)}; data: "
                                    f"{json.dumps(test['data'])[:200]}")
            elif line in failed and not all(e["keyword"] and e["message"]
                                            for e in failed[line]):
                problems.append(f"{key}: an error without keyword or message: {failed[line]}")
        known_here = sum(k.startswith(path.name + " :: ") for k in KNOWN_INSTANCES)
        if summary["invalid"] != invalid_labels - known_here:
            problems.append(f"{path.name}: {summary['invalid']} invalid, "
                            f"{invalid_labels} labelled invalid")
    listed = {k for k in KNOWN_INSTANCES if k.startswith(prefix)}
    assert not problems, f"{len(problems)} problems in {prefix}*:\n" + "\n".join(problems[:40])
    assert differing == listed, f"KNOWN_INSTANCES no longer differ: {sorted(listed - differing)}"
    assert refused == {k for k in KNOWN_SCHEMAS if k.startswith(prefix)}
    assert (len(files), with_tests, instances) == GROUPS[prefix], (
        f"{len(files)} files, {with_tests} with instances, {instances} instances ran")


def test_known_format_cases_pass_only_because_of_the_draft(maskbench: Path) -> None:
    """The KNOWN_INSTANCES reason holds: the same schema without its draft-04 `$schema`
    (so read as 2020-12, where uuid and iri are formats) rejects exactly those instances."""
    for name in sorted({k.split(" :: ")[0] for k in KNOWN_INSTANCES}):
        case = json.loads((DATA / name).read_text(encoding="utf-8"))
        assert case["schema"]["$schema"] == "http://json-schema.org/draft-04/schema#"
        as_declared = CompiledSchema(case["schema"])
        modern = CompiledSchema({k: v for k, v in case["schema"].items()
                                 if k not in ("$schema", "id")})
        for number, test in enumerate(case["tests"], start=1):
            key = f"{name} :: line {number}"
            if key in KNOWN_INSTANCES:
                assert as_declared.is_valid(test["data"]), key
                issues = modern.issues(test["data"])
                assert [i.keyword for i in issues] == ["format"], (key, issues)
            else:
                assert as_declared.is_valid(test["data"]) == test["valid"], key
                assert modern.is_valid(test["data"]) == test["valid"], key
