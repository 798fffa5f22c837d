import json

from tests.conftest import SAMPLE_DATA


def test_import_then_stats_json(project, run_cli):
    code, _, err = run_cli("import", project, SAMPLE_DATA / "support_tickets.jsonl",
                           "--task", "triage")
    assert code == 0, err
    code, out, _ = run_cli("stats", project, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 150
    assert data["by_status"]["pending"] == 150
    assert data["tasks"]["triage"]["total"] == 150
