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

    def content_hash(self) -> str:
        return content_hash(content_columns(self))


# The fields that make two examples the same example (not status, tags or notes), in
# the order the store keeps them. List fields are serialised as compact JSON (None
# when empty), so the hash is cheap to take from what gets stored anyway.
CONTENT_FIELDS = ("kind", "system", "prompt", "input", "messages", "tools", "output",
                  "tool_calls", "rejected")


def _json_or_none(items: list[BaseModel]) -> str | None:
    if not items:
        return None
    return orjson.dumps([item.model_dump(exclude_none=True, exclude_defaults=True)
                         for item in items]).decode()


def content_columns(example: Example) -> tuple[Any, ...]:
    return (example.kind, example.system, example.prompt, example.input,
            _json_or_none(example.messages), _json_or_none(example.tools), example.output,
            _json_or_none(example.tool_calls), example.rejected)


def content_hash(columns: tuple[Any, ...]) -> str:
    """128 bits of SHA-256 as hex: ample for dedupe, and half the index of a full one."""
    return hashlib.sha256(orjson.dumps(columns)).hexdigest()[:32]


class Task(_Model):
    id: int | None = None
    name: str = Field(min_length=1)
    schema_hash: str | None = None
    schema_source: str | None = None
    guidelines: str | None = None
    overlap: int = 1  # independent decisions each example needs


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


class ValidationIssue(_Model):
    """One schema error. `where` is the part of the example checked: "output",
    "rejected", or a tool call such as "tool_calls/0" or "messages/3/tool_calls/1";
    `path` is a JSON Pointer into that part ("/priority"; "" for the whole)."""

    where: str = "output"
    path: str = ""
    keyword: str
    message: str
