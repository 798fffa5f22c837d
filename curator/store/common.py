"""What the store's parts share: constants, SQL fragments, row conversions."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from .. import migrations
from ..errors import ConflictError, NotFoundError, ProjectError, StorageError
from ..models import (STATUSES, Example, Message, Provenance, Revision, Task, Tool, ToolCall,
                     content_columns)


def _import_sqlite_utils():
    # sqlite-utils imports pandas (~400 ms) only to map pandas.Timestamp to TEXT, which
    # curator never stores. Hide pandas while it loads so every command starts fast;
    # pandas stays importable for datasets afterwards.
    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        import sqlite_utils
        return sqlite_utils
    sys.modules["pandas"] = None  # type: ignore[assignment]
    try:
        import sqlite_utils
    finally:
        del sys.modules["pandas"]
    return sqlite_utils


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


SQLITE_MAGIC = b"SQLite format 3\x00"
PREVIEW_CHARS = 160
PAGE_SIZE = 16384
BUSY_TIMEOUT_MS = 5000  # how long one attempt waits for another writer
LEASE_SECONDS = 300.0  # a claim lasts this long unless renewed
LOCK_RETRIES = 6

# Plain text of everything before the response, derived in SQL so that the search
# index can be (re)built without Python touching each row.
PROMPT_TEXT_SQL = """(
    coalesce(e.system || char(10), '') || coalesce(e.prompt, '')
    || coalesce(char(10) || e.input, '')
    || coalesce((SELECT group_concat(
            json_extract(m.value, '$.role') || ': '
            || coalesce(json_extract(m.value, '$.content'), '')
            || coalesce(' ' || json_extract(m.value, '$.tool_calls'), ''), char(10))
        FROM json_each(e.messages) m), '')
)"""
# A stored verdict holds while the example and its task's schema are as checked.
_CURRENT_VERDICT = "(v.version = e.version AND v.schema_hash IS t.schema_hash)"
# The queue's one-line preview: the prompt, or the last user turn of a chat.
# Its head and tail only: `preview_of` needs no more.
PREVIEW_SQL = """(SELECT CASE WHEN length(p) <= 1600 THEN p
                       ELSE substr(p, 1, 400) || char(10, 10) || substr(p, -1200) END
    FROM (SELECT coalesce(e.prompt, (
        SELECT json_extract(m.value, '$.content') FROM json_each(e.messages) m
        WHERE json_extract(m.value, '$.role') = 'user' ORDER BY m.key DESC LIMIT 1), '') AS p))"""

EXAMPLE_COLUMNS = (
    "id", "task_id", "kind", "status", "version", "system", "prompt", "input",
    "messages", "tools", "output", "tool_calls", "rejected", "tags", "note",
    "source_locator", "source_hash", "import_id", "meta",
    "created_at", "updated_at",
)
# An imported example starts pending, at version 1, untagged: the table's defaults.
# Ids come from SQLite; for the timestamps, see the migration.
_INSERT_COLUMNS = ("task_id", "kind", "system", "prompt", "input", "messages", "tools",
                   "output", "tool_calls", "rejected", "source_locator", "source_hash",
                   "import_id", "meta")
_INSERT_EXAMPLE = (
    f"INSERT INTO examples ({', '.join(_INSERT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _INSERT_COLUMNS)}) "
    "ON CONFLICT (task_id, source_hash) DO NOTHING"
)


def preview_of(text: str) -> str:
    """One line for the queue: whitespace collapsed, cut at PREVIEW_CHARS. A prompt of
    several paragraphs is shown by its last (instructions tend to come first and to be
    the same in every example; the part that differs comes last)."""
    paragraphs = [p for p in text.split("\n\n") if len(p.strip()) >= 60]
    if len(paragraphs) > 1:
        text = paragraphs[-1]
    line = " ".join(text[: PREVIEW_CHARS * 4].split())
    return line if len(line) <= PREVIEW_CHARS else line[: PREVIEW_CHARS - 1] + "…"


def _storage_message(path: Path, exc: sqlite3.Error) -> str:
    """What a failed write means for the user (the SQLite text alone is cryptic)."""
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return (f"{path} is read-only (or its folder is, and SQLite needs to write its "
                f"-wal and -shm files beside it); nothing was changed")
    if "disk is full" in text or "database or disk is full" in text:
        return f"the disk holding {path} is full; nothing was changed"
    if "locked" in text or "busy" in text:
        return f"{path} is busy with another writer; nothing was changed, try again"
    if "malformed" in text or "not a database" in text:
        return f"{path} is damaged ({text}); restore it from a backup"
    return f"{path}: {text}; nothing was changed"


def fts_query(text: str) -> str:
    """Quote each word so user text is matched literally, never parsed as FTS syntax."""
    words = text.split()
    return " ".join('"' + word.replace('"', '""') + '"' for word in words) or '""'


def _split_sql(script: str) -> Iterable[str]:
    """The statements of a migration, one by one, so that they run inside our
    transaction (executescript would commit first). Comment lines are dropped; a
    statement ends where SQLite says it is complete (a trigger body holds `;`s)."""
    lines = [ln for ln in script.splitlines() if not ln.strip().startswith("--")]
    statement = ""
    for piece in "\n".join(lines).split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):
            if statement.strip(" \n;"):
                yield statement
            statement = ""
    if statement.strip(" \n;"):
        raise ValueError(f"incomplete SQL statement in a migration: {statement!r}")


def _check_is_curator_file(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ProjectError(f"cannot read {path}: {exc.strerror}") from exc
    if header != SQLITE_MAGIC:
        raise ProjectError(f"{path} is not a curator project (not a SQLite database)")


def _revision(r: Sequence[Any]) -> Revision:
    return Revision(id=r[0], example_id=r[1], version=r[2], action=r[3], annotator=r[4],
                    created_at=r[5], before=orjson.loads(r[6]), after=orjson.loads(r[7]),
                    reason=r[8])


# Fields an annotator can change; JSON ones are stored as text.
EDITABLE_FIELDS = ("status", "output", "rejected", "tool_calls", "tags", "note")
_JSON_FIELDS = {"tool_calls", "tags"}


def _decode_field(name: str, value: Any) -> Any:
    if name in _JSON_FIELDS:
        return orjson.loads(value) if value else []
    return value


def _encode_field(name: str, value: Any) -> Any:
    if name == "tool_calls":
        return _dumps(value) if value else None
    if name == "tags":
        return _dumps(value)
    return value


def _task(row: Sequence[Any]) -> Task:
    return Task(id=row[0], name=row[1], schema_hash=row[2], schema_source=row[3],
                guidelines=row[4], overlap=row[5])


def example_row(example: Example, columns: tuple[Any, ...], source_hash: str,
                locator: str | None, task_id: int, import_id: int | None) -> tuple[Any, ...]:
    """The row `Store.insert_example_rows` takes. A pure function, so an import can
    build rows in a parser process while the store writes the previous batch."""
    return (task_id, *columns, locator, bytes.fromhex(source_hash), import_id,
            _dumps(example.meta) if example.meta else None)


def _example_from_row(row: dict[str, Any]) -> Example:
    def load(name: str) -> Any:
        return orjson.loads(row[name]) if row[name] else []

    return Example(
        id=row["id"], task=row["task"], kind=row["kind"], status=row["status"],
        version=row["version"], system=row["system"], prompt=row["prompt"],
        input=row["input"],
        messages=[Message.model_validate(m) for m in load("messages")],
        tools=[Tool.model_validate(t) for t in load("tools")],
        output=row["output"],
        tool_calls=[ToolCall.model_validate(c) for c in load("tool_calls")],
        rejected=row["rejected"], tags=orjson.loads(row["tags"]), note=row["note"],
        source=Provenance(file=row["source_file"] or "", locator=row["source_locator"] or "",
                          hash=row["source_hash"].hex()),
        meta=orjson.loads(row["meta"]) if row["meta"] else {},
    )


# For front ends' last line of defence: any SQLite failure not already turned into a
# CuratorError by the store.
DatabaseFailure = sqlite3.Error




# Everything, underscored names included: the store's parts share them.
__all__ = [
    "Any",
    "BUSY_TIMEOUT_MS",
    "Callable",
    "ConflictError",
    "DatabaseFailure",
    "EDITABLE_FIELDS",
    "EXAMPLE_COLUMNS",
    "Example",
    "Iterable",
    "Iterator",
    "LEASE_SECONDS",
    "LOCK_RETRIES",
    "Message",
    "NotFoundError",
    "PAGE_SIZE",
    "PREVIEW_CHARS",
    "PREVIEW_SQL",
    "PROMPT_TEXT_SQL",
    "Path",
    "ProjectError",
    "Provenance",
    "Revision",
    "SQLITE_MAGIC",
    "STATUSES",
    "Sequence",
    "StorageError",
    "Task",
    "Tool",
    "ToolCall",
    "_CURRENT_VERDICT",
    "_INSERT_COLUMNS",
    "_INSERT_EXAMPLE",
    "_JSON_FIELDS",
    "_check_is_curator_file",
    "_decode_field",
    "_dumps",
    "_encode_field",
    "_example_from_row",
    "_import_sqlite_utils",
    "_revision",
    "_split_sql",
    "_storage_message",
    "_task",
    "content_columns",
    "contextmanager",
    "datetime",
    "example_row",
    "fts_query",
    "hashlib",
    "migrations",
    "now",
    "orjson",
    "os",
    "preview_of",
    "sqlite3",
    "sys",
    "time",
    "timezone",
]
