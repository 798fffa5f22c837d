"""What the commands share: the group, consoles, opening a project, progress, output."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import click
import orjson

from .. import __version__

FORMATS_HELP = "auto (by extension), jsonl, json, csv, parquet, hf (a save_to_disk folder)"


def _console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped output keeps whole rows rather than rich's 80-column default.
    width = None if stream.isatty() else 160
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def _open(project: Path, *, create: bool = False):
    from ..store import Store

    return Store.open(project, create=create)


def _print_json(data: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


project_argument = click.argument(
    "project", type=click.Path(dir_okay=False, path_type=Path), metavar="PROJECT")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="curator")
def cli() -> None:
    """curator: turn raw LLM example pairs into clean fine-tuning data.

    A project is one SQLite file. Import examples into it, label them, validate the
    outputs against JSON Schemas and export datasets for training.
    """


def default_annotator() -> str:
    import getpass

    return os.environ.get("CURATOR_ANNOTATOR") or getpass.getuser()


class _ImportProgress:
    """A rich progress bar on stderr, shown only once an import takes over half a second."""

    def __init__(self, console) -> None:
        self.console = console
        self.started = time.monotonic()
        self.bar = None
        self.tasks: dict[str, Any] = {}

    def update(self, path: str, done: int, total: int, unit: str) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < 0.5 or not total:
                return
            from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn,
                                       Progress, TextColumn, TimeRemainingColumn)

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                DownloadColumn() if unit == "bytes" else MofNCompleteColumn(),
                                TimeRemainingColumn(), console=self.console, transient=True)
            self.bar.start()
        if path not in self.tasks:
            self.tasks[path] = self.bar.add_task(Path(path).name, total=total)
        self.bar.update(self.tasks[path], completed=done, total=total)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def __enter__(self) -> _ImportProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Spinner:
    """A count on stderr, shown only when the work takes over half a second."""

    def __init__(self, console, label: str) -> None:
        self.console, self.label = console, label
        self.started = time.monotonic()
        self.status = None

    def update(self, done: int) -> None:
        if self.status is None and time.monotonic() - self.started > 0.5:
            self.status = self.console.status(f"{self.label}…")
            self.status.start()
        if self.status is not None:
            self.status.update(f"{self.label}: {done:,} done")

    def stop(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None

    def __enter__(self) -> _Spinner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _write_chunks(chunks, path: Path | None) -> None:
    """To stdout, or atomically to `path` (a temporary file renamed into place)."""
    if path is None:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        return
    from ..files import write_atomically

    write_atomically(path, chunks)

