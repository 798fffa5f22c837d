"""Export: approved, valid examples as a Hugging Face dataset ready for training.

One pass over the examples in id order writes, per split, Parquet (`data/`), JSON
Lines (`jsonl/`) and an Arrow file that becomes the `save_to_disk` DatasetDict
(`dataset/`); then a dataset card (`README.md`) and `manifest.json` (every row's
example and revision: lineage back to the edit that made it). Everything is written
into a temporary folder beside OUTDIR and renamed into place at the end, so a failure
leaves nothing half-written. Same project, same options: byte-identical data files.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from . import __version__
from .errors import InputError
from .formats import (FORMATS, PREFERENCE_FORMATS, CannotExpress, Pair, arrow_schema,
                      context_messages, for_arrow, for_jsonl, preference_row, row)
from .models import STATUSES, Example
from .store import Store
from .tasks import require_task
from .validation import validate_project

BATCH = 2000
WRITE_BATCH = 1000


@dataclass
class ExportReport:
    outdir: str
    fmt: str
    splits: dict[str, int] = field(default_factory=dict)
    left_out: Counter = field(default_factory=Counter)
    cannot_express: list[tuple[int, str]] = field(default_factory=list)
    corrections: int = 0
    by_task: Counter = field(default_factory=Counter)
    by_annotator: Counter = field(default_factory=Counter)
    pass_rate: float = 1.0
    files: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.splits.values())


def parse_splits(text: str) -> dict[str, float]:
    """"train=0.9,test=0.1" -> {"train": 0.9, "test": 0.1}; fractions must sum to 1."""
    splits: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
            raise InputError(f"--split {text!r}: expected NAME=FRACTION,... e.g. "
                             "train=0.9,test=0.1")
        try:
            fraction = float(value)
        except ValueError:
            raise InputError(f"--split {text!r}: {value!r} is not a number") from None
        if not 0 < fraction <= 1 or name in splits:
            raise InputError(f"--split {text!r}: each split once, with a fraction in (0, 1]")
        splits[name] = fraction
    if abs(sum(splits.values()) - 1) > 1e-6:
        raise InputError(f"--split {text!r}: the fractions add up to {sum(splits.values()):g}, "
                         "not 1")
    return splits


def split_of(key: str, seed: int, splits: dict[str, float]) -> str:
    """The split for a prompt: a hash of the prompt and the seed, so the same prompt is
    always in the same split and adding examples never moves old ones."""
    digest = hashlib.sha256(f"{seed}\0{key}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    total = 0.0
    for name, fraction in splits.items():
        total += fraction
        if point < total:
            return name
    return name  # rounding at the very top


def _norm(text: str) -> str:
    return " ".join(text.split())


def _normed(value: Any) -> Any:
    """Every string in a JSON value with its whitespace collapsed."""
    if isinstance(value, str):
        return _norm(value)
    if isinstance(value, list):
        return [_normed(v) for v in value]
    if isinstance(value, dict):
        return {k: _normed(v) for k, v in value.items()}
    return value


def prompt_key(example: Example) -> str:
    # fix: the whitespace was collapsed in the JSON text, where a newline is the escape
    # "\n" and not whitespace: "Say hi\n" and "Say hi" were two prompts (and could land
    # in two splits). Collapse it inside each string instead.
    return orjson.dumps(_normed(context_messages(example))).decode()


def export(store: Store, outdir: Path, fmt: str, *, task: str | None = None,
           splits: dict[str, float] | None = None, seed: int = 0,
           include_invalid: bool = False, include_status: tuple[str, ...] = ("approved",),
           force: bool = False, push_to_hub: str | None = None,
           command: list[str] | None = None,
           progress: Callable[[int], None] | None = None) -> ExportReport:
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    for status in include_status:
        if status not in STATUSES:
            raise InputError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    require_task(store, task)
    outdir = Path(outdir)
    if outdir.exists() and not force:
        raise InputError(f"{outdir} exists; pass --force to replace it")
    if outdir.exists() and Path(store.path).resolve().is_relative_to(outdir.resolve()):
        # fix: --force replaced OUTDIR wholesale, so an OUTDIR holding the project (e.g.
        # `curator export data/p.db data --force`) deleted the project being exported.
        raise InputError(f"{outdir} holds the project {store.path}; --force would delete "
                         "it. Export to another folder")
    if outdir.exists() and (not outdir.is_dir() or (
            any(outdir.iterdir()) and not (outdir / "manifest.json").is_file())):
        # --force replaces an earlier export, never some other folder or file
        raise InputError(f"{outdir} is not a curator export (it has no manifest.json); "
                         "refusing to replace it, even with --force")
    splits = splits or {"train": 1.0}
    report = ExportReport(str(outdir), fmt)
    validation = validate_project(store, task=task)  # verdicts current before choosing
    report.pass_rate = validation.summary.pass_rate
    counts = store.status_counts(task)
    report.left_out["status"] = sum(n for s, n in counts.items() if s not in include_status)
    conversational = store.any_with_messages(task, include_status)
    schema = arrow_schema(fmt, conversational=conversational,
                          tool_calls=store.any_with_tool_calls(task, include_status))

    outdir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.tmp-", dir=outdir.parent))
    try:
        with _SplitWriters(work, fmt, schema, splits) as writers:
            store.conn.execute("CREATE TEMP TABLE IF NOT EXISTS export_seen "
                               "(digest BLOB PRIMARY KEY)")
            store.conn.execute("DELETE FROM export_seen")
            done = 0
            for item in _items(store, task, include_status):
                done += 1
                if progress and done % BATCH == 0:
                    progress(done)
                _export_one(store, item, fmt, conversational, seed, splits, include_invalid,
                            writers, report)
        if not writers.rows:
            raise InputError(f"nothing to export from {store.path}: {_left_out_text(report)}")
        report.splits = dict(writers.rows)
        files = writers.finish()
        _save_to_disk(work, files, schema)
        report.files = sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file())
        _write_card(work, store, report, files, splits, seed)
        _write_manifest(work, store, report, writers, fmt, seed, splits, command)
        _replace(work, outdir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        store.conn.execute("DROP TABLE IF EXISTS temp.export_seen")
    if push_to_hub:
        push(outdir, push_to_hub)
    return report


def _items(store: Store, task: str | None, statuses: tuple[str, ...]) -> Iterator[dict]:
    after = 0
    while batch := store.examples_for_export(task=task, statuses=statuses, after_id=after,
                                             limit=BATCH):
        yield from batch
        after = batch[-1]["example"].id


def _export_one(store: Store, item: dict, fmt: str, conversational: bool, seed: int,
                splits: dict[str, float], include_invalid: bool, writers: _SplitWriters,
                report: ExportReport) -> None:
    example: Example = item["example"]
    if not include_invalid and item["valid"] is not True:
        report.left_out["invalid"] += 1
        return
    key = prompt_key(example)
    split = split_of(key, seed, splits)
    try:
        rows = _rows(fmt, example, item["original"], conversational)
    except CannotExpress as exc:
        report.left_out["cannot_express"] += 1
        report.cannot_express.append((example.id, str(exc)))
        return
    for source, data in rows:
        # fix: duplicates were keyed on (prompt, output, rejected) per example, so
        # replies differing only in their tool calls (output "") or tools collapsed
        # into one, and two correction pairs (X over Y, X over Z) of one prompt kept
        # only the first. Key each row on everything it holds, whitespace collapsed.
        digest = hashlib.sha256(orjson.dumps(_normed(data))).digest()[:16]
        cursor = store.conn.execute("INSERT OR IGNORE INTO export_seen VALUES (?)",
                                    (digest,))
        if cursor.rowcount == 0:
            report.left_out["duplicate"] += 1
            continue
        writers.write(split, data, example.id, item["revision_id"], source)
        report.by_task[example.task] += 1
        report.by_annotator[item["annotator"] or "-"] += 1
        if source == "correction":
            report.corrections += 1


def _rows(fmt: str, example: Example, original: str | None,
          conversational: bool) -> list[tuple[str, dict[str, Any]]]:
    # fix: an edit of whitespace only (a trailing newline from an editor) made a
    # "correction" pair whose chosen and rejected are the same text.
    corrected = original is not None and _norm(original) != _norm(example.output)
    if example.kind == "preference" and original == example.rejected:
        # fix: a swapped preference (chosen and rejected exchanged) has its old chosen
        # as "original": the "correction" pair was the example's own pair again, a
        # duplicate row counted as a correction.
        corrected = False
    if fmt not in PREFERENCE_FORMATS:
        return [("example", row(fmt, example, conversational=conversational))]
    rows = []
    if example.kind == "preference" and example.rejected is not None:
        rows.append(("example", preference_row(
            fmt, Pair(example, example.output, example.rejected),
            conversational=conversational)))
    if corrected:
        rows.append(("correction", preference_row(
            fmt, Pair(example, example.output, original), conversational=conversational)))
    if not rows:
        raise CannotExpress("not a preference pair, and its output was never corrected")
    return rows


class _SplitWriters:
    """Per split: Parquet, JSON Lines and an Arrow IPC file, written in batches."""

    def __init__(self, work: Path, fmt: str, schema: Any, splits: dict[str, float]) -> None:
        self.work, self.fmt, self.schema, self.splits = work, fmt, schema, splits
        self.rows: Counter = Counter()
        self.pending: dict[str, list[dict[str, Any]]] = {name: [] for name in splits}
        self.stack = ExitStack()
        self.lineage: dict[str, Any] = {}
        (work / "data").mkdir()
        (work / "jsonl").mkdir()

    def __enter__(self) -> _SplitWriters:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.parquet = {n: self.stack.enter_context(pq.ParquetWriter(
            self.work / "data" / f".{n}.parquet", self.schema, compression="zstd"))
            for n in self.splits}
        self.arrow = {n: self.stack.enter_context(pa.ipc.new_file(
            str(self.work / f".{n}.arrow"), self.schema)) for n in self.splits}
        self.jsonl = {n: self.stack.enter_context(open(self.work / "jsonl" / f"{n}.jsonl", "wb"))
                      for n in self.splits}
        self.lineage = {n: self.stack.enter_context(open(self.work / f".{n}.lineage", "wb"))
                        for n in self.splits}
        return self

    def write(self, split: str, data: dict[str, Any], example_id: int,
              revision_id: int | None, source: str) -> None:
        self.jsonl[split].write(orjson.dumps(for_jsonl(self.fmt, data)) + b"\n")
        self.lineage[split].write(orjson.dumps([example_id, revision_id, source]) + b"\n")
        self.pending[split].append(for_arrow(self.fmt, data))
        self.rows[split] += 1
        if len(self.pending[split]) >= WRITE_BATCH:
            self._flush(split)

    def _flush(self, split: str) -> None:
        import pyarrow as pa

        if self.pending[split]:
            table = pa.Table.from_pylist(self.pending[split], schema=self.schema)
            self.parquet[split].write_table(table)
            self.arrow[split].write_table(table)
            self.pending[split] = []

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            for split in self.splits:
                self._flush(split)
        self.stack.close()

    def finish(self) -> dict[str, Path]:
        """Name each split's Parquet by its content (so the card changes with the data);
        drop the files of empty splits (a 0-row split breaks load_from_disk)."""
        files = {}
        for split in self.splits:
            parquet = self.work / "data" / f".{split}.parquet"
            if not self.rows[split]:
                for path in (parquet, self.work / f".{split}.arrow",
                             self.work / "jsonl" / f"{split}.jsonl"):
                    path.unlink()
                continue
            digest = hashlib.sha256(parquet.read_bytes()).hexdigest()[:12]
            final = parquet.with_name(f"{split}-{digest}.parquet")
            parquet.rename(final)
            files[split] = final
        return files


def _save_to_disk(work: Path, files: dict[str, Path], schema: Any) -> None:
    import pyarrow as pa
    from datasets import Dataset, DatasetDict, Features, disable_progress_bars
    from datasets.info import DatasetInfo

    disable_progress_bars()  # curator reports its own progress, on stderr

    features = Features.from_arrow_schema(schema)
    parts = {}
    for split, parquet in files.items():
        arrow = work / f".{split}.arrow"
        table = pa.ipc.open_file(pa.memory_map(str(arrow))).read_all()
        # An explicit fingerprint: without one, datasets hashes the whole table.
        parts[split] = Dataset(table, info=DatasetInfo(features=features),
                               fingerprint=parquet.stem.rsplit("-", 1)[1])
    DatasetDict(parts).save_to_disk(str(work / "dataset"))
    for split in files:
        (work / f".{split}.arrow").unlink()


def _left_out_text(report: ExportReport) -> str:
    reasons = {"status": "not in --include-status", "invalid": "fail their schema",
               "duplicate": "exact duplicates", "cannot_express": "cannot be expressed"}
    parts = [f"{report.left_out[k]} {v}" for k, v in reasons.items() if report.left_out[k]]
    return ", ".join(parts) or "no examples"


def _write_card(work: Path, store: Store, report: ExportReport, files: dict[str, Path],
                splits: dict[str, float], seed: int) -> None:
    import pyarrow.parquet as pq

    lines = ["---", "license: other  # placeholder: set the license of your data",
             "task_categories:", "- text-generation", "configs:", "- config_name: default",
             "  data_files:"]
    for split, path in files.items():
        lines += [f"  - split: {split}", f"    path: data/{path.name}"]
    lines += ["dataset_info:", "  splits:"]
    for split, path in files.items():
        # fix: without num_bytes, datasets ignores the whole `splits` list ("malformed",
        # a warning on every load_dataset) and never checks num_examples. The
        # uncompressed size of the split's data.
        metadata = pq.read_metadata(path)
        size = sum(metadata.row_group(i).total_byte_size
                   for i in range(metadata.num_row_groups))
        lines += [f"  - name: {split}", f"    num_bytes: {size}",
                  f"    num_examples: {report.splits[split]}"]
    lines += ["---", "", f"# {store.path.stem}: {report.fmt} export", "",
              f"Exported by curator {__version__} from `{store.path.name}` in the "
              f"`{report.fmt}` format. Splits by a hash of each prompt (seed {seed}): "
              + ", ".join(f"{k} {v:g}" for k, v in splits.items()) + ".", "",
              "| split | rows |", "|---|---:|"]
    lines += [f"| {split} | {n} |" for split, n in report.splits.items()]
    lines += ["", "| task | rows |", "|---|---:|"]
    lines += [f"| {_md(task)} | {n} |" for task, n in sorted(report.by_task.items())]
    lines += ["", "| annotator (last change) | rows |", "|---|---:|"]
    lines += [f"| {_md(name)} | {n} |" for name, n in sorted(report.by_annotator.items())]
    lines += ["", f"- Validation pass rate of the exported scope: {report.pass_rate:.1%}",
              f"- Corrections (rows from an annotator's corrected output): {report.corrections}",
              f"- Left out: {_left_out_text(report)}", "",
              "Files: `data/*.parquet` (what `load_dataset` reads through the configs above), "
              "`jsonl/<split>.jsonl`, `dataset/` (`load_from_disk`), `manifest.json` "
              "(each row's example and revision id in the curator project)."]
    (work / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_manifest(work: Path, store: Store, report: ExportReport, writers: _SplitWriters,
                    fmt: str, seed: int, splits: dict[str, float],
                    command: list[str] | None) -> None:
    store.checkpoint()
    head = {
        "curator_version": __version__, "format": fmt, "seed": seed, "splits": splits,
        "project": {"file": store.path.name, "sha256": _file_sha256(store.path)},
        "command": command, "rows": report.splits, "corrections": report.corrections,
        "left_out": dict(report.left_out),
        "cannot_express": [{"id": i, "reason": r} for i, r in report.cannot_express],
        "validation_pass_rate": report.pass_rate,
    }
    with (work / "manifest.json").open("wb") as out:
        out.write(orjson.dumps(head, option=orjson.OPT_INDENT_2)[:-2])
        out.write(b',\n  "lineage": {')
        written = 0
        for split in writers.splits:
            lineage = work / f".{split}.lineage"
            if writers.rows[split]:
                out.write((b"," if written else b"") + b'\n    "' + split.encode() + b'": [')
                with lineage.open("rb") as handle:
                    for index, line in enumerate(handle):
                        example_id, revision_id, source = orjson.loads(line)
                        out.write((b"," if index else b"") + b"\n      " + orjson.dumps(
                            {"row": index, "example_id": example_id,
                             "revision_id": revision_id, "source": source}))
                out.write(b"\n    ]")
                written += 1
            lineage.unlink()
        out.write(b"\n  }\n}\n")


def _replace(work: Path, outdir: Path) -> None:
    """Move the finished export into place; an old OUTDIR (--force) goes only after."""
    old = None
    if outdir.exists():
        old = outdir.with_name(f".{outdir.name}.old-{os.getpid()}")
        outdir.rename(old)
    try:
        work.rename(outdir)
    except BaseException:
        if old is not None:
            old.rename(outdir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def push(outdir: Path, repo: str) -> None:
    """Upload with datasets' own push_to_hub (needs network and a token)."""
    from datasets import load_from_disk

    load_from_disk(str(outdir / "dataset")).push_to_hub(repo)
