"""Render one example for the terminal (used by `curator show`)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .models import Example, Revision
from .textsafe import visible

ROLE_STYLES = {"system": "magenta", "user": "cyan", "assistant": "green", "tool": "yellow"}


def _text(value: str | None) -> Text:
    return Text(visible(value or ""))


def render_example(example: Example, history: list[Revision] | None = None) -> RenderableType:
    head = Text.assemble(
        (f"#{example.id} ", "bold"), (f"{example.task} ", "bold cyan"),
        f"{example.kind} · ", (example.status, "bold"), f" · v{example.version}",
    )
    parts: list[RenderableType] = [head]
    if example.source:
        parts.append(Text(visible(f"from {example.source.file}, {example.source.locator}"),
                          style="dim"))
    if example.system:
        parts.append(Panel(_text(example.system), title="system", border_style="magenta"))
    if example.prompt is not None:
        parts.append(Panel(_text(example.prompt), title="prompt", border_style="cyan"))
    if example.input:
        parts.append(Panel(_text(example.input), title="input", border_style="cyan"))
    for message in example.messages:
        body = _text(message.content)
        for call in message.tool_calls:
            body.append(visible(f"\n→ {call.name}({call.arguments})"), style="yellow")
        parts.append(Panel(body, title=message.role,
                           border_style=ROLE_STYLES.get(message.role, "white")))
    if example.tools:
        names = ", ".join(tool.name for tool in example.tools)
        parts.append(Text(visible(f"tools offered: {names}"), style="dim"))
    output = _text(example.output)
    for call in example.tool_calls:
        output.append(visible(f"\n→ {call.name}({call.arguments})"), style="yellow")
    title = "chosen" if example.kind == "preference" else "output"
    parts.append(Panel(output, title=title, border_style="green"))
    if example.rejected is not None:
        parts.append(Panel(_text(example.rejected), title="rejected", border_style="red"))
    if example.tags or example.note:
        parts.append(_text(f"tags: {', '.join(example.tags) or '-'}   note: {example.note or '-'}"))
    if history is not None:
        table = Table("when", "who", "action", "version", "changed", title="history",
                      title_justify="left")
        for rev in history:
            table.add_row(rev.created_at, _text(rev.annotator or "-"), rev.action,
                          str(rev.version), _text(", ".join(sorted(rev.after)) or "-"))
        if not history:
            table.add_row("-", "-", "no revisions yet", "", "")
        parts.append(table)
    return Group(*parts)
