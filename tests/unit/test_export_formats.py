"""Every export format, on the sample data, read back the ways trainers read it.

One project is built per module from sample_data (triage pairs with their schema, tool-
call chats, preference pairs), everything approved, a few outputs corrected, a few
examples rejected. Each format is exported once, then loaded with load_from_disk,
load_dataset("parquet"), load_dataset("json") and load_dataset(OUTDIR) (the card's
configs), and every row is checked against the format's JSON Schema in
tests/format_schemas/ and against the rules trainers trip on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from datasets.splits import SplitDict
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from curator.cli import main
from curator.store import Store
from curator.validation import validate_project
from tests.conftest import SAMPLE_DATA, SCHEMAS

FORMAT_SCHEMAS = Path(__file__).resolve().parents[1] / "format_schemas"
FORMATS = ("openai-chat", "openai-dpo", "trl-messages", "trl-prompt-completion",
           "trl-preference", "alpaca", "sharegpt")
TRL = ("trl-messages", "trl-prompt-completion", "trl-preference")
SPLIT = "train=0.8,test=0.2"

# (format, --task): the whole project, plus the standard (text) variants of the TRL
# formats, which need a task without chats.
CASES = [(fmt, None) for fmt in FORMATS] + [("trl-prompt-completion", "support_triage"),
                                            ("trl-preference", "reply_preference")]

TRIAGE_FIX = {"category": "billing", "priority": "low", "sentiment": "neutral",
              "language": "en", "requires_human": False,
              "entities": {"customer": {"name": "Ann", "email": None}, "order_ids": [],
                           "products": []}}


def _validators() -> dict[str, Draft202012Validator]:
    schemas = {path.stem: json.loads(path.read_text()) for path in
               sorted(FORMAT_SCHEMAS.glob("*.json"))}
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values())
    validators = {}
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        validators[name] = Draft202012Validator(schema, registry=registry)
    return validators


VALIDATORS = _validators()


def test_there_is_a_schema_for_every_format():
    assert set(VALIDATORS) == set(FORMATS)


def _call(arguments: Any) -> dict:
    return {"id": "call_1", "type": "function",
            "function": {"name": "get_weather", "arguments": arguments}}


USER = {"role": "user", "content": "Weather in Oslo?"}
ANSWER = {"role": "assistant", "content": "Sunny."}
GOOD_ROWS = {
    "openai-chat": [
        {"messages": [{"role": "system", "content": "Be brief."}, USER, ANSWER]},
        {"messages": [USER, {"role": "assistant", "content": None,
                             "tool_calls": [_call('{"location": "Oslo"}')]},
                      {"role": "tool", "tool_call_id": "call_1", "content": "12C"},
                      ANSWER],
         "tools": [{"type": "function", "function": {
             "name": "get_weather", "description": "Weather.",
             "parameters": {"type": "object", "properties": {}}}}],
         "parallel_tool_calls": False}],
    "openai-dpo": [{"input": {"messages": [USER], "tools": [], "parallel_tool_calls": True},
                    "preferred_output": [ANSWER],
                    "non_preferred_output": [{"role": "assistant", "content": "No idea."}]}],
    "trl-messages": [{"messages": [USER, ANSWER]}],
    "trl-prompt-completion": [{"prompt": "The sky is ", "completion": "blue."},
                              {"prompt": [USER], "completion": [ANSWER]}],
    "trl-preference": [{"prompt": "The sky is ", "chosen": "blue.", "rejected": "green."},
                       {"prompt": [USER], "chosen": [ANSWER], "rejected": [ANSWER]}],
    "alpaca": [{"instruction": "Add.", "input": "2 2", "output": "4"},
               {"instruction": "Add.", "input": "", "output": "4", "system": "Be exact."}],
    "sharegpt": [{"conversations": [{"from": "human", "value": "hi"},
                                    {"from": "function_call", "value": "{}"},
                                    {"from": "observation", "value": "ok"},
                                    {"from": "gpt", "value": "done"}],
                  "system": "Be brief.", "tools": "[]"}],
}
BAD_ROWS = {
    "openai-chat": [
        {"messages": [USER]},  # nothing to learn
        {"messages": [USER, {"role": "assistant", "content": None,
                             "tool_calls": [_call({"location": "Oslo"})]}]},  # not a string
        {"messages": [USER, {"role": "assistant"}]},
        {"messages": [USER, {"role": "tool", "content": "12C"}, ANSWER]},  # answers nothing
        {"messages": [USER, ANSWER], "tools": '[{"type": "function"}]'},  # a string
        {"messages": [{"role": "robot", "content": "beep"}, ANSWER]}],
    "openai-dpo": [
        {"input": {"messages": [USER]}, "preferred_output": [ANSWER]},
        {"input": {"messages": [USER]}, "preferred_output": [ANSWER, ANSWER],
         "non_preferred_output": [ANSWER]},
        {"input": [USER], "preferred_output": [ANSWER], "non_preferred_output": [ANSWER]}],
    "trl-messages": [
        {"messages": [{"role": "user", "content": None}, ANSWER]},
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}, ANSWER]},
        {"messages": [{**USER, "tool_calls": [_call("{}")]}, ANSWER]}],
    "trl-prompt-completion": [
        {"prompt": "The sky is", "completion": " blue."},  # glued with nothing between
        {"prompt": [USER], "completion": "Sunny."},  # text and messages mixed
        {"prompt": [USER], "completion": [USER]}],
    "trl-preference": [
        {"prompt": [USER], "chosen": "a", "rejected": "b"},
        {"prompt": "Q: ", "chosen": "a"}],
    "alpaca": [{"instruction": "Add.", "output": "4"},
               {"instruction": "Add.", "input": "", "output": "4", "system": None}],
    "sharegpt": [{"conversations": [{"from": "user", "value": "hi"},
                                    {"from": "gpt", "value": "hello"}]},
                 {"conversations": [{"from": "human", "value": "hi"},
                                    {"from": "gpt", "value": None}]},
                 {"conversations": [{"from": "human", "value": "hi"},
                                    {"from": "gpt", "value": "x"}], "tools": []}],
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_schemas_tell_good_rows_from_bad(fmt):
    for row in GOOD_ROWS[fmt]:
        assert not [e.message for e in VALIDATORS[fmt].iter_errors(row)], row
    for row in BAD_ROWS[fmt]:
        assert not VALIDATORS[fmt].is_valid(row), row


def _cli(*args: Any) -> None:
    """The CLI at module scope (no capsys there); output goes to pytest's capture."""
    code = main([str(a) for a in args])
    assert code == 0, args


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Any]:
    """The sample project: all approved, 5 corrected, 3 rejected or flagged."""
    root = tmp_path_factory.mktemp("formats")
    with pytest.MonkeyPatch.context() as patch:  # the autouse home fixture is per test
        patch.setenv("HOME", str(root / "home"))
        patch.setenv("HF_HOME", str(root / "home" / ".hf"))
        patch.setenv("CURATOR_ANNOTATOR", "tester")
        project = root / "sample.curator"
        _cli("import", project, SAMPLE_DATA / "support_tickets.jsonl", "--task",
             "support_triage", "--schema", SCHEMAS / "support_ticket_triage.schema.json")
        _cli("import", project, SAMPLE_DATA / "tool_calls.jsonl", "--task", "tool_calls")
        _cli("import", project, SAMPLE_DATA / "preferences.json", "--task", "reply_preference")
        _cli("decide", project, "--all", "approve")
        with Store.open(project) as store:
            validate_project(store)
            items = {task: store.examples_for_export(task=task, statuses=("approved",),
                                                     limit=1000)
                     for task in ("support_triage", "tool_calls", "reply_preference")}
        triage_bad = [i["example"] for i in items["support_triage"] if i["valid"] is False]
        triage_ok = [i["example"] for i in items["support_triage"] if i["valid"] is True]
        chats = [i["example"] for i in items["tool_calls"]
                 if i["valid"] is True and i["example"].output and not i["example"].tool_calls]
        prefs = [i["example"] for i in items["reply_preference"]]
        assert len(triage_bad) == 22 and chats and prefs

        corrections: dict[int, tuple[str, str]] = {}
        for n, example in enumerate([triage_bad[0], triage_bad[1], triage_ok[0]]):
            fixed = json.dumps({**TRIAGE_FIX, "summary": f"Corrected summary number {n}."})
            corrections[example.id] = (example.output, fixed)
        corrections[chats[0].id] = (chats[0].output, "Corrected final answer: it is sunny.")
        corrections[prefs[0].id] = (prefs[0].output, "Hi,\n\nCorrected chosen reply.\n\nSam")
        for example_id, (_, fixed) in corrections.items():
            _cli("decide", project, example_id, "approve", "--output", fixed)
        rejected = [triage_ok[1].id, triage_ok[2].id]
        for example_id in rejected:
            _cli("decide", project, example_id, "reject")
        _cli("decide", project, triage_ok[3].id, "flag")
    return {"project": project, "root": root, "corrections": corrections,
            "prefs": {p.id: p for p in prefs}, "not_approved": 3, "total": 270,
            "exports": {}}


@pytest.fixture
def export_of(built, run_cli):
    """Export a case once per module; returns (outdir, CLI report, manifest)."""
    def get(fmt: str, task: str | None = None) -> tuple[Path, dict, dict]:
        key = (fmt, task)
        if key not in built["exports"]:
            outdir = built["root"] / "out" / f"{fmt}-{task or 'all'}"
            args = ["export", built["project"], outdir, "--format", fmt, "--split", SPLIT,
                    "--seed", "1", "--json"] + (["--task", task] if task else [])
            code, out, err = run_cli(*args)
            assert code == 0, err
            manifest = json.loads((outdir / "manifest.json").read_text())
            built["exports"][key] = (outdir, json.loads(out), manifest)
        return built["exports"][key]

    return get


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _strip_nulls(value: Any) -> Any:
    """Arrow has no absent keys: a key a row lacks comes back as null."""
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value]
    return value


def _from_arrow(fmt: str, row: dict) -> dict:
    row = dict(row)
    if fmt == "openai-chat" and row.get("tools") is not None:
        assert isinstance(row["tools"], str)  # a JSON string in Arrow files, by design
        row["tools"] = json.loads(row["tools"])
    return _strip_nulls(row)


def _front_matter(readme: Path) -> dict:
    text = readme.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert match, "the card has no YAML front matter"
    return yaml.safe_load(match.group(1))


def _messages_of(fmt: str, row: dict) -> list[dict]:
    """Every chat message in a row (for the content and tool-call checks)."""
    if fmt in ("openai-chat", "trl-messages"):
        return row["messages"]
    if fmt == "openai-dpo":
        return [*row["input"]["messages"], *row["preferred_output"],
                *row["non_preferred_output"]]
    if fmt == "trl-prompt-completion":
        return [m for k in ("prompt", "completion") if isinstance(row[k], list) for m in row[k]]
    if fmt == "trl-preference":
        return [m for k in ("prompt", "chosen", "rejected") if isinstance(row[k], list)
                for m in row[k]]
    return []


def _check_trainer_rules(fmt: str, row: dict) -> None:
    messages = _messages_of(fmt, row)
    for message in messages:
        if fmt in TRL or fmt == "openai-dpo":
            assert isinstance(message["content"], str), message
        for call in message.get("tool_calls") or []:
            arguments = call["function"]["arguments"]
            assert isinstance(arguments, str)
            assert isinstance(json.loads(arguments), dict)
    if fmt in ("trl-prompt-completion", "trl-preference") and isinstance(row["prompt"], str):
        assert row["prompt"] and row["prompt"][-1].isspace(), row["prompt"][-40:]
    if fmt == "trl-preference":
        assert row["chosen"] != row["rejected"]
    if fmt == "openai-dpo":
        assert row["preferred_output"] != row["non_preferred_output"]
    if fmt in ("openai-chat", "trl-messages"):
        assert messages[-1]["role"] == "assistant"
    if fmt == "openai-chat":
        called: set[str] = set()
        for message in messages:
            called |= {c["id"] for c in message.get("tool_calls") or []}
            if message["role"] == "tool":
                assert message["tool_call_id"] in called
        if "tools" in row:
            names = {t["function"]["name"] for t in row["tools"]}
            assert all(c["function"]["name"] in names for m in messages
                       for c in m.get("tool_calls") or [])
    if fmt == "sharegpt":
        _check_sharegpt(row)


def _check_sharegpt(row: dict) -> None:
    """LLaMA-Factory's rule: human/observation at even positions, gpt/function_call at
    odd ones, an even number of turns; function_call values are JSON calls."""
    turns = row["conversations"]
    assert len(turns) % 2 == 0, [t["from"] for t in turns]
    for i, turn in enumerate(turns):
        expected = ("human", "observation") if i % 2 == 0 else ("gpt", "function_call")
        assert turn["from"] in expected, [t["from"] for t in turns]
        if turn["from"] == "function_call":
            calls = json.loads(turn["value"])
            for call in calls if isinstance(calls, list) else [calls]:
                assert set(call) == {"name", "arguments"} and isinstance(call["arguments"], dict)
        if turn["from"] == "observation":
            assert turns[i - 1]["from"] == "function_call"
    if "tools" in row:
        tools = json.loads(row["tools"])
        assert isinstance(tools, list) and all("name" in t.get("function", t) for t in tools)


@pytest.mark.parametrize(("fmt", "task"), CASES, ids=[f"{f}-{t or 'all'}" for f, t in CASES])
def test_every_row_loads_back_and_fits_its_format(fmt, task, export_of, tmp_path):
    import datasets

    outdir, report, manifest = export_of(fmt, task)
    rows = report["rows"]
    assert rows and all(n > 0 for n in rows.values())
    assert manifest["rows"] == rows and manifest["format"] == fmt
    assert {s: len(v) for s, v in manifest["lineage"].items()} == rows
    assert set(rows) <= {"train", "test"}

    # the four ways of loading, each with a fresh cache
    disk = datasets.load_from_disk(str(outdir / "dataset"))
    assert isinstance(disk, datasets.DatasetDict)
    parquet_files = {p.name.rsplit("-", 1)[0]: p for p in (outdir / "data").glob("*.parquet")}
    assert set(parquet_files) == set(rows)
    parquet = datasets.load_dataset("parquet", cache_dir=str(tmp_path / "c-parquet"),
                                    data_files={s: str(p) for s, p in parquet_files.items()})
    jsonl_files = {s: outdir / "jsonl" / f"{s}.jsonl" for s in rows}
    assert sorted(p.name for p in (outdir / "jsonl").iterdir()) == sorted(
        p.name for p in jsonl_files.values())
    as_json = datasets.load_dataset("json", cache_dir=str(tmp_path / "c-json"),
                                    data_files={s: str(p) for s, p in jsonl_files.items()})
    by_card = datasets.load_dataset(str(outdir), cache_dir=str(tmp_path / "c-card"))
    for loaded in (disk, parquet, as_json, by_card):
        assert {s: loaded[s].num_rows for s in loaded} == rows
    assert disk["train"].features == parquet["train"].features == by_card["train"].features

    validator = VALIDATORS[fmt]
    for split in rows:
        lines = _jsonl(jsonl_files[split])
        assert len(lines) == rows[split]
        for line in lines:  # every JSONL row fits the format's schema
            errors = [e.message for e in validator.iter_errors(line)]
            assert not errors, (errors[:3], json.dumps(line)[:500])
            _check_trainer_rules(fmt, line)
        arrow_rows = parquet[split].to_list()
        assert disk[split].to_list() == arrow_rows == by_card[split].to_list()
        for arrow_row, line in zip(arrow_rows, lines, strict=True):
            row = _from_arrow(fmt, arrow_row)
            errors = [e.message for e in validator.iter_errors(row)]
            assert not errors, (errors[:3], json.dumps(row)[:500])
            assert row == _strip_nulls(line)  # Parquet and JSON Lines: the same rows
            _check_trainer_rules(fmt, row)
        assert [_strip_nulls(r) for r in as_json[split].to_list()] == [
            _strip_nulls(line) for line in lines]

    # the card: configs and sizes of the splits there are, nothing else
    card = _front_matter(outdir / "README.md")
    (config,) = card["configs"]
    assert {f["split"]: f["path"] for f in config["data_files"]} == {
        s: f"data/{p.name}" for s, p in parquet_files.items()}
    assert {s["name"]: s["num_examples"] for s in card["dataset_info"]["splits"]} == rows
    # datasets' reading of it (a `splits` list it finds malformed is ignored, with a
    # warning on every load_dataset, and the sizes are never checked)
    splits = SplitDict._from_yaml_list(card["dataset_info"]["splits"])
    assert {name: split.num_examples for name, split in splits.items()} == rows
    assert json.loads((outdir / "dataset" / "dataset_dict.json").read_text())["splits"] == list(
        rows)


@pytest.mark.parametrize("fmt", ["openai-chat", "trl-messages", "trl-prompt-completion",
                                 "alpaca", "sharegpt"])
def test_sft_rows_and_left_out_account_for_every_example(fmt, export_of, built):
    _, report, manifest = export_of(fmt)
    left_out = report["left_out"]
    assert manifest["left_out"] == left_out
    assert sum(report["rows"].values()) + sum(left_out.values()) == built["total"]
    assert left_out["status"] == built["not_approved"]
    assert left_out["invalid"] == 22 - 2 + 12  # two triage outputs corrected to valid ones
    ids = [r["example_id"] for rows in manifest["lineage"].values() for r in rows]
    assert len(ids) == len(set(ids))  # one row per example in SFT formats
    assert {c["id"] for c in manifest["cannot_express"]}.isdisjoint(ids)
    assert len(manifest["cannot_express"]) == left_out.get("cannot_express", 0)


def test_alpaca_reports_the_chats_it_cannot_hold(export_of):
    _, report, manifest = export_of("alpaca")
    reasons = {c["reason"] for c in manifest["cannot_express"]}
    assert report["cannot_express"] == manifest["cannot_express"]
    assert any("tool calls" in r for r in reasons)
    assert any("one instruction" in r for r in reasons)


def _rows_by_id(outdir: Path, manifest: dict) -> dict[int, list[tuple[str, dict]]]:
    found: dict[int, list[tuple[str, dict]]] = {}
    for split, lineage in manifest["lineage"].items():
        for entry, line in zip(lineage, _jsonl(outdir / "jsonl" / f"{split}.jsonl"),
                               strict=True):
            found.setdefault(entry["example_id"], []).append((entry["source"], line))
    return found


def _text(value: Any) -> str:
    """A reply as text, from a string or a one-message list."""
    if isinstance(value, str):
        return value
    (message,) = value
    assert message["role"] == "assistant"
    return message["content"]


@pytest.mark.parametrize("fmt", ["trl-preference", "openai-dpo"])
def test_every_correction_is_a_preference_pair(fmt, export_of, built):
    outdir, report, manifest = export_of(fmt)
    corrections = built["corrections"]
    rows = _rows_by_id(outdir, manifest)
    assert report["corrections"] == manifest["corrections"] == len(corrections)
    for example_id, (original, fixed) in corrections.items():
        pairs = [row for source, row in rows[example_id] if source == "correction"]
        assert len(pairs) == 1, example_id
        if fmt == "trl-preference":
            chosen, rejected = _text(pairs[0]["chosen"]), _text(pairs[0]["rejected"])
        else:
            chosen = _text(pairs[0]["preferred_output"])
            rejected = _text(pairs[0]["non_preferred_output"])
        assert (chosen, rejected) == (fixed, original)
    # the corrected preference keeps its own pair too, with the corrected chosen
    (pref_id,) = set(corrections) & set(built["prefs"])
    own = [row for source, row in rows[pref_id] if source == "example"]
    assert len(own) == 1
    key = "rejected" if fmt == "trl-preference" else "non_preferred_output"
    assert _text(own[0][key]) == built["prefs"][pref_id].rejected
    # every other row is a preference pair of the sample
    assert {i for i, r in rows.items() if any(s == "example" for s, _ in r)} == set(built["prefs"])


def test_sft_rows_carry_the_corrected_output(export_of, built):
    outdir, _, manifest = export_of("trl-messages")
    rows = _rows_by_id(outdir, manifest)
    for example_id, (original, fixed) in built["corrections"].items():
        ((source, row),) = rows[example_id]
        assert source == "example" and row["messages"][-1]["content"] == fixed != original


def test_lineage_names_the_latest_revision_of_each_example(export_of, built, run_cli):
    _, _, manifest = export_of("trl-preference")
    checked = 0
    for entry in (e for rows in manifest["lineage"].values() for e in rows):
        code, out, err = run_cli("show", built["project"], entry["example_id"], "--history",
                                 "--json")
        assert code == 0, err
        history = json.loads(out)["history"]
        assert history and entry["revision_id"] == history[-1]["id"]
        checked += 1
    assert checked == sum(manifest["rows"].values())


def test_parallel_tool_calls_stay_one_sharegpt_turn(export_of):
    outdir, _, manifest = export_of("sharegpt")
    parallel = 0
    for split in manifest["rows"]:
        for row in _jsonl(outdir / "jsonl" / f"{split}.jsonl"):
            for i, turn in enumerate(row["conversations"]):
                if turn["from"] == "function_call" and isinstance(json.loads(turn["value"]),
                                                                  list):
                    parallel += 1
                    calls = json.loads(turn["value"])
                    if i + 1 < len(row["conversations"]):
                        results = row["conversations"][i + 1]
                        assert results["from"] == "observation"
                        assert len(results["value"].splitlines()) >= len(calls)
    assert parallel  # the sample has rows with parallel calls


def test_exports_leave_no_temporary_folders(export_of, built):
    outdir, _, _ = export_of("alpaca")
    names = sorted(p.name for p in outdir.parent.iterdir())
    assert names and not [name for name in names if name.startswith(".")], names
    assert not [p for p in built["project"].parent.iterdir() if p.name.startswith(".")]
