"""Record layouts: turn one input record into examples.

Each layout knows the fields it reads; every other field of the record is kept in the
example's `meta`, so nothing is lost. A record that does not fit raises `BadRow`
naming the field and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson
from pydantic import ValidationError

from .errors import BadRow, InputError
from .jsonpos import MISSING, lookup
from .models import Example, Message, Tool, ToolCall
from .schemas import normalize_types

Converter = Callable[[dict[str, Any], str], list[Example]]

MAP_FIELDS = ("prompt", "input", "system", "output", "chosen", "rejected", "messages",
              "conversations", "tools")

SHAREGPT_ROLES = {
    "human": "user", "user": "user",
    "gpt": "assistant", "assistant": "assistant", "chatgpt": "assistant", "bard": "assistant",
    "bing": "assistant", "model": "assistant",
    "system": "system",
    "function_call": "assistant",
    "observation": "tool", "function": "tool", "tool": "tool",
}


# -- helpers ------------------------------------------------------------------------

def _require(record: dict[str, Any], field: str) -> Any:
    if field not in record or record[field] is None:
        raise BadRow(field, "required field is missing")
    return record[field]


def _text(value: Any, field: str, *, allow_none: bool = False) -> str | None:
    if value is None and allow_none:
        return None
    if isinstance(value, str):
        return value
    if value is None:
        raise BadRow(field, "required field is missing")
    raise BadRow(field, f"expected text, got {_type_name(value)}")


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "an array", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _json_list(value: Any, field: str) -> list[Any]:
    """A list, or a JSON string holding one (LLaMA-Factory stores `tools` that way)."""
    if isinstance(value, str):
        if not value.strip():
            return []
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise BadRow(field, f"holds a string that is not JSON: {exc}") from None
    if not isinstance(value, list):
        raise BadRow(field, f"expected an array, got {_type_name(value)}")
    return value


def _content(value: Any, field: str) -> str | None:
    """Message content: text, null, or OpenAI content parts of type text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = []
        for i, part in enumerate(value):
            if isinstance(part, dict) and part.get("type") == "text" and isinstance(
                    part.get("text"), str):
                texts.append(part["text"])
            else:
                kind = part.get("type") if isinstance(part, dict) else _type_name(part)
                raise BadRow(f"{field}.{i}", f"content part of type {kind!r} is not supported "
                                             "(only text)")
        return "".join(texts)
    raise BadRow(field, f"expected text, got {_type_name(value)}")


def _arguments(value: Any, field: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return orjson.dumps(value).decode()
    raise BadRow(field, f"tool call arguments must be a JSON object or string, "
                        f"got {_type_name(value)}")


def _tool_call(raw: Any, field: str) -> ToolCall:
    if not isinstance(raw, dict):
        raise BadRow(field, f"expected a tool call object, got {_type_name(raw)}")
    function = raw.get("function", raw)
    if not isinstance(function, dict):
        raise BadRow(f"{field}.function", "expected an object with name and arguments")
    name = function.get("name")
    if not isinstance(name, str) or not name:
        raise BadRow(f"{field}.function.name", "a tool call needs a function name")
    call_id = raw.get("id")
    if call_id is not None and not isinstance(call_id, str):
        # fix: a non-text id raised pydantic's ValidationError, which crashed the import
        raise BadRow(f"{field}.id", f"expected text, got {_type_name(call_id)}")
    return ToolCall(id=call_id, name=name,
                    arguments=_arguments(function.get("arguments", "{}"), f"{field}.arguments"))


def _tool(raw: Any, field: str, changes: set[str] | None = None) -> Tool:
    if not isinstance(raw, dict):
        raise BadRow(field, f"expected a function definition, got {_type_name(raw)}")
    function = raw["function"] if isinstance(raw.get("function"), dict) else raw
    name = function.get("name")
    if not isinstance(name, str) or not name:
        raise BadRow(f"{field}.name", "a tool needs a name")
    parameters = function.get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        raise BadRow(f"{field}.parameters", "must be a JSON Schema object")
    if parameters is not None:
        parameters = normalize_types(parameters, changes)
    description = function.get("description")
    return Tool(name=name, description=description if isinstance(description, str) else None,
                parameters=parameters)


def _tools(record: dict[str, Any], key: str = "tools") -> list[Tool]:
    if key not in record or record[key] is None:
        return []
    return [_tool(t, f"{key}.{i}") for i, t in enumerate(_json_list(record[key], key))]


def _openai_message(raw: Any, field: str) -> Message:
    if not isinstance(raw, dict):
        raise BadRow(field, f"expected a message object, got {_type_name(raw)}")
    role = raw.get("role")
    if role == "function":
        role = "tool"
    if role not in ("system", "user", "assistant", "tool"):
        raise BadRow(f"{field}.role", f"unknown role {role!r} "
                                      "(expected system, user, assistant or tool)")
    calls = raw.get("tool_calls") or []
    if not isinstance(calls, list):
        raise BadRow(f"{field}.tool_calls", "expected an array")
    tool_calls = [_tool_call(c, f"{field}.tool_calls.{i}") for i, c in enumerate(calls)]
    if isinstance(raw.get("function_call"), dict):  # the legacy single-call form
        tool_calls.append(_tool_call(raw["function_call"], f"{field}.function_call"))
    content = _content(raw.get("content"), f"{field}.content")
    if content is None and not tool_calls and role != "assistant":
        raise BadRow(f"{field}.content", "a message needs content")
    name = raw.get("name")
    tool_call_id = raw.get("tool_call_id")
    if tool_call_id is not None and not isinstance(tool_call_id, str):
        # fix: a non-text id raised pydantic's ValidationError, which crashed the import
        raise BadRow(f"{field}.tool_call_id", f"expected text, got {_type_name(tool_call_id)}")
    return Message(role=role, content=content, name=name if isinstance(name, str) else None,
                   tool_calls=tool_calls, tool_call_id=tool_call_id)


def _messages(value: Any, field: str) -> list[Message]:
    items = _json_list(value, field)
    return [_openai_message(m, f"{field}.{i}") for i, m in enumerate(items)]


def _split_reply(messages: list[Message]) -> tuple[list[Message], Message | None]:
    """The final assistant turn is the response being labeled; the rest is context."""
    if messages and messages[-1].role == "assistant":
        return messages[:-1], messages[-1]
    return messages, None


def _meta(record: dict[str, Any], used: set[str]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in used}


def _build(task: str, record: dict[str, Any], used: set[str], **fields: Any) -> Example:
    try:
        return Example(task=task, meta=_meta(record, used), **fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise BadRow(where, error["msg"].removeprefix("Value error, ")) from None


def _reply_fields(reply: Message | None) -> dict[str, Any]:
    if reply is None:
        return {"output": ""}
    return {"output": reply.content or "", "tool_calls": reply.tool_calls}


# -- layouts ------------------------------------------------------------------------

def openai_chat(record: dict[str, Any], task: str) -> list[Example]:
    """OpenAI chat fine-tuning and TRL `messages`: {"messages": [...], "tools": [...]}."""
    messages = _messages(_require(record, "messages"), "messages")
    tools = _tools(record) or _tools(record, "functions")
    context, reply = _split_reply(messages)
    return [_build(task, record, {"messages", "tools", "functions"}, kind="chat",
                   messages=context, tools=tools, **_reply_fields(reply))]


def _prompt_side(value: Any, field: str) -> dict[str, Any]:
    """A TRL prompt: plain text, or a conversational list of messages."""
    if isinstance(value, str):
        return {"prompt": value}
    return {"messages": _messages(value, field)}


def _response_side(value: Any, field: str) -> dict[str, Any]:
    """A TRL completion / chosen / rejected (text, or a list ending in an assistant
    turn) as example fields: `output` and `tool_calls`."""
    if isinstance(value, str):
        return {"output": value}
    messages = _messages(value, field)
    if not messages or messages[-1].role != "assistant":
        raise BadRow(field, "expected text or messages ending in an assistant turn")
    return _reply_fields(messages[-1])


def trl_prompt_completion(record: dict[str, Any], task: str) -> list[Example]:
    prompt = _prompt_side(_require(record, "prompt"), "prompt")
    reply = _response_side(_require(record, "completion"), "completion")
    kind = "chat" if "messages" in prompt else "pair"
    return [_build(task, record, {"prompt", "completion"}, kind=kind, **prompt, **reply)]


def trl_preference(record: dict[str, Any], task: str) -> list[Example]:
    """TRL preference, with an explicit prompt or an implicit one (shared prefix)."""
    chosen_raw, rejected_raw = _require(record, "chosen"), _require(record, "rejected")
    if record.get("prompt") is not None:
        prompt = _prompt_side(record["prompt"], "prompt")
    elif isinstance(chosen_raw, list) and isinstance(rejected_raw, list):
        chosen_msgs = _messages(chosen_raw, "chosen")
        rejected_msgs = _messages(rejected_raw, "rejected")
        context, _ = _split_reply(chosen_msgs)
        if not context or rejected_msgs[: len(context)] != context:
            raise BadRow("rejected", "chosen and rejected do not share the conversation "
                                     "before the last reply")
        prompt = {"messages": context}
    else:
        raise BadRow("prompt", "required field is missing (or give chosen and rejected as "
                               "message lists with a shared prefix)")
    chosen = _response_side(chosen_raw, "chosen")
    rejected = _response_side(rejected_raw, "rejected")
    return [_build(task, record, {"prompt", "chosen", "rejected"}, kind="preference",
                   **prompt, output=chosen["output"], rejected=rejected["output"])]


def alpaca(record: dict[str, Any], task: str) -> list[Example]:
    instruction = _text(_require(record, "instruction"), "instruction")
    output = _text(_require(record, "output"), "output")
    extra = _text(record.get("input"), "input", allow_none=True) or None
    system = _text(record.get("system"), "system", allow_none=True) or None
    history = record.get("history") or []
    if not history:
        return [_build(task, record, {"instruction", "input", "output", "system", "history"},
                       kind="pair", system=system, prompt=instruction, input=extra,
                       output=output)]
    if not isinstance(history, list):
        raise BadRow("history", "expected an array of [question, answer] pairs")
    messages = [Message(role="system", content=system)] if system else []
    for i, turn in enumerate(history):
        if not (isinstance(turn, list) and len(turn) == 2 and all(isinstance(t, str)
                                                                 for t in turn)):
            raise BadRow(f"history.{i}", "expected a [question, answer] pair of texts")
        messages += [Message(role="user", content=turn[0]),
                     Message(role="assistant", content=turn[1])]
    user = instruction + (f"\n\n{extra}" if extra else "")
    messages.append(Message(role="user", content=user))
    return [_build(task, record, {"instruction", "input", "output", "system", "history"},
                   kind="chat", messages=messages, output=output)]


def self_instruct(record: dict[str, Any], task: str) -> list[Example]:
    """Self-Instruct seed tasks: an instruction with a list of input/output instances."""
    instruction = _text(_require(record, "instruction"), "instruction")
    instances = _json_list(_require(record, "instances"), "instances")
    if not instances:
        raise BadRow("instances", "the task has no instances")
    examples = []
    for i, instance in enumerate(instances):
        if not isinstance(instance, dict):
            raise BadRow(f"instances.{i}", "expected an object with input and output")
        # fix: _require named the field "output", not its path "instances.N.output";
        # _text reports a missing (None) value as missing under the full path.
        output = _text(instance.get("output"), f"instances.{i}.output")
        extra = _text(instance.get("input"), f"instances.{i}.input", allow_none=True) or None
        meta_record = dict(record, instance=i) if len(instances) > 1 else record
        examples.append(_build(task, meta_record, {"instruction", "instances"}, kind="pair",
                               prompt=instruction, input=extra, output=output))
    return examples


class _CallLinks:
    """Gives each function call an id and each observation the id of the oldest call
    not yet answered, as OpenAI's format needs (parallel calls answer in order)."""

    def __init__(self) -> None:
        self.count = 0
        self.unanswered: list[str] = []

    def new(self) -> str:
        self.count += 1
        self.unanswered.append(f"call_{self.count - 1}")
        return self.unanswered[-1]

    def answer(self) -> str | None:
        return self.unanswered.pop(0) if self.unanswered else None


def _sharegpt_messages(turns: Any, field: str) -> list[Message]:
    messages: list[Message] = []
    links = _CallLinks()
    for i, turn in enumerate(_json_list(turns, field)):
        messages.append(_sharegpt_turn(turn, f"{field}.{i}", links))
    return messages


def _sharegpt_turn(turn: Any, field: str, links: _CallLinks) -> Message:
    if not isinstance(turn, dict):
        raise BadRow(field, f"expected a turn object, got {_type_name(turn)}")
    speaker = turn.get("from", turn.get("role"))
    role = SHAREGPT_ROLES.get(str(speaker).lower()) if speaker is not None else None
    if role is None:
        raise BadRow(f"{field}.from", f"unknown speaker {speaker!r}")
    value = _text(turn.get("value", turn.get("content")), f"{field}.value")
    if speaker == "function_call":
        try:
            call = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise BadRow(f"{field}.value", f"function_call is not JSON: {exc}") from None
        calls = call if isinstance(call, list) else [call]
        tool_calls = []
        for call in calls:
            tool_call = _tool_call(call, f"{field}.value")
            tool_calls.append(tool_call.model_copy(update={"id": links.new()}))
        return Message(role="assistant", content=None, tool_calls=tool_calls)
    if role == "tool":
        return Message(role="tool", content=value, tool_call_id=links.answer())
    return Message(role=role, content=value)


def sharegpt(record: dict[str, Any], task: str) -> list[Example]:
    messages = _sharegpt_messages(_require(record, "conversations"), "conversations")
    system = _text(record.get("system"), "system", allow_none=True)
    if system:
        messages.insert(0, Message(role="system", content=system))
    context, reply = _split_reply(messages)
    return [_build(task, record, {"conversations", "system", "tools"}, kind="chat",
                   messages=context, tools=_tools(record), **_reply_fields(reply))]


def sharegpt_preference(record: dict[str, Any], task: str) -> list[Example]:
    """LLaMA-Factory preference: a ShareGPT context with chosen / rejected turns."""
    messages = _sharegpt_messages(_require(record, "conversations"), "conversations")
    system = _text(record.get("system"), "system", allow_none=True)
    if system:
        messages.insert(0, Message(role="system", content=system))
    chosen = _sharegpt_turn(_require(record, "chosen"), "chosen", _CallLinks())
    rejected = _sharegpt_turn(_require(record, "rejected"), "rejected", _CallLinks())
    return [_build(task, record, {"conversations", "system", "chosen", "rejected"},
                   kind="preference", messages=messages, output=chosen.content or "",
                   rejected=rejected.content or "")]


_HH_TURN = re.compile(r"\n\n(Human|Assistant): ")


def _hh_turns(transcript: str, field: str) -> list[Message]:
    parts = _HH_TURN.split(transcript)
    if parts[0].strip() or len(parts) < 3:
        raise BadRow(field, "expected a transcript of '\\n\\nHuman: ' and "
                            "'\\n\\nAssistant: ' turns")
    roles = {"Human": "user", "Assistant": "assistant"}
    return [Message(role=roles[parts[i]], content=parts[i + 1])
            for i in range(1, len(parts) - 1, 2)]


_HH_ASSISTANT = "\n\nAssistant: "


def hh_rlhf(record: dict[str, Any], task: str) -> list[Example]:
    """Anthropic HH-RLHF: two full transcripts sharing a dialogue prefix. The replies
    start at the last Assistant turn both share; a reply keeps any text after it as
    written (a few replies run on into a made-up Human turn)."""
    chosen = _text(_require(record, "chosen"), "chosen")
    rejected = _text(_require(record, "rejected"), "rejected")
    shared = len(_common_prefix(chosen, rejected))
    cut = chosen.rfind(_HH_ASSISTANT, 0, shared + 1)
    if cut < 0:
        raise BadRow("chosen", "expected transcripts of '\\n\\nHuman: ' and "
                               "'\\n\\nAssistant: ' turns that share the dialogue")
    context = _hh_turns(chosen[:cut], "chosen")
    if not context or context[-1].role != "user":
        raise BadRow("chosen", "the shared dialogue does not end with a Human turn")
    start = cut + len(_HH_ASSISTANT)
    return [_build(task, record, {"chosen", "rejected"}, kind="preference", messages=context,
                   output=chosen[start:], rejected=rejected[start:])]


def _common_prefix(a: str, b: str) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return a[:i]
    return a[: min(len(a), len(b))]


def bfcl(record: dict[str, Any], task: str) -> list[Example]:
    """Berkeley Function-Calling Leaderboard questions: turns of messages + functions.
    There is no reply yet: the annotator writes the tool calls. BFCL's Python type
    names in `parameters` (dict, float, tuple, any) become JSON Schema types; the
    changes are listed in the example's meta (`normalized_types`)."""
    turns = _json_list(_require(record, "question"), "question")
    messages: list[Message] = []
    for i, turn in enumerate(turns):
        messages += _messages(turn, f"question.{i}")
    changes: set[str] = set()
    tools = [_tool(t, f"function.{i}", changes)
             for i, t in enumerate(_json_list(record.get("function") or [], "function"))]
    example = _build(task, record, {"question", "function"}, kind="chat", messages=messages,
                     tools=tools, output="")
    if changes:
        example.meta["normalized_types"] = sorted(changes)
    return [example]


LAYOUTS: dict[str, Converter] = {
    "openai-chat": openai_chat,
    "trl-prompt-completion": trl_prompt_completion,
    "trl-preference": trl_preference,
    "alpaca": alpaca,
    "self-instruct": self_instruct,
    "sharegpt": sharegpt,
    "sharegpt-preference": sharegpt_preference,
    "hh-rlhf": hh_rlhf,
    "bfcl": bfcl,
}


def detect(record: dict[str, Any]) -> str | None:
    """The layout a record is in, judged by its keys; None when it is not clear."""
    keys = set(record)
    if {"chosen", "rejected"} <= keys:
        if "conversations" in keys:
            return "sharegpt-preference"
        if "prompt" in keys or isinstance(record["chosen"], list):
            return "trl-preference"
        if isinstance(record["chosen"], str) and "\n\nAssistant:" in record["chosen"]:
            return "hh-rlhf"
        return None
    if "messages" in keys:
        return "openai-chat"
    if "conversations" in keys:
        return "sharegpt"
    if {"prompt", "completion"} <= keys:
        return "trl-prompt-completion"
    if {"instruction", "output"} <= keys:
        return "alpaca"
    if {"instruction", "instances"} <= keys:
        return "self-instruct"
    if {"question", "function"} <= keys:
        return "bfcl"
    return None


# -- --map ----------------------------------------------------------------------------

def parse_mapping(items: list[str]) -> dict[str, str]:
    """`FIELD=COLUMN` strings to a dict; COLUMN may be a dotted path (`instances.0.output`)."""
    mapping: dict[str, str] = {}
    for item in items:
        field, sep, column = item.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise InputError(f"--map {item!r}: expected FIELD=COLUMN, e.g. prompt=question")
        if field not in MAP_FIELDS:
            raise InputError(f"--map {item!r}: unknown field {field!r}; "
                             f"use one of {', '.join(MAP_FIELDS)}")
        mapping[field] = column
    if "chosen" in mapping or "rejected" in mapping:
        if not {"chosen", "rejected"} <= set(mapping):
            raise InputError("--map: a preference needs both chosen= and rejected=")
    elif not {"prompt", "messages", "conversations"} & set(mapping):
        raise InputError("--map: map at least prompt=, messages= or conversations=")
    return mapping


def mapped_converter(mapping: dict[str, str]) -> Converter:
    def convert(record: dict[str, Any], task: str) -> list[Example]:
        values = {field: None if (found := lookup(record, column)) is MISSING else found
                  for field, column in mapping.items()}
        for field, column in mapping.items():
            if values[field] is None and field in ("prompt", "messages", "conversations",
                                                   "chosen", "rejected"):
                raise BadRow(column, f"required field is missing (mapped to {field})")
        # A column mapped whole leaves meta; one mapped by a dotted path stays whole in
        # meta, since the path takes only part of it (mt_bench's second turn, say).
        used = {column for column in mapping.values() if "." not in column}
        if "messages" in values or "conversations" in values:
            messages = (_messages(values["messages"], mapping["messages"])
                        if "messages" in values else
                        _sharegpt_messages(values["conversations"], mapping["conversations"]))
            context, reply = _split_reply(messages)
            fields = _reply_fields(reply)
            if values.get("output") is not None:
                fields = {"output": _text(values["output"], mapping["output"])}
            tools = ([_tool(t, f"{mapping['tools']}.{i}")
                      for i, t in enumerate(_json_list(values["tools"], mapping["tools"]))]
                     if values.get("tools") is not None else [])
            return [_build(task, record, used, kind="chat", messages=context, tools=tools,
                           **fields)]
        text = {f: _text(values.get(f), mapping.get(f, f), allow_none=True)
                for f in ("prompt", "input", "system", "output", "chosen", "rejected")}
        if "chosen" in mapping:
            if text["prompt"] is None:
                raise BadRow("prompt", "a mapped preference needs prompt=")
            return [_build(task, record, used, kind="preference", system=text["system"],
                           prompt=text["prompt"], input=text["input"] or None,
                           output=text["chosen"], rejected=text["rejected"])]
        return [_build(task, record, used, kind="pair", system=text["system"] or None,
                       prompt=text["prompt"], input=text["input"] or None,
                       output=text["output"] or "")]

    return convert
