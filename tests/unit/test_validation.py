"""Project validation: verdicts per task, stored and reused, tool calls, preferences."""

from __future__ import annotations

import json

import pytest

from curator.ingest import import_files
from curator.store import Store
from curator.validation import validate_project
from tests.conftest import SAMPLE_DATA, SCHEMAS

TRIAGE = SCHEMAS / "support_ticket_triage.schema.json"
PRODUCTS = SCHEMAS / "product_attributes.schema.json"


@pytest.fixture
def sample_project(project):
    with Store.open(project, create=True) as store:
        import_files(store, [SAMPLE_DATA / "support_tickets.jsonl"], task="triage",
                     schema=TRIAGE)
        import_files(store, [SAMPLE_DATA / "product_listings.csv"], task="products",
                     schema=PRODUCTS, mapping=["prompt=listing", "output=attributes"])
        import_files(store, [SAMPLE_DATA / "tool_calls.jsonl"], task="tools")
        import_files(store, [SAMPLE_DATA / "preferences.json"], task="prefs", schema=None)
    return project


def test_sample_data_verdicts(sample_project):
    with Store.open(sample_project) as store:
        report = validate_project(store)
    counts = {name: (t.total, t.valid, t.not_json) for name, t in report.tasks.items()}
    # the generator of sample_data/ breaks 15% of outputs on purpose (see its README)
    assert counts == {"prefs": (40, 40, 0), "products": (100, 85, 1),
                      "tools": (80, 68, 0), "triage": (150, 128, 7)}
    assert report.checked == 370
    assert report.summary.invalid == 49
    assert len(report.failures) == 49
    keywords = {e["keyword"] for f in report.failures for e in f["errors"]}
    assert {"json", "enum", "required", "tool", "pattern", "format"} <= keywords


def test_unchanged_project_is_not_checked_again(sample_project):
    with Store.open(sample_project) as store:
        first = validate_project(store)
        second = validate_project(store)
    assert second.checked == 0
    assert second.as_dict()["summary"] == first.as_dict()["summary"]


def test_schema_change_rechecks_only_that_task(sample_project):
    with Store.open(sample_project) as store:
        validate_project(store)
        from curator.tasks import set_task_schema

        set_task_schema(store, "products", TRIAGE)  # the wrong schema: all fail
        report = validate_project(store)
    assert report.checked == 100
    assert report.tasks["products"].valid == 0
    assert report.tasks["triage"].valid == 128


def test_an_edited_example_is_checked_again(sample_project):
    with Store.open(sample_project) as store:
        first = validate_project(store, task="triage")
        bad = first.failures[0]["id"]
        good_output = store.get_example(1).output
        # Stands in for an annotator's correction: every change bumps the version.
        with store.transaction():
            store.conn.execute("UPDATE examples SET output = ?, version = version + 1 "
                               "WHERE id = ?", (good_output, bad))
        report = validate_project(store, task="triage")
    assert report.checked == 1
    assert report.tasks["triage"].valid == 129
    assert bad not in [f["id"] for f in report.failures]


def test_filters_by_task_and_status(sample_project):
    with Store.open(sample_project) as store:
        report = validate_project(store, task="tools")
        assert list(report.tasks) == ["tools"] and report.checked == 80
        assert validate_project(store, status="approved").summary.total == 0


def _chat_file(tmp_path, rows):
    path = tmp_path / "chats.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"},
                                     "unit": {"enum": ["c", "f"]}},
    "required": ["city"], "additionalProperties": False}}}


def _call(name, args, call_id="call_1"):
    return {"id": call_id, "type": "function",
            "function": {"name": name, "arguments": args if isinstance(args, str)
                         else json.dumps(args)}}


def test_tool_calls_are_checked_against_the_tool_named(project, tmp_path):
    user = {"role": "user", "content": "weather?"}
    rows = [
        {"messages": [user, {"role": "assistant", "tool_calls": [
            _call("get_weather", {"city": "Oslo", "unit": "c"})]}], "tools": [WEATHER]},
        {"messages": [user, {"role": "assistant", "tool_calls": [
            _call("get_weather", {"unit": "kelvin"})]}], "tools": [WEATHER]},
        {"messages": [user, {"role": "assistant", "tool_calls": [
            _call("get_forecast", {"city": "Oslo"})]}], "tools": [WEATHER]},
        {"messages": [user, {"role": "assistant", "tool_calls": [
            _call("get_weather", '{"city": "Oslo",')]}], "tools": [WEATHER]},
        # a bad call earlier in the conversation counts too
        {"messages": [user, {"role": "assistant", "tool_calls": [
            _call("get_weather", {"town": "Oslo"})]},
            {"role": "tool", "tool_call_id": "call_1", "content": "5C"},
            {"role": "assistant", "content": "It is 5C."}], "tools": [WEATHER]},
    ]
    with Store.open(project, create=True) as store:
        import_files(store, [_chat_file(tmp_path, rows)], task="chat")
        report = validate_project(store)
    errors = {f["id"]: f["errors"] for f in report.failures}
    assert set(errors) == {2, 3, 4, 5}
    assert {(e["where"], e["path"], e["keyword"]) for e in errors[2]} == {
        ("tool_calls/0", "", "required"), ("tool_calls/0", "/unit", "enum")}
    assert errors[3][0]["keyword"] == "tool" and "'get_forecast'" in errors[3][0]["message"]
    assert "get_weather" in errors[3][0]["message"]
    assert errors[4][0]["keyword"] == "json" and "line 1 column" in errors[4][0]["message"]
    assert {(e["where"], e["keyword"]) for e in errors[5]} == {
        ("messages/1/tool_calls/0", "required"),
        ("messages/1/tool_calls/0", "additionalProperties")}


def test_a_tool_with_a_broken_schema_is_a_per_tool_error(project, tmp_path):
    broken = {"type": "function", "function": {"name": "f", "parameters": {"type": "strng"}}}
    rows = [{"messages": [{"role": "user", "content": "x"}, {"role": "assistant",
             "tool_calls": [_call("f", {})]}], "tools": [broken, WEATHER]}]
    with Store.open(project, create=True) as store:
        import_files(store, [_chat_file(tmp_path, rows)], task="chat")
        report = validate_project(store)
    (error,) = report.failures[0]["errors"]
    assert error["keyword"] == "schema" and "tool 'f' parameters" in error["message"]


def test_preference_only_chosen_decides(project, tmp_path):
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"type": "object", "required": ["answer"]}))
    rows = [
        {"prompt": "q1", "chosen": '{"answer": 1}', "rejected": "not json"},
        {"prompt": "q2", "chosen": '{"nope": 1}', "rejected": '{"answer": 2}'},
    ]
    data = tmp_path / "prefs.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with Store.open(project, create=True) as store:
        import_files(store, [data], task="p", schema=schema)
        report = validate_project(store)
        first = store.get_validation(1)
    assert report.tasks["p"].valid == 1
    assert [f["id"] for f in report.failures] == [2]
    assert first[1] == 1  # valid, though its rejected side is not JSON:
    assert json.loads(first[3])[0]["where"] == "rejected"


def _bfcl_with_answers(shared_data, tmp_path, name):
    """BFCL questions joined with their first acceptable answer, as OpenAI chats."""
    questions = [json.loads(l) for l in (shared_data / "bfcl" / name).read_text().splitlines()
                 if l.strip()]
    answers = {a["id"]: a["ground_truth"] for a in map(json.loads, (
        shared_data / "bfcl" / "possible_answer" / name).read_text().splitlines())}
    rows = []
    for q in questions:
        calls = []
        for i, call in enumerate(answers[q["id"]]):
            (fn, params), = call.items()
            args = {k: v[0] for k, v in params.items() if v and v[0] != ""}
            calls.append(_call(fn, args, f"call_{i}"))
        rows.append({"messages": q["question"][0] + [{"role": "assistant",
                                                      "tool_calls": calls}],
                     "tools": q["function"]})
    return _chat_file(tmp_path, rows), len(rows)


@pytest.mark.parametrize("name", ["BFCL_v4_simple_python.json", "BFCL_v4_parallel.json",
                                  "BFCL_v4_multiple.json"])
def test_bfcl_types_are_normalised_so_gold_calls_validate(shared_data, project, tmp_path,
                                                          name):
    path, count = _bfcl_with_answers(shared_data, tmp_path, name)
    with Store.open(project, create=True) as store:
        import_files(store, [path], task="bfcl")
        example = store.get_example(1)
        report = validate_project(store)
    types = json.dumps([t.parameters for t in example.tools])
    assert '"dict"' not in types and '"float"' not in types
    assert report.summary.total == count
    # Gold answers are valid calls, except where BFCL's own answer breaks its schema:
    known = {f["id"]: f["errors"] for f in report.failures}
    assert report.summary.valid >= count - 5, known
    for errors in known.values():
        assert all(e["keyword"] in ("type", "enum", "required") for e in errors), errors


def test_validate_cli_on_a_project(sample_project, run_cli, tmp_path):
    code, out, err = run_cli("validate", sample_project, "--format", "json")
    data = json.loads(out)
    assert code == 1 and "below --fail-under" in err
    assert data["summary"]["total"] == 370 and data["summary"]["valid"] == 321
    assert data["summary"]["tasks"]["triage"]["pass_rate"] == pytest.approx(128 / 150, 1e-5)
    assert {"id", "errors"} <= set(data["failures"][0])
    assert {"path", "keyword", "message", "where"} <= set(data["failures"][0]["errors"][0])
    code, _, _ = run_cli("validate", sample_project, "--fail-under", "0.85")
    assert code == 0
    code, _, err = run_cli("validate", sample_project, "--task", "prefs")
    assert code == 0
    code, _, err = run_cli("validate", sample_project, "--task", "nope")
    assert code == 2 and "no task named 'nope'" in err
    out_file = tmp_path / "r" / "report.md"
    code, out, err = run_cli("validate", sample_project, "--format", "markdown",
                             "--output", out_file, "--fail-under", "0")
    assert code == 0 and out == "" and "report written to" in err
    assert out_file.read_text().startswith("## Validation")


def test_a_full_run_lets_the_next_skip_the_scan_until_something_changes(sample_project,
                                                                        monkeypatch):
    from curator import review

    with Store.open(sample_project) as store:
        validate_project(store)

        def no_scan(*args, **kwargs):
            raise AssertionError("scanned for stale verdicts with nothing changed")

        monkeypatch.setattr(store, "stale_for_validation", no_scan)
        assert validate_project(store).checked == 0
        assert validate_project(store, task="triage").checked == 0
        monkeypatch.undo()
        review.decide(store, 1, "approve", annotator="ann")
        assert validate_project(store).checked == 1
        import_files(store, [SAMPLE_DATA / "support_tickets.jsonl"], task="copy")
        assert validate_project(store).checked == 150
