"""Bad and awkward input through the CLI: refused imports list every bad row and store
nothing; --skip-invalid imports the good rows and writes the bad ones to a rejects file;
awkward but valid files import whole; Parquet and save_to_disk folders; big files that
parse in the child process.

Tests run in tmp_path with relative file names, so each reported line stays short (the
CLI's stderr console wraps lines at 160 columns)."""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

import pytest

import curator.ingest as ingest
from curator.store import Store

GOOD = b'{"instruction": "a", "output": "b"}'
GOOD2 = b'{"instruction": "c", "output": "d"}'
GOOD3 = b'{"instruction": "e", "output": "f"}'
REFUSED_TAIL = ("nothing was imported (fix them, or pass --skip-invalid to import the good "
                "rows)")


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def existing(run_cli, here) -> Path:
    """An initialised, empty project (so a refused import has something to leave alone)."""
    project = here / "project.curator"
    code, _, err = run_cli("init", project)
    assert code == 0, err
    return project


def write(name: str, data: bytes) -> str:
    Path(name).write_bytes(data)
    return name


def total(run_cli, project: Path) -> int:
    code, out, err = run_cli("stats", project, "--json")
    assert code == 0, err
    return json.loads(out)["total"]


def imported(run_cli, project: Path, *args) -> dict:
    code, out, err = run_cli("import", project, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def refused(run_cli, project: Path, name: str, *args) -> list[str]:
    """Import that must be refused: returns the issue lines for `name` from stderr."""
    code, out, err = run_cli("import", project, name, *args)
    assert code == 2, err
    assert out == ""
    lines = err.splitlines()
    issues = [line for line in lines if line.startswith(f"{name}: ")]
    count = len(issues)
    assert lines[-1] == (f"curator: import refused: {count} bad row{'s' if count != 1 else ''}"
                         f"; {REFUSED_TAIL}")
    return issues


def locators(project: Path) -> list[str]:
    with Store.open(project) as store:
        return [r[0] for r in store.conn.execute(
            "SELECT source_locator FROM examples ORDER BY id")]


# -- refused: every bad row listed, nothing stored ---------------------------------------

def test_invalid_utf8_line_in_jsonl(run_cli, existing):
    name = write("utf8.jsonl", GOOD + b'\n{"instruction": "x\xff", "output": "b"}\n' + GOOD2)
    assert refused(run_cli, existing, name) == [
        "utf8.jsonl: line 2: invalid UTF-8 at byte 19 of the line"]
    assert total(run_cli, existing) == 0


def test_broken_json_line(run_cli, existing):
    name = write("broken.jsonl", GOOD + b'\n{"instruction": "x",\n' + GOOD2 + b"\n")
    [line] = refused(run_cli, existing, name)
    assert line.startswith("broken.jsonl: line 2: broken JSON: ")
    assert total(run_cli, existing) == 0


def test_rows_that_are_not_objects(run_cli, existing):
    name = write("top.jsonl", GOOD + b'\n[1, 2]\n42\nnull\n"text"\n' + GOOD2 + b"\n")
    assert refused(run_cli, existing, name) == [
        "top.jsonl: line 2: the row is an array, not a JSON object",
        "top.jsonl: line 3: the row is int, not a JSON object",
        "top.jsonl: line 4: the row is null, not a JSON object",
        "top.jsonl: line 5: the row is str, not a JSON object",
    ]
    assert total(run_cli, existing) == 0


def test_missing_required_field_names_it(run_cli, existing):
    name = write("alpaca.jsonl", b"\n".join([
        GOOD, b'{"instruction": "no output"}', GOOD2, b'{"instruction": "x", "output": 5}',
        b'{"output": "no instruction", "instruction": null}']))
    # the first row fixes the layout (alpaca); later rows are held to it
    assert refused(run_cli, existing, name) == [
        "alpaca.jsonl: line 2: output: required field is missing",
        "alpaca.jsonl: line 4: output: expected text, got a number",
        "alpaca.jsonl: line 5: instruction: required field is missing",
    ]
    assert total(run_cli, existing) == 0


def test_record_of_no_known_layout(run_cli, existing):
    name = write("odd.jsonl", b'{"text": "t", "label": 1}\n')
    assert refused(run_cli, existing, name) == [
        "odd.jsonl: line 1: cannot tell the layout of this record (its fields: label, text); "
        "name it with --layout or map fields with --map FIELD=COLUMN"]


def test_named_layout_applies_to_every_row(run_cli, existing):
    name = write("chat.jsonl", b'{"messages": [{"role": "user", "content": "q"}]}\n' + GOOD)
    assert refused(run_cli, existing, name, "--layout", "openai-chat") == [
        "chat.jsonl: line 2: messages: required field is missing"]


def test_absurd_nesting_depth(run_cli, existing):
    lists = b"[" * 5000 + b"]" * 5000
    objects = GOOD
    for _ in range(150):
        objects = b'{"a": ' + objects + b"}"
    name = write("deep.jsonl", b"\n".join([
        GOOD, b'{"instruction": "x", "output": "y", "z": ' + lists + b"}",
        b'{"instruction": "x", "output": "y", "z": ' + objects + b"}", GOOD2]))
    assert refused(run_cli, existing, name) == [
        "deep.jsonl: line 2: nested more than 100 levels deep",
        "deep.jsonl: line 3: nested more than 100 levels deep; that is not an example",
    ]
    assert total(run_cli, existing) == 0


def test_absurd_nesting_depth_in_a_json_array(run_cli, existing):
    objects = GOOD
    for _ in range(150):
        objects = b'{"a": ' + objects + b"}"
    name = write("deep_objects.json", b"[\n" + GOOD + b",\n" + b'{"instruction": "x", '
                 b'"output": "y", "z": ' + objects + b"},\n" + GOOD2 + b"\n]\n")
    assert refused(run_cli, existing, name) == [
        "deep_objects.json: row 1 (line 3): nested more than 100 levels deep; "
        "that is not an example"]
    # 5000 nested lists: Python's json recursed until RecursionError (a crash) before
    # the fix in readers.JsonReader; now the row is refused and the array stops there
    lists = b"[" * 5000 + b"]" * 5000
    name = write("deep_lists.json", b"[\n" + GOOD + b",\n" + b'{"instruction": "x", '
                 b'"output": "y", "z": ' + lists + b"},\n" + GOOD2 + b"\n]\n")
    assert refused(run_cli, existing, name) == [
        "deep_lists.json: row 1 (line 3): nested more than 100 levels deep; the rest of the "
        "array cannot be read"]
    assert total(run_cli, existing) == 0


def test_json_array_with_a_broken_element(run_cli, existing):
    name = write("array.json", b"[\n  " + GOOD + b",\n  {\"instruction\": \"x\",\n\n"
                 b"   \"output\": }\n  ,\n  " + GOOD2 + b"\n]\n")
    assert refused(run_cli, existing, name) == [
        "array.json: row 1 (line 3): broken JSON at line 5: Expecting value; the rest of "
        "the array cannot be read"]
    assert total(run_cli, existing) == 0


def test_json_array_element_that_is_not_an_object_and_unclosed_array(run_cli, existing):
    name = write("mixed.json", b"[\n" + GOOD + b",\n7,\n" + GOOD2 + b"\n")
    assert refused(run_cli, existing, name) == [
        "mixed.json: row 1 (line 3): the row is int, not a JSON object",
        "mixed.json: line 5: expected ',' or ']' after an array element",
    ]
    name = write("open.json", b"[\n" + GOOD + b",\n")
    assert refused(run_cli, existing, name) == ["open.json: line 3: the JSON array is not closed"]
    assert total(run_cli, existing) == 0


def test_json_array_with_invalid_utf8(run_cli, existing):
    name = write("bytes.json", b"[\n" + GOOD + b',\n{"instruction": "\xff", "output": "o"},\n'
                 + GOOD2 + b"\n]")
    assert refused(run_cli, existing, name) == [
        "bytes.json: row 1 (line 3): invalid UTF-8 in the row"]


def test_csv_short_row_and_invalid_utf8(run_cli, existing):
    mapping = ("--map", "prompt=prompt", "--map", "output=output")
    name = write("rows.csv", b"prompt,output,extra\r\na,b,c\r\nshort,row\r\nd,e,f\r\n"
                             b"g,h,i,j\r\n\"multi\nline\",x\xffy,z\r\nk,l,m\r\n")
    assert refused(run_cli, existing, name, *mapping) == [
        "rows.csv: line 3: the row has 2 fields but the header has 3",
        "rows.csv: line 5: the row has 4 fields but the header has 3",
        "rows.csv: line 6: invalid UTF-8 in the row",
    ]
    assert total(run_cli, existing) == 0


def test_csv_header_with_invalid_utf8_is_refused_not_a_crash(run_cli, existing):
    # before the fix in readers.CsvReader the surrogate-escaped column name reached the
    # store as a `meta` key and the import crashed with a TypeError
    name = write("head.csv", b"prompt,out\xffput\r\na,b\r\n")
    code, out, err = run_cli("import", existing, name, "--map", "prompt=prompt")
    assert code == 2
    assert err.strip() == "curator: bad input: head.csv: line 1: invalid UTF-8 in the CSV header"
    assert total(run_cli, existing) == 0


def test_mapped_column_missing(run_cli, existing):
    name = write("qa.jsonl", b'{"q": "1"}\n{"question": "2"}\n{"q": "3"}\n{"q": 4}\n')
    assert refused(run_cli, existing, name, "--map", "prompt=q") == [
        "qa.jsonl: line 2: q: required field is missing (mapped to prompt)",
        "qa.jsonl: line 4: q: expected text, got a number",
    ]


def test_failed_import_leaves_earlier_examples_untouched(run_cli, here):
    project = here / "project.curator"
    good = write("good.jsonl", GOOD + b"\n" + GOOD2 + b"\n" + GOOD3 + b"\n")
    assert imported(run_cli, project, good)["added"] == 3
    bad = write("bad.jsonl", b'{"instruction": "new", "output": "row"}\n{"instruction": 1}\n')
    assert refused(run_cli, project, bad) == [
        "bad.jsonl: line 2: instruction: expected text, got a number"]
    assert total(run_cli, project) == 3
    assert locators(project) == ["line 1", "line 2", "line 3"]
    with Store.open(project) as store:
        assert [i["path"] for i in store.imports()] == ["good.jsonl"]
        assert [t.name for t in store.list_tasks()] == ["good"]


def test_refused_first_import_leaves_no_project_file(run_cli, here):
    project = here / "new.curator"
    name = write("bad.jsonl", b'{"instruction": 1, "output": "o"}\n')
    assert refused(run_cli, project, name) == [
        "bad.jsonl: line 1: instruction: expected text, got a number"]
    assert sorted(p.name for p in here.iterdir()) == ["bad.jsonl"]


def test_missing_input_file(run_cli, here):
    project = here / "new.curator"
    code, out, err = run_cli("import", project, "nowhere.jsonl")
    assert code == 2
    assert err.strip() == "curator: bad input: nowhere.jsonl: no such file or folder"
    assert not project.exists()
    assert list(here.iterdir()) == []


def test_missing_second_input_file_imports_nothing(run_cli, here):
    project = here / "p.curator"
    good = write("good.jsonl", GOOD + b"\n")
    assert imported(run_cli, project, good)["added"] == 1
    code, _, err = run_cli("import", project, write("more.jsonl", GOOD2 + b"\n"),
                           "missing.jsonl")
    assert code == 2
    assert "missing.jsonl: no such file or folder" in err
    assert total(run_cli, project) == 1


def test_unknown_extension_needs_format(run_cli, here):
    project = here / "p.curator"
    name = write("data.txt", GOOD + b"\n")
    code, _, err = run_cli("import", project, name)
    assert code == 2
    assert err.strip() == ("curator: bad input: data.txt: cannot tell the file format from its "
                           "name; pass --format (jsonl, json, csv, parquet, hf)")
    assert not project.exists()
    assert imported(run_cli, project, name, "--format", "jsonl")["added"] == 1


# -- awkward but valid input -------------------------------------------------------------

def test_blank_lines_bom_and_crlf_in_jsonl(run_cli, here):
    project = here / "p.curator"
    name = write("crlf.jsonl", b"\xef\xbb\xbf" + GOOD + b"\r\n\r\n   \r\n" + GOOD2 + b"\r\n\n"
                 + GOOD3)
    report = imported(run_cli, project, name)
    assert (report["added"], report["files"][0]["read"]) == (3, 3)
    assert locators(project) == ["line 1", "line 4", "line 6"]
    with Store.open(project) as store:
        first = store.get_example(1)
    assert (first.prompt, first.output) == ("a", "b")


def test_bom_in_json_array_and_single_object_json(run_cli, here):
    project = here / "p.curator"
    array = write("array.json", b"\xef\xbb\xbf[\r\n" + GOOD + b",\r\n" + GOOD2 + b"\r\n]\r\n")
    single = write("single.json", b'{\n  "instruction": "s",\n  "output": "o"\n}\n')
    report = imported(run_cli, project, array, single)
    assert [(f["read"], f["added"]) for f in report["files"]] == [(2, 2), (1, 1)]
    assert locators(project) == ["row 0 (line 2)", "row 1 (line 3)", "line 1"]


def test_json_lines_in_a_json_file_without_trailing_newline(run_cli, here):
    project = here / "p.curator"
    name = write("bfcl_like.json", GOOD + b"\n" + GOOD2 + b"\n" + GOOD3)
    assert imported(run_cli, project, name)["added"] == 3
    assert locators(project) == ["line 1", "line 2", "line 3"]


def test_empty_files_import_nothing(run_cli, here):
    project = here / "p.curator"
    names = [write("empty.jsonl", b""), write("empty.json", b"  \n"),
             write("empty.csv", b""), write("array.json", b"[]")]
    report = imported(run_cli, project, *names, "--map", "prompt=prompt")
    assert [(f["read"], f["added"]) for f in report["files"]] == [(0, 0)] * 4


def test_csv_bom_crlf_multiline_and_big_field(run_cli, here):
    project = here / "p.curator"
    big = "x" * 200_000  # over Python's default csv.field_size_limit of 131,072
    data = ("\ufeffprompt,output,note\r\n"
            'plain,answer,n1\r\n'
            '\r\n'
            '"two\nlines","with ""quotes"", and comma",n2\r\n'
            f'"{big}",big,n3\r\n'
            '"crlf\r\ninside",x,n4\r\n'
            'last,y,n5\r\n').encode("utf-8")
    name = write("prompts.csv", data)
    report = imported(run_cli, project, name, "--map", "prompt=prompt", "--map",
                      "output=output")
    assert (report["files"][0]["read"], report["added"]) == (5, 5)
    assert locators(project) == ["line 2", "line 4", "line 6", "line 7", "line 9"]
    with Store.open(project) as store:
        examples = [store.get_example(i) for i in range(1, 6)]
    assert [(e.prompt, e.output) for e in examples] == [
        ("plain", "answer"), ("two\nlines", 'with "quotes", and comma'), (big, "big"),
        ("crlf\r\ninside", "x"), ("last", "y")]
    # the BOM is not part of the first column's name; unmapped columns go to meta
    assert [e.meta for e in examples] == [{"note": f"n{i}"} for i in range(1, 6)]


def test_tsv(run_cli, here):
    project = here / "p.curator"
    name = write("pairs.tsv", b"prompt\toutput\nq1\ta1\nq2\ta2\n")
    imported(run_cli, project, name, "--map", "prompt=prompt", "--map", "output=output")
    with Store.open(project) as store:
        assert [(e.prompt, e.output) for e in map(store.get_example, (1, 2))] == [
            ("q1", "a1"), ("q2", "a2")]


def test_jsonl_gz(run_cli, here):
    project = here / "p.curator"
    Path("pairs.jsonl.gz").write_bytes(gzip.compress(GOOD + b"\n\n" + GOOD2 + b"\n"))
    report = imported(run_cli, project, "pairs.jsonl.gz")
    assert report["files"][0]["task"] == "pairs"
    assert report["added"] == 2
    assert locators(project) == ["line 1", "line 3"]


# -- --skip-invalid and rejects files -------------------------------------------------------

def _mixed_file() -> str:
    return write("mixed.jsonl", b"\n".join([
        GOOD, b'{"instruction": "x", ', GOOD2, b'{"instruction": "no output"}', b"[1]",
        GOOD3, b"\xff\xfe"]) + b"\n")


def test_skip_invalid_imports_the_good_rows_and_writes_rejects(run_cli, here):
    project = here / "p.curator"
    name = _mixed_file()
    code, out, err = run_cli("import", project, name, "--skip-invalid", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["files"] == [{
        "file": "mixed.jsonl", "task": "mixed", "layout": "alpaca", "read": 7, "added": 3,
        "duplicate": 0, "rejected": 4, "rejects_file": "mixed.jsonl.rejects.jsonl"}]
    assert total(run_cli, project) == 3
    assert locators(project) == ["line 1", "line 3", "line 6"]

    rejects = [json.loads(line) for line in
               Path("mixed.jsonl.rejects.jsonl").read_text("utf-8").splitlines()]
    assert [(r["file"], r["locator"], r["field"]) for r in rejects] == [
        ("mixed.jsonl", "line 2", ""), ("mixed.jsonl", "line 4", "output"),
        ("mixed.jsonl", "line 5", ""), ("mixed.jsonl", "line 7", "")]
    assert rejects[0]["reason"].startswith("broken JSON: ")
    assert [r["reason"] for r in rejects[1:]] == [
        "required field is missing", "the row is an array, not a JSON object",
        "invalid UTF-8 at byte 1 of the line"]
    # the raw input: the line's text, or the parsed record for a layout error
    assert [r["raw"] for r in rejects] == [
        '{"instruction": "x",', {"instruction": "no output"}, "[1]", "\ufffd\ufffd"]
    assert set(rejects[0]) == {"file", "locator", "field", "reason", "raw"}


def test_skip_invalid_message_and_rejects_path(run_cli, here):
    project = here / "p.curator"
    name = _mixed_file()
    code, _, err = run_cli("import", project, name, "--skip-invalid", "--rejects",
                           "out/bad_rows.jsonl")
    assert code == 0, err
    assert "4 bad rows of mixed.jsonl written to out/bad_rows.jsonl" in err
    assert not Path("mixed.jsonl.rejects.jsonl").exists()
    rejects = Path("out/bad_rows.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(line)["locator"] for line in rejects] == [
        "line 2", "line 4", "line 5", "line 7"]
    assert total(run_cli, project) == 3


def test_skip_invalid_without_bad_rows_writes_no_rejects(run_cli, here):
    project = here / "p.curator"
    name = write("fine.jsonl", GOOD + b"\n")
    report = imported(run_cli, project, name, "--skip-invalid")
    assert report["files"][0]["rejects_file"] is None
    assert sorted(p.name for p in here.iterdir()) == ["fine.jsonl", "p.curator"]


def test_skip_invalid_two_files_one_rejects_path(run_cli, here):
    project = here / "p.curator"
    first = write("one.jsonl", b'{"prompt": "p1", "output": "o1"}\n{\n')
    second = write("two.csv", b"prompt,output\nq,a\nonly\n")
    code, out, err = run_cli("import", project, first, second, "--task", "t",
                             "--map", "prompt=prompt", "--map", "output=output",
                             "--skip-invalid", "--rejects", "all.jsonl", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert [(f["read"], f["added"], f["rejected"], f["rejects_file"])
            for f in report["files"]] == [(2, 1, 1, "all.jsonl"), (2, 1, 1, "all.jsonl")]
    rejects = [json.loads(line) for line in Path("all.jsonl").read_text().splitlines()]
    assert [(r["file"], r["locator"], r["reason"]) for r in rejects] == [
        ("one.jsonl", "line 2", rejects[0]["reason"]),
        ("two.csv", "line 3", "the row has 1 fields but the header has 2")]
    assert rejects[0]["reason"].startswith("broken JSON: ")
    assert rejects[1]["raw"] == "only"
    assert total(run_cli, project) == 2


# -- Parquet and save_to_disk folders -------------------------------------------------------

def test_parquet(run_cli, here):
    import pyarrow as pa
    import pyarrow.parquet as pq

    project = here / "p.curator"
    pq.write_table(pa.table({"instruction": ["i0", "i1", "i2"], "output": ["o0", None, "o2"],
                             "score": [1.5, 2.0, None]}), "rows.parquet")
    assert refused(run_cli, project, "rows.parquet") == [
        "rows.parquet: row 1: output: required field is missing"]
    report = imported(run_cli, project, "rows.parquet", "--skip-invalid")
    assert (report["files"][0]["layout"], report["added"], report["rejected"]) == (
        "alpaca", 2, 1)
    assert locators(project) == ["row 0", "row 2"]
    with Store.open(project) as store:
        assert store.get_example(1).meta == {"score": 1.5}
        assert store.get_example(2).meta == {"score": None}


def test_parquet_with_values_json_cannot_hold(run_cli, here):
    import pyarrow as pa
    import pyarrow.parquet as pq

    project = here / "p.curator"
    pq.write_table(pa.table({"prompt": ["a", "b"], "blob": [b"\x00\xff", None]}),
                   "blob.parquet")
    # before the fix in readers._record_row the bytes reached the store and the
    # import crashed with "Type is not JSON serializable: bytes"
    assert refused(run_cli, project, "blob.parquet", "--map", "prompt=prompt") == [
        "blob.parquet: row 0: blob: holds a value JSON cannot hold (bytes)"]


def test_not_a_parquet_file(run_cli, here):
    project = here / "p.curator"
    write("fake.parquet", GOOD)
    code, _, err = run_cli("import", project, "fake.parquet")
    assert code == 2
    assert err.startswith("curator: bad input: fake.parquet: not a readable Parquet file: ")
    assert not project.exists()


def test_hf_dataset_folder(run_cli, here):
    datasets = pytest.importorskip("datasets")
    project = here / "p.curator"
    datasets.Dataset.from_list([
        {"instruction": "a", "output": "b", "id": 1},
        {"instruction": "c", "output": "d", "id": 2}]).save_to_disk("single")
    report = imported(run_cli, project, "single")
    assert report["files"][0] | {"file": None} == {
        "file": None, "task": "single", "layout": "alpaca", "read": 2, "added": 2,
        "duplicate": 0, "rejected": 0, "rejects_file": None}
    assert locators(project) == ["row 0", "row 1"]
    with Store.open(project) as store:
        example = store.get_example(2)
    assert (example.prompt, example.output, example.meta) == ("c", "d", {"id": 2})


def test_hf_dataset_dict_folder(run_cli, here):
    datasets = pytest.importorskip("datasets")
    project = here / "p.curator"
    datasets.DatasetDict({
        "train": datasets.Dataset.from_list(
            [{"prompt": f"q{i}", "completion": f"a{i}"} for i in range(3)]),
        "test": datasets.Dataset.from_list([{"prompt": "tq", "completion": "ta"},
                                            {"prompt": "tq2", "completion": None}]),
    }).save_to_disk("splits")
    assert refused(run_cli, project, "splits") == [
        "splits: test row 1: completion: required field is missing"]
    report = imported(run_cli, project, "splits", "--skip-invalid")
    assert (report["files"][0]["layout"], report["files"][0]["read"], report["added"]) == (
        "trl-prompt-completion", 5, 4)
    assert locators(project) == ["train row 0", "train row 1", "train row 2", "test row 0"]
    with Store.open(project) as store:
        assert [(e.prompt, e.output) for e in map(store.get_example, (1, 4))] == [
            ("q0", "a0"), ("tq", "ta")]


def test_folder_that_is_not_a_dataset(run_cli, here):
    project = here / "p.curator"
    Path("plain").mkdir()
    Path("plain/notes.txt").write_text("hello")
    code, _, err = run_cli("import", project, "plain")
    assert code == 2
    assert err.strip() == (
        "curator: bad input: plain is not a Hugging Face dataset folder written by "
        "save_to_disk (it has none of dataset_info.json, state.json, dataset_dict.json)")
    assert not project.exists()
    code, _, err = run_cli("import", project, "plain", "--format", "jsonl")
    assert code == 2
    assert err.strip() == ("curator: bad input: plain is a folder; only a Hugging Face dataset "
                           "folder can be imported")


# -- big files: the child parser process ----------------------------------------------------

@pytest.fixture
def child_spy(monkeypatch) -> list[str]:
    """Records the files parsed in the child process."""
    seen: list[str] = []
    real = ingest._parse_in_child

    def spy(job):
        seen.append(job.path)
        return real(job)

    monkeypatch.setattr(ingest, "_parse_in_child", spy)
    return seen


def _big_file(name: str, rows: int, bad_line: int | None = None) -> str:
    pad = "x" * 1000
    with open(name, "w", encoding="utf-8") as handle:
        for number in range(1, rows + 1):
            if number == bad_line:
                handle.write('{"instruction": "broken", "output": \n')
            else:
                handle.write(json.dumps({"instruction": f"task {number}", "output": pad}) + "\n")
    return name


def test_big_file_parses_in_the_child(run_cli, here, child_spy):
    project = here / "p.curator"
    name = _big_file("big.jsonl", 20_000)
    assert Path(name).stat().st_size > ingest.PARALLEL_BYTES
    report = imported(run_cli, project, name)
    assert child_spy == ["big.jsonl"]
    assert report["files"][0] | {"file": None} == {
        "file": None, "task": "big", "layout": "alpaca", "read": 20_000, "added": 20_000,
        "duplicate": 0, "rejected": 0, "rejects_file": None}
    assert total(run_cli, project) == 20_000
    with Store.open(project) as store:
        last = store.get_example(20_000)
        assert store.conn.execute("SELECT count(DISTINCT prompt) FROM examples").fetchone() == (
            20_000,)
    assert (last.prompt, len(last.output), last.source.locator) == (
        "task 20000", 1000, "line 20000")
    _remove_big(here)


def test_big_file_with_a_bad_row_is_refused_via_the_child(run_cli, here, child_spy):
    project = here / "p.curator"
    name = _big_file("big_bad.jsonl", 20_000, bad_line=12_345)
    assert Path(name).stat().st_size > ingest.PARALLEL_BYTES
    [line] = refused(run_cli, project, name)
    assert line.startswith("big_bad.jsonl: line 12345: broken JSON: ")
    assert child_spy == ["big_bad.jsonl"]
    assert not project.exists()
    _remove_big(here)


def _remove_big(folder: Path) -> None:
    """pytest keeps the last few runs' tmp folders: do not leave ~40 MB in each."""
    for path in folder.iterdir():
        path.unlink()


@pytest.fixture
def always_child(monkeypatch, child_spy) -> list[str]:
    """Every file parses in the child. (`import_files` binds PARALLEL_BYTES as a default
    argument when it is defined, so patching the module constant has no effect; the CLI
    looks `import_files` up at call time, so wrap that instead.)"""
    monkeypatch.setattr(ingest, "import_files",
                        functools.partial(ingest.import_files, parallel_bytes=1))
    return child_spy


def test_child_path_small_files_every_reader(run_cli, here, always_child):
    project = here / "p.curator"
    Path("g.jsonl.gz").write_bytes(gzip.compress(GOOD + b"\n"))
    names = [write("a.jsonl", GOOD + b"\n" + GOOD2), write("b.json", b"[" + GOOD3 + b"]"),
             write("c.csv", b"instruction,output\r\nq,\"multi\nline\"\r\n"), "g.jsonl.gz"]
    report = imported(run_cli, project, *names, "--task", "t")
    assert always_child == names
    assert [(f["read"], f["added"], f["duplicate"]) for f in report["files"]] == [
        (2, 2, 0), (1, 1, 0), (1, 1, 0), (1, 0, 1)]
    with Store.open(project) as store:
        assert store.get_example(4).output == "multi\nline"


def test_child_path_reports_every_bad_row_and_relays_input_errors(run_cli, here,
                                                                  always_child):
    project = here / "p.curator"
    name = _mixed_file()
    lines = refused(run_cli, project, name)
    assert [line.split(": ")[1] for line in lines] == ["line 2", "line 4", "line 5", "line 7"]
    assert lines[1] == "mixed.jsonl: line 4: output: required field is missing"
    # an error raised while the child reads (not a bad row) still reaches the user
    head = write("head.csv", b"prompt,out\xffput\r\na,b\r\n")
    code, _, err = run_cli("import", project, head, "--map", "prompt=prompt")
    assert code == 2
    assert err.strip() == "curator: bad input: head.csv: line 1: invalid UTF-8 in the CSV header"
    assert always_child == ["mixed.jsonl", "head.csv"]
    assert not project.exists()


def test_child_path_skip_invalid(run_cli, here, always_child):
    project = here / "p.curator"
    name = _mixed_file()
    code, out, err = run_cli("import", project, name, "--skip-invalid", "--json")
    assert code == 0, err
    assert (json.loads(out)["added"], json.loads(out)["rejected"]) == (3, 4)
    assert locators(project) == ["line 1", "line 3", "line 6"]
    assert len(Path("mixed.jsonl.rejects.jsonl").read_text().splitlines()) == 4


def test_nan_infinity_and_huge_numbers_in_a_json_array_are_refused(project, run_cli, tmp_path):
    data = tmp_path / "nan.json"
    data.write_text('[{"prompt": "a", "completion": "b", "x": NaN},\n'
                    '{"prompt": "c", "completion": "d", "y": 1e400},\n'
                    '{"prompt": "e", "completion": "f", "z": -Infinity}]')
    code, _, err = run_cli("import", project, data)
    assert code == 2
    assert err.count("NaN, Infinity or a number too large for JSON") == 3
