"""The labeling app. It takes its session (store, annotator, filters) in its
constructor; `build_app` makes one for the CLI and for tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ..session import LabelSession, QueueFilter
from ..store import Store
from ..textsafe import visible
from .messages import ExampleChanged


class CuratorApp(App):
    CSS_PATH = "curator.tcss"
    TITLE = "curator"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]

    def __init__(self, session: LabelSession, *, open_first: bool = False) -> None:
        super().__init__()
        self.session = session
        self.open_first = open_first
        self.changed: set[int] = set()

    def on_mount(self) -> None:
        from .screens.queue import QueueScreen

        self.title = f"curator · {self.session.store.path.name} · {self.session.annotator}"
        self.push_screen(QueueScreen(self.session))
        if self.open_first:
            first = self.session.first_id()
            if first is not None:
                from .screens.review import ReviewScreen

                self.push_screen(ReviewScreen(self.session, first))

    def notify(self, message: str, *, title: str = "", severity="information",
               timeout: float | None = None, markup: bool = False) -> None:
        # Fix (tests/tui/test_pilot.py): notifications carry user and data text (a search
        # like "[/]", a tag, an error message) and Textual parses them as markup by
        # default, which styled them or crashed the app; curator's are always plain.
        super().notify(visible(message), title=visible(title), severity=severity,
                       timeout=timeout, markup=False)

    def on_example_changed(self, message: ExampleChanged) -> None:
        self.changed.add(message.example_id)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                action = binding.action
                yield SystemCommand(f"{binding.description} ({binding.key})",
                                    f"the {binding.key} key on this screen",
                                    lambda action=action: screen.run_action(action))


def build_app(project: str | Path, *, annotator: str, task: str | None = None,
              status: str | None = None, open_first: bool = False) -> CuratorApp:
    store = Store.open(project)
    session = LabelSession(store, annotator, QueueFilter(task=task, status=status))
    return CuratorApp(session, open_first=open_first)
