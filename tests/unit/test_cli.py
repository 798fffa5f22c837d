"""The command line: help everywhere, data on stdout, errors on stderr with exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from curator.cli import cli
from tests.conftest import SAMPLE_DATA, SCHEMAS


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))


ALL_COMMANDS = sorted(_commands(cli))


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=" ".join)
def test_every_command_has_help(run_cli, command):
    code, out, err = run_cli(*command, "--help")
    assert code == 0, err
    assert out.startswith("Usage: curator " + " ".join(command))
    summary = cli.get_command(None, command[0])
    for name in command[1:]:
        summary = summary.get_command(None, name)
    assert summary.help and len(summary.help.split()) >= 4


def test_top_level_help_lists_commands(run_cli):
    code, out, _ = run_cli("--help")
    assert code == 0
    for name in ("import", "init", "stats", "list", "show", "task"):
        assert f"  {name}" in out


def test_help_is_fast_and_imports_nothing_heavy():
    code = ("import sys; from curator.cli import main; "
            "main(['--help']); "
            "heavy = [m for m in ('datasets', 'pyarrow', 'pandas', 'textual', 'sqlite_utils') "
            "if m in sys.modules]; print('HEAVY', heavy, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "HEAVY []" in proc.stderr


def _demo(project, run_cli):
    code, _, err = run_cli("import", project, SAMPLE_DATA / "support_tickets.jsonl",
                           "--task", "triage", "--schema",
                           SCHEMAS / "support_ticket_triage.schema.json")
    assert code == 0, err
    code, _, err = run_cli("import", project, SAMPLE_DATA / "preferences.json",
                           "--task", "prefs")
    assert code == 0, err


def test_stats_json_shape(project, run_cli):
    _demo(project, run_cli)
    code, out, _ = run_cli("stats", project, "--json")
    data = json.loads(out)
    assert code == 0
    assert data["total"] == 190
    assert data["by_status"] == {"pending": 190, "approved": 0, "rejected": 0,
                                 "skipped": 0, "flagged": 0}
    assert data["tasks"]["triage"]["total"] == 150
    assert data["tasks"]["triage"]["by_status"]["pending"] == 150
    assert data["tasks"]["triage"]["schema"]["source"].endswith(
        "support_ticket_triage.schema.json")
    assert data["tasks"]["prefs"]["schema"] is None


def test_stats_text_table(project, run_cli):
    _demo(project, run_cli)
    code, out, _ = run_cli("stats", project)
    assert code == 0
    assert "triage" in out and "prefs" in out and "190" in out


def test_list_json_filters_and_pages(project, run_cli):
    _demo(project, run_cli)
    code, out, _ = run_cli("list", project, "--task", "prefs", "--limit", "5", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 5
    assert all({"id", "task", "status", "kind", "preview"} <= set(r) for r in rows)
    assert {r["task"] for r in rows} == {"prefs"} and {r["kind"] for r in rows} == {"preference"}
    code, out, _ = run_cli("list", project, "--task", "prefs", "--after", rows[-1]["id"],
                           "--limit", "100", "--json")
    assert len(json.loads(out)) == 35
    code, out, _ = run_cli("list", project, "--status", "approved", "--json")
    assert json.loads(out) == []


def test_list_search(project, run_cli):
    _demo(project, run_cli)
    code, out, _ = run_cli("list", project, "--search", "refund", "--limit", "500", "--json")
    rows = json.loads(out)
    assert code == 0 and rows


def test_list_unknown_task_is_an_input_error(project, run_cli):
    _demo(project, run_cli)
    code, out, err = run_cli("list", project, "--task", "nope")
    assert code == 2 and out == ""
    assert "no task named 'nope'" in err


def test_show_json_and_history(project, run_cli):
    _demo(project, run_cli)
    code, out, _ = run_cli("show", project, "1", "--json", "--history")
    data = json.loads(out)
    assert code == 0
    assert data["id"] == 1 and data["task"] == "triage" and data["kind"] == "pair"
    assert data["history"] == []
    assert data["source"]["locator"] == "line 1"
    code, out, _ = run_cli("show", project, "1")
    assert code == 0 and "triage" in out and "prompt" in out


def test_show_missing_example(project, run_cli):
    _demo(project, run_cli)
    code, out, err = run_cli("show", project, "99999")
    assert code == 2 and out == "" and "no example with id 99999" in err


def test_commands_on_a_missing_project_do_not_create_it(tmp_path, run_cli):
    missing = tmp_path / "missing.db"
    for args in (("stats", missing), ("list", missing), ("show", missing, "1")):
        code, _, err = run_cli(*args)
        assert code == 2 and "no project at" in err
    assert not missing.exists()


def test_init_creates_an_empty_project(project, run_cli):
    code, out, _ = run_cli("init", project)
    assert code == 0 and out.strip() == str(project)
    code, out, _ = run_cli("stats", project, "--json")
    assert json.loads(out)["total"] == 0


def test_import_with_a_broken_schema_names_the_keyword(project, run_cli, tmp_path):
    schema = tmp_path / "bad.schema.json"
    schema.write_text('{"type": "object", "properties": {"a": {"type": "strng"}}}')
    code, _, err = run_cli("import", project, SAMPLE_DATA / "preferences.json",
                           "--schema", schema)
    assert code == 2
    assert "bad.schema.json" in err and "/properties/a/type" in err
    assert not project.exists()


def test_import_with_a_schema_that_is_not_json(project, run_cli, tmp_path):
    schema = tmp_path / "broken.json"
    schema.write_text("{nope")
    code, _, err = run_cli("import", project, SAMPLE_DATA / "preferences.json",
                           "--schema", schema)
    assert code == 2 and "not valid JSON" in err


def test_task_set_schema_and_guidelines(project, run_cli, tmp_path):
    _demo(project, run_cli)
    code, out, err = run_cli("task", "set-schema", project, "prefs",
                             SCHEMAS / "product_attributes.schema.json")
    assert code == 0, err
    assert len(out.strip()) == 64
    guide = tmp_path / "g.md"
    guide.write_text("# Be kind\n")
    code, _, err = run_cli("task", "set-guidelines", project, "prefs", guide)
    assert code == 0, err
    code, out, _ = run_cli("task", "list", project, "--json")
    prefs = next(t for t in json.loads(out) if t["name"] == "prefs")
    assert prefs["has_guidelines"] and prefs["schema"].endswith("product_attributes.schema.json")
    code, _, err = run_cli("task", "set-schema", project, "nope",
                           SCHEMAS / "product_attributes.schema.json")
    assert code == 2 and "no task named 'nope'" in err


def test_schema_changes_are_logged(project, run_cli):
    _demo(project, run_cli)
    run_cli("task", "set-schema", project, "triage", SCHEMAS / "product_attributes.schema.json")
    from curator.store import Store

    with Store.open(project) as store:
        events = store.conn.execute(
            "SELECT action, after FROM task_events e JOIN tasks t ON t.id = e.task_id "
            "WHERE t.name = 'triage' ORDER BY e.id").fetchall()
        schemas = store.conn.execute("SELECT count(*) FROM schemas").fetchone()[0]
    assert [a for a, _ in events] == ["create", "update", "update"]
    assert "product_attributes" in events[-1][1]
    assert schemas == 2  # both versions kept: the project stays self-contained


def test_bad_usage_exits_2(run_cli, project):
    code, _, err = run_cli("list", project, "--status", "bogus")
    assert code == 2 and "bogus" in err
    code, _, err = run_cli("frobnicate")
    assert code == 2


def test_data_text_is_never_markup_in_list(project, run_cli, tmp_path):
    data = tmp_path / "evil.jsonl"
    data.write_text(json.dumps({"prompt": "[bold red]boom[/] \x1b[2J\x07 hi",
                                "completion": "[link=http://x]y[/link]"}) + "\n")
    run_cli("import", project, data)
    code, out, _ = run_cli("list", project)
    assert "[bold red]boom[/]" in out
    assert "\x1b" not in out and "\x07" not in out and "␛[2J" in out
    code, out, _ = run_cli("show", project, "1")
    assert "[link=http://x]y[/link]" in out and "\x1b" not in out
