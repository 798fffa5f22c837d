"""Overlap, adjudication and agreement between annotators."""

from __future__ import annotations

import json

import pytest

from curator import review
from curator.agreement import cohen_kappa, krippendorff_alpha
from curator.ingest import import_files
from curator.store import Store
from tests.conftest import SAMPLE_DATA


def test_cohen_kappa_textbook_value():
    # 50 items: both yes 20, a yes / b no 5, a no / b yes 10, both no 15
    a = ["y"] * 20 + ["y"] * 5 + ["n"] * 10 + ["n"] * 15
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(a, a) == 1.0
    assert cohen_kappa([], []) is None


def test_krippendorff_alpha_by_hand():
    assert krippendorff_alpha([["a", "a"], ["a", "b"]]) == pytest.approx(0.0)
    assert krippendorff_alpha([["a", "a"], ["b", "b", "b"], ["a"]]) == 1.0
    assert krippendorff_alpha([["a"]]) is None
    # two raters, four units, one disagreement: 1 - Do/De with De = 16*... by hand
    units = [["a", "a"], ["b", "b"], ["a", "b"], ["b", "b"]]
    assert krippendorff_alpha(units) == pytest.approx(1 - 2 / (2 * 3 * 5 / 7))


@pytest.fixture
def store(project):
    store = Store.open(project, create=True)
    import_files(store, [SAMPLE_DATA / "preferences.json"], task="prefs")
    with store.transaction():
        store.set_overlap(store.get_task("prefs"), 2)
    yield store
    store.close()


def test_overlap_needs_agreeing_decisions_and_disagreements_wait(store):
    review.decide(store, 1, "approve", annotator="ann")
    assert store.get_example(1).status == "pending"  # one of two decisions
    review.decide(store, 1, "approve", annotator="bob")
    assert store.get_example(1).status == "approved"
    review.decide(store, 2, "approve", annotator="ann")
    review.decide(store, 2, "reject", annotator="bob")
    assert store.get_example(2).status == "pending"
    assert [r["id"] for r in store.list_examples(disagreements=True)] == [2]
    review.decide(store, 2, "reject", annotator="cleo", adjudicate=True)
    assert store.get_example(2).status == "rejected"
    assert store.list_examples(disagreements=True) == []
    actions = [r.action for r in store.revisions(2)]
    assert actions == ["approve", "reject", "adjudicate"]  # every decision logged


def test_each_annotator_sees_only_what_they_have_not_decided(store):
    assert store.claim_next("ann", task="prefs") == 1
    review.decide(store, 1, "approve", annotator="ann")
    assert store.claim_next("ann", task="prefs") == 2
    assert store.claim_next("bob", task="prefs") == 1  # still needs a second decision


def test_agreement_cli(store, project, run_cli):
    for example_id, (a, b) in enumerate([("approve", "approve"), ("approve", "reject"),
                                         ("reject", "reject"), ("reject", "reject")], 1):
        review.decide(store, example_id, a, annotator="ann")
        review.decide(store, example_id, b, annotator="bob")
    fix = store.get_example(5).output + " (fixed)"
    review.decide(store, 5, "approve", annotator="ann", output=fix)
    review.decide(store, 5, "approve", annotator="bob", output=fix)
    store.close()
    code, out, err = run_cli("agreement", project, "--json")
    data = json.loads(out)
    assert code == 0, err
    assert data["annotators"] == ["ann", "bob"] and data["disagreements"] == 1
    (pair,) = data["pairs"]
    assert pair["items"] == 5 and pair["agreement"] == pytest.approx(0.8)
    assert data["krippendorff_alpha"] == pytest.approx(
        krippendorff_alpha([["approve", "approve"], ["approve", "reject"],
                            ["reject", "reject"], ["reject", "reject"],
                            ["approve", "approve"]]), abs=1e-6)
    assert data["corrections"] == {"pairs_compared": 1, "exact_match_rate": 1.0}
    code, out, _ = run_cli("list", project, "--disagreements", "--json")
    assert [r["id"] for r in json.loads(out)] == [2]
    code, out, _ = run_cli("stats", project, "--json")
    annotators = json.loads(out)["annotators"]
    assert annotators["ann"]["decisions"] == 5 and annotators["ann"]["corrections"] == 1
    code, out, _ = run_cli("stats", project)
    assert "annotators" in out


def test_bulk_decisions_count_as_decisions(project, run_cli):
    with Store.open(project, create=True) as store:
        import_files(store, [SAMPLE_DATA / "preferences.json"], task="prefs")
    code, _, err = run_cli("decide", project, "--all", "approve", "--annotator", "bot")
    assert code == 0, err
    with Store.open(project) as store:
        decisions = store.decisions("prefs")
        assert len(decisions) == 40 and {d[1:3] for d in decisions} == {("bot", "approve")}
        revision_ids = {r.id for r in store.revisions(1)}
    code, out, _ = run_cli("stats", project, "--json")
    assert json.loads(out)["annotators"]["bot"]["decisions"] == 40
    assert revision_ids
