"""The project store: one SQLite file (WAL) behind a small set of named methods.

All SQL lives here. Services speak to these methods only, so another backend can
stand behind the same interface later. The class is put together from parts:
`base` (opening, migrations, transactions, tasks, imports), `changes` (decisions and
edits with their revisions, claims, drafts) and `queries` (verdicts, search, the
queue, export reads); `common` holds what they share.
"""

from __future__ import annotations

from .base import StoreBase
from .changes import ChangeMethods
from .common import (EDITABLE_FIELDS, LEASE_SECONDS, STATUSES, DatabaseFailure, example_row,
                     fts_query, now, preview_of)
from .queries import QueryMethods


class Store(ChangeMethods, QueryMethods, StoreBase):
    """Wraps a `sqlite_utils.Database`; construct with `Store.open`."""


__all__ = ["Store", "STATUSES", "EDITABLE_FIELDS", "LEASE_SECONDS", "DatabaseFailure",
           "example_row", "fts_query", "now", "preview_of"]
