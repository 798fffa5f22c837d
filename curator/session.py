"""A labeling session: one annotator working through a filtered queue.

Holds what the TUI needs beyond single actions (the queue's filters, the next and
previous example, progress, the undo stack) so that all of it can be used and tested
without a terminal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from . import review
from .errors import InputError
from .models import STATUSES, Example, Revision, ToolCall, ValidationIssue
from .store import Store
from .tasks import require_task
from .validation import LiveChecker, Verdict

VALIDITY = ("valid", "invalid", "unchecked")


@dataclass
class QueueFilter:
    task: str | None = None
    status: str | None = None
    valid: str | None = None
    tag: str | None = None
    search: str | None = None
    disagreements: bool = False  # the adjudication queue

    def as_kwargs(self) -> dict[str, Any]:
        return {"task": self.task, "status": self.status, "valid": self.valid,
                "tag": self.tag, "search": self.search, "disagreements": self.disagreements}

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in self.as_kwargs().items() if v]
        return " ".join(parts) or "all examples"


@dataclass
class Progress:
    done: int
    remaining: int
    session_decisions: int
    rate_per_hour: float


@dataclass
class LabelSession:
    store: Store
    annotator: str
    filter: QueueFilter = field(default_factory=QueueFilter)
    started: float = field(default_factory=time.monotonic)
    decisions: int = 0
    undo_stack: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.checker = LiveChecker(self.store)
        self.check_filter(self.filter)
        self._counts: dict[tuple[str, str], int] | None = None

    def refresh_counts(self) -> None:
        self._counts = {(task, status): n for task, status, n in self.store.counts()}

    def _track(self, task: str, revision: Revision | None) -> None:
        """Move one example between status counts after a change of its status."""
        if revision is None or self._counts is None or "status" not in revision.after:
            return
        before, after = revision.before.get("status"), revision.after["status"]
        self._counts[task, before] = self._counts.get((task, before), 0) - 1
        self._counts[task, after] = self._counts.get((task, after), 0) + 1

    def check_filter(self, queue: QueueFilter) -> None:
        if queue.status and queue.status not in STATUSES:
            raise InputError(f"unknown status {queue.status!r}")
        if queue.valid and queue.valid not in VALIDITY:
            raise InputError(f"unknown validity {queue.valid!r}")
        require_task(self.store, queue.task or None)

    # -- the queue ---------------------------------------------------------------

    def page(self, *, after_id: int = 0, before_id: int | None = None,
             limit: int = 100) -> list[dict[str, Any]]:
        return self.store.list_examples(after_id=after_id, before_id=before_id, limit=limit,
                                        **self.filter.as_kwargs())

    def next_id(self, current: int) -> int | None:
        """The next example in the queue that no other annotator is working on."""
        rows = self.store.list_examples(after_id=current, limit=1, free_for=self.annotator,
                                        **self.filter.as_kwargs())
        return rows[0]["id"] if rows else None

    def previous_id(self, current: int) -> int | None:
        rows = self.store.list_examples(before_id=current, limit=1, free_for=self.annotator,
                                        **self.filter.as_kwargs())
        return rows[0]["id"] if rows else None

    def claim(self, example: Example) -> str | None:
        """Claim (or renew the claim on) the example being reviewed, so it is not handed
        to another annotator; returns who else holds it, if someone does."""
        return self.store.claim(example.id, self.annotator)

    def release(self, example: Example) -> None:
        self.store.release(example.id, self.annotator)

    def first_id(self) -> int | None:
        return self.next_id(0)

    def progress(self) -> Progress:
        """Done / remaining in the queue's task, and this session's pace. The counts
        are kept up to date by this session's own changes; `refresh_counts` (the queue
        does it when it loads a page, off the UI thread) picks up everyone else's: a
        count over a million examples takes ~0.1 s, too slow for every example shown."""
        if self._counts is None:
            self.refresh_counts()
        scope = [(s, n) for (task, s), n in self._counts.items()
                 if self.filter.task is None or task == self.filter.task]
        remaining = sum(n for s, n in scope if s == "pending")
        done = sum(n for _, n in scope) - remaining
        hours = max((time.monotonic() - self.started) / 3600, 1 / 60)
        return Progress(done, remaining, self.decisions, self.decisions / hours)

    # -- one example ---------------------------------------------------------------

    def load(self, example_id: int) -> Example:
        return self.store.get_example(example_id)

    def verdict(self, example: Example, text: str | None = None,
                rejected: str | None = None) -> Verdict:
        """Check the editor's text (see `editable_text`) as it would be saved."""
        if text is None or not edits_tool_calls(example):
            return self.checker.check(example, output=text, rejected=rejected)
        try:
            calls = text_to_calls(text)
        except InputError as exc:
            return Verdict(False, False, [ValidationIssue(where="tool_calls", keyword="json",
                                                          message=exc.message)])
        return self.checker.check(example, tool_calls=calls, rejected=rejected)

    def decide(self, example: Example, decision: str, *, text: str | None = None,
               reason: str | None = None) -> Revision | None:
        """Record a decision on the version the annotator saw, with the editor's text
        when it changed. Approving an output that fails its schema raises NeedsReason
        unless a reason is given."""
        changes = self._text_changes(example, text)
        # In the adjudication queue a decision settles the disagreement.
        revision = review.decide(self.store, example.id, decision, annotator=self.annotator,
                                 reason=reason, expected_version=example.version,
                                 checker=self.checker, require_reason=True,
                                 adjudicate=self.filter.disagreements, **changes)
        self._track(example.task, revision)
        return self._done(revision)

    def edit(self, example: Example, text: str, *, rejected: bool = False) -> Revision | None:
        if rejected:
            revision = self.store.change_example(
                example.id, {"rejected": text}, action="edit", annotator=self.annotator,
                expected_version=example.version)
        else:
            changes = self._text_changes(example, text)
            if "tool_calls" in changes:
                revision = review.edit_tool_calls(self.store, example.id,
                                                  changes["tool_calls"],
                                                  annotator=self.annotator,
                                                  expected_version=example.version)
            elif "output" in changes:
                revision = review.edit_output(self.store, example.id, changes["output"],
                                              annotator=self.annotator,
                                              expected_version=example.version)
            else:
                return None
        return self._done(revision, counts=False)

    @staticmethod
    def _text_changes(example: Example, text: str | None) -> dict[str, Any]:
        if text is None or text == editable_text(example):
            return {}
        if edits_tool_calls(example):
            return {"tool_calls": text_to_calls(text)}
        return {"output": text}

    def set_tags(self, example: Example, tags: list[str]) -> Revision | None:
        return self._done(review.set_tags(self.store, example.id, tags, annotator=self.annotator,
                                          expected_version=example.version), counts=False)

    def set_note(self, example: Example, note: str) -> Revision | None:
        return self._done(review.set_note(self.store, example.id, note, annotator=self.annotator,
                                          expected_version=example.version), counts=False)

    def swap(self, example: Example) -> Revision | None:
        return self._done(review.swap_preference(self.store, example, annotator=self.annotator),
                          counts=False)

    def revert(self, example: Example, revision_id: int) -> Revision | None:
        revision = review.revert(self.store, example.id, revision_id, annotator=self.annotator)
        self._track(example.task, revision)
        return self._done(revision, counts=False)

    def undo(self) -> Revision | None:
        """Undo this session's last action; None when there is nothing to undo."""
        if not self.undo_stack:
            return None
        revision_id = self.undo_stack[-1]
        result = review.undo(self.store, revision_id, annotator=self.annotator)
        if result is not None:
            self._track(self.store.get_example(result.example_id).task, result)
        self.undo_stack.pop()
        original = self.store.get_revision(revision_id)
        if original.action in review.DECISIONS and self.decisions:
            self.decisions -= 1
        return result

    def _done(self, revision: Revision | None, counts: bool = True) -> Revision | None:
        if revision is not None:
            self.undo_stack.append(revision.id)
            if counts:
                self.decisions += 1
        return revision

    # -- drafts -----------------------------------------------------------------------

    def save_draft(self, example: Example, text: str) -> None:
        review.save_draft(self.store, example, text, annotator=self.annotator)

    def draft(self, example: Example) -> str | None:
        draft = review.load_draft(self.store, example, annotator=self.annotator)
        return None if draft == editable_text(example) else draft

    def original_text(self, example: Example) -> str:
        """What the editor held before any edit: for the diff."""
        if edits_tool_calls(example):
            for revision in self.store.revisions(example.id):
                if "tool_calls" in revision.before:
                    return calls_to_text([ToolCall.model_validate(c)
                                          for c in revision.before["tool_calls"]])
            return editable_text(example)
        return review.original_output(self.store, example)

    def guidelines(self, task: str) -> str | None:
        found = self.store.get_task(task)
        return found.guidelines if found else None


# -- the editor's text ----------------------------------------------------------------

def edits_tool_calls(example: Example) -> bool:
    """A reply that is only tool calls is edited as JSON: a list of calls."""
    return bool(example.tool_calls) and not example.output


def calls_to_text(calls: list[ToolCall]) -> str:
    items = []
    for call in calls:
        try:
            arguments: Any = orjson.loads(call.arguments)
        except orjson.JSONDecodeError:
            arguments = call.arguments  # kept as written, so it can be fixed
        item = {"name": call.name, "arguments": arguments}
        if call.id:
            item["id"] = call.id
        items.append(item)
    return orjson.dumps(items, option=orjson.OPT_INDENT_2).decode()


def text_to_calls(text: str) -> list[ToolCall]:
    try:
        items = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"the tool calls are not JSON: {exc.msg} at line {exc.lineno} "
                         f"column {exc.colno}") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InputError('the tool calls must be a list like [{"name": ..., '
                         '"arguments": {...}}]')
    calls = []
    for index, item in enumerate(items):
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise InputError(f"tool call {index} needs a name")
        arguments = item.get("arguments", {})
        if not isinstance(arguments, str):
            arguments = orjson.dumps(arguments).decode()
        call_id = item.get("id")
        calls.append(ToolCall(id=call_id if isinstance(call_id, str) else None, name=name,
                              arguments=arguments))
    return calls


def editable_text(example: Example) -> str:
    return calls_to_text(example.tool_calls) if edits_tool_calls(example) else example.output


def error_pointer(where: str, path: str) -> str | None:
    """Where, in the editor's text, an error's value is: for the output its own path;
    for a reply's tool call "/N/arguments" + path. None for other places."""
    if where in ("output", "rejected"):
        return path
    if where.startswith("tool_calls/"):
        return f"/{where.split('/')[1]}/arguments{path}"
    return None
