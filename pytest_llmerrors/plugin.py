"""The pytest plugin: options, the ``llm_errors`` marker, the ``inject_error`` fixture, reports.

Only pytest hooks live here. Importing this module loads no provider profile, clock or
interception: a run without marked tests pays for none of them (see
``benchmarks/bench_import.py``). They are imported the first time a marked test needs them.
"""

from __future__ import annotations

import inspect
import random
import sys
from collections.abc import Generator, Iterator, Mapping, Sequence
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any

import pytest

from . import _options
from ._options import MARKER, Case, MarkerArgs

if TYPE_CHECKING:
    from ._faults import Attempt
    from ._injector import ErrorInjector
    from ._providers import Registry
    from ._session import Session

_SETTINGS = pytest.StashKey[_options.Settings]()
_REGISTRY: pytest.StashKey[Registry] = pytest.StashKey()
_SESSION: pytest.StashKey[Session] = pytest.StashKey()
_SEED = pytest.StashKey[int]()
#: The attribute of a `TestReport` that carries a test's data (JSON-ready; xdist ships it).
_REPORT_ATTRIBUTE = "llm_errors"


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
    for name, kind, default, help_text in _options.INI_OPTIONS:
        parser.addini(name, help=help_text, type=kind, default=default)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    """Document the marker and check the settings."""
    config.addinivalue_line("markers", _options.MARKER_DOC)
    config.stash[_SETTINGS] = _options.load(config)
    config.pluginmanager.register(_Collector(config), "llmerrors-collector")


def _registry(config: pytest.Config) -> Registry:
    if _REGISTRY not in config.stash:
        from ._providers import Provider, Registry

        extra: list[Provider] = []
        for result in config.hook.pytest_llmerrors_providers(config=config):
            extra.extend(result or [])
        config.stash[_REGISTRY] = Registry(extra)
    return config.stash[_REGISTRY]


def pytest_report_header(config: pytest.Config) -> str:
    """Name the provider and the seed, so a run can be repeated."""
    settings = config.stash[_SETTINGS]
    seed = "none (random untouched)" if settings.seed is None else str(settings.seed)
    return f"llm-errors: provider={settings.provider}, seed={seed}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Give marked tests the ``inject_error`` fixture and their providers and scenarios."""
    mark = metafunc.definition.get_closest_marker(MARKER)
    if mark is None:
        return
    args = _options.parse(mark, metafunc.definition.nodeid)
    config = metafunc.config
    cases = _options.cases(
        args, config.stash[_SETTINGS], _registry(config), metafunc.definition.nodeid
    )
    names = metafunc.fixturenames
    _set_up_first(names, getattr(metafunc, "_arg2fixturedefs", {}))
    if len(cases) > 1 or args.each is not None:
        if _CASE not in names:
            names.append(_CASE)
        metafunc.parametrize(_CASE, cases, ids=[c.id for c in cases], indirect=True)


#: The fixture a marked test's provider or scenario is parametrized through.
_CASE = "_llm_errors_case"


def _set_up_first(names: list[str], definitions: Mapping[str, Sequence[Any]]) -> None:
    """Put ``inject_error`` in a marked test's fixtures, before its function-scoped ones.

    The marker alone is enough to inject, and the fake clock, interception and guard are on
    while the test's own fixtures set up, as they would be under an autouse fixture; yet an
    unmarked test pays for no fixture at all. `names` is the test's fixture closure
    (`Metafunc.fixturenames`, `Item.fixturenames`), which pytest sets up in order.
    """

    def scope(name: str) -> str:
        found = definitions.get(name)
        return str(getattr(found[-1], "scope", "function")) if found else "function"

    if "inject_error" in names:
        names.remove("inject_error")
    first = next((i for i, name in enumerate(names) if scope(name) == "function"), len(names))
    names.insert(first, "inject_error")


@pytest.fixture
def _llm_errors_case(request: pytest.FixtureRequest) -> Case | None:
    """The provider or scenario a marked test is parametrized over (only those are)."""
    return getattr(request, "param", None)


#: The items whose run protocol is under way, innermost last (a pytester run inside a test
#: nests one). ``inject_error`` reads its test here rather than take ``request``: pytest
#: builds a fixture definition, signature and all, for each ``request`` a fixture takes.
_RUNNING: list[pytest.Item] = []


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, Any, Any]:
    """Note the test that runs, for the ``inject_error`` fixture."""
    _RUNNING.append(item)
    try:
        return (yield)
    finally:
        _RUNNING.pop()


@pytest.fixture
def inject_error() -> Iterator[ErrorInjector]:
    """Queue provider errors for the code under test and judge how it handled them."""
    from ._session import Session

    if not _RUNNING:
        raise pytest.UsageError("inject_error is a test's fixture: no test is running.")
    item = _RUNNING[-1]
    config = item.config
    settings = config.stash[_SETTINGS]
    registry = _registry(config)
    callspec = getattr(item, "callspec", None)
    case = callspec.params.get(_CASE) if callspec is not None else None
    options = _options.resolve(_options.closest(item) or MarkerArgs(), settings, case)

    hook = item.ihook.pytest_llmerrors_attempt  # looked up once, not per request

    def on_attempt(attempt: Attempt) -> None:
        hook(item=item, attempt=attempt)

    # Implementations are registered by collection time: with none, no call per request.
    reported = on_attempt if hook.get_hookimpls() else None

    try:
        registry.get(options.case.provider)
    except ValueError as error:
        raise pytest.UsageError(
            f"{item.nodeid}: --llm-errors-provider / llm_errors_provider: {error}"
        ) from None
    session = Session(
        options,
        settings,
        registry,
        rng_seed=f"{options.seed}:{item.nodeid}",
        on_attempt=reported,
        keep_installed=True,
        test_file=_test_file(item),
    )
    item.stash[_SESSION] = session
    with session.running() as injector:
        if options.seed is not None:
            item.stash[_SEED] = options.seed
        yield injector


def _test_file(item: pytest.Item) -> str | None:
    """Return the file of the test's code as its frames name it.

    Loops there (the test's, its helpers') call the application again; they do not resend.
    """
    function = getattr(item, "function", None)
    if function is None:
        return None
    if hasattr(function, "__wrapped__"):  # a decorated test: the file of the code it wraps
        function = inspect.unwrap(function)
    code = getattr(function, "__code__", None)
    return code.co_filename if isinstance(code, CodeType) else None


def _release_clock() -> None:
    """Put real time back, if a marked test left the fake clock's names switched in.

    The clock switches its names in at the first marked test and keeps them for the next
    (microseconds per test instead of a quarter millisecond); a test without the plugin
    must see the real `time`, `datetime` and sleeps, so they are switched out before it.
    """
    clock = sys.modules.get("pytest_llmerrors._clock")
    if clock is not None:
        clock.release()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before a test without the marker, make sure it runs on real time; give a marked test
    whose fixture list lacks ``inject_error`` the fixture its marker asks for: one marked
    after collection (``item.add_marker`` in a hook), or a parametrized one, whose list
    pytest prunes back to what the test names after ``pytest_generate_tests``."""
    if item.get_closest_marker(MARKER) is None:
        _release_clock()
        return
    names = getattr(item, "fixturenames", None)
    if isinstance(names, list) and "inject_error" not in names:
        # A list of its own: parametrized siblings share the one pytest made.
        names = list(names)
        info = getattr(item, "_fixtureinfo", None)
        _set_up_first(names, getattr(info, "name2fixturedefs", {}))
        item.fixturenames = names  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave real time and unpatched connection pools behind at the end of the session."""
    _release_clock()
    interception = sys.modules.get("pytest_llmerrors._interception")
    if interception is not None:
        interception.uninstall()


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, Any, Any]:
    """Seed `random` right before the test body, and give back its state after the body.

    pytest-randomly reseeds in ``pytest_runtest_call``; this runs later, inside it. The
    tests that follow see `random` as they would have without ``seed=``.
    """
    seed = pyfuncitem.stash.get(_SEED, None)
    if seed is None:
        return (yield)
    state = random.getstate()
    random.seed(seed)
    try:
        return (yield)
    finally:
        random.setstate(state)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    """Fail on what the plugin refused (in any thread); with ``verify=True``, judge the
    timeline, both as part of the test's own call."""
    result = yield
    session = item.stash.get(_SESSION, None)
    if session is not None and session.failures:
        # Raised where the code could catch it, or in another thread: the test fails here.
        __tracebackhide__ = True
        pytest.fail(
            "pytest-llmerrors refused what the test tried to reach:\n- "
            + "\n- ".join(dict.fromkeys(session.failures)),
            pytrace=False,
        )
    if session is not None and session.options.verify:
        __tracebackhide__ = True
        session.injector.assert_resilient()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the test's timeline and verdict to its call report (and JUnit properties)."""
    report = yield
    if report.when == "teardown":
        # Items live to the end of the run: let the test's machinery and records go.
        if _SESSION in item.stash:
            del item.stash[_SESSION]
        if _SEED in item.stash:
            del item.stash[_SEED]
        return report
    session = item.stash.get(_SESSION, None)
    if session is not None and report.when == "call":
        from ._report import record_of

        timeline = bool(item.config.getoption("llm_errors_report", None))
        data = record_of(item.nodeid, session, timeline=timeline)
        setattr(report, _REPORT_ATTRIBUTE, data)
        # JUnit XML reads the properties of the teardown report, made from the item's.
        item.user_properties.append(("llm_errors_verdict", data["verdict"]))
        item.user_properties.append(("llm_errors_attempts", data["attempt_count"]))
    return report


class _Collector:
    """Collects each test's data, from this process or from pytest-xdist workers."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: list[dict[str, Any]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Keep the data a call report carries."""
        data = getattr(report, _REPORT_ATTRIBUTE, None)
        if data is not None and report.when == "call":
            self.records.append(data)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Sum up the tests that injected faults, and warn about faults nobody took."""
        if not self.records:
            return
        from ._report import summary_lines

        verbose = self.config.get_verbosity() > 0
        lines, warnings = summary_lines(self.records, verbose=verbose)
        if not lines and not warnings:
            return
        terminalreporter.write_sep("=", "llm-errors summary")
        for line in lines:
            terminalreporter.write_line(line)
        for warning in warnings:
            terminalreporter.write_line(f"WARNING: {warning}", yellow=True, bold=True)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Write the JSON report, on the controller only under pytest-xdist."""
        path = self.config.getoption("llm_errors_report", None)
        if not path or hasattr(self.config, "workerinput"):
            return
        from ._report import write_json

        settings = self.config.stash[_SETTINGS]
        try:
            write_json(Path(path), self.records, provider=settings.provider, seed=settings.seed)
        except OSError as error:  # checked at start-up; the disk may still fill up or change
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(
                    f"pytest-llmerrors: could not write the report to {path}: {error}", red=True
                )
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
