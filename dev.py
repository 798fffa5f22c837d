#!/usr/bin/env python3
"""Set-up in one command, with nothing but Python 3.11+ (stdlib only).

    python3 dev.py demo   # install, import the sample data into demo.db, label it in the TUI
    python3 dev.py test   # install with test extras, run the whole test suite
    python3 dev.py bench  # run the benchmarks (slow: 1,000,000-row data sets)

Each makes (or reuses) a virtual environment in .venv and reinstalls only when
pyproject.toml changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
DEMO = ROOT / "demo.db"

SAMPLE_IMPORTS = [
    ["sample_data/support_tickets.jsonl", "--task", "support_triage",
     "--schema", "schemas/support_ticket_triage.schema.json",
     "--guidelines", "sample_data/guidelines/support_ticket_triage.md"],
    ["sample_data/product_listings.csv", "--task", "product_attributes",
     "--map", "prompt=listing", "--map", "output=attributes",
     "--schema", "schemas/product_attributes.schema.json",
     "--guidelines", "sample_data/guidelines/product_attributes.md"],
    ["sample_data/tool_calls.jsonl", "--task", "tool_calls",
     "--guidelines", "sample_data/guidelines/tool_calls.md"],
    ["sample_data/preferences.json", "--task", "reply_preference",
     "--guidelines", "sample_data/guidelines/preferences.md"],
]


def run(*args: str | Path, **kwargs) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, **kwargs)
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"curator needs Python 3.11 or newer (this is {sys.version.split()[0]})")
    if not PYTHON.exists():
        print(f"creating {VENV} ...", file=sys.stderr)
        venv.create(VENV, with_pip=True)
    spec = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    marker = VENV / f".installed-{extras or 'base'}"
    if marker.exists() and marker.read_text() == spec:
        return
    print("installing curator and its dependencies ...", file=sys.stderr)
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", target)
    marker.write_text(spec)


def demo() -> None:
    ensure_venv("")
    curator = BIN / "curator"
    for args in SAMPLE_IMPORTS:  # re-running adds nothing: imports dedupe by content
        run(curator, "import", DEMO, *args)
    # verdicts first, so the queue shows which outputs break their schema
    run(curator, "validate", DEMO, "--fail-under", "0", stdout=subprocess.DEVNULL)
    if not sys.stdin.isatty():
        print("not a terminal: showing the project instead of the labeling TUI",
              file=sys.stderr)
        run(curator, "stats", DEMO)
        return
    run(curator, "label", DEMO)


def test(pytest_args: list[str]) -> None:
    ensure_venv("test")
    env = dict(os.environ, HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1")
    run(PYTHON, "-m", "pytest", *(pytest_args or ["-q"]), env=env)


def bench() -> None:
    ensure_venv("test")
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        run(PYTHON, script)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "demo":
        demo()
    elif command == "test":
        test(sys.argv[2:])
    elif command == "bench":
        bench()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
