"""Commands that check and ship: validate and export."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..models import STATUSES
from .common import (_console, _open, _print_json, _Spinner,
                     _write_chunks, cli, project_argument)


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
    from ..errors import InputError
    from ..validation import validate_file, validate_project

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
    from ..reports import render, rich_report

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
    from ..export import export, parse_splits

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
    from ..export import _left_out_text

    if report.left_out.total():
        err.print(f"left out: {_left_out_text(report)}", markup=False)
    for example_id, reason in report.cannot_express[:20]:
        err.print(f"  #{example_id}: {reason}", markup=False)
    if len(report.cannot_express) > 20:
        err.print(f"  … and {len(report.cannot_express) - 20} more (see manifest.json)",
                  markup=False)

