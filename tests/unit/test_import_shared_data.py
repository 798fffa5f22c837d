"""Every file of example pairs, chats or preference pairs in /work/shared/data imports
through the CLI with exact counts, and a few imported examples are checked field by
field against the raw records (read here with the standard library, not curator)."""

from __future__ import annotations

import csv
import gzip
import json
from contextlib import contextmanager
from pathlib import Path

import pytest

from curator.store import Store
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures"
PREDICTION_MAP = ("--map", "prompt=prompt", "--map", "output=response")

# (path under shared/data, extra args, task, layout, read, added, duplicate, kind)
FILES = [
    ("llama-factory-demo/alpaca_en_demo.json", (), "alpaca_en_demo", "alpaca",
     999, 985, 14, "pair"),
    ("llama-factory-demo/glaive_toolcall_en_demo.json", (), "glaive_toolcall_en_demo",
     "sharegpt", 300, 265, 35, "chat"),
    ("llama-factory-demo/dpo_en_demo.json", (), "dpo_en_demo", "sharegpt-preference",
     300, 295, 5, "preference"),
    ("llama-factory-demo/kto_en_demo.json", (), "kto_en_demo", "openai-chat",
     300, 300, 0, "chat"),
    ("llama-factory-demo/identity.json", (), "identity", "alpaca", 91, 91, 0, "pair"),
    ("fastchat/dummy_conversation.json", (), "dummy_conversation", "sharegpt",
     500, 500, 0, "chat"),
    ("openai-cookbook/toy_chat_fine_tuning.jsonl", (), "toy_chat_fine_tuning", "openai-chat",
     5, 5, 0, "chat"),
    ("hh-rlhf/harmless-base/test.jsonl.gz", (), "test", "hh-rlhf", 2312, 2312, 0,
     "preference"),
    ("stanford-alpaca/seed_tasks.jsonl", (), "seed_tasks", "self-instruct", 175, 175, 0,
     "pair"),
    ("self-instruct/human_eval/user_oriented_instructions.jsonl", (),
     "user_oriented_instructions", "self-instruct", 252, 252, 0, "pair"),
    ("self-instruct/human_eval/predictions/text-davinci-003_predictions.jsonl",
     PREDICTION_MAP, "text-davinci-003_predictions", "mapped", 252, 252, 0, "pair"),
    ("self-instruct/human_eval/predictions/davinci-self-instruct_predictions.jsonl",
     PREDICTION_MAP, "davinci-self-instruct_predictions", "mapped", 252, 252, 0, "pair"),
    ("fastchat/mt_bench/question.jsonl", ("--map", "prompt=turns.0"), "question", "mapped",
     80, 80, 0, "pair"),
    ("awesome-chatgpt-prompts/prompts.csv", ("--map", "prompt=prompt"), "prompts", "mapped",
     1529, 1511, 18, "pair"),
]
# BFCL v4 question files and their record counts (SOURCES.md section 2a)
BFCL = {
    "BFCL_v4_simple_python.json": 400,
    "BFCL_v4_multiple.json": 200,
    "BFCL_v4_parallel.json": 200,
    "BFCL_v4_parallel_multiple.json": 200,
    "BFCL_v4_live_simple.json": 258,
    "BFCL_v4_live_multiple.json": 1053,
    "BFCL_v4_irrelevance.json": 240,
}
FILES += [(f"bfcl/{name}", (), name.removesuffix(".json"), "bfcl", count, count, 0, "chat")
          for name, count in BFCL.items()]


# -- helpers ----------------------------------------------------------------------------

def import_json(run_cli, project: Path, *args) -> dict:
    code, out, err = run_cli("import", project, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def stats_json(run_cli, project: Path) -> dict:
    code, out, err = run_cli("stats", project, "--json")
    assert code == 0, err
    return json.loads(out)


def example_at(project: Path, locator: str, task: str | None = None):
    """The example imported from `locator` (e.g. "row 0 (line 2)", "line 1")."""
    with Store.open(project) as store:
        sql = ("SELECT e.id FROM examples e JOIN tasks t ON t.id = e.task_id "
               "WHERE e.source_locator = ?")
        params = [locator]
        if task is not None:
            sql += " AND t.name = ?"
            params.append(task)
        ids = [row[0] for row in store.conn.execute(sql, params)]
        assert len(ids) == 1, (locator, ids)
        return store.get_example(ids[0])


def query(project: Path, sql: str, *params) -> list[tuple]:
    with Store.open(project) as store:
        return [tuple(row) for row in store.conn.execute(sql, params)]


def load_json(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


@contextmanager
def csv_reader(path: Path):
    """A csv.DictReader that accepts the 144,260-character field; the process-wide
    field size limit is restored afterwards."""
    previous = csv.field_size_limit(1 << 30)
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            yield csv.DictReader(handle)
    finally:
        csv.field_size_limit(previous)


def load_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


# -- every file, exact counts -------------------------------------------------------------

@pytest.mark.parametrize(
    "relpath, extra, task, layout, read, added, duplicate, kind",
    FILES, ids=[f[0].rsplit("/", 1)[-1] for f in FILES])
def test_shared_file_imports_with_exact_counts(shared_data, project, run_cli, relpath, extra,
                                               task, layout, read, added, duplicate, kind):
    path = shared_data / relpath
    report = import_json(run_cli, project, path, *extra)
    assert report["files"] == [{
        "file": str(path), "task": task, "layout": layout, "read": read, "added": added,
        "duplicate": duplicate, "rejected": 0, "rejects_file": None,
    }]
    assert added + duplicate == read
    assert (report["added"], report["duplicate"], report["rejected"]) == (added, duplicate, 0)

    stats = stats_json(run_cli, project)
    assert stats["total"] == added
    assert stats["by_status"]["pending"] == added
    assert stats["tasks"][task]["total"] == added
    assert query(project, "SELECT kind, count(*) FROM examples GROUP BY kind") == [(kind, added)]
    with Store.open(project) as store:
        assert [(i["path"], i["rows_read"], i["rows_added"], i["rows_duplicate"],
                 i["rows_rejected"]) for i in store.imports()] == [
            (str(path), read, added, duplicate, 0)]


def test_duplicate_counts_match_the_distinct_records(shared_data):
    """The dedupe numbers above are the data's, not an artefact: count distinct records
    with the standard library."""
    demo = shared_data / "llama-factory-demo"
    alpaca = load_json(demo / "alpaca_en_demo.json")
    assert len({(r["instruction"], r["input"], r["output"]) for r in alpaca}) == 985
    glaive = load_json(demo / "glaive_toolcall_en_demo.json")
    assert len({json.dumps(r, sort_keys=True) for r in glaive}) == 265
    dpo = load_json(demo / "dpo_en_demo.json")
    assert len({json.dumps(r, sort_keys=True) for r in dpo}) == 295
    with csv_reader(shared_data / "awesome-chatgpt-prompts/prompts.csv") as reader:
        prompts = [row["prompt"] for row in reader]
    assert (len(prompts), len(set(prompts))) == (1529, 1511)


def test_all_bfcl_question_files_in_one_import(shared_data, project, run_cli):
    paths = [shared_data / "bfcl" / name for name in BFCL]
    report = import_json(run_cli, project, *paths)
    assert [(Path(f["file"]).name, f["read"], f["added"]) for f in report["files"]] == [
        (name, count, count) for name, count in BFCL.items()]
    assert report["added"] == 2551
    stats = stats_json(run_cli, project)
    assert stats["total"] == 2551
    assert {name: task["total"] for name, task in stats["tasks"].items()} == {
        name.removesuffix(".json"): count for name, count in BFCL.items()}
    # question turns hold no reply: every example waits for the annotator's tool calls
    assert query(project, "SELECT count(*) FROM examples WHERE output = '' "
                          "AND tool_calls IS NULL AND rejected IS NULL") == [(2551,)]


def test_reimport_adds_nothing_and_says_so(shared_data, project, run_cli):
    path = shared_data / "llama-factory-demo/alpaca_en_demo.json"
    first = import_json(run_cli, project, path)
    assert first["added"] == 985
    code, out, err = run_cli("import", project, path)
    assert code == 0, err
    assert "nothing new" in err
    assert stats_json(run_cli, project)["total"] == 985
    with Store.open(project) as store:
        second = store.imports()[-1]
    assert (second["rows_read"], second["rows_added"], second["rows_duplicate"]) == (
        999, 0, 999)


def test_reimport_of_a_csv_with_a_mapping_adds_nothing(shared_data, project, run_cli):
    path = shared_data / "awesome-chatgpt-prompts/prompts.csv"
    import_json(run_cli, project, path, "--map", "prompt=prompt")
    report = import_json(run_cli, project, path, "--map", "prompt=prompt")
    assert (report["added"], report["duplicate"]) == (0, 1529)
    assert stats_json(run_cli, project)["total"] == 1511


# -- content, field by field -----------------------------------------------------------

def _check_glaive_record0(example, raw: dict) -> None:
    turns = raw["conversations"]
    assert example.kind == "chat"
    assert [m.role for m in example.messages] == [
        "user", "assistant", "user", "assistant", "tool", "assistant", "user"]
    assert example.messages[0].content == turns[0]["value"]
    call_message = example.messages[3]
    assert call_message.content is None
    assert len(call_message.tool_calls) == 1
    call = call_message.tool_calls[0]
    assert call.name == "search_recipes"
    assert call.id == "call_0"
    assert json.loads(call.arguments) == {"ingredients": ["chicken", "bell peppers", "rice"]}
    tool_message = example.messages[4]
    assert tool_message.tool_call_id == call.id
    assert tool_message.content == turns[4]["value"]
    # the final gpt turn is the reply being labeled
    assert example.output == turns[-1]["value"]
    assert example.tool_calls == []
    # `tools` is a JSON string in the file; it arrives parsed
    tools = json.loads(raw["tools"])
    assert [t.name for t in example.tools] == ["search_recipes"]
    assert example.tools[0].description == "Search for recipes based on ingredients"
    assert example.tools[0].parameters == tools[0]["parameters"]
    assert example.meta == {}


def _check_glaive_three_calls(example, raw: dict) -> None:
    # human, (call, observation, gpt) x 3 with two more human turns; the last gpt is the reply
    assert [m.role for m in example.messages] == [
        "user", "assistant", "tool", "assistant", "user", "assistant", "tool", "assistant",
        "user", "assistant", "tool"]
    calls = [m for m in example.messages if m.tool_calls]
    assert [c.tool_calls[0].id for c in calls] == ["call_0", "call_1", "call_2"]
    assert [json.loads(c.tool_calls[0].arguments) for c in calls] == [
        {"shape": "rectangle", "dimensions": [5, 3]}, {"shape": "circle", "dimensions": [4]},
        {"shape": "square", "dimensions": [7]}]
    assert [m.tool_call_id for m in example.messages if m.role == "tool"] == [
        "call_0", "call_1", "call_2"]
    assert [m.content for m in example.messages if m.role == "tool"] == [
        '{"area": 15}', '{"area": 50.24}', '{"area": 49}']
    assert example.output == raw["conversations"][-1]["value"]
    assert [t.name for t in example.tools] == ["calculate_area", "calculate_discount"]
    assert example.tools[1].parameters == json.loads(raw["tools"])[1]["parameters"]


def test_glaive_tool_calls_link_to_tool_results_fixture(project, run_cli):
    """Runs without the shared data: two real records kept in tests/fixtures."""
    path = FIXTURES / "glaive_toolcall_sample.json"
    raw = load_json(path)
    report = import_json(run_cli, project, path)
    assert (report["files"][0]["layout"], report["added"]) == ("sharegpt", 2)
    _check_glaive_record0(example_at(project, "row 0 (line 2)"), raw[0])
    second = example_at(project, "row 1 (line 39)")
    _check_glaive_three_calls(second, raw[1])
    assert second.source.file == str(path)


def test_glaive_content(shared_data, project, run_cli):
    path = shared_data / "llama-factory-demo/glaive_toolcall_en_demo.json"
    raw = load_json(path)
    import_json(run_cli, project, path)
    _check_glaive_record0(example_at(project, "row 0 (line 2)"), raw[0])
    _check_glaive_three_calls(example_at(project, "row 3 (line 121)"), raw[3])
    # record 1 has tools == "[]": no tools, and no tool messages
    assert raw[1]["tools"] == "[]"
    second = example_at(project, "row 1 (line 39)")
    assert second.tools == []
    assert {m.role for m in second.messages} == {"user", "assistant"}
    # every one of the 211 function_call turns became a tool call (of those stored)
    assert sum(1 for r in raw for t in r["conversations"] if t["from"] == "function_call") == 211
    assert query(project, "SELECT count(*) FROM examples WHERE tools IS NULL") == [(
        len({json.dumps(r, sort_keys=True) for r in raw if r["tools"] == "[]"}),)]


def test_hh_rlhf_content(shared_data, project, run_cli):
    path = shared_data / "hh-rlhf/harmless-base/test.jsonl.gz"
    raw = load_jsonl(path)
    import_json(run_cli, project, path)
    example = example_at(project, "line 1")
    assert example.kind == "preference"
    chosen_context, chosen_reply = raw[0]["chosen"].rsplit("\n\nAssistant: ", 1)
    rejected_context, rejected_reply = raw[0]["rejected"].rsplit("\n\nAssistant: ", 1)
    assert chosen_context == rejected_context  # this pair differs only in the final reply
    assert example.output == chosen_reply
    assert example.rejected == rejected_reply
    assert example.messages[-1].role == "user"
    assert len(example.messages) == chosen_context.count("\n\nHuman: ") + chosen_context.count(
        "\n\nAssistant: ")
    assert example.messages[0].content == "what are some pranks with a pen i can do?"
    assert example.messages[1].content == "Are you looking for practical joke ideas?"
    assert [m.role for m in example.messages] == ["user", "assistant"] * (
        len(example.messages) // 2) + ["user"]
    # all 2312: preference pairs whose context ends with the user's turn, never two
    # equal replies (no pair in the file has identical sides)
    assert query(project, "SELECT json_extract(messages, '$[#-1].role'), count(*) "
                          "FROM examples GROUP BY 1") == [("user", 2312)]
    assert query(project, "SELECT count(*) FROM examples WHERE output = rejected") == [(0,)]


def test_dpo_content(shared_data, project, run_cli):
    path = shared_data / "llama-factory-demo/dpo_en_demo.json"
    raw = load_json(path)
    import_json(run_cli, project, path)
    record = raw[4]
    assert len(record["conversations"]) == 5
    example = example_at(project, "row 4 (line 70)")
    assert example.kind == "preference"
    assert [(m.role, m.content) for m in example.messages] == [
        ({"human": "user", "gpt": "assistant"}[t["from"]], t["value"])
        for t in record["conversations"]]
    assert example.messages[0].content.startswith(
        'Who wrote the classic novel "Pride and Prejudice"')
    assert example.messages[1].content == "Jane Austen"
    assert example.output == record["chosen"]["value"]
    assert example.rejected == record["rejected"]["value"]
    assert example.prompt is None and example.meta == {}


def test_kto_label_is_kept_in_meta(shared_data, project, run_cli):
    path = shared_data / "llama-factory-demo/kto_en_demo.json"
    raw = load_json(path)
    import_json(run_cli, project, path)
    first = example_at(project, "row 0 (line 2)")
    assert first.kind == "chat"
    assert first.meta == {"label": raw[0]["label"]} == {"label": True}
    assert [m.role for m in first.messages] == ["user"]
    assert first.messages[0].content == raw[0]["messages"][0]["content"]
    assert first.output == raw[0]["messages"][1]["content"]
    assert first.output.startswith("Ooh ooh ah ah! *giggle*")
    assert query(project, "SELECT json_extract(meta, '$.label'), count(*) FROM examples "
                          "GROUP BY 1 ORDER BY 1") == [(0, 150), (1, 150)]


def test_bfcl_content(shared_data, project, run_cli):
    path = shared_data / "bfcl/BFCL_v4_simple_python.json"
    raw = load_jsonl(path)
    import_json(run_cli, project, path)
    example = example_at(project, "line 1")
    assert example.kind == "chat"
    assert example.output == "" and example.tool_calls == []
    assert [(m.role, m.content) for m in example.messages] == [
        ("user", raw[0]["question"][0][0]["content"])]
    assert [t.name for t in example.tools] == ["calculate_triangle_area"]
    tool = example.tools[0]
    raw_parameters = raw[0]["function"][0]["parameters"]
    assert raw_parameters["type"] == "dict"
    assert [p["type"] for p in raw_parameters["properties"].values()] == [
        "integer", "integer", "string"]
    # BFCL's "dict" becomes JSON Schema's "object"; nothing else changes
    assert tool.parameters == {**raw_parameters, "type": "object"}
    assert tool.parameters["required"] == ["base", "height"]
    assert example.meta == {"id": "simple_python_0", "normalized_types": ["dict→object"]}
    # the last line has no trailing newline and still arrives
    last = example_at(project, "line 400")
    assert last.meta["id"] == raw[-1]["id"]
    # no BFCL type name survives the import
    assert query(project, "SELECT count(*) FROM examples WHERE tools LIKE '%\"type\":\"dict\"%'"
                          " OR tools LIKE '%\"type\":\"float\"%'") == [(0,)]
    assert query(project, "SELECT count(*) FROM examples WHERE tools LIKE "
                          "'%\"type\":\"object\"%'") == [(400,)]


def test_bfcl_multi_turn_question_and_many_functions(shared_data, project, run_cli):
    path = shared_data / "bfcl/BFCL_v4_live_multiple.json"
    raw = load_jsonl(path)
    import_json(run_cli, project, path)
    for number, record in enumerate(raw, start=1):
        if len(record["function"]) > 1:
            break
    example = example_at(project, f"line {number}")
    assert [t.name for t in example.tools] == [f["name"] for f in record["function"]]
    assert [t.description for t in example.tools] == [f["description"]
                                                     for f in record["function"]]
    assert [(t.parameters["type"], sorted(t.parameters["properties"]),
             t.parameters.get("required")) for t in example.tools] == [
        ("object", sorted(f["parameters"]["properties"]), f["parameters"].get("required"))
        for f in record["function"]]
    assert [(m.role, m.content) for m in example.messages] == [
        (m["role"], m["content"]) for turn in record["question"] for m in turn]


def test_prompts_csv_fields_arrive_intact(shared_data, project, run_cli):
    path = shared_data / "awesome-chatgpt-prompts/prompts.csv"
    with csv_reader(path) as reader:
        rows, starts, previous_end = [], [], reader.line_num
        for row in reader:
            rows.append(row)
            starts.append(previous_end + 1)
            previous_end = reader.line_num
    import_json(run_cli, project, path, "--map", "prompt=prompt")

    big = [i for i, row in enumerate(rows) if len(row["prompt"]) == 144_260]
    assert len(big) == 1
    [(big_id,)] = query(project, "SELECT id FROM examples WHERE length(prompt) = 144260")
    with Store.open(project) as store:
        example = store.get_example(big_id)
    assert example.prompt == rows[big[0]]["prompt"]
    assert len(example.prompt) == 144_260
    assert example.source.locator == f"line {starts[big[0]]}"
    assert example.meta == {k: v for k, v in rows[big[0]].items() if k != "prompt"}
    assert example.meta["act"] == "Socratic Lens"
    assert example.output == ""

    # every distinct prompt (1,102 multi-line, with bare \n inside CRLF records) is stored
    # exactly as the csv module reads it
    stored = [p for (p,) in query(project, "SELECT prompt FROM examples")]
    assert len(stored) == 1511
    assert set(stored) == {row["prompt"] for row in rows}
    assert sum("\n" in p for p in stored) == len({r["prompt"] for r in rows
                                                 if "\n" in r["prompt"]})


def test_self_instruct_and_predictions_content(shared_data, project, run_cli):
    base = shared_data / "self-instruct/human_eval"
    instructions = load_jsonl(base / "user_oriented_instructions.jsonl")
    import_json(run_cli, project, base / "user_oriented_instructions.jsonl")
    first = example_at(project, "line 1", "user_oriented_instructions")
    assert first.kind == "pair"
    assert first.prompt == instructions[0]["instruction"]
    assert first.input == instructions[0]["instances"][0]["input"]
    assert first.output == instructions[0]["instances"][0]["output"]
    assert first.meta == {"id": "user_oriented_task_0", "motivation_app": "Grammarly"}

    path = base / "predictions/text-davinci-003_predictions.jsonl"
    predictions = load_jsonl(path)
    import_json(run_cli, project, path, *PREDICTION_MAP)
    example = example_at(project, "line 1", "text-davinci-003_predictions")
    assert example.prompt == predictions[0]["prompt"]
    assert example.output == predictions[0]["response"]
    assert example.output.startswith(" ")  # the model's leading space survives
    assert example.meta == {k: v for k, v in predictions[0].items()
                            if k not in ("prompt", "response")}
    assert set(example.meta) == {"instruction", "input", "target"}


def test_mt_bench_first_turn_as_prompt(shared_data, project, run_cli):
    path = shared_data / "fastchat/mt_bench/question.jsonl"
    raw = load_jsonl(path)
    import_json(run_cli, project, path, "--map", "prompt=turns.0")
    prompts = [p for (p,) in query(project, "SELECT prompt FROM examples ORDER BY id")]
    assert prompts == [r["turns"][0] for r in raw]
    example = example_at(project, "line 1")
    assert (example.kind, example.output) == ("pair", "")
    assert example.meta["question_id"] == 81 and example.meta["category"] == "writing"


def test_seed_tasks_and_toy_chat_content(shared_data, project, run_cli):
    seeds = load_jsonl(shared_data / "stanford-alpaca/seed_tasks.jsonl")
    import_json(run_cli, project, shared_data / "stanford-alpaca/seed_tasks.jsonl")
    seed = example_at(project, "line 1", "seed_tasks")
    assert seed.prompt == seeds[0]["instruction"]
    assert seed.input is None  # an empty alpaca-style input is stored as none
    assert seed.output == seeds[0]["instances"][0]["output"]
    assert seed.meta == {"id": "seed_task_0", "name": "breakfast_suggestion",
                         "is_classification": False}
    assert query(project, "SELECT count(*) FROM examples WHERE json_extract(meta, "
                          "'$.is_classification') = 1") == [(26,)]

    import_json(run_cli, project, shared_data / "openai-cookbook/toy_chat_fine_tuning.jsonl")
    first = example_at(project, "line 1", "toy_chat_fine_tuning")
    assert [m.role for m in first.messages] == ["system", "user"]
    assert first.output == "It's great that you're getting exercise outdoors!"
    third = example_at(project, "line 3", "toy_chat_fine_tuning")
    assert [m.role for m in third.messages] == ["user"]  # no system message: allowed
    fourth = example_at(project, "line 4", "toy_chat_fine_tuning")
    assert "user" not in [m.role for m in fourth.messages]  # defect kept for validation
    fifth = example_at(project, "line 5", "toy_chat_fine_tuning")
    assert fifth.output == "Eat a banana!" * 2000
    assert len(fifth.output) == 26_000
