"""The documented token estimate: prompt characters / 4 (rounded up), plus the output cap.

Real tokenizers differ by model; a limit test needs a figure the test can predict, not the
provider's exact count. The prompt is the text a request sends to the model, whatever the
API shape: OpenAI chat ``messages`` and Responses ``input`` / ``instructions``, Anthropic
``messages`` and ``system``, Gemini ``contents`` and ``systemInstruction``, a completion's
``prompt``. Inside them only text counts (``content``, ``text``, ``parts``), not roles or
type tags.
"""

from __future__ import annotations

import math
from typing import Any

#: The request fields that hold the prompt, in every API shape the profiles serve.
PROMPT_FIELDS = (
    "messages",
    "input",
    "instructions",
    "system",
    "prompt",
    "contents",
    "systemInstruction",
    "system_instruction",
)
#: Inside a prompt field, the keys whose values are text (or hold text).
_TEXT_KEYS = ("content", "text", "parts")
#: The output caps, in the order looked for: chat, newer chat, Responses and Gemini.
OUTPUT_FIELDS = ("max_tokens", "max_completion_tokens", "max_output_tokens")


def _chars(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(_chars(item) for item in value)
    if isinstance(value, dict):
        return sum(_chars(value[key]) for key in _TEXT_KEYS if key in value)
    return 0


def _cap(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def estimate_tokens(body: Any) -> int:
    """Return the tokens a request body counts against ``tpm`` and ``spend``.

    Its prompt characters / 4, rounded up, plus its ``max_tokens`` (or
    ``max_completion_tokens``, ``max_output_tokens``, Gemini's
    ``generationConfig.maxOutputTokens``) when given. A body that is not a JSON object
    (a ``GET``) counts 0.
    """
    if not isinstance(body, dict):
        return 0
    chars = sum(_chars(body[name]) for name in PROMPT_FIELDS if name in body)
    output = next((_cap(body[name]) for name in OUTPUT_FIELDS if _cap(body.get(name))), 0)
    config = body.get("generationConfig") or body.get("generation_config")
    if not output and isinstance(config, dict):
        output = _cap(config.get("maxOutputTokens") or config.get("max_output_tokens"))
    return math.ceil(chars / 4) + output
