"""Structured success replies: forced tools and JSON-schema requests answered so clients parse.

Each pytester run holds many inner tests. The SDKs' own structured helpers (openai ``parse``
for chat and responses, anthropic tool use and ``messages.parse``, google-genai
``response_schema``) run in one; the structured-output libraries that install beside the
current SDKs (pydantic-ai, LangChain ``with_structured_output``) in another, each skipped
where it is not installed. instructor is not among them: it pins ``jiter<0.15`` while
openai 3.x needs ``jiter>=0.16``.
"""

from __future__ import annotations

import importlib.util

import pytest

#: The inner tests' models: every kind of constraint the built value has to satisfy.
MODELS = '''
import enum
import json
from typing import Literal, Optional

import pydantic
from pydantic import BaseModel, Field


class Kind(str, enum.Enum):
    ALPHA = "alpha"
    BETA = "beta"


class Address(BaseModel):
    city: str
    zip_code: str = Field(min_length=5, max_length=5)


class Person(BaseModel):
    name: str
    age: int = Field(ge=18, le=120)
    score: float = Field(gt=0.5, lt=1.0)
    kind: Kind
    tags: list[str] = Field(min_length=2)
    address: Address
    friends: list[Address]
    nickname: Optional[str]
    species: Literal["human"]
    verified: bool


class Pet(BaseModel):
    """What google-genai's own Schema takes (no exclusive bounds)."""

    name: str
    kind: Kind
    legs: int = Field(ge=2)
    toys: list[str] = Field(min_length=1)
    owner: Optional[Address]


class Note(BaseModel):
    """What anthropic's parse keeps: it moves bounds and lengths into descriptions."""

    title: str
    kind: Kind
    pages: int
    tags: list[str]


def check(person):
    person = Person.model_validate(person)
    assert person.kind is Kind.ALPHA and person.species == "human"
    assert person.age >= 18 and 0.5 < person.score < 1.0
    assert len(person.tags) >= 2 and len(person.address.zip_code) == 5
    return person
'''


def _inner(pytester: pytest.Pytester, tests: str) -> None:
    pytester.makepyfile(models=MODELS, test_inner=tests)
    pytester.syspathinsert()


def test_the_sdks_structured_helpers_parse_the_replies(pytester: pytest.Pytester) -> None:
    """openai parse (chat, responses, tools), anthropic tool use and parse, genai schemas."""
    _inner(
        pytester,
        """
        import json

        import anthropic
        import openai
        import pytest
        from models import Address, Kind, Note, Person, Pet, check

        def oai():
            return openai.OpenAI(api_key="sk-test")

        def claude():
            return anthropic.Anthropic(api_key="sk-ant-test")

        PERSON_TOOL = {"name": "record", "description": "Record a person.",
                       "input_schema": Person.model_json_schema()}

        @pytest.mark.llm_errors
        def test_chat_parse_json_schema(inject_error):
            completion = oai().chat.completions.parse(
                model="gpt-4o", messages=[{"role": "user", "content": "hi"}],
                response_format=Person)
            message = completion.choices[0].message
            check(message.parsed)
            assert json.loads(message.content) == message.parsed.model_dump(mode="json")
            with oai().chat.completions.stream(
                model="gpt-4o", messages=[], response_format=Person) as stream:
                check(stream.get_final_completion().choices[0].message.parsed)

        @pytest.mark.llm_errors
        def test_chat_forced_tools(inject_error):
            tool = openai.pydantic_function_tool(Person, name="record")
            for choice in ({"type": "function", "function": {"name": "record"}}, "required"):
                completion = oai().chat.completions.parse(
                    model="gpt-4o", messages=[], tools=[tool], tool_choice=choice)
                choice_ = completion.choices[0]
                (call,) = choice_.message.tool_calls
                assert call.id.startswith("call_") and len(call.id) == 29
                assert call.function.name == "record" and choice_.message.content is None
                check(call.function.parsed_arguments)
                expected = "stop" if isinstance(choice, dict) else "tool_calls"
                assert choice_.finish_reason == expected
                with oai().chat.completions.stream(
                    model="gpt-4o", messages=[], tools=[tool], tool_choice=choice) as stream:
                    final = stream.get_final_completion().choices[0].message
                check(final.tool_calls[0].function.parsed_arguments)
            # A tool offered but not forced: the text reply.
            plain = oai().chat.completions.create(model="gpt-4o", messages=[], tools=[tool])
            assert plain.choices[0].message.content == "pong"

        @pytest.mark.llm_errors
        def test_responses_parse_and_function_calls(inject_error):
            response = oai().responses.parse(model="gpt-4o", input="hi", text_format=Person)
            check(response.output_parsed)
            with oai().responses.stream(model="gpt-4o", input="hi", text_format=Person) as s:
                check(s.get_final_response().output_parsed)
            tool = {"type": "function", "name": "record", "strict": False,
                    "parameters": Person.model_json_schema()}
            for stream in (False, True):
                kwargs = dict(model="gpt-4o", input="hi", tools=[tool], tool_choice="required")
                if stream:
                    with oai().responses.stream(**kwargs) as s:
                        response = s.get_final_response()
                else:
                    response = oai().responses.create(**kwargs)
                (item,) = response.output
                assert (item.type, item.name) == ("function_call", "record")
                assert item.call_id.startswith("call_")
                check(json.loads(item.arguments))

        @pytest.mark.llm_errors
        def test_anthropic_forced_tool_use(inject_error):
            for choice in ({"type": "tool", "name": "record"}, {"type": "any"}):
                kwargs = dict(model="claude-haiku-4-5", max_tokens=100, messages=[],
                              tools=[PERSON_TOOL], tool_choice=choice)
                message = claude().messages.create(**kwargs)
                (block,) = message.content
                assert (block.type, block.name, message.stop_reason) == (
                    "tool_use", "record", "tool_use")
                assert block.id.startswith("toolu_01")
                check(block.input)
                with claude().messages.stream(**kwargs) as stream:
                    final = stream.get_final_message()
                assert final.stop_reason == "tool_use"
                check(final.content[0].input)

        @pytest.mark.llm_errors
        def test_anthropic_parse(inject_error):
            if not hasattr(claude().messages, "parse"):
                pytest.skip("this anthropic has no messages.parse")
            message = claude().messages.parse(
                model="claude-haiku-4-5", max_tokens=100, messages=[], output_format=Note)
            assert message.parsed_output.kind is Kind.ALPHA

        @pytest.mark.llm_errors
        def test_gemini_response_schema_and_function_calling(inject_error):
            genai = pytest.importorskip("google.genai")
            types = genai.types
            client = genai.Client(api_key="k")
            for model, config in (
                (Pet, {"response_mime_type": "application/json", "response_schema": Pet}),
                (Person, {"response_mime_type": "application/json",
                          "response_json_schema": Person.model_json_schema()}),
            ):
                reply = client.models.generate_content(
                    model="gemini-2.5-flash", contents="hi", config=config)
                model.model_validate_json(reply.text)
                if "response_schema" in config:
                    assert isinstance(reply.parsed, Pet) and reply.parsed.legs >= 2
                chunks = client.models.generate_content_stream(
                    model="gemini-2.5-flash", contents="hi", config=config)
                model.model_validate_json("".join(c.text for c in chunks))
            declaration = types.FunctionDeclaration(
                name="record", description="Record a person.",
                parameters_json_schema=Person.model_json_schema())
            config = types.GenerateContentConfig(
                tools=[types.Tool(function_declarations=[declaration])],
                tool_config=types.ToolConfig(function_calling_config=types.FunctionCallingConfig(
                    mode="ANY", allowed_function_names=["record"])),
                automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True))
            reply = client.models.generate_content(
                model="gemini-2.5-flash", contents="hi", config=config)
            (call,) = reply.function_calls
            assert call.name == "record"
            check(call.args)
            chunks = list(client.models.generate_content_stream(
                model="gemini-2.5-flash", contents="hi", config=config))
            calls = [c for chunk in chunks for c in (chunk.function_calls or [])]
            assert [c.name for c in calls] == ["record"]
            check(calls[0].args)

        @pytest.mark.llm_errors
        def test_a_dict_reply_is_the_arguments_or_the_json(inject_error):
            chosen = {"name": "Ada", "age": 36}
            inject_error.reply = chosen
            assert inject_error.reply == chosen
            tool = {"type": "function", "function": {"name": "record", "parameters": {}}}
            completion = oai().chat.completions.create(
                model="gpt-4o", messages=[], tools=[tool], tool_choice="required")
            call = completion.choices[0].message.tool_calls[0]
            assert json.loads(call.function.arguments) == chosen
            message = claude().messages.create(
                model="claude-haiku-4-5", max_tokens=10, messages=[],
                tools=[PERSON_TOOL], tool_choice={"type": "any"})
            assert message.content[0].input == chosen
            for fmt in ({"type": "json_object"}, None):
                kwargs = {"response_format": fmt} if fmt else {}
                plain = oai().chat.completions.create(model="gpt-4o", messages=[], **kwargs)
                assert json.loads(plain.choices[0].message.content) == chosen
            inject_error.reply = [1, 2]
            plain = oai().chat.completions.create(model="gpt-4o", messages=[])
            assert plain.choices[0].message.content == "[1,2]"

        @pytest.mark.llm_errors
        def test_a_str_reply(inject_error):
            tool = openai.pydantic_function_tool(Address, name="address")
            inject_error.reply = '{"city": "Oslo", "zip_code": "01500"}'
            completion = oai().chat.completions.parse(
                model="gpt-4o", messages=[], tools=[tool], tool_choice="required")
            parsed = completion.choices[0].message.tool_calls[0].function.parsed_arguments
            assert parsed == Address(city="Oslo", zip_code="01500")
            # Text that is not JSON: the tool is forced, so the call is built from the schema.
            inject_error.reply = "not json"
            completion = oai().chat.completions.parse(
                model="gpt-4o", messages=[], tools=[tool], tool_choice="required")
            assert completion.choices[0].message.tool_calls[0].function.parsed_arguments
            # JSON output asked for: a str reply is the content as set, even when it is bad.
            completion = oai().chat.completions.create(
                model="gpt-4o", messages=[], response_format={"type": "json_object"})
            assert completion.choices[0].message.content == "not json"

        @pytest.mark.llm_errors
        def test_json_mode_finds_the_schema_in_the_prompt(inject_error):
            prompt = "Answer in JSON matching: " + json.dumps(Person.model_json_schema())
            completion = oai().chat.completions.create(
                model="gpt-4o", messages=[{"role": "system", "content": prompt}],
                response_format={"type": "json_object"})
            check(json.loads(completion.choices[0].message.content))

        @pytest.mark.llm_errors
        def test_reply_type_is_checked(inject_error):
            for bad in (42, None, {1, 2}, b"x"):
                with pytest.raises(ValueError, match="str .* or a dict / list"):
                    inject_error.reply = bad
            with pytest.raises(ValueError, match="JSON-serializable"):
                inject_error.reply = {"when": object()}
            assert inject_error.reply == "pong"
        """,
    )
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    # The Gemini case needs google-genai, which the httpx-generation environment lacks.
    gemini = _installed("google.genai")
    result.assert_outcomes(passed=9 + gemini, skipped=0 if gemini else 1)


def _installed(module: str) -> bool:
    """Whether `module` can be imported here (its parent package may be missing too)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


#: The structured-output libraries the second test drives.
LIBRARIES = ("pydantic_ai", "langchain_openai", "langchain_anthropic")


def test_structured_output_libraries_get_valid_replies(pytester: pytest.Pytester) -> None:
    """pydantic-ai and LangChain's with_structured_output, on OpenAI and Anthropic."""
    _inner(
        pytester,
        """
        import asyncio, importlib

        import pytest
        from models import Person, check

        # Imported before the fake clock starts: langchain_core loads pydantic.v1, whose
        # date subclasses cannot be created while freezegun's FakeDate stands in for date.
        for name in ("langchain_openai", "langchain_anthropic", "pydantic_ai"):
            try:
                importlib.import_module(name)
            except ImportError:
                pass

        @pytest.mark.parametrize("api", ["chat", "responses", "anthropic"])
        @pytest.mark.llm_errors
        def test_pydantic_ai(inject_error, api):
            pytest.importorskip("pydantic_ai")
            from pydantic_ai import Agent
            if api == "anthropic":
                pytest.importorskip("anthropic")
                from pydantic_ai.models.anthropic import AnthropicModel
                from pydantic_ai.providers.anthropic import AnthropicProvider
                model = AnthropicModel(
                    "claude-haiku-4-5", provider=AnthropicProvider(api_key="sk-ant-test"))
            else:
                from pydantic_ai.models.openai import OpenAIChatModel, OpenAIResponsesModel
                from pydantic_ai.providers.openai import OpenAIProvider
                cls = OpenAIChatModel if api == "chat" else OpenAIResponsesModel
                model = cls("gpt-4o", provider=OpenAIProvider(api_key="sk-test"))
            agent = Agent(model, output_type=Person)
            # agent.run, not run_sync: run_sync leaves an unclosed event loop set as the
            # thread's current loop, whose ResourceWarning fails whichever test collects it.
            check(asyncio.run(agent.run("Who is Ada?")).output)
            inject_error.assert_attempts(1)

        @pytest.mark.parametrize("method", ["json_schema", "function_calling"])
        @pytest.mark.llm_errors
        def test_langchain_openai(inject_error, method):
            langchain_openai = pytest.importorskip("langchain_openai")
            llm = langchain_openai.ChatOpenAI(model="gpt-4o", api_key="sk-test")
            check(llm.with_structured_output(Person, method=method).invoke("Who is Ada?"))

        @pytest.mark.llm_errors
        def test_langchain_anthropic(inject_error):
            langchain_anthropic = pytest.importorskip("langchain_anthropic")
            llm = langchain_anthropic.ChatAnthropic(
                model="claude-haiku-4-5", api_key="sk-ant-test")
            check(llm.with_structured_output(Person).invoke("Who is Ada?"))
        """,
    )
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    # pydantic-ai and LangChain come with the test extra (the httpx2 generation) only.
    present = [_installed(m) for m in LIBRARIES]
    if not any(present):
        pytest.skip("pydantic-ai and LangChain are not installed in this environment")
    result.assert_outcomes(passed=6)
