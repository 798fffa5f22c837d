"""Commands that build and look around a project: init, import, stats, list, show, task."""

from __future__ import annotations

from pathlib import Path

import click

from ..models import STATUSES
from .common import (FORMATS_HELP, _console, _ImportProgress, _open, _print_json, cli, project_argument)


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
    from ..ingest import ImportRejected, check_inputs, import_files

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


@cli.command()
@project_argument
@click.option("--json", "as_json", is_flag=True, help="Print JSON: total, by_status, tasks.")
def stats(project: Path, as_json: bool) -> None:
    """Counts of examples by task and status, and each task's schema."""
    from ..overview import stats as compute

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
    from ..overview import list_examples

    with _open(project) as store:
        rows = list_examples(store, status=status, task=task, search=search,
                             disagreements=disagreements, after_id=after_id, limit=limit)
    if as_json:
        _print_json(rows)
        return
    from rich.table import Table
    from rich.text import Text

    from ..textsafe import visible

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
    from ..show import render_example

    _console().print(render_example(example, revisions if history else None))


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
    from ..tasks import set_task_schema

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

    with _open(project) as store, store.transaction():
        from ..tasks import require_task

        store.set_overlap(require_task(store, task_name), overlap)


@task.command("set-guidelines")
@project_argument
@click.argument("task_name", metavar="TASK")
@click.argument("guidelines", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH")
def task_set_guidelines(project: Path, task_name: str, guidelines: Path) -> None:
    """Set TASK's annotator guidelines from the Markdown file PATH."""
    from ..tasks import ensure_task, require_task

    with _open(project) as store, store.transaction():
        require_task(store, task_name)
        ensure_task(store, task_name, guidelines=guidelines)

