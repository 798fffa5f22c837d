"""Domain models: the three kinds of example that fine-tuning uses, and tasks.

pair        prompt (+ optional alpaca-style `input`, optional system) -> output
chat        messages (the context, with tool calls and tool results) + tools -> the
            final assistant turn, held in `output` (+ `tool_calls`)
preference  prompt or chat context -> chosen (`output`) and `rejected`

Every kind keeps the response being labeled in `output`, so the queue, the editor,
validation and export treat all three alike.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["pair", "chat", "preference"]
Status = Literal["pending", "approved", "rejected", "skipped", "flagged"]
Role = Literal["system", "user", "assistant", "tool"]

KINDS: tuple[Kind, ...] = ("pair", "chat", "preference")
STATUSES: tuple[Status, ...] = ("pending", "approved", "rejected", "skipped", "flagged")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class ToolCall(_Model):
    """An assistant's call of a tool. `arguments` is the JSON text the model wrote,
    kept as a string (as OpenAI does) so that broken JSON survives to be reported."""

    id: str | None = None
    name: str = Field(min_length=1)
    arguments: str = "{}"


class Message(_Model):
    role: Role
    content: str | None = None
    name: str | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    tool_call_id: str | None = None


class Tool(_Model):
    """A function offered to the model; `parameters` is its JSON Schema."""

    name: str = Field(min_length=1)
    description: str | None = None
    parameters: dict[str, Any] | None = None


class Provenance(_Model):
    file: str
    locator: str  # "line 12", "row 5", "train[3]"
    hash: str  # content hash of the example as imported: the dedupe key


class Example(_Model):
    id: int | None = None
    task: str = Field(min_length=1)
    kind: Kind
    system: str | None = None
    prompt: str | None = None
    input: str | None = None
    messages: list[Message] = Field(default_factory=list)
    tools: list[Tool] = Field(default_factory=list)
    output: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    rejected: str | None = None
    status: Status = "pending"
    tags: list[str] = Field(default_factory=list)
    note: str | None = None
    version: int = 1
    source: Provenance | None = None
    meta: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _kind_has_its_fields(self) -> Example:
        if self.kind == "pair" and self.prompt is None:
            raise ValueError("a pair example needs a prompt")
        if self.kind == "chat" and not self.messages:
            raise ValueError("a chat example needs at least one message before the reply")
        if self.kind == "preference":
            if self.rejected is None:
                raise ValueError("a preference example needs a rejected response")
            if self.prompt is None and not self.messages:
                raise ValueError("a preference example needs a prompt or a chat context")
        return self

    def prompt_text(self) -> str:
        """Plain text of everything before the response: for previews and search."""
        parts: list[str] = []
        if self.prompt is not None:
            parts.append(self.prompt)
            if self.input:
                parts.append(self.input)
        for message in self.messages:
            if message.role == "system" and self.kind != "chat":
                continue
            text = message.content or ""
            if message.tool_calls:
                calls = ", ".join(f"{c.name}({c.arguments})" for c in message.tool_calls)
                text = f"{text} {calls}".strip()
            parts.append(f"{message.role}: {text}")
        return "\n\n".join(parts)

    def content_key(self) -> dict[str, Any]:
        """The fields that make two examples the same example (not status or notes)."""
        return self.model_dump(
            include={
                "kind", "system", "prompt", "input", "messages", "tools",
                "output", "tool_calls", "rejected",
            },
            exclude_defaults=True,
        )

    def content_hash(self) -> str:
        data = orjson.dumps(self.content_key(), option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(data).hexdigest()


class Task(_Model):
    id: int | None = None
    name: str = Field(min_length=1)
    schema_hash: str | None = None
    schema_source: str | None = None
    guidelines: str | None = None


class Revision(_Model):
    """One row of the append-only audit log."""

    id: int
    example_id: int
    version: int
    action: str
    annotator: str | None
    created_at: str
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str | None = None
