"""Check outputs against JSON Schemas; store verdicts; build reports.

The verdict comes from a compiled Rust validator (jsonschema-rs, ~100x the pure-Python
`jsonschema`); error detail (every error, with its JSON Pointer and keyword) is taken
only for the outputs that fail. The Python `jsonschema` package still checks schemas
against their metaschema when they are loaded (its errors name the bad keyword).

What is checked for an example:
- its output, parsed as JSON, against the task's schema (when the task has one);
- every assistant tool call (in the context and in the reply) against the
  `parameters` schema of the tool it names; a tool that is not offered is an error;
- for a preference, `rejected` as well; only the chosen output decides validity.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from . import __version__
from .errors import InputError
from .jsonpos import MISSING, lookup
from .models import ValidationIssue
from .schemas import (_BUILTIN_PREFIXES, SchemaBundle, _refs, bundle_from_store,
                      check_schema, load_schema_file)
from .store import Store
from .tasks import require_task

BATCH = 5000
SAMPLE_IDS = 5


def _refuse(uri: str) -> Any:
    raise ValueError(f"{uri} is not a local schema; curator never fetches schemas")


def pointer(parts: Any) -> str:
    """A JSON Pointer from path parts ("/a/0/b"; "" for the root)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class CompiledSchema:
    """A schema ready to check many instances. Formats are asserted unless `formats`
    is false (JSON Schema 2020-12 makes them annotations by default)."""

    def __init__(self, schema: Any, *, resources: dict[str, Any] | None = None,
                 base_uri: str | None = None, formats: bool = True,
                 where: str = "schema") -> None:
        import jsonschema_rs

        options: dict[str, Any] = {"validate_formats": formats, "retriever": _refuse}
        resources = dict(resources or {})
        if _refers_to_metaschemas(schema, resources):
            # Fix: jsonschema-rs holds only the metaschemas of the schema's own draft, so
            # a $ref to another draft's metaschema (which load_schema_file lets through
            # as built in) failed to compile; supply them all, offline.
            resources = {**_metaschemas(), **resources}
        if base_uri:
            options["base_uri"] = base_uri
        try:
            if resources:
                # Fix: a referenced file without `$schema` follows the root schema's
                # draft (as in the Python `jsonschema`); it was read as 2020-12, so a
                # draft-07 `$id: "#name"` anchor in it was not found. (Registry's own
                # `draft=` would override the files that do declare one.) Building the
                # registry resolves references too, so it can fail: inside the `try`.
                declared = schema.get("$schema") if isinstance(schema, dict) else None
                options["registry"] = jsonschema_rs.Registry(
                    [(uri, {"$schema": declared, **doc}
                      if declared and isinstance(doc, dict) and "$schema" not in doc
                      else doc) for uri, doc in resources.items()],
                    retriever=_refuse)
            self._validator = jsonschema_rs.validator_for(schema, **options)
        except (jsonschema_rs.ValidationError, ValueError) as exc:
            first = str(exc).splitlines()[0]
            raise InputError(f"{where}: cannot use the schema: {first}") from None

    @classmethod
    def from_bundle(cls, bundle: SchemaBundle, where: str = "schema") -> CompiledSchema:
        return cls(bundle.schema, resources=bundle.resources, base_uri=bundle.base_uri,
                   where=where)

    def is_valid(self, instance: Any) -> bool:
        return self._validator.is_valid(instance)

    def issues(self, instance: Any, where: str = "output") -> list[ValidationIssue]:
        """Every error, or [] when the instance is valid (checked fast first)."""
        if self._validator.is_valid(instance):
            return []
        return [
            ValidationIssue(where=where, path=pointer(error.instance_path),
                            keyword=_keyword(error), message=error.message)
            for error in self._validator.iter_errors(instance)
        ]


def _metaschemas() -> dict[str, Any]:
    import jsonschema_specifications

    return {uri: resource.contents
            for uri, resource in jsonschema_specifications.REGISTRY.items()}


def _refers_to_metaschemas(schema: Any, resources: dict[str, Any]) -> bool:
    return any(ref.startswith(_BUILTIN_PREFIXES)
               for document in (schema, *resources.values())
               for ref, _ in _refs(document, ""))


def _keyword(error: Any) -> str:
    for part in reversed(list(error.schema_path)):
        if isinstance(part, str):
            return part
    return type(error.kind).__name__.lower()


def parse_json(text: str, where: str = "output") -> tuple[Any, ValidationIssue | None]:
    """(value, None), or (None, an issue saying why the text is not JSON, and where)."""
    if not text.strip():
        return None, ValidationIssue(where=where, keyword="json", message="empty, not JSON")
    try:
        return orjson.loads(text), None
    except orjson.JSONDecodeError as exc:
        return None, ValidationIssue(
            where=where, keyword="json",
            message=f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")


# -- one example ------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    valid: bool
    not_json: bool
    issues: list[ValidationIssue]

    def errors_json(self) -> str | None:
        if not self.issues:
            return None
        return orjson.dumps([issue.model_dump() for issue in self.issues]).decode()


class ExampleChecker:
    """Checks the examples of one task (one schema, or none). Compiled tool schemas are
    cached by their text, since a data set usually offers the same tools everywhere."""

    def __init__(self, schema: CompiledSchema | None) -> None:
        self.schema = schema
        self._toolsets: dict[str, dict[str, CompiledSchema | str | None]] = {}

    def check(self, kind: str, output: str, tool_calls: str | None, messages: str | None,
              tools: str | None, rejected: str | None) -> Verdict:
        issues: list[ValidationIssue] = []
        not_json = False
        if self.schema is not None and (output or not tool_calls):
            value, problem = parse_json(output)
            if problem:
                issues.append(problem)
                not_json = True
            else:
                issues += self.schema.issues(value)
        if tool_calls or (messages and '"tool_calls"' in messages):
            issues += self._check_calls(tool_calls, messages, tools)
        valid = not issues
        if kind == "preference" and self.schema is not None and rejected is not None:
            value, problem = parse_json(rejected, "rejected")
            issues += [problem] if problem else self.schema.issues(value, "rejected")
        return Verdict(valid, not_json, issues)

    def _check_calls(self, tool_calls: str | None, messages: str | None,
                     tools: str | None) -> list[ValidationIssue]:
        offered = self._tools(tools)
        issues: list[ValidationIssue] = []
        calls: list[tuple[str, dict[str, Any]]] = []
        for index, message in enumerate(orjson.loads(messages) if messages else []):
            for j, call in enumerate(message.get("tool_calls") or []):
                calls.append((f"messages/{index}/tool_calls/{j}", call))
        for j, call in enumerate(orjson.loads(tool_calls) if tool_calls else []):
            calls.append((f"tool_calls/{j}", call))
        for where, call in calls:
            name = call.get("name", "")
            if name not in offered:
                names = ", ".join(sorted(offered)) or "none"
                issues.append(ValidationIssue(
                    where=where, keyword="tool",
                    message=f"calls {name!r}, which is not offered (offered: {names})"))
                continue
            arguments, problem = parse_json(call.get("arguments", "{}"), where)
            if problem:
                problem.message = f"the arguments are {problem.message}"
                issues.append(problem)
                continue
            compiled = offered[name]
            if isinstance(compiled, str):
                issues.append(ValidationIssue(where=where, keyword="schema", message=compiled))
            elif compiled is not None:
                issues += compiled.issues(arguments, where)
        return issues

    def _tools(self, tools: str | None) -> dict[str, CompiledSchema | str | None]:
        key = tools or ""
        if key not in self._toolsets:
            compiled: dict[str, CompiledSchema | str | None] = {}
            for tool in orjson.loads(tools) if tools else []:
                compiled[tool["name"]] = _compile_tool(tool)
            self._toolsets[key] = compiled
        return self._toolsets[key]


def _compile_tool(tool: dict[str, Any]) -> CompiledSchema | str | None:
    """The tool's parameters compiled, None when it declares none, or the reason it
    cannot be used (a per-tool error, reported on each call of it)."""
    parameters = tool.get("parameters")
    if parameters is None:
        return None
    where = f"tool {tool['name']!r}"
    try:
        check_schema(parameters, where)
        return CompiledSchema(parameters, where=where)
    except InputError as exc:
        return f"{exc.message.replace(where + ': ', where + ' parameters: ', 1)}"


# -- reports ----------------------------------------------------------------------------

@dataclass
class Tally:
    total: int = 0
    valid: int = 0
    not_json: int = 0

    @property
    def invalid(self) -> int:
        return self.total - self.valid

    @property
    def pass_rate(self) -> float:
        return self.valid / self.total if self.total else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "valid": self.valid, "invalid": self.invalid,
                "not_json": self.not_json, "pass_rate": round(self.pass_rate, 6)}


@dataclass
class ErrorGroup:
    where: str
    path: str
    keyword: str
    count: int
    message: str
    ids: list[Any]


@dataclass
class ValidationReport:
    """Counts, the most common errors, and every failure. Failures stream from
    `raw_failures` as (id, task, errors as JSON text), so a report on a million
    verdicts is written without decoding each one."""

    source: str
    summary: Tally
    tasks: dict[str, Tally]
    raw_failures: Callable[[], Iterable[tuple[Any, str, str]]]
    groups: list[ErrorGroup] = field(default_factory=list)
    checked: int = 0  # verdicts computed in this run (the rest were stored and current)
    seconds: float = 0.0

    @functools.cached_property
    def failures(self) -> list[dict[str, Any]]:
        return [{"id": example_id, "task": task, "errors": orjson.loads(errors)}
                for example_id, task, errors in self.raw_failures()]

    def head(self) -> dict[str, Any]:
        """Everything but the failures."""
        return {
            "source": self.source,
            "summary": {**self.summary.as_dict(),
                        "tasks": {name: t.as_dict() for name, t in self.tasks.items()}},
            "common_errors": [
                {"where": g.where, "path": g.path, "keyword": g.keyword, "count": g.count,
                 "message": g.message, "ids": g.ids} for g in self.groups],
            "checked": self.checked,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.head(), "failures": self.failures}

    def json_chunks(self) -> Iterator[bytes]:
        """The JSON report (as `as_dict`), a piece at a time."""
        head = orjson.dumps(self.head(), option=orjson.OPT_INDENT_2)
        yield head[:-2] + b',\n  "failures": ['
        for index, (example_id, task, errors) in enumerate(self.raw_failures()):
            yield (b"," if index else b"") + b'\n    {"id": ' + orjson.dumps(example_id) + \
                b', "task": ' + orjson.dumps(task) + b', "errors": ' + errors.encode() + b"}"
        yield b"\n  ]\n}\n"


_INDEX = re.compile(r"/\d+(?=/|$)")


@functools.lru_cache(maxsize=65536)
def _group_key(where: str, path: str, keyword: str) -> tuple[str, str, str]:
    # Array indices vary between examples; "/items/*/sku" groups them.
    return _INDEX.sub("/*", where), _INDEX.sub("/*", path), keyword


def _merge_groups(raw: Iterable[tuple[str, str, str, int, str, list[Any]]]
                  ) -> list[ErrorGroup]:
    """Groups by exact (where, path, keyword) merged into groups by their pattern."""
    merged: dict[tuple[str, str, str], ErrorGroup] = {}
    for where, path, keyword, count, message, ids in raw:
        key = _group_key(where, path, keyword)
        group = merged.get(key)
        if group is None:
            merged[key] = ErrorGroup(*key, count, message, sorted(ids)[:SAMPLE_IDS])
            continue
        group.count += count
        group.ids = sorted(set(group.ids) | set(ids))[:SAMPLE_IDS]
    return sorted(merged.values(), key=lambda g: (-g.count, g.where, g.path, g.keyword))


def _groups(failures: list[dict[str, Any]]) -> list[ErrorGroup]:
    raw: dict[tuple[str, str, str], list[Any]] = {}
    for failure in failures:
        for issue in failure["errors"]:
            key = (issue["where"], issue["path"], issue["keyword"])
            entry = raw.setdefault(key, [0, issue["message"], []])
            entry[0] += 1
            if len(entry[2]) < SAMPLE_IDS and failure["id"] not in entry[2]:
                entry[2].append(failure["id"])
    return _merge_groups((*key, count, message, ids)
                         for key, (count, message, ids) in raw.items())


# -- a project --------------------------------------------------------------------------

def validate_project(store: Store, *, task: str | None = None, status: str | None = None,
                     progress: Callable[[int], None] | None = None,
                     stream: bool = False) -> ValidationReport:
    """Bring every verdict up to date (only changed examples are checked again), then
    report on the stored verdicts. With `stream`, failures are read from the store
    while the report is rendered (render it before closing the store)."""
    require_task(store, task)
    started = time.perf_counter()
    changes, validated_at = store.changes_counter()
    checked = 0
    if changes != validated_at:  # else nothing changed since every verdict was current
        checked = _check_stale(store, task, status, progress)
        if task is None and status is None and store.changes_counter()[0] == changes:
            store.mark_validated(changes)
    report = project_report(store, task=task, status=status)
    if not stream:
        report.failures  # read them now, while the store is open
    report.checked, report.seconds = checked, time.perf_counter() - started
    return report


def _check_stale(store: Store, task: str | None, status: str | None,
                 progress: Callable[[int], None] | None) -> int:
    checkers: dict[str | None, ExampleChecker] = {}
    checked, after = 0, 0
    while rows := store.stale_for_validation(task=task, status=status, after_id=after,
                                             limit=BATCH):
        results = []
        for (example_id, task_id, version, schema_hash, kind, output, calls, msgs, tools,
             rej) in rows:
            if schema_hash not in checkers:
                checkers[schema_hash] = ExampleChecker(_task_schema(store, schema_hash))
            verdict = checkers[schema_hash].check(kind, output, calls, msgs, tools, rej)
            results.append((example_id, task_id, version, schema_hash, verdict.valid,
                            verdict.not_json, verdict.errors_json()))
        store.save_validations(results)
        checked += len(rows)
        after = rows[-1][0]
        if progress:
            progress(checked)
    return checked


def _task_schema(store: Store, schema_hash: str | None) -> CompiledSchema | None:
    if schema_hash is None:
        return None
    bundle = bundle_from_store(*store.get_schema(schema_hash))
    return CompiledSchema.from_bundle(bundle, where=f"schema {schema_hash[:12]}")


def project_report(store: Store, *, task: str | None = None,
                   status: str | None = None) -> ValidationReport:
    tasks = {name: Tally(total, valid or 0, not_json or 0)
             for name, total, valid, not_json in store.validation_counts(task=task,
                                                                         status=status)}
    summary = Tally(sum(t.total for t in tasks.values()), sum(t.valid for t in tasks.values()),
                    sum(t.not_json for t in tasks.values()))
    groups = _project_groups(store, task, status)

    def raw_failures() -> Iterator[tuple[Any, str, str]]:
        for example_id, task_name, errors in store.validation_failures(task=task,
                                                                       status=status):
            yield example_id, task_name, errors or "[]"

    return ValidationReport(str(store.path), summary, tasks, raw_failures, groups=groups)


def _project_groups(store: Store, task: str | None, status: str | None) -> list[ErrorGroup]:
    """The most common errors. Decoding every failure takes a while on a big project,
    so the result is kept until something changes (see the `changes` counter)."""
    scope = f"{__version__}|{task or ''}|{status or ''}"
    cached = store.cached_groups(scope)
    if cached is not None:
        return [ErrorGroup(**g) for g in orjson.loads(cached)]
    groups = _groups([{"id": example_id, "errors": orjson.loads(errors or "[]")}
                      for example_id, _, errors in store.validation_failures(task=task,
                                                                             status=status)])
    store.cache_groups(scope, orjson.dumps([g.__dict__ for g in groups]).decode())
    return groups


# -- a plain file -----------------------------------------------------------------------

def validate_file(schema_path: Path, data_path: Path, *, field_path: str | None = None,
                  progress: Callable[[int], None] | None = None) -> ValidationReport:
    """Check each record of a file (or the value at `field_path` in it; a string value
    is parsed as JSON) against a schema, without a project."""
    started = time.perf_counter()
    compiled = CompiledSchema.from_bundle(load_schema_file(schema_path), where=str(schema_path))
    tally = Tally()
    failures: list[dict[str, Any]] = []
    for locator, value, problem in _instances(data_path, field_path):
        tally.total += 1
        if problem is None:
            issues = compiled.issues(value)
        else:
            issues = [problem]
            tally.not_json += 1
        if issues:
            failures.append({"id": locator, "task": data_path.name,
                             "errors": [issue.model_dump() for issue in issues]})
        else:
            tally.valid += 1
        if progress and tally.total % BATCH == 0:
            progress(tally.total)
    report = ValidationReport(
        str(data_path), tally, {data_path.name: tally},
        lambda: ((f["id"], f["task"], orjson.dumps(f["errors"]).decode()) for f in failures),
        groups=_groups(failures), checked=tally.total)
    report.seconds = time.perf_counter() - started
    return report


def _instances(path: Path, field_path: str | None
               ) -> Iterator[tuple[str, Any, ValidationIssue | None]]:
    from .readers import JsonLinesReader, detect_format, open_reader

    if not path.exists():
        raise InputError(f"{path}: no such file")
    if detect_format(path) == "jsonl" and field_path is None:
        # Any JSON value per line, not only objects.
        yield from _raw_lines(JsonLinesReader(path).path)
        return
    for row in open_reader(path).rows():
        if row.error is not None:
            yield row.locator, None, ValidationIssue(keyword="json", message=row.error.reason)
            continue
        value = row.record if field_path is None else lookup(row.record, field_path)
        if value is MISSING:
            yield row.locator, None, ValidationIssue(
                keyword="field", message=f"the record has no field {field_path!r}")
        elif isinstance(value, str):
            parsed, problem = parse_json(value)
            yield row.locator, parsed, problem
        else:
            yield row.locator, value, None


def _raw_lines(path: Path) -> Iterator[tuple[str, Any, ValidationIssue | None]]:
    import gzip

    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip():
                continue
            try:
                yield f"line {number}", orjson.loads(line), None
            except orjson.JSONDecodeError as exc:
                yield f"line {number}", None, ValidationIssue(
                    keyword="json", message=f"not JSON: {exc.msg} at column {exc.colno}")


# -- one example, live (the labeling TUI, decisions) ------------------------------------

class LiveChecker:
    """Verdicts for examples as they are edited: one ExampleChecker per task, built on
    first use. `check(example, output=...)` checks a candidate output before it is
    saved."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._checkers: dict[str, ExampleChecker] = {}

    def checker(self, task_name: str) -> ExampleChecker:
        if task_name not in self._checkers:
            task = self.store.get_task(task_name)
            schema_hash = task.schema_hash if task else None
            self._checkers[task_name] = ExampleChecker(_task_schema(self.store, schema_hash))
        return self._checkers[task_name]

    def check(self, example: Any, *, output: str | None = None,
              tool_calls: list[Any] | None = None, rejected: str | None = None) -> Verdict:
        from .models import content_columns

        columns = content_columns(example)
        calls = columns[7]
        if tool_calls is not None:
            calls = orjson.dumps([c.model_dump(exclude_none=True) if hasattr(c, "model_dump")
                                  else c for c in tool_calls]).decode() if tool_calls else None
        return self.checker(example.task).check(
            example.kind, example.output if output is None else output, calls, columns[4],
            columns[5], example.rejected if rejected is None else rejected)
