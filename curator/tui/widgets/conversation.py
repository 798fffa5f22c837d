"""The input side of an example: system prompt and prompt, or the chat so far, each
message in its role's style, tool calls and tool results readable."""

from __future__ import annotations

import orjson
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...models import Example, Message, ToolCall
from .safe import clipped_text, safe_text


def _pretty_arguments(arguments: str) -> str:
    try:
        return orjson.dumps(orjson.loads(arguments), option=orjson.OPT_INDENT_2).decode()
    except orjson.JSONDecodeError:
        return arguments  # shown as written: the errors panel says it is not JSON


def tool_calls_text(calls: list[ToolCall]) -> Text:
    text = Text()
    for call in calls:
        text.append("→ ", style="bold")
        text.append_text(safe_text(call.name, "bold"))
        if call.id:
            text.append_text(safe_text(f"  [{call.id}]", "dim"))
        text.append("\n")
        text.append_text(clipped_text(_pretty_arguments(call.arguments)))
        text.append("\n")
    text.rstrip()
    return text


class Turn(Static):
    """One message, titled with its role."""

    DEFAULT_CSS = """
    Turn { border: round $panel-lighten-2; padding: 0 1; margin-bottom: 1; height: auto; }
    Turn.role-system { border: round $secondary; }
    Turn.role-user { border: round $primary; }
    Turn.role-assistant { border: round $success; }
    Turn.role-tool { border: round $warning; }
    """

    def __init__(self, title: str, body: Text, role: str) -> None:
        super().__init__(body, classes=f"role-{role}")
        # Fix (tests/tui/test_injection.py): a str border title is parsed as markup, so a
        # tool name or call id like "[link=...]" from the data crashed the screen or made a
        # hyperlink; a Text is taken literally.
        self.border_title = safe_text(title)
        self.body, self.role = body, role


class Conversation(VerticalScroll):
    """Everything before the response being labeled."""

    DEFAULT_CSS = "Conversation { height: 1fr; }"

    def show(self, example: Example) -> None:
        turns = self._turns(example)
        shown = list(self.query_children(Turn))
        if len(shown) == len(turns):
            # Same shape as the last example: update in place. Remounting costs a second
            # layout per example, and Textual keeps the dropped widgets' lines cached.
            for widget, turn in zip(shown, turns):
                widget.update(turn.body)
                widget.border_title = turn.border_title
                widget.set_classes(f"role-{turn.role}")
        else:
            self.remove_children()
            self.mount_all(turns)
        self.scroll_home(animate=False)

    def _turns(self, example: Example) -> list[Turn]:
        turns = []
        if example.system:
            turns.append(Turn("system", clipped_text(example.system), "system"))
        if example.prompt is not None:
            turns.append(Turn("prompt", clipped_text(example.prompt), "user"))
        if example.input:
            turns.append(Turn("input", clipped_text(example.input), "user"))
        for message in example.messages:
            turns.append(self._message(message))
        if example.tools:
            names = ", ".join(tool.name for tool in example.tools)
            turns.append(Turn("tools offered", safe_text(names, "dim"), "tool"))
        return turns

    @staticmethod
    def _message(message: Message) -> Turn:
        body = clipped_text(message.content) if message.content else Text()
        if message.tool_calls:
            if body:
                body.append("\n")
            body.append_text(tool_calls_text(message.tool_calls))
        title = message.role
        if message.role == "tool" and message.tool_call_id:
            title = f"tool result · {message.tool_call_id}"
        if message.name:
            title = f"{title} · {message.name}"
        return Turn(safe_text(title).plain, body, message.role)
