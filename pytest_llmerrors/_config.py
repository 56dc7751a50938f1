"""Settings from pytest's ini file and command line, checked once per run."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest

from ._policy import (
    DEFAULT_GIVE_UP,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_TOTAL_WAIT,
    DEFAULT_RETRYABLE,
    Policy,
)

#: (ini name, type, default, help) for every ini option.
INI_OPTIONS: tuple[tuple[str, str | None, object, str], ...] = (
    ("llm_errors_provider", "string", "openai", "Default provider profile of marked tests."),
    ("llm_errors_fake_time", "bool", True, "Freeze time and make sleeps instant."),
    ("llm_errors_block_network", "bool", True, "Fail requests that no provider profile serves."),
    (
        "llm_errors_verify",
        "bool",
        False,
        "Run inject_error.assert_resilient() after each marked test.",
    ),
    ("llm_errors_max_attempts", "string", str(DEFAULT_MAX_ATTEMPTS), "Attempt budget per call."),
    (
        "llm_errors_max_total_wait",
        "string",
        str(DEFAULT_MAX_TOTAL_WAIT),
        "Fake seconds of waiting allowed per call.",
    ),
    (
        "llm_errors_request_id_level",
        "string",
        "INFO",
        "Lowest log level at which the request id must be logged.",
    ),
    (
        "llm_errors_give_up",
        "args",
        [str(s) for s in sorted(DEFAULT_GIVE_UP)],
        "HTTP statuses a client must give up on at once.",
    ),
    (
        "llm_errors_retryable",
        "args",
        [str(s) for s in sorted(DEFAULT_RETRYABLE)],
        "HTTP statuses a client must retry with backoff.",
    ),
)


@dataclass(frozen=True)
class Settings:
    """The run's defaults; a marker overrides them per test."""

    provider: str
    fake_time: bool
    block_network: bool
    verify: bool
    seed: int | None
    policy: Policy


def _int(name: str, value: str, minimum: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise pytest.UsageError(f"{name} must be a number, not {value!r}.") from None
    if number < minimum:
        raise pytest.UsageError(f"{name} must be at least {minimum:g}, not {value!r}.")
    return number


def _statuses(name: str, values: list[str]) -> frozenset[int]:
    statuses = set()
    for value in values:
        if not value.isdigit() or not 400 <= int(value) <= 599:
            raise pytest.UsageError(
                f"{name} lists HTTP error statuses 400-599 separated by spaces; "
                f"{value!r} is not one."
            )
        statuses.add(int(value))
    return frozenset(statuses)


def _level(name: str, value: str) -> int:
    level = logging.getLevelName(value.upper()) if not value.isdigit() else int(value)
    if not isinstance(level, int):
        raise pytest.UsageError(
            f"{name} must be a logging level (DEBUG, INFO, WARNING, ERROR, CRITICAL or a "
            f"number), not {value!r}."
        )
    return level


def _bool(config: pytest.Config, name: str) -> bool:
    try:
        return bool(config.getini(name))
    except (ValueError, pytest.UsageError) as error:  # pytest's message names no setting
        raise pytest.UsageError(
            f"{name} must be true or false (also yes/no, on/off, 1/0): {error}."
        ) from None


def load(config: pytest.Config) -> Settings:
    """Read and check the settings, raising ``pytest.UsageError`` on a bad value."""
    provider = config.getoption("llm_errors_provider") or config.getini("llm_errors_provider")
    seed = config.getoption("llm_errors_seed")
    raw_attempts = config.getini("llm_errors_max_attempts")
    max_attempts = _int("llm_errors_max_attempts", raw_attempts, 1)
    if not max_attempts.is_integer():
        raise pytest.UsageError(
            f"llm_errors_max_attempts must be a whole number, not {raw_attempts!r}."
        )
    policy = Policy(
        give_up=_statuses("llm_errors_give_up", config.getini("llm_errors_give_up")),
        retryable=_statuses("llm_errors_retryable", config.getini("llm_errors_retryable")),
        max_attempts=int(max_attempts),
        max_total_wait=_int(
            "llm_errors_max_total_wait", config.getini("llm_errors_max_total_wait"), 0
        ),
        request_id_level=_level(
            "llm_errors_request_id_level", config.getini("llm_errors_request_id_level")
        ),
    )
    overlap = policy.give_up & policy.retryable
    if overlap:
        raise pytest.UsageError(
            f"llm_errors_give_up and llm_errors_retryable both list {sorted(overlap)}; "
            "a status is one or the other."
        )
    return Settings(
        provider=str(provider),
        fake_time=_bool(config, "llm_errors_fake_time"),
        block_network=_bool(config, "llm_errors_block_network"),
        verify=_bool(config, "llm_errors_verify"),
        seed=seed,
        policy=policy,
    )
