"""Unit tests of the record layouts (curator/layouts.py) with small inline records."""

from __future__ import annotations

import json

import pytest

from curator.errors import BadRow, InputError
from curator.layouts import (LAYOUTS, alpaca, bfcl, detect, hh_rlhf, mapped_converter,
                             openai_chat, parse_mapping, self_instruct, sharegpt,
                             sharegpt_preference, trl_preference, trl_prompt_completion)
from curator.models import Message, Tool, ToolCall

TASK = "t"


def one(converter, record):
    examples = converter(record, TASK)
    assert len(examples) == 1
    assert examples[0].task == TASK
    return examples[0]


def bad(converter, record) -> tuple[str, str]:
    with pytest.raises(BadRow) as info:
        converter(record, TASK)
    return info.value.field, info.value.reason


def user(text):
    return {"role": "user", "content": text}


def assistant(text):
    return {"role": "assistant", "content": text}


# -- openai-chat ------------------------------------------------------------------------

def test_openai_chat_splits_the_last_assistant_turn_off_as_output():
    example = one(openai_chat, {"messages": [
        {"role": "system", "content": "Be brief."}, user("Hi"), assistant("Hello"),
        user("2+2?"), assistant("4")]})
    assert example.kind == "chat"
    assert example.messages == [Message(role="system", content="Be brief."),
                                Message(role="user", content="Hi"),
                                Message(role="assistant", content="Hello"),
                                Message(role="user", content="2+2?")]
    assert example.output == "4"
    assert example.tool_calls == [] and example.tools == [] and example.meta == {}
    assert example.prompt is None and example.system is None and example.rejected is None


def test_openai_chat_trailing_user_message_gives_empty_output():
    example = one(openai_chat, {"messages": [user("Hi"), assistant("Hello"), user("Bye")]})
    assert [m.role for m in example.messages] == ["user", "assistant", "user"]
    assert example.output == ""
    assert example.tool_calls == []


def test_openai_chat_text_content_parts_are_joined():
    example = one(openai_chat, {"messages": [
        {"role": "user", "content": [{"type": "text", "text": "Hello, "},
                                     {"type": "text", "text": "world"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Hi!"}]}]})
    assert example.messages == [Message(role="user", content="Hello, world")]
    assert example.output == "Hi!"


def test_openai_chat_image_content_part_is_refused_with_its_path():
    field, reason = bad(openai_chat, {"messages": [
        {"role": "user", "content": [{"type": "text", "text": "Look"},
                                     {"type": "image_url", "image_url": {"url": "x"}}]}]})
    assert field == "messages.0.content.1"
    assert reason == "content part of type 'image_url' is not supported (only text)"


def test_openai_chat_tool_calls_and_tool_results():
    example = one(openai_chat, {"messages": [
        user("Weather in Paris?"),
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_a", "type": "function",
             "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_a", "content": '{"temp": 21}'},
        assistant("21 degrees.")]})
    assert example.messages[1] == Message(role="assistant", content=None, tool_calls=[
        ToolCall(id="call_a", name="get_weather", arguments='{"city": "Paris"}')])
    assert example.messages[2] == Message(role="tool", content='{"temp": 21}',
                                          tool_call_id="call_a")
    assert example.output == "21 degrees."


def test_openai_chat_final_tool_call_is_the_reply():
    example = one(openai_chat, {"messages": [
        user("Weather?"),
        {"role": "assistant", "tool_calls": [
            {"id": "c1", "type": "function",
             "function": {"name": "get_weather", "arguments": {"city": "Oslo"}}}]}]})
    assert example.messages == [Message(role="user", content="Weather?")]
    assert example.output == ""
    # object arguments are kept as compact JSON text
    assert example.tool_calls == [ToolCall(id="c1", name="get_weather",
                                           arguments='{"city":"Oslo"}')]


def test_openai_chat_legacy_function_call_and_function_role():
    example = one(openai_chat, {"messages": [
        user("Add 2 and 3"),
        {"role": "assistant", "content": None,
         "function_call": {"name": "add", "arguments": '{"a": 2, "b": 3}'}},
        {"role": "function", "name": "add", "content": "5"},
        assistant("5")]})
    assert example.messages[1].tool_calls == [ToolCall(name="add", arguments='{"a": 2, "b": 3}')]
    assert example.messages[2] == Message(role="tool", name="add", content="5")
    assert example.output == "5"


def test_openai_chat_tools_in_nested_and_flat_forms():
    parameters = {"type": "object", "properties": {"city": {"type": "string"}},
                  "required": ["city"]}
    example = one(openai_chat, {
        "messages": [user("Hi"), assistant("Hello")],
        "tools": [
            {"type": "function", "function": {"name": "get_weather", "description": "Weather",
                                              "parameters": parameters}},
            {"name": "get_time", "parameters": {"type": "object", "properties": {}}},
        ]})
    assert example.tools == [
        Tool(name="get_weather", description="Weather", parameters=parameters),
        Tool(name="get_time", description=None, parameters={"type": "object",
                                                             "properties": {}}),
    ]


def test_openai_chat_legacy_functions_key_and_tools_as_json_string():
    functions = [{"name": "f", "parameters": {"type": "object"}}]
    from_functions = one(openai_chat, {"messages": [user("q")], "functions": functions})
    from_string = one(openai_chat, {"messages": [user("q")], "tools": json.dumps(functions)})
    assert from_functions.tools == from_string.tools == [
        Tool(name="f", parameters={"type": "object"})]
    assert from_functions.meta == from_string.meta == {}


@pytest.mark.parametrize("record, field, reason", [
    ({"messages": [{"role": "robot", "content": "x"}]}, "messages.0.role",
     "unknown role 'robot' (expected system, user, assistant or tool)"),
    ({"messages": [user("q"), {"role": "user"}]}, "messages.1.content",
     "a message needs content"),
    ({"messages": [user("q"), "hello"]}, "messages.1",
     "expected a message object, got str"),
    ({"messages": {"role": "user"}}, "messages", "expected an array, got an object"),
    ({"messages": [user("q"), {"role": "assistant", "tool_calls": [{"function": {}}]}]},
     "messages.1.tool_calls.0.function.name", "a tool call needs a function name"),
    ({"messages": [user("q"), {"role": "assistant", "tool_calls": {"name": "f"}}]},
     "messages.1.tool_calls", "expected an array"),
    ({"messages": [user("q"), {"role": "assistant", "tool_calls": [
        {"function": {"name": "f", "arguments": [1]}}]}]},
     "messages.1.tool_calls.0.arguments",
     "tool call arguments must be a JSON object or string, got an array"),
    ({"messages": [user("q")], "tools": [{"function": {"description": "no name"}}]},
     "tools.0.name", "a tool needs a name"),
    ({"messages": [user("q")], "tools": [{"name": "f", "parameters": "object"}]},
     "tools.0.parameters", "must be a JSON Schema object"),
    ({"messages": [user("q")], "tools": "not json"}, "tools", None),  # orjson's words follow
    ({"messages": [user("q"), {"role": "tool", "content": "x", "tool_call_id": 5}]},
     "messages.1.tool_call_id", "expected text, got a number"),
    ({"messages": [user("q"), {"role": "assistant", "tool_calls": [
        {"id": 7, "function": {"name": "f", "arguments": "{}"}}]}]},
     "messages.1.tool_calls.0.id", "expected text, got a number"),
    ({"messages": []}, "", "a chat example needs at least one message before the reply"),
    ({"messages": None}, "messages", "required field is missing"),
])
def test_openai_chat_bad_records_name_the_field(record, field, reason):
    got_field, got_reason = bad(openai_chat, record)
    assert got_field == field
    if reason is None:
        assert got_reason.startswith("holds a string that is not JSON: ")
    else:
        assert got_reason == reason


def test_unknown_top_level_fields_are_kept_in_meta():
    record = {"id": "r1", "messages": [user("q"), assistant("a")], "source": "web",
              "score": 0.5, "labels": ["x", {"y": 1}], "nothing": None}
    example = one(openai_chat, record)
    assert example.meta == {"id": "r1", "source": "web", "score": 0.5,
                            "labels": ["x", {"y": 1}], "nothing": None}


# -- trl prompt-completion / preference ---------------------------------------------------

def test_trl_prompt_completion_text():
    example = one(trl_prompt_completion, {"prompt": "The sky is", "completion": " blue.",
                                          "extra": 1})
    assert (example.kind, example.prompt, example.output) == ("pair", "The sky is", " blue.")
    assert example.messages == [] and example.meta == {"extra": 1}


def test_trl_prompt_completion_conversational():
    example = one(trl_prompt_completion, {
        "prompt": [{"role": "system", "content": "S"}, user("Color of the sky?")],
        "completion": [assistant("Blue.")]})
    assert example.kind == "chat"
    assert example.prompt is None
    assert example.messages == [Message(role="system", content="S"),
                                Message(role="user", content="Color of the sky?")]
    assert example.output == "Blue."


def test_trl_prompt_completion_conversational_completion_must_end_with_assistant():
    assert bad(trl_prompt_completion, {"prompt": "p", "completion": [user("x")]}) == (
        "completion", "expected text or messages ending in an assistant turn")
    assert bad(trl_prompt_completion, {"prompt": "p"}) == (
        "completion", "required field is missing")


def test_trl_preference_explicit_text_prompt():
    example = one(trl_preference, {"prompt": "2+2?", "chosen": "4", "rejected": "5"})
    assert (example.kind, example.prompt, example.output, example.rejected) == (
        "preference", "2+2?", "4", "5")
    assert example.messages == []


def test_trl_preference_explicit_conversational_prompt():
    example = one(trl_preference, {"prompt": [user("2+2?")], "chosen": [assistant("4")],
                                   "rejected": [assistant("5")]})
    assert example.messages == [Message(role="user", content="2+2?")]
    assert (example.prompt, example.output, example.rejected) == (None, "4", "5")


def test_trl_preference_implicit_prompt_from_the_shared_prefix():
    context = [{"role": "system", "content": "S"}, user("2+2?")]
    example = one(trl_preference, {"chosen": context + [assistant("4")],
                                   "rejected": context + [assistant("5")]})
    assert example.messages == [Message(role="system", content="S"),
                                Message(role="user", content="2+2?")]
    assert (example.output, example.rejected) == ("4", "5")


def test_trl_preference_mismatched_prefix_names_rejected():
    assert bad(trl_preference, {"chosen": [user("2+2?"), assistant("4")],
                                "rejected": [user("3+3?"), assistant("6")]}) == (
        "rejected", "chosen and rejected do not share the conversation before the last reply")


def test_trl_preference_text_pair_without_prompt_names_prompt():
    field, reason = bad(trl_preference, {"chosen": "a", "rejected": "b"})
    assert field == "prompt"
    assert reason.startswith("required field is missing")


# -- alpaca / self-instruct ----------------------------------------------------------------

def test_alpaca_with_input_and_system():
    example = one(alpaca, {"instruction": "Translate", "input": "chat", "output": "cat",
                           "system": "You translate.", "lang": "fr"})
    assert (example.kind, example.prompt, example.input, example.output, example.system) == (
        "pair", "Translate", "chat", "cat", "You translate.")
    assert example.meta == {"lang": "fr"}


def test_alpaca_empty_input_is_none():
    example = one(alpaca, {"instruction": "Say hi", "input": "", "output": "hi"})
    assert example.input is None and example.system is None


def test_alpaca_history_becomes_a_chat():
    example = one(alpaca, {"instruction": "And 3+3?", "input": "quickly", "output": "6",
                           "system": "Math tutor", "history": [["2+2?", "4"], ["1+1?", "2"]]})
    assert example.kind == "chat"
    assert [(m.role, m.content) for m in example.messages] == [
        ("system", "Math tutor"), ("user", "2+2?"), ("assistant", "4"), ("user", "1+1?"),
        ("assistant", "2"), ("user", "And 3+3?\n\nquickly")]
    assert example.output == "6"
    assert example.prompt is None and example.system is None


@pytest.mark.parametrize("record, field, reason", [
    ({"instruction": "x"}, "output", "required field is missing"),
    ({"output": "x"}, "instruction", "required field is missing"),
    ({"instruction": "x", "output": 3}, "output", "expected text, got a number"),
    ({"instruction": "x", "output": "y", "input": ["a"]}, "input",
     "expected text, got an array"),
    ({"instruction": "x", "output": "y", "history": [["q"]]}, "history.0",
     "expected a [question, answer] pair of texts"),
    ({"instruction": "x", "output": "y", "history": "q/a"}, "history",
     "expected an array of [question, answer] pairs"),
])
def test_alpaca_bad_records(record, field, reason):
    assert bad(alpaca, record) == (field, reason)


def test_self_instruct_two_instances_give_two_examples():
    record = {"id": "seed_task_9", "name": "n", "instruction": "Classify",
              "instances": [{"input": "a", "output": "A"}, {"input": "", "output": "B"}],
              "is_classification": True}
    examples = self_instruct(record, TASK)
    assert [(e.kind, e.prompt, e.input, e.output) for e in examples] == [
        ("pair", "Classify", "a", "A"), ("pair", "Classify", None, "B")]
    assert [e.meta for e in examples] == [
        {"id": "seed_task_9", "name": "n", "is_classification": True, "instance": 0},
        {"id": "seed_task_9", "name": "n", "is_classification": True, "instance": 1}]


def test_self_instruct_one_instance_has_no_instance_index():
    [example] = self_instruct({"instruction": "I", "instances": [{"input": "", "output": "O"}],
                               "id": 1}, TASK)
    assert example.meta == {"id": 1}


@pytest.mark.parametrize("record, field, reason", [
    ({"instruction": "I", "instances": []}, "instances", "the task has no instances"),
    ({"instruction": "I", "instances": ["x"]}, "instances.0",
     "expected an object with input and output"),
    ({"instruction": "I", "instances": [{"input": "x"}]}, "instances.0.output",
     "required field is missing"),
    ({"instruction": "I", "instances": [{"output": "o"}, {"output": 1}]},
     "instances.1.output", "expected text, got a number"),
])
def test_self_instruct_bad_records(record, field, reason):
    assert bad(self_instruct, record) == (field, reason)


# -- sharegpt ---------------------------------------------------------------------------

def test_sharegpt_roles_and_function_calls():
    record = {
        "id": "c1",
        "system": "You can call tools.",
        "conversations": [
            {"from": "human", "value": "Area of a 2x3 rectangle?"},
            {"from": "function_call",
             "value": '{"name": "area", "arguments": {"w": 2, "h": 3}}'},
            {"from": "observation", "value": '{"area": 6}'},
            {"from": "gpt", "value": "6"},
            {"from": "human", "value": "And 1x1?"},
            {"from": "function_call", "value": '{"name": "area", "arguments": "{\\"w\\": 1}"}'},
            {"from": "observation", "value": '{"area": 1}'},
            {"from": "gpt", "value": "1"},
        ],
        "tools": '[{"name": "area", "parameters": {"type": "object"}}]',
    }
    example = one(sharegpt, record)
    assert example.kind == "chat"
    assert example.messages == [
        Message(role="system", content="You can call tools."),
        Message(role="user", content="Area of a 2x3 rectangle?"),
        Message(role="assistant", content=None,
                tool_calls=[ToolCall(id="call_0", name="area", arguments='{"w":2,"h":3}')]),
        Message(role="tool", content='{"area": 6}', tool_call_id="call_0"),
        Message(role="assistant", content="6"),
        Message(role="user", content="And 1x1?"),
        Message(role="assistant", content=None,
                tool_calls=[ToolCall(id="call_1", name="area", arguments='{"w": 1}')]),
        Message(role="tool", content='{"area": 1}', tool_call_id="call_1"),
    ]
    assert example.output == "1"
    assert example.tools == [Tool(name="area", parameters={"type": "object"})]
    assert example.meta == {"id": "c1"}


def test_sharegpt_system_turn_and_role_content_keys():
    example = one(sharegpt, {"conversations": [
        {"from": "system", "value": "S"}, {"role": "user", "content": "q"},
        {"from": "GPT", "value": "a"}]})
    assert [(m.role, m.content) for m in example.messages] == [("system", "S"), ("user", "q")]
    assert example.output == "a"


def test_sharegpt_ending_with_a_function_call_puts_it_in_tool_calls():
    example = one(sharegpt, {"conversations": [
        {"from": "human", "value": "q"},
        {"from": "function_call", "value": '{"name": "f", "arguments": {}}'}]})
    assert example.output == ""
    assert example.tool_calls == [ToolCall(id="call_0", name="f", arguments="{}")]


@pytest.mark.parametrize("record, field, reason", [
    ({"conversations": [{"from": "human", "value": "q"}, {"from": "robot", "value": "x"}]},
     "conversations.1.from", "unknown speaker 'robot'"),
    ({"conversations": [{"value": "q"}]}, "conversations.0.from", "unknown speaker None"),
    ({"conversations": [{"from": "human", "value": 5}]}, "conversations.0.value",
     "expected text, got a number"),
    ({"conversations": [{"from": "human", "value": "q"},
                        {"from": "function_call", "value": "not json"}]},
     "conversations.1.value", None),
    ({"conversations": [{"from": "human", "value": "q"}, ["gpt", "a"]]},
     "conversations.1", "expected a turn object, got an array"),
    ({"conversations": [{"from": "human", "value": "q"}], "tools": "{}"}, "tools",
     "expected an array, got an object"),
])
def test_sharegpt_bad_records(record, field, reason):
    got_field, got_reason = bad(sharegpt, record)
    assert got_field == field
    if reason is None:
        assert got_reason.startswith("function_call is not JSON: ")
    else:
        assert got_reason == reason


def test_sharegpt_preference():
    example = one(sharegpt_preference, {
        "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"},
                          {"from": "human", "value": "Joke?"}],
        "chosen": {"from": "gpt", "value": "Knock knock."},
        "rejected": {"from": "gpt", "value": "No."},
        "system": "Be funny."})
    assert example.kind == "preference"
    assert [(m.role, m.content) for m in example.messages] == [
        ("system", "Be funny."), ("user", "Hi"), ("assistant", "Hello"), ("user", "Joke?")]
    assert (example.output, example.rejected) == ("Knock knock.", "No.")
    assert example.meta == {}


def test_sharegpt_preference_bad_chosen_speaker():
    assert bad(sharegpt_preference, {
        "conversations": [{"from": "human", "value": "Hi"}],
        "chosen": {"from": "bot", "value": "x"}, "rejected": {"from": "gpt", "value": "y"}}) == (
        "chosen.from", "unknown speaker 'bot'")
    assert bad(sharegpt_preference, {"conversations": [{"from": "human", "value": "Hi"}],
                                     "chosen": {"from": "gpt", "value": "x"}}) == (
        "rejected", "required field is missing")


# -- hh-rlhf ------------------------------------------------------------------------------

def test_hh_rlhf_splits_the_shared_dialogue_from_the_replies():
    prefix = "\n\nHuman: Hi\n\nAssistant: Hello\n\nHuman: Tell me a joke"
    example = one(hh_rlhf, {"chosen": prefix + "\n\nAssistant: Why did the chicken...",
                            "rejected": prefix + "\n\nAssistant: No."})
    assert example.kind == "preference"
    assert [(m.role, m.content) for m in example.messages] == [
        ("user", "Hi"), ("assistant", "Hello"), ("user", "Tell me a joke")]
    assert (example.output, example.rejected) == ("Why did the chicken...", "No.")


def test_hh_rlhf_replies_sharing_their_start_are_kept_whole():
    prefix = "\n\nHuman: Q"
    example = one(hh_rlhf, {"chosen": prefix + "\n\nAssistant: I think yes",
                            "rejected": prefix + "\n\nAssistant: I think no"})
    assert [(m.role, m.content) for m in example.messages] == [("user", "Q")]
    assert (example.output, example.rejected) == ("I think yes", "I think no")


@pytest.mark.parametrize("record, field, reason", [
    ({"chosen": "hello", "rejected": "world"}, "chosen",
     "expected transcripts of '\\n\\nHuman: ' and '\\n\\nAssistant: ' turns that share "
     "the dialogue"),
    ({"chosen": "\n\nAssistant: a", "rejected": "\n\nAssistant: b"}, "chosen",
     "expected a transcript of '\\n\\nHuman: ' and '\\n\\nAssistant: ' turns"),
    ({"chosen": "\n\nHuman: q\n\nAssistant: a\n\nAssistant: b",
      "rejected": "\n\nHuman: q\n\nAssistant: a\n\nAssistant: c"}, "chosen",
     "the shared dialogue does not end with a Human turn"),
    ({"chosen": ["x"], "rejected": "y"}, "chosen", "expected text, got an array"),
])
def test_hh_rlhf_bad_records(record, field, reason):
    assert bad(hh_rlhf, record) == (field, reason)


# -- bfcl ---------------------------------------------------------------------------------

def test_bfcl_question_turns_and_functions():
    function = {"name": "calculate_triangle_area", "description": "Area.",
                "parameters": {"type": "dict", "properties": {"base": {"type": "integer"}},
                               "required": ["base"]}}
    example = one(bfcl, {"id": "simple_0",
                         "question": [[user("Area of base 10?")],
                                      [{"role": "system", "content": "S"}, user("Again")]],
                         "function": [function]})
    assert example.kind == "chat"
    assert [(m.role, m.content) for m in example.messages] == [
        ("user", "Area of base 10?"), ("system", "S"), ("user", "Again")]
    # BFCL's Python type names become JSON Schema types; the change is noted in meta
    assert example.tools == [Tool(name="calculate_triangle_area", description="Area.",
                                  parameters={"type": "object",
                                              "properties": {"base": {"type": "integer"}},
                                              "required": ["base"]})]
    assert function["parameters"]["type"] == "dict"  # the input record is not changed
    assert example.output == "" and example.tool_calls == []
    assert example.meta == {"id": "simple_0", "normalized_types": ["dict→object"]}


def test_bfcl_nested_nonstandard_types():
    parameters = {"type": "dict", "properties": {
        "x": {"type": "float"}, "pair": {"type": "tuple", "items": {"type": "float"}},
        "anything": {"type": "any", "description": "d"}, "n": {"type": "integer"}}}
    example = one(bfcl, {"question": [[user("q")]],
                         "function": [{"name": "f", "parameters": parameters}]})
    assert example.tools[0].parameters == {"type": "object", "properties": {
        "x": {"type": "number"}, "pair": {"type": "array", "items": {"type": "number"}},
        "anything": {"description": "d"}, "n": {"type": "integer"}}}
    assert example.meta == {"normalized_types": [
        "any→any type", "dict→object", "float→number", "tuple→array"]}


def test_bfcl_standard_types_leave_meta_alone():
    example = one(bfcl, {"id": "i", "question": [[user("q")]], "function": [
        {"name": "f", "parameters": {"type": "object", "properties": {}}}]})
    assert example.meta == {"id": "i"}
    assert example.tools[0].parameters == {"type": "object", "properties": {}}


def test_bfcl_bad_records():
    assert bad(bfcl, {"question": [user("q")], "function": []}) == (
        "question.0", "expected an array, got an object")
    assert bad(bfcl, {"question": [[user("q")]], "function": [{"name": ""}]}) == (
        "function.0.name", "a tool needs a name")
    assert bad(bfcl, {"function": []}) == ("question", "required field is missing")


# -- detect -------------------------------------------------------------------------------

@pytest.mark.parametrize("record, layout", [
    ({"messages": []}, "openai-chat"),
    ({"conversations": []}, "sharegpt"),
    ({"conversations": [], "chosen": {}, "rejected": {}}, "sharegpt-preference"),
    ({"prompt": "p", "chosen": "a", "rejected": "b"}, "trl-preference"),
    ({"chosen": [], "rejected": []}, "trl-preference"),
    ({"chosen": "\n\nHuman: q\n\nAssistant: a", "rejected": "x"}, "hh-rlhf"),
    ({"prompt": "p", "completion": "c"}, "trl-prompt-completion"),
    ({"instruction": "i", "output": "o"}, "alpaca"),
    ({"instruction": "i", "input": "", "output": "o", "history": []}, "alpaca"),
    ({"instruction": "i", "instances": []}, "self-instruct"),
    ({"id": "x", "question": [], "function": []}, "bfcl"),
    ({"chosen": "good", "rejected": "bad"}, None),
    ({"prompt": "p"}, None),
    ({"text": "t"}, None),
    ({}, None),
])
def test_detect(record, layout):
    assert detect(record) == layout
    if layout is not None:
        assert layout in LAYOUTS


def test_every_layout_is_registered():
    assert set(LAYOUTS) == {"openai-chat", "trl-prompt-completion", "trl-preference", "alpaca",
                            "self-instruct", "sharegpt", "sharegpt-preference", "hh-rlhf",
                            "bfcl"}


# -- --map --------------------------------------------------------------------------------

def test_parse_mapping():
    assert parse_mapping(["prompt=question", " output = answer.text "]) == {
        "prompt": "question", "output": "answer.text"}
    assert parse_mapping(["prompt=q", "chosen=a", "rejected=b"]) == {
        "prompt": "q", "chosen": "a", "rejected": "b"}
    assert parse_mapping(["messages=dialog"]) == {"messages": "dialog"}


@pytest.mark.parametrize("items, message", [
    (["prompt"], "--map 'prompt': expected FIELD=COLUMN, e.g. prompt=question"),
    (["prompt="], "--map 'prompt=': expected FIELD=COLUMN, e.g. prompt=question"),
    (["=q"], "--map '=q': expected FIELD=COLUMN, e.g. prompt=question"),
    (["answer=a"], "--map 'answer=a': unknown field 'answer'; use one of prompt, input, "
                   "system, output, chosen, rejected, messages, conversations, tools"),
    (["prompt=q", "chosen=a"], "--map: a preference needs both chosen= and rejected="),
    (["rejected=b", "prompt=q"], "--map: a preference needs both chosen= and rejected="),
    (["output=a"], "--map: map at least prompt=, messages= or conversations="),
])
def test_parse_mapping_errors(items, message):
    with pytest.raises(InputError) as info:
        parse_mapping(items)
    assert info.value.message == message
    assert info.value.exit_code == 2


def test_mapped_pair_with_dotted_paths():
    convert = mapped_converter(parse_mapping(
        ["prompt=instruction", "input=instances.0.input", "output=instances.0.output"]))
    [example] = convert({"instruction": "Sum", "instances": [{"input": "1 2", "output": "3"}],
                         "id": 7}, TASK)
    assert (example.kind, example.prompt, example.input, example.output) == (
        "pair", "Sum", "1 2", "3")
    # a column read by a dotted path may hold more (other instances): it stays in meta
    assert example.meta == {"id": 7, "instances": [{"input": "1 2", "output": "3"}]}


def test_mapped_pair_list_index_and_missing_output():
    convert = mapped_converter(parse_mapping(["prompt=turns.1"]))
    [example] = convert({"turns": ["first", "second"], "category": "c"}, TASK)
    assert (example.prompt, example.output) == ("second", "")


def test_mapped_pair_keeps_unmapped_columns_in_meta():
    convert = mapped_converter(parse_mapping(["prompt=prompt", "output=response",
                                              "system=sys"]))
    [example] = convert({"prompt": "p", "response": " r", "sys": "s", "target": "t",
                         "input": "i"}, TASK)
    assert (example.prompt, example.output, example.system, example.input) == (
        "p", " r", "s", None)
    assert example.meta == {"target": "t", "input": "i"}


def test_mapped_preference():
    convert = mapped_converter(parse_mapping(["prompt=q", "chosen=good", "rejected=bad"]))
    [example] = convert({"q": "2+2?", "good": "4", "bad": "5"}, TASK)
    assert (example.kind, example.prompt, example.output, example.rejected) == (
        "preference", "2+2?", "4", "5")


def test_mapped_preference_without_prompt():
    convert = mapped_converter(parse_mapping(["chosen=good", "rejected=bad"]))
    assert bad(convert, {"good": "4", "bad": "5"}) == ("prompt", "a mapped preference needs "
                                                                 "prompt=")


def test_mapped_messages_and_conversations():
    convert = mapped_converter(parse_mapping(["messages=chat.turns", "tools=chat.fns"]))
    [example] = convert({"chat": {"turns": [user("q"), assistant("a")],
                                  "fns": [{"name": "f"}]}}, TASK)
    assert (example.kind, example.output) == ("chat", "a")
    assert example.messages == [Message(role="user", content="q")]
    assert example.tools == [Tool(name="f")]

    convert = mapped_converter(parse_mapping(["conversations=dialog", "output=gold"]))
    [example] = convert({"dialog": [{"from": "human", "value": "q"},
                                    {"from": "gpt", "value": "model answer"}],
                         "gold": "gold answer"}, TASK)
    # an explicit output replaces the final turn as the reply
    assert example.messages == [Message(role="user", content="q")]
    assert example.output == "gold answer"


@pytest.mark.parametrize("items, record, field, reason", [
    (["prompt=question"], {"q": "x"}, "question",
     "required field is missing (mapped to prompt)"),
    (["prompt=instances.0.input"], {"instances": []}, "instances.0.input",
     "required field is missing (mapped to prompt)"),
    (["prompt=a.b"], {"a": "text"}, "a.b", "required field is missing (mapped to prompt)"),
    (["prompt=p", "chosen=c", "rejected=r"], {"p": "x", "c": "y"}, "r",
     "required field is missing (mapped to rejected)"),
    (["messages=m"], {"n": []}, "m", "required field is missing (mapped to messages)"),
    (["prompt=turns"], {"turns": ["a", "b"]}, "turns", "expected text, got an array"),
    (["prompt=p", "output=o"], {"p": "x", "o": 5}, "o", "expected text, got a number"),
])
def test_mapped_missing_or_wrong_column(items, record, field, reason):
    assert bad(mapped_converter(parse_mapping(items)), record) == (field, reason)


# -- content hash -------------------------------------------------------------------------

def test_content_hash_equal_for_equal_content_not_for_status_or_meta():
    a = one(alpaca, {"instruction": "I", "output": "O", "id": 1})
    b = one(alpaca, {"instruction": "I", "output": "O", "id": 2})
    assert a.meta != b.meta
    b.status, b.tags, b.note = "approved", ["x"], "a note"
    assert a.content_hash() == b.content_hash()
    assert len(a.content_hash()) == 32
    int(a.content_hash(), 16)  # hex


def test_content_hash_differs_when_content_differs():
    base = one(alpaca, {"instruction": "I", "output": "O"})
    assert base.content_hash() != one(alpaca, {"instruction": "I", "output": "O2"}).content_hash()
    assert base.content_hash() != one(alpaca, {"instruction": "I2", "output": "O"}).content_hash()
    assert base.content_hash() != one(alpaca, {"instruction": "I", "input": "x",
                                               "output": "O"}).content_hash()
    chosen = one(trl_preference, {"prompt": "p", "chosen": "a", "rejected": "b"})
    swapped = one(trl_preference, {"prompt": "p", "chosen": "b", "rejected": "a"})
    assert chosen.content_hash() != swapped.content_hash()
    # the same text as a pair and as a chat are different examples
    pair = one(trl_prompt_completion, {"prompt": "q", "completion": "a"})
    chat = one(openai_chat, {"messages": [user("q"), assistant("a")]})
    assert pair.content_hash() != chat.content_hash()
    # a tool call changes the example
    with_call = one(openai_chat, {"messages": [user("q"), {"role": "assistant", "content": "a",
                    "tool_calls": [{"function": {"name": "f", "arguments": "{}"}}]}]})
    assert chat.content_hash() != with_call.content_hash()


def test_sharegpt_parallel_calls_link_observations_in_order():
    from curator.layouts import sharegpt

    calls = [{"name": "a", "arguments": {}}, {"name": "b", "arguments": {}}]
    [example] = sharegpt({"conversations": [
        {"from": "human", "value": "both please"},
        {"from": "function_call", "value": json.dumps(calls)},
        {"from": "observation", "value": "A"},
        {"from": "observation", "value": "B"},
        {"from": "gpt", "value": "done"}]}, TASK)
    call_message = example.messages[1]
    assert [c.id for c in call_message.tool_calls] == ["call_0", "call_1"]
    assert [m.tool_call_id for m in example.messages[2:4]] == ["call_0", "call_1"]
