"""Live schema errors: each with its JSON path; selecting one jumps the cursor there."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...models import ValidationIssue
from ..messages import JumpToError
from .safe import safe_text


class ErrorsPanel(OptionList):
    DEFAULT_CSS = """
    ErrorsPanel { height: auto; max-height: 10; border: round $error; }
    ErrorsPanel.ok { border: round $success; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.issues: list[ValidationIssue] = []

    def show(self, issues: list[ValidationIssue], *, has_checks: bool) -> None:
        self.issues = issues
        self.clear_options()
        self.set_class(not issues, "ok")
        if not issues:
            self.border_title = "valid" if has_checks else "no schema for this task"
            self.add_option(Option(Text("no errors", style="dim"), disabled=True))
            return
        self.border_title = f"{len(issues)} error{'s' if len(issues) != 1 else ''} · j jumps"
        for issue in issues:
            line = Text()
            if issue.where != "output":
                line.append_text(safe_text(f"{issue.where} ", "italic"))
            line.append_text(safe_text(issue.path or "/", "bold"))
            line.append_text(safe_text(f" [{issue.keyword}] ", "dim"))
            line.append_text(safe_text(issue.message))
            self.add_option(Option(line))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.jump(event.option_index)

    def jump(self, index: int | None = None) -> None:
        if not self.issues:
            return
        index = self.highlighted if index is None else index
        issue = self.issues[index or 0]
        self.post_message(JumpToError(issue.where, issue.path))
