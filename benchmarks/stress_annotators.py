"""Stress: N annotator processes claiming and deciding examples in one project at once.

Builds a project of synthetic prompt/completion pairs (imported with
`curator.ingest.import_files`), then starts N annotator processes. Each does
claim-and-decide cycles against the same project file: `store.claim_next(name)`, read
the example's version, `review.decide(..., expected_version=version)` with a random
decision. A decision's latency is claim + read + decide. Each worker reports every
committed decision (example id, revision id) to the parent, which then checks the
project:

- no overlap: every decided example has exactly one decision revision;
- every decision a worker reported is in `revisions` (and matches the example);
- no lost update: each example's version is 1 + the number of its revisions;
- `PRAGMA integrity_check` is ok;
- no worker ever saw a StorageError ("database is locked") or a ConflictError.

Exits non-zero if a check fails.

    python benchmarks/stress_annotators.py                      # 8 processes x 2000 cycles
    python benchmarks/stress_annotators.py --processes 4 --cycles 200
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: import this checkout
    sys.path.insert(0, str(ROOT))

WORDS = ("the customer order refund shipping delayed invoice account password reset "
         "billing charge card subscription cancel upgrade plan login error app crash "
         "update version device android iphone browser payment failed twice please help "
         "urgent thanks regards ticket support agent reply").split()
DECISIONS = ("approve", "reject", "skip", "flag")
TASK = "stress"


# -- the project ------------------------------------------------------------------------

def make_pairs(path: Path, rows: int, seed: int = 7) -> None:
    """`rows` distinct synthetic prompt/completion pairs as JSON Lines."""
    rng = random.Random(seed)
    with path.open("wb") as handle:
        for i in range(rows):
            prompt = f"Ticket {i}: " + " ".join(rng.choices(WORDS, k=40))
            output = orjson.dumps({"category": rng.choice(["billing", "account", "bug"]),
                                   "summary": " ".join(rng.choices(WORDS, k=12))}).decode()
            handle.write(orjson.dumps({"prompt": prompt, "completion": output}) + b"\n")


def build_project(work: Path, examples: int) -> Path:
    """A new project at work/stress.curator holding `examples` pending examples."""
    from curator.ingest import import_files
    from curator.store import Store

    work.mkdir(parents=True, exist_ok=True)
    db = work / "stress.curator"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    data = work / "pairs.jsonl"
    make_pairs(data, examples)
    with Store.open(db, create=True) as store:
        report = import_files(store, [data], task=TASK)
        assert report.total("added") == examples, report
    return db


# -- one annotator (a child process) -------------------------------------------------------

def annotate(db: Path, name: str, cycles: int, seed: int, out: Path) -> None:
    """Run `cycles` claim-and-decide cycles as annotator `name`. Every committed decision
    is appended to `out` as "D example_id revision_id action latency_s" (flushed at
    once); a StorageError as "S message", a ConflictError as "C message", any other
    exception as "X message". Stops early when no example is left ("E")."""
    from curator import review
    from curator.errors import ConflictError, StorageError
    from curator.store import Store

    rng = random.Random(seed)
    store = Store.open(db)
    with out.open("w", encoding="utf-8", buffering=1) as log:
        print("READY", flush=True)
        sys.stdin.readline()  # wait for the parent's go, so all start together
        done = 0
        while done < cycles:
            decision = rng.choice(DECISIONS)
            started = time.perf_counter()
            try:
                example_id = store.claim_next(name)
                if example_id is None:
                    log.write("E\n")
                    break
                version = store.get_example(example_id).version
                revision = review.decide(store, example_id, decision, annotator=name,
                                         expected_version=version)
            except StorageError as exc:
                log.write("S " + " ".join(str(exc).split()) + "\n")
                continue
            except ConflictError as exc:
                log.write("C " + " ".join(str(exc).split()) + "\n")
                continue
            except Exception as exc:  # reported, then the worker stops
                log.write(f"X {type(exc).__name__}: " + " ".join(str(exc).split()) + "\n")
                raise
            latency = time.perf_counter() - started
            if revision is None:
                log.write(f"X decide returned None for example {example_id}\n")
                continue
            log.write(f"D {example_id} {revision.id} {decision} {latency:.6f}\n")
            done += 1
    store.close()


# -- the parent ---------------------------------------------------------------------------

@dataclass
class Decision:
    annotator: str
    example_id: int
    revision_id: int
    action: str
    latency: float


@dataclass
class StressResult:
    processes: int
    cycles: int
    elapsed: float
    decisions: list[Decision] = field(default_factory=list)
    storage_errors: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    other_errors: list[str] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)
    ran_out: int = 0

    @property
    def rate(self) -> float:
        return len(self.decisions) / self.elapsed if self.elapsed else 0.0

    def latency(self, quantile: float) -> float:
        values = sorted(d.latency for d in self.decisions)
        if not values:
            return 0.0
        return values[min(len(values) - 1, int(quantile * len(values)))]


def run_annotators(db: Path, processes: int, cycles: int, seed: int = 1) -> StressResult:
    """Start the annotator processes, let them go at once, collect what they report."""
    work = db.parent
    procs: list[tuple[str, subprocess.Popen[bytes], Path, Any]] = []
    for index in range(processes):
        name = f"annotator-{index}"
        out = work / f"{name}.log"
        err = (work / f"{name}.stderr").open("wb")
        proc = subprocess.Popen(
            [sys.executable, str(HERE), "--worker", "--db", str(db), "--name", name,
             "--cycles", str(cycles), "--seed", str(seed * 1000 + index), "--out", str(out)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, cwd=str(ROOT))
        procs.append((name, proc, out, err))
    try:
        for name, proc, _, _ in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if line.strip() != b"READY":
                raise RuntimeError(f"{name} did not start: {line!r} "
                                   f"(see {work / (name + '.stderr')})")
        started = time.perf_counter()
        for _, proc, _, _ in procs:
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
            proc.stdin.flush()
        codes = [proc.wait() for _, proc, _, _ in procs]
        elapsed = time.perf_counter() - started
    finally:
        for _, proc, _, err in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
            err.close()
    result = StressResult(processes, cycles, elapsed, exit_codes=codes)
    for name, proc, out, _ in procs:
        if not out.exists():
            result.other_errors.append(f"{name}: no log (exit code {proc.returncode})")
            continue
        for line in out.read_text(encoding="utf-8").splitlines():
            kind, _, rest = line.partition(" ")
            if kind == "D":
                example_id, revision_id, action, latency = rest.split()
                result.decisions.append(Decision(name, int(example_id), int(revision_id),
                                                 action, float(latency)))
            elif kind == "S":
                result.storage_errors.append(f"{name}: {rest}")
            elif kind == "C":
                result.conflicts.append(f"{name}: {rest}")
            elif kind == "E":
                result.ran_out += 1
            else:
                result.other_errors.append(f"{name}: {rest}")
        if proc.returncode != 0:
            stderr = (work / f"{name}.stderr").read_text(errors="replace")[-2000:]
            result.other_errors.append(f"{name}: exit code {proc.returncode}: {stderr}")
    return result


STATUS_OF = {"approve": "approved", "reject": "rejected", "skip": "skipped",
             "flag": "flagged"}


def check_project(db: Path, result: StressResult) -> dict[str, tuple[bool, str]]:
    """The checks, by name: (passed, detail)."""
    conn = sqlite3.connect(db)
    try:
        marks = ", ".join("?" for _ in DECISIONS)
        checks: dict[str, tuple[bool, str]] = {}

        overlap = conn.execute(
            f"SELECT count(*) FROM (SELECT example_id FROM revisions WHERE action IN ({marks}) "
            "GROUP BY example_id HAVING count(*) > 1)", DECISIONS).fetchone()[0]
        not_once = conn.execute(
            "SELECT count(*) FROM examples e WHERE e.status != 'pending' AND (SELECT count(*) "
            f"FROM revisions r WHERE r.example_id = e.id AND r.action IN ({marks})) != 1",
            DECISIONS).fetchone()[0]
        decided = conn.execute(
            "SELECT count(*) FROM examples WHERE status != 'pending'").fetchone()[0]
        checks["no example decided twice"] = (
            overlap == 0 and not_once == 0,
            f"{decided:,} decided, {overlap} with more than one decision, "
            f"{not_once} not exactly one")

        revisions = {row[0]: row[1:] for row in conn.execute(
            "SELECT r.id, r.example_id, r.action, r.annotator, json_extract(r.after, "
            "'$.status'), e.status FROM revisions r JOIN examples e ON e.id = r.example_id")}
        missing = [d for d in result.decisions if revisions.get(d.revision_id) != (
            d.example_id, d.action, d.annotator, STATUS_OF[d.action], STATUS_OF[d.action])]
        reported = {d.revision_id for d in result.decisions}
        unreported = [rid for rid, row in revisions.items()
                      if row[1] in DECISIONS and rid not in reported]
        checks["every reported decision in revisions"] = (
            not missing and not unreported and len(reported) == len(result.decisions),
            f"{len(result.decisions):,} reported, {len(missing)} missing or different, "
            f"{len(unreported)} in revisions but never reported")

        lost = conn.execute(
            "SELECT count(*) FROM examples e WHERE e.version != 1 + "
            "(SELECT count(*) FROM revisions r WHERE r.example_id = e.id)").fetchone()[0]
        checks["no lost update"] = (lost == 0, f"{lost} examples whose version != 1 + revisions")

        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        checks["integrity_check"] = (integrity == ["ok"], "; ".join(integrity[:5]))

        locked = [m for m in result.storage_errors if "locked" in m or "busy" in m]
        checks["no StorageError (database is locked)"] = (
            not result.storage_errors,
            f"{len(result.storage_errors)} StorageErrors ({len(locked)} locked/busy)"
            + (f"; first: {result.storage_errors[0]}" if result.storage_errors else ""))
        checks["no ConflictError (claims exclusive)"] = (
            not result.conflicts, f"{len(result.conflicts)} conflicts"
            + (f"; first: {result.conflicts[0]}" if result.conflicts else ""))
        claims = conn.execute("SELECT count(*) FROM claims").fetchone()[0]
        checks["decisions released their claims"] = (claims == 0, f"{claims} claims left")
        expected = result.processes * result.cycles
        checks["workers finished cleanly"] = (
            not result.other_errors and len(result.decisions) == expected
            and all(code == 0 for code in result.exit_codes),
            f"{len(result.decisions):,} of {expected:,} decisions, exit codes "
            f"{sorted(set(result.exit_codes))}"
            + (f"; first error: {result.other_errors[0]}" if result.other_errors else ""))
        return checks
    finally:
        conn.close()


def run_stress(work: Path, processes: int, cycles: int, seed: int = 1,
               spare: int | None = None) -> tuple[StressResult, dict[str, tuple[bool, str]]]:
    """Build the project, run the annotators, check. For tests and `main`."""
    examples = processes * cycles + (spare if spare is not None else 2 * processes)
    db = build_project(work, examples)
    result = run_annotators(db, processes, cycles, seed)
    return result, check_project(db, result)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--cycles", type=int, default=2000, help="decisions per process")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: tmp)")
    # the child side
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--name", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        annotate(args.db, args.name, args.cycles, args.seed, args.out)
        return 0

    work = Path(args.dir or tempfile.mkdtemp(prefix="curator-stress-"))
    total = args.processes * args.cycles
    t0 = time.perf_counter()
    db = build_project(work, total + 2 * args.processes)
    print(f"project: {total + 2 * args.processes:,} pending examples "
          f"(built in {time.perf_counter() - t0:.1f} s)")
    print(f"annotators: {args.processes} processes x {args.cycles:,} claim-and-decide cycles")
    result = run_annotators(db, args.processes, args.cycles, args.seed)
    checks = check_project(db, result)
    print(f"decisions committed          : {len(result.decisions):>10,}  "
          f"({result.elapsed:.1f} s)")
    print(f"decisions/s overall          : {result.rate:>10,.0f}")
    print(f"latency p50 (claim + decide) : {result.latency(0.50) * 1000:>10.1f} ms")
    print(f"latency p99 (claim + decide) : {result.latency(0.99) * 1000:>10.1f} ms")
    print(f"latency max                  : {result.latency(1.0) * 1000:>10.1f} ms")
    print(f"project file                 : {os.path.getsize(db) / 1e6:.1f} MB")
    failed = 0
    for name, (ok, detail) in checks.items():
        print(f"check {'ok  ' if ok else 'FAIL'} {name}: {detail}")
        failed += not ok
    print(f"(work folder {work})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
