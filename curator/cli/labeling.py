"""Commands for labeling: label (the TUI), decide, claim, agreement."""

from __future__ import annotations

from pathlib import Path

import click

from ..models import STATUSES
from .common import (_console, _open, _print_json, cli, default_annotator, project_argument)


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
    from ..errors import InputError
    from ..review import DECISIONS, decide as record

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
            from ..tasks import require_task

            require_task(store, task)
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

    annotator = annotator or default_annotator()
    with _open(project) as store:
        from ..tasks import require_task

        require_task(store, task)
        example_id = store.claim_next(annotator, task=task, lease=lease)
        if example_id is None:
            return
        example = store.get_example(example_id)
    if as_json:
        _print_json({**example.model_dump(mode="json"), "claimed_by": annotator,
                     "lease_seconds": lease})
        return
    from ..show import render_example

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
    from ..tui.app import build_app

    app = build_app(project, annotator=annotator or default_annotator(), task=task,
                    status=status, open_first=review_first)
    try:
        app.run()
    finally:
        app.session.store.close()
    if app.return_code:
        raise SystemExit(app.return_code)


@cli.command()
@project_argument
@click.option("--task", help="Only this task.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def agreement(project: Path, task: str | None, as_json: bool) -> None:
    """Agreement between annotators: Cohen's kappa per pair, Krippendorff's alpha.

    Over approve / reject decisions (give a task several decisions per example with
    `curator task set-overlap`); also how often corrections of the same example match.
    """
    from ..agreement import agreement as compute

    with _open(project) as store:
        from ..tasks import require_task

        require_task(store, task)
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

