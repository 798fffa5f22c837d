"""Review one example: the prompt or chat, the output in an editor with live schema
errors, a diff against the original, guidelines, tags and note; decide with one key."""

from __future__ import annotations

import orjson
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Markdown, Static, TextArea

from ...errors import ConflictError, CuratorError, NeedsReason
from ...jsonpos import locate
from ...models import Example
from ...session import LabelSession, editable_text, edits_tool_calls, error_pointer
from ...textsafe import control_characters
from ..messages import ExampleChanged, JumpToError
from ..widgets.conversation import Conversation, tool_calls_text
from ..widgets.diff import DiffView
from ..widgets.errors import ErrorsPanel
from ..widgets.safe import STATUS_STYLE, SafeTextArea, safe_text
from .modals import AskText, ConfirmInvalid, TextViewer

LIVE_CHECK_DELAY = 0.15  # seconds of quiet typing before errors are re-checked
DRAFT_DELAY = 1.5  # seconds of quiet typing before the draft is saved
CLAIM_RENEWAL = 60.0  # the lease (5 minutes) is renewed while the example is open


class ReviewScreen(Screen):
    BINDINGS = [
        Binding("a", "decide('approve')", "Approve"),
        Binding("r", "decide('reject')", "Reject"),
        Binding("s", "decide('skip')", "Skip"),
        Binding("f", "decide('flag')", "Flag"),
        Binding("e", "edit", "Edit"),
        Binding("escape", "leave", "Back"),
        Binding("u", "undo", "Undo"),
        Binding("n", "move(1)", "Next"),
        Binding("p", "move(-1)", "Previous"),
        Binding("j", "jump", "Jump"),
        Binding("g", "guidelines", "Guidelines"),
        # the footer has room for the keys above; the rest are in ? and ctrl+p
        Binding("/", "search", "Search", show=False),
        Binding("t", "tags", "Tags", show=False),
        Binding("N", "note", "Note", show=False),
        Binding("d", "diff", "Diff", show=False),
        Binding("F", "format_json", "Format JSON", show=False),
        Binding("w", "swap", "Swap chosen/rejected", show=False),
        Binding("E", "edit_rejected", "Edit rejected", show=False),
        Binding("ctrl+s", "save_edit", "Save edit", show=False, priority=True),
        Binding("h", "history", "History", show=False),
        Binding("v", "view", "View all", show=False),
        Binding("?", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, session: LabelSession, example_id: int) -> None:
        super().__init__()
        self.session = session
        self.example_id = example_id
        self.example: Example | None = None
        self.original = ""
        self._check_timer: Timer | None = None
        self._draft_timer: Timer | None = None
        self._loading = False
        self._as_loaded: dict[str, tuple[str, str]] = {}  # editor id: (its text, source)
        self._guidelines = ""  # the current task's
        self._guidelines_shown: str | None = None  # what the panel was built from

    # -- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="example-head")
        with Horizontal(id="review-main"):
            yield Conversation(id="conversation")
            with Vertical(id="response"):
                with Horizontal(id="editors"):
                    # SafeTextArea: see its docstring (raw control characters)
                    yield SafeTextArea(language="json", soft_wrap=True,
                                       show_line_numbers=True, id="editor",
                                       tab_behavior="indent")
                    yield SafeTextArea(language="json", soft_wrap=True,
                                       show_line_numbers=True, id="rejected-editor",
                                       tab_behavior="indent")
                yield Static(id="reply-calls")
                yield ErrorsPanel(id="errors")
                yield DiffView(id="diff")
            yield Markdown(id="guidelines")
        yield Static(id="meta-line")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(CLAIM_RENEWAL, self._renew_claim)
        self.query_one("#diff").display = False
        self.query_one("#guidelines").display = False
        self.show_example(self.example_id)

    # -- showing an example ----------------------------------------------------------

    def show_example(self, example_id: int) -> None:
        session = self.session
        try:
            example = session.load(example_id)
        except CuratorError as exc:
            self.notify(exc.message, title=exc.title, severity="error")
            return
        if self.example is not None and self.example.id != example_id:
            self._release(self.example)
        self.example, self.example_id = example, example_id
        holder = self._claim(example)
        self.original = session.original_text(example)
        self._loading = True
        editor = self.query_one("#editor", TextArea)
        draft = session.draft(example)
        self._load(editor, draft if draft is not None else editable_text(example))
        editor.border_title = ("chosen" if example.kind == "preference" else
                               "tool calls" if edits_tool_calls(example) else "output")
        rejected = self.query_one("#rejected-editor", TextArea)
        rejected.display = example.kind == "preference"
        if example.kind == "preference":
            self._load(rejected, example.rejected or "")
            rejected.border_title = "rejected"
        calls = self.query_one("#reply-calls", Static)
        calls.display = bool(example.tool_calls) and not edits_tool_calls(example)
        if calls.display:
            calls.update(tool_calls_text(example.tool_calls))
            calls.border_title = "tool calls in the reply"
        self.query_one(Conversation).show(example)
        self._loading = False
        self._refresh_head()
        self._check_now()
        self._guidelines = (session.guidelines(example.task)
                            or "*No guidelines for this task.*")
        self._show_guidelines()
        if draft is not None:
            self.notify("restored your unsaved edit of this example", title="draft")
        if holder is not None:
            self.notify(f"{holder} is working on this example right now", title="claimed",
                        severity="warning", timeout=6)
        self.set_focus(None)

    def _refresh_head(self) -> None:
        example = self.example
        if example is None:
            return
        head = Text()
        head.append(f"#{example.id} ", style="bold")
        head.append_text(safe_text(example.task, "bold cyan"))
        head.append(f"  {example.kind} · ")
        head.append(example.status, style=f"bold {STATUS_STYLE.get(example.status, '')}")
        head.append(f" · v{example.version}")
        if example.source:
            head.append_text(safe_text(f"  ·  {example.source.file}, {example.source.locator}",
                                       "dim"))
        self.query_one("#example-head", Static).update(head)
        self._refresh_meta()

    def _refresh_meta(self) -> None:
        example = self.example
        if example is None:
            return
        progress = self.session.progress()
        line = Text()
        line.append("tags: ", style="dim")
        line.append_text(safe_text(", ".join(example.tags) or "-"))
        line.append("   note: ", style="dim")
        line.append_text(safe_text((example.note or "-").replace("\n", " ")[:80]))
        line.append(f"   done {progress.done:,} · remaining {progress.remaining:,} · "
                    f"{progress.rate_per_hour:,.0f}/h this session", style="dim")
        self.query_one("#meta-line", Static).update(line)
        self.app.sub_title = self.session.filter.describe()

    # -- claims -----------------------------------------------------------------------

    def _claim(self, example: Example) -> str | None:
        try:
            return self.session.claim(example)
        except CuratorError as exc:
            self.notify(exc.message, title="not claimed", severity="warning")
            return None

    def _release(self, example: Example) -> None:
        try:
            self.session.release(example)
        except CuratorError:
            pass  # the lease runs out by itself

    @work(thread=True, exclusive=True, group="claim")
    def _renew_claim(self) -> None:
        example = self.example
        if example is None:
            return
        try:
            self.session.claim(example)
        except CuratorError as exc:  # report it on the UI thread; the lease may lapse
            self.app.call_from_thread(self.notify, exc.message, title="claim not renewed",
                                      severity="warning")

    def on_unmount(self) -> None:
        if self.example is not None:
            self._release(self.example)

    # -- live errors, diff, drafts ------------------------------------------------------

    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        if self._loading or self.example is None:
            return
        for timer in (self._check_timer, self._draft_timer):
            if timer is not None:
                timer.stop()
        self._check_timer = self.set_timer(LIVE_CHECK_DELAY, self._check_now)
        self._draft_timer = self.set_timer(DRAFT_DELAY, self._save_draft)

    def _load(self, editor: TextArea, text: str) -> None:
        editor.load_text(text)
        self._as_loaded[editor.id or ""] = (editor.text, text)

    def _text_of(self, editor_id: str) -> str:
        # Fix (tests/tui/test_injection.py): TextArea turns every line break it knows
        # (\r, \x0b, \x0c, \x1c-\x1e, \x85, \u2028, \u2029) into its one newline, so an
        # untouched output holding one read as edited and approving it rewrote it. Text
        # nobody changed is the example's own.
        text = self.query_one(f"#{editor_id}", TextArea).text
        shown, loaded = self._as_loaded.get(editor_id, (None, None))
        return loaded if text == shown else text

    def _editor_text(self) -> str:
        return self._text_of("editor")

    def _rejected_text(self) -> str | None:
        if self.example is None or self.example.kind != "preference":
            return None
        return self._text_of("rejected-editor")

    def _check_now(self) -> None:
        if self.example is None:
            return
        verdict = self.session.verdict(self.example, self._editor_text(),
                                       rejected=self._rejected_text())
        checker = self.session.checker.checker(self.example.task)
        has_checks = checker.schema is not None or bool(self.example.tools)
        text = self._editor_text() + (self._rejected_text() or "")
        self.query_one(ErrorsPanel).show(verdict.issues, has_checks=has_checks,
                                         controls=control_characters(text))
        diff = self.query_one(DiffView)
        if diff.display:
            diff.show(self.original, self._editor_text())

    def _save_draft(self) -> None:
        if self.example is not None and self._editor_text() != editable_text(self.example):
            self._write_draft(self.example, self._editor_text())

    @work(thread=True, exclusive=True, group="draft")
    def _write_draft(self, example: Example, text: str) -> None:
        try:
            self.session.save_draft(example, text)
        except CuratorError as exc:
            self.app.call_from_thread(self.notify, exc.message, title="draft not saved",
                                      severity="error")

    # -- decisions -----------------------------------------------------------------------

    def action_decide(self, decision: str, reason: str | None = None) -> None:
        example = self.example
        if example is None:
            return
        try:
            revision = self.session.decide(example, decision, text=self._editor_text(),
                                           reason=reason)
        except NeedsReason as exc:
            self.app.push_screen(ConfirmInvalid(exc.message),
                                 lambda answer: self._approve_anyway(answer))
            return
        except ConflictError as exc:
            self._reload(exc)
            return
        except CuratorError as exc:
            self.notify(exc.message, title=exc.title, severity="error")
            return
        self.post_message(ExampleChanged(example.id))
        if revision is None:
            self.notify(f"#{example.id} was already {example.status}")
        # Fix (tests/tui/test_pilot.py): the editor's text went in with the decision,
        # which deleted the draft; action_move's flush then wrote it back as a stale
        # draft of the decided example. Move on without flushing.
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        self._go(1)

    def _approve_anyway(self, reason: str | None) -> None:
        if reason:
            self.action_decide("approve", reason=reason)
        else:
            self.query_one("#editor", TextArea).focus()

    def _reload(self, exc: ConflictError) -> None:
        """Someone changed the example meanwhile: show the current version, and say
        what they changed (your unsaved text stays as a draft only if nothing did)."""
        seen = self.example
        self.show_example(self.example_id)
        changes = []
        if seen is not None and self.example is not None:
            for revision in self.session.store.revisions(self.example_id):
                if revision.version > seen.version:
                    fields = ", ".join(sorted(revision.after)) or revision.action
                    changes.append(f"{revision.annotator or '?'}: {revision.action} ({fields})")
        detail = "; ".join(changes[-3:]) or "it changed"
        self.notify(f"{exc.message}. Since you opened it: {detail}. Showing the current "
                    "version.", title=exc.title, severity="warning", timeout=10)

    def action_move(self, step: int) -> None:
        if self.example is None:
            return
        self._flush_draft()
        self._go(step)

    def _go(self, step: int) -> None:
        session = self.session
        target = (session.next_id(self.example.id) if step > 0
                  else session.previous_id(self.example.id))
        if target is None:
            where = "end" if step > 0 else "start"
            self.notify(f"at the {where} of the queue ({session.filter.describe()})")
            self._refresh_after_change()
            return
        self.show_example(target)

    def _flush_draft(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        if self.example is not None and self._editor_text() != editable_text(self.example):
            self.session.save_draft(self.example, self._editor_text())

    def _refresh_after_change(self) -> None:
        self.show_example(self.example_id)

    def action_undo(self) -> None:
        try:
            revision = self.session.undo()
        except CuratorError as exc:
            self.notify(exc.message, title="cannot undo", severity="warning")
            return
        if revision is None:
            self.notify("nothing to undo in this session")
            return
        self.notify(f"undid {revision.reason or 'the last action'}")
        self.post_message(ExampleChanged(revision.example_id))
        self.show_example(revision.example_id)

    # -- editing ---------------------------------------------------------------------------

    def action_edit(self) -> None:
        self.query_one("#editor", TextArea).focus()

    def action_edit_rejected(self) -> None:
        if self.example is not None and self.example.kind == "preference":
            self.query_one("#rejected-editor", TextArea).focus()

    def action_leave(self) -> None:
        if isinstance(self.focused, TextArea):
            self._flush_draft()
            self.set_focus(None)
            return
        self._flush_draft()
        self.app.pop_screen()

    def action_save_edit(self) -> None:
        """Commit the edited output (and rejected side) without deciding."""
        example = self.example
        if example is None:
            return
        try:
            changed = False
            if self._editor_text() != editable_text(example):
                changed |= self.session.edit(example, self._editor_text()) is not None
                example = self.session.load(example.id)
            rejected = self._rejected_text()
            if rejected is not None and rejected != example.rejected:
                changed |= self.session.edit(example, rejected, rejected=True) is not None
        except ConflictError as exc:
            self._reload(exc)
            return
        except CuratorError as exc:
            self.notify(exc.message, title="not saved", severity="error")
            return
        self.notify("edit saved" if changed else "nothing to save")
        self.post_message(ExampleChanged(self.example_id))
        self.show_example(self.example_id)

    def action_format_json(self) -> None:
        editor = self.focused if isinstance(self.focused, TextArea) else self.query_one(
            "#editor", TextArea)
        try:
            value = orjson.loads(editor.text)
        except orjson.JSONDecodeError as exc:
            self.notify(f"not JSON, cannot format: {exc.msg} (line {exc.lineno})",
                        severity="warning")
            return
        editor.load_text(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode())
        self._check_now()
        self._save_draft()

    def action_swap(self) -> None:
        if self.example is None or self.example.kind != "preference":
            self.notify("only a preference pair has two sides to swap")
            return
        try:
            self.session.swap(self.example)
        except CuratorError as exc:
            self.notify(exc.message, title=exc.title, severity="warning")
        self.post_message(ExampleChanged(self.example_id))
        self.show_example(self.example_id)

    @on(JumpToError)
    def _jump(self, message: JumpToError) -> None:
        editor_id = "#rejected-editor" if message.where == "rejected" else "#editor"
        editor = self.query_one(editor_id, TextArea)
        pointer = error_pointer(message.where, message.path)
        if pointer is None:
            self.notify(f"the error is in {message.where}, shown on the left")
            return
        position = locate(editor.text, pointer) or (0, 0)
        editor.focus()
        editor.move_cursor(position, center=True)

    def action_jump(self) -> None:
        self.query_one(ErrorsPanel).jump()

    # -- panels and dialogs ----------------------------------------------------------------

    def action_diff(self) -> None:
        diff = self.query_one(DiffView)
        diff.display = not diff.display
        if diff.display:
            diff.show(self.original, self._editor_text())

    def action_guidelines(self) -> None:
        panel = self.query_one(Markdown)
        panel.display = not panel.display
        self._show_guidelines()

    def _show_guidelines(self) -> None:
        # Fix (tests/tui): the Markdown was rebuilt on every example, shown or not: ~90
        # widgets, half the time a decision took, and every dialog's open and close
        # restyled them. It is built when shown, and again only for another task's.
        panel = self.query_one(Markdown)
        if panel.display and self._guidelines_shown != self._guidelines:
            self._guidelines_shown = self._guidelines
            panel.update(self._guidelines)

    def action_tags(self) -> None:
        if self.example is None:
            return
        self.app.push_screen(AskText("Tags (comma separated)", ", ".join(self.example.tags)),
                             self._set_tags)

    def _set_tags(self, answer: str | None) -> None:
        if answer is None or self.example is None:
            return
        self._apply(lambda ex: self.session.set_tags(ex, answer.split(",")))

    def action_note(self) -> None:
        if self.example is None:
            return
        self.app.push_screen(AskText("Note", self.example.note or ""), self._set_note)

    def _set_note(self, answer: str | None) -> None:
        if answer is None or self.example is None:
            return
        self._apply(lambda ex: self.session.set_note(ex, answer))

    def _apply(self, change) -> None:
        try:
            change(self.example)
        except ConflictError as exc:
            self._reload(exc)
            return
        self.post_message(ExampleChanged(self.example_id))
        draft = self._editor_text()
        self.example = self.session.load(self.example_id)
        self._refresh_head()
        if draft != editable_text(self.example):
            self.session.save_draft(self.example, draft)

    def action_search(self) -> None:
        self._flush_draft()
        self.app.pop_screen()
        # Fix (tests/tui/test_pilot.py): run_action is a coroutine; called without await
        # it never ran, so / went back to the queue without opening its search box.
        self.app.screen.action_search()

    def action_history(self) -> None:
        if self.example is None:
            return
        from .history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.session, self.example), self._after_history)

    def _after_history(self, changed: bool | None) -> None:
        if changed:
            self.post_message(ExampleChanged(self.example_id))
            self.show_example(self.example_id)

    def action_view(self) -> None:
        if self.example is None:
            return
        parts = [self.example.system or "", self.example.prompt or "", self.example.input or ""]
        parts += [f"[{m.role}]\n{m.content or ''}" for m in self.example.messages]
        self.app.push_screen(TextViewer(f"#{self.example.id} in full",
                                        "\n\n".join(p for p in parts if p)))

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_quit(self) -> None:
        self._flush_draft()
        self.app.exit()
