"""Every key of the queue, review, help and history screens, driven through Textual's
Pilot, with what it did checked in the project file through a new connection (what
another process would read). Tests walk through several keys each: an app start costs
about a second."""

from __future__ import annotations

import orjson
import pytest
from rich.table import Table
from textual.widgets import DataTable, Input, Markdown, Select, Static, TextArea
from textual.widgets.text_area import Selection

from curator import review
from curator.jsonpos import locate
from curator.tui.screens.help import HelpScreen
from curator.tui.screens.history import HistoryScreen
from curator.tui.screens.modals import AskText, ConfirmInvalid, FilterDialog, TextViewer
from curator.tui.screens.queue import QueueScreen
from curator.tui.screens.review import ReviewScreen
from curator.tui.widgets.diff import DiffView
from curator.tui.widgets.errors import ErrorsPanel
from tests.tui.conftest import (ANNOTATOR, PREFERENCE, SIZE, TOOL_CALLS_INVALID,
                                TOOL_CALLS_ONLY, TOTAL, TRIAGE_INVALID,
                                TRIAGE_INVALID_NESTED, fresh, notifications, press, run,
                                screen_text, settle, type_text, until)

OUTPUT = review.OUTPUT  # the draft field of the response


async def open_review(pilot, example_id: int) -> ReviewScreen:
    """Show one example (as Enter on its queue row does)."""
    app = pilot.app
    await app.push_screen(ReviewScreen(app.session, example_id))
    await pilot.pause()
    assert shown_id(app) == example_id
    return app.screen


def editor_of(app, which: str = "#editor") -> TextArea:
    return app.screen.query_one(which, TextArea)


async def retype(pilot, editor: TextArea, old: str, new: str) -> None:
    """Change the first `old` in the editor to `new` as an annotator would: select the
    part that differs (as shift+arrows would) and type its replacement."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < min(len(old), len(new)) - prefix
           and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]):
        suffix += 1
    text = editor.text
    start = text.index(old) + prefix
    end = text.index(old) + len(old) - suffix

    def location(offset: int) -> tuple[int, int]:
        return text.count("\n", 0, offset), offset - (text.rfind("\n", 0, offset) + 1)

    editor.selection = Selection(location(start), location(end))
    await type_text(pilot, new[prefix:len(new) - suffix])


def shown_id(app) -> int:
    assert isinstance(app.screen, ReviewScreen), app.screen
    return app.screen.example.id


def queue_ids(app) -> list[int]:
    assert isinstance(app.screen, QueueScreen), app.screen
    return [row["id"] for row in app.screen.rows]


# -- decisions ------------------------------------------------------------------------

def test_a_r_s_f_commit_the_decision_and_show_the_next_example(make_app, sample_project):
    async def body():
        app = make_app(open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            for example_id, key in enumerate("arsf", start=1):
                assert shown_id(app) == example_id
                await press(pilot, key)
                await pilot.pause()
                assert shown_id(app) == example_id + 1
                assert f"#{example_id + 1} support_triage" in screen_text(app)
            with fresh(sample_project) as store:  # committed, not just in memory
                for example_id, (action, status) in enumerate(
                        [("approve", "approved"), ("reject", "rejected"),
                         ("skip", "skipped"), ("flag", "flagged")], start=1):
                    example = store.get_example(example_id)
                    assert (example.status, example.version) == (status, 2)
                    (revision,) = store.revisions(example_id)
                    assert (revision.action, revision.annotator, revision.after) == (
                        action, ANNOTATOR, {"status": status})
                assert store.get_example(5).status == "pending"
            assert app.changed == {1, 2, 3, 4}  # the queue is told to refresh the rows
            assert "done 4 · remaining 366" in screen_text(app)
    run(body)


def test_edit_save_and_approve_keep_the_original_in_the_history(make_app, sample_project):
    async def body():
        app = make_app(open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            editor = editor_of(app)
            original = editor.text
            await press(pilot, "e")
            assert app.focused is editor
            await retype(pilot, editor, '"sentiment": "negative"', '"sentiment": "neutral"')
            await press(pilot, "ctrl+s")  # saves from inside the editor, without deciding
            assert shown_id(app) == 1 and "edit saved" in notifications(app)
            saved = original.replace('"negative"', '"neutral"', 1)
            assert editor.text == saved
            with fresh(sample_project) as store:
                example = store.get_example(1)
                assert (example.output, example.status, example.version) == (
                    saved, "pending", 2)
                (revision,) = store.revisions(1)
                assert (revision.action, revision.annotator) == ("edit", ANNOTATOR)
            await press(pilot, "ctrl+s")
            assert "nothing to save" in notifications(app)

            await press(pilot, "e")
            await retype(pilot, editor, '"priority": "high"', '"priority": "low"')
            edited = saved.replace('"priority": "high"', '"priority": "low"', 1)
            assert editor.text == edited
            await press(pilot, "escape")  # leaves the editor, not the screen
            assert shown_id(app) == 1 and app.focused is not editor
            assert editor.text == edited
            await press(pilot, "a")
            assert shown_id(app) == 2
        with fresh(sample_project) as store:
            example = store.get_example(1)
            assert (example.status, example.output) == ("approved", edited)
            assert review.original_output(store, example) == original
            revisions = store.revisions(1)
            assert [(r.action, r.annotator) for r in revisions] == [
                ("edit", ANNOTATOR), ("approve", ANNOTATOR)]
            assert revisions[1].before == {"status": "pending", "output": saved}
            assert store.get_draft(1, ANNOTATOR, OUTPUT) is None  # the draft went with it
    run(body)


def test_approving_an_invalid_output_asks_for_a_reason(make_app, sample_project):
    async def body():
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await open_review(pilot, TRIAGE_INVALID)
            await press(pilot, "a")
            assert isinstance(app.screen, ConfirmInvalid)
            assert "/priority" in screen_text(app)
            await press(pilot, "escape")  # the default: go back and fix it
            assert shown_id(app) == TRIAGE_INVALID
            assert app.focused is editor_of(app)
            with fresh(sample_project) as store:
                assert store.get_example(TRIAGE_INVALID).status == "pending"
                assert store.revisions(TRIAGE_INVALID) == []

            await press(pilot, "escape", "a")  # leave the editor, approve again
            assert isinstance(app.screen, ConfirmInvalid)
            await pilot.click("#approve")  # no reason yet: refused
            assert isinstance(app.screen, ConfirmInvalid)
            assert "give a reason to approve an invalid output" in notifications(app)
            assert app.focused is app.screen.query_one("#reason", Input)
            await type_text(pilot, "known upstream casing")
            await pilot.pause(0.25)  # a button ignores clicks during its 0.2 s press effect
            await pilot.click("#approve")
            await pilot.pause()
            assert shown_id(app) == TRIAGE_INVALID + 1
        with fresh(sample_project) as store:
            example = store.get_example(TRIAGE_INVALID)
            assert example.status == "approved"
            (revision,) = store.revisions(TRIAGE_INVALID)
            assert (revision.action, revision.reason, revision.annotator) == (
                "approve", "known upstream casing", ANNOTATOR)
    run(body)


def test_n_and_p_move_and_u_undoes(make_app, sample_project):
    async def body():
        app = make_app(open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await press(pilot, "p")  # nothing before the first
            assert shown_id(app) == 1
            assert any(m.startswith("at the start of the queue") for m in notifications(app))
            await press(pilot, "n", "n")
            assert shown_id(app) == 3
            await press(pilot, "p")
            assert shown_id(app) == 2
            with fresh(sample_project) as store:  # moving changes nothing
                assert [store.get_example(i).version for i in (1, 2, 3)] == [1, 1, 1]

            await press(pilot, "r")
            assert shown_id(app) == 3
            await press(pilot, "u")
            await pilot.pause()
            assert shown_id(app) == 2  # shows the example it undid
            with fresh(sample_project) as store:
                assert store.get_example(2).status == "pending"
                assert [(r.action, r.annotator) for r in store.revisions(2)] == [
                    ("reject", ANNOTATOR), ("undo", ANNOTATOR)]
            await press(pilot, "u")
            assert "nothing to undo in this session" in notifications(app)
    run(body)


# -- the queue ---------------------------------------------------------------------------

def test_slash_in_review_searches_in_the_queue(make_app, sample_project):
    async def body():
        app = make_app(open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await press(pilot, "/")
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
            search = app.screen.query_one("#search", Input)
            assert search.display and app.focused is search
            await type_text(pilot, "refund")
            await press(pilot, "enter")
            await settle(pilot)
            with fresh(sample_project) as store:
                expected = [r["id"] for r in store.list_examples(search="refund", limit=500)]
            assert 0 < len(expected) < 100
            assert queue_ids(app) == expected
            assert "search=refund" in screen_text(app)
            await press(pilot, "enter")  # Enter on the results opens the first
            assert shown_id(app) == expected[0]
            await press(pilot, "n")  # and the review moves within the results
            assert shown_id(app) == expected[1]
            await press(pilot, "escape")
            await settle(pilot)
            await press(pilot, "escape")  # clears the search
            await settle(pilot)
            assert queue_ids(app) == list(range(1, 101))
            assert not app.screen.query_one("#search", Input).display
    run(body)


def test_filter_dialog(make_app, sample_project):
    with fresh(sample_project) as store:
        for example_id in (3, 140, 300):
            review.decide(store, example_id, "approve", annotator="bob")
        review.set_tags(store, 260, ["hard"], annotator="bob")
        review.set_tags(store, 2, ["hard"], annotator="bob")

    async def body():
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "]")  # on the second page: a filter starts from the top
            await settle(pilot)
            await press(pilot, "f")
            dialog = app.screen
            assert isinstance(dialog, FilterDialog)
            status = dialog.query_one("#status", Select)
            assert app.focused is status and status.value is Select.NULL
            # open the list (any status, pending, approved, ...) and pick "approved"
            await press(pilot, "enter", "down", "down", "enter")
            assert status.value == "approved"
            await pilot.click("#apply")
            await settle(pilot)
            assert queue_ids(app) == [3, 140, 300]
            assert "status=approved" in screen_text(app)

            await press(pilot, "f")  # Escape cancels: the filter stays
            assert app.screen.query_one("#status", Select).value == "approved"
            await press(pilot, "escape")
            await settle(pilot)
            assert queue_ids(app) == [3, 140, 300]

            await press(pilot, "f")
            await pilot.click("#clear")
            await settle(pilot)
            assert queue_ids(app) == list(range(1, 101))

            await press(pilot, "f")  # a task and a tag; Enter in the tag box applies
            app.screen.query_one("#task", Select).value = "tool_calls"
            app.screen.query_one("#tag", Input).focus()
            await type_text(pilot, "hard")
            await press(pilot, "enter")
            await settle(pilot)
            assert queue_ids(app) == [260]
            assert (app.session.filter.task, app.session.filter.tag) == ("tool_calls", "hard")
            assert "task=tool_calls tag=hard" in screen_text(app)
    run(body)


def test_paging_with_brackets_and_back_from_review(make_app):
    async def body():
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert queue_ids(app) == list(range(1, 101))
            assert "ids 1–100" in screen_text(app)
            await press(pilot, "]")
            await settle(pilot)
            assert queue_ids(app) == list(range(101, 201))
            assert "ids 101–200" in screen_text(app)
            await press(pilot, "]")
            await settle(pilot)
            await press(pilot, "]")
            await settle(pilot)
            assert queue_ids(app) == list(range(301, TOTAL + 1))
            await press(pilot, "]")  # past the end: stays
            await settle(pilot)
            assert queue_ids(app) == list(range(301, TOTAL + 1))
            assert "no more examples that way" in notifications(app)
            await press(pilot, "[")
            await settle(pilot)
            assert queue_ids(app) == list(range(201, 301))
            await press(pilot, "ctrl+r")  # reload: back to the first page
            await settle(pilot)
            assert queue_ids(app) == list(range(1, 101))

            await press(pilot, "down", "enter")  # opens the row under the cursor
            assert shown_id(app) == 2
            await press(pilot, "f", "escape")  # flag it, back to the queue
            await settle(pilot)
            assert app.screen.rows[1]["status"] == "flagged"
            assert str(app.screen.query_one(DataTable).get_row_at(1)[3]) == "flagged"
            await press(pilot, "q")  # quits from the queue
            assert app._exit
    run(body)


# -- tags, note, panels ------------------------------------------------------------------

def test_g_toggles_the_guidelines_d_the_diff_and_F_formats(make_app, sample_project):
    async def body():
        app = make_app(open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            guidelines = app.screen.query_one(Markdown)
            diff = app.screen.query_one(DiffView)
            assert not guidelines.display and not diff.display
            await press(pilot, "g")
            assert guidelines.display
            assert "Guidelines: support ticket triage" in screen_text(app)
            await press(pilot, "g", "d")
            assert not guidelines.display and diff.display
            assert "no changes to the original output" in screen_text(app)
            await press(pilot, "e")
            editor = editor_of(app)
            await retype(pilot, editor, '"priority": "high"', '"priority": "low"')
            # the live check (and the diff) follow typing, after a short quiet time
            assert await until(pilot, lambda: '+{"category"' in screen_text(app))
            text = screen_text(app)
            assert "diff against the original" in text and '+{"category"' in text
            await press(pilot, "escape", "d")
            assert not diff.display

            typed = editor.text
            assert "\n" not in typed
            await press(pilot, "F")
            await settle(pilot)
            expected = orjson.dumps(orjson.loads(typed), option=orjson.OPT_INDENT_2).decode()
            assert editor.text == expected and '\n  "priority": "low",' in expected
            with fresh(sample_project) as store:  # kept as a draft until decided
                assert store.get_draft(1, ANNOTATOR, OUTPUT)[0] == expected
                assert store.revisions(1) == []
    run(body)


def test_j_jumps_to_the_first_error_in_an_output_or_a_tool_call(make_app, sample_project):
    async def body():
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await open_review(pilot, TRIAGE_INVALID_NESTED)
            editor = editor_of(app)
            assert editor.cursor_location == (0, 0)
            assert "/entities/order_ids/0" in screen_text(app)
            await press(pilot, "j")
            expected = locate(editor.text, "/entities/order_ids/0")
            assert expected is not None and expected != (0, 0)
            assert app.focused is editor
            assert editor.cursor_location == expected
            assert editor.text[expected[1]:].startswith('"ORD437145"')

            await press(pilot, "escape", "w", "E")  # a pair has no sides to swap or edit
            assert "only a preference pair has two sides to swap" in notifications(app)
            assert not isinstance(app.focused, TextArea)
            with fresh(sample_project) as store:
                assert store.revisions(TRIAGE_INVALID_NESTED) == []

            # a tool call's error points into its arguments
            await open_review(pilot, TOOL_CALLS_INVALID)
            editor = editor_of(app)
            assert "/duration_minutes" in screen_text(app)
            await press(pilot, "j")
            row, column = editor.cursor_location
            assert editor.document.get_line(row)[column:].startswith('"90"')
            await retype(pilot, editor, '"90"', "90")
            assert await until(pilot, lambda: app.screen.query_one(ErrorsPanel).border_title
                               == "valid")
            await press(pilot, "escape", "a")
        with fresh(sample_project) as store:
            example = store.get_example(TOOL_CALLS_INVALID)
            assert example.status == "approved"
            assert orjson.loads(example.tool_calls[0].arguments)["duration_minutes"] == 90
    run(body)


def test_w_swaps_a_preference_pair_and_E_edits_the_rejected_side(make_app, sample_project):
    async def body():
        app = make_app(task="reply_preference", open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert shown_id(app) == PREFERENCE
            chosen, rejected = editor_of(app), editor_of(app, "#rejected-editor")
            assert rejected.display
            assert (chosen.border_title, rejected.border_title) == ("chosen", "rejected")
            old_chosen, old_rejected = chosen.text, rejected.text
            await press(pilot, "F")  # prose is not JSON
            assert any(m.startswith("not JSON, cannot format") for m in notifications(app))
            assert chosen.text == old_chosen

            await press(pilot, "w")
            assert (chosen.text, rejected.text) == (old_rejected, old_chosen)
            with fresh(sample_project) as store:
                example = store.get_example(PREFERENCE)
                assert (example.output, example.rejected) == (old_rejected, old_chosen)
                assert store.revisions(PREFERENCE)[-1].action == "swap"

            await press(pilot, "E")
            assert app.focused is rejected
            rejected.move_cursor((0, 0))
            await type_text(pilot, "Sorry: ")
            await press(pilot, "ctrl+s")  # saves without deciding
            assert "edit saved" in notifications(app)
            with fresh(sample_project) as store:
                example = store.get_example(PREFERENCE)
                assert example.rejected == "Sorry: " + old_chosen
                assert (example.output, example.status) == (old_rejected, "pending")
    run(body)


# -- history, viewer, help, quit ------------------------------------------------------

def test_t_and_N_store_tags_and_a_note_h_shows_them_R_and_i_revert(make_app,
                                                                   sample_project):
    async def body():
        app = make_app(open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await press(pilot, "h")
            assert isinstance(app.screen, HistoryScreen)
            assert "no changes since import" in screen_text(app)
            await press(pilot, "i")  # nothing to revert
            assert "already in that state" in notifications(app)

            await press(pilot, "t")
            assert isinstance(app.screen, AskText)
            await type_text(pilot, "urgent, billing")
            await press(pilot, "enter")
            assert shown_id(app) == 1
            await press(pilot, "N")
            assert isinstance(app.screen, AskText)
            await type_text(pilot, "check the order id")
            await press(pilot, "enter")
            assert "tags: billing, urgent   note: check the order id" in screen_text(app)
            await press(pilot, "t")  # the dialog starts from the tags; Escape cancels
            assert app.screen.query_one("#answer", Input).value == "billing, urgent"
            await press(pilot, "backspace", "escape")
            with fresh(sample_project) as store:
                example = store.get_example(1)
                assert (example.tags, example.note, example.status) == (
                    ["billing", "urgent"], "check the order id", "pending")

            await press(pilot, "h")
            assert isinstance(app.screen, HistoryScreen)
            table = app.screen.query_one(DataTable)
            assert [(str(table.get_row_at(i)[2]), str(table.get_row_at(i)[3]))
                    for i in range(table.row_count)] == [(ANNOTATOR, "tag"),
                                                         (ANNOTATOR, "note")]
            text = screen_text(app)
            assert "History of #1" in text and "tags: [] → ['billing', 'urgent']" in text
            assert "note: None → check the order id" in text
            await press(pilot, "R")  # back to right after the first: the tags
            assert shown_id(app) == 1
            with fresh(sample_project) as store:
                example = store.get_example(1)
                assert (example.tags, example.note) == (["billing", "urgent"], None)
                assert store.revisions(1)[-1].reason == "revert to revision 1"
            assert "tags: billing, urgent   note: -" in screen_text(app)

            await press(pilot, "h")
            assert app.screen.query_one(DataTable).row_count == 3
            await press(pilot, "i")  # to as imported
            with fresh(sample_project) as store:
                example = store.get_example(1)
                assert (example.tags, example.note, example.version) == ([], None, 5)
                assert store.revisions(1)[-1].reason == "revert to revision import"
            assert "tags: -   note: -" in screen_text(app)

            await press(pilot, "h", "escape")  # Escape and q close without a change
            assert shown_id(app) == 1
            await press(pilot, "h", "q")
            assert shown_id(app) == 1
        with fresh(sample_project) as store:
            assert [r.action for r in store.revisions(1)] == ["tag", "note", "revert",
                                                              "revert"]
    run(body)


def _help_entries(app) -> tuple[list[str], list[str]]:
    (table,) = [w.content for w in app.screen.query(Static) if isinstance(w.content, Table)]
    keys, does = ([str(cell) for cell in column._cells] for column in table.columns)
    return keys, does


def test_question_mark_lists_the_keys_v_shows_all_the_text_q_quits(make_app,
                                                                   sample_project):
    async def body():
        app = make_app(open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await press(pilot, "v")
            assert isinstance(app.screen, TextViewer)
            with fresh(sample_project) as store:
                prompt = store.get_example(1).prompt
            assert app.screen.query_one(TextArea).text == prompt
            assert "#1 in full" in screen_text(app)
            await press(pilot, "v")  # v, q and Escape close it
            assert shown_id(app) == 1
            await press(pilot, "v", "q")
            assert shown_id(app) == 1
            await press(pilot, "v", "escape")
            assert shown_id(app) == 1

            for name in ("review", "queue"):
                screen = app.screen
                await press(pilot, "question_mark")
                assert isinstance(app.screen, HelpScreen) and app.screen.of is screen
                text = screen_text(app)
                assert f"Keys: {name}" in text
                assert screen.BINDINGS[0].description in text
                keys, does = _help_entries(app)  # all of them (it scrolls when small)
                assert [b.description for b in screen.BINDINGS] == does[:len(screen.BINDINGS)]
                assert "q" in keys and "Quit" in does  # and the app's
                if name == "review":  # Escape, q and ? close it
                    await press(pilot, "escape", "question_mark", "q")
                    assert app.screen is screen
                    await press(pilot, "question_mark", "question_mark")
                    assert app.screen is screen
                    await press(pilot, "escape")  # review -> queue
                    await settle(pilot)
                else:
                    await press(pilot, "escape")
                    assert app.screen is screen
            await press(pilot, "q")
            assert app._exit
    run(body)


# -- drafts ------------------------------------------------------------------------------

def test_an_unsaved_edit_is_kept_as_a_draft_and_restored(make_app, sample_project):
    async def body():
        app = make_app(open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            editor = editor_of(app)
            await press(pilot, "e")
            await retype(pilot, editor, '"language": "en"', '"language": "de"')
            typed = editor.text
            await pilot.pause(1.7)  # the draft is written 1.5 s after the last key
            await settle(pilot)
            with fresh(sample_project) as store:
                assert store.get_draft(1, ANNOTATOR, OUTPUT) == (typed, 1)
                assert store.get_example(1).output != typed
            app.exit()  # as if the terminal closed: nothing else is saved

        again = make_app(open_first=True)
        async with again.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert shown_id(again) == 1
            assert editor_of(again).text == typed
            assert "restored your unsaved edit of this example" in notifications(again)
            await press(pilot, "a")  # deciding commits the draft's text
        with fresh(sample_project) as store:
            assert store.get_example(1).output == typed
            assert store.get_draft(1, ANNOTATOR, OUTPUT) is None
    run(body)


# -- tool-call replies -----------------------------------------------------------------

def test_a_tool_call_reply_is_edited_as_a_json_list_of_calls(make_app, sample_project):
    async def body():
        app = make_app(task="tool_calls", open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert shown_id(app) == TOOL_CALLS_ONLY
            editor = editor_of(app)
            assert editor.border_title == "tool calls"
            calls = orjson.loads(editor.text)
            assert [c["name"] for c in calls] == ["get_weather"]
            assert calls[0]["arguments"]["unit"] == "fahrenheit"
            assert app.screen.query_one(ErrorsPanel).border_title == "valid"

            await press(pilot, "e")
            editor.move_cursor((0, 1))  # delete the leading "[": not JSON, not saved
            await press(pilot, "backspace", "ctrl+s")
            assert any("the tool calls are not JSON" in m for m in notifications(app))
            with fresh(sample_project) as store:
                assert store.revisions(TOOL_CALLS_ONLY) == []
            await type_text(pilot, "[")

            await retype(pilot, editor, '"fahrenheit"', '"celsius"')
            await press(pilot, "ctrl+s")
            with fresh(sample_project) as store:
                example = store.get_example(TOOL_CALLS_ONLY)
                assert example.output == ""
                (call,) = example.tool_calls
                assert call.name == "get_weather" and call.id == calls[0]["id"]
                assert orjson.loads(call.arguments) == {**calls[0]["arguments"],
                                                        "unit": "celsius"}
                (revision,) = store.revisions(TOOL_CALLS_ONLY)
                assert revision.action == "edit" and "tool_calls" in revision.after
            assert '"unit": "celsius"' in editor.text
            await press(pilot, "a")
            with fresh(sample_project) as store:
                assert store.get_example(TOOL_CALLS_ONLY).status == "approved"
    run(body)


# -- somebody else changed the example ------------------------------------------------------

def test_a_stale_version_warns_reloads_and_overwrites_nothing(make_app, sample_project):
    async def body():
        app = make_app(open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.screen.example.version == 1
            with fresh(sample_project) as other:  # another annotator, another process
                review.set_note(other, 1, "bob was here", annotator="bob")
            await press(pilot, "a")
            assert shown_id(app) == 1  # still here, reloaded
            assert app.screen.example.version == 2
            assert any("someone changed it meanwhile" in m for m in notifications(app))
            assert "note: bob was here" in screen_text(app)
            with fresh(sample_project) as store:
                example = store.get_example(1)
                assert (example.status, example.note) == ("pending", "bob was here")
                assert [r.annotator for r in store.revisions(1)] == ["bob"]
            await press(pilot, "a")  # on the current version it goes through
            assert shown_id(app) == 2

            # an edit made against a version that is no longer current
            await press(pilot, "e")
            await retype(pilot, editor_of(app), '"priority"', '"Priority"')
            with fresh(sample_project) as other:
                review.edit_output(other, 2, '{"bob": true}', annotator="bob")
            await press(pilot, "ctrl+s")
            assert sum("someone changed it meanwhile" in m for m in notifications(app)) == 2
            assert editor_of(app).text == '{"bob": true}'
        with fresh(sample_project) as store:
            assert store.get_example(1).status == "approved"
            assert store.get_example(2).output == '{"bob": true}'
            assert [r.annotator for r in store.revisions(2)] == ["bob"]
    run(body)


def test_a_draft_of_an_older_version_is_not_restored_over_a_newer_one(make_app,
                                                                       sample_project):
    with fresh(sample_project) as store:  # ann typed on version 1 and left; bob edited
        mine = store.get_example(1).output.replace('"high"', '"low"', 1)
        review.save_draft(store, store.get_example(1), mine, annotator=ANNOTATOR)
        review.edit_output(store, 1, '{"bob": true}', annotator="bob")

    async def body():
        app = make_app(open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.screen.example.version == 2
            assert editor_of(app).text == '{"bob": true}'
    run(body)


# -- the command palette -----------------------------------------------------------------

def test_the_command_palette_lists_the_screens_bindings(make_app, sample_project):
    async def body():
        app = make_app(open_first=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            review_screen = app.screen
            titles = [c.title for c in app.get_system_commands(review_screen)]
            for binding in review_screen.BINDINGS:
                assert f"{binding.description} ({binding.key})" in titles
            queue = app.screen_stack[-2]
            titles = [c.title for c in app.get_system_commands(queue)]
            for binding in queue.BINDINGS:
                assert f"{binding.description} ({binding.key})" in titles

            await press(pilot, "ctrl+p")  # and running one from the palette works
            await type_text(pilot, "Skip (s)")
            await pilot.pause(1.0)  # the palette searches in the background
            await press(pilot, "enter")
            await pilot.pause()
            assert shown_id(app) == 2
        with fresh(sample_project) as store:
            assert store.get_example(1).status == "skipped"
    run(body)
