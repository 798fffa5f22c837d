"""Shared test set-up: no network, no real home directory, paths to the data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SAMPLE_DATA = REPO / "sample_data"
SCHEMAS = REPO / "schemas"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Nothing a test runs may touch the real home directory or caches."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CURATOR_HOME", str(home / ".curator"))
    monkeypatch.setenv("HF_HOME", str(home / ".hf"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def project(tmp_path) -> Path:
    return tmp_path / "project.curator"


@pytest.fixture
def run_cli(capsysbinary):
    """Run the CLI in-process: returns (exit_code, stdout_text, stderr_text)."""
    from curator.cli import main

    def run(*args: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsysbinary.readouterr()
        return code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

    return run
