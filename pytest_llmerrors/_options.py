"""What a marked test runs with: the marker's arguments, the ini and command-line settings,
and the two merged once per test (`resolve`).

Everything here is checked where it is given: a bad marker argument is a collection error
naming the marker, a bad setting a usage error at start-up.
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ._policy import (
    DEFAULT_GIVE_UP,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_TOTAL_WAIT,
    DEFAULT_RETRYABLE,
    RULES,
    Policy,
    fault_wait,
    rule_names,
)

if TYPE_CHECKING:  # the plugin imports this module in every run: faults and profiles wait
    from ._faults import Classification, Fault
    from ._policy import PolicyHook
    from ._providers import Provider, Registry

MARKER = "llm_errors"
MARKER_DOC = (
    f"{MARKER}(*faults, provider=None, each=None, verify=False, fake_time=True, "
    "block_network=True, seed=None, start=None, limits=None): answer the test's "
    "HTTP requests (httpx, httpx2, aiohttp, requests) as an LLM provider would, with "
    "`faults` queued first; "
    "`provider` names a profile (a list parametrizes the test); `each` parametrizes over "
    "the catalog ('retryable', 'give_up', 'all' or a list of scenario names); `verify` runs "
    "inject_error.assert_resilient() after the test body; `fake_time` makes time virtual, "
    "sleeps instant (from `start`, a datetime or ISO 8601 string; default: now); "
    "`block_network` fails requests no profile serves; `seed` seeds `random` before the "
    "test body and restores its state after it; `limits` sets provider limits as "
    "inject_error.limit(**limits) would (a dict like {'rpm': 60}), or 'documented' for "
    "those the provider's reference documents."
)
EACH_GROUPS = ("retryable", "give_up", "all")


@dataclass(frozen=True)
class MarkerArgs:
    """The marker's arguments, checked."""

    faults: tuple[int | str | Fault, ...] = ()
    provider: str | tuple[str, ...] | None = None
    each: str | tuple[str, ...] | None = None
    verify: bool | None = None
    fake_time: bool | None = None
    block_network: bool | None = None
    seed: int | None = None
    start: _dt.datetime | None = None
    limits: str | dict[str, float] | None = None


def _signature(
    *faults: int | str | Fault,
    provider: str | Sequence[str] | None = None,
    each: str | Sequence[str] | None = None,
    verify: bool | None = None,
    fake_time: bool | None = None,
    block_network: bool | None = None,
    seed: int | None = None,
    start: _dt.datetime | str | None = None,
    limits: str | dict[str, float] | None = None,
) -> MarkerArgs:
    from ._faults import Fault

    for fault in faults:
        if isinstance(fault, bool) or not isinstance(fault, (int, str, Fault)):
            raise TypeError(
                f"faults must be HTTP statuses, scenario names or Fault objects, not {fault!r}"
            )
    if provider is not None and not isinstance(provider, str):
        provider = tuple(provider) if isinstance(provider, (list, tuple)) else ()
        if not provider or not all(isinstance(p, str) for p in provider):
            raise TypeError("provider must be a profile name or a non-empty list of names")
    if each is not None and not isinstance(each, str):
        each = tuple(each) if isinstance(each, (list, tuple)) else ()
        if not each or not all(isinstance(e, str) for e in each):
            raise TypeError("each must be 'retryable', 'give_up', 'all' or a list of scenarios")
    if isinstance(each, str) and each not in EACH_GROUPS:
        raise TypeError(
            f"each must be one of {', '.join(map(repr, EACH_GROUPS))} or a list of scenario "
            f"names, not {each!r}"
        )
    for name, flag in (
        ("verify", verify),
        ("fake_time", fake_time),
        ("block_network", block_network),
    ):
        if flag is not None and not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, not {flag!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"seed must be an int, not {seed!r}")
    if isinstance(start, str):
        try:
            start = _dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
        except ValueError:
            raise TypeError(
                f"start must be a datetime or an ISO 8601 string, not {start!r}"
            ) from None
    elif start is not None and not isinstance(start, _dt.datetime):
        raise TypeError(f"start must be a datetime or an ISO 8601 string, not {start!r}")
    if start is not None:
        check_start(start)
    if limits is not None:
        from ._limits import check_marker_limits

        check_marker_limits(limits)
        limits = limits if isinstance(limits, str) else dict(limits)
    return MarkerArgs(
        tuple(faults), provider, each, verify, fake_time, block_network, seed, start, limits
    )


#: The latest `start` accepted: the virtual clock keeps a thousand years to move forward
#: (a fault's longest wait is ten years), as a `datetime` cannot go past the year 9999.
LATEST_START = _dt.datetime(9000, 1, 1)


def check_start(start: _dt.datetime) -> None:
    """Refuse a `start` the virtual clock could not move forward from, naming `start`."""
    try:
        utc = start.astimezone(_dt.timezone.utc) if start.tzinfo is not None else start
    except OverflowError:
        utc = None
    if utc is None or utc.replace(tzinfo=None) >= LATEST_START:
        raise TypeError(
            f"start must be before {LATEST_START:%Y-%m-%d} (UTC), so that the virtual clock "
            f"has room to move forward, not {start.isoformat()!r}"
        )


def parse(mark: pytest.Mark, where: str) -> MarkerArgs:
    """Check `mark`'s arguments, or raise a collection error that names the marker."""
    __tracebackhide__ = True
    try:
        return _signature(*mark.args, **mark.kwargs)
    except TypeError as error:
        message = str(error).replace("_signature()", f"@pytest.mark.{MARKER}()")
        raise pytest.Collector.CollectError(
            f"{where}: bad arguments to @pytest.mark.{MARKER}: {message}.\n"
            f"Signature: @pytest.mark.{MARKER_DOC.split(':', 1)[0]}"
        ) from None


def closest(item: pytest.Item) -> MarkerArgs | None:
    """Return the arguments of `item`'s closest ``llm_errors`` marker, if it has one."""
    mark = item.get_closest_marker(MARKER)
    if mark is None:
        return None
    # A marker object is shared by every test it marks (a module's, a parametrized test's):
    # checked at collection, read again by each of its tests. Kept with the mark, whose id
    # stays its own while the mark is held here.
    known = _PARSED.get(id(mark))
    if known is not None and known[0] is mark:
        return known[1]
    args = parse(mark, item.nodeid)
    _PARSED[id(mark)] = (mark, args)
    return args


_PARSED: dict[int, tuple[pytest.Mark, MarkerArgs]] = {}


# -- the run's settings: ini and command line ----------------------------------------

#: What ``llm_errors_allow_hosts`` allows by default: this machine.
DEFAULT_ALLOW_HOSTS: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")

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
    (
        "llm_errors_skip_rules",
        "args",
        [],
        "Rules assert_resilient() and verify=True leave out, separated by spaces: "
        f"{', '.join(RULES)}.",
    ),
    (
        "llm_errors_allow_hosts",
        "args",
        list(DEFAULT_ALLOW_HOSTS),
        "Hosts a marked test with block_network may still connect to, separated by spaces "
        "(default: this machine); empty allows none.",
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
    #: The ``pytest_llmerrors_policy`` hook, ``None`` where there is no pytest config.
    hook: PolicyHook | None = None
    #: Hosts a test with ``block_network`` may still connect to (``llm_errors_allow_hosts``).
    allow_hosts: tuple[str, ...] = DEFAULT_ALLOW_HOSTS

    def classify(self, provider: str, fault: Fault) -> Classification:
        """Return how `fault` is classified: by the policy hook, else by the policy."""
        return self.policy.classify(provider, fault, self.hook)


def _number(name: str, value: str, minimum: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise pytest.UsageError(f"{name} must be a number, not {value!r}.") from None
    if not math.isfinite(number):
        raise pytest.UsageError(
            f"{name} must be a finite number (at least {minimum:g}), not {value!r}."
        )
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


def _rules(name: str, values: list[str]) -> frozenset[str]:
    try:
        return rule_names(values)
    except ValueError as error:
        raise pytest.UsageError(f"{name} lists rule names separated by spaces: {error}") from None


def _bool(config: pytest.Config, name: str) -> bool:
    try:
        return bool(config.getini(name))
    except (ValueError, pytest.UsageError) as error:  # pytest's message names no setting
        raise pytest.UsageError(
            f"{name} must be true or false (also yes/no, on/off, 1/0): {error}."
        ) from None


def load(config: pytest.Config) -> Settings:
    """Read and check the settings, raising ``pytest.UsageError`` on a bad value."""
    provider = _provider(config)
    _check_report_path(config)
    seed = config.getoption("llm_errors_seed")
    raw_attempts = config.getini("llm_errors_max_attempts")
    max_attempts = _number("llm_errors_max_attempts", raw_attempts, 1)
    if not max_attempts.is_integer():
        raise pytest.UsageError(
            f"llm_errors_max_attempts must be a whole number, not {raw_attempts!r}."
        )
    policy = Policy(
        give_up=_statuses("llm_errors_give_up", config.getini("llm_errors_give_up")),
        retryable=_statuses("llm_errors_retryable", config.getini("llm_errors_retryable")),
        max_attempts=int(max_attempts),
        max_total_wait=_number(
            "llm_errors_max_total_wait", config.getini("llm_errors_max_total_wait"), 0
        ),
        request_id_level=_level(
            "llm_errors_request_id_level", config.getini("llm_errors_request_id_level")
        ),
        skip_rules=_rules("llm_errors_skip_rules", config.getini("llm_errors_skip_rules")),
    )
    overlap = policy.give_up & policy.retryable
    if overlap:
        raise pytest.UsageError(
            f"llm_errors_give_up and llm_errors_retryable both list {sorted(overlap)}; "
            "a status is one or the other."
        )
    return Settings(
        provider=provider,
        fake_time=_bool(config, "llm_errors_fake_time"),
        block_network=_bool(config, "llm_errors_block_network"),
        verify=_bool(config, "llm_errors_verify"),
        seed=seed,
        policy=policy,
        hook=_hook(config),
        allow_hosts=tuple(config.getini("llm_errors_allow_hosts")),
    )


def _provider(config: pytest.Config) -> str:
    option = config.getoption("llm_errors_provider")
    if option is not None and not option.strip():
        raise pytest.UsageError(
            "--llm-errors-provider needs a provider profile name, like openai, anthropic or "
            "gemini; leave the option out to use llm_errors_provider (default: openai)."
        )
    provider = str(option or config.getini("llm_errors_provider")).strip()
    if not provider:
        raise pytest.UsageError(
            "llm_errors_provider needs a provider profile name, like openai, anthropic or "
            "gemini; remove the setting to use the default, openai."
        )
    return provider


def _check_report_path(config: pytest.Config) -> None:
    """Refuse a ``--llm-errors-report`` path that could not be written, before the run.

    The report is written after the last test: a bad path found then costs the whole run.
    Its folder may not exist yet (the writer creates it), so the nearest existing ancestor
    must be a writable folder. pytest-xdist workers write nothing: only the controller checks.
    """
    value = config.getoption("llm_errors_report", None)
    if value is None or hasattr(config, "workerinput"):
        return
    if not value.strip():
        raise pytest.UsageError(
            "--llm-errors-report needs the path of the JSON file to write, like "
            "--llm-errors-report=reports/llm-errors.json."
        )
    path = Path(value).absolute()
    if path.is_dir():
        raise pytest.UsageError(
            f"--llm-errors-report={value}: {str(path)!r} is a folder; give the path of the "
            f"JSON file to write in it, like {str(path / 'llm-errors.json')!r}."
        )
    # Tried, not asked: os.access says yes to root for a read-only folder or sysfs.
    if path.exists():
        try:
            with path.open("a"):
                pass
        except OSError as error:
            raise pytest.UsageError(
                f"--llm-errors-report={value}: {str(path)!r} exists and cannot be written "
                f"({error.strerror or error}); give a path this user may write."
            ) from None
        return
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise pytest.UsageError(
            f"--llm-errors-report={value}: cannot create {str(path)!r}: {str(ancestor)!r} "
            f"is not a folder; give a path under a writable folder."
        )
    import tempfile  # pytest's tmp_path has it loaded; the plugin's import stays light

    try:
        tempfile.TemporaryFile(dir=ancestor).close()
    except OSError as error:
        raise pytest.UsageError(
            f"--llm-errors-report={value}: cannot create {str(path)!r}: {str(ancestor)!r} "
            f"is a folder this user cannot write ({error.strerror or error}); give a path "
            f"under a writable folder."
        ) from None


def _hook(config: pytest.Config) -> PolicyHook:
    def hook(provider: str, fault: Fault) -> Classification | None:
        caller = config.hook.pytest_llmerrors_policy
        if not caller.get_hookimpls():  # nobody implements it (most suites): no call to make
            return None
        result: Classification | None = caller(config=config, provider=provider, scenario=fault)
        return result

    return hook


# -- one test's options: the marker over the settings ------------------------------------------


@dataclass(frozen=True)
class Case:
    """One parametrized case of a marked test: a provider and maybe a catalog scenario."""

    provider: str
    scenario: str | None = None

    @property
    def id(self) -> str:
        """The readable test id, like ``openai-rate_limit``."""
        return self.provider if self.scenario is None else f"{self.provider}-{self.scenario}"


@dataclass(frozen=True)
class TestOptions:
    """What one marked test runs with: its marker's arguments over the run's settings."""

    __test__ = False  # not a test class, whatever its name says to pytest

    case: Case
    faults: tuple[int | str | Fault, ...]
    fake_time: bool
    block_network: bool
    verify: bool
    seed: int | None
    start: _dt.datetime | None
    #: The marker's ``limits=``: a dict of ``inject_error.limit`` keywords, or ``"documented"``.
    limits: str | dict[str, float] | None = None


def resolve(args: MarkerArgs, settings: Settings, case: Case | None) -> TestOptions:
    """Merge a test's marker arguments over the settings; `case` is its parametrized case."""
    # A one-name list is not parametrized (there is nothing to tell apart): use that name.
    named = args.provider[0] if isinstance(args.provider, tuple) else args.provider
    return TestOptions(
        case=case or Case(named or settings.provider),
        faults=args.faults,
        fake_time=settings.fake_time if args.fake_time is None else args.fake_time,
        block_network=settings.block_network if args.block_network is None else args.block_network,
        verify=settings.verify if args.verify is None else args.verify,
        seed=settings.seed if args.seed is None else args.seed,
        start=args.start,
        limits=args.limits,
    )


def cases(args: MarkerArgs, settings: Settings, registry: Registry, where: str) -> list[Case]:
    """Return a marked test's parametrized cases; check every name at collection time."""
    __tracebackhide__ = True
    providers = args.provider if args.provider is not None else settings.provider
    names = [providers] if isinstance(providers, str) else list(providers)
    if args.provider is None and settings.provider not in registry.names():
        raise pytest.Collector.CollectError(
            f"{where}: --llm-errors-provider / llm_errors_provider: "
            f"Unknown provider {settings.provider!r}. Valid providers: "
            f"{', '.join(registry.names())}."
        )
    found: list[Case] = []
    try:
        for name in names:
            profile = registry.get(name)
            for fault in args.faults:
                profile.fault(fault, settings.policy)
            if args.limits == "documented" and not profile.documented_limits:
                documenting = [n for n in registry.names() if registry.get(n).documented_limits]
                raise ValueError(
                    f"limits='documented': provider {name!r} documents no limits. Profiles "
                    f"that document theirs: {', '.join(documenting) or 'none'}. Give them "
                    f"instead, e.g. limits={{'rpm': 60}}."
                )
            if args.each is None:
                found.append(Case(name))
                continue
            found.extend(Case(name, s) for s in _each(args.each, profile, settings))
    except ValueError as error:
        raise pytest.Collector.CollectError(f"{where}: @pytest.mark.{MARKER}: {error}") from None
    return found


def _each(each: str | tuple[str, ...], profile: Provider, settings: Settings) -> list[str]:
    if not isinstance(each, str):
        for name in each:
            profile.scenario(name)
        return list(each)
    chosen = []
    for name in sorted(profile.scenarios):
        fault = profile.scenarios[name]
        if fault.stream:
            continue  # only a streaming request takes these: name them explicitly
        if each == "all" or each == _group(fault, profile, settings):
            chosen.append(name)
    return chosen


def _group(fault: Fault, profile: Provider, settings: Settings) -> str:
    """Return ``"retryable"`` or ``"give_up"``: what a resilient client does with `fault`.

    A Retry-After window is retryable when the client can wait it out within the wait
    budget (FluxRouter's ~5 s premium-routing pause), and a give-up otherwise (its hourly
    safety limit): the test body then expects the app to give up, not to succeed.
    """
    kind = settings.classify(profile.name, fault)
    if kind == "retry_after_window":
        wait = fault_wait(fault)
        return (
            "retryable"
            if wait is not None and wait <= settings.policy.max_total_wait
            else "give_up"
        )
    return "give_up" if kind == "give_up" else "retryable"
