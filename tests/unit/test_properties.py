"""Property tests: whatever bytes or JSON a file holds, importing it raises nothing but
curator's own errors, and a refused import leaves the project as it was; whatever JSON
an output holds, checking it against a schema raises nothing."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from curator.errors import InputError
from curator.ingest import ImportRejected, import_files
from curator.schemas import load_schema_file
from curator.store import Store
from curator.validation import CompiledSchema, ExampleChecker, validate_file
from tests.conftest import SCHEMAS

EXAMPLES = int(os.environ.get("CURATOR_PROPERTY_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])

# -- strategies ---------------------------------------------------------------------------

ODD = ["\x00", "\ufeff", "\u2028", "\u2029", "\u202e", "\u200b", "\U0001f600", "\U0010ffff",
       "\r", "\n", "\t", '"', "\\", ",", "é", "ß", "\u0301", "\ud800", "\udfff", "\x7f"]
odd_text = st.text(st.sampled_from(ODD) | st.characters(), max_size=12)
texts = st.text(max_size=20) | odd_text
scalars = (st.none() | st.booleans() | st.integers() | st.integers(-2**70, 2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | texts)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(texts, children, max_size=4),
    max_leaves=20)


@st.composite
def deep(draw) -> object:
    """A value nested around the readers' depth limit, or far past it."""
    depth = draw(st.sampled_from([2, 50, 98, 99, 100, 101, 102, 150, 1100, 5000]))
    value = draw(scalars)
    for _ in range(depth):
        value = [value] if draw(st.booleans()) else {draw(texts): value}
    return value


# Records that look like a layout, so the layouts' own checks are exercised too.
KEYS = ["messages", "prompt", "completion", "chosen", "rejected", "instruction", "output",
        "input", "system", "history", "instances", "conversations", "tools", "functions",
        "question", "function"]
ROLES = ["system", "user", "assistant", "tool", "function", "human", "gpt", "observation",
         "function_call", "nobody"]
messages = st.lists(st.dictionaries(
    st.sampled_from(["role", "from", "content", "value", "tool_calls", "function_call", "name",
                     "tool_call_id", "arguments", "function", "parameters", "type", "text"]),
    st.sampled_from(ROLES) | json_values
    | st.lists(st.dictionaries(st.sampled_from(["name", "arguments", "function", "id",
                                                 "type", "text", "parameters"]),
                               json_values | st.sampled_from(ROLES), max_size=4), max_size=3),
    max_size=5), max_size=4)
records = st.dictionaries(st.sampled_from(KEYS) | texts,
                          json_values | messages | texts | messages.map(json.dumps),
                          max_size=5)
rows = st.lists(records | json_values | deep(), min_size=1, max_size=6)


def encode(value: object, ascii_only: bool) -> bytes:
    """JSON text of a value; lone surrogates become the (invalid) UTF-8 a careless
    writer would produce. Nesting past Python's recursion limit is written by hand."""
    try:
        text = json.dumps(value, ensure_ascii=ascii_only)
    except RecursionError:
        return _encode_deep(value)
    return text.encode("utf-8", "surrogatepass")


def _encode_deep(value: object) -> bytes:
    opened, closers = [], []
    while isinstance(value, (list, dict)) and value:
        if isinstance(value, list):
            opened.append("[")
            closers.append("]")
            value = value[0]
        else:
            key, value = next(iter(value.items()))
            opened.append("{" + json.dumps(key) + ":")
            closers.append("}")
    return ("".join(opened) + json.dumps(value) + "".join(reversed(closers))).encode(
        "utf-8", "surrogatepass")


# -- a project to import into --------------------------------------------------------------

class Project:
    """One project for all examples of a test, with a few examples in it already."""

    def __init__(self, folder: Path) -> None:
        self.dir = folder
        self.store = Store.open(self.dir / "p.curator", create=True)
        seed = self.dir / "seed.jsonl"
        seed.write_bytes(b'{"prompt": "p", "completion": "c"}\n'
                         b'{"prompt": "q", "completion": "d"}\n')
        import_files(self.store, [seed])
        self.names = itertools.count()

    def state(self) -> tuple:
        conn = self.store.conn
        return (conn.execute("SELECT count(*), max(id) FROM examples").fetchone(),
                conn.execute("SELECT * FROM imports ORDER BY id").fetchall(),
                conn.execute("SELECT id, name FROM tasks ORDER BY id").fetchall(),
                conn.execute("SELECT count(*) FROM revisions").fetchone())

    def try_import(self, suffix: str, data: bytes, skip_invalid: bool) -> None:
        """Import `data` as a new file: a curator error, or nothing, may come out; a
        refused import changes nothing."""
        path = self.dir / f"f{next(self.names)}{suffix}"
        path.write_bytes(data)
        before = self.state()
        try:
            report = import_files(self.store, [path], skip_invalid=skip_invalid)
        except InputError as exc:
            assert self.state() == before, f"a refused import ({exc}) changed the project"
            assert not self.store.conn.in_transaction
            if isinstance(exc, ImportRejected):
                assert not skip_invalid and exc.report.issues
            return
        assert report.committed
        after = self.state()
        assert after[0][0] == before[0][0] + report.total("added")
        assert len(after[1]) == len(before[1]) + 1
        issues = report.issues
        assert report.total("rejected") == len(issues)
        if issues and not skip_invalid:
            raise AssertionError("bad rows were imported without skip_invalid")

    def close(self) -> None:
        self.store.close()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = Project(tmp_path_factory.mktemp("prop-import"))
    yield project
    project.close()


# -- import ---------------------------------------------------------------------------------

@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".jsonl", ".json", ".csv"]),
       skip_invalid=st.booleans())
@example(data=b'["\xff", {"prompt": "a", "completion": "b"}]', suffix=".json",
         skip_invalid=True)
@example(data=b'[{"prompt": "a", "completion": "b", "n": 1180591620717411303424}]',
         suffix=".json", skip_invalid=False)
def test_arbitrary_bytes_import_only_fails_cleanly(project, data, suffix, skip_invalid):
    project.try_import(suffix, data, skip_invalid)


def test_refused_array_element_with_invalid_utf8_goes_to_the_rejects_file(tmp_path):
    """Regression: the rejects file could not be written (lone surrogates), crashing
    after the import had committed."""
    path = tmp_path / "bad.json"
    path.write_bytes(b'["\xff", {"prompt": "a", "completion": "b"}]')
    with Store.open(tmp_path / "p.curator", create=True) as store:
        report = import_files(store, [path], skip_invalid=True)
    assert report.total("added") == 1 and report.total("rejected") == 1
    (reject,) = [orjson.loads(line) for line in
                 Path(report.files[0].rejects_path).read_bytes().splitlines()]
    assert reject["raw"] == '"\ufffd"' and "not a JSON object" in reject["reason"]


def test_array_element_with_a_huge_integer_is_refused_for_what_it_is(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b'[{"prompt": "a", "completion": "b", "n": 1180591620717411303424}]')
    with Store.open(tmp_path / "p.curator", create=True) as store:
        with pytest.raises(ImportRejected) as refused:
            import_files(store, [path])
    (issue,) = refused.value.report.issues
    assert "UTF-8" not in issue.reason and "64-bit" in issue.reason


@SETTINGS
@given(prefix=st.sampled_from([b"", b"[", b"{", b"\xef\xbb\xbf", b"prompt,completion\n",
                               b'{"prompt": "a", "completion": "b"}\n']),
       data=st.binary(max_size=200), suffix=st.sampled_from([".jsonl", ".json", ".csv"]),
       skip_invalid=st.booleans())
def test_almost_valid_bytes_import_only_fails_cleanly(project, prefix, data, suffix,
                                                     skip_invalid):
    project.try_import(suffix, prefix + data, skip_invalid)


@SETTINGS
@given(values=rows, ascii_only=st.booleans(), skip_invalid=st.booleans())
def test_arbitrary_json_rows_import_only_fails_cleanly(project, values, ascii_only,
                                                       skip_invalid):
    data = b"".join(encode(value, ascii_only) + b"\n" for value in values)
    project.try_import(".jsonl", data, skip_invalid)


@SETTINGS
@given(values=rows, ascii_only=st.booleans(), skip_invalid=st.booleans())
def test_arbitrary_json_array_import_only_fails_cleanly(project, values, ascii_only,
                                                        skip_invalid):
    data = b"[" + b",\n".join(encode(value, ascii_only) for value in values) + b"]"
    project.try_import(".json", data, skip_invalid)


@SETTINGS
@given(header=st.lists(texts, min_size=1, max_size=4), cells=st.lists(
    st.lists(texts | json_values.map(json.dumps), max_size=5), max_size=4),
    skip_invalid=st.booleans())
def test_arbitrary_csv_import_only_fails_cleanly(project, header, cells, skip_invalid):
    import csv
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for line in [header, *cells]:
        writer.writerow(line)
    project.try_import(".csv", buffer.getvalue().encode("utf-8", "surrogatepass"),
                       skip_invalid)


# -- validation -------------------------------------------------------------------------------

SCHEMA_FILES = sorted(SCHEMAS.glob("*.schema.json"))
INLINE_SCHEMAS = [
    {},
    True,
    {"type": "object", "properties": {"a": {"type": "integer", "maximum": 3}},
     "required": ["a"], "additionalProperties": False},
    {"type": "array", "items": {"type": "string", "format": "email"}, "maxItems": 3},
    {"type": "string", "pattern": "^[a-z]+$", "format": "date-time"},
    {"anyOf": [{"type": "number", "multipleOf": 0.1}, {"type": "null"}]},
    {"$defs": {"n": {"type": "object", "additionalProperties": {"$ref": "#/$defs/n"}}},
     "$ref": "#/$defs/n"},
]


@pytest.fixture(scope="module")
def checkers():
    compiled = [CompiledSchema.from_bundle(load_schema_file(path), where=path.name)
                for path in SCHEMA_FILES]
    compiled += [CompiledSchema(schema) for schema in INLINE_SCHEMAS]
    return [ExampleChecker(schema) for schema in compiled] + [ExampleChecker(None)]


outputs = (json_values.map(json.dumps) | deep().map(lambda v: encode(v, True).decode())
           | texts | st.sampled_from(["", " ", "nul", "{", "[1,]", "1e400", "-0", "NaN",
                                      '"\\ud800"', "[" * 2000]))


@SETTINGS
@given(output=outputs, rejected=st.none() | outputs,
       kind=st.sampled_from(["pair", "chat", "preference"]))
def test_checking_any_output_never_raises(checkers, output, rejected, kind):
    for checker in checkers:
        verdict = checker.check(kind, output, None, None, None, rejected)
        assert verdict.valid == (not verdict.issues) or kind == "preference"
        verdict.errors_json()  # the stored form serialises


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("prop-validate")


@SETTINGS
@given(values=st.lists(json_values | deep() | records, max_size=6),
       ascii_only=st.booleans(), schema=st.sampled_from(SCHEMA_FILES + INLINE_SCHEMAS),
       field_path=st.sampled_from([None, "output", "a.0.b"]))
def test_validate_file_of_any_json_never_raises(workdir, values, ascii_only, schema,
                                                field_path):
    if not isinstance(schema, Path):
        path = workdir / "inline.schema.json"
        path.write_bytes(orjson.dumps(schema))
        schema = path
    data = workdir / "data.jsonl"
    data.write_bytes(b"".join(encode(v, ascii_only) + b"\n" for v in values))
    report = validate_file(schema, data, field_path=field_path)
    assert report.summary.total == len(values) or field_path is not None
    report.as_dict()
    b"".join(report.json_chunks())


@SETTINGS
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".jsonl", ".json", ".csv"]),
       field_path=st.sampled_from([None, "output"]))
def test_validate_file_of_any_bytes_fails_only_cleanly(workdir, data, suffix, field_path):
    path = workdir / f"bytes{suffix}"
    path.write_bytes(data)
    try:
        report = validate_file(SCHEMA_FILES[0], path, field_path=field_path)
    except InputError:
        return
    report.as_dict()
