"""Dataset text as inert text: no markup, no control characters reach the terminal."""

from __future__ import annotations

import re

from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.widgets import Input, TextArea

from ...textsafe import visible

# Beyond this a single message is cut on screen (`v` shows all of it in a viewer):
# laying out hundreds of KB of wrapped text would stall the UI.
SHOWN_CHARS = 20_000


def safe_text(value: str | None, style: str = "") -> Text:
    return Text(visible(value or ""), style=style)


def clipped_text(value: str | None, style: str = "") -> Text:
    value = value or ""
    if len(value) <= SHOWN_CHARS:
        return safe_text(value, style)
    text = safe_text(value[:SHOWN_CHARS], style)
    text.append(f"\n… {len(value) - SHOWN_CHARS:,} more characters: press v to view all",
                style="bold italic")
    return text



_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def _without_controls(strip: Strip) -> Strip:
    if not any(_CONTROL.search(segment.text) for segment in strip):
        return strip
    return Strip([Segment(_CONTROL.sub("", text), style, control)
                  for text, style, control in strip], strip.cell_length)


class SafeTextArea(TextArea):
    """A TextArea that never sends its text's control characters to the terminal.

    Fix (tests/tui/test_injection.py): TextArea draws the document as it is, so an ESC,
    BEL or C1 byte in an output reached the terminal raw (an "\\x1b[2J" cleared it). They
    are zero cells wide, so dropping them from the drawn line moves nothing; the text
    itself is kept (saving writes it back unchanged) and the errors panel lists them.
    """

    def render_line(self, y: int) -> Strip:
        return _without_controls(super().render_line(y))

    def load_text(self, text: str) -> None:
        # The old document's tree-sitter tree refers back to it in a cycle Python's
        # collector cannot see: without this, every example shown stays in memory.
        old = self.document
        super().load_text(text)
        if hasattr(old, "_syntax_tree"):
            old._syntax_tree = None


class SafeInput(Input):
    """An Input that never sends its value's control characters to the terminal (the
    tags and note dialogs start with the example's own text; see SafeTextArea)."""

    def render_line(self, y: int) -> Strip:
        return _without_controls(super().render_line(y))


STATUS_STYLE = {"approved": "green", "rejected": "red", "skipped": "yellow",
                "flagged": "magenta", "pending": ""}
