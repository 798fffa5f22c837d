"""An annotator process killed (SIGKILL) at random moments loses nothing it reported:
every decision it printed as committed is in the project, its last saved draft can be
recovered, and the project file stays sound."""

from __future__ import annotations

import math
import os
import random
import select
import signal
import subprocess
import sys
import textwrap
import time

from curator import review
from curator.ingest import import_files
from curator.store import Store
from tests.conftest import REPO

SEED = int(os.environ.get("CURATOR_CRASH_SEED", "20240607"))  # set to reproduce a run
KILLS = 60
ANNOTATOR = "crashy"

# Claim, save a draft of an edit, and (usually) decide: with the edited output, or
# the status alone; sometimes keep editing the same example instead. Each step is
# printed only once the store call has returned (committed).
SCRIPT = textwrap.dedent("""
    import random, sys
    from curator import review
    from curator.store import Store

    db, annotator, run = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(run)
    store = Store.open(db)
    print("READY", flush=True)
    n = 0
    while True:
        example_id = store.claim_next(annotator)
        if example_id is None:
            print("EMPTY", flush=True)
            break
        example = store.get_example(example_id)
        text = f"edit r{run} n{n} v{example.version} \\u00e9\\u2713 {example_id}"
        review.save_draft(store, example, text, annotator=annotator)
        print(f"DRAFT {example_id} {text}", flush=True)
        n += 1
        roll = rng.random()
        if roll < 0.25:
            continue  # keep editing: the same example comes back (our own claim)
        decision = rng.choice(["approve", "reject", "skip", "flag"])
        output = text if roll < 0.6 else None
        revision = review.decide(store, example_id, decision, annotator=annotator,
                                 output=output, expected_version=example.version)
        print(f"COMMITTED {example_id} {revision.id}", flush=True)
""")


def _draft_text(run: int, n: int, version: int, example_id: int) -> str:
    return f"edit r{run} n{n} v{version} \u00e9\u2713 {example_id}"


def _stress():
    import importlib.util

    name = "stress_annotators"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, REPO / "benchmarks" / "stress_annotators.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _make_project(tmp_path):
    """A project of 2,000 pending synthetic pairs (made as the stress benchmark does)."""
    return _stress().build_project(tmp_path / "work", 2000)


def _top_up(db, run: int) -> None:
    """More pending examples, when the annotator has decided them all."""
    data = db.parent / f"more-{run}.jsonl"
    _stress().make_pairs(data, 2000, seed=1000 + run)
    with Store.open(db) as store:
        assert import_files(store, [data], task="stress").total("added") > 1900


def _read_lines(proc: subprocess.Popen[bytes]) -> list[str]:
    """Every complete line the process printed."""
    data = proc.stdout.read()
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    return lines[:-1]  # the part after the last newline (if any) is not a whole line


def _wait_ready(proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    buffer = b""
    fd = proc.stdout.fileno()
    while not buffer.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        assert remaining > 0, "the annotator script did not start"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 1)
            assert chunk, f"the annotator script exited: {proc.wait()}"
            buffer += chunk
    assert buffer == b"READY\n", buffer


def _check_after_kill(db, lines: list[str], run: int, seed_note: str) -> tuple[int, int]:
    """The project opens and is sound; every COMMITTED line is in it; the last DRAFT can
    be recovered. Returns (committed lines, drafts checked)."""
    committed = [line.split() for line in lines if line.startswith("COMMITTED ")]
    drafts = [line.split(" ", 2) for line in lines if line.startswith("DRAFT ")]
    with Store.open(db) as store:
        assert [r[0] for r in store.conn.execute("PRAGMA integrity_check")] == ["ok"], seed_note
        lost = store.conn.execute(
            "SELECT count(*) FROM examples e WHERE e.version != 1 + "
            "(SELECT count(*) FROM revisions r WHERE r.example_id = e.id)").fetchone()[0]
        assert lost == 0, seed_note
        for _, example_id, revision_id in committed:
            revision = store.get_revision(int(revision_id))  # NotFoundError if lost
            example = store.get_example(int(example_id))
            assert revision.example_id == example.id, seed_note
            assert revision.annotator == ANNOTATOR
            assert revision.after["status"] == example.status != "pending", seed_note
        if not drafts:
            return len(committed), 0
        _, example_id, text = drafts[-1]
        n = len(drafts) - 1
        version = int(text.split()[3].removeprefix("v"))  # the example's, when drafted
        assert text == _draft_text(run, n, version, int(example_id)), (text, seed_note)
        example = store.get_example(int(example_id))
        stored = store.get_draft(example.id, ANNOTATOR, review.OUTPUT)
        note = (text, stored, example.version, example.output, seed_note)
        if example.version == version:
            # Nothing was decided since: the draft is there as saved, or a later save of
            # the same example (committed, killed before it was printed) replaced it.
            newer = _draft_text(run, n + 1, version, example.id)
            assert stored is not None and stored == (stored[0], version), note
            assert stored[0] in (text, newer), note
            assert review.load_draft(store, example, annotator=ANNOTATOR) == stored[0], note
        else:
            # A decision followed (printed or not): it took the edit as the output, or
            # decided without it (a draft of an older version is then dropped by design).
            (decision,) = [r for r in store.revisions(example.id) if r.version == version + 1]
            assert decision.annotator == ANNOTATOR and "status" in decision.after, note
            assert decision.after.get("output", text) == text, note
            assert review.load_draft(store, example, annotator=ANNOTATOR) is None, note
        return len(committed), 1


def test_killed_annotator_loses_nothing_it_reported(tmp_path):
    db = _make_project(tmp_path)
    script = tmp_path / "annotator.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8",
           "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    rng = random.Random(SEED)
    kills = committed_total = drafts_checked = 0
    started = time.monotonic()
    for run in range(KILLS + 20):
        if kills == KILLS:
            break
        proc = subprocess.Popen([sys.executable, str(script), str(db), ANNOTATOR, str(run)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                cwd=str(tmp_path))
        try:
            _wait_ready(proc)
            # a few ms to a few hundred, log-uniform: as many early kills as late ones
            time.sleep(math.exp(rng.uniform(math.log(0.003), math.log(0.35))))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            code = proc.wait()
            lines = ["READY"] + _read_lines(proc)
            stderr = proc.stderr.read().decode("utf-8", "replace")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        seed_note = f"seed {SEED}, run {run}"
        count, checked = _check_after_kill(db, lines, run, seed_note)
        committed_total += count
        drafts_checked += checked
        if "EMPTY" in lines:  # it decided everything before the kill: not a kill
            assert code in (0, -signal.SIGKILL), (code, stderr[-2000:], seed_note)
            _top_up(db, run)
            continue
        assert code == -signal.SIGKILL, (code, lines[-3:], stderr[-2000:], seed_note)
        kills += 1
    elapsed = time.monotonic() - started
    assert kills >= 50
    assert committed_total > 0 and drafts_checked >= kills // 2, (committed_total,
                                                                  drafts_checked)
    print(f"{kills} kills survived, {committed_total} reported decisions found, "
          f"{drafts_checked} drafts checked, {elapsed:.1f} s")
