"""`curator export`: what leaves, where it goes, and that it gets there whole.

Round trips, hash splits and their stability, duplicates, what is left out and why,
corrections as preference pairs, refusal and atomic replacement, byte-identical
re-exports, the datasets cache, --push-to-hub and empty exports.
"""

from __future__ import annotations

import json
import pathlib
from pathlib import Path
from typing import Any

import pytest

from curator.export import prompt_key, split_of
from curator.formats import context_messages
from curator.models import STATUSES, Example
from curator.review import swap_preference
from curator.store import Store
from tests.conftest import SAMPLE_DATA, SCHEMAS

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a place.",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"}},
                   "required": ["location"], "additionalProperties": False}}}


# -- helpers ---------------------------------------------------------------------------

def _ok(run_cli, *args: Any) -> str:
    code, out, err = run_cli(*args)
    assert code == 0, f"{args}: {err}"
    return out


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _import(run_cli, project: Path, path: Path, task: str, *extra: Any) -> None:
    _ok(run_cli, "import", project, path, "--task", task, *extra)


def _export(run_cli, project: Path, outdir: Path, fmt: str, *extra: Any) -> dict:
    return json.loads(_ok(run_cli, "export", project, outdir, "--format", fmt, "--json",
                          *extra))


def _manifest(outdir: Path) -> dict:
    return json.loads((outdir / "manifest.json").read_text())


def _split_of_ids(outdir: Path) -> dict[int, str]:
    return {row["example_id"]: split for split, rows in _manifest(outdir)["lineage"].items()
            for row in rows}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _rows(outdir: Path) -> dict[str, list[dict]]:
    return {split: _jsonl(outdir / "jsonl" / f"{split}.jsonl")
            for split in _manifest(outdir)["rows"]}


def _siblings(outdir: Path) -> list[str]:
    """Temporary or old folders an export leaves beside OUTDIR."""
    return sorted(p.name for p in outdir.parent.iterdir()
                  if p.name.startswith(f".{outdir.name}."))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _pairs(n: int, prefix: str = "Question", start: int = 0) -> list[dict]:
    return [{"prompt": f"{prefix} {i}: what is {i} plus {i}?", "completion": f"{2 * i}"}
            for i in range(start, start + n)]


def _all_examples(project: Path) -> list[Example]:
    with Store.open(project) as store:
        return [item["example"] for item in
                store.examples_for_export(task=None, statuses=STATUSES, limit=100_000)]


def _sample_project(run_cli, project: Path, *, tools: bool = True,
                    prefs: bool = True) -> None:
    _import(run_cli, project, SAMPLE_DATA / "support_tickets.jsonl", "support_triage",
            "--schema", SCHEMAS / "support_ticket_triage.schema.json")
    if tools:
        _import(run_cli, project, SAMPLE_DATA / "tool_calls.jsonl", "tool_calls")
    if prefs:
        _import(run_cli, project, SAMPLE_DATA / "preferences.json", "reply_preference")
    _ok(run_cli, "decide", project, "--all", "approve", "--annotator", "ann")


@pytest.fixture
def small(project, run_cli, tmp_path) -> Path:
    """30 approved pairs, no schema."""
    _import(run_cli, project, _write_jsonl(tmp_path / "pairs.jsonl", _pairs(30)), "qa")
    _ok(run_cli, "decide", project, "--all", "approve")
    return project


# -- 2. round trip ---------------------------------------------------------------------

def _canon_message(message: dict) -> tuple:
    calls = tuple((c["function"]["name"], c["function"]["arguments"])
                  for c in message.get("tool_calls") or [])
    return message["role"], message.get("content") or "", calls, message.get("tool_call_id")


def _canon(example: Example, *, tools: bool) -> tuple:
    key: tuple = (tuple(_canon_message(m) for m in context_messages(example)), example.output,
                  tuple((c.name, c.arguments) for c in example.tool_calls))
    if tools:
        key += (json.dumps([t.model_dump(exclude_none=True) for t in example.tools],
                           sort_keys=True),)
    return key


@pytest.mark.parametrize("fmt", ["trl-prompt-completion", "openai-chat"])
def test_round_trip_through_the_exported_jsonl(fmt, project, run_cli, tmp_path):
    _sample_project(run_cli, project)
    fixed = json.dumps({"category": "billing", "priority": "low", "sentiment": "neutral",
                        "language": "en", "summary": "Round trip correction.",
                        "requires_human": False, "entities": {
                            "customer": {"name": "Ann", "email": None}, "order_ids": [],
                            "products": []}})
    _ok(run_cli, "decide", project, "1", "approve", "--output", fixed)
    outdir = tmp_path / "out"
    report = _export(run_cli, project, outdir, fmt, "--split", "train=0.8,test=0.2")
    exported_ids = set(_split_of_ids(outdir))
    assert 1 in exported_ids

    again = tmp_path / "again.curator"
    files = [outdir / "jsonl" / f"{split}.jsonl" for split in report["rows"]]
    _ok(run_cli, "import", again, *files, "--task", "round_trip")

    old = {e.id: e for e in _all_examples(project)}
    with_tools = fmt == "openai-chat"  # TRL prompt-completion has no place for tools
    before = {_canon(old[i], tools=with_tools) for i in exported_ids}
    after = {_canon(e, tools=with_tools) for e in _all_examples(again)}
    assert len(after) == sum(report["rows"].values()) == len(exported_ids)
    assert after == before
    assert any(key[1] == fixed for key in after)  # the corrected output, not the original


def test_round_trip_of_text_prompts_adds_only_the_separator(project, run_cli, tmp_path):
    _sample_project(run_cli, project, tools=False, prefs=False)
    outdir = tmp_path / "out"
    report = _export(run_cli, project, outdir, "trl-prompt-completion")
    rows = _rows(outdir)["train"]
    assert all(isinstance(r["prompt"], str) for r in rows)
    again = tmp_path / "again.curator"
    _import(run_cli, again, outdir / "jsonl" / "train.jsonl", "round_trip")
    old = {e.id: e for e in _all_examples(project)}
    before = {(old[i].prompt, old[i].output) for i in _split_of_ids(outdir)}
    after = {(e.prompt, e.output) for e in _all_examples(again)}
    assert len(after) == report["rows"]["train"]
    # TRL glues prompt and completion with nothing between: the export adds a newline
    assert after == {(p if p[-1].isspace() else p + "\n", o) for p, o in before}


# -- 3. splits -------------------------------------------------------------------------

def _norm(text: str) -> str:
    return " ".join(text.split())


def test_no_prompt_is_in_two_splits_and_the_fractions_hold(project, run_cli, tmp_path):
    records = _pairs(300)
    for i in range(40):  # a prompt asked three times, answered three ways
        records += [{"prompt": f"Repeated {i}: name a colour", "completion": colour}
                    for colour in ("red", "green", "blue")]
    for i in range(20):  # the same prompt up to whitespace, answered two ways
        records += [{"prompt": f"Spaced {i}: say yes", "completion": "yes"},
                    {"prompt": f"Spaced  {i}:\nsay yes\n", "completion": "yes, sure"}]
    _import(run_cli, project, _write_jsonl(tmp_path / "many.jsonl", records), "qa")
    _ok(run_cli, "decide", project, "--all", "approve")
    fractions = {"train": 0.7, "validation": 0.1, "test": 0.2}
    outdir = tmp_path / "out"
    report = _export(run_cli, project, outdir, "trl-prompt-completion", "--split",
                     ",".join(f"{k}={v}" for k, v in fractions.items()), "--seed", "5")
    assert sum(report["rows"].values()) == len(records)  # no duplicates among them
    where: dict[str, set[str]] = {}
    for split, rows in _rows(outdir).items():
        for row in rows:
            where.setdefault(_norm(row["prompt"]), set()).add(split)
    assert len(where) == 300 + 40 + 20
    assert all(len(splits) == 1 for splits in where.values()), [
        p for p, s in where.items() if len(s) > 1]
    for split, fraction in fractions.items():
        share = sum(1 for s in where.values() if split in s) / len(where)
        assert abs(share - fraction) < 0.07, (split, share)


def test_adding_examples_never_moves_old_ones(project, run_cli, tmp_path):
    _import(run_cli, project, _write_jsonl(tmp_path / "first.jsonl", _pairs(200)), "qa")
    _ok(run_cli, "decide", project, "--all", "approve")
    split = ("--split", "train=0.5,test=0.5", "--seed", "11")
    _export(run_cli, project, tmp_path / "one", "trl-messages", *split)
    before = _split_of_ids(tmp_path / "one")
    assert len(before) == 200

    more = _pairs(100, start=200)
    more += [{"prompt": r["prompt"], "completion": "a second answer"} for r in _pairs(30)]
    _import(run_cli, project, _write_jsonl(tmp_path / "second.jsonl", more), "qa")
    _ok(run_cli, "decide", project, "--all", "--status", "pending", "approve")
    _export(run_cli, project, tmp_path / "two", "trl-messages", *split)
    after = _split_of_ids(tmp_path / "two")
    assert len(after) == 330
    assert {i: after[i] for i in before} == before
    # a new answer to an old prompt joins that prompt's split
    by_prompt = {_norm(e.prompt): e.id for e in _all_examples(project) if e.id in before}
    for example in _all_examples(project):
        if example.id not in before and _norm(example.prompt) in by_prompt:
            assert after[example.id] == before[by_prompt[_norm(example.prompt)]]
    # and the seed is what decides
    _export(run_cli, project, tmp_path / "three", "trl-messages", "--split",
            "train=0.5,test=0.5", "--seed", "12")
    assert _split_of_ids(tmp_path / "three") != after


# -- 4. duplicates, what cannot be expressed, what is left out --------------------------

def test_exact_duplicates_leave_once_up_to_whitespace(project, run_cli, tmp_path):
    records = [{"prompt": "Say hi", "completion": "hi"},
               {"prompt": "Say hi\n", "completion": "hi"},
               {"prompt": "Say  hi", "completion": " hi\n"},
               {"prompt": "Say\thi ", "completion": "hi"},
               {"prompt": "Say hi", "completion": "hello"},  # another output: stays
               {"prompt": "Something else", "completion": "hi"}]
    _import(run_cli, project, _write_jsonl(tmp_path / "dups.jsonl", records), "qa")
    _ok(run_cli, "decide", project, "--all", "approve")
    for fmt in ("trl-messages", "trl-prompt-completion", "alpaca"):
        outdir = tmp_path / fmt
        report = _export(run_cli, project, outdir, fmt)
        assert report["rows"] == {"train": 3}, fmt
        assert report["left_out"]["duplicate"] == 3
        assert _manifest(outdir)["left_out"]["duplicate"] == 3
        assert sorted(_split_of_ids(outdir)) == [1, 5, 6]  # the first of each leaves


def test_replies_that_differ_only_in_tool_calls_are_not_duplicates(project, run_cli,
                                                                   tmp_path):
    def chat(location: str) -> dict:
        return {"messages": [
            {"role": "user", "content": "Weather in Oslo?"},
            {"role": "assistant", "content": None, "tool_calls": [{
                "id": "call_1", "type": "function", "function": {
                    "name": "get_weather",
                    "arguments": json.dumps({"location": location})}}]}],
            "tools": [WEATHER_TOOL]}

    records = [chat("Oslo"), chat("Oslo, Norway"), chat("Oslo")]
    path = tmp_path / "calls.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records[:2]) + json.dumps(
        records[2], indent=None, separators=(",", ": ")) + "\n")
    _import(run_cli, project, path, "calls")
    _ok(run_cli, "decide", project, "--all", "approve")
    for fmt in ("openai-chat", "trl-messages", "sharegpt"):
        report = _export(run_cli, project, tmp_path / fmt, fmt)
        assert sum(report["rows"].values()) == 2, fmt
        arguments = {json.dumps(r, sort_keys=True) for r in _rows(tmp_path / fmt)["train"]}
        assert len(arguments) == 2


def test_what_cannot_be_expressed_is_reported_not_dropped(project, run_cli, tmp_path):
    _import(run_cli, project, SAMPLE_DATA / "tool_calls.jsonl", "tool_calls")
    _import(run_cli, project, _write_jsonl(tmp_path / "pairs.jsonl", _pairs(10)), "qa")
    _ok(run_cli, "decide", project, "--all", "approve")
    outdir = tmp_path / "alpaca"
    code, out, err = run_cli("export", project, outdir, "--format", "alpaca")
    assert code == 0, err
    assert out.strip() == str(outdir)
    manifest = _manifest(outdir)
    reported = manifest["cannot_express"]
    assert reported and all(set(r) == {"id", "reason"} and r["reason"] for r in reported)
    assert manifest["left_out"]["cannot_express"] == len(reported)
    assert "cannot be expressed" in err
    for entry in reported[:20]:
        assert f"#{entry['id']}: {entry['reason']}" in err
    if len(reported) > 20:
        assert f"and {len(reported) - 20} more (see manifest.json)" in err
    exported = set(_split_of_ids(outdir))
    assert exported.isdisjoint(r["id"] for r in reported)
    assert len(exported) + sum(manifest["left_out"].values()) == 80 + 10


def test_left_out_reasons_and_the_include_options(project, run_cli, tmp_path):
    _import(run_cli, project, SAMPLE_DATA / "support_tickets.jsonl", "triage", "--schema",
            SCHEMAS / "support_ticket_triage.schema.json")
    _ok(run_cli, "decide", project, "--all", "approve")
    for example_id in (1, 2, 3):
        _ok(run_cli, "decide", project, example_id, "reject")
    _import(run_cli, project, _write_jsonl(tmp_path / "extra.jsonl", _pairs(10)), "extra")

    report = _export(run_cli, project, tmp_path / "default", "trl-messages")
    with Store.open(project) as store:
        items = store.examples_for_export(task=None, statuses=("approved",), limit=1000)
    invalid = {i["example"].id for i in items if i["valid"] is False}
    assert len(invalid) > 10  # the sample's broken triage outputs
    assert report["left_out"]["status"] == 3 + 10
    assert report["left_out"]["invalid"] == len(invalid)
    total = sum(report["rows"].values()) + sum(report["left_out"].values())
    assert total == 160
    assert invalid.isdisjoint(_split_of_ids(tmp_path / "default"))

    report = _export(run_cli, project, tmp_path / "invalid", "trl-messages",
                     "--include-invalid")
    assert not report["left_out"].get("invalid")
    exported = set(_split_of_ids(tmp_path / "invalid"))
    assert invalid <= exported
    assert len(exported) + report["left_out"].get("duplicate", 0) == 147

    report = _export(run_cli, project, tmp_path / "pending", "trl-messages",
                     "--include-status", "approved", "--include-status", "pending")
    assert report["left_out"]["status"] == 3
    with Store.open(project) as store:
        extra = {e["id"] for e in store.list_examples(task="extra", limit=100)}
    assert extra <= set(_split_of_ids(tmp_path / "pending"))

    code, _, err = run_cli("export", project, tmp_path / "bad", "--format", "alpaca",
                           "--include-status", "maybe")
    assert code == 2 and "maybe" in err
    assert not (tmp_path / "bad").exists()


# -- 5. corrections as preference pairs (regressions; the sample is in test_export_formats)

def test_a_swapped_preference_is_one_pair_not_a_correction(project, run_cli, tmp_path):
    _import(run_cli, project, SAMPLE_DATA / "preferences.json", "prefs")
    with Store.open(project) as store:
        example = store.get_example(1)
        swap_preference(store, example, annotator="ann")
    _ok(run_cli, "decide", project, "1", "approve")
    report = _export(run_cli, project, tmp_path / "out", "trl-preference")
    assert report["rows"] == {"train": 1} and report["corrections"] == 0
    (row,) = _rows(tmp_path / "out")["train"]
    assert (row["chosen"], row["rejected"]) == (example.rejected, example.output)
    assert [r["source"] for r in _manifest(tmp_path / "out")["lineage"]["train"]] == ["example"]


def test_two_corrections_of_one_prompt_are_two_pairs(project, run_cli, tmp_path):
    records = [{"prompt": "Capital of France?", "completion": "Lyon"},
               {"prompt": "Capital of France?", "completion": "Marseille"}]
    _import(run_cli, project, _write_jsonl(tmp_path / "wrong.jsonl", records), "qa")
    for example_id in (1, 2):
        _ok(run_cli, "decide", project, example_id, "approve", "--output", "Paris")
    for fmt in ("trl-preference", "openai-dpo"):
        report = _export(run_cli, project, tmp_path / fmt, fmt)
        assert report["rows"] == {"train": 2} and report["corrections"] == 2, fmt
    rows = _rows(tmp_path / "trl-preference")["train"]
    assert {(r["chosen"], r["rejected"]) for r in rows} == {("Paris", "Lyon"),
                                                           ("Paris", "Marseille")}
    # as SFT rows they are one and the same
    report = _export(run_cli, project, tmp_path / "sft", "trl-messages")
    assert report["rows"] == {"train": 1} and report["left_out"]["duplicate"] == 1


def test_a_whitespace_only_edit_is_not_a_correction(small, run_cli, tmp_path):
    with Store.open(small) as store:
        original = store.get_example(3).output
    _ok(run_cli, "decide", small, "3", "approve", "--output", f" {original}\n")
    _ok(run_cli, "decide", small, "4", "approve", "--output", "a real correction")
    report = _export(run_cli, small, tmp_path / "out", "trl-preference")
    assert report["rows"] == {"train": 1} and report["corrections"] == 1
    assert [r["id"] for r in report["cannot_express"]].count(3) == 1


# -- 6. refusal, --force, atomicity ----------------------------------------------------

def test_an_existing_outdir_is_refused_without_force(small, run_cli, tmp_path):
    outdir = tmp_path / "out"
    _export(run_cli, small, outdir, "alpaca")
    before = _snapshot(outdir)
    _ok(run_cli, "decide", small, "1", "approve", "--output", "a different answer")
    code, _, err = run_cli("export", small, outdir, "--format", "alpaca")
    assert code == 2 and "--force" in err
    assert _snapshot(outdir) == before

    _export(run_cli, small, outdir, "alpaca", "--force")
    after = _snapshot(outdir)
    assert after != before
    assert any(r["output"] == "a different answer" for r in _rows(outdir)["train"])
    assert _siblings(outdir) == []


def test_force_never_replaces_the_folder_holding_the_project(run_cli, tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    project = folder / "p.curator"
    _import(run_cli, project, _write_jsonl(folder / "pairs.jsonl", _pairs(5)), "qa")
    _ok(run_cli, "decide", project, "--all", "approve")
    before = _snapshot(folder)
    for outdir in (folder, tmp_path):
        code, _, err = run_cli("export", project, outdir, "--format", "alpaca", "--force")
        assert code == 2 and "holds the project" in err
    assert project.exists() and (folder / "pairs.jsonl").read_bytes() == before["pairs.jsonl"]
    assert _siblings(folder) == [] and _ok(run_cli, "stats", project)


@pytest.mark.parametrize("step", ["_save_to_disk", "_write_card", "_write_manifest"])
def test_a_failure_midway_leaves_no_folder(step, small, run_cli, tmp_path, monkeypatch):
    import curator.export

    def boom(*args, **kwargs):
        raise RuntimeError(f"{step} failed")

    monkeypatch.setattr(curator.export, step, boom)
    outdir = tmp_path / "exports" / "out"
    with pytest.raises(RuntimeError, match="failed"):
        run_cli("export", small, outdir, "--format", "trl-messages")
    assert not outdir.exists()
    assert _siblings(outdir) == []


@pytest.mark.parametrize("step", ["_save_to_disk", "_write_card", "rename"])
def test_a_failure_with_force_keeps_the_old_export(step, small, run_cli, tmp_path,
                                                   monkeypatch):
    import curator.export

    outdir = tmp_path / "out"
    _export(run_cli, small, outdir, "trl-messages", "--split", "train=0.5,test=0.5")
    before = _snapshot(outdir)
    _ok(run_cli, "decide", small, "1", "approve", "--output", "changed")

    if step == "rename":  # the very last step: moving the finished export into place
        real_rename = pathlib.Path.rename

        def rename(self, target):
            if self.name.startswith(f".{outdir.name}.tmp-"):
                raise OSError("disk gone")
            return real_rename(self, target)

        monkeypatch.setattr(pathlib.Path, "rename", rename)
        error: type[BaseException] = OSError
    else:
        def boom(*args, **kwargs):
            raise RuntimeError(f"{step} failed")

        monkeypatch.setattr(curator.export, step, boom)
        error = RuntimeError
    with pytest.raises(error):
        run_cli("export", small, outdir, "--format", "trl-messages", "--force")
    assert _snapshot(outdir) == before
    assert _siblings(outdir) == []


# -- 7. byte-identical re-export -------------------------------------------------------

def test_the_same_project_exports_byte_identical_files(project, run_cli, tmp_path):
    _sample_project(run_cli, project)
    _ok(run_cli, "decide", project, "5", "approve", "--output", '{"not": "valid"}')
    options = ("--split", "train=0.8,test=0.2", "--seed", "3")
    for fmt in ("trl-messages", "openai-chat"):
        one, two = tmp_path / f"{fmt}-1", tmp_path / f"{fmt}-2"
        _export(run_cli, project, one, fmt, *options)
        _export(run_cli, project, two, fmt, *options)
        first, second = _snapshot(one), _snapshot(two)
        compared = [name for name in first
                    if name.split("/")[0] in ("data", "jsonl", "dataset", "README.md")]
        assert len(compared) == 2 + 2 + 7 + 1  # parquet, jsonl, dataset/ (2 x 3 + 1), card
        assert set(first) == set(second)
        for name in compared:
            assert first[name] == second[name], name
        assert _manifest(one)["lineage"] == _manifest(two)["lineage"]


# -- 8. the datasets cache -------------------------------------------------------------

def test_an_edit_shows_up_after_re_export_with_force(small, run_cli, tmp_path):
    import datasets

    outdir, cache = tmp_path / "out", tmp_path / "hf-cache"
    _export(run_cli, small, outdir, "trl-prompt-completion")
    before = datasets.load_dataset(str(outdir), cache_dir=str(cache))["train"]
    assert "an edited answer" not in list(before["completion"])

    with Store.open(small) as store:
        old_answer = store.get_example(7).output
    assert list(before["completion"]).count(old_answer) == 1
    _ok(run_cli, "decide", small, "7", "approve", "--output", "an edited answer")
    _export(run_cli, small, outdir, "trl-prompt-completion", "--force")
    after = datasets.load_dataset(str(outdir), cache_dir=str(cache))["train"]
    assert after.num_rows == before.num_rows
    assert "an edited answer" in list(after["completion"])
    assert old_answer not in list(after["completion"])
    disk = datasets.load_from_disk(str(outdir / "dataset"))["train"]
    assert "an edited answer" in list(disk["completion"])


# -- 9. --push-to-hub ------------------------------------------------------------------

def test_push_to_hub_hands_the_dataset_to_datasets(small, run_cli, tmp_path, monkeypatch):
    import datasets

    calls = []

    def push_to_hub(self, repo_id, *args, **kwargs):
        calls.append((repo_id, {split: self[split].num_rows for split in self}))

    monkeypatch.setattr(datasets.DatasetDict, "push_to_hub", push_to_hub)
    report = _export(run_cli, small, tmp_path / "out", "alpaca", "--split",
                     "train=0.8,test=0.2", "--push-to-hub", "someone/curated")
    assert calls == [("someone/curated", report["rows"])]


# -- 10. empty exports and empty splits ------------------------------------------------

def test_nothing_to_export_is_an_error_not_an_empty_folder(project, run_cli, tmp_path):
    _import(run_cli, project, _write_jsonl(tmp_path / "pairs.jsonl", _pairs(5)), "qa")
    outdir = tmp_path / "out"
    code, out, err = run_cli("export", project, outdir, "--format", "trl-messages")
    assert code == 2 and "nothing to export" in err and "5 not in --include-status" in err
    assert not outdir.exists() and _siblings(outdir) == []
    # approved, but not a preference pair and never corrected: still nothing
    _ok(run_cli, "decide", project, "--all", "approve")
    code, _, err = run_cli("export", project, outdir, "--format", "trl-preference")
    assert code == 2 and "cannot be expressed" in err
    assert not outdir.exists() and _siblings(outdir) == []


def test_an_empty_split_is_never_written(project, run_cli, tmp_path):
    import datasets

    _import(run_cli, project, _write_jsonl(tmp_path / "pairs.jsonl", _pairs(20)), "qa")
    _ok(run_cli, "decide", project, "--all", "approve")
    fractions = {"train": 0.99, "test": 0.01}
    keys = [prompt_key(e) for e in _all_examples(project)]
    seed = next(s for s in range(1000) if all(split_of(k, s, fractions) == "train"
                                              for k in keys))
    outdir = tmp_path / "out"
    report = _export(run_cli, project, outdir, "trl-messages", "--split",
                     "train=0.99,test=0.01", "--seed", str(seed))
    assert report["rows"] == {"train": 20}
    assert _manifest(outdir)["rows"] == {"train": 20}
    assert list(_manifest(outdir)["lineage"]) == ["train"]
    assert [p.name for p in (outdir / "jsonl").iterdir()] == ["train.jsonl"]
    assert [p.name.split("-")[0] for p in (outdir / "data").iterdir()] == ["train"]
    assert sorted(p.name for p in (outdir / "dataset").iterdir()) == ["dataset_dict.json",
                                                                      "train"]
    disk = datasets.load_from_disk(str(outdir / "dataset"))
    assert list(disk) == ["train"] and disk["train"].num_rows == 20
    card = (outdir / "README.md").read_text()
    assert "split: test" not in card and "name: test" not in card and "| test |" not in card
    by_card = datasets.load_dataset(str(outdir), cache_dir=str(tmp_path / "cache"))
    assert list(by_card) == ["train"]


@pytest.mark.parametrize("split", ["train", "train=0.5,test=0.4", "train=0.5,train=0.5",
                                   "train=x", "1st=1", "train=0,test=1"])
def test_bad_split_options_are_refused(split, small, run_cli, tmp_path):
    code, _, err = run_cli("export", small, tmp_path / "out", "--format", "alpaca",
                           "--split", split)
    assert code == 2 and "--split" in err
    assert not (tmp_path / "out").exists()


def test_force_never_replaces_a_folder_that_is_not_an_export(tmp_path, run_cli):
    from curator.store import Store
    from curator.ingest import import_files
    from tests.conftest import SAMPLE_DATA

    project = tmp_path / "p.db"
    with Store.open(project, create=True) as store:
        import_files(store, [SAMPLE_DATA / "preferences.json"], task="prefs")
    run_cli("decide", project, "--all", "approve")
    precious = tmp_path / "documents"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    code, _, err = run_cli("export", project, precious, "--format", "trl-preference",
                           "--force")
    assert code == 2 and "not a curator export" in err
    assert (precious / "thesis.txt").read_text() == "years of work"
    code, _, err = run_cli("export", project, tmp_path / "out", "--format", "trl-preference")
    assert code == 0, err
    code, _, err = run_cli("export", project, tmp_path / "out", "--format", "trl-preference",
                           "--force")
    assert code == 0, err
