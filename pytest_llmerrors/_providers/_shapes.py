"""API shapes: how an OpenAI- or Anthropic-style API spells its errors and successes.

A provider profile serves one or more shapes on its endpoints (FluxRouter serves both).
The base and the helpers live in `._shape_base`, each family in its own module; this module
gathers the names the profiles import.
"""

from __future__ import annotations

from ._anthropic_shape import AnthropicShape
from ._openai_shape import OpenAIShape
from ._shape_base import (
    JSON,
    SSE,
    ApiShape,
    dump,
    json_answer,
    pieces,
    sse,
    stream_answer,
    token,
    usage_words,
)

__all__ = [
    "JSON",
    "SSE",
    "AnthropicShape",
    "ApiShape",
    "OpenAIShape",
    "dump",
    "json_answer",
    "pieces",
    "sse",
    "stream_answer",
    "token",
    "usage_words",
]
