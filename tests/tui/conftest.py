"""Shared set-up for the TUI tests: a project with the four sample tasks, built once
per test session (imported with paths relative to the repository, so the source path
the review screen shows is the same on every machine) and copied for each test."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual import events
from textual.keys import _character_to_key

from curator.ingest import import_files
from curator.store import Store
from curator.tui.app import CuratorApp, build_app
from curator.validation import validate_project
from tests.conftest import REPO

SIZE = (140, 40)
ANNOTATOR = "ann"

# Like dev.py's SAMPLE_IMPORTS: ids 1-150 support_triage (pairs with a schema),
# 151-250 product_attributes (csv, mapped), 251-330 tool_calls (chats),
# 331-370 reply_preference (preference pairs).
SAMPLE_IMPORTS = [
    dict(paths=["sample_data/support_tickets.jsonl"], task="support_triage",
         schema="schemas/support_ticket_triage.schema.json",
         guidelines="sample_data/guidelines/support_ticket_triage.md"),
    dict(paths=["sample_data/product_listings.csv"], task="product_attributes",
         mapping=["prompt=listing", "output=attributes"],
         schema="schemas/product_attributes.schema.json",
         guidelines="sample_data/guidelines/product_attributes.md"),
    dict(paths=["sample_data/tool_calls.jsonl"], task="tool_calls",
         guidelines="sample_data/guidelines/tool_calls.md"),
    dict(paths=["sample_data/preferences.json"], task="reply_preference",
         guidelines="sample_data/guidelines/preferences.md"),
]

TRIAGE_INVALID = 5  # its output has "priority": "Medium" (not in the enum)
TRIAGE_INVALID_NESTED = 35  # error at /entities/order_ids/0
TOOL_CALLS_ONLY = 251  # the reply is only tool calls (no content)
TOOL_CALLS_INVALID = 252  # "duration_minutes": "90" is not an integer
PREFERENCE = 331
TOTAL = 370


def _import_samples(project: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        store = Store.open(project, create=True)
        try:
            for spec in SAMPLE_IMPORTS:
                spec = dict(spec)
                paths = [Path(p) for p in spec.pop("paths")]
                for key in ("schema", "guidelines"):
                    if key in spec:
                        spec[key] = Path(spec[key])
                import_files(store, paths, **spec)
            validate_project(store)
            store.sync_search()
        finally:
            store.close()


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("template") / "project.curator"
    _import_samples(project)
    return project


@pytest.fixture
def sample_project(sample_template, tmp_path) -> Path:
    """A fresh copy of the sample project, named project.curator."""
    project = tmp_path / "project.curator"
    shutil.copyfile(sample_template, project)
    return project


@pytest.fixture
def make_app(sample_project) -> Callable[..., CuratorApp]:
    def make(project: Path | None = None, **kwargs) -> CuratorApp:
        kwargs.setdefault("annotator", ANNOTATOR)
        return build_app(project or sample_project, **kwargs)

    return make


def run(test: Callable[[], Awaitable[None]]) -> None:
    """pytest-asyncio is not a dependency: run an async test body to completion."""
    asyncio.run(test())


def fresh(project: Path):
    """What another process would read now: a new connection."""
    return Store.open(project)


def notifications(app) -> list[str]:
    """The messages of the notifications the app has shown (and not yet reaped)."""
    return [n.message for n in app._notifications]


def screen_update(app):
    """What the app would draw for its current screen (modals over their background)."""
    return app.screen._compositor.render_update(full=True,
                                                screen_stack=app._background_screens)


def screen_text(app) -> str:
    """The screen as plain text, one line per row."""
    return "\n".join("".join(segment.text for strip in line for segment in strip)
                     for line in screen_update(app).strips)


async def settle(pilot) -> None:
    """Let workers (the queue loads pages in a thread) finish and the screen update."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot, condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Wait for a debounced UI update (live errors re-check 0.15 s after typing stops):
    on a busy machine a fixed pause is not always long enough."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


def _key_event(app, key: str) -> events.Key:
    char = key if len(key) == 1 else None
    if char is not None and not char.isalnum():
        key = _character_to_key(char)
    event = events.Key(key, char)
    event.set_sender(app)
    return event


async def press(pilot, *keys: str) -> None:
    """pilot.press, waiting for the app to go idle once per key instead of twice (the
    app has no animations to wait for): the tests press a few hundred keys."""
    for key in keys:
        await pilot.app._post_message(_key_event(pilot.app, key))
        await pilot.pause()


async def type_text(pilot, text: str) -> None:
    """Type `text` into the focused input as key events, in order, then let the app
    catch up: a fast typist. Only for characters: a key that is a binding is handled
    before the characters queued ahead of it, so use press() for those."""
    for char in text:
        await pilot.app._post_message(_key_event(pilot.app, char))
    await pilot.pause()
