"""Import benchmark: N synthetic prompt/completion pairs (~1 KB each) from JSONL.

Prints rows/s for `curator import` (the real CLI path, in a child process so its peak
memory is measured alone) beside a baseline measured in the same run: plain `sqlite3`
`executemany` of the same rows (parsed from the same file) into a bare table in one
transaction. Target: curator >= 0.5x the baseline, peak RSS < 300 MB.

    python benchmarks/bench_import.py            # 1,000,000 rows
    python benchmarks/bench_import.py --rows 100000
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

WORDS = ("the customer order refund shipping delayed invoice account password reset "
         "billing charge card subscription cancel upgrade plan login error app crash "
         "update version device android iphone browser payment failed twice please help "
         "urgent thanks regards ticket support agent reply").split()


def make_file(path: Path, rows: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    size = 0
    with path.open("wb") as handle:
        for i in range(rows):
            prompt = f"Ticket {i}: " + " ".join(rng.choices(WORDS, k=110))
            output = orjson.dumps({
                "category": rng.choice(["billing", "account", "bug", "shipping"]),
                "priority": rng.choice(["low", "medium", "high", "urgent"]),
                "summary": " ".join(rng.choices(WORDS, k=25)),
                "order_id": f"ORD-{rng.randrange(10**6):06d}",
            }).decode()
            line = orjson.dumps({"prompt": prompt, "completion": output}) + b"\n"
            size += len(line)
            handle.write(line)
    return size


def baseline(path: Path, db_path: Path) -> float:
    """Plain sqlite3: parse each line, executemany into a bare table, one transaction."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE examples (id INTEGER PRIMARY KEY, prompt TEXT, output TEXT)")
    start = time.perf_counter()
    conn.execute("BEGIN")
    with path.open("rb") as handle:
        rows = ((r["prompt"], r["completion"]) for r in map(orjson.loads, handle))
        conn.executemany("INSERT INTO examples (prompt, output) VALUES (?, ?)", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def curator_import(path: Path, db_path: Path) -> tuple[float, float, str]:
    """Run `curator import` in a child; return (seconds, peak RSS MB, stdout). The RSS is
    the import process's peak plus its parser process's peak (both alive at once)."""
    code = (
        "import sys, time, resource\n"
        "from curator.cli import main\n"
        "t = time.perf_counter()\n"
        f"rc = main(['import', {str(db_path)!r}, {str(path)!r}, '--task', 'bench', '--json'])\n"
        "t = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "rss += resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(f'RESULT {t} {rss} {rc}', file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("RESULT")]
    if not line:
        raise SystemExit(f"curator import failed:\n{proc.stderr[-3000:]}")
    _, seconds, rss, rc = line[0].split()
    if rc != "0":
        raise SystemExit(f"curator import exited {rc}:\n{proc.stderr[-3000:]}")
    return float(seconds), float(rss), proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: tmp)")
    args = parser.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="curator-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / "pairs.jsonl"
    size = make_file(data, args.rows)
    print(f"rows: {args.rows:,}  file: {size / 1e6:.0f} MB ({size / args.rows:.0f} B/row)")

    base_s = baseline(data, work / "baseline.db")
    cur_s, rss, out = curator_import(data, work / "project.db")
    report = orjson.loads(out)
    assert report["added"] == args.rows, report
    again_s, _, out2 = curator_import(data, work / "project.db")
    assert orjson.loads(out2)["added"] == 0

    base_rate, cur_rate = args.rows / base_s, args.rows / cur_s
    print(f"baseline sqlite3 executemany : {base_rate:>10,.0f} rows/s  ({base_s:.1f} s)")
    print(f"curator import               : {cur_rate:>10,.0f} rows/s  ({cur_s:.1f} s)")
    print(f"ratio curator / baseline     : {cur_rate / base_rate:.2f}  (target >= 0.50)")
    print(f"peak RSS of curator import   : {rss:.0f} MB, writer + parser processes (target < 300 MB)")
    print(f"re-import (all duplicates)   : {args.rows / again_s:>10,.0f} rows/s  ({again_s:.1f} s)")
    print(f"project file                 : {os.path.getsize(work / 'project.db') / 1e6:.0f} MB")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(bench process peak RSS {own:.0f} MB; work folder {work})")


if __name__ == "__main__":
    main()
