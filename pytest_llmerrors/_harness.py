"""One test's machinery: clock, log capture, dispatcher and interception, set up and undone."""

from __future__ import annotations

import contextlib
import datetime as _dt
import random
from collections.abc import Callable, Iterator, Sequence

import pytest

from ._clock import FakeClock, RealClock
from ._config import Settings
from ._dispatch import Dispatcher
from ._exchange import Answer, Request
from ._faults import Attempt, Classification, Fault
from ._injector import ErrorInjector
from ._logs import LogCapture
from ._providers import Provider, Registry
from ._timeline import Timeline
from ._transport import Interceptor

PolicyHook = Callable[[str, Fault], "Classification | None"]


class Harness:
    """Everything one marked test needs, started in order and stopped in reverse."""

    def __init__(
        self,
        *,
        settings: Settings,
        registry: Registry,
        providers: Sequence[Provider],
        fake_time: bool,
        block_network: bool,
        rng_seed: str,
        policy_hook: PolicyHook,
        on_attempt: Callable[[Attempt], None],
        start: _dt.datetime | None = None,
    ) -> None:
        self.timeline = Timeline(observers=[on_attempt])
        self.fake_time = fake_time
        self.block_network = block_network
        self.providers = list(providers)
        policy = settings.policy
        if fake_time:
            self.clock: FakeClock | RealClock = FakeClock(start=start, on_sleep=self._slept)
        else:
            self.clock = RealClock()
        # Open the root logger only as far as the request-id rule looks: lower would flood
        # the captured output with every library's DEBUG records.
        self.logs = LogCapture(policy.request_id_level)
        self.injector = ErrorInjector(
            registry=registry,
            provider=self.providers[0],
            policy=policy,
            timeline=self.timeline,
            clock=self.clock,
            logs=self.logs,
        )

        def classify(provider: Provider, fault: Fault) -> Classification:
            return policy_hook(provider.name, fault) or policy.classify(provider.name, fault)

        self.dispatcher = Dispatcher(
            registry=registry,
            providers=self.providers,
            sources=[self.injector.queue],
            timeline=self.timeline,
            clock=self.clock,
            classify=classify,
            rng=random.Random(rng_seed),
            fake_time=fake_time,
            reply=lambda: self.injector.reply,
        )
        self.interceptor = Interceptor(self._handle, self.clock.advance if fake_time else None)
        self._stack = contextlib.ExitStack()

    def _slept(self, seconds: float) -> None:
        assert isinstance(self.clock, FakeClock)  # only a fake clock reports sleeps
        self.timeline.record_sleep(self.clock.sleep_started(), seconds)

    def _handle(self, request: Request) -> Answer | None:
        answer = self.dispatcher.handle(request)
        if answer is None and self.block_network:
            served = sorted(
                {
                    f"{endpoint.prefix}{suffix}"
                    for provider in self.providers
                    for endpoint in provider.endpoints
                    for suffix, _ in endpoint.shape.operations
                }
            )
            names = ", ".join(p.name for p in self.providers)
            pytest.fail(
                f"pytest-llmerrors blocked {request.method} {request.url}: no provider profile "
                f"serves it, and block_network is on, so nothing reaches the real network.\n"
                f"The test's provider ({names}) serves paths ending in {', '.join(served)} on "
                f"any host. Point the client at one of them, pick the provider that serves it "
                f"with @pytest.mark.llm_errors(provider=...), add a profile with the "
                f"pytest_llmerrors_providers hook, or let the request through with "
                f"@pytest.mark.llm_errors(block_network=False).",
                pytrace=False,
            )
        return answer

    def start(self) -> ErrorInjector:
        """Start capturing logs, freeze time and intercept; return the injector."""
        with contextlib.ExitStack() as stack:
            self.logs.start()
            stack.callback(self.logs.stop)
            self.clock.start()
            stack.callback(self.clock.stop)
            self.interceptor.start()
            stack.callback(self.interceptor.stop)
            self._stack = stack.pop_all()
        return self.injector

    def stop(self) -> None:
        """Undo everything `start` did, in reverse order; safe after a failed start."""
        self._stack.close()

    @contextlib.contextmanager
    def running(self) -> Iterator[ErrorInjector]:
        """Run the harness for the duration of the ``with`` block."""
        injector = self.start()
        try:
            yield injector
        finally:
            self.stop()
