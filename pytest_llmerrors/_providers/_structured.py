"""Structured success replies: what a request forces, and a value its JSON schema accepts.

A request can force a tool call (OpenAI ``tool_choice`` naming a function or ``"required"``,
Anthropic ``tool_choice`` of type ``tool`` or ``any``, Gemini function calling mode ``ANY``)
or ask for JSON output (OpenAI ``response_format`` / Responses ``text.format`` of type
``json_schema`` or ``json_object``, Anthropic ``output_config.format``, Gemini
``responseSchema`` / ``responseJsonSchema`` with ``responseMimeType: application/json``).
`wanted` finds that; `example` builds a value valid against the schema; `tool_arguments` and
`json_text` pick what the shapes send: the test's `inject_error.reply` when it set one that
fits, else the built value. A request that forces nothing gets the reply text unchanged.

The reply reaches the shapes as a `Reply`: a ``str`` (the text every shape sends, a dict or
list reply as compact JSON) that also carries the value the test set and whether it set one.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

#: The text of every success answer while the test sets no `inject_error.reply`.
DEFAULT_REPLY = "pong"
#: How deep `example` builds nested objects and arrays before it stops adding optional items.
_DEPTH = 8
#: Characters per streamed chunk of JSON (tool arguments, JSON content).
_JSON_PIECE = 16


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Reply(str):
    """The reply text, with the value the test set (`value`) and whether it set one (`chosen`).

    A dict or list is its compact JSON text; a str is itself.
    """

    value: Any
    chosen: bool

    @classmethod
    def of(cls, value: Any, *, chosen: bool = True) -> Reply:
        """Return the reply for `value` (a ``str``, ``dict`` or ``list``); else ``ValueError``."""
        if isinstance(value, str):
            text = value
        elif isinstance(value, (dict, list)):
            try:
                text = _dump(value)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"reply must be JSON-serializable when it is a dict or list: {exc}"
                ) from None
        else:
            raise ValueError(
                "reply must be a str (the message text) or a dict / list (sent as JSON: the "
                f"message text, or a tool call's arguments), not {value!r}."
            )
        reply = cls(text)
        reply.value = value
        reply.chosen = chosen
        return reply


@dataclass(frozen=True)
class Wanted:
    """What a request forces: a call of tool `name` (``tool=True``), or JSON output."""

    tool: bool
    schema: Any
    name: str = ""
    #: The tool was forced by name (OpenAI then ends the choice with ``"stop"``).
    named: bool = False


# -- what the request forces ---------------------------------------------------------------


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _get(node: dict[str, Any], key: str) -> Any:
    """Return `node`'s `key` in camelCase or snake_case (google-genai sends schemas snake)."""
    if key in node:
        return node[key]
    return node.get(re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key))


def wanted(api: str, body: Any) -> Wanted | None:
    """Return what `body` (a request to API family `api`) forces, or ``None``."""
    body = _dict(body)
    if api == "anthropic":
        return _anthropic(body)
    if api == "gemini":
        return _gemini(body)
    return _openai(body)


#: The fields of an OpenAI-style request that can force a tool call or JSON output.
_OPENAI_FORCING = ("tool_choice", "response_format", "text")


def _openai(body: dict[str, Any]) -> Wanted | None:
    if not any(key in body for key in _OPENAI_FORCING):
        return None  # most requests: no tool to force, plain text asked for
    # Chat completions nest a tool under "function"; the Responses API lays it flat.
    tools = [
        _dict(t.get("function")) if "function" in t else t
        for t in map(_dict, _list(body.get("tools")))
        if t.get("type", "function") == "function"
    ]
    choice = body.get("tool_choice")
    name: Any = None
    if isinstance(choice, dict) and choice.get("type") == "function":
        name = _dict(choice.get("function")).get("name", choice.get("name"))
    if choice == "required" or name is not None:
        for tool in tools:
            if name is None or tool.get("name") == name:
                return Wanted(True, tool.get("parameters"), str(tool.get("name")), name is not None)
    fmt = _dict(body.get("response_format")) or _dict(_dict(body.get("text")).get("format"))
    if fmt.get("type") == "json_schema":
        # Chat nests the schema under "json_schema"; the Responses API lays it flat.
        return Wanted(False, _dict(fmt.get("json_schema")).get("schema", fmt.get("schema")))
    if fmt.get("type") == "json_object":
        return Wanted(False, _schema_in_prompt(body))
    return None


def _anthropic(body: dict[str, Any]) -> Wanted | None:
    tools = [t for t in map(_dict, _list(body.get("tools"))) if "input_schema" in t]
    choice = _dict(body.get("tool_choice"))
    if choice.get("type") in ("tool", "any"):
        name = choice.get("name") if choice.get("type") == "tool" else None
        for tool in tools:
            if name is None or tool.get("name") == name:
                return Wanted(True, tool.get("input_schema"), str(tool.get("name")), True)
    fmt = _dict(_dict(body.get("output_config")).get("format")) or _dict(body.get("output_format"))
    if fmt.get("type") == "json_schema":
        return Wanted(False, fmt.get("schema"))
    return None


def _gemini(body: dict[str, Any]) -> Wanted | None:
    config = _dict(_get(_dict(_get(body, "toolConfig")), "functionCallingConfig"))
    if str(config.get("mode", "")).upper() == "ANY":
        allowed = _list(_get(config, "allowedFunctionNames"))
        for tool in map(_dict, _list(body.get("tools"))):
            for decl in map(_dict, _list(_get(tool, "functionDeclarations"))):
                if not allowed or decl.get("name") in allowed:
                    schema = _get(decl, "parametersJsonSchema") or decl.get("parameters")
                    return Wanted(True, schema, str(decl.get("name")), bool(allowed))
    generation = _dict(_get(body, "generationConfig"))
    if _get(generation, "responseMimeType") == "application/json":
        schema = _get(generation, "responseJsonSchema") or _get(generation, "responseSchema")
        return Wanted(False, schema if schema is not None else _schema_in_prompt(body))
    return None


def _schema_in_prompt(body: dict[str, Any]) -> Any:
    """Return the first JSON schema written into the prompt (JSON mode's usual way), or None."""
    decoder = json.JSONDecoder()
    for text in _strings(body.get("messages", body.get("input", body.get("contents")))):
        start = text.find("{")
        while start != -1:
            try:
                found, _ = decoder.raw_decode(text, start)
            except ValueError:
                found = None
            if isinstance(found, dict) and isinstance(found.get("properties"), dict):
                return found
            start = text.find("{", start + 1)
    return None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


# -- what to send ------------------------------------------------------------------------


def tool_arguments(text: str, schema: Any) -> str:
    """Return a forced tool call's arguments as JSON text.

    A dict or list reply is sent as is, and so is a str reply that is a JSON object;
    otherwise a value valid against `schema`.
    """
    if isinstance(text, Reply) and text.chosen:
        if isinstance(text.value, (dict, list)):
            return str(text)
        try:
            if isinstance(json.loads(text), dict):
                return str(text)
        except ValueError:
            pass
    return _dump(example(schema))


def json_text(text: str, schema: Any) -> str:
    """Return the JSON content for a JSON-output request: the reply the test set, else built."""
    if isinstance(text, Reply) and text.chosen:
        return str(text)
    return _dump(example(schema))


def json_pieces(text: str) -> list[str]:
    """Split JSON text into the small pieces a stream delivers it in (one piece at least)."""
    return [text[i : i + _JSON_PIECE] for i in range(0, len(text), _JSON_PIECE)] or [""]


# -- a value the schema accepts ------------------------------------------------------------


def example(schema: Any, root: Any = None, depth: int = 0) -> Any:
    """Return a value valid against JSON schema `schema` (OpenAPI-style Gemini schemas too).

    Every required property is present with a value of its type: a ``const``, an enum's first
    member, the first ``anyOf`` / ``oneOf`` branch that is not null, bounds and lengths
    satisfied, ``$ref`` resolved against `root` (``$defs`` / ``definitions``).
    """
    if not isinstance(schema, dict):
        return {}
    root = schema if root is None else root
    if depth > 2 * _DEPTH:
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return example(_resolve(root, ref), root, depth + 1)
    if "const" in schema:
        return schema["const"]
    enum = _list(schema.get("enum"))
    if enum:
        return enum[0]
    for key in ("anyOf", "oneOf"):
        options = [o for o in map(_dict, _list(_get(schema, key))) if _type(o) != "null"]
        if options or _list(_get(schema, key)):
            return example(options[0], root, depth + 1) if options else None
    if _list(_get(schema, "allOf")):
        merged = {k: v for k, v in schema.items() if k not in ("allOf", "all_of")}
        for part in map(_dict, _get(schema, "allOf")):
            part = _dict(_resolve(root, part["$ref"])) if "$ref" in part else part
            merged["properties"] = {
                **_dict(merged.get("properties")),
                **_dict(part.get("properties")),
            }
            merged["required"] = [*_list(merged.get("required")), *_list(part.get("required"))]
            merged.setdefault("type", part.get("type"))
        return example(merged, root, depth + 1)
    kind = _type(schema)
    if kind == "object":
        return _object(schema, root, depth)
    if kind == "array":
        return _array(schema, root, depth)
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, kind == "integer")
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return {}


def _type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if str(k).lower() != "null"), "null")
    if kind is None:
        if "properties" in schema or _get(schema, "additionalProperties") is not None:
            return "object"
        if "items" in schema or _get(schema, "prefixItems") is not None:
            return "array"
        return ""
    return str(kind).lower()


def _resolve(root: Any, ref: str) -> Any:
    node = root
    for part in ref.lstrip("#").split("/"):
        if part:
            node = _dict(node).get(part.replace("~1", "/").replace("~0", "~"))
    return node


def _object(schema: dict[str, Any], root: Any, depth: int) -> dict[str, Any]:
    properties = _dict(schema.get("properties"))
    extra = _get(schema, "additionalProperties")
    value: dict[str, Any] = {}
    for name in _list(schema.get("required")):
        if name in properties:
            value[name] = example(properties[name], root, depth + 1)
        elif isinstance(extra, dict):
            value[name] = example(extra, root, depth + 1)
        else:
            value[name] = ""
    return value


def _array(schema: dict[str, Any], root: Any, depth: int) -> list[Any]:
    low = int(_num(_get(schema, "minItems")) or 0)
    high = _num(_get(schema, "maxItems"))
    count = max(low, 1 if depth < _DEPTH else 0)
    if high is not None:
        count = min(count, int(high))
    prefix = _list(_get(schema, "prefixItems"))
    items = schema.get("items")
    values = [example(p, root, depth + 1) for p in prefix[:count]]
    while len(values) < count:
        values.append(example(items, root, depth + 1) if isinstance(items, dict) else "")
    return values


_FORMATS = {
    "date-time": "1970-01-01T00:00:00Z",
    "date": "1970-01-01",
    "time": "00:00:00Z",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "hostname": "example.com",
    "duration": "P1D",
}


def _string(schema: dict[str, Any]) -> str:
    text = _FORMATS.get(str(schema.get("format")), "string")
    low = int(_num(_get(schema, "minLength")) or 0)
    high = _num(_get(schema, "maxLength"))
    if len(text) < low:
        text += "x" * (low - len(text))
    if high is not None:
        text = text[: int(high)]
    return text


def _num(value: Any) -> float | None:
    """Return a schema bound as a number (Gemini may send int64 bounds as strings)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _number(schema: dict[str, Any], integer: bool) -> int | float:
    low, high = _num(schema.get("minimum")), _num(schema.get("maximum"))
    xlow, xhigh = _get(schema, "exclusiveMinimum"), _get(schema, "exclusiveMaximum")
    # Draft 4 spells an exclusive bound as a flag on minimum / maximum.
    above = (low if xlow else None) if isinstance(xlow, bool) else _num(xlow)
    below = (high if xhigh else None) if isinstance(xhigh, bool) else _num(xhigh)
    step = 1.0 if integer else 0.5
    value = 0.0
    if low is not None and value < low:
        value = low
    if above is not None and value <= above:
        value = above + step if below is None else (above + below) / 2
    if high is not None and value > high:
        value = high
    if below is not None and value >= below:
        value = below - step if above is None else (above + below) / 2
    multiple = _num(_get(schema, "multipleOf"))
    if multiple:
        value = math.ceil(value / multiple) * multiple
    if not integer:
        return value
    whole = math.ceil(value)
    return math.floor(above) + 1 if above is not None and whole <= above else whole
