"""The edited output against the original, as a unified diff."""

from __future__ import annotations

import difflib

from rich.text import Text
from textual.widgets import Static

from .safe import safe_text


def diff_text(original: str, edited: str) -> Text:
    if original == edited:
        return Text("no changes to the original output", style="dim")
    text = Text()
    lines = difflib.unified_diff(original.splitlines(), edited.splitlines(), "original",
                                 "edited", lineterm="", n=2)
    for line in lines:
        style = ("green" if line.startswith("+") else "red" if line.startswith("-")
                 else "cyan" if line.startswith("@@") else "")
        text.append_text(safe_text(line, style))
        text.append("\n")
    text.rstrip()
    return text


class DiffView(Static):
    DEFAULT_CSS = "DiffView { height: auto; max-height: 14; border: round $accent; }"

    def show(self, original: str, edited: str) -> None:
        self.border_title = "diff against the original (d hides)"
        self.update(diff_text(original, edited))
