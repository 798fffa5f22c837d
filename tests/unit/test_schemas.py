"""Target schemas: loading (local $refs bundled, URLs refused, broken schemas named),
drafts, formats, JSON parsing, and `curator validate --schema` on a plain file."""

from __future__ import annotations

import json
import socket
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from curator.errors import InputError
from curator.schemas import bundle_from_store, load_schema_file
from curator.validation import CompiledSchema, parse_json

DRAFT7 = "http://json-schema.org/draft-07/schema#"


def write(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection or a URL fails the test loudly."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return attempts


# -- local $refs are bundled ------------------------------------------------------------

@pytest.fixture
def three_files(tmp_path) -> Path:
    """order.json -> address.json -> defs/country.json"""
    write(tmp_path / "defs" / "country.json", {"type": "string", "enum": ["FR", "DE"]})
    write(tmp_path / "address.json", {
        "type": "object", "required": ["country"],
        "properties": {"country": {"$ref": "defs/country.json"}}})
    return write(tmp_path / "order.json", {
        "type": "object", "required": ["address"],
        "properties": {"address": {"$ref": "address.json"}}})


def test_sibling_refs_are_bundled_transitively(three_files, tmp_path):
    bundle = load_schema_file(three_files)
    address = (tmp_path / "address.json").resolve().as_uri()
    country = (tmp_path / "defs" / "country.json").resolve().as_uri()
    assert bundle.base_uri == three_files.resolve().as_uri()
    assert set(bundle.resources) == {address, country}
    assert bundle.resources[country] == {"type": "string", "enum": ["FR", "DE"]}
    assert bundle.resources[address]["properties"]["country"] == {"$ref": "defs/country.json"}


def test_hash_follows_the_referenced_files(three_files, tmp_path):
    first = load_schema_file(three_files).hash
    assert load_schema_file(three_files).hash == first  # stable
    write(tmp_path / "defs" / "country.json", {"type": "string", "enum": ["FR", "DE", "IT"]})
    changed = load_schema_file(three_files)
    assert changed.hash != first
    assert changed.text == three_files.read_text(encoding="utf-8")  # the root did not change


def test_a_bundle_validates_after_its_files_are_deleted(three_files, tmp_path):
    bundle = load_schema_file(three_files)
    stored = (bundle.text, bundle.base_uri, bundle.resources_json())
    for path in (three_files, tmp_path / "address.json", tmp_path / "defs" / "country.json"):
        path.unlink()
    for compiled in (CompiledSchema.from_bundle(bundle),
                     CompiledSchema.from_bundle(bundle_from_store(*stored))):
        assert compiled.is_valid({"address": {"country": "FR"}})
        issues = compiled.issues({"address": {"country": "US"}})
        assert [(i.path, i.keyword) for i in issues] == [("/address/country", "enum")]
        assert [(i.path, i.keyword) for i in compiled.issues({"address": {}})] == \
            [("/address", "required")]


def test_url_ref_is_refused_and_never_fetched(tmp_path, no_network):
    schema = write(tmp_path / "s.json", {
        "properties": {"a": {"$ref": "https://example.com/schemas/a.json#/x"}}})
    with pytest.raises(InputError) as info:
        load_schema_file(schema)
    message = str(info.value)
    assert str(schema) in message
    assert "https://example.com/schemas/a.json#/x" in message
    assert "never fetches" in message
    assert no_network == []


def test_url_ref_in_a_referenced_file_names_that_file(tmp_path, no_network):
    inner = write(tmp_path / "inner.json", {"$ref": "http://example.org/other.json"})
    schema = write(tmp_path / "s.json", {"$ref": "inner.json"})
    with pytest.raises(InputError, match="never fetches") as info:
        load_schema_file(schema)
    assert str(inner) in str(info.value)
    assert "http://example.org/other.json" in str(info.value)
    assert no_network == []


def test_compiled_schema_does_not_fetch_either(no_network):
    with pytest.raises(InputError, match="never fetches"):
        CompiledSchema({"$ref": "https://example.com/remote.json"}, where="tool 'x'")
    assert no_network == []


def test_missing_referenced_file_is_named(tmp_path):
    schema = write(tmp_path / "s.json", {"properties": {"a": {"$ref": "parts/gone.json"}}})
    with pytest.raises(InputError) as info:
        load_schema_file(schema)
    message = str(info.value)
    assert "'parts/gone.json'" in message
    assert str(tmp_path / "parts" / "gone.json") in message
    assert "no such file" in message


def test_missing_schema_file(tmp_path):
    with pytest.raises(InputError, match="no such schema file"):
        load_schema_file(tmp_path / "absent.json")


@pytest.mark.parametrize(("schema", "pointer", "keyword"), [
    ({"type": "strng"}, "/type", "anyOf"),
    ({"minLength": -1}, "/minLength", "minimum"),
    ({"properties": []}, "/properties", "type"),
    ({"properties": {"a": {"items": {"maxItems": "3"}}}}, "/properties/a/items/maxItems",
     "type"),
    ({"required": "name"}, "/required", "type"),
])
def test_broken_schema_names_file_pointer_and_keyword(tmp_path, schema, pointer, keyword):
    path = write(tmp_path / "broken.json", schema)
    with pytest.raises(InputError) as info:
        load_schema_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}: not a valid JSON Schema")
    assert f"at {pointer} the keyword {keyword!r} fails" in message


def test_broken_referenced_file_is_named(tmp_path):
    inner = write(tmp_path / "inner.json", {"type": "strng"})
    schema = write(tmp_path / "s.json", {"$ref": "inner.json"})
    with pytest.raises(InputError) as info:
        load_schema_file(schema)
    assert str(info.value).startswith(f"{inner}: not a valid JSON Schema: at /type")


def test_schema_that_is_not_json_or_not_an_object(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "object",', encoding="utf-8")
    with pytest.raises(InputError, match="the schema is not valid JSON"):
        load_schema_file(bad)
    with pytest.raises(InputError, match="must be an object"):
        load_schema_file(write(tmp_path / "list.json", [{"type": "string"}]))


# -- drafts -----------------------------------------------------------------------------

def test_draft7_schema_uses_draft7_semantics(tmp_path):
    path = write(tmp_path / "d7.json", {
        "$schema": DRAFT7, "type": "object",
        "properties": {"pair": {"items": [{"type": "integer"}, {"type": "string"}],
                                "additionalItems": False},
                       "tail": {"prefixItems": [{"type": "integer"}]}},
        "dependencies": {"card": ["billing"]}})
    compiled = CompiledSchema.from_bundle(load_schema_file(path))
    assert compiled.is_valid({"pair": [1, "a"], "card": 1, "billing": 2})
    assert not compiled.is_valid({"pair": ["a", 1]})  # items array form is positional
    assert not compiled.is_valid({"pair": [1, "a", 3]})  # additionalItems: false
    assert [i.keyword for i in compiled.issues({"card": 1})] == ["dependencies"]
    assert compiled.is_valid({"tail": ["not an integer"]})  # prefixItems is not draft-07


def test_schema_without_dollar_schema_is_2020_12(tmp_path):
    path = write(tmp_path / "new.json", {
        "prefixItems": [{"type": "integer"}, {"type": "string"}], "items": False})
    compiled = CompiledSchema.from_bundle(load_schema_file(path))
    assert compiled.is_valid([1, "a"])
    assert [i.keyword for i in compiled.issues(["a", "b"])] == ["type"]
    assert not compiled.is_valid([1, "a", 3])  # items: false after the prefix
    # and the draft-07 array form of items is a broken schema there
    with pytest.raises(InputError, match="at /items"):
        load_schema_file(write(tmp_path / "old.json", {"items": [{"type": "integer"}]}))


def test_referenced_files_follow_the_root_draft(tmp_path):
    """A draft-07 schema split into files that do not repeat `$schema`: the parts are
    draft-07 too (tuple `items`, `$id: "#name"` anchors). Both failed before the fix."""
    write(tmp_path / "pair.json", {"type": "array", "additionalItems": False,
                                   "items": [{"type": "integer"}, {"type": "string"}]})
    write(tmp_path / "types.json", {"definitions": {
        "refToInteger": {"$ref": "#count"}, "count": {"$id": "#count", "type": "integer"}}})
    root = write(tmp_path / "root.json", {
        "$schema": DRAFT7, "type": "object",
        "properties": {"pair": {"$ref": "pair.json"},
                       "n": {"$ref": "types.json#/definitions/refToInteger"}}})
    compiled = CompiledSchema.from_bundle(load_schema_file(root))
    assert compiled.is_valid({"pair": [1, "a"], "n": 3})
    assert not compiled.is_valid({"pair": [1, "a", 3]})
    assert [(i.path, i.keyword) for i in compiled.issues({"n": "x"})] == [("/n", "type")]


def test_a_referenced_file_keeps_its_own_draft(tmp_path):
    write(tmp_path / "modern.json", {"$schema": "https://json-schema.org/draft/2020-12/schema",
                                     "prefixItems": [{"type": "integer"}]})
    root = write(tmp_path / "root.json", {"$schema": DRAFT7, "$ref": "modern.json"})
    compiled = CompiledSchema.from_bundle(load_schema_file(root))
    assert compiled.is_valid([1])
    assert not compiled.is_valid(["x"])


def test_ref_to_another_drafts_metaschema_works_offline(tmp_path, no_network):
    """load_schema_file lets refs to the json-schema.org metaschemas through as built
    in; they must then compile without fetching (draft-07's failed before the fix)."""
    path = write(tmp_path / "meta.json", {
        "type": "object", "properties": {
            "old": {"$ref": "http://json-schema.org/draft-07/schema#"},
            "new": {"$ref": "https://json-schema.org/draft/2020-12/schema"}}})
    compiled = CompiledSchema.from_bundle(load_schema_file(path))
    assert compiled.is_valid({"old": {"type": "string"}, "new": {"minLength": 1}})
    assert not compiled.is_valid({"old": {"type": "strng"}})
    assert not compiled.is_valid({"new": {"minLength": -1}})
    assert no_network == []


# -- formats ----------------------------------------------------------------------------

@pytest.mark.parametrize(("fmt", "good", "bad"), [
    ("date-time", "2024-05-01T12:30:00Z", "2024-05-01 noon"),
    ("email", "ada@example.com", "ada.example.com"),
    ("uri", "https://example.com/a?b=c", "not a uri"),
    ("uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-42661417400"),
    ("ipv4", "192.168.0.1", "192.168.0.256"),
])
def test_formats_are_checked_by_default(tmp_path, fmt, good, bad):
    path = write(tmp_path / "f.json", {"type": "object", "properties": {"v": {"format": fmt}}})
    compiled = CompiledSchema.from_bundle(load_schema_file(path))
    assert compiled.issues({"v": good}) == []
    issues = compiled.issues({"v": bad})
    assert [(i.path, i.keyword) for i in issues] == [("/v", "format")]
    assert fmt in issues[0].message
    # formats=False makes them annotations, as JSON Schema 2020-12 does by default
    assert CompiledSchema(load_schema_file(path).schema, formats=False).is_valid({"v": bad})


# -- parse_json -------------------------------------------------------------------------

def test_parse_json_gives_line_and_column():
    value, problem = parse_json('{"a": 1,\n "b": }')
    assert value is None
    assert problem.keyword == "json"
    assert "line 2" in problem.message and "column 7" in problem.message
    value, problem = parse_json("plain words", where="rejected")
    assert value is None and problem.where == "rejected" and "line 1 column 1" in problem.message
    assert parse_json("   ")[1].message == "empty, not JSON"
    assert parse_json('{"ok": [1, 2.5, null]}') == ({"ok": [1, 2.5, None]}, None)


# -- curator validate --schema ----------------------------------------------------------

PERSON = {"type": "object", "additionalProperties": False, "required": ["name", "age"],
          "properties": {"name": {"type": "string"},
                         "age": {"type": "integer", "minimum": 0},
                         "email": {"type": "string", "format": "email"}}}


@pytest.fixture
def person_schema(tmp_path) -> Path:
    return write(tmp_path / "person.schema.json", PERSON)


@pytest.fixture
def outputs(tmp_path) -> Path:
    """JSONL records whose `output` is a JSON string (or an object), some broken."""
    records = [
        {"id": 1, "output": json.dumps({"name": "Ada", "age": 36})},
        {"id": 2, "output": json.dumps({"name": "Bob", "age": -1})},
        {"id": 3, "output": "Sure! Here is the JSON: {name: Cy}"},
        {"id": 4, "output": {"name": "Dee", "age": 5, "email": "dee@example.com"}},
        {"id": 5, "output": json.dumps({"name": "Eve", "age": 7, "email": "not-an-email"})},
    ]
    path = tmp_path / "outputs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_validate_field_json_report(run_cli, person_schema, outputs):
    code, out, err = run_cli("validate", "--schema", person_schema, outputs,
                             "--field", "output", "--format", "json")
    assert code == 1, err  # below the default --fail-under 1.0
    assert "below --fail-under" in err
    report = json.loads(out)
    summary = report["summary"]
    assert {k: summary[k] for k in ("total", "valid", "invalid", "not_json")} == \
        {"total": 5, "valid": 2, "invalid": 3, "not_json": 1}
    assert summary["pass_rate"] == 0.4
    assert summary["tasks"] == {"outputs.jsonl": {"total": 5, "valid": 2, "invalid": 3,
                                                  "not_json": 1, "pass_rate": 0.4}}
    failures = {f["id"]: f["errors"] for f in report["failures"]}
    assert set(failures) == {"line 2", "line 3", "line 5"}
    assert [(e["where"], e["path"], e["keyword"]) for e in failures["line 2"]] == \
        [("output", "/age", "minimum")]
    assert failures["line 3"][0]["keyword"] == "json"
    assert "line 1 column" in failures["line 3"][0]["message"]
    assert [(e["path"], e["keyword"]) for e in failures["line 5"]] == [("/email", "format")]
    assert all(set(e) == {"where", "path", "keyword", "message"}
               for errors in failures.values() for e in errors)


def test_validate_plain_jsonl_with_broken_lines(run_cli, person_schema, tmp_path):
    data = tmp_path / "raw.jsonl"
    data.write_text('{"name": "Ada", "age": 1}\n{"name": "Bob", "age": "two"}\n'
                    '{"name": \n\n[1, 2]\n', encoding="utf-8")
    code, out, _ = run_cli("validate", "--schema", person_schema, data, "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert (report["summary"]["total"], report["summary"]["valid"],
            report["summary"]["not_json"]) == (4, 1, 1)
    failures = {f["id"]: f["errors"] for f in report["failures"]}
    assert set(failures) == {"line 2", "line 3", "line 5"}  # line 4 is blank
    assert failures["line 2"][0]["keyword"] == "type"
    assert failures["line 3"][0]["keyword"] == "json"
    assert failures["line 5"][0]["keyword"] == "type"  # an array, not an object


def test_validate_markdown_report(run_cli, person_schema, outputs):
    code, out, _ = run_cli("validate", "--schema", person_schema, outputs,
                           "--field", "output", "--format", "markdown")
    assert code == 1
    lines = out.splitlines()
    assert "| task | total | valid | invalid | not JSON | pass rate |" in lines
    assert "| outputs.jsonl | 5 | 2 | 3 | 1 | 40.0% |" in lines
    assert any(line.startswith("| 1 | output | `/age` | minimum |") for line in lines)


def test_validate_junit_report(run_cli, person_schema, outputs):
    code, out, _ = run_cli("validate", "--schema", person_schema, outputs,
                           "--field", "output", "--format", "junit")
    assert code == 1
    root = ET.fromstring(out)
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "5", "3")
    cases = root.findall("./testsuite/testcase")
    assert sorted(c.get("name") for c in cases) == \
        ["example line 2", "example line 3", "example line 5"]
    assert all(len(c.findall("failure")) == 1 for c in cases)
    by_name = {c.get("name"): c.find("failure") for c in cases}
    assert "[minimum]" in by_name["example line 2"].text
    assert "[json]" in by_name["example line 3"].text


def test_validate_text_report_mentions_the_pass_rate(run_cli, person_schema, outputs):
    code, out, _ = run_cli("validate", "--schema", person_schema, outputs,
                           "--field", "output")
    assert code == 1
    assert "pass rate" in out and "40.0%" in out
    assert "minimum" in out  # the most common errors table


def test_validate_output_file(run_cli, person_schema, outputs, tmp_path):
    target = tmp_path / "reports" / "report.json"
    code, out, err = run_cli("validate", "--schema", person_schema, outputs, "--field",
                             "output", "--format", "json", "--output", target)
    assert code == 1
    assert out == ""
    assert f"report written to {target}" in err
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["valid"] == 2
    text_target = tmp_path / "report.txt"
    run_cli("validate", "--schema", person_schema, outputs, "--field", "output",
            "--output", text_target)
    assert "40.0%" in text_target.read_text(encoding="utf-8")


@pytest.mark.parametrize(("fail_under", "expected"), [("0.5", 0), ("0.3", 0), ("0.9", 1)])
def test_fail_under(run_cli, person_schema, tmp_path, fail_under, expected):
    data = tmp_path / "three_of_four.jsonl"
    data.write_text('{"name": "a", "age": 1}\n{"name": "b", "age": 2}\n'
                    '{"name": "c", "age": 3}\n{"name": "d"}\n', encoding="utf-8")
    code, out, err = run_cli("validate", "--schema", person_schema, data,
                             "--format", "json", "--fail-under", fail_under)
    assert json.loads(out)["summary"]["pass_rate"] == 0.75
    assert code == expected, err
    assert ("below --fail-under" in err) == bool(expected)


def test_fail_under_half_on_a_worse_file(run_cli, person_schema, outputs):
    code, _, err = run_cli("validate", "--schema", person_schema, outputs, "--field",
                           "output", "--format", "json", "--fail-under", "0.5")
    assert code == 1  # 40% < 50%
    assert "pass rate 40.00% is below --fail-under 50.00%" in err


def test_validate_missing_inputs_exit_2(run_cli, person_schema, outputs, tmp_path):
    code, out, err = run_cli("validate", "--schema", person_schema, tmp_path / "none.jsonl")
    assert (code, out) == (2, "")
    assert "none.jsonl" in err and "no such file" in err
    code, out, err = run_cli("validate", "--schema", tmp_path / "none.schema.json", outputs)
    assert (code, out) == (2, "")
    assert "none.schema.json" in err and "no such schema file" in err
    assert "Traceback" not in err


def test_validate_with_a_url_ref_exits_2_without_network(run_cli, outputs, tmp_path,
                                                         no_network):
    schema = write(tmp_path / "remote.schema.json",
                   {"$ref": "https://example.com/person.schema.json"})
    code, out, err = run_cli("validate", "--schema", schema, outputs, "--field", "output")
    assert (code, out) == (2, "")
    assert "never fetches" in err and "https://example.com/person.schema.json" in err
    assert no_network == []
