"""The pytest plugin: options, the ``llm_errors`` marker, the ``inject_error`` fixture."""

from __future__ import annotations

import random
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from . import _config, _marker, _report
from ._faults import Attempt, Classification, Fault
from ._harness import Harness
from ._injector import ErrorInjector, build_fault
from ._marker import MARKER, MarkerArgs
from ._policy import retry_after_seconds
from ._providers import Provider, Registry

_SETTINGS = pytest.StashKey[_config.Settings]()
_REGISTRY = pytest.StashKey[Registry]()
_HARNESS = pytest.StashKey[Harness]()
_VERIFY = pytest.StashKey[bool]()
_SEED = pytest.StashKey[int]()


@dataclass(frozen=True)
class Case:
    """One parametrized case of a marked test: a provider and maybe a catalog scenario."""

    provider: str
    scenario: str | None = None

    @property
    def id(self) -> str:
        """The readable test id, like ``openai-rate_limit``."""
        return self.provider if self.scenario is None else f"{self.provider}-{self.scenario}"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register the ``pytest_llmerrors_*`` hook specifications."""
    from . import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the command-line options and ini settings."""
    group = parser.getgroup("llmerrors", "LLM provider errors (pytest-llmerrors)")
    group.addoption(
        "--llm-errors-provider",
        dest="llm_errors_provider",
        metavar="NAME",
        help="Provider profile of marked tests without provider= (ini: llm_errors_provider).",
    )
    group.addoption(
        "--llm-errors-seed",
        dest="llm_errors_seed",
        type=int,
        metavar="N",
        help="Seed `random` with N before every marked test without seed=, so jitter repeats.",
    )
    group.addoption(
        "--llm-errors-report",
        dest="llm_errors_report",
        metavar="PATH",
        help="Write every marked test's timeline and verdict to PATH as JSON.",
    )
    for name, kind, default, help_text in _config.INI_OPTIONS:
        parser.addini(name, help=help_text, type=kind, default=default)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    """Document the marker and check the settings."""
    config.addinivalue_line("markers", _marker.MARKER_DOC)
    config.stash[_SETTINGS] = _config.load(config)
    config.pluginmanager.register(_Collector(config), "llmerrors-collector")


def _settings(config: pytest.Config) -> _config.Settings:
    return config.stash[_SETTINGS]


def _registry(config: pytest.Config) -> Registry:
    if _REGISTRY not in config.stash:
        extra: list[Provider] = []
        for result in config.hook.pytest_llmerrors_providers(config=config):
            extra.extend(result or [])
        config.stash[_REGISTRY] = Registry(extra)
    return config.stash[_REGISTRY]


def pytest_report_header(config: pytest.Config) -> str:
    """Name the provider and the seed, so a run can be repeated."""
    settings = _settings(config)
    seed = "none (random untouched)" if settings.seed is None else str(settings.seed)
    return f"llm-errors: provider={settings.provider}, seed={seed}"


def _cases(args: MarkerArgs, config: pytest.Config, where: str) -> list[Case]:
    """Return the test's parametrized cases; check every name at collection time."""
    __tracebackhide__ = True
    settings, registry = _settings(config), _registry(config)
    providers = args.provider if args.provider is not None else settings.provider
    names = [providers] if isinstance(providers, str) else list(providers)
    cases: list[Case] = []
    if args.provider is None and settings.provider not in registry.names():
        raise pytest.Collector.CollectError(
            f"{where}: --llm-errors-provider / llm_errors_provider: "
            f"Unknown provider {settings.provider!r}. Valid providers: "
            f"{', '.join(registry.names())}."
        )
    try:
        for name in names:
            profile = registry.get(name)
            for fault in args.faults:
                build_fault(fault, profile, settings.policy, {})
            if args.each is None:
                cases.append(Case(name))
                continue
            for scenario in _each(args.each, profile, settings, config):
                cases.append(Case(name, scenario))
    except ValueError as error:
        raise pytest.Collector.CollectError(f"{where}: @pytest.mark.{MARKER}: {error}") from None
    return cases


def _each(
    each: str | tuple[str, ...],
    profile: Provider,
    settings: _config.Settings,
    config: pytest.Config,
) -> list[str]:
    if not isinstance(each, str):
        for name in each:
            profile.scenario(name)
        return list(each)
    chosen = []
    for name in sorted(profile.scenarios):
        fault = profile.scenarios[name]
        if fault.stream:
            continue  # only a streaming request takes these: name them explicitly
        if each == "all" or each == _group(fault, profile, settings, config):
            chosen.append(name)
    return chosen


def _group(
    fault: Fault, profile: Provider, settings: _config.Settings, config: pytest.Config
) -> str:
    """Return ``"retryable"`` or ``"give_up"``: what a resilient client does with `fault`.

    A Retry-After window is retryable when the client can wait it out within the wait
    budget (FluxRouter's ~5 s premium-routing pause), and a give-up otherwise (its hourly
    safety limit): the test body then expects the app to give up, not to succeed.
    """
    policy = settings.policy
    kind = config.hook.pytest_llmerrors_policy(
        config=config, provider=profile.name, scenario=fault
    ) or policy.classify(profile.name, fault)
    if kind == "retry_after_window":
        wait = retry_after_seconds(fault)
        return "retryable" if wait is not None and wait <= policy.max_total_wait else "give_up"
    return "give_up" if kind == "give_up" else "retryable"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize marked tests over their providers and catalog scenarios."""
    mark = metafunc.definition.get_closest_marker(MARKER)
    if mark is None:
        return
    args = _marker.parse(mark, metafunc.definition.nodeid)
    config = metafunc.config
    cases = _cases(args, config, metafunc.definition.nodeid)
    if len(cases) > 1 or args.each is not None:
        metafunc.parametrize("_llm_errors_case", cases, ids=[c.id for c in cases], indirect=True)


@pytest.fixture
def _llm_errors_case(request: pytest.FixtureRequest) -> Case | None:
    """The parametrized case of a marked test, if it has one."""
    return getattr(request, "param", None)


@pytest.fixture(autouse=True)
def _llm_errors_autouse(request: pytest.FixtureRequest, _llm_errors_case: Case | None) -> None:
    """Set up a marked test even when it does not ask for ``inject_error``."""
    if request.node.get_closest_marker(MARKER) is not None:
        request.getfixturevalue("inject_error")


@pytest.fixture
def inject_error(
    request: pytest.FixtureRequest, _llm_errors_case: Case | None
) -> Iterator[ErrorInjector]:
    """Queue provider errors for the code under test and judge how it handled them."""
    config = request.config
    settings = _settings(config)
    registry = _registry(config)
    item = request.node
    args = _marker.closest(item) or MarkerArgs()
    # A one-name list is not parametrized (there is nothing to tell apart): use that name.
    named = args.provider[0] if isinstance(args.provider, tuple) else args.provider
    case = _llm_errors_case or Case(named or settings.provider)
    seed = args.seed if args.seed is not None else settings.seed

    def policy_hook(provider: str, fault: Fault) -> Classification | None:
        result: Classification | None = config.hook.pytest_llmerrors_policy(
            config=config, provider=provider, scenario=fault
        )
        return result

    def on_attempt(attempt: Attempt) -> None:
        item.ihook.pytest_llmerrors_attempt(item=item, attempt=attempt)

    try:
        provider = registry.get(case.provider)
    except ValueError as error:
        raise pytest.UsageError(
            f"{item.nodeid}: --llm-errors-provider / llm_errors_provider: {error}"
        ) from None
    harness = Harness(
        settings=settings,
        registry=registry,
        providers=[provider],
        fake_time=settings.fake_time if args.fake_time is None else args.fake_time,
        block_network=settings.block_network if args.block_network is None else args.block_network,
        rng_seed=f"{seed}:{item.nodeid}",
        policy_hook=policy_hook,
        on_attempt=on_attempt,
        start=args.start,
    )
    item.stash[_HARNESS] = harness
    item.stash[_VERIFY] = settings.verify if args.verify is None else args.verify
    with harness.running() as injector:
        for fault in args.faults:
            injector(fault)
        if case.scenario is not None:
            injector(case.scenario)
        if seed is not None:
            item.stash[_SEED] = seed
        yield injector


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, Any, Any]:
    """Seed `random` right before the test body, after any plugin reseeded it for the call.

    pytest-randomly reseeds in ``pytest_runtest_call``; this runs later, inside it.
    """
    seed = pyfuncitem.stash.get(_SEED, None)
    if seed is not None:
        random.seed(seed)
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    """With ``verify=True``, judge the timeline as part of the test's own call."""
    result = yield
    harness = item.stash.get(_HARNESS, None)
    if harness is not None and item.stash.get(_VERIFY, False):
        __tracebackhide__ = True
        harness.injector.assert_resilient()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the test's timeline and verdict to its call report (and JUnit properties)."""
    report = yield
    harness = item.stash.get(_HARNESS, None)
    if harness is not None and report.when == "call":
        data = _report.record_of(item.nodeid, harness.injector, item.stash.get(_VERIFY, False))
        setattr(report, _report.ATTRIBUTE, data)
        # JUnit XML reads the properties of the teardown report, made from the item's.
        item.user_properties.append(("llm_errors_verdict", data["verdict"]))
        item.user_properties.append(("llm_errors_attempts", len(data["attempts"])))
    return report


class _Collector:
    """Collects each test's data, from this process or from pytest-xdist workers."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: list[dict[str, Any]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Keep the data a call report carries."""
        data = getattr(report, _report.ATTRIBUTE, None)
        if data is not None and report.when == "call":
            self.records.append(data)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """List each test that injected faults, and warn about faults nobody took."""
        lines, warnings = _report.summary_lines(self.records)
        if not lines and not warnings:
            return
        terminalreporter.write_sep("=", "llm-errors summary")
        for line in lines:
            terminalreporter.write_line(line)
        for warning in warnings:
            terminalreporter.write_line(f"WARNING: {warning}", yellow=True, bold=True)

    def pytest_sessionfinish(self) -> None:
        """Write the JSON report, on the controller only under pytest-xdist."""
        path = self.config.getoption("llm_errors_report", None)
        if not path or hasattr(self.config, "workerinput"):
            return
        settings = _settings(self.config)
        _report.write_json(Path(path), self.records, provider=settings.provider, seed=settings.seed)
