"""Named schema migrations. Each runs once, in order, inside one transaction, and is
recorded in `_migrations`. Never edit a migration that has shipped: add a new one."""

from __future__ import annotations

# PRAGMA application_id marks a SQLite file as a curator project ("CURA").
APPLICATION_ID = 0x43555241

MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_initial",
        """
        CREATE TABLE schemas (
            hash TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            source TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            schema_hash TEXT REFERENCES schemas(hash),
            schema_source TEXT,
            guidelines TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            file_hash TEXT,
            layout TEXT NOT NULL,
            task_id INTEGER NOT NULL REFERENCES tasks(id),
            rows_read INTEGER NOT NULL DEFAULT 0,
            rows_added INTEGER NOT NULL DEFAULT 0,
            rows_duplicate INTEGER NOT NULL DEFAULT 0,
            rows_rejected INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE TABLE examples (
            id INTEGER PRIMARY KEY,
            task_id INTEGER NOT NULL REFERENCES tasks(id),
            kind TEXT NOT NULL CHECK (kind IN ('pair', 'chat', 'preference')),
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'rejected', 'skipped', 'flagged')),
            version INTEGER NOT NULL DEFAULT 1,
            system TEXT,
            prompt TEXT,
            input TEXT,
            messages TEXT,
            tools TEXT,
            output TEXT NOT NULL,
            tool_calls TEXT,
            rejected TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            note TEXT,
            source_locator TEXT,
            source_hash BLOB NOT NULL,  -- 16 bytes: half an index of hex text
            import_id INTEGER REFERENCES imports(id),
            meta TEXT,
            -- NULL for an imported example until it first changes: its import's
            -- created_at says when it arrived (and an import writes 2 columns less).
            created_at TEXT,
            updated_at TEXT
        );
        CREATE UNIQUE INDEX examples_task_source_hash ON examples (task_id, source_hash);
        CREATE INDEX examples_status ON examples (status, id);
        CREATE INDEX examples_task_status ON examples (task_id, status, id);
        CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            example_id INTEGER NOT NULL REFERENCES examples(id),
            version INTEGER NOT NULL,
            action TEXT NOT NULL,
            annotator TEXT,
            created_at TEXT NOT NULL,
            before TEXT NOT NULL DEFAULT '{}',
            after TEXT NOT NULL DEFAULT '{}',
            reason TEXT
        );
        CREATE INDEX revisions_example ON revisions (example_id, id);
        -- Contentless: the searchable text (prompt and chat transcript) is derived,
        -- so it is indexed without being stored twice. The store keeps it in step.
        CREATE VIRTUAL TABLE examples_fts USING fts5 (prompt_text, output, content='');
        -- Examples with id <= indexed_through are in examples_fts (see Store.sync_search).
        CREATE TABLE search_state (indexed_through INTEGER NOT NULL);
        INSERT INTO search_state (indexed_through) VALUES (0);
        """,
    ),
    (
        "002_task_events",
        """
        -- Task-level changes (schema set or changed, guidelines) for the audit trail.
        CREATE TABLE task_events (
            id INTEGER PRIMARY KEY,
            task_id INTEGER NOT NULL REFERENCES tasks(id),
            action TEXT NOT NULL,
            before TEXT NOT NULL DEFAULT '{}',
            after TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL
        );
        CREATE INDEX task_events_task ON task_events (task_id, id);
        """,
    ),
    (
        "003_validations",
        """
        -- A schema's base URI and the local files its $refs reach ({uri: schema}).
        ALTER TABLE schemas ADD COLUMN base_uri TEXT;
        ALTER TABLE schemas ADD COLUMN resources TEXT;
        -- The latest verdict per example, valid while the example's version and the
        -- task's schema hash are the ones it was checked against.
        CREATE TABLE validations (
            example_id INTEGER PRIMARY KEY REFERENCES examples(id),
            task_id INTEGER NOT NULL REFERENCES tasks(id),  -- reports need no join
            version INTEGER NOT NULL,
            schema_hash TEXT,
            valid INTEGER NOT NULL,
            not_json INTEGER NOT NULL,
            errors TEXT,
            checked_at TEXT NOT NULL
        );
        CREATE INDEX validations_valid ON validations (valid, example_id);
        CREATE INDEX validations_task ON validations (task_id, valid);
        -- Bumped on every change that can make a verdict stale (triggers below; an
        -- import bumps it in code, once). A validation that finds it unchanged since
        -- the last full run skips the scan for stale verdicts.
        CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT INTO counters (name, value) VALUES ('changes', 0), ('validated_at', -1);
        -- The most common errors of a report scope, kept while the counter stands still.
        CREATE TABLE report_cache (scope TEXT PRIMARY KEY, changes INTEGER NOT NULL,
                                   groups TEXT NOT NULL);
        CREATE TRIGGER examples_changed AFTER UPDATE OF version ON examples
        BEGIN UPDATE counters SET value = value + 1 WHERE name = 'changes'; END;
        CREATE TRIGGER examples_removed AFTER DELETE ON examples
        BEGIN UPDATE counters SET value = value + 1 WHERE name = 'changes'; END;
        CREATE TRIGGER task_schema_changed AFTER UPDATE OF schema_hash ON tasks
        BEGIN UPDATE counters SET value = value + 1 WHERE name = 'changes'; END;
        """,
    ),
    (
        "004_drafts",
        """
        -- Text typed in the editor, saved every few seconds, until it is committed.
        CREATE TABLE drafts (
            example_id INTEGER NOT NULL REFERENCES examples(id),
            annotator TEXT NOT NULL,
            field TEXT NOT NULL,
            text TEXT NOT NULL,
            base_version INTEGER NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (example_id, annotator, field)
        );
        CREATE INDEX revisions_annotator ON revisions (annotator, id);
        """,
    ),
    (
        "005_claims",
        """
        -- Who is working on which example, until when (unix time). A decision drops
        -- the claim; an abandoned one expires and the example returns to the queue.
        CREATE TABLE claims (
            example_id INTEGER PRIMARY KEY REFERENCES examples(id),
            annotator TEXT NOT NULL,
            expires_at REAL NOT NULL
        );
        CREATE INDEX claims_annotator ON claims (annotator);
        """,
    ),
    (
        "006_overlap",
        """
        -- How many independent decisions an example of the task needs.
        ALTER TABLE tasks ADD COLUMN overlap INTEGER NOT NULL DEFAULT 1;
        -- Each annotator's latest decision on an example (agreement is computed from
        -- these); output_hash: the output they submitted with it, if they changed it.
        CREATE TABLE decisions (
            example_id INTEGER NOT NULL REFERENCES examples(id),
            annotator TEXT NOT NULL,
            decision TEXT NOT NULL,
            output_hash TEXT,
            revision_id INTEGER NOT NULL REFERENCES revisions(id),
            created_at TEXT NOT NULL,
            PRIMARY KEY (example_id, annotator)
        );
        """,
    ),
]

MIGRATION_NAMES = [name for name, _ in MIGRATIONS]


def pending(applied: set[str]) -> list[tuple[str, str]]:
    return [(name, sql) for name, sql in MIGRATIONS if name not in applied]


def unknown(applied: set[str]) -> list[str]:
    """Migrations in the file that this curator does not know: a newer curator made it."""
    return sorted(applied - set(MIGRATION_NAMES))

