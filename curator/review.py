"""Annotator actions: decide, edit, tag, note, swap, undo, revert, drafts.

Each action is one committed transaction with its revision row (see
`Store.change_example`), so a decision survives the terminal being killed. The TUI
and `curator decide` call these functions and nothing else.
"""

from __future__ import annotations

from typing import Any

from .errors import InputError, NeedsReason, NotFoundError
from .models import Example, Revision, ToolCall
from .store import Store
from .validation import LiveChecker

DECISIONS = {"approve": "approved", "reject": "rejected", "skip": "skipped",
             "flag": "flagged"}
OUTPUT = "output"  # the draft field for the response being edited


def decide(store: Store, example_id: int, decision: str, *, annotator: str | None,
           output: str | None = None, tool_calls: list[ToolCall] | None = None,
           note: str | None = None, reason: str | None = None,
           expected_version: int | None = None, checker: LiveChecker | None = None,
           require_reason: bool = False, adjudicate: bool = False) -> Revision | None:
    """Record a decision (and a corrected output or tool calls, or a note, with it).
    With `require_reason`, approving an output that fails its schema needs `reason`.
    On a task with overlap, the status follows once enough decisions agree; an
    adjudicator's decision (`adjudicate`) is final."""
    if decision not in DECISIONS:
        raise InputError(f"unknown decision {decision!r}; use one of {', '.join(DECISIONS)}")
    changes: dict[str, Any] = {"status": DECISIONS[decision]}
    if output is not None:
        changes["output"] = output
    if tool_calls is not None:
        changes["tool_calls"] = calls_as_stored(tool_calls)
    if note is not None:
        changes["note"] = note
    if decision == "approve" and require_reason and not reason:
        example = store.get_example(example_id)
        verdict = (checker or LiveChecker(store)).check(example, output=output,
                                                        tool_calls=tool_calls)
        if not verdict.valid:
            first = verdict.issues[0]
            raise NeedsReason(
                f"example {example_id} fails its schema ({len(verdict.issues)} errors, "
                f"first: {first.path or '/'} {first.message}); fix it, or approve with a "
                "reason")
    revision = store.change_example(example_id, changes,
                                    action="adjudicate" if adjudicate else decision,
                                    annotator=annotator, reason=reason,
                                    expected_version=expected_version,
                                    decision=(decision, DECISIONS[decision]))
    if annotator and (output is not None or tool_calls is not None):
        store.delete_draft(example_id, annotator, OUTPUT)
    return revision


def calls_as_stored(calls: list[ToolCall]) -> list[dict[str, Any]]:
    """Tool calls in the form the store keeps (and compares) them."""
    return [call.model_dump(exclude_none=True, exclude_defaults=True) for call in calls]


def edit_tool_calls(store: Store, example_id: int, calls: list[ToolCall], *,
                    annotator: str | None,
                    expected_version: int | None = None) -> Revision | None:
    revision = store.change_example(example_id, {"tool_calls": calls_as_stored(calls)},
                                    action="edit", annotator=annotator,
                                    expected_version=expected_version)
    if annotator:
        store.delete_draft(example_id, annotator, OUTPUT)
    return revision


def edit_output(store: Store, example_id: int, text: str, *, annotator: str | None,
                expected_version: int | None = None) -> Revision | None:
    """Correct the output. The original stays in the history (the first edit's
    `before`), which export turns into (corrected, original) preference pairs."""
    revision = store.change_example(example_id, {"output": text}, action="edit",
                                    annotator=annotator, expected_version=expected_version)
    if annotator:
        store.delete_draft(example_id, annotator, OUTPUT)
    return revision


def set_tags(store: Store, example_id: int, tags: list[str], *, annotator: str | None,
             expected_version: int | None = None) -> Revision | None:
    clean = sorted({tag.strip() for tag in tags if tag.strip()})
    return store.change_example(example_id, {"tags": clean}, action="tag",
                                annotator=annotator, expected_version=expected_version)


def set_note(store: Store, example_id: int, note: str, *, annotator: str | None,
             expected_version: int | None = None) -> Revision | None:
    return store.change_example(example_id, {"note": note.strip() or None}, action="note",
                                annotator=annotator, expected_version=expected_version)


def swap_preference(store: Store, example: Example, *,
                    annotator: str | None) -> Revision | None:
    """Chosen becomes rejected and rejected chosen."""
    if example.kind != "preference" or example.rejected is None:
        raise InputError(f"example {example.id} is not a preference pair")
    return store.change_example(
        example.id, {"output": example.rejected, "rejected": example.output},
        action="swap", annotator=annotator, expected_version=example.version)


def undo(store: Store, revision_id: int, *, annotator: str | None) -> Revision | None:
    """Put back what a revision changed, as a new revision. Refused when the example
    changed since (the undo would overwrite someone's later work)."""
    revision = store.get_revision(revision_id)
    return store.change_example(
        revision.example_id, revision.before, action="undo", annotator=annotator,
        reason=f"undo of revision {revision_id} ({revision.action})",
        expected_version=revision.version)


def revert(store: Store, example_id: int, revision_id: int, *,
           annotator: str | None) -> Revision | None:
    """Bring the example back to how it was right after `revision_id` (0: as imported)."""
    history = store.revisions(example_id)
    if revision_id and revision_id not in {r.id for r in history}:
        raise NotFoundError(f"revision {revision_id} is not in example {example_id}'s history")
    state: dict[str, Any] = {}
    for later in reversed([r for r in history if r.id > revision_id]):
        state.update(later.before)  # the earliest later revision's `before` wins
    if not state:
        return None
    current = store.get_example(example_id)
    return store.change_example(example_id, state, action="revert", annotator=annotator,
                                reason=f"revert to revision {revision_id or 'import'}",
                                expected_version=current.version)


def save_draft(store: Store, example: Example, text: str, *, annotator: str) -> None:
    store.save_draft(example.id, annotator, OUTPUT, text, example.version)


def load_draft(store: Store, example: Example, *, annotator: str) -> str | None:
    """The annotator's unsaved text for this example, if they left some and the
    example has not changed since (a draft of an older version would silently undo
    someone's later change; it is dropped instead)."""
    draft = store.get_draft(example.id, annotator, OUTPUT)
    if draft is None:
        return None
    text, base_version = draft
    if base_version != example.version:
        store.delete_draft(example.id, annotator, OUTPUT)
        return None
    return None if text == example.output else text


def original_output(store: Store, example: Example) -> str:
    """The output as imported, before any edit."""
    for revision in store.revisions(example.id):
        if "output" in revision.before:
            return revision.before["output"]
    return example.output
