"""Small dialogs. Each is a ModalScreen that returns its answer with dismiss()."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from ...session import VALIDITY, QueueFilter
from ...models import STATUSES
from ...textsafe import visible
from ..widgets.safe import SafeInput, safe_text


class AskText(ModalScreen[str | None]):
    """One line of text (tags, a note, a search); Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text, self.value, self.placeholder = title, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(safe_text(self.title_text), classes="dialog-title")
            # SafeInput: the value is the example's tags or note (control characters)
            yield SafeInput(self.value, placeholder=self.placeholder, id="answer")
            yield Static("Enter saves · Escape cancels", classes="dialog-help")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmInvalid(ModalScreen[str | None]):
    """Approving an output that fails its schema: the default is to go back and fix
    it; approving anyway needs a reason, which is recorded."""

    BINDINGS = [Binding("escape", "fix", "Fix it")]

    def __init__(self, summary: str) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("This output fails its schema", classes="dialog-title")
            yield Static(safe_text(self.summary), classes="dialog-body")
            yield Input(placeholder="reason for approving anyway", id="reason")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Fix it", id="fix", variant="primary")
                yield Button("Approve anyway", id="approve", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#fix", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "fix":
            self.dismiss(None)
        else:
            self._approve()

    def on_input_submitted(self) -> None:
        self._approve()

    def _approve(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.notify("give a reason to approve an invalid output", severity="warning")
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(reason)

    def action_fix(self) -> None:
        self.dismiss(None)


@dataclass
class _Choice:
    label: str
    value: str | None


class FilterDialog(ModalScreen[QueueFilter | None]):
    """Filter the queue by status, task, validity and tag."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: QueueFilter, tasks: list[str]) -> None:
        super().__init__()
        self.current, self.tasks = current, tasks

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Filter the queue", classes="dialog-title")
            # Fix (tests/tui/test_pilot.py): in Textual 8 `Select.BLANK` is Widget.BLANK
            # (False), not "no selection": the dialog crashed on open ("Illegal select
            # value False"). The empty value is Select.NULL. Task names (from file names)
            # are shown as text, not parsed as markup.
            yield Select([(s, s) for s in STATUSES], value=self.current.status or Select.NULL,
                         prompt="any status", id="status")
            yield Select([(safe_text(t), t) for t in self.tasks],
                         value=self.current.task or Select.NULL, prompt="any task", id="task")
            yield Select([(v, v) for v in VALIDITY], value=self.current.valid or Select.NULL,
                         prompt="any validity", id="valid")
            yield Input(self.current.tag or "", placeholder="tag", id="tag")
            yield Checkbox("only disagreements (the adjudication queue)",
                           self.current.disagreements, id="disagreements")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", id="apply", variant="primary")
                yield Button("Clear", id="clear")

    def _value(self, widget_id: str) -> str | None:
        value = self.query_one(f"#{widget_id}", Select).value
        return None if value is Select.NULL else str(value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "clear":
            self.dismiss(QueueFilter(search=self.current.search))
            return
        self._apply()

    def on_input_submitted(self) -> None:
        self._apply()

    def _apply(self) -> None:
        tag = self.query_one("#tag", Input).value.strip() or None
        self.dismiss(QueueFilter(task=self._value("task"), status=self._value("status"),
                                 valid=self._value("valid"), tag=tag,
                                 search=self.current.search,
                                 disagreements=self.query_one("#disagreements",
                                                              Checkbox).value))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextViewer(ModalScreen[None]):
    """All of a long text, read-only (the TextArea renders only what is visible)."""

    BINDINGS = [Binding("escape,q,v", "close", "Close")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with Vertical(classes="viewer"):
            yield Label(safe_text(self.title_text), classes="dialog-title")
            yield TextArea(visible(self.text), read_only=True, soft_wrap=True, id="viewer-text")

    def action_close(self) -> None:
        self.dismiss(None)
