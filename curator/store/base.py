"""The store's foundation: opening a project, migrating it, transactions, tasks, imports."""

from __future__ import annotations

from . import common
from .common import *  # noqa: F403  (shared names, see common.__all__)


class StoreBase:
    """Opening, migrations, transactions, tasks, schemas and imports."""

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
        self.conn.execute(f"PRAGMA busy_timeout = {common.BUSY_TIMEOUT_MS}")
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
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (name, common.now())
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
        for attempt in range(common.LOCK_RETRIES):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise StorageError(_storage_message(self.path, exc)) from exc
                if attempt == common.LOCK_RETRIES - 1:
                    raise StorageError(
                        f"{self.path}: another curator has been writing for "
                        f"{common.LOCK_RETRIES * common.BUSY_TIMEOUT_MS // 1000} s; nothing was changed, "
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
            self.conn.execute(f"PRAGMA busy_timeout = {common.BUSY_TIMEOUT_MS}")
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
            (hash_, text, source, base_uri, resources, common.now()),
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
        stamp = common.now()
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
            (*changes.values(), common.now(), task.id),
        )
        self._task_event(task.id, "update", before, changes)
        return task.model_copy(update=changes)

    def _task_event(self, task_id: int | None, action: str, before: dict, after: dict) -> None:
        self.conn.execute(
            "INSERT INTO task_events (task_id, action, before, after, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (task_id, action, _dumps(before), _dumps(after), common.now()),
        )

    # -- imports -----------------------------------------------------------------

    def start_import(self, path: str, file_hash: str | None, layout: str, task_id: int) -> int:
        cursor = self.conn.execute(
            "INSERT INTO imports (path, file_hash, layout, task_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (path, file_hash, layout, task_id, common.now()),
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

