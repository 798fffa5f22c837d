"""Dataset text as inert text: no markup, no control characters reach the terminal."""

from __future__ import annotations

from rich.text import Text

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
