"""Import: read files, map their records to examples, dedupe, and store them.

All files of one import go in one transaction: with bad rows (and no `skip_invalid`)
nothing at all is stored, and every bad row is reported with its file, line and field.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .errors import BadRow, InputError
from .layouts import LAYOUTS, Converter, detect, mapped_converter, parse_mapping
from .models import Example, Provenance
from .readers import open_reader
from .store import Store
from .tasks import ensure_task

BATCH = 2000

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
) -> ImportReport:
    paths = list(paths)
    if not paths:
        raise InputError("no input files given")
    if layout != "auto" and layout not in LAYOUTS:
        raise InputError(f"unknown layout {layout!r}; use auto or one of {', '.join(LAYOUTS)}")
    converter = mapped_converter(parse_mapping(mapping)) if mapping else None
    if converter is None and layout != "auto":
        converter = LAYOUTS[layout]
    readers = [open_reader(path, file_format) for path in paths]  # fail fast on bad paths
    report = ImportReport([FileReport(str(p), task or task_name_for(p)) for p in paths])

    with store.bulk():
        tasks = {}
        for file_report in report.files:
            if file_report.task not in tasks:
                tasks[file_report.task] = ensure_task(
                    store, file_report.task, schema=schema, guidelines=guidelines)
        next_id = store.next_example_id()
        for reader, file_report in zip(readers, report.files):
            task_obj = tasks[file_report.task]
            if mapping:
                file_report.layout = "mapped"
            elif layout != "auto":
                file_report.layout = layout
            import_id = store.start_import(file_report.path, None, file_report.layout or "auto",
                                           task_obj.id)
            sink = _Sink(store, task_obj.id, import_id, file_report, next_id,
                         write=lambda: skip_invalid or not report.issues)
            for row in reader.rows():
                file_report.read += 1
                if row.error is not None:
                    _reject(file_report, row.locator, row.error, row.raw)
                    continue
                try:
                    converter_now = converter or _detected(row.record, file_report)
                    examples = converter_now(row.record, file_report.task)
                except BadRow as exc:
                    _reject(file_report, row.locator, exc, row.record)
                    continue
                for example in examples:
                    example.source = Provenance(file=file_report.path, locator=row.locator,
                                                hash=example.content_hash())
                sink.add(examples)
                if progress and file_report.read % BATCH == 0:
                    progress(file_report.path, reader.done, reader.total, reader.unit)
            sink.flush()
            next_id = sink.next_id
            if progress:
                progress(file_report.path, reader.total, reader.total, reader.unit)
            file_report.rejected = len(file_report.issues)
            store.finish_import(import_id, file_report.read, file_report.added,
                                file_report.duplicate, file_report.rejected)
        if report.issues and not skip_invalid:
            raise ImportRejected(report)  # rolls the transaction back
    report.committed = True
    if report.issues:
        _write_rejects(report, rejects)
    return report


def _detected(record: dict[str, Any], file_report: FileReport) -> Converter:
    if file_report.layout is None:
        name = detect(record)
        if name is None:
            keys = ", ".join(sorted(record)[:12]) or "none"
            raise BadRow("", f"cannot tell the layout of this record (its fields: {keys}); "
                             "name it with --layout or map fields with --map FIELD=COLUMN")
        file_report.layout = name
    return LAYOUTS[file_report.layout]


def _reject(report: FileReport, locator: str, error: BadRow, raw: Any) -> None:
    report.issues.append(RowIssue(report.path, locator, error.field, error.reason, raw))


class _Sink:
    """Batches new examples, drops duplicates (already stored or seen in this batch)."""

    def __init__(self, store: Store, task_id: int, import_id: int, report: FileReport,
                 next_id: int, write: Callable[[], bool]) -> None:
        self.store, self.task_id, self.import_id = store, task_id, import_id
        self.report, self.next_id, self.write = report, next_id, write
        self.pending: list[Example] = []

    def add(self, examples: list[Example]) -> None:
        self.pending.extend(examples)
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch or not self.write():
            # Once the import is going to be refused, stop writing; keep reading to
            # report every bad row.
            return
        hashes = [example.source.hash for example in batch]
        seen = self.store.existing_hashes(self.task_id, hashes)
        fresh = []
        for example in batch:
            if example.source.hash in seen:
                self.report.duplicate += 1
                continue
            seen.add(example.source.hash)
            fresh.append(example)
        if fresh:
            self.store.insert_examples(self.task_id, self.import_id, self.next_id, fresh)
            self.next_id += len(fresh)
            self.report.added += len(fresh)


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
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".rejects-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                for issue in issues:
                    handle.write(orjson.dumps({
                        "file": issue.file, "locator": issue.locator, "field": issue.field,
                        "reason": issue.reason, "raw": issue.raw,
                    }, default=str) + b"\n")
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
