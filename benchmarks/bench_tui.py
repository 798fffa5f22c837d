"""Labeling TUI benchmark on an N-example project (default 1,000,000), headless.

The project is the import benchmark's data (same generator, `make_file`), imported with
`curator import` into the task "bench" with a JSON Schema for its outputs and Markdown
guidelines, so the review screen does what it does for a real task (live schema check,
guidelines panel). A `--dir` that already holds a project with N examples is reused.

Every TUI figure comes from a fresh child Python process driving the real app
(`build_app`, as `curator label` does) with Textual's `run_test(headless=True,
size=(140, 40))`, so its start-up and peak RSS are its own. A "render" is a call of the
app's `_display` with the compositor's update, which this benchmark also turns into the
terminal byte string (`render_segments`) the way a real terminal session does (headless
Textual skips that step); only writing the bytes to a terminal is left out.

  * first review screen: from the parent's clock just before spawning the child (so
    interpreter start and every import count, `curator.cli` included, as for `curator
    label --review-first`) until the first render of the ReviewScreen whose terminal
    bytes contain the example's prompt. 3 runs, median. Target < 1.5 s.
  * approve-to-next: with the queue filtered to status=pending (what an annotator works
    through; it also makes reruns on a reused project approve fresh examples), press `a`
    --presses times from the first pending example and again from the first pending one
    at 90% of the ids (keyset queries deep in the table). Each press is timed from the
    key event to the first render whose bytes contain the next example's prompt; this
    includes the decision's transaction (synchronous=FULL commit), finding and loading
    the next example, updating every widget and that render. "settled" is the time to
    the last render before the app goes idle again (deferred work such as mounting the
    guidelines Markdown and the conversation turns). Targets: median < 50 ms, p95 < 100 ms.
  * queue screen (status=pending): from process start to the first render showing the
    first page; then `]` (next page) near the end of the project, key press to the render
    of the new page (the page query and progress counts run in a worker thread).
  * peak RSS of each TUI process (resource.getrusage in the child). Target < 300 MB.

    python benchmarks/bench_tui.py                       # 1,000,000 examples
    python benchmarks/bench_tui.py --rows 20000 --dir /tmp/bt-20k
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import make_file  # noqa: E402  (the same generator)
from bench_validate import _curator  # noqa: E402  (the console script, or a fallback)

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["category", "priority", "summary", "order_id"],
    "properties": {
        "category": {"enum": ["billing", "account", "bug", "shipping"]},
        "priority": {"enum": ["low", "medium", "high", "urgent"]},
        "summary": {"type": "string", "minLength": 1, "maxLength": 400},
        "order_id": {"type": "string", "pattern": "^ORD-[0-9]{6}$"},
    },
}

GUIDELINES = """# Support ticket triage

Check the extracted fields against the ticket.

- **category**: billing (charges, invoices, refunds), account (login, password,
  subscription), bug (crashes, errors), shipping (orders, delivery).
- **priority**: urgent only when the customer cannot use the product at all or was
  charged twice; high for failed payments; otherwise medium or low.
- **summary**: one sentence, the customer's problem, no greeting.
- **order_id**: `ORD-` and six digits, as written in the ticket; never invent one.

| key | when |
|-----|------|
| a | every field is right (fix it first with `e` if not) |
| r | the ticket is not a support request |
| f | unsure: a lead looks at it |
"""

# The TUI side: run as `python -c CHILD T0 MODE PROJECT ARGS_JSON`, T0 being the parent's
# time.monotonic() just before the spawn (CLOCK_MONOTONIC is system-wide on Linux).
CHILD = r'''
import sys, time
T0, MODE, PROJECT, ARGS = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
import asyncio, json, resource
import curator.cli  # noqa: F401  what `curator label` has imported before the app starts
from curator.tui.app import build_app
from curator.tui.screens.queue import QueueScreen
from curator.tui.screens.review import ReviewScreen
from curator.session import LabelSession
from textual._wait import wait_for_idle
T_IMPORTED = time.monotonic()
ARGS = json.loads(ARGS)
SIZE = (140, 40)


class Recorder:
    """Wraps app._display: each render is turned into terminal bytes and noted as
    (time, screen, key, shown): for a ReviewScreen key is its example id and shown whether
    the bytes hold that example's prompt; for a QueueScreen key is the first row's id."""

    def __init__(self, app):
        self.events = []
        original, console = app._display, app.console

        def display(screen, renderable):
            original(screen, renderable)
            if renderable is None or app._batch_count:
                return
            out = renderable.render_segments(console)
            t = time.monotonic()
            if isinstance(screen, ReviewScreen) and screen.example is not None:
                head = (screen.example.prompt or "")[:20]
                self.events.append((t, screen, screen.example_id, bool(head) and head in out))
            elif isinstance(screen, QueueScreen):
                rows = screen.rows
                self.events.append((t, screen, rows[0]["id"] if rows else None,
                                    bool(rows) and str(rows[0]["id"]) in out))
            else:
                self.events.append((t, screen, None, False))

        app._display = display

    async def first(self, since, test, timeout=30.0):
        """Wait for a render from index `since` on that passes test(screen, key, shown)."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events[since:]:
                if test(*event[1:]):
                    return event
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for a render ({MODE})")
            await asyncio.sleep(0.001)


async def settle(pilot):
    # every pending message handled, then no CPU use for a while (Textual's own test wait)
    await pilot._wait_for_screen()
    await wait_for_idle(0)
    await pilot._wait_for_screen()
    await wait_for_idle(0)


TIMES = {"decide": [], "handler": [], "show": []}


def instrument():
    """Time the synchronous parts of one approve: the session's decide (validation
    check and committed transaction), and the whole key handler (decide + next id +
    show_example: load, widget updates)."""
    decide, handler, show = LabelSession.decide, ReviewScreen.action_decide, \
        ReviewScreen.show_example

    def timed(fn, name):
        def wrapper(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                TIMES[name].append(time.perf_counter() - t)
        return wrapper

    LabelSession.decide = timed(decide, "decide")
    ReviewScreen.action_decide = timed(handler, "handler")
    ReviewScreen.show_example = timed(show, "show")


def shows(example_id=None):
    return lambda screen, key, shown: (isinstance(screen, ReviewScreen) and shown
                                       and (example_id is None or key == example_id))


async def approve_run(app, pilot, rec, presses):
    shown_ms, settled_ms, ids = [], [], []
    for _ in range(presses):
        screen = app.screen
        assert isinstance(screen, ReviewScreen), screen
        old = screen.example_id
        mark = len(rec.events)
        t0 = time.monotonic()
        await pilot.press("a")
        await settle(pilot)
        new = app.screen.example_id
        if new == old:
            raise SystemExit(f"pressing a on #{old} did not move on")
        event = await rec.first(mark, shows(new))
        shown_ms.append((event[0] - t0) * 1000)
        settled_ms.append((rec.events[-1][0] - t0) * 1000)
        ids.append(old)
    return {"shown": shown_ms, "settled": settled_ms, "first": ids[0], "last": ids[-1]}


async def startup():
    app = build_app(PROJECT, annotator="bench", open_first=True)
    rec = Recorder(app)
    t_app = time.monotonic()
    async with app.run_test(headless=True, size=SIZE, notifications=True) as pilot:
        event = await rec.first(0, shows())
        await settle(pilot)
        return {"total": event[0] - T0, "imports": T_IMPORTED - T0,
                "app": event[0] - t_app, "example": event[2]}


async def approve():
    instrument()
    app = build_app(PROJECT, annotator="bench", status="pending", open_first=True)
    rec = Recorder(app)
    async with app.run_test(headless=True, size=SIZE, notifications=True) as pilot:
        await rec.first(0, shows())
        await settle(pilot)
        rss_shown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for times in TIMES.values():
            times.clear()
        start = await approve_run(app, pilot, rec, ARGS["presses"])
        start_times = {k: list(v) for k, v in TIMES.items()}
        # back to the queue, then open an example deep in the table
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen), app.screen
        mark = len(rec.events)
        app.push_screen(ReviewScreen(app.session, ARGS["deep"]))
        await rec.first(mark, shows(ARGS["deep"]))
        await settle(pilot)
        for times in TIMES.values():
            times.clear()
        deep = await approve_run(app, pilot, rec, ARGS["presses"])
        decisions = app.session.decisions
        await pilot.press("q")
    return {"start": start, "deep": deep, "decisions": decisions, "rss_shown": rss_shown,
            "start_times": start_times, "deep_times": TIMES}


async def queue():
    app = build_app(PROJECT, annotator="bench", status="pending")
    rec = Recorder(app)
    t_app = time.monotonic()
    page_test = lambda screen, key, shown: isinstance(screen, QueueScreen) and shown
    async with app.run_test(headless=True, size=SIZE, notifications=True) as pilot:
        event = await rec.first(0, page_test)
        first = {"total": event[0] - T0, "app": event[0] - t_app, "first_id": event[2]}
        await settle(pilot)
        screen = app.screen
        mark = len(rec.events)
        screen.load_page(after_id=ARGS["near_end"])
        await rec.first(mark, lambda s, key, shown: shown and key is not None
                        and key > ARGS["near_end"])
        await settle(pilot)
        forward, ids = [], []
        for _ in range(ARGS["pages"]):
            old = screen.rows[0]["id"]
            mark = len(rec.events)
            t0 = time.monotonic()
            await pilot.press("]")
            event = await rec.first(mark, lambda s, key, shown: shown and key != old)
            forward.append((event[0] - t0) * 1000)
            ids.append(event[2])
            await settle(pilot)
        await pilot.press("q")
    return {"first": first, "forward": forward, "pages": ids}


result = asyncio.run({"startup": startup, "approve": approve, "queue": queue}[MODE]())
result["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps(result))
'''


def run_child(mode: str, project: Path, **args) -> dict:
    cmd = [sys.executable, "-c", CHILD]
    t0 = time.monotonic()
    proc = subprocess.run([*cmd, repr(t0), mode, str(project), json.dumps(args)],
                          capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"TUI child ({mode}) exited {proc.returncode}:\n"
                         f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def example_count(project: Path) -> int | None:
    if not project.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM examples").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def prepare(work: Path, rows: int) -> Path:
    project = work / "project.db"
    have = example_count(project)
    if have == rows:
        print(f"project: reusing {project} ({rows:,} examples; earlier runs' approvals kept)")
        return project
    if project.exists():
        print(f"project: {project} holds {have} examples, not {rows:,}: making it again")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{project}{suffix}").unlink(missing_ok=True)
    data = work / "pairs.jsonl"
    t = time.perf_counter()
    size = make_file(data, rows)
    gen_s = time.perf_counter() - t
    (work / "schema.json").write_text(json.dumps(SCHEMA, indent=2))
    (work / "guidelines.md").write_text(GUIDELINES)
    t = time.perf_counter()
    proc = subprocess.run([*_curator(), "import", str(project), str(data), "--task", "bench",
                           "--schema", str(work / "schema.json"),
                           "--guidelines", str(work / "guidelines.md"), "--json"],
                          capture_output=True, text=True, check=False)
    imp_s = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"curator import exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    added = json.loads(proc.stdout)["added"]
    if added != rows:
        raise SystemExit(f"curator import added {added} examples, not {rows}")
    data.unlink()
    print(f"project: generated {rows:,} examples ({size / 1e6:.0f} MB JSONL) in {gen_s:.1f} s, "
          f"`curator import` took {imp_s:.1f} s")
    return project


def pending_ids(project: Path, rows: int, presses: int) -> tuple[int, int, int]:
    """(first pending id at or after 90% of the ids, pending examples from there on,
    all pending examples)."""
    conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
    try:
        deep = conn.execute("SELECT min(id) FROM examples WHERE status = 'pending' AND id >= ?",
                            (int(rows * 0.9),)).fetchone()[0]
        after = conn.execute("SELECT count(*) FROM examples WHERE status = 'pending' "
                             "AND id >= ?", (deep or 0,)).fetchone()[0]
        total = conn.execute("SELECT count(*) FROM examples "
                             "WHERE status = 'pending'").fetchone()[0]
    finally:
        conn.close()
    if deep is None or after <= presses or total - after <= presses:
        raise SystemExit(f"{project} has too few pending examples left for {presses} presses "
                         f"at the start and at 90% ({total:,} pending); use a fresh --dir")
    return deep, after, total


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: tmp)")
    parser.add_argument("--presses", type=int, default=300,
                        help="approvals timed at the start and again at 90%% of the ids")
    parser.add_argument("--pages", type=int, default=20, help="`]` presses timed on the queue")
    parser.add_argument("--runs", type=int, default=3, help="start-up runs (median printed)")
    args = parser.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="curator-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    project = prepare(work, args.rows)
    deep, _, total = pending_ids(project, args.rows, args.presses)
    print(f"pending before this run: {total:,}; headless 140x40, renders turned into "
          "terminal bytes")
    load_start = os.getloadavg()[0]

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    w = 44
    missed = []
    rss: dict[str, float] = {}

    runs = [run_child("startup", project) for _ in range(args.runs)]
    rss["start-up"] = max(r["rss"] for r in runs)
    total_s = statistics.median(r["total"] for r in runs)
    ok = total_s < 1.5
    each = ", ".join(f"{r['total'] * 1000:.0f}" for r in runs)
    missed += [] if ok else ["first review screen"]
    print(f"{'first review screen, process start':<{w}}: {total_s * 1000:6.0f} ms median of "
          f"{args.runs} ({each})  "
          f"(target < 1500 ms)  {verdict(ok)}")
    print(f"{'    of which interpreter + imports':<{w}}: "
          f"{statistics.median(r['imports'] for r in runs) * 1000:6.0f} ms; app start to "
          f"shown {statistics.median(r['app'] for r in runs) * 1000:.0f} ms")

    res = run_child("approve", project, presses=args.presses, deep=deep)
    rss["approve"] = res["rss"]
    if res["decisions"] != 2 * args.presses:
        raise SystemExit(f"the session recorded {res['decisions']} decisions, "
                         f"not {2 * args.presses}")
    for name, key in (("from the first pending", "start"), ("from 90% of the ids", "deep")):
        run = res[key]
        med, p95 = statistics.median(run["shown"]), pct(run["shown"], 0.95)
        ok = med < 50 and p95 < 100
        missed += [] if ok else [f"approve-to-next {name}"]
        print(f"{'approve-to-next, ' + name:<{w}}: median {med:5.1f} ms, p95 {p95:5.1f} ms, "
              f"max {max(run['shown']):5.1f} ms  (target < 50 / < 100)  {verdict(ok)}")
        print(f"{'    ids':<{w}}: #{run['first']:,} .. #{run['last']:,}, "
              f"{len(run['shown'])} presses")
        print(f"{'    settled (last render before idle)':<{w}}: median "
              f"{statistics.median(run['settled']):5.1f} ms, p95 {pct(run['settled'], 0.95):5.1f}"
              f" ms")
        times = res[f"{key}_times"]
        print(f"{'    in the key handler (median)':<{w}}: "
              f"{statistics.median(times['handler']) * 1000:5.1f} ms: decide (schema check + "
              f"committed transaction) {statistics.median(times['decide']) * 1000:.1f} ms, "
              f"show next {statistics.median(times['show']) * 1000:.1f} ms")
    grown = res["rss"] - res["rss_shown"]
    print(f"{'    peak RSS: first example, after all':<{w}}: {res['rss_shown']:6.0f} MB, "
          f"{res['rss']:.0f} MB after {2 * args.presses} approvals "
          f"({grown * 1024 / (2 * args.presses):.0f} KB per approval)")

    q = run_child("queue", project, near_end=args.rows - (args.pages + 5) * 100,
                  pages=args.pages)
    rss["queue"] = q["rss"]
    print(f"{'queue (pending), first page, process start':<{w}}: "
          f"{q['first']['total'] * 1000:6.0f} ms (app start to shown "
          f"{q['first']['app'] * 1000:.0f} ms; first id #{q['first']['first_id']:,})")
    print(f"{'queue (pending), `]` near the end':<{w}}: median "
          f"{statistics.median(q['forward']):5.1f} ms, max {max(q['forward']):5.1f} ms, "
          f"{len(q['forward'])} pages from #{q['pages'][0]:,} to #{q['pages'][-1]:,}")

    peak = max(rss.values())
    ok = peak < 300
    missed += [] if ok else ["peak RSS"]
    print(f"{'peak RSS of a TUI process':<{w}}: {peak:6.0f} MB ("
          + ", ".join(f"{k} {v:.0f}" for k, v in rss.items()) + f")  (target < 300 MB)  "
          f"{verdict(ok)}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {os.cpu_count()} CPUs, 1-minute load average {load_start:.1f} before the TUI "
          f"runs, {os.getloadavg()[0]:.1f} after (other work on the machine skews the tails)")
    print(f"targets missed: {', '.join(missed)}" if missed else "targets: all met")
    print(f"(bench process peak RSS {own:.0f} MB; project file "
          f"{os.path.getsize(project) / 1e6:.0f} MB; work folder {work})")


if __name__ == "__main__":
    main()
