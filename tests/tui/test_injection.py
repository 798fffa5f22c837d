"""Dataset text is shown, never obeyed: console markup stays literal, escape sequences
and control characters reach the terminal as visible symbols (or, in the editors, not
at all), and no hyperlink is emitted. Checked on what the app would write to the
terminal for each screen, and on the styles of the segments it draws."""

from __future__ import annotations

import io
import json
import re
import time

import pytest
from rich.console import Console
from textual.widgets import DataTable

from curator import review
from curator.ingest import import_files
from curator.store import Store
from curator.tui.app import build_app
from curator.tui.screens.history import HistoryScreen
from curator.tui.screens.modals import AskText, FilterDialog, TextViewer
from curator.tui.screens.review import ReviewScreen
from tests.tui.conftest import (SIZE, notifications, press, run, screen_text, screen_update,
                                settle, type_text, until)

MARKUP = "[bold red]x[/]"
LINK = "[link=http://evil.example]click[/link]"
QUOTED_LINK = '[link="http://evil.example"]quoted[/link]'
CLEAR = "\x1b[2J"  # clears the screen
OSC8 = "\x1b]8;;http://x\x07link\x1b]8;;\x07"  # a terminal hyperlink
CONTROLS = "bell\x07 nul\x00 bs\x08 cr\r del\x7f csi\x9b"
# one piece a line, so that wrapping never splits one
EVIL = "\n".join([MARKUP, LINK, QUOTED_LINK, f"clear{CLEAR}", f"osc{OSC8}", CONTROLS])
# how the conversation, dialogs and viewer show them
SHOWN = [MARKUP, LINK, QUOTED_LINK, "clear␛[2J", "osc␛]8;;http://x␇link␛]8;;␇",
         "bell␇ nul␀ bs␈ cr␍ del␡ csi\\x9b"]
EVIL_TASK = "[link=http://evil.example]task[/link]"

# What the terminal may legitimately get: styles (SGR) and cursor moves.
_OWN_ESCAPES = re.compile(r"\x1b\[[0-9;]*[mHf]")
_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_output(app) -> str:
    """The bytes the app would write to the terminal for the whole screen."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", legacy_windows=False, safe_box=False)
    return screen_update(app).render_segments(console)


def assert_inert(app) -> str:
    """No raw control character and no hyperlink reaches the terminal; returns the
    screen's text."""
    raw = _OWN_ESCAPES.sub("", terminal_output(app))
    leaks = [repr(raw[max(0, m.start() - 15):m.end() + 15]) for m in _RAW.finditer(raw)]
    assert not leaks, f"raw control characters reach the terminal: {leaks[:5]}"
    links = [segment for line in screen_update(app).strips for strip in line
             for segment in strip if segment.style is not None and segment.style.link]
    assert not links, f"hyperlinks emitted: {links[:3]}"
    return screen_text(app)


def assert_shown(text: str, pieces=SHOWN) -> None:
    for piece in pieces:
        assert piece in text, f"{piece!r} is not shown literally"


@pytest.fixture
def evil_project(tmp_path):
    (tmp_path / "pairs.jsonl").write_text(
        json.dumps({"prompt": "P\n" + EVIL, "completion": "O\n" + EVIL}) + "\n")
    (tmp_path / "chats.jsonl").write_text(json.dumps({"messages": [
        {"role": "system", "content": "S\n" + EVIL},
        {"role": "user", "content": "U\n" + EVIL},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": LINK, "type": "function",
             "function": {"name": MARKUP, "arguments": json.dumps({"q": EVIL})}}]},
        {"role": "tool", "tool_call_id": LINK, "name": QUOTED_LINK, "content": "T\n" + EVIL},
        {"role": "assistant", "content": "A\n" + EVIL}]}) + "\n")
    (tmp_path / "prefs.jsonl").write_text(json.dumps(
        {"prompt": "Q\n" + EVIL, "chosen": "C\n" + EVIL, "rejected": "R\n" + EVIL}) + "\n")
    project = tmp_path / "evil.curator"
    with Store.open(project, create=True) as store:
        import_files(store, [tmp_path / "pairs.jsonl"], task="pairs")
        import_files(store, [tmp_path / "chats.jsonl"], task=EVIL_TASK)
        import_files(store, [tmp_path / "prefs.jsonl"], task="prefs")
        for example_id in (1, 2, 3):
            review.set_tags(store, example_id, [MARKUP, LINK, f"tag{CLEAR}{OSC8}"],
                            annotator="mallory")
            review.set_note(store, example_id, "note " + EVIL, annotator="mallory")
    return project


def test_the_queue_shows_markup_and_escapes_literally(evil_project):
    async def body():
        app = build_app(evil_project, annotator="ann")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            text = assert_inert(app)
            assert_shown(text, [EVIL_TASK, f"{MARKUP}, {LINK}, tag␛[2J␛]8;;"])
            preview = str(app.screen.query_one(DataTable).get_row_at(0)[6])  # scrolled off
            assert preview.startswith(f"P {MARKUP} {LINK} {QUOTED_LINK} clear␛[2J osc␛]8;;")

            await press(pilot, "f")  # the filter dialog lists the task names as text
            assert isinstance(app.screen, FilterDialog)
            app.screen.query_one("#task").focus()
            await press(pilot, "enter")
            assert_shown(assert_inert(app), [EVIL_TASK])
    run(body)


def test_review_screens_show_markup_and_escapes_literally(evil_project):
    async def body():
        app = build_app(evil_project, annotator="ann", open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            # a pair: the prompt, the tags and note line, the control-character warning
            text = assert_inert(app)
            assert_shown(text)
            assert f"tags: {MARKUP}, {LINK}, tag␛[2J␛]8;;http://x␇link␛]8;;␇" in text
            assert f"note: note {MARKUP}" in text  # the note's lines joined, then wrapped
            assert "the text holds control characters the editor does not show" in text
            # the editor draws the output without its control characters...
            assert "clear[2J" in text and "osc]8;;http://xlink]8;;" in text
            await press(pilot, "a")
            with Store.open(evil_project) as store:  # ...and keeps them
                assert store.get_example(1).output == "O\n" + EVIL
                assert store.revisions(1)[-1].after == {"status": "approved"}

            # a chat with tool calls
            assert app.screen.example.kind == "chat"
            text = assert_inert(app)
            assert_shown(text)
            assert f"#2 {EVIL_TASK}" in text
            assert f"─ tool result · {LINK} · " in text  # a border title (then clipped)
            assert f"→ {MARKUP}  [{LINK}]" in text

            await press(pilot, "n")  # a preference pair: both editors
            assert app.screen.example.kind == "preference"
            text = assert_inert(app)
            assert_shown(text)
            await press(pilot, "a")
            with Store.open(evil_project) as store:  # both sides kept as they were
                example = store.get_example(3)
                assert (example.output, example.rejected) == ("C\n" + EVIL, "R\n" + EVIL)
                assert store.revisions(3)[-1].after == {"status": "approved"}
    run(body)


def test_dialogs_and_the_viewer_show_markup_and_escapes_literally(evil_project):
    async def body():
        app = build_app(evil_project, annotator="ann", open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await press(pilot, "t")  # starts from the example's tags
            assert isinstance(app.screen, AskText)
            await press(pilot, "home")
            assert_shown(assert_inert(app), [f"{MARKUP}, {LINK}, ta"])
            await press(pilot, "end")
            assert_shown(assert_inert(app), ["tag[2J]8;;http://xlink]8;;"])
            await press(pilot, "escape", "N")
            await press(pilot, "home")
            assert_shown(assert_inert(app), [f"note {MARKUP}"])
            await press(pilot, "escape")

            await press(pilot, "h")
            assert isinstance(app.screen, HistoryScreen)
            text = assert_inert(app)
            assert f"tags: [] → ['{MARKUP}', '{LINK}', 'ta" in text  # clipped
            assert f"mallory  note    3  note: None → note {MARKUP}" in text

            await press(pilot, "escape", "v")
            assert isinstance(app.screen, TextViewer)
            assert_shown(assert_inert(app))
            await press(pilot, "escape")
            assert isinstance(app.screen, ReviewScreen)
    run(body)


def test_typed_markup_in_a_notification_is_plain_text(evil_project):
    """A search or tag with markup reaches notifications ("at the end of the queue
    (search=...)"); with markup parsed, "[/]" crashed the app."""
    async def body():
        app = build_app(evil_project, annotator="ann", task="prefs")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await press(pilot, "slash")
            await type_text(pilot, "quoted [/] [bold]")
            await press(pilot, "enter")
            await settle(pilot)
            assert [row["id"] for row in app.screen.rows] == [3]
            await press(pilot, "enter", "n")  # the last one: "at the end of the queue"
            await until(pilot, lambda: any(m.startswith("at the end of the queue")
                                           for m in notifications(app)))
            assert any(m.startswith("at the end of the queue") and "[/]" in m
                       for m in notifications(app))
            text = assert_inert(app)
            assert "search=quoted [/] [bold]" in text  # the toast, as typed
    run(body)


def test_a_300_kb_prompt_opens_quickly_clipped(tmp_path):
    prompt = "\n".join(f"line {i:05d} " + "lorem ipsum dolor sit amet " * 3
                       for i in range(3_400))
    assert len(prompt) > 300_000
    (tmp_path / "big.jsonl").write_text(json.dumps({"prompt": prompt,
                                                    "completion": "short"}) + "\n")
    project = tmp_path / "big.curator"
    with Store.open(project, create=True) as store:
        import_files(store, [tmp_path / "big.jsonl"], task="big")

    async def body():
        app = build_app(project, annotator="ann")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            started = time.perf_counter()
            await press(pilot, "enter")
            assert isinstance(app.screen, ReviewScreen)
            text = screen_text(app)
            elapsed = time.perf_counter() - started
            assert elapsed < 3, f"the review screen took {elapsed:.1f} s"
            assert "line 00000" in text
            app.screen.query_one("#conversation").scroll_end(animate=False)
            await pilot.pause()
            assert "more characters: press v to view all" in screen_text(app)
            await press(pilot, "v")  # the viewer has all of it
            assert app.screen.query_one("#viewer-text").text == prompt
    run(body)
