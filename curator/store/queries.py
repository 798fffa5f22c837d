"""Reading: validation verdicts, full-text search, the queue, what export needs."""

from __future__ import annotations

from . import common
from .common import *  # noqa: F403  (shared names, see common.__all__)


class QueryMethods:
    """Validation verdicts, search, the queue, export reads."""

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
        stamp = common.now()
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
        stamp = common.now()
        with self.transaction():
            last = self.conn.execute("SELECT coalesce(max(id), 0) FROM revisions").fetchone()[0]
            cursor = self.conn.execute(
                "INSERT INTO revisions (example_id, version, action, annotator, created_at, "
                "before, after) SELECT e.id, e.version + 1, ?, ?, ?, "
                "json_object('status', e.status), json_object('status', ?) "
                f"{matching} ORDER BY e.id", (action, annotator, stamp, status_to, *params))
            changed = cursor.rowcount
            self.conn.execute(
                "UPDATE examples SET status = ?, version = version + 1, updated_at = ? "
                f"WHERE id IN (SELECT e.id {matching})", (status_to, stamp, *params))
            if annotator is not None:  # counted like any decision (agreement, stats)
                self.conn.execute(
                    "INSERT OR REPLACE INTO decisions (example_id, annotator, decision, "
                    "output_hash, revision_id, created_at) SELECT example_id, annotator, ?, "
                    "NULL, id, created_at FROM revisions WHERE id > ?", (action, last))
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
        return self._any_exported(task, statuses, "e.messages IS NOT NULL")

    def any_with_tool_calls(self, task: str | None, statuses: Sequence[str]) -> bool:
        return self._any_exported(task, statuses, "(e.tool_calls IS NOT NULL OR "
                                  "instr(e.messages, '\"tool_calls\"') > 0)")

    def _any_exported(self, task: str | None, statuses: Sequence[str], condition: str) -> bool:
        """Whether any example of the task with one of `statuses` meets `condition`."""
        marks = ", ".join("?" for _ in statuses)
        where, params = ("AND t.name = ?", [task]) if task else ("", [])
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM examples e JOIN tasks t ON t.id = e.task_id "
            f"WHERE e.status IN ({marks}) {where} AND {condition})",
            (*statuses, *params)).fetchone()[0] == 1

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


