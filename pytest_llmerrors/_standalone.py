"""`injecting()`: the plugin's machinery for one block of code, without the pytest fixture.

The ``inject_error`` fixture sets up one harness per test. Some tests need one per *run of
the code under test*: a hypothesis ``@given`` test runs its body many times inside one pytest
test, and function-scoped fixtures are not reset between examples. ``injecting()`` gives each
``with`` block its own fresh injector, fake clock and interception.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import random
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ._faults import Attempt, Classification, Fault
from ._policy import Policy

if TYPE_CHECKING:
    from ._injector import ErrorInjector
    from ._providers import Provider

__all__ = ["injecting"]


@contextlib.contextmanager
def injecting(
    provider: str | Provider = "openai",
    *,
    fake_time: bool = True,
    block_network: bool = True,
    seed: int | None = None,
    policy: Policy | None = None,
    providers: Iterable[Provider] = (),
    start: _dt.datetime | None = None,
) -> Iterator[ErrorInjector]:
    """Inject provider errors into the httpx/httpx2 requests made inside the ``with`` block.

    Yields a fresh `ErrorInjector`, the same object the ``inject_error`` fixture gives a
    marked test: queue faults by calling it, read ``attempts``, call ``assert_resilient()``.
    Everything it patched (time, sleeps, the HTTP transports) is restored when the block
    exits, whatever happens inside.

    `provider` is a built-in profile name or a `Provider` (from `openai_compatible_provider`);
    `providers` adds more profiles, as the ``pytest_llmerrors_providers`` hook does for the
    fixture. `policy` replaces the default `Policy` (pytest ini settings do not apply here:
    there is no pytest config to read). `fake_time`, `block_network` and `seed` mean what
    they mean on ``@pytest.mark.llm_errors``; `start` is the fake clock's first instant.

    Use it where the fixture cannot go, chiefly in a hypothesis ``@given`` test, whose body
    runs once per example. It cannot run inside another ``injecting()`` block or inside a
    marked test: only one harness is active per process.
    """
    __tracebackhide__ = True
    from ._harness import Harness
    from ._providers import Provider, Registry

    extra = list(providers)
    if isinstance(provider, Provider):
        extra.append(provider)
        name = provider.name
    elif isinstance(provider, str):
        name = provider
    else:
        raise TypeError(
            f"provider must be a profile name or a pytest_llmerrors.Provider, not {provider!r}."
        )
    for flag, value in (("fake_time", fake_time), ("block_network", block_network)):
        if not isinstance(value, bool):
            raise TypeError(f"{flag} must be True or False, not {value!r}.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"seed must be an int, not {seed!r}.")
    registry = Registry(extra)
    profile = registry.get(name)  # ValueError naming the valid providers
    chosen = policy if policy is not None else Policy()
    if not isinstance(chosen, Policy):
        raise TypeError(f"policy must be a pytest_llmerrors.Policy, not {policy!r}.")

    def no_override(provider: str, fault: Fault) -> Classification | None:
        return None

    def ignore(attempt: Attempt) -> None:
        return None

    from ._config import Settings

    harness = Harness(
        settings=Settings(
            provider=name,
            fake_time=fake_time,
            block_network=block_network,
            verify=False,
            seed=seed,
            policy=chosen,
        ),
        registry=registry,
        providers=[profile],
        fake_time=fake_time,
        block_network=block_network,
        rng_seed=f"{seed}:injecting",
        policy_hook=no_override,
        on_attempt=ignore,
        start=start,
    )
    with harness.running() as injector:
        if seed is not None:
            random.seed(seed)
        yield injector
