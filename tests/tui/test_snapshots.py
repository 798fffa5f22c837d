"""Snapshots of each screen (pytest-textual-snapshot; update with --snapshot-update and
look at the SVGs before committing them).

What would change between runs is pinned: the sample data is imported with paths
relative to the repository (tests/tui/conftest.py), the project file is always
project.curator, revision times come from a fixed clock, the session's rate per hour
is held at its floor, and no text cursor blinks.
"""

from __future__ import annotations

import math

import pytest
from textual.widgets import Input, TextArea

from curator.tui.screens.review import ReviewScreen
from tests.tui.conftest import (PREFERENCE, SIZE, TOOL_CALLS_ONLY, TRIAGE_INVALID_NESTED,
                                press, settle, type_text)

FIXED_NOW = "2026-03-14T09:26:53.589+00:00"


@pytest.fixture
def snap(snap_compare, make_app, monkeypatch):
    """snap(press=..., then=..., **build_app kwargs): compare the app's screen, after
    the keys and then `then(pilot)`, with the stored snapshot."""
    monkeypatch.setattr("curator.store.common.now", lambda: FIXED_NOW)

    def compare(*, keys=(), then=None, **kwargs) -> bool:
        app = make_app(**kwargs)
        # decisions / max(elapsed hours, 1 minute): with the start in the future the
        # elapsed time is negative, so the floor holds whatever the test takes
        app.session.started = math.inf

        async def run_before(pilot) -> None:
            await settle(pilot)
            await press(pilot, *keys)
            if then is not None:
                await then(pilot)
            await settle(pilot)
            for widget in pilot.app.screen.query("*"):
                if isinstance(widget, (TextArea, Input)):
                    widget.cursor_blink = False
            await pilot.pause()

        return snap_compare(app, terminal_size=SIZE, run_before=run_before)

    return compare


def review(example_id: int):
    async def open_it(pilot) -> None:
        await pilot.app.push_screen(ReviewScreen(pilot.app.session, example_id))
        await pilot.pause()
    return open_it


def test_queue(snap):
    assert snap()


def test_review_of_a_pair(snap):
    assert snap(open_first=True)


def test_review_of_a_chat_with_tool_calls(snap):
    assert snap(then=review(TOOL_CALLS_ONLY))


def test_review_of_a_preference_pair(snap):
    assert snap(then=review(PREFERENCE))


def test_review_of_an_invalid_output_with_its_errors(snap):
    assert snap(then=review(TRIAGE_INVALID_NESTED))


def test_help_of_the_review_screen(snap):
    assert snap(open_first=True, keys=["question_mark"])


def test_history_after_two_decisions_and_a_tag(snap):
    # approve #1, back, reject it, back, tag it, open its history
    async def tag_and_history(pilot) -> None:
        await press(pilot, "t")
        await type_text(pilot, "recheck")
        await press(pilot, "enter", "h")

    assert snap(open_first=True, keys=["a", "p", "r", "p"], then=tag_and_history)
