"""Make dataset text safe to put on a terminal.

rich's `Text` stops markup but not control characters: an ESC byte in a prompt would
reach the terminal and could clear it or move the cursor. C0 and C1 controls (other
than newline and tab) become visible Unicode control pictures or \\xNN escapes.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ .. ␟, e.g. ESC -> ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}"


def visible(text: str) -> str:
    """`text` with control characters shown, never executed."""
    return _CONTROL.sub(_picture, text)


def control_characters(text: str) -> str:
    """The distinct control characters in `text`, as their visible symbols ("" if none)."""
    return "".join(sorted({_picture(m) for m in _CONTROL.finditer(text)}))
