"""The project store: creation, migrations, refusing foreign or newer files, search."""

from __future__ import annotations

import sqlite3

import pytest

from curator import migrations
from curator.errors import NotFoundError, ProjectError
from curator.ingest import import_files
from curator.store import Store, fts_query
from tests.conftest import SAMPLE_DATA


def _digest(path):
    return path.read_bytes() if path.exists() else None


def test_new_project_runs_every_migration_and_is_marked(project):
    with Store.open(project, create=True) as store:
        assert store.applied_migrations() == migrations.MIGRATION_NAMES
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        app_id = store.conn.execute("PRAGMA application_id").fetchone()[0]
        assert app_id == migrations.APPLICATION_ID


def test_reopening_applies_nothing_twice(project):
    Store.open(project, create=True).close()
    with Store.open(project) as store:
        rows = store.conn.execute("SELECT count(*) FROM _migrations").fetchone()[0]
        assert rows == len(migrations.MIGRATIONS)


def test_missing_project_is_an_error_without_create(project):
    with pytest.raises(ProjectError, match="no project at"):
        Store.open(project)
    assert not project.exists()


def test_a_text_file_is_not_a_project_and_is_left_alone(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, not a database\n")
    with pytest.raises(ProjectError, match="not a curator project"):
        Store.open(path, create=True)
    assert path.read_text() == "hello, not a database\n"


def test_another_sqlite_database_is_refused_unchanged(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO users (name) VALUES ('ada')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="SQLite database but not a curator project"):
        Store.open(path, create=True)
    assert path.read_bytes() == before
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("users",)]


def test_a_file_from_a_newer_curator_is_refused_unchanged(project):
    Store.open(project, create=True).close()
    conn = sqlite3.connect(project)
    conn.execute("INSERT INTO _migrations (name, applied_at) VALUES ('999_from_the_future', 'x')")
    conn.commit()
    conn.close()
    before = project.read_bytes()
    with pytest.raises(ProjectError, match="newer curator.*999_from_the_future"):
        Store.open(project)
    assert project.read_bytes() == before


def test_an_older_project_is_migrated_forward(project, monkeypatch):
    first_only = migrations.MIGRATIONS[:1]
    monkeypatch.setattr(migrations, "MIGRATIONS", first_only)
    monkeypatch.setattr(migrations, "MIGRATION_NAMES", [n for n, _ in first_only])
    Store.open(project, create=True).close()
    monkeypatch.undo()
    with Store.open(project) as store:
        assert store.applied_migrations() == migrations.MIGRATION_NAMES
        assert "task_events" in store.db.table_names()


def test_a_folder_is_not_a_project(tmp_path):
    with pytest.raises(ProjectError, match="is a folder"):
        Store.open(tmp_path, create=True)


def test_unknown_example_id(project):
    with Store.open(project, create=True) as store, pytest.raises(NotFoundError):
        store.get_example(12345)


def test_transaction_rolls_back_on_error(project):
    with Store.open(project, create=True) as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.create_task("doomed")
            raise RuntimeError("boom")
        assert store.get_task("doomed") is None


def test_search_catches_up_after_import_and_matches_literally(project):
    with Store.open(project, create=True) as store:
        import_files(store, [SAMPLE_DATA / "support_tickets.jsonl"], task="t")
        total = store.conn.execute("SELECT count(*) FROM examples").fetchone()[0]
        assert store.search_backlog() == total
        hits = store.list_examples(search="refund", limit=1000)
        assert hits and store.search_backlog() == 0
        for hit in hits[:5]:
            example = store.get_example(hit["id"])
            assert "refund" in (example.prompt + example.output).lower()
        # FTS syntax in user text is matched as words, never parsed
        assert store.list_examples(search='"unbalanced OR NEAR(') == []
        assert store.list_examples(search="refund", task="t", status="approved") == []


def test_fts_query_quotes_every_word():
    assert fts_query('refund "now" NEAR') == '"refund" """now""" "NEAR"'
    assert fts_query("   ") == '""'


def test_keyset_pages_cover_everything_once(project):
    with Store.open(project, create=True) as store:
        import_files(store, [SAMPLE_DATA / "support_tickets.jsonl"], task="t")
        seen, after = [], 0
        while page := store.list_examples(after_id=after, limit=40):
            seen += [row["id"] for row in page]
            after = page[-1]["id"]
        assert seen == sorted(set(seen)) and len(seen) == 150


def test_reimport_adds_nothing_and_counts_duplicates(project):
    with Store.open(project, create=True) as store:
        first = import_files(store, [SAMPLE_DATA / "support_tickets.jsonl"], task="t")
        again = import_files(store, [SAMPLE_DATA / "support_tickets.jsonl"], task="t")
    assert first.total("added") == 150
    assert again.total("added") == 0 and again.total("duplicate") == 150
    with Store.open(project) as store:
        history = store.imports()
    assert [(i["rows_added"], i["rows_duplicate"]) for i in history] == [(150, 0), (0, 150)]


def test_same_content_in_two_tasks_is_two_examples(project):
    with Store.open(project, create=True) as store:
        import_files(store, [SAMPLE_DATA / "preferences.json"], task="a")
        report = import_files(store, [SAMPLE_DATA / "preferences.json"], task="b")
    assert report.total("added") == 40


def test_example_round_trips_through_the_store(project):
    with Store.open(project, create=True) as store:
        import_files(store, [SAMPLE_DATA / "tool_calls.jsonl"], task="tools")
        example = store.get_example(1)
    assert example.kind == "chat" and example.task == "tools"
    assert example.tools and all(tool.parameters for tool in example.tools)
    assert example.source.file.endswith("tool_calls.jsonl")
    assert example.source.locator == "line 1"
    assert len(example.source.hash) == 32
    assert example.content_hash() == example.source.hash


def test_a_full_disk_is_a_clear_error_and_loses_nothing(project):
    from curator import review
    from curator.errors import StorageError

    with Store.open(project, create=True) as store:
        import_files(store, [SAMPLE_DATA / "preferences.json"], task="prefs")
        review.decide(store, 1, "approve", annotator="ann")
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full
        with pytest.raises(StorageError, match="full; nothing was changed"):
            import_files(store, [SAMPLE_DATA / "support_tickets.jsonl"], task="more")
        with pytest.raises(StorageError, match="full"):
            review.edit_output(store, 2, "x" * 200_000, annotator="ann")
    with Store.open(project) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.conn.execute("SELECT count(*) FROM examples").fetchone()[0] == 40
        assert store.get_example(1).status == "approved"
        assert store.get_task("more") is None


def test_a_read_only_project_is_a_clear_error(project):
    from curator import review
    from curator.errors import StorageError

    Store.open(project, create=True).close()
    with Store.open(project) as store:
        import_files(store, [SAMPLE_DATA / "preferences.json"], task="prefs")
    with Store.open(project) as store:
        # as if the file were read-only (root ignores file modes, so open it read-only)
        store.conn.close()
        store.conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True,
                                     isolation_level=None, check_same_thread=False)
        with pytest.raises(StorageError, match="read-only"):
            review.decide(store, 1, "approve", annotator="ann")
    with Store.open(project) as store:
        assert store.get_example(1).status == "pending"


def test_a_busy_project_waits_then_says_so(project, monkeypatch):
    from curator.store import common as store_module
    from curator.errors import StorageError

    Store.open(project, create=True).close()
    monkeypatch.setattr(store_module, "LOCK_RETRIES", 2)
    other = sqlite3.connect(project, isolation_level=None)
    other.execute("PRAGMA busy_timeout = 0")
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        with Store.open(project) as store:
            store.conn.execute("PRAGMA busy_timeout = 50")
            with pytest.raises(StorageError, match="another curator has been writing"):
                with store.transaction():
                    pass
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_damaged_file_is_a_clear_error(project, run_cli):
    Store.open(project, create=True).close()
    data = bytearray(project.read_bytes())
    data[100:16384] = b"\xff" * 16284  # scribble over the schema page
    project.write_bytes(bytes(data))
    code, _, err = run_cli("stats", project)
    assert code in (1, 2) and "Traceback" not in err and str(project) in err


def test_a_bulk_import_leaves_the_project_in_wal_mode_and_atomic(project):
    with Store.open(project, create=True) as store:
        import_files(store, [SAMPLE_DATA / "support_tickets.jsonl"], task="t")
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with pytest.raises(RuntimeError), store.bulk():
            store.create_task("half")
            raise RuntimeError("killed midway")
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.get_task("half") is None


def test_a_bulk_import_beside_an_open_reader_stays_in_wal(project):
    Store.open(project, create=True).close()
    with Store.open(project) as reader, Store.open(project) as writer:
        reader.list_examples()
        import_files(writer, [SAMPLE_DATA / "preferences.json"], task="p")
        assert len(reader.list_examples(limit=100)) == 40
