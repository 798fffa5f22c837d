"""Annotator actions: each one a committed transaction with its revision row."""

from __future__ import annotations

import json

import pytest

from curator import review
from curator.errors import ConflictError, InputError, NeedsReason
from curator.ingest import import_files
from curator.store import Store
from tests.conftest import SAMPLE_DATA, SCHEMAS

VALID = json.dumps({"category": "billing", "priority": "low", "sentiment": "neutral",
                    "summary": "Customer asks about a charge.", "requires_human": False,
                    "entities": {"customer": {"name": "Ann", "email": None}, "order_ids": [],
                                 "products": []}})


@pytest.fixture
def store(project):
    store = Store.open(project, create=True)
    import_files(store, [SAMPLE_DATA / "support_tickets.jsonl"], task="triage",
                 schema=SCHEMAS / "support_ticket_triage.schema.json")
    import_files(store, [SAMPLE_DATA / "preferences.json"], task="prefs")
    yield store
    store.close()


def test_decision_is_recorded_with_its_revision(store):
    revision = review.decide(store, 1, "approve", annotator="ann")
    example = store.get_example(1)
    assert example.status == "approved" and example.version == 2
    (logged,) = store.revisions(1)
    assert logged == revision
    assert (logged.action, logged.annotator, logged.before, logged.after) == (
        "approve", "ann", {"status": "pending"}, {"status": "approved"})


def test_repeating_a_decision_changes_nothing(store):
    review.decide(store, 1, "reject", annotator="ann")
    assert review.decide(store, 1, "reject", annotator="ann") is None
    assert len(store.revisions(1)) == 1


def test_unknown_decision(store):
    with pytest.raises(InputError, match="unknown decision"):
        review.decide(store, 1, "maybe", annotator="ann")


def test_corrected_output_keeps_the_original_in_history(store):
    original = store.get_example(3).output
    review.decide(store, 3, "approve", annotator="ann", output=VALID)
    assert store.get_example(3).output == VALID
    assert review.original_output(store, store.get_example(3)) == original
    # and search follows the edit
    assert 3 in [r["id"] for r in store.list_examples(search="Customer asks about a charge")]


def test_stale_version_is_refused(store):
    example = store.get_example(2)
    review.decide(store, 2, "flag", annotator="bob", expected_version=example.version)
    with pytest.raises(ConflictError, match="changed it meanwhile"):
        review.decide(store, 2, "approve", annotator="ann", expected_version=example.version)
    assert store.get_example(2).status == "flagged"


def test_approving_an_invalid_output_needs_a_reason(store):
    bad = 5  # its priority is "Medium": not in the enum
    with pytest.raises(NeedsReason, match="fails its schema"):
        review.decide(store, bad, "approve", annotator="ann", require_reason=True)
    assert store.get_example(bad).status == "pending"
    revision = review.decide(store, bad, "approve", annotator="ann", require_reason=True,
                             reason="the enum is out of date")
    assert revision.reason == "the enum is out of date"
    # a valid correction needs no reason
    review.decide(store, 6, "approve", annotator="ann", require_reason=True, output=VALID)


def test_undo_puts_back_and_is_itself_logged(store):
    revision = review.decide(store, 1, "approve", annotator="ann", output=VALID)
    review.undo(store, revision.id, annotator="ann")
    example = store.get_example(1)
    assert example.status == "pending" and example.output != VALID
    assert [r.action for r in store.revisions(1)] == ["approve", "undo"]


def test_undo_after_someone_else_changed_it_is_refused(store):
    revision = review.decide(store, 1, "approve", annotator="ann")
    review.decide(store, 1, "flag", annotator="bob")
    with pytest.raises(ConflictError):
        review.undo(store, revision.id, annotator="ann")


def test_revert_to_a_revision_and_to_import(store):
    original = store.get_example(4).output
    first = review.edit_output(store, 4, VALID, annotator="ann")
    review.decide(store, 4, "approve", annotator="ann")
    review.set_tags(store, 4, ["pii", " refund ", "pii"], annotator="ann")
    review.revert(store, 4, first.id, annotator="ann")
    example = store.get_example(4)
    assert (example.output, example.status, example.tags) == (VALID, "pending", [])
    review.revert(store, 4, 0, annotator="ann")
    assert store.get_example(4).output == original


def test_tags_and_note(store):
    review.set_tags(store, 7, ["b", "a", "a", " "], annotator="ann")
    review.set_note(store, 7, "  check the order id  ", annotator="ann")
    example = store.get_example(7)
    assert example.tags == ["a", "b"] and example.note == "check the order id"
    assert [r["id"] for r in store.list_examples(tag="a")] == [7]


def test_swap_preference(store):
    pref = store.list_examples(task="prefs", limit=1)[0]["id"]
    example = store.get_example(pref)
    review.swap_preference(store, example, annotator="ann")
    swapped = store.get_example(pref)
    assert (swapped.output, swapped.rejected) == (example.rejected, example.output)
    with pytest.raises(InputError, match="not a preference"):
        review.swap_preference(store, store.get_example(1), annotator="ann")


def test_drafts_survive_and_clear_on_save(store):
    example = store.get_example(8)
    review.save_draft(store, example, "half typed {", annotator="ann")
    assert review.load_draft(store, example, annotator="ann") == "half typed {"
    assert review.load_draft(store, example, annotator="bob") is None
    review.edit_output(store, 8, VALID, annotator="ann")
    assert review.load_draft(store, store.get_example(8), annotator="ann") is None


def test_decide_cli_single_and_bulk(project, store, run_cli, tmp_path):
    store.close()
    code, out, err = run_cli("decide", project, "1", "approve", "--annotator", "ann",
                             "--note", "ok", "--json")
    assert code == 0, err
    assert json.loads(out) == {"id": 1, "status": "approved", "version": 2,
                               "revision": 1, "changed": True}
    fix = tmp_path / "fix.json"
    fix.write_text(VALID)
    code, out, err = run_cli("decide", project, "2", "approve", "--output-file", fix)
    assert code == 0, err
    code, out, err = run_cli("decide", project, "3", "reject", "--expect-version", "7")
    assert code == 1 and "changed it meanwhile" in err
    code, out, _ = run_cli("validate", project, "--format", "json")
    code, out, err = run_cli("decide", project, "--all", "--task", "triage", "--invalid",
                             "flag", "--annotator", "bot", "--json")
    assert code == 0, err
    assert json.loads(out)["changed"] == 22  # the sample has 22 invalid triage outputs
    code, out, _ = run_cli("stats", project, "--json")
    stats = json.loads(out)["tasks"]["triage"]["by_status"]
    assert stats["flagged"] == json.loads(run_cli("list", project, "--status", "flagged",
                                                   "--limit", "1000", "--json")[1]).__len__()
    code, _, err = run_cli("decide", project, "1", "maybe")
    assert code == 2 and "unknown decision" in err
    code, _, err = run_cli("decide", project, "--all", "approve", "--note", "x")
    assert code == 2
    with Store.open(project) as again:
        bulk = [r for r in again.revisions(10) if r.annotator == "bot"]
        assert all(r.action == "flag" for r in bulk)


def test_claims_hand_each_example_to_one_annotator(store):
    first = store.claim_next("ann", task="triage")
    second = store.claim_next("bob", task="triage")
    assert first == 1 and second == 2
    assert store.claim_next("ann", task="triage") == 1  # her live claim comes back first
    assert store.claim(1, "bob") == "ann"  # held by ann
    review.decide(store, 1, "approve", annotator="ann")
    assert store.claim_next("ann", task="triage") == 3  # the decision ended the claim
    assert store.claim(1, "bob") is None  # free again (decided examples can be reopened)


def test_an_expired_lease_returns_the_example(store):
    import time

    assert store.claim_next("ann", task="triage", lease=0.05) == 1
    time.sleep(0.1)
    assert store.claim_next("bob", task="triage") == 1


def test_session_progress_follows_its_own_decisions_without_recounting(store, monkeypatch):
    from curator.session import LabelSession, QueueFilter

    session = LabelSession(store, "ann", QueueFilter(task="triage"))
    start = session.progress()
    assert (start.done, start.remaining) == (0, 150)
    monkeypatch.setattr(store, "counts", lambda: pytest.fail("recounted every example"))
    session.decide(store.get_example(1), "reject")
    session.decide(store.get_example(2), "skip")
    assert (session.progress().done, session.progress().remaining) == (2, 148)
    session.undo()
    assert (session.progress().done, session.progress().remaining) == (1, 149)
    monkeypatch.undo()
    session.refresh_counts()
    assert (session.progress().done, session.progress().remaining) == (1, 149)


def test_session_navigation_skips_examples_others_are_working_on(store):
    from curator.session import LabelSession, QueueFilter

    ann = LabelSession(store, "ann", QueueFilter(task="triage"))
    bob = LabelSession(store, "bob", QueueFilter(task="triage"))
    assert ann.claim(store.get_example(2)) is None
    assert bob.next_id(1) == 3  # ann holds 2
    assert bob.claim(store.get_example(2)) == "ann"
    ann.release(store.get_example(2))
    assert bob.next_id(1) == 2


def test_disagreement_filter_in_the_session(store):
    from curator.session import LabelSession, QueueFilter

    with store.transaction():
        store.set_overlap(store.get_task("prefs"), 2)
    first = store.list_examples(task="prefs", limit=1)[0]["id"]
    review.decide(store, first, "approve", annotator="ann")
    review.decide(store, first, "reject", annotator="bob")
    session = LabelSession(store, "cleo", QueueFilter(disagreements=True))
    assert [r["id"] for r in session.page()] == [first]


def test_overlap_navigation_and_adjudication_in_the_session(store):
    from curator.session import LabelSession, QueueFilter

    with store.transaction():
        store.set_overlap(store.get_task("prefs"), 2)
    ids = [r["id"] for r in store.list_examples(task="prefs", limit=3)]
    ann = LabelSession(store, "ann", QueueFilter(task="prefs", status="pending"))
    ann.decide(store.get_example(ids[0]), "approve")
    assert store.get_example(ids[0]).status == "pending"  # waits for a second decision
    assert ann.next_id(0) == ids[1]  # ann does not see what she decided
    bob = LabelSession(store, "bob", QueueFilter(task="prefs", status="pending"))
    assert bob.next_id(0) == ids[0]
    bob.decide(store.get_example(ids[0]), "reject")
    judge = LabelSession(store, "cleo", QueueFilter(disagreements=True))
    assert judge.next_id(0) == ids[0]
    judge.decide(store.get_example(ids[0]), "reject")
    assert store.get_example(ids[0]).status == "rejected"
    assert store.revisions(ids[0])[-1].action == "adjudicate"
