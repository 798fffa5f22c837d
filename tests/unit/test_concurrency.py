"""Several annotators on one project: claims hand each example to one of them, every
decision is committed once with its revision, nobody sees "database is locked"."""

from __future__ import annotations

import importlib.util
import json
import sys
import time

import pytest

from curator import review
from curator.errors import ConflictError
from curator.ingest import import_files
from curator.store import Store
from tests.conftest import REPO

_BENCH = REPO / "benchmarks" / "stress_annotators.py"


def _stress_module():
    name = "stress_annotators"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _BENCH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def stress():
    return _stress_module()


@pytest.fixture
def store(tmp_path, stress):
    data = tmp_path / "pairs.jsonl"
    stress.make_pairs(data, 12)
    store = Store.open(tmp_path / "project.curator", create=True)
    import_files(store, [data], task="t")
    yield store
    store.close()


def test_stress_four_annotators(tmp_path, stress):
    result, checks = stress.run_stress(tmp_path / "work", processes=4, cycles=150)
    failed = {name: detail for name, (ok, detail) in checks.items() if not ok}
    assert not failed, failed
    assert len(result.decisions) == 600
    assert len({d.example_id for d in result.decisions}) == 600
    assert not result.storage_errors and not result.conflicts
    # the spare examples were left alone
    with Store.open(tmp_path / "work" / "stress.curator") as store:
        assert dict(store.status_counts()).get("pending") == 8


def test_the_checks_catch_a_double_decision(tmp_path, stress):
    """The benchmark's checks are not vacuous: a second decision on one example, and a
    reported decision that is not in the project, both fail."""
    db = stress.build_project(tmp_path, 4)
    with Store.open(db) as store:
        first = review.decide(store, 1, "approve", annotator="a")
        review.decide(store, 1, "reject", annotator="b")
    result = stress.StressResult(processes=1, cycles=2, elapsed=1.0, decisions=[
        stress.Decision("a", 1, first.id, "approve", 0.001),
        stress.Decision("a", 2, 999, "skip", 0.001)])
    checks = stress.check_project(db, result)
    assert not checks["no example decided twice"][0]
    assert not checks["every reported decision in revisions"][0]
    assert checks["no lost update"][0] and checks["integrity_check"][0]


def test_claim_next_never_hands_one_example_to_two_annotators(store):
    names = [f"ann{i}" for i in range(5)]
    held = {name: store.claim_next(name) for name in names}
    assert len(set(held.values())) == len(names)
    # asking again returns each annotator's own claim, never someone else's
    for _ in range(3):
        for name in names:
            assert store.claim_next(name) == held[name]
            for other in names:
                if other != name:
                    assert store.claim(held[name], other) == name
    # a second connection (another process's view) agrees
    with Store.open(store.path) as other:
        new = other.claim_next("zed")
        assert new not in held.values()
        assert store.claim_next("ann0") == held["ann0"]


def test_claims_run_out(store):
    claimed = [store.claim_next(f"ann{i}") for i in range(12)]
    assert sorted(claimed) == list(range(1, 13))
    assert store.claim_next("late") is None


def test_an_expired_lease_returns_the_example(store):
    first = store.claim_next("ann", lease=0.05)
    assert store.claim_next("bob") != first  # still held
    assert store.claim(first, "bob") == "ann"
    time.sleep(0.1)
    assert store.claim_next("cat") == first  # expired: back in the queue, first in id order
    assert store.claim(first, "ann") == "cat"


def test_a_decision_releases_the_claim(store):
    first = store.claim_next("ann")
    version = store.get_example(first).version
    review.decide(store, first, "approve", annotator="ann", expected_version=version)
    assert store.conn.execute("SELECT count(*) FROM claims WHERE example_id = ?",
                              (first,)).fetchone()[0] == 0
    assert store.claim(first, "bob") is None  # nobody holds it now
    assert store.claim_next("ann") != first  # decided: no longer pending


def test_release_hands_the_example_back(store):
    first = store.claim_next("ann")
    store.release(first, "bob")  # not bob's: nothing happens
    assert store.claim(first, "bob") == "ann"
    store.release(first, "ann")
    assert store.claim_next("bob") == first


def test_a_stale_expected_version_is_refused_and_nothing_changes(store):
    first = store.claim_next("ann")
    example = store.get_example(first)
    review.set_note(store, first, "looked at", annotator="bob",
                    expected_version=example.version)
    before = store.get_example(first)
    revisions = store.revisions(first)
    with pytest.raises(ConflictError):
        review.decide(store, first, "approve", annotator="ann",
                      expected_version=example.version)
    assert store.get_example(first) == before
    assert store.revisions(first) == revisions
    assert before.status == "pending" and before.version == example.version + 1
    assert store.claim(first, "bob") == "ann"  # the refused decision kept ann's claim
    # with the version read again it goes through
    review.decide(store, first, "approve", annotator="ann", expected_version=before.version)
    assert store.get_example(first).status == "approved"


def test_cli_claim_prints_the_example_then_nothing(tmp_path, run_cli, stress):
    data = tmp_path / "pairs.jsonl"
    stress.make_pairs(data, 2)
    project = tmp_path / "p.curator"
    code, _, err = run_cli("import", project, data, "--task", "t")
    assert code == 0, err
    code, out, err = run_cli("claim", project, "--annotator", "A", "--json")
    assert code == 0, err
    first = json.loads(out)
    assert isinstance(first, dict) and first["id"] == 1
    code, out, err = run_cli("claim", project, "--annotator", "A", "--json")
    assert code == 0 and json.loads(out)["id"] == 1  # A's own claim again
    code, out, err = run_cli("claim", project, "--annotator", "B", "--json")
    assert code == 0 and json.loads(out)["id"] == 2
    code, out, err = run_cli("claim", project, "--annotator", "C", "--json")
    assert (code, out) == (0, "")  # none left for C
    code, _, err = run_cli("decide", project, "1", "approve", "--annotator", "A")
    assert code == 0, err
    code, out, err = run_cli("claim", project, "--annotator", "A", "--json")
    assert (code, out) == (0, ""), err  # 1 decided, 2 held by B
