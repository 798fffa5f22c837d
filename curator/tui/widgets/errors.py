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

    def show(self, issues: list[ValidationIssue], *, has_checks: bool,
             controls: str = "") -> None:
        self.issues = issues
        self.clear_options()
        self.set_class(not issues, "ok")
        if controls:
            # The editor does not draw control characters; say they are there.
            self.add_option(Option(Text(f"⚠ the text holds control characters the editor "
                                        f"does not show: {controls}", style="bold yellow"),
                                   disabled=True))
        if not issues:
            self.border_title = "valid" if has_checks else "no schema for this task"
            if not controls:
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
        """Jump to the error at option `index` (default: the highlighted one, else the
        first); a warning line may come before the errors."""
        if not self.issues:
            return
        offset = self.option_count - len(self.issues)
        if index is None:
            index = self.highlighted if self.highlighted is not None else offset
        issue = self.issues[min(max(index - offset, 0), len(self.issues) - 1)]
        self.post_message(JumpToError(issue.where, issue.path))
