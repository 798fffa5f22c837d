"""Every key of the screen it was opened from, and of the app."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static


def bindings_table(screen: Screen) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("key", style="bold cyan", no_wrap=True)
    table.add_column("does")
    seen = set()
    for binding in [*screen.BINDINGS, *screen.app.BINDINGS]:
        if not isinstance(binding, Binding) or binding.key in seen:
            continue
        seen.add(binding.key)
        keys = ", ".join(screen.app.get_key_display(Binding(k, "")) for k in
                         binding.key.split(","))
        table.add_row(keys, binding.description or binding.action)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, of: Screen) -> None:
        super().__init__()
        self.of = of

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="help"):
            yield Label(f"Keys: {type(self.of).__name__.removesuffix('Screen').lower()}",
                        classes="dialog-title")
            yield Static(bindings_table(self.of))
            yield Static("Every key is also in the command palette (ctrl+p). Escape closes.",
                         classes="dialog-help")

    def action_close(self) -> None:
        self.dismiss(None)
