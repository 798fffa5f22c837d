"""Import: read files, map their records to examples, dedupe, and store them.

All files of one import go in one transaction: with bad rows (and no `skip_invalid`)
nothing at all is stored, and every bad row is reported with its file, line and field.

Parsing (read, decode, map, hash, build rows) and writing are separate stages. For a
big file the parse stage runs in a child process, so that on a machine with two cores
parsing the next batch overlaps SQLite writing this one; small files parse in-process
to start instantly.
"""

from __future__ import annotations

import marshal
import pickle
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .errors import BadRow, CuratorError, InputError
from .files import write_atomically
from .layouts import LAYOUTS, Converter, detect, mapped_converter, parse_mapping
from .models import content_columns, content_hash
from .readers import open_reader
from .store import Store, example_row
from .tasks import ensure_task

BATCH = 2000
# Files at least this big parse in a child process (spawning one costs ~0.3 s).
PARALLEL_BYTES = 16 * 1024 * 1024

Progress = Callable[[str, int, int, str], None]  # (path, done, total, unit)


@dataclass
class RowIssue:
    file: str
    locator: str
    field: str
    reason: str
    raw: Any = None

    def describe(self) -> str:
        where = f"{self.file}: {self.locator}"
        return f"{where}: {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


@dataclass
class FileReport:
    path: str
    task: str
    layout: str | None = None
    read: int = 0
    added: int = 0
    duplicate: int = 0
    rejected: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    rejects_path: str | None = None


@dataclass
class ImportReport:
    files: list[FileReport]
    committed: bool = False

    @property
    def issues(self) -> list[RowIssue]:
        return [issue for report in self.files for issue in report.issues]

    def total(self, name: str) -> int:
        return sum(getattr(report, name) for report in self.files)


class ImportRejected(InputError):
    """Bad rows and no --skip-invalid: nothing was imported."""

    title = "import refused"

    def __init__(self, report: ImportReport) -> None:
        count = len(report.issues)
        super().__init__(
            f"{count} bad row{'s' if count != 1 else ''}; nothing was imported "
            "(fix them, or pass --skip-invalid to import the good rows)"
        )
        self.report = report


def task_name_for(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet"):
        name = name.removesuffix(suffix)
    return name or "default"


def check_inputs(paths: Iterable[Path], file_format: str = "auto", layout: str = "auto",
                 mapping: list[str] | None = None) -> None:
    """Fail fast, before anything is written: no files, a missing file, an unknown
    format or layout, a bad --map."""
    paths = list(paths)
    if not paths:
        raise InputError("no input files given")
    if layout not in ("auto", "mapped") and layout not in LAYOUTS:
        raise InputError(f"unknown layout {layout!r}; use auto or one of {', '.join(LAYOUTS)}")
    if mapping:
        parse_mapping(mapping)
    for path in paths:
        open_reader(path, file_format)


@dataclass(frozen=True)
class ParseJob:
    """Everything the parse stage needs; picklable, so it can cross to a child."""

    path: str
    file_format: str
    layout: str  # "auto", a layout name, or "mapped"
    mapping: tuple[str, ...]
    task: str
    task_id: int
    import_id: int


def import_files(
    store: Store,
    paths: Iterable[Path],
    *,
    task: str | None = None,
    schema: Path | None = None,
    guidelines: Path | None = None,
    file_format: str = "auto",
    layout: str = "auto",
    mapping: list[str] | None = None,
    skip_invalid: bool = False,
    rejects: Path | None = None,
    progress: Progress | None = None,
    parallel_bytes: int = PARALLEL_BYTES,
) -> ImportReport:
    paths = list(paths)
    if mapping:
        layout = "mapped"
    check_inputs(paths, file_format, layout, mapping)
    report = ImportReport([FileReport(str(p), task or task_name_for(p)) for p in paths])

    with store.bulk():
        tasks = {}
        for file_report in report.files:
            if file_report.task not in tasks:
                tasks[file_report.task] = ensure_task(
                    store, file_report.task, schema=schema, guidelines=guidelines)
        for file_report in report.files:
            task_id = tasks[file_report.task].id
            import_id = store.start_import(file_report.path, None, layout, task_id)
            job = ParseJob(file_report.path, file_format, layout, tuple(mapping or ()),
                           file_report.task, task_id, import_id)
            big = Path(job.path).is_file() and Path(job.path).stat().st_size >= parallel_bytes
            events = _parse_in_child(job) if big else parse_file(job)
            submitted = 0
            for kind, *payload in events:
                if kind == "rows":
                    rows, done, total, unit = payload
                    if skip_invalid or not report.issues:
                        # Once the import is going to be refused, stop writing; keep
                        # reading to report every bad row.
                        submitted += len(rows)
                        file_report.added += store.insert_example_rows(rows)
                    if progress:
                        progress(file_report.path, done, total, unit)
                elif kind == "issue":
                    file_report.issues.append(payload[0])
                elif kind == "end":
                    file_report.read, file_report.layout = payload
            file_report.duplicate = submitted - file_report.added
            file_report.rejected = len(file_report.issues)
            store.finish_import(import_id, file_report.read, file_report.added,
                                file_report.duplicate, file_report.rejected,
                                file_report.layout or layout)
        if report.issues and not skip_invalid:
            raise ImportRejected(report)  # rolls the transaction back
    report.committed = True
    if report.issues:
        _write_rejects(report, rejects)
    return report


# -- the parse stage ------------------------------------------------------------------

def parse_file(job: ParseJob) -> Iterator[tuple[Any, ...]]:
    """Yield ("rows", rows, done, total, unit) batches, ("issue", RowIssue) for each bad
    row, and finally ("end", rows_read, layout)."""
    reader = open_reader(Path(job.path), job.file_format)
    converter: Converter | None = None
    layout = None if job.layout == "auto" else job.layout
    if job.layout == "mapped":
        converter = mapped_converter(parse_mapping(list(job.mapping)))
    elif layout is not None:
        converter = LAYOUTS[layout]
    batch: list[tuple[Any, ...]] = []
    read = 0
    for row in reader.rows():
        read += 1
        if row.error is not None:
            yield ("issue", RowIssue(job.path, row.locator, row.error.field, row.error.reason,
                                     row.raw))
            continue
        try:
            if converter is None:
                layout = _detect(row.record)
                converter = LAYOUTS[layout]
            examples = converter(row.record, job.task)
        except BadRow as exc:
            yield ("issue", RowIssue(job.path, row.locator, exc.field, exc.reason, row.record))
            continue
        for example in examples:
            columns = content_columns(example)
            batch.append(example_row(example, columns, content_hash(columns), row.locator,
                                     job.task_id, job.import_id))
        if len(batch) >= BATCH:
            yield ("rows", batch, reader.done, reader.total, reader.unit)
            batch = []
    yield ("rows", batch, reader.total, reader.total, reader.unit)
    yield ("end", read, layout)


def _detect(record: dict[str, Any]) -> str:
    name = detect(record)
    if name is None:
        keys = ", ".join(sorted(record)[:12]) or "none"
        raise BadRow("", f"cannot tell the layout of this record (its fields: {keys}); "
                         "name it with --layout or map fields with --map FIELD=COLUMN")
    return name


def _parse_in_child(job: ParseJob) -> Iterator[tuple[Any, ...]]:
    """Run `parse_file` in a child Python (`python -m curator.ingest`) and relay its
    events. The pipe's buffer bounds how far the parser runs ahead, so memory stays
    flat. A plain subprocess, unlike multiprocessing's spawn, never re-runs the
    caller's main module."""
    child = subprocess.Popen([sys.executable, "-m", "curator.ingest"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)
    assert child.stdin is not None and child.stdout is not None
    try:
        pickle.dump(job, child.stdin)
        child.stdin.close()
        while True:
            try:
                event = pickle.load(child.stdout)
            except EOFError:
                raise CuratorError(f"{job.path}: the parser process died "
                                   f"(exit code {child.wait()})") from None
            if event[0] == "marshal":
                event = marshal.loads(event[1])
            elif event[0] == "error":
                raise InputError(event[1])
            if event[0] == "crash":
                raise RuntimeError(f"parsing {job.path} failed:\n{event[1]}")
            yield event
            if event[0] == "end":
                return
    finally:
        child.stdout.close()
        if child.poll() is None:
            child.kill()
        child.wait()


def _child_main() -> None:
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but events may reach the pipe
    job = pickle.load(sys.stdin.buffer)
    try:
        for event in parse_file(job):
            if event[0] == "rows":
                # marshal moves plain tuples of str/int/None several times faster than
                # pickle; parent and child are the same interpreter.
                pickle.dump(("marshal", marshal.dumps(event)), out)
            else:
                pickle.dump(event, out, protocol=pickle.HIGHEST_PROTOCOL)
    except CuratorError as exc:
        pickle.dump(("error", exc.message), out)
    except BaseException:  # report, never leave the parent waiting
        pickle.dump(("crash", traceback.format_exc()), out)
    out.flush()


# -- rejects ----------------------------------------------------------------------------

def _write_rejects(report: ImportReport, rejects: Path | None) -> None:
    """Bad rows with their reasons, as JSON Lines, written atomically."""
    groups: dict[Path, list[RowIssue]] = {}
    for file_report in report.files:
        if not file_report.issues:
            continue
        target = rejects or Path(file_report.path + ".rejects.jsonl")
        groups.setdefault(target, []).extend(file_report.issues)
        file_report.rejects_path = str(target)
    for target, issues in groups.items():
        write_atomically(target, (orjson.dumps({
            "file": issue.file, "locator": issue.locator, "field": issue.field,
            "reason": issue.reason, "raw": issue.raw}, default=str) + b"\n"
            for issue in issues))


__all__ = ["import_files", "parse_file", "ImportReport", "ImportRejected", "FileReport",
           "RowIssue"]


if __name__ == "__main__":
    # fix: run with -m, this module is `__main__`, so the RowIssue events it pickled were
    # `__main__.RowIssue`, which the parent (whose __main__ is the CLI) cannot unpickle:
    # every bad row in a big file crashed the import. Run the importable module's code.
    from curator.ingest import _child_main as _importable_child_main

    _importable_child_main()
