"""Changing examples: decisions and edits with their revisions, claims, drafts."""

from __future__ import annotations

from . import common
from .common import *  # noqa: F403  (shared names, see common.__all__)


class ChangeMethods:
    """Changes to examples (each a transaction with its revision), decisions, claims,
    drafts."""

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
            stamp = common.now()
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
                (example_id, annotator, field, text, base_version, common.now()))

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

