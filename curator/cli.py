"""The `curator` command line: thin commands over the services.

stdout carries data (tables, JSON); diagnostics and progress go to stderr. A
`CuratorError` becomes a one-line message on stderr and its exit code (2 for bad input).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import click
import orjson

from . import __version__
from .errors import CuratorError
from .models import STATUSES

FORMATS_HELP = "auto (by extension), jsonl, json, csv, parquet, hf (a save_to_disk folder)"


def _console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped output keeps whole rows rather than rich's 80-column default.
    width = None if stream.isatty() else 160
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def _open(project: Path, *, create: bool = False):
    from .store import Store

    return Store.open(project, create=create)


def _print_json(data: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


project_argument = click.argument(
    "project", type=click.Path(dir_okay=False, path_type=Path), metavar="PROJECT")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="curator")
def cli() -> None:
    """curator: turn raw LLM example pairs into clean fine-tuning data.

    A project is one SQLite file. Import examples into it, label them, validate the
    outputs against JSON Schemas and export datasets for training.
    """


@cli.command()
@project_argument
def init(project: Path) -> None:
    """Create an empty project file PROJECT (nothing happens if it already is one)."""
    with _open(project, create=True) as store:
        click.echo(str(store.path))


@cli.command("import")
@project_argument
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, exists=False), metavar="FILE...")
@click.option("--task", help="Task to import into (default: each file's name).")
@click.option("--schema", type=click.Path(dir_okay=False, path_type=Path),
              help="Target JSON Schema file for the task's outputs.")
@click.option("--guidelines", type=click.Path(dir_okay=False, path_type=Path),
              help="Annotator guidelines (Markdown) for the task.")
@click.option("--format", "file_format", default="auto", show_default=True,
              type=click.Choice(["auto", "jsonl", "json", "csv", "parquet", "hf"]),
              help=f"File format: {FORMATS_HELP}.")
@click.option("--layout", default="auto", show_default=True,
              help="Record layout: auto, openai-chat, trl-prompt-completion, trl-preference, "
                   "alpaca, self-instruct, sharegpt, sharegpt-preference, hh-rlhf, bfcl.")
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN",
              help="Map a column (dotted path allowed, e.g. instances.0.output) to a field: "
                   "prompt, input, system, output, chosen, rejected, messages, "
                   "conversations, tools. Repeatable; replaces layout detection.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the good rows and write the bad ones to a rejects file.")
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write rejected rows (default: FILE.rejects.jsonl).")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
def import_(project: Path, files: tuple[Path, ...], task: str | None, schema: Path | None,
            guidelines: Path | None, file_format: str, layout: str, mapping: tuple[str, ...],
            skip_invalid: bool, rejects: Path | None, as_json: bool) -> None:
    """Import example pairs, chats or preference pairs from FILE... into PROJECT.

    PROJECT is created when it does not exist. Layouts are recognised by their fields:
    OpenAI chat / TRL messages, TRL prompt-completion and preference, Alpaca,
    Self-Instruct, ShareGPT, LLaMA-Factory preference, HH-RLHF and BFCL; use --map for
    anything else. Re-importing the same rows adds nothing. By default a file with any
    bad row imports nothing and every bad row is listed.
    """
    from .ingest import ImportRejected, check_inputs, import_files

    err = _console(stderr=True)
    # before a new project file is made
    check_inputs(files, file_format, "mapped" if mapping else layout, list(mapping))
    created = not project.exists()
    try:
        with _open(project, create=True) as store, _ImportProgress(err) as progress:
            try:
                report = import_files(
                    store, files, task=task, schema=schema, guidelines=guidelines,
                    file_format=file_format, layout=layout, mapping=list(mapping),
                    skip_invalid=skip_invalid, rejects=rejects, progress=progress.update)
            except ImportRejected as exc:
                progress.stop()
                for issue in exc.report.issues:
                    err.print(issue.describe(), markup=False, soft_wrap=True)
                raise
    except BaseException:
        if created:  # a failed first import leaves no empty project behind
            for suffix in ("", "-wal", "-shm"):
                Path(f"{project}{suffix}").unlink(missing_ok=True)
        raise
    _report_import(report, err, as_json)


def _report_import(report, err, as_json: bool) -> None:
    rows = [
        {"file": f.path, "task": f.task, "layout": f.layout, "read": f.read, "added": f.added,
         "duplicate": f.duplicate, "rejected": f.rejected, "rejects_file": f.rejects_path}
        for f in report.files
    ]
    if as_json:
        _print_json({"files": rows, "added": report.total("added"),
                     "duplicate": report.total("duplicate"),
                     "rejected": report.total("rejected")})
        return
    from rich.table import Table

    table = Table(title="import", title_justify="left")
    for name in ("file", "task", "layout", "read", "added", "duplicate", "rejected"):
        table.add_column(name, justify="right" if name in ("read", "added", "duplicate",
                                                           "rejected") else "left")
    for row in rows:
        table.add_row(Path(row["file"]).name, *(str(row[k]) for k in (
            "task", "layout", "read", "added", "duplicate", "rejected")))
    err.print(table)
    if report.total("duplicate") and not report.total("added"):
        err.print("nothing new: every row is already in the project", markup=False)
    for row in rows:
        if row["rejects_file"]:
            err.print(f"{row['rejected']} bad rows of {row['file']} written to "
                      f"{row['rejects_file']}", markup=False)


class _ImportProgress:
    """A rich progress bar on stderr, shown only once an import takes over half a second."""

    def __init__(self, console) -> None:
        self.console = console
        self.started = time.monotonic()
        self.bar = None
        self.tasks: dict[str, Any] = {}

    def update(self, path: str, done: int, total: int, unit: str) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < 0.5 or not total:
                return
            from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn,
                                       Progress, TextColumn, TimeRemainingColumn)

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                DownloadColumn() if unit == "bytes" else MofNCompleteColumn(),
                                TimeRemainingColumn(), console=self.console, transient=True)
            self.bar.start()
        if path not in self.tasks:
            self.tasks[path] = self.bar.add_task(Path(path).name, total=total)
        self.bar.update(self.tasks[path], completed=done, total=total)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def __enter__(self) -> _ImportProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@cli.command()
@project_argument
@click.option("--json", "as_json", is_flag=True, help="Print JSON: total, by_status, tasks.")
def stats(project: Path, as_json: bool) -> None:
    """Counts of examples by task and status, and each task's schema."""
    from .overview import stats as compute

    with _open(project) as store:
        data = compute(store)
    if as_json:
        _print_json(data)
        return
    from rich.table import Table

    table = Table(title=f"{project}: {data['total']} examples", title_justify="left")
    table.add_column("task", no_wrap=True)
    for status in STATUSES:
        table.add_column(status, justify="right")
    table.add_column("total", justify="right")
    table.add_column("schema")
    for name, task in data["tasks"].items():
        schema = task["schema"]["source"] if task["schema"] else "-"
        table.add_row(name, *(str(task["by_status"][s]) for s in STATUSES), str(task["total"]),
                      schema)
    table.add_section()
    table.add_row("all", *(str(data["by_status"][s]) for s in STATUSES), str(data["total"]), "")
    console = _console()
    console.print(table)
    if data["annotators"]:
        people = Table(title="annotators", title_justify="left")
        for name in ("annotator", "decisions", "corrections", "per hour"):
            people.add_column(name, justify="left" if name == "annotator" else "right")
        for name, row in data["annotators"].items():
            people.add_row(name, str(row["decisions"]), str(row["corrections"]),
                           f"{row['per_hour']:,.0f}")
        console.print(people)


@cli.command("list")
@project_argument
@click.option("--status", type=click.Choice(STATUSES), help="Only examples with this status.")
@click.option("--task", help="Only examples of this task.")
@click.option("--search", help="Full-text search over prompts and outputs (words, all must match).")
@click.option("--disagreements", is_flag=True,
              help="Only the adjudication queue: examples whose annotators disagree.")
@click.option("--after", "after_id", type=int, default=0, help="Start after this example id.")
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many rows.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of examples.")
def list_(project: Path, status: str | None, task: str | None, search: str | None,
          disagreements: bool, after_id: int, limit: int, as_json: bool) -> None:
    """List examples, in id order, a page at a time (use --after to page on)."""
    from .overview import list_examples

    with _open(project) as store:
        rows = list_examples(store, status=status, task=task, search=search,
                             disagreements=disagreements, after_id=after_id, limit=limit)
    if as_json:
        _print_json(rows)
        return
    from rich.table import Table
    from rich.text import Text

    from .textsafe import visible

    console = _console()
    task_width = min(24, max((len(r["task"]) for r in rows), default=4))
    # every column but the preview at its full width; the preview gets the rest
    preview_width = max(20, console.width - task_width - 36)
    table = Table(box=None, pad_edge=False)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("task", no_wrap=True, max_width=task_width, overflow="ellipsis")
    table.add_column("kind", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("preview", no_wrap=True, overflow="ellipsis", max_width=preview_width)
    for row in rows:
        table.add_row(str(row["id"]), Text(row["task"]), row["kind"], row["status"],
                      Text(visible(row["preview"])))
    console.print(table)
    if len(rows) == limit:
        err = _console(stderr=True)
        err.print(f"more after id {rows[-1]['id']}: add --after {rows[-1]['id']}", markup=False)


@cli.command()
@project_argument
@click.argument("example_id", type=int, metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the example as JSON.")
@click.option("--history", is_flag=True, help="Also show the example's revisions.")
def show(project: Path, example_id: int, as_json: bool, history: bool) -> None:
    """Show one example: its prompt or chat, output, status and provenance."""
    with _open(project) as store:
        example = store.get_example(example_id)
        revisions = store.revisions(example_id) if history else []
    if as_json:
        data = example.model_dump(mode="json")
        if history:
            data["history"] = [r.model_dump(mode="json") for r in revisions]
        _print_json(data)
        return
    from .show import render_example

    _console().print(render_example(example, revisions if history else None))


def default_annotator() -> str:
    import getpass

    return os.environ.get("CURATOR_ANNOTATOR") or getpass.getuser()


@cli.command()
@project_argument
@click.argument("args", nargs=-1, required=True, metavar="[ID] DECISION")
@click.option("--annotator", help="Who decides (default: $CURATOR_ANNOTATOR or your user).")
@click.option("--output", "output_text", help="The corrected output, recorded with the decision.")
@click.option("--output-file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Read the corrected output from this file.")
@click.option("--note", help="A note recorded on the example.")
@click.option("--reason", help="Why (recorded in the revision).")
@click.option("--expect-version", type=int,
              help="Refuse if the example is no longer at this version.")
@click.option("--adjudicate", is_flag=True,
              help="A final decision on a disagreement (overrides the overlap rule).")
@click.option("--all", "all_", is_flag=True,
              help="Decide every example matching --task/--status/--valid/--invalid, in one "
                   "transaction, each with its own revision.")
@click.option("--task", help="With --all: only this task.")
@click.option("--status", type=click.Choice(STATUSES), help="With --all: only this status.")
@click.option("--valid/--invalid", "validity", default=None,
              help="With --all: only examples whose stored verdict is valid / invalid "
                   "(run curator validate first).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def decide(project: Path, args: tuple[str, ...], annotator: str | None,
           output_text: str | None, output_file: Path | None, note: str | None,
           reason: str | None, expect_version: int | None, adjudicate: bool, all_: bool,
           task: str | None,
           status: str | None, validity: bool | None, as_json: bool) -> None:
    """Record a decision: approve, reject, skip or flag.

    \b
    curator decide PROJECT ID approve [--output TEXT | --output-file PATH] [--note TEXT]
    curator decide PROJECT --all [--task T] [--status S] [--valid|--invalid] approve

    The same service as the labeling TUI: each decision is one committed transaction
    with its revision row; a corrected output keeps the original in the history.
    """
    from .errors import InputError
    from .review import DECISIONS, decide as record

    annotator = annotator or default_annotator()
    if all_:
        if len(args) != 1:
            raise InputError("with --all give only the DECISION, e.g. --all approve")
        if output_text is not None or output_file or note or expect_version is not None:
            raise InputError("--output, --output-file, --note and --expect-version apply to "
                             "one example, not to --all")
        decision = args[0]
        if decision not in DECISIONS:
            raise InputError(f"unknown decision {decision!r}; use one of {', '.join(DECISIONS)}")
        valid = None if validity is None else ("valid" if validity else "invalid")
        with _open(project) as store:
            if task is not None and store.get_task(task) is None:
                raise InputError(f"no task named {task!r} in {store.path}")
            changed = store.set_status_where(DECISIONS[decision], action=decision,
                                             annotator=annotator, task=task, status=status,
                                             valid=valid)
        if as_json:
            _print_json({"decision": decision, "changed": changed})
        else:
            click.echo(f"{changed} examples {DECISIONS[decision]}")
        return
    if len(args) != 2 or not args[0].isdigit():
        raise InputError("expected ID DECISION, e.g. curator decide project.db 12 approve")
    if task or status or validity is not None:
        raise InputError("--task, --status, --valid and --invalid apply only with --all")
    if output_text is not None and output_file is not None:
        raise InputError("give --output or --output-file, not both")
    if output_file is not None:
        output_text = output_file.read_text(encoding="utf-8")
    example_id, decision = int(args[0]), args[1]
    with _open(project) as store:
        revision = record(store, example_id, decision, annotator=annotator,
                          output=output_text, note=note, reason=reason,
                          expected_version=expect_version, adjudicate=adjudicate)
        example = store.get_example(example_id)
    result = {"id": example_id, "status": example.status, "version": example.version,
              "revision": revision.id if revision else None, "changed": revision is not None}
    if as_json:
        _print_json(result)
    else:
        click.echo(f"example {example_id}: {example.status} (version {example.version})"
                   + ("" if revision else "; nothing changed"))


@cli.command()
@project_argument
@click.option("--annotator", help="Who claims (default: $CURATOR_ANNOTATOR or your user).")
@click.option("--task", help="Only this task.")
@click.option("--lease", type=click.FloatRange(1, 86400), default=300, show_default=True,
              help="Seconds the claim lasts unless renewed or decided.")
@click.option("--json", "as_json", is_flag=True, help="Print the example as a JSON object.")
def claim(project: Path, annotator: str | None, task: str | None, lease: float,
          as_json: bool) -> None:
    """Claim the next pending example nobody else is working on, and print it.

    While the lease lasts it is not handed to another annotator; deciding it (curator
    decide) ends the claim. Prints nothing and exits 0 when no example is left.
    """
    from .errors import InputError

    annotator = annotator or default_annotator()
    with _open(project) as store:
        if task is not None and store.get_task(task) is None:
            raise InputError(f"no task named {task!r} in {store.path}")
        example_id = store.claim_next(annotator, task=task, lease=lease)
        if example_id is None:
            return
        example = store.get_example(example_id)
    if as_json:
        _print_json({**example.model_dump(mode="json"), "claimed_by": annotator,
                     "lease_seconds": lease})
        return
    from .show import render_example

    _console().print(render_example(example))


@cli.command()
@project_argument
@click.option("--annotator", help="Who is labeling (default: $CURATOR_ANNOTATOR or your user).")
@click.option("--task", help="Only this task.")
@click.option("--status", type=click.Choice(STATUSES), help="Only examples with this status.")
@click.option("--review-first", is_flag=True,
              help="Open the first example of the queue for review straight away.")
def label(project: Path, annotator: str | None, task: str | None, status: str | None,
          review_first: bool) -> None:
    """Label examples in the terminal: review, correct, approve or reject.

    Keys: a approve, r reject, s skip, f flag, e edit (Escape leaves the editor), u undo,
    n / p next / previous, / search, t tags, N note, g guidelines, h history, ? help,
    q quit. Every decision is committed before the next example is shown.
    """
    from .tui.app import build_app

    app = build_app(project, annotator=annotator or default_annotator(), task=task,
                    status=status, open_first=review_first)
    try:
        app.run()
    finally:
        app.session.store.close()
    if app.return_code:
        raise SystemExit(app.return_code)


@cli.command()
@click.argument("target", type=click.Path(path_type=Path), metavar="PROJECT|FILE")
@click.option("--task", help="Only this task.")
@click.option("--status", type=click.Choice(STATUSES), help="Only examples with this status.")
@click.option("--schema", "schema", type=click.Path(dir_okay=False, path_type=Path),
              help="Check a plain file (JSONL, JSON, CSV, Parquet) against this schema, "
                   "without a project.")
@click.option("--field", "field_path", metavar="PATH",
              help="With --schema: the field (dotted path) holding each output; a string "
                   "is parsed as JSON. Default: each record is the output.")
@click.option("--format", "fmt", default="text", show_default=True,
              type=click.Choice(["text", "json", "markdown", "junit"]), help="Report format.")
@click.option("--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of stdout.")
@click.option("--fail-under", type=click.FloatRange(0, 1), default=1.0, show_default=True,
              help="Exit 1 when the pass rate is below this.")
def validate(target: Path, task: str | None, status: str | None, schema: Path | None,
             field_path: str | None, fmt: str, output: Path | None, fail_under: float) -> None:
    """Check outputs against their task's JSON Schema and report.

    Each output is parsed as JSON and checked against its task's schema; every tool
    call in a chat is checked against the parameters of the tool it names; for a
    preference, chosen and rejected are both checked (chosen decides). Verdicts are
    stored, so checking an unchanged project again is nearly free.

    Exit 0 when the pass rate is at least --fail-under, 1 below it, 2 for bad input.
    Formats checked (those the schema's draft defines; uuid and duration from 2019-09
    on): date-time, date, time, duration, email, idn-email, hostname, idn-hostname,
    ipv4, ipv6, uri, uri-reference, iri, iri-reference, uri-template, uuid, json-pointer,
    relative-json-pointer, regex. $refs resolve to local files only.
    """
    from .errors import InputError
    from .validation import validate_file, validate_project

    err = _console(stderr=True)
    with _Spinner(err, "validating") as spinner:
        if schema is not None:
            if task or status:
                raise InputError("--task and --status apply to a project, not to --schema")
            report = validate_file(schema, target, field_path=field_path,
                                   progress=spinner.update)
        else:
            if field_path:
                raise InputError("--field applies only with --schema")
            with _open(target) as store:
                report = validate_project(store, task=task, status=status,
                                          progress=spinner.update, stream=True)
                spinner.stop()
                _emit_report(report, fmt, output, err)  # failures stream from the store
    if schema is not None:
        _emit_report(report, fmt, output, err)
    rate = report.summary.pass_rate
    if rate < fail_under:
        err.print(f"pass rate {rate:.2%} is below --fail-under {fail_under:.2%}", markup=False)
        raise SystemExit(1)


def _emit_report(report, fmt: str, output: Path | None, err) -> None:
    from .reports import render, rich_report

    if fmt == "json":
        _write_chunks(report.json_chunks(), output)
        if output is not None:
            _say_written(report, output, err)
        return
    if fmt == "text":
        if output is None:
            _console().print(rich_report(report))
            return
        from rich.console import Console

        capture = Console(width=120, no_color=True, record=True, file=open(os.devnull, "w"))
        capture.print(rich_report(report))
        text = capture.export_text()
    else:
        text = render(report, fmt)
    if output is None:
        sys.stdout.write(text)
        return
    _write_chunks([text.encode("utf-8")], output)
    _say_written(report, output, err)


def _say_written(report, output: Path, err) -> None:
    s = report.summary
    err.print(f"{s.valid}/{s.total} valid ({s.pass_rate:.1%}); report written to {output}",
              markup=False)


def _write_chunks(chunks, path: Path | None) -> None:
    """To stdout, or atomically to `path` (a temporary file renamed into place)."""
    if path is None:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        return
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _Spinner:
    """A count on stderr, shown only when the work takes over half a second."""

    def __init__(self, console, label: str) -> None:
        self.console, self.label = console, label
        self.started = time.monotonic()
        self.status = None

    def update(self, done: int) -> None:
        if self.status is None and time.monotonic() - self.started > 0.5:
            self.status = self.console.status(f"{self.label}…")
            self.status.start()
        if self.status is not None:
            self.status.update(f"{self.label}: {done:,} done")

    def stop(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None

    def __enter__(self) -> _Spinner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@cli.command("export")
@project_argument
@click.argument("outdir", type=click.Path(path_type=Path), metavar="OUTDIR")
@click.option("--format", "fmt", required=True,
              type=click.Choice(["openai-chat", "openai-dpo", "trl-messages",
                                 "trl-prompt-completion", "trl-preference", "alpaca",
                                 "sharegpt"]),
              help="The row layout the trainer expects.")
@click.option("--task", help="Only this task.")
@click.option("--split", "split_text", default="train=1", show_default=True,
              help="Splits and fractions, e.g. train=0.9,test=0.1 (by a hash of the prompt).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split hash.")
@click.option("--include-invalid", is_flag=True, help="Also export outputs that fail their schema.")
@click.option("--include-status", "include_status", multiple=True, type=click.Choice(STATUSES),
              help="Export these statuses (repeatable; default: approved).")
@click.option("--force", is_flag=True, help="Replace OUTDIR if it exists.")
@click.option("--push-to-hub", metavar="REPO", help="Then upload with datasets' push_to_hub.")
@click.option("--json", "as_json", is_flag=True, help="Print the export report as JSON.")
def export_(project: Path, outdir: Path, fmt: str, task: str | None, split_text: str,
            seed: int, include_invalid: bool, include_status: tuple[str, ...], force: bool,
            push_to_hub: str | None, as_json: bool) -> None:
    """Export approved, valid examples as a Hugging Face dataset in OUTDIR.

    OUTDIR gets data/*.parquet (read by load_dataset through the card's configs),
    jsonl/<split>.jsonl, dataset/ (save_to_disk), README.md (a dataset card) and
    manifest.json (each row's example and revision). Exact duplicates leave once;
    with a preference format, every corrected output also yields (corrected, original).
    Written to a temporary folder and renamed into place.
    """
    from .export import export, parse_splits

    splits = parse_splits(split_text)
    err = _console(stderr=True)
    with _open(project) as store, _Spinner(err, "exporting") as spinner:
        report = export(store, outdir, fmt, task=task, splits=splits, seed=seed,
                        include_invalid=include_invalid,
                        include_status=include_status or ("approved",), force=force,
                        push_to_hub=push_to_hub, command=["curator", *sys.argv[1:]],
                        progress=spinner.update)
    data = {"outdir": report.outdir, "format": report.fmt, "rows": report.splits,
            "corrections": report.corrections, "left_out": dict(report.left_out),
            "cannot_express": [{"id": i, "reason": r} for i, r in report.cannot_express]}
    if as_json:
        _print_json(data)
        return
    click.echo(str(outdir))
    rows = ", ".join(f"{split} {n}" for split, n in report.splits.items())
    err.print(f"exported {report.rows} rows ({rows}) as {fmt}; "
              f"{report.corrections} from corrections", markup=False)
    from .export import _left_out_text

    if report.left_out.total():
        err.print(f"left out: {_left_out_text(report)}", markup=False)
    for example_id, reason in report.cannot_express[:20]:
        err.print(f"  #{example_id}: {reason}", markup=False)
    if len(report.cannot_express) > 20:
        err.print(f"  … and {len(report.cannot_express) - 20} more (see manifest.json)",
                  markup=False)


@cli.command()
@project_argument
@click.option("--task", help="Only this task.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def agreement(project: Path, task: str | None, as_json: bool) -> None:
    """Agreement between annotators: Cohen's kappa per pair, Krippendorff's alpha.

    Over approve / reject decisions (give a task several decisions per example with
    `curator task set-overlap`); also how often corrections of the same example match.
    """
    from .agreement import agreement as compute
    from .errors import InputError

    with _open(project) as store:
        if task is not None and store.get_task(task) is None:
            raise InputError(f"no task named {task!r} in {store.path}")
        data = compute(store, task)
    if as_json:
        _print_json(data)
        return
    from rich.table import Table

    table = Table(title=f"agreement: {data['items']} examples, "
                        f"{data['items_with_several_decisions']} with several decisions, "
                        f"{data['disagreements']} disagreements", title_justify="left")
    for name in ("annotators", "shared items", "agreement", "Cohen's kappa"):
        table.add_column(name, justify="left" if name == "annotators" else "right")
    for pair in data["pairs"]:
        table.add_row(" / ".join(pair["annotators"]), str(pair["items"]),
                      "-" if pair["agreement"] is None else f"{pair['agreement']:.1%}",
                      "-" if pair["kappa"] is None else f"{pair['kappa']:.3f}")
    console = _console()
    console.print(table)
    alpha = data["krippendorff_alpha"]
    console.print(f"Krippendorff's alpha (nominal): {'-' if alpha is None else f'{alpha:.3f}'}")
    match = data["corrections"]["exact_match_rate"]
    console.print(f"corrections compared: {data['corrections']['pairs_compared']}, exact "
                  f"matches: {'-' if match is None else f'{match:.1%}'}")


@cli.group()
def task() -> None:
    """List tasks and set their schema or guidelines."""


@task.command("list")
@project_argument
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def task_list(project: Path, as_json: bool) -> None:
    """The project's tasks with their schema and guidelines."""
    with _open(project) as store:
        tasks = store.list_tasks()
    data = [{"name": t.name, "schema": t.schema_source, "schema_hash": t.schema_hash,
             "has_guidelines": bool(t.guidelines)} for t in tasks]
    if as_json:
        _print_json(data)
        return
    for row in data:
        click.echo(f"{row['name']}\tschema={row['schema'] or '-'}\t"
                   f"guidelines={'yes' if row['has_guidelines'] else 'no'}")


@task.command("set-schema")
@project_argument
@click.argument("task_name", metavar="TASK")
@click.argument("schema", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH")
def task_set_schema(project: Path, task_name: str, schema: Path) -> None:
    """Set (or change) TASK's target JSON Schema from the file PATH."""
    from .tasks import set_task_schema

    with _open(project) as store:
        result = set_task_schema(store, task_name, schema)
    click.echo(result.schema_hash)


@task.command("set-overlap")
@project_argument
@click.argument("task_name", metavar="TASK")
@click.argument("overlap", type=click.IntRange(1, 20), metavar="K")
def task_set_overlap(project: Path, task_name: str, overlap: int) -> None:
    """Ask for K independent decisions per example of TASK (1: one decision decides).

    Each annotator then sees only examples they have not decided; K agreeing decisions
    set the status; disagreements go to the adjudication queue
    (`curator list --disagreements`, or the TUI filter), where `curator decide
    --adjudicate` (or an adjudicator's decision) is final.
    """
    from .errors import InputError

    with _open(project) as store, store.transaction():
        found = store.get_task(task_name)
        if found is None:
            raise InputError(f"no task named {task_name!r} in {store.path}")
        store.set_overlap(found, overlap)


@task.command("set-guidelines")
@project_argument
@click.argument("task_name", metavar="TASK")
@click.argument("guidelines", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH")
def task_set_guidelines(project: Path, task_name: str, guidelines: Path) -> None:
    """Set TASK's annotator guidelines from the Markdown file PATH."""
    from .errors import InputError
    from .tasks import ensure_task

    with _open(project) as store, store.transaction():
        if store.get_task(task_name) is None:
            raise InputError(f"no task named {task_name!r} in {store.path}")
        ensure_task(store, task_name, guidelines=guidelines)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning CuratorErrors into messages and exit codes."""
    try:
        cli.main(args=argv, prog_name="curator", standalone_mode=False)
    except CuratorError as exc:
        click.echo(f"curator: {exc.title}: {exc.message}", err=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        from .store import DatabaseFailure

        if not isinstance(exc, DatabaseFailure):
            raise
        click.echo(f"curator: storage error: {exc}", err=True)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
