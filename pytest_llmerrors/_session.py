"""One test's machinery, built in one place for the fixture and for `injecting()`.

A `Session` wires the layers for one test: the clock (`._clock`), the log capture and the
timeline (`._verdict`), the fault queue, dispatcher and interceptor (`._interception`), and
the `ErrorInjector` the test talks to. It starts them in order and stops them in reverse.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import random
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ._clock import Clock, FakeClock, RealClock
from ._clock import release as release_clock
from ._faults import Attempt, Classification, Fault
from ._injector import ErrorInjector
from ._interception import Dispatcher, FaultQueue, Guard, Interceptor, Sites, guard
from ._limits import Limiter, check_marker_limits
from ._options import Case, Settings, TestOptions, check_start
from ._policy import Policy
from ._providers import Provider, Registry
from ._verdict import LogCapture, Timeline, View

__all__ = ["Session", "injecting"]


class Session:
    """Everything one marked test needs, started in order and stopped in reverse."""

    def __init__(
        self,
        options: TestOptions,
        settings: Settings,
        registry: Registry,
        *,
        rng_seed: str,
        on_attempt: Callable[[Attempt], None] | None = None,
        keep_installed: bool = False,
        test_file: str | None = None,
    ) -> None:
        self.options = options
        self.settings = settings
        self.timeline = Timeline()
        self._on_attempt = on_attempt
        provider = registry.get(options.case.provider)
        if options.fake_time:
            # The plugin keeps the clock's names switched in, and the pools patched, from one
            # marked test to the next (`keep_installed`); injecting() undoes all at its end.
            self.clock: Clock = FakeClock(
                start=options.start, on_sleep=self._slept, keep_installed=keep_installed
            )
        else:
            release_clock()  # a test on real time after one on fake time
            self.clock = RealClock()
        # Open the root logger only as far as the request-id rule looks: lower would flood
        # the captured output with every library's DEBUG records.
        self.logs = LogCapture(settings.policy.request_id_level)
        self.queue = FaultQueue(settings.policy)
        self.limiter = Limiter()
        self.injector = ErrorInjector(
            registry=registry,
            provider=provider,
            policy=settings.policy,
            queue=self.queue,
            timeline=self.timeline,
            clock=self.clock,
            view=self.view,
            limiter=self.limiter,
        )
        self.dispatcher = Dispatcher(
            registry=registry,
            providers=[provider],
            queue=self.queue,
            record=self._record,
            clock=self.clock,
            classify=self._classify,
            rng=random.Random(rng_seed),
            fake_time=options.fake_time,
            reply=lambda: self.injector.reply_text,
            limiter=self.limiter,
            sites=Sites(test_file),
        )
        #: What the plugin refused during the test, in any thread: the test fails on these.
        self.failures: list[str] = []
        self._failures_lock = threading.Lock()
        self.guard = Guard(settings.allow_hosts, self.report) if options.block_network else None
        self.interceptor = Interceptor(
            self.dispatcher,
            block_network=options.block_network,
            clock=self.clock if isinstance(self.clock, FakeClock) else None,
            keep_installed=keep_installed,
            report=self.report,
            allows=self.guard.allows if self.guard is not None else None,
        )
        self._stack = contextlib.ExitStack()

    def report(self, message: str) -> None:
        """Note a failure the plugin raised, whichever thread raised it (and maybe lost it)."""
        with self._failures_lock:
            self.failures.append(message)

    def _classify(self, provider: Provider, fault: Fault) -> Classification:
        return self.settings.classify(provider.name, fault)

    def _record(self, attempt: Attempt) -> None:
        # The thread that sent it is code under test from now on: its waits hold the clock,
        # its sleeps are recorded.
        if isinstance(self.clock, FakeClock):
            self.clock.join()
        self.timeline.add(attempt)
        if self._on_attempt is not None:
            self._on_attempt(attempt)

    def _slept(self, at: float, seconds: float) -> Callable[[float], None]:
        return self.timeline.add_sleep(at, seconds)

    def view(self) -> View:
        """Return what the rules judge: the timeline so far, the log records, the policy."""
        attempts, sleeps = self.timeline.snapshot()
        return View(attempts, sleeps, self.logs.records, self.settings.policy)

    def start(self) -> ErrorInjector:
        """Start capturing logs, freeze time and intercept; queue the marker's faults."""
        with contextlib.ExitStack() as stack:
            self.logs.start()
            stack.callback(self.logs.stop)
            self.clock.start()
            stack.callback(self.clock.stop)
            stack.callback(self.dispatcher.sites.clear)
            self.interceptor.start()
            stack.callback(self.interceptor.stop)
            guard.activate(self.guard)
            # Put back after every test, kept or not (a few attributes): code that replaces
            # socket.getaddrinfo between tests (a conftest's patch) is wrapped anew by the
            # next test's guard, instead of silently taking its place.
            stack.callback(guard.uninstall)
            self._stack = stack.pop_all()
        try:
            for fault in self.options.faults:
                self.injector(fault)
            if self.options.case.scenario is not None:
                self.injector(self.options.case.scenario)
            limits = self.options.limits
            if isinstance(limits, str):
                self.injector.limit(limits)
            elif limits is not None:
                self.injector.limit(**limits)  # type: ignore[arg-type]  # checked before
        except BaseException:
            self.stop()  # a bad argument found now must not leave time and the pools patched
            raise
        return self.injector

    def stop(self) -> None:
        """Undo everything `start` did, in reverse order; safe after a failed start."""
        self._stack.close()

    @contextlib.contextmanager
    def running(self) -> Iterator[ErrorInjector]:
        """Run the session for the duration of the ``with`` block."""
        injector = self.start()
        try:
            yield injector
        finally:
            self.stop()


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
    limits: Mapping[str, Any] | str | None = None,
) -> Iterator[ErrorInjector]:
    """Inject provider errors into the HTTP requests made inside the ``with`` block.

    Yields a fresh `ErrorInjector`, the same object the ``inject_error`` fixture gives a
    marked test: queue faults by calling it, read ``attempts``, call ``assert_resilient()``.
    Everything it patched (time, sleeps, the HTTP transports) is restored when the block
    exits, whatever happens inside.

    `provider` is a built-in profile name or a `Provider` (from `openai_compatible_provider`);
    `providers` adds more profiles, as the ``pytest_llmerrors_providers`` hook does for the
    fixture. `policy` replaces the default `Policy` (pytest ini settings do not apply here:
    there is no pytest config to read). `fake_time`, `block_network` and `seed` mean what
    they mean on ``@pytest.mark.llm_errors``; `start` is the fake clock's first instant;
    `limits` sets provider limits as the marker's ``limits=`` does (a dict of
    ``inject_error.limit`` keywords, or ``"documented"``).

    Use it where the fixture cannot go, chiefly in a hypothesis ``@given`` test, whose body
    runs once per example. It cannot run inside another ``injecting()`` block or inside a
    marked test: only one session is active per process.
    """
    __tracebackhide__ = True
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
    if start is not None:
        if not isinstance(start, _dt.datetime):
            raise TypeError(f"start must be a datetime, not {start!r}.")
        check_start(start)
    if limits is not None:
        try:
            check_marker_limits(limits)
        except TypeError as error:
            raise ValueError(f"{error}.") from None
    registry = Registry(extra)
    registry.get(name)  # ValueError naming the valid providers
    chosen = policy if policy is not None else Policy()
    if not isinstance(chosen, Policy):
        raise TypeError(f"policy must be a pytest_llmerrors.Policy, not {policy!r}.")
    settings = Settings(
        provider=name,
        fake_time=fake_time,
        block_network=block_network,
        verify=False,
        seed=seed,
        policy=chosen,
    )
    options = TestOptions(
        case=Case(name),
        faults=(),
        fake_time=fake_time,
        block_network=block_network,
        verify=False,
        seed=seed,
        start=start,
        limits=limits if limits is None or isinstance(limits, str) else dict(limits),
    )
    session = Session(options, settings, registry, rng_seed=f"{seed}:injecting")
    with session.running() as injector:
        state = random.getstate() if seed is not None else None
        if seed is not None:
            random.seed(seed)
        try:
            yield injector
        finally:
            if state is not None:  # the code after the block sees `random` as before it
                random.setstate(state)
