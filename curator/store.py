"""The project store: one SQLite file (WAL) behind a small set of named methods.

All SQL lives here. Services speak to these methods only, so another backend can
stand behind the same interface later.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from . import migrations
from .errors import NotFoundError, ProjectError, StorageError
from .models import STATUSES, Example, Message, Provenance, Revision, Task, Tool, ToolCall


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

EXAMPLE_COLUMNS = (
    "id", "task_id", "kind", "status", "version", "system", "prompt", "input",
    "messages", "tools", "output", "tool_calls", "rejected", "preview", "tags", "note",
    "source_file", "source_locator", "source_hash", "import_id", "meta",
    "created_at", "updated_at",
)
_INSERT_EXAMPLE = (
    f"INSERT INTO examples ({', '.join(EXAMPLE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in EXAMPLE_COLUMNS)})"
)


def preview_of(text: str) -> str:
    """One line for the queue: whitespace collapsed, cut at PREVIEW_CHARS."""
    line = " ".join(text[: PREVIEW_CHARS * 4].split())
    return line if len(line) <= PREVIEW_CHARS else line[: PREVIEW_CHARS - 1] + "…"


class Store:
    """Wraps a `sqlite_utils.Database`; construct with `Store.open`."""

    def __init__(self, db: Any, path: Path) -> None:
        self.db = db
        self.path = path
        self.conn: sqlite3.Connection = db.conn

    # -- opening -----------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False) -> Store:
        """Open a project file. With `create`, a missing or empty file becomes a new
        project. A file that is not a curator project, or that a newer curator wrote,
        is refused before anything in it is changed."""
        path = Path(path)
        if path.is_dir():
            raise ProjectError(f"{path} is a folder, not a curator project file")
        exists = path.exists() and path.stat().st_size > 0
        if not exists and not create:
            raise ProjectError(
                f"no project at {path}: create one with `curator init {path}` "
                f"or `curator import {path} FILE`"
            )
        if exists:
            _check_is_curator_file(path)
        sqlite_utils = _import_sqlite_utils()
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise ProjectError(f"cannot open {path}: {exc}") from exc
        store = cls(sqlite_utils.Database(conn), path)
        try:
            store._configure()
            store._migrate()
        except BaseException:
            conn.close()
            raise
        return store

    def _configure(self) -> None:
        self.conn.execute("PRAGMA busy_timeout = 10000")
        self.conn.execute("PRAGMA foreign_keys = ON")
        mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise ProjectError(f"{self.path}: cannot switch the database to WAL mode")
        # A decision is durable once the call returns.
        self.conn.execute("PRAGMA synchronous = FULL")

    def _migrate(self) -> None:
        tables = set(self.db.table_names())
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        if tables and app_id != migrations.APPLICATION_ID:
            raise ProjectError(f"{self.path} is a SQLite database but not a curator project")
        applied = set()
        if "_migrations" in tables:
            applied = {row[0] for row in self.conn.execute("SELECT name FROM _migrations")}
        newer = migrations.unknown(applied)
        if newer:
            raise ProjectError(
                f"{self.path} was written by a newer curator (unknown migrations: "
                f"{', '.join(newer)}); upgrade curator to open it"
            )
        todo = migrations.pending(applied)
        if not todo:
            return
        with self.transaction():
            if not tables:
                self.conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
                self.conn.execute(
                    "CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
                )
            for name, sql in todo:
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (name, now())
                )

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM _migrations ORDER BY name")]

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; rolled back whole if anything inside raises."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StorageError(f"{self.path}: cannot start a write: {exc}") from exc
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self.conn.execute("ROLLBACK")
            raise StorageError(f"{self.path}: the write was not saved: {exc}") from exc

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """A large batched write (imports): a bigger page cache and NORMAL sync while
        it runs; the single commit at the end is still atomic."""
        self.conn.execute("PRAGMA cache_size = -131072")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        try:
            with self.transaction():
                yield
        finally:
            self.conn.execute("PRAGMA synchronous = FULL")
            self.conn.execute("PRAGMA cache_size = -2000")

    # -- schemas and tasks -------------------------------------------------------

    def put_schema(self, text: str, hash_: str, source: str | None) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO schemas (hash, text, source, created_at) VALUES (?, ?, ?, ?)",
            (hash_, text, source, now()),
        )

    def schema_text(self, hash_: str) -> str:
        row = self.conn.execute("SELECT text FROM schemas WHERE hash = ?", (hash_,)).fetchone()
        if row is None:
            raise NotFoundError(f"no schema with hash {hash_}")
        return row[0]

    def get_task(self, name: str) -> Task | None:
        row = self.conn.execute(
            "SELECT id, name, schema_hash, schema_source, guidelines FROM tasks WHERE name = ?",
            (name,),
        ).fetchone()
        return _task(row) if row else None

    def list_tasks(self) -> list[Task]:
        rows = self.conn.execute(
            "SELECT id, name, schema_hash, schema_source, guidelines FROM tasks ORDER BY name"
        )
        return [_task(row) for row in rows]

    def create_task(self, name: str) -> Task:
        stamp = now()
        cursor = self.conn.execute(
            "INSERT INTO tasks (name, created_at, updated_at) VALUES (?, ?, ?)",
            (name, stamp, stamp),
        )
        self._task_event(cursor.lastrowid, "create", {}, {"name": name})
        return Task(id=cursor.lastrowid, name=name)

    def update_task(self, task: Task, **changes: Any) -> Task:
        """Set schema_hash / schema_source / guidelines; the change is logged."""
        before = {key: getattr(task, key) for key in changes}
        if before == changes:
            return task
        sets = ", ".join(f"{key} = ?" for key in changes)
        self.conn.execute(
            f"UPDATE tasks SET {sets}, updated_at = ? WHERE id = ?",
            (*changes.values(), now(), task.id),
        )
        self._task_event(task.id, "update", before, changes)
        return task.model_copy(update=changes)

    def _task_event(self, task_id: int | None, action: str, before: dict, after: dict) -> None:
        self.conn.execute(
            "INSERT INTO task_events (task_id, action, before, after, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (task_id, action, _dumps(before), _dumps(after), now()),
        )

    # -- imports -----------------------------------------------------------------

    def start_import(self, path: str, file_hash: str | None, layout: str, task_id: int) -> int:
        cursor = self.conn.execute(
            "INSERT INTO imports (path, file_hash, layout, task_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (path, file_hash, layout, task_id, now()),
        )
        return int(cursor.lastrowid)

    def finish_import(self, import_id: int, read: int, added: int, duplicate: int,
                      rejected: int) -> None:
        self.conn.execute(
            "UPDATE imports SET rows_read = ?, rows_added = ?, rows_duplicate = ?, "
            "rows_rejected = ? WHERE id = ?",
            (read, added, duplicate, rejected, import_id),
        )

    def next_example_id(self) -> int:
        return int(self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM examples").fetchone()[0])

    def existing_hashes(self, task_id: int, hashes: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(hashes), 900):
            chunk = hashes[start : start + 900]
            marks = ", ".join("?" for _ in chunk)
            found.update(
                row[0]
                for row in self.conn.execute(
                    f"SELECT source_hash FROM examples WHERE task_id = ? "
                    f"AND source_hash IN ({marks})",
                    (task_id, *chunk),
                )
            )
        return found

    def insert_examples(self, task_id: int, import_id: int | None, first_id: int,
                        examples: Sequence[Example]) -> None:
        """Insert new examples with ids first_id, first_id+1, ... (call inside a
        transaction that holds the write lock, so no one else takes those ids)."""
        stamp = now()
        rows = []
        fts = []
        for offset, example in enumerate(examples):
            example_id = first_id + offset
            prompt_text = example.prompt_text()
            rows.append(_example_row(example, example_id, task_id, import_id, prompt_text, stamp))
            fts.append((example_id, prompt_text, example.output))
        self.conn.executemany(_INSERT_EXAMPLE, rows)
        self.conn.executemany(
            "INSERT INTO examples_fts (rowid, prompt_text, output) VALUES (?, ?, ?)", fts
        )

    # -- reading -----------------------------------------------------------------

    def counts(self) -> list[tuple[str, str, int]]:
        """(task, status, count) for every task and status present."""
        return [
            tuple(row)
            for row in self.conn.execute(
                "SELECT t.name, e.status, count(*) FROM examples e "
                "JOIN tasks t ON t.id = e.task_id GROUP BY t.name, e.status"
            )
        ]

    def list_examples(self, *, status: str | None = None, task: str | None = None,
                      search: str | None = None, after_id: int = 0,
                      limit: int = 50) -> list[dict[str, Any]]:
        """A page of the queue, in id order after `after_id` (keyset pagination)."""
        where = ["e.id > ?"]
        params: list[Any] = [after_id]
        if status:
            where.append("e.status = ?")
            params.append(status)
        if task:
            where.append("t.name = ?")
            params.append(task)
        if search:
            where.append("e.id IN (SELECT rowid FROM examples_fts WHERE examples_fts MATCH ?)")
            params.append(fts_query(search))
        sql = (
            "SELECT e.id, t.name, e.kind, e.status, e.version, e.preview, e.tags "
            "FROM examples e JOIN tasks t ON t.id = e.task_id "
            f"WHERE {' AND '.join(where)} ORDER BY e.id LIMIT ?"
        )
        params.append(limit)
        try:
            rows = self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            raise StorageError(f"search failed: {exc}") from exc
        return [
            {"id": r[0], "task": r[1], "kind": r[2], "status": r[3], "version": r[4],
             "preview": r[5], "tags": orjson.loads(r[6])}
            for r in rows
        ]

    def get_example(self, example_id: int) -> Example:
        row = self.conn.execute(
            f"SELECT {', '.join('e.' + c for c in EXAMPLE_COLUMNS)}, t.name "
            "FROM examples e JOIN tasks t ON t.id = e.task_id WHERE e.id = ?",
            (example_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no example with id {example_id} in {self.path}")
        return _example_from_row(dict(zip((*EXAMPLE_COLUMNS, "task"), row)))

    def revisions(self, example_id: int) -> list[Revision]:
        rows = self.conn.execute(
            "SELECT id, example_id, version, action, annotator, created_at, before, after, "
            "reason FROM revisions WHERE example_id = ? ORDER BY id",
            (example_id,),
        )
        return [
            Revision(id=r[0], example_id=r[1], version=r[2], action=r[3], annotator=r[4],
                     created_at=r[5], before=orjson.loads(r[6]), after=orjson.loads(r[7]),
                     reason=r[8])
            for r in rows
        ]

    def imports(self) -> list[dict[str, Any]]:
        cursor = self.conn.execute(
            "SELECT i.id, i.path, i.layout, t.name, i.rows_read, i.rows_added, "
            "i.rows_duplicate, i.rows_rejected, i.created_at "
            "FROM imports i JOIN tasks t ON t.id = i.task_id ORDER BY i.id"
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]


def fts_query(text: str) -> str:
    """Quote each word so user text is matched literally, never parsed as FTS syntax."""
    words = text.split()
    return " ".join('"' + word.replace('"', '""') + '"' for word in words) or '""'


def _split_sql(script: str) -> Iterable[str]:
    # Migrations hold no semicolons inside strings or triggers, so a plain split is exact;
    # executing statement by statement keeps them inside our transaction (executescript
    # would commit first).
    for statement in script.split(";"):
        lines = [ln for ln in statement.splitlines() if not ln.strip().startswith("--")]
        if "".join(lines).strip():
            yield "\n".join(lines)


def _check_is_curator_file(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ProjectError(f"cannot read {path}: {exc.strerror}") from exc
    if header != SQLITE_MAGIC:
        raise ProjectError(f"{path} is not a curator project (not a SQLite database)")


def _task(row: Sequence[Any]) -> Task:
    return Task(id=row[0], name=row[1], schema_hash=row[2], schema_source=row[3],
                guidelines=row[4])


def _json_or_none(items: list[Any]) -> str | None:
    return _dumps(items) if items else None


def _example_row(example: Example, example_id: int, task_id: int, import_id: int | None,
                 prompt_text: str, stamp: str) -> tuple[Any, ...]:
    source = example.source
    return (
        example_id, task_id, example.kind, example.status, example.version,
        example.system, example.prompt, example.input,
        _json_or_none([m.model_dump(exclude_defaults=True) for m in example.messages]),
        _json_or_none([t.model_dump(exclude_none=True) for t in example.tools]),
        example.output,
        _json_or_none([c.model_dump(exclude_none=True) for c in example.tool_calls]),
        example.rejected,
        preview_of(prompt_text),
        _dumps(example.tags), example.note,
        source.file if source else None, source.locator if source else None,
        source.hash if source else example.content_hash(),
        import_id, _dumps(example.meta) if example.meta else None,
        stamp, stamp,
    )


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
                          hash=row["source_hash"]),
        meta=orjson.loads(row["meta"]) if row["meta"] else {},
    )


__all__ = ["Store", "STATUSES", "fts_query", "preview_of", "now"]
