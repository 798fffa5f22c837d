"""The revisions of one example (who, when, what changed), with revert."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from ...errors import CuratorError
from ...models import Example, Revision
from ...session import LabelSession
from ..widgets.safe import safe_text


def _changes(revision: Revision) -> Text:
    text = Text()
    for field in sorted(revision.after):
        if text:  # Fix (tests/tui snapshots): "a; b", not "a; b;"
            text.append("; ")
        before, after = revision.before.get(field), revision.after[field]
        if field in ("output", "rejected"):
            text.append_text(safe_text(f"{field} edited ({len(str(before or ''))} → "
                                       f"{len(str(after or ''))} chars)"))
        else:
            text.append_text(safe_text(f"{field}: {before!s} → {after!s}"))
    return text


class HistoryScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("R", "revert", "Revert to the selected revision"),
        Binding("i", "revert_import", "Revert to as imported"),
    ]

    def __init__(self, session: LabelSession, example: Example) -> None:
        super().__init__()
        self.session, self.example = session, example
        self.revisions: list[Revision] = []
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="history"):
            yield Label(f"History of #{self.example.id}", classes="dialog-title")
            yield DataTable(id="revisions", cursor_type="row")
            yield Static("R reverts to the selected revision · i to as imported · "
                         "Escape closes", classes="dialog-help")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("#", "when", "who", "action", "v", "changed", "reason")
        self.revisions = self.session.store.revisions(self.example.id)
        for revision in self.revisions:
            table.add_row(str(revision.id), revision.created_at[:19].replace("T", " "),
                          safe_text(revision.annotator or "-"), revision.action,
                          str(revision.version), _changes(revision),
                          safe_text(revision.reason or ""))
        if not self.revisions:
            table.add_row("-", "", "", "no changes since import", "", "", "")
        table.focus()

    def action_revert(self) -> None:
        table = self.query_one(DataTable)
        if not self.revisions or table.cursor_row is None:
            return
        self._revert(self.revisions[table.cursor_row].id)

    def action_revert_import(self) -> None:
        self._revert(0)

    def _revert(self, revision_id: int) -> None:
        try:
            result = self.session.revert(self.session.load(self.example.id), revision_id)
        except CuratorError as exc:
            self.notify(exc.message, title=exc.title, severity="error")
            return
        self.notify("reverted" if result else "already in that state")
        self.dismiss(result is not None)

    def action_close(self) -> None:
        self.dismiss(False)
