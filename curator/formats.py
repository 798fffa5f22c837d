"""Trainer formats: how an example becomes one row of a fine-tuning data set.

Each format has a row builder and an explicit Arrow schema (no type guessing from the
first row). A row that a format cannot hold raises `CannotExpress` with the reason.
Choices made for trainers (see DESIGN.md):
- message content is always a string (TRL prints the repr of anything else);
- a plain-text prompt ends with its own separator, since TRL glues prompt and
  completion with nothing between;
- tool-call arguments are JSON strings; `tools` is a JSON string in Arrow files (its
  parameters are arbitrary JSON Schemas) and a real list in JSONL;
- a column never mixes text and message lists: the "conversational" variant of a
  format is chosen for the whole export when any example needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from .models import Example, Message, Tool, ToolCall

FORMATS = ("openai-chat", "openai-dpo", "trl-messages", "trl-prompt-completion",
           "trl-preference", "alpaca", "sharegpt")
PREFERENCE_FORMATS = ("openai-dpo", "trl-preference")
PROMPT_SEPARATOR = "\n"


class CannotExpress(ValueError):
    """This example has no faithful row in this format."""


@dataclass(frozen=True)
class Pair:
    """What a preference row needs: a context, a chosen and a rejected reply."""

    example: Example
    chosen: str
    rejected: str


def needs_conversation(example: Example) -> bool:
    return bool(example.messages)


# -- building messages -----------------------------------------------------------------

def _call(call: ToolCall, index: int) -> dict[str, Any]:
    return {"id": call.id or f"call_{index}", "type": "function",
            "function": {"name": call.name, "arguments": call.arguments}}


def _message(message: Message, *, strict_content: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"role": message.role}
    content = message.content
    if strict_content and content is None:
        content = ""
    row["content"] = content
    if message.tool_calls:
        row["tool_calls"] = [_call(c, i) for i, c in enumerate(message.tool_calls)]
    if message.tool_call_id:
        row["tool_call_id"] = message.tool_call_id
    return row


def context_messages(example: Example, *, strict_content: bool = True) -> list[dict[str, Any]]:
    """Everything before the reply, as chat messages: a pair becomes system? + user."""
    if example.messages:
        return [_message(m, strict_content=strict_content) for m in example.messages]
    messages = []
    if example.system:
        messages.append({"role": "system", "content": example.system})
    user = example.prompt or ""
    if example.input:
        user = f"{user}\n\n{example.input}"
    messages.append({"role": "user", "content": user})
    return messages


def reply_message(example: Example, text: str | None = None, *,
                  strict_content: bool = True) -> dict[str, Any]:
    content: str | None = example.output if text is None else text
    message: dict[str, Any] = {"role": "assistant"}
    if text is None and example.tool_calls:
        message["content"] = content or ("" if strict_content else None)
        message["tool_calls"] = [_call(c, i) for i, c in enumerate(example.tool_calls)]
    else:
        message["content"] = content or ""
    return message


def prompt_text(example: Example) -> str:
    """A pair's prompt as one string, ending with its separator."""
    text = example.prompt or ""
    if example.input:
        text = f"{text}\n\n{example.input}"
    if example.system:
        text = f"{example.system}\n\n{text}"
    if text and not text[-1].isspace():
        text += PROMPT_SEPARATOR
    return text


def _tools_list(tools: list[Tool]) -> list[dict[str, Any]]:
    return [{"type": "function", "function": t.model_dump(exclude_none=True)} for t in tools]


# -- rows ------------------------------------------------------------------------------

def row(fmt: str, example: Example, *, conversational: bool) -> dict[str, Any]:
    """An SFT row (every format but the preference ones)."""
    if example.kind == "chat" and not example.output and not example.tool_calls:
        raise CannotExpress("the chat has no assistant reply yet")
    if fmt == "openai-chat":
        out: dict[str, Any] = {
            "messages": [*context_messages(example, strict_content=False),
                         reply_message(example, strict_content=False)]}
        out["tools"] = _tools_list(example.tools) if example.tools else None
        return out
    if fmt == "trl-messages":
        return {"messages": [*context_messages(example), reply_message(example)]}
    if fmt == "trl-prompt-completion":
        if conversational:
            return {"prompt": context_messages(example), "completion": [reply_message(example)]}
        if example.tool_calls:
            raise CannotExpress("a tool-call reply needs the conversational form")
        return {"prompt": prompt_text(example), "completion": example.output}
    if fmt == "alpaca":
        return _alpaca(example)
    if fmt == "sharegpt":
        return _sharegpt(example)
    raise ValueError(f"{fmt} is not an SFT format")


def preference_row(fmt: str, pair: Pair, *, conversational: bool) -> dict[str, Any]:
    example = pair.example
    if fmt == "openai-dpo":
        return {"input": {"messages": context_messages(example)},
                "preferred_output": [{"role": "assistant", "content": pair.chosen}],
                "non_preferred_output": [{"role": "assistant", "content": pair.rejected}]}
    if fmt == "trl-preference":
        if conversational:
            return {"prompt": context_messages(example),
                    "chosen": [reply_message(example, pair.chosen)],
                    "rejected": [reply_message(example, pair.rejected)]}
        return {"prompt": prompt_text(example), "chosen": pair.chosen,
                "rejected": pair.rejected}
    raise ValueError(f"{fmt} is not a preference format")


def _alpaca(example: Example) -> dict[str, Any]:
    if example.tool_calls:
        raise CannotExpress("Alpaca has no place for tool calls")
    if example.messages:
        turns = [m for m in example.messages if m.role != "system"]
        system = next((m.content for m in example.messages if m.role == "system"), None)
        if len(turns) != 1 or turns[0].role != "user":
            raise CannotExpress("Alpaca holds one instruction; this chat has "
                                f"{len(turns)} turns before the reply")
        return {"instruction": turns[0].content or "", "input": "", "output": example.output,
                "system": system}
    return {"instruction": example.prompt or "", "input": example.input or "",
            "output": example.output, "system": example.system}


_SHAREGPT_FROM = {"system": "system", "user": "human", "assistant": "gpt", "tool": "observation"}


def _sharegpt(example: Example) -> dict[str, Any]:
    turns: list[dict[str, str]] = []
    system = None
    for message in context_messages(example):
        if message["role"] == "system" and not turns:
            system = message["content"]
            continue
        for turn in _sharegpt_turns(message):
            if turn["from"] == "observation" and turns and turns[-1]["from"] == "observation":
                # fix: the results of parallel calls were one observation turn each;
                # LLaMA-Factory wants human/observation and gpt/function_call to
                # alternate and skips the example otherwise. One turn, one result a line.
                turns[-1]["value"] += "\n" + turn["value"]
            else:
                turns.append(turn)
    turns.extend(_sharegpt_turns(reply_message(example)))
    return {"conversations": turns, "system": system,
            "tools": orjson.dumps(_tools_list(example.tools)).decode() if example.tools
            else None}


def _sharegpt_turns(message: dict[str, Any]) -> list[dict[str, str]]:
    turns = []
    if message.get("content"):
        turns.append({"from": _SHAREGPT_FROM[message["role"]], "value": message["content"]})
    calls = []
    for call in message.get("tool_calls") or []:
        function = call["function"]
        try:
            arguments: Any = orjson.loads(function["arguments"])
        except orjson.JSONDecodeError:
            arguments = function["arguments"]
        calls.append({"name": function["name"], "arguments": arguments})
    if calls:
        # fix: parallel calls were one function_call turn each, which breaks
        # LLaMA-Factory's strict alternation (it skips the example); it reads a JSON
        # list of calls from one turn, as curator's importer does.
        turns.append({"from": "function_call", "value": orjson.dumps(
            calls[0] if len(calls) == 1 else calls).decode()})
    if not turns:
        turns.append({"from": _SHAREGPT_FROM[message["role"]], "value": ""})
    return turns


# -- Arrow schemas ---------------------------------------------------------------------

def arrow_schema(fmt: str, *, conversational: bool, tool_calls: bool = True) -> Any:
    """The export's columns. Without `tool_calls` (no example of the export has any),
    messages hold only role and content: chat templates that test
    `'tool_calls' in message` would trip on null-valued keys."""
    import pyarrow as pa

    string = pa.string()
    call = pa.struct([("id", string), ("type", string),
                      ("function", pa.struct([("name", string), ("arguments", string)]))])
    message = pa.struct([("role", string), ("content", string)] + (
        [("tool_calls", pa.list_(call)), ("tool_call_id", string)] if tool_calls else []))
    messages = pa.list_(message)
    plain = pa.list_(pa.struct([("role", string), ("content", string)]))
    fields: dict[str, list[tuple[str, Any]]] = {
        "openai-chat": [("messages", messages), ("tools", string)],
        "openai-dpo": [("input", pa.struct([("messages", messages)])),
                       ("preferred_output", plain), ("non_preferred_output", plain)],
        "trl-messages": [("messages", messages)],
        "trl-prompt-completion": ([("prompt", messages), ("completion", messages)]
                                  if conversational else
                                  [("prompt", string), ("completion", string)]),
        "trl-preference": ([("prompt", messages), ("chosen", messages), ("rejected", messages)]
                           if conversational else
                           [("prompt", string), ("chosen", string), ("rejected", string)]),
        "alpaca": [("instruction", string), ("input", string), ("output", string),
                   ("system", string)],
        "sharegpt": [("conversations", pa.list_(pa.struct([("from", string),
                                                            ("value", string)]))),
                     ("system", string), ("tools", string)],
    }
    return pa.schema(fields[fmt])


def for_arrow(fmt: str, row_: dict[str, Any]) -> dict[str, Any]:
    """The row as its Arrow columns hold it (`tools` as a JSON string)."""
    if fmt == "openai-chat" and row_.get("tools") is not None:
        return {**row_, "tools": orjson.dumps(row_["tools"]).decode()}
    return row_


def for_jsonl(fmt: str, row_: dict[str, Any]) -> dict[str, Any]:
    """The row as a trainer reads it from JSON Lines: no null-valued optional keys."""
    if fmt == "openai-chat" and row_.get("tools") is None:
        return {"messages": row_["messages"]}
    if fmt in ("alpaca", "sharegpt"):
        return {k: v for k, v in row_.items() if v is not None}
    return row_
