"""The project store: one SQLite file (WAL) behind a small set of named methods.

All SQL lives here. Services speak to these methods only, so another backend can
stand behind the same interface later.
"""

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

from . import migrations
from .errors import ConflictError, NotFoundError, ProjectError, StorageError
from .models import (STATUSES, Example, Message, Provenance, Revision, Task, Tool, ToolCall,
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
            applied = store._check_identity()  # before any pragma that writes
            store._configure()
            store._migrate(applied)
        except sqlite3.Error as exc:
            conn.close()
            raise ProjectError(_storage_message(path, exc)) from exc
        except BaseException:
            conn.close()
            raise
        return store

    def _configure(self) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.conn.execute("PRAGMA foreign_keys = ON")
        # Examples are ~1 KB rows: 4 KB pages hold three and waste a quarter of the
        # file; 16 KB pages fill to ~95%. Takes effect only on a new, empty file.
        self.conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise ProjectError(f"{self.path}: cannot switch the database to WAL mode")
        # A decision is durable once the call returns.
        self.conn.execute("PRAGMA synchronous = FULL")

    def _check_identity(self) -> set[str] | None:
        """Refuse a file that is not a curator project or that a newer curator wrote,
        reading only. Returns the applied migrations (None for a new, empty file)."""
        try:
            tables = set(self.db.table_names())
            app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{self.path} is not a curator project ({exc})") from exc
        if not tables:
            return None
        if app_id != migrations.APPLICATION_ID or "_migrations" not in tables:
            raise ProjectError(f"{self.path} is a SQLite database but not a curator project")
        applied = {row[0] for row in self.conn.execute("SELECT name FROM _migrations")}
        newer = migrations.unknown(applied)
        if newer:
            raise ProjectError(
                f"{self.path} was written by a newer curator (unknown migrations: "
                f"{', '.join(newer)}); upgrade curator to open it"
            )
        return applied

    def _migrate(self, applied: set[str] | None) -> None:
        todo = migrations.pending(applied or set())
        if not todo:
            return
        with self.transaction():
            if applied is None:
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
        """One write transaction; rolled back whole if anything inside raises. Waiting
        for another writer is bounded by the busy timeout, then retried: "database is
        locked" never reaches a user as such."""
        for attempt in range(LOCK_RETRIES):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise StorageError(_storage_message(self.path, exc)) from exc
                if attempt == LOCK_RETRIES - 1:
                    raise StorageError(
                        f"{self.path}: another curator has been writing for "
                        f"{LOCK_RETRIES * BUSY_TIMEOUT_MS // 1000} s; nothing was changed, "
                        "try again") from exc
                time.sleep(0.05 * (attempt + 1))
        try:
            yield
        except sqlite3.Error as exc:
            self._rollback()
            raise StorageError(_storage_message(self.path, exc)) from exc
        except BaseException:
            self._rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise StorageError(_storage_message(self.path, exc)) from exc

    def _leave_wal(self) -> bool:
        """Switch to a rollback journal if no one else has the project open."""
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            mode = self.conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except sqlite3.OperationalError:  # another connection is open: stay in WAL
            mode = "wal"
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return mode.lower() == "delete"

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """A large batched write (imports): a bigger page cache, NORMAL sync and no
        foreign-key lookups per row (the importer creates the task and import rows it
        points at, in the same transaction); the single commit is still atomic.

        When no one else has the project open, the write goes through a rollback
        journal instead of the WAL: new pages are then written once, not once to the
        WAL and again at the checkpoint (a third less time for a big import). The
        journal keeps the commit atomic; the project returns to WAL mode after."""
        self.conn.execute("PRAGMA cache_size = -65536")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute("PRAGMA foreign_keys = OFF")
        left_wal = self._leave_wal()
        try:
            with self.transaction():
                yield
        finally:
            if left_wal:
                self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA synchronous = FULL")
            self.conn.execute("PRAGMA cache_size = -2000")

    # -- schemas and tasks -------------------------------------------------------

    def put_schema(self, hash_: str, text: str, source: str | None, base_uri: str | None,
                   resources: str | None) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO schemas (hash, text, source, base_uri, resources, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (hash_, text, source, base_uri, resources, now()),
        )

    def get_schema(self, hash_: str) -> tuple[str, str | None, str | None]:
        """(text, base_uri, resources JSON) of a stored schema."""
        row = self.conn.execute(
            "SELECT text, base_uri, resources FROM schemas WHERE hash = ?", (hash_,)).fetchone()
        if row is None:
            raise NotFoundError(f"no schema with hash {hash_} in {self.path}")
        return row[0], row[1], row[2]

    def get_task(self, name: str) -> Task | None:
        row = self.conn.execute(
            "SELECT id, name, schema_hash, schema_source, guidelines, overlap FROM tasks "
            "WHERE name = ?",
            (name,),
        ).fetchone()
        return _task(row) if row else None

    def list_tasks(self) -> list[Task]:
        rows = self.conn.execute(
            "SELECT id, name, schema_hash, schema_source, guidelines, overlap FROM tasks "
            "ORDER BY name"
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
                      rejected: int, layout: str) -> None:
        if added:
            self.conn.execute("UPDATE counters SET value = value + 1 WHERE name = 'changes'")
        self.conn.execute(
            "UPDATE imports SET rows_read = ?, rows_added = ?, rows_duplicate = ?, "
            "rows_rejected = ?, layout = ? WHERE id = ?",
            (read, added, duplicate, rejected, layout, import_id),
        )

    def insert_example_rows(self, rows: Sequence[tuple[Any, ...]]) -> int:
        """Insert rows made by `example_row`; a row whose content is already in its task
        is skipped. Returns how many were inserted. The search index catches up later
        (`sync_search`): indexing costs more than the insert itself."""
        before = self.conn.total_changes
        self.conn.executemany(_INSERT_EXAMPLE, rows)
        return self.conn.total_changes - before

    # -- changes: every one is a transaction with its revision row ----------------------

    def change_example(self, example_id: int, changes: dict[str, Any], *, action: str,
                       annotator: str | None, reason: str | None = None,
                       expected_version: int | None = None,
                       decision: tuple[str, str] | None = None) -> Revision | None:
        """Set some of EDITABLE_FIELDS, bump the version and append the revision, in one
        committed transaction. Refused when `expected_version` is stale. Returns the
        revision, or None when nothing would change.

        `decision` is (decision, status it means): it is recorded as the annotator's
        decision (always with a revision). When the example's task needs several
        independent decisions (overlap), the status is set only once that many agree;
        until then, or when they disagree, it stays as it is (the adjudication queue
        lists disagreements). The action "adjudicate" sets the status regardless."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        with self.transaction():
            if decision is not None and action != "adjudicate":
                changes = self._status_by_overlap(example_id, annotator, decision, changes)
            row = self.conn.execute(
                f"SELECT version, {', '.join(EDITABLE_FIELDS)} FROM examples WHERE id = ?",
                (example_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no example with id {example_id} in {self.path}")
            version = row[0]
            if expected_version is not None and version != expected_version:
                raise ConflictError(
                    f"example {example_id} is at version {version}, not {expected_version}: "
                    "someone changed it meanwhile; reload it and decide again")
            current = {name: _decode_field(name, value)
                       for name, value in zip(EDITABLE_FIELDS, row[1:])}
            after = {k: v for k, v in changes.items() if current[k] != v}
            if not after and (decision is None or self._same_decision(
                    example_id, annotator, decision[0])):
                return None
            before = {k: current[k] for k in after}
            if "output" in after:
                self._unindex(example_id)
            stamp = now()
            sets = "".join(f"{name} = ?, " for name in after)
            self.conn.execute(
                f"UPDATE examples SET {sets}version = ?, updated_at = ? WHERE id = ?",
                (*(_encode_field(k, v) for k, v in after.items()), version + 1, stamp,
                 example_id))
            if "output" in after:
                self._reindex(example_id)
            if "status" in after or decision is not None:  # a decision ends the claim
                self.conn.execute("DELETE FROM claims WHERE example_id = ?", (example_id,))
            cursor = self.conn.execute(
                "INSERT INTO revisions (example_id, version, action, annotator, created_at, "
                "before, after, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (example_id, version + 1, action, annotator, stamp, _dumps(before),
                 _dumps(after), reason))
            if decision is not None and annotator is not None:
                submitted = changes.get("output", changes.get("tool_calls"))
                self.conn.execute(
                    "INSERT OR REPLACE INTO decisions (example_id, annotator, decision, "
                    "output_hash, revision_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (example_id, annotator, decision[0], None if submitted is None else
                     hashlib.sha256(_dumps(submitted).encode()).hexdigest()[:32],
                     cursor.lastrowid, stamp))
        return Revision(id=cursor.lastrowid, example_id=example_id, version=version + 1,
                        action=action, annotator=annotator, created_at=stamp, before=before,
                        after=after, reason=reason)

    def _same_decision(self, example_id: int, annotator: str | None, decision: str) -> bool:
        row = self.conn.execute(
            "SELECT decision FROM decisions WHERE example_id = ? AND annotator IS ?",
            (example_id, annotator)).fetchone()
        return row is not None and row[0] == decision

    def _status_by_overlap(self, example_id: int, annotator: str | None,
                           decision: tuple[str, str], changes: dict[str, Any]) -> dict[str, Any]:
        row = self.conn.execute(
            "SELECT t.overlap FROM examples e JOIN tasks t ON t.id = e.task_id WHERE e.id = ?",
            (example_id,)).fetchone()
        if row is None or row[0] <= 1:
            return changes
        others = self.conn.execute(
            "SELECT decision FROM decisions WHERE example_id = ? AND annotator IS NOT ?",
            (example_id, annotator)).fetchall()
        votes = [d for (d,) in others] + [decision[0]]
        changes = {k: v for k, v in changes.items() if k != "status"}
        if len(votes) >= row[0] and len(set(votes)) == 1:
            changes["status"] = decision[1]
        return changes

    def set_overlap(self, task: Task, overlap: int) -> Task:
        return self.update_task(task, overlap=overlap)

    def decisions(self, task: str | None = None) -> list[tuple[int, str, str, str | None]]:
        """(example id, annotator, decision, hash of the output they submitted)."""
        where, params = ("WHERE t.name = ?", [task]) if task else ("", [])
        return self.conn.execute(
            "SELECT d.example_id, d.annotator, d.decision, d.output_hash FROM decisions d "
            "JOIN examples e ON e.id = d.example_id JOIN tasks t ON t.id = e.task_id "
            f"{where} ORDER BY d.example_id, d.annotator", params).fetchall()

    def annotator_stats(self) -> list[tuple[str, int, int, str, str]]:
        """(annotator, decisions, corrections, first, last) from the audit log."""
        return self.conn.execute(
            "SELECT annotator, sum(action IN ('approve', 'reject', 'skip', 'flag', "
            "'adjudicate')), sum(json_type(after, '$.output') IS NOT NULL OR "
            "json_type(after, '$.tool_calls') IS NOT NULL), min(created_at), max(created_at) "
            "FROM revisions WHERE annotator IS NOT NULL GROUP BY annotator "
            "ORDER BY annotator").fetchall()

    # -- claims: one annotator per example while the lease lasts ---------------------

    def claim_next(self, annotator: str, *, task: str | None = None,
                   status: str = "pending", lease: float = LEASE_SECONDS) -> int | None:
        """Claim the first example in id order that matches and that nobody else holds
        (an annotator's own live claim comes first). None when none is left."""
        stamp = time.time()
        where, params = ("AND t.name = ?", [task]) if task else ("", [])
        with self.transaction():
            self.conn.execute("DELETE FROM claims WHERE expires_at < ?", (stamp,))
            row = self.conn.execute(
                "SELECT e.id FROM claims c JOIN examples e ON e.id = c.example_id "
                "JOIN tasks t ON t.id = e.task_id "
                f"WHERE c.annotator = ? AND e.status = ? {where} ORDER BY e.id LIMIT 1",
                (annotator, status, *params)).fetchone()
            if row is None:
                row = self.conn.execute(
                    "SELECT e.id FROM examples e JOIN tasks t ON t.id = e.task_id "
                    f"WHERE e.status = ? {where} AND NOT EXISTS "
                    "(SELECT 1 FROM claims c WHERE c.example_id = e.id) AND NOT EXISTS "
                    "(SELECT 1 FROM decisions d WHERE d.example_id = e.id AND d.annotator = ?) "
                    "ORDER BY e.id LIMIT 1", (status, *params, annotator)).fetchone()
            if row is None:
                return None
            self.conn.execute(
                "INSERT OR REPLACE INTO claims (example_id, annotator, expires_at) "
                "VALUES (?, ?, ?)", (row[0], annotator, stamp + lease))
        return int(row[0])

    def claim(self, example_id: int, annotator: str, *,
              lease: float = LEASE_SECONDS) -> str | None:
        """Claim (or renew) one example. Returns who else holds it, or None if it is
        now ours."""
        stamp = time.time()
        with self.transaction():
            if self.conn.execute("SELECT 1 FROM examples WHERE id = ?",
                                 (example_id,)).fetchone() is None:
                raise NotFoundError(f"no example with id {example_id} in {self.path}")
            row = self.conn.execute(
                "SELECT annotator FROM claims WHERE example_id = ? AND expires_at >= ?",
                (example_id, stamp)).fetchone()
            if row is not None and row[0] != annotator:
                return str(row[0])
            self.conn.execute(
                "INSERT OR REPLACE INTO claims (example_id, annotator, expires_at) "
                "VALUES (?, ?, ?)", (example_id, annotator, stamp + lease))
        return None

    def release(self, example_id: int, annotator: str) -> None:
        with self.transaction():
            self.conn.execute("DELETE FROM claims WHERE example_id = ? AND annotator = ?",
                              (example_id, annotator))

    def get_revision(self, revision_id: int) -> Revision:
        row = self.conn.execute(
            "SELECT id, example_id, version, action, annotator, created_at, before, after, "
            "reason FROM revisions WHERE id = ?", (revision_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no revision {revision_id} in {self.path}")
        return _revision(row)

    def annotator_activity(self, annotator: str | None, since: str) -> int:
        """How many decisions and edits `annotator` made since the ISO time `since`."""
        return int(self.conn.execute(
            "SELECT count(*) FROM revisions WHERE annotator IS ? AND created_at >= ?",
            (annotator, since)).fetchone()[0])

    # -- drafts --------------------------------------------------------------------

    def save_draft(self, example_id: int, annotator: str, field: str, text: str,
                   base_version: int) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO drafts (example_id, annotator, field, text, "
                "base_version, saved_at) VALUES (?, ?, ?, ?, ?, ?)",
                (example_id, annotator, field, text, base_version, now()))

    def get_draft(self, example_id: int, annotator: str, field: str) -> tuple[str, int] | None:
        """(text, version it was typed against), or None."""
        return self.conn.execute(
            "SELECT text, base_version FROM drafts WHERE example_id = ? AND annotator = ? "
            "AND field = ?", (example_id, annotator, field)).fetchone()

    def delete_draft(self, example_id: int, annotator: str, field: str | None = None) -> None:
        with self.transaction():
            self.conn.execute(
                "DELETE FROM drafts WHERE example_id = ? AND annotator = ? "
                "AND (? IS NULL OR field = ?)", (example_id, annotator, field, field))

    # -- validation ---------------------------------------------------------------

    def stale_for_validation(self, *, task: str | None = None, status: str | None = None,
                             after_id: int = 0, limit: int = 5000) -> list[tuple[Any, ...]]:
        """Examples whose stored verdict is missing or out of date (the example changed
        version, or its task's schema changed), in id order after `after_id`. Rows:
        (id, task_id, version, schema_hash, kind, output, tool_calls, messages, tools,
        rejected)."""
        where, params = self._filters(task, status)
        return self.conn.execute(
            "SELECT e.id, e.task_id, e.version, t.schema_hash, e.kind, e.output, "
            "e.tool_calls, e.messages, e.tools, e.rejected FROM examples e "
            "JOIN tasks t ON t.id = e.task_id "
            "LEFT JOIN validations v ON v.example_id = e.id "
            f"WHERE e.id > ? {where} AND (v.example_id IS NULL OR v.version != e.version "
            "OR v.schema_hash IS NOT t.schema_hash) ORDER BY e.id LIMIT ?",
            (after_id, *params, limit)).fetchall()

    def changes_counter(self) -> tuple[int, int]:
        """(changes so far, changes as of the last full validation)."""
        values = dict(self.conn.execute("SELECT name, value FROM counters"))
        return values["changes"], values["validated_at"]

    def mark_validated(self, at_changes: int) -> None:
        """Every verdict was current when the counter stood at `at_changes`."""
        with self.transaction():
            self.conn.execute("UPDATE counters SET value = ? WHERE name = 'validated_at'",
                              (at_changes,))

    def save_validations(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Rows of (example_id, task_id, version, schema_hash, valid, not_json, errors)."""
        stamp = now()
        with self.transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO validations (example_id, task_id, version, schema_hash, "
                "valid, not_json, errors, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(*row, stamp) for row in rows])

    def validation_counts(self, *, task: str | None = None,
                          status: str | None = None) -> list[tuple[str, int, int, int]]:
        """(task, total, valid, not_json) over examples with a stored verdict."""
        names = {t.id: t.name for t in self.list_tasks()}
        if status is None:  # the narrow validations table alone
            where, params = ("WHERE v.task_id = ?", [self._task_id(task)]) if task else ("", [])
            rows = self.conn.execute(
                "SELECT v.task_id, count(*), sum(v.valid), sum(v.not_json) FROM validations v "
                f"{where} GROUP BY v.task_id", params).fetchall()
        else:
            where, params = self._filters(task, status)
            rows = self.conn.execute(
                "SELECT v.task_id, count(*), sum(v.valid), sum(v.not_json) FROM validations v "
                "JOIN examples e ON e.id = v.example_id JOIN tasks t ON t.id = v.task_id "
                f"WHERE 1 {where} GROUP BY v.task_id", params).fetchall()
        return sorted((names[tid], total, valid, not_json) for tid, total, valid, not_json in rows)

    def validation_failures(self, *, task: str | None = None,
                            status: str | None = None) -> Iterator[tuple[int, str, str]]:
        """(example id, task, errors JSON) of every invalid example, in id order."""
        names = {t.id: t.name for t in self.list_tasks()}
        if status is None:
            where, params = ("AND v.task_id = ?", [self._task_id(task)]) if task else ("", [])
            rows = self.conn.execute(
                "SELECT v.example_id, v.task_id, v.errors FROM validations v "
                f"WHERE v.valid = 0 {where} ORDER BY v.example_id", params)
        else:
            where, params = self._filters(task, status)
            rows = self.conn.execute(
                "SELECT v.example_id, v.task_id, v.errors FROM validations v "
                "JOIN examples e ON e.id = v.example_id JOIN tasks t ON t.id = v.task_id "
                f"WHERE v.valid = 0 {where} ORDER BY v.example_id", params)
        for example_id, task_id, errors in rows:
            yield example_id, names[task_id], errors

    def cached_groups(self, scope: str) -> str | None:
        """The error groups stored for `scope` if nothing changed since (JSON)."""
        row = self.conn.execute(
            "SELECT c.groups FROM report_cache c JOIN counters n ON n.name = 'changes' "
            "WHERE c.scope = ? AND c.changes = n.value", (scope,)).fetchone()
        return row[0] if row else None

    def cache_groups(self, scope: str, groups: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO report_cache (scope, changes, groups) "
                "SELECT ?, value, ? FROM counters WHERE name = 'changes'", (scope, groups))

    def _task_id(self, name: str) -> int:
        task = self.get_task(name)
        return task.id if task else -1

    def get_validation(self, example_id: int) -> tuple[int, int, int, str | None] | None:
        """(version, valid, not_json, errors JSON) as last stored, or None."""
        return self.conn.execute(
            "SELECT version, valid, not_json, errors FROM validations WHERE example_id = ?",
            (example_id,)).fetchone()

    @staticmethod
    def _filters(task: str | None, status: str | None) -> tuple[str, list[Any]]:
        where, params = "", []
        if task:
            where += " AND t.name = ?"
            params.append(task)
        if status:
            where += " AND e.status = ?"
            params.append(status)
        return where, params

    # -- full-text search ----------------------------------------------------------

    def search_backlog(self) -> int:
        """How many examples the search index has not seen yet."""
        through = self._indexed_through()
        return int(self.conn.execute(
            "SELECT count(*) FROM examples WHERE id > ?", (through,)).fetchone()[0])

    def sync_search(self, progress: Callable[[int, int], None] | None = None,
                    batch: int = 20_000) -> int:
        """Index every example added since the last sync, in batches that each commit
        (an interrupted sync loses nothing and resumes). Returns how many were indexed."""
        total, done = self.search_backlog(), 0
        while done < total:
            with self.transaction():
                through = self._indexed_through()
                upto = self.conn.execute(
                    "SELECT max(id) FROM (SELECT id FROM examples WHERE id > ? ORDER BY id "
                    "LIMIT ?)", (through, batch)).fetchone()[0]
                if upto is None:
                    break
                self.conn.execute(
                    f"INSERT INTO examples_fts (rowid, prompt_text, output) "
                    f"SELECT e.id, {PROMPT_TEXT_SQL}, e.output FROM examples e "
                    f"WHERE e.id > ? AND e.id <= ?", (through, upto))
                count = self.conn.execute(
                    "SELECT count(*) FROM examples WHERE id > ? AND id <= ?",
                    (through, upto)).fetchone()[0]
                self.conn.execute("UPDATE search_state SET indexed_through = ?", (upto,))
            done += count
            if progress:
                progress(done, total)
        return done

    def _indexed_through(self) -> int:
        return int(self.conn.execute("SELECT indexed_through FROM search_state").fetchone()[0])

    def _unindex(self, example_id: int) -> None:
        """Drop an example's search entry before its output changes (contentless FTS
        needs the indexed text to delete it); call `_reindex` after the change."""
        if example_id <= self._indexed_through():
            self.conn.execute(
                f"INSERT INTO examples_fts (examples_fts, rowid, prompt_text, output) "
                f"SELECT 'delete', e.id, {PROMPT_TEXT_SQL}, e.output FROM examples e "
                f"WHERE e.id = ?", (example_id,))

    def _reindex(self, example_id: int) -> None:
        if example_id <= self._indexed_through():
            self.conn.execute(
                f"INSERT INTO examples_fts (rowid, prompt_text, output) "
                f"SELECT e.id, {PROMPT_TEXT_SQL}, e.output FROM examples e WHERE e.id = ?",
                (example_id,))

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
                      search: str | None = None, valid: str | None = None,
                      tag: str | None = None, disagreements: bool = False,
                      free_for: str | None = None, after_id: int = 0,
                      before_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """A page of the queue in id order: the `limit` examples after `after_id`, or
        with `before_id` the `limit` just before it (keyset pagination both ways, so a
        page costs the same at row 10 and at row 900,000). `valid` is "valid",
        "invalid" or "unchecked" (no current verdict)."""
        where = ["e.id < ?" if before_id is not None else "e.id > ?"]
        params: list[Any] = [before_id if before_id is not None else after_id]
        more, more_params = self._queue_filter(status=status, task=task, search=search,
                                               valid=valid, tag=tag,
                                               disagreements=disagreements, free_for=free_for)
        where += more
        params += more_params
        current = _CURRENT_VERDICT
        order = "DESC" if before_id is not None else "ASC"
        sql = (
            f"SELECT e.id, t.name, e.kind, e.status, e.version, {PREVIEW_SQL}, e.tags, "
            f"CASE WHEN {current} THEN v.valid END "
            "FROM examples e JOIN tasks t ON t.id = e.task_id "
            "LEFT JOIN validations v ON v.example_id = e.id "
            f"WHERE {' AND '.join(where)} ORDER BY e.id {order} LIMIT ?"
        )
        params.append(limit)
        try:
            rows = self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            raise StorageError(f"search failed: {exc}") from exc
        if before_id is not None:
            rows.reverse()
        return [
            {"id": r[0], "task": r[1], "kind": r[2], "status": r[3], "version": r[4],
             "preview": preview_of(r[5] or ""), "tags": orjson.loads(r[6]),
             "valid": None if r[7] is None else bool(r[7])}
            for r in rows
        ]

    def _queue_filter(self, *, status: str | None = None, task: str | None = None,
                      search: str | None = None, valid: str | None = None,
                      tag: str | None = None, disagreements: bool = False,
                      free_for: str | None = None) -> tuple[list[str], list[Any]]:
        """WHERE terms over `examples e JOIN tasks t LEFT JOIN validations v`."""
        where: list[str] = []
        params: list[Any] = []
        if status:
            where.append("e.status = ?")
            params.append(status)
        if task:
            where.append("t.name = ?")
            params.append(task)
        if tag:
            where.append("EXISTS (SELECT 1 FROM json_each(e.tags) WHERE value = ?)")
            params.append(tag)
        if valid == "valid":
            where.append(f"v.valid = 1 AND {_CURRENT_VERDICT}")
        elif valid == "invalid":
            where.append(f"v.valid = 0 AND {_CURRENT_VERDICT}")
        elif valid == "unchecked":
            where.append(f"NOT coalesce({_CURRENT_VERDICT}, 0)")
        elif valid is not None:
            raise ValueError(f"unknown validity filter {valid!r}")
        if search:
            self.sync_search()
            where.append("e.id IN (SELECT rowid FROM examples_fts WHERE examples_fts MATCH ?)")
            params.append(fts_query(search))
        if disagreements:
            where.append("e.status = 'pending' AND (SELECT count(DISTINCT d.decision) FROM "
                         "decisions d WHERE d.example_id = e.id) > 1")
        if free_for:  # not held by anyone else's live claim, nor decided by them already
            where.append("NOT EXISTS (SELECT 1 FROM claims c WHERE c.example_id = e.id "
                         "AND c.annotator != ? AND c.expires_at >= ?)")
            where.append("(t.overlap = 1 OR e.status != 'pending' OR NOT EXISTS (SELECT 1 "
                         "FROM decisions d WHERE d.example_id = e.id AND d.annotator = ?))")
            params += [free_for, time.time(), free_for]
        return where, params

    def set_status_where(self, status_to: str, *, action: str, annotator: str | None,
                         **filters: Any) -> int:
        """Give every example matching `filters` (see `_queue_filter`) the status
        `status_to`, in one transaction, each with its own revision row. Returns how
        many changed (examples already at that status are left alone)."""
        where, params = self._queue_filter(**filters)
        where.append("e.status != ?")
        params.append(status_to)
        matching = ("FROM examples e JOIN tasks t ON t.id = e.task_id "
                    f"LEFT JOIN validations v ON v.example_id = e.id WHERE {' AND '.join(where)}")
        stamp = now()
        with self.transaction():
            cursor = self.conn.execute(
                "INSERT INTO revisions (example_id, version, action, annotator, created_at, "
                "before, after) SELECT e.id, e.version + 1, ?, ?, ?, "
                "json_object('status', e.status), json_object('status', ?) "
                f"{matching} ORDER BY e.id", (action, annotator, stamp, status_to, *params))
            changed = cursor.rowcount
            self.conn.execute(
                "UPDATE examples SET status = ?, version = version + 1, updated_at = ? "
                f"WHERE id IN (SELECT e.id {matching})", (status_to, stamp, *params))
        return changed

    def get_example(self, example_id: int) -> Example:
        row = self.conn.execute(
            f"SELECT {', '.join('e.' + c for c in EXAMPLE_COLUMNS)}, t.name, i.path "
            "FROM examples e JOIN tasks t ON t.id = e.task_id "
            "LEFT JOIN imports i ON i.id = e.import_id WHERE e.id = ?",
            (example_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no example with id {example_id} in {self.path}")
        return _example_from_row(dict(zip((*EXAMPLE_COLUMNS, "task", "source_file"), row)))

    # -- export ----------------------------------------------------------------------

    def status_counts(self, task: str | None = None) -> dict[str, int]:
        where, params = ("WHERE t.name = ?", [task]) if task else ("", [])
        return dict(self.conn.execute(
            "SELECT e.status, count(*) FROM examples e JOIN tasks t ON t.id = e.task_id "
            f"{where} GROUP BY e.status", params).fetchall())

    def any_with_messages(self, task: str | None, statuses: Sequence[str]) -> bool:
        marks = ", ".join("?" for _ in statuses)
        where, params = ("AND t.name = ?", [task]) if task else ("", [])
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM examples e JOIN tasks t ON t.id = e.task_id "
            f"WHERE e.status IN ({marks}) {where} AND e.messages IS NOT NULL)",
            (*statuses, *params)).fetchone()[0] == 1

    def any_with_tool_calls(self, task: str | None, statuses: Sequence[str]) -> bool:
        marks = ", ".join("?" for _ in statuses)
        where, params = ("AND t.name = ?", [task]) if task else ("", [])
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM examples e JOIN tasks t ON t.id = e.task_id "
            f"WHERE e.status IN ({marks}) {where} AND (e.tool_calls IS NOT NULL OR "
            "instr(e.messages, '\"tool_calls\"') > 0))", (*statuses, *params)).fetchone()[0] == 1

    def examples_for_export(self, *, task: str | None, statuses: Sequence[str],
                            after_id: int = 0, limit: int = 2000) -> list[dict[str, Any]]:
        """A batch of examples in id order, each with its current verdict (valid: None
        when it has none), its latest revision and who made it, and the output as
        first imported when an annotator changed it."""
        marks = ", ".join("?" for _ in statuses)
        where, params = ("AND t.name = ?", [task]) if task else ("", [])
        rows = self.conn.execute(
            f"SELECT {', '.join('e.' + c for c in EXAMPLE_COLUMNS)}, t.name, i.path, "
            f"CASE WHEN {_CURRENT_VERDICT} THEN v.valid END "
            "FROM examples e JOIN tasks t ON t.id = e.task_id "
            "LEFT JOIN imports i ON i.id = e.import_id "
            "LEFT JOIN validations v ON v.example_id = e.id "
            f"WHERE e.id > ? AND e.status IN ({marks}) {where} ORDER BY e.id LIMIT ?",
            (after_id, *statuses, *params, limit)).fetchall()
        if not rows:
            return []
        ids = [r[0] for r in rows]
        id_marks = ", ".join("?" for _ in ids)
        latest = {example_id: (rev_id, annotator) for example_id, rev_id, annotator in
                  self.conn.execute(
                      "SELECT example_id, id, annotator FROM revisions WHERE id IN ("
                      "SELECT max(id) FROM revisions WHERE example_id IN "
                      f"({id_marks}) GROUP BY example_id)", ids)}
        originals: dict[int, str] = {}
        for example_id, before in self.conn.execute(
                "SELECT example_id, before FROM revisions WHERE example_id IN "
                f"({id_marks}) AND json_type(before, '$.output') IS NOT NULL ORDER BY id",
                ids):
            originals.setdefault(example_id, orjson.loads(before)["output"])
        names = (*EXAMPLE_COLUMNS, "task", "source_file")
        result = []
        for row in rows:
            example = _example_from_row(dict(zip(names, row[:-1])))
            revision_id, annotator = latest.get(example.id, (None, None))
            result.append({"example": example, "valid": None if row[-1] is None
                           else bool(row[-1]), "revision_id": revision_id,
                           "annotator": annotator, "original": originals.get(example.id)})
        return result

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (so that the file alone is the project)."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def revisions(self, example_id: int) -> list[Revision]:
        rows = self.conn.execute(
            "SELECT id, example_id, version, action, annotator, created_at, before, after, "
            "reason FROM revisions WHERE example_id = ? ORDER BY id",
            (example_id,),
        )
        return [_revision(r) for r in rows]

    def imports(self) -> list[dict[str, Any]]:
        cursor = self.conn.execute(
            "SELECT i.id, i.path, i.layout, t.name, i.rows_read, i.rows_added, "
            "i.rows_duplicate, i.rows_rejected, i.created_at "
            "FROM imports i JOIN tasks t ON t.id = i.task_id ORDER BY i.id"
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]


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

__all__ = ["Store", "STATUSES", "fts_query", "preview_of", "now", "DatabaseFailure"]
