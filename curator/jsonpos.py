"""Finding values in JSON: by a dotted path in decoded data (`--map`, `--field`), and
where a JSON Pointer points in JSON text (to jump an editor's cursor to the value a
schema error is about; a small scanner that follows only the pointer's path)."""

from __future__ import annotations

import json
from typing import Any

_DECODER = json.JSONDecoder()
MISSING = object()


def lookup(record: Any, path: str) -> Any:
    """The value at a dotted path ("instances.0.output"), or MISSING."""
    value = record
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value
_WS = " \t\r\n"


def locate(text: str, pointer: str) -> tuple[int, int] | None:
    """(line, column), 0-based, of the value at `pointer` in `text`; for a missing
    member, of its parent object. None when the text is not JSON up to that point."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    try:
        offset = _find(text, _skip(text, 0), parts)
    except (ValueError, IndexError):
        return None
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1)
    return line, column


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _find(text: str, pos: int, parts: list[str]) -> int:
    for part in parts:
        char = text[pos]
        if char == "{":
            found = _member(text, pos, part)
        elif char == "[" and part.isdigit():
            found = _element(text, pos, int(part))
        else:
            return pos
        if found is None:
            return pos  # missing: point at the container
        pos = found
    return pos


def _member(text: str, pos: int, name: str) -> int | None:
    pos = _skip(text, pos + 1)
    while text[pos] != "}":
        key, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] != ":":
            raise ValueError("expected ':'")
        pos = _skip(text, pos + 1)
        if key == name:
            return pos
        pos = _skip(text, _value_end(text, pos))
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return None


def _element(text: str, pos: int, index: int) -> int | None:
    pos = _skip(text, pos + 1)
    current = 0
    while text[pos] != "]":
        if current == index:
            return pos
        pos = _skip(text, _value_end(text, pos))
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
        current += 1
    return None


def _value_end(text: str, pos: int) -> int:
    _, end = _DECODER.raw_decode(text, pos)
    return end
