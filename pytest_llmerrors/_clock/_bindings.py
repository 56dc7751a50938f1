"""freezegun's fakes and our sleeps, put where the code reads time, and taken out again.

freezegun answers what the code reads (the user chose it): while a test's clock runs,
`time.time`, `time.monotonic`, `time.perf_counter`, `datetime.datetime`, `datetime.date`...
are freezegun's fakes, and they read the factory on top of freezegun's stack. We push our
own factory there (the test's virtual instant) instead of starting a freezegun freezer: a
freezer's start and stop walk every loaded module (25 ms with the LLM SDKs loaded), while
the index (`._modindex`) already knows the few hundred names to switch, so switching costs
microseconds. A freezer the test starts inside ours pushes on top and wins until it stops;
one already running keeps its patches, and ours only adds what it lacks.

This leans on freezegun's module-level state (``freeze_factories``, ``tz_offsets``,
``ignore_lists``, ``tick_flags``) and fakes (``fake_time``, ``FakeDatetime``, ...), checked
against freezegun 1.5; `FREEZEGUN_CHECKED` names the range.

freezegun's ignore list decides two things, and we split them: modules it names keep their
real bindings (``threading``, ``queue``: their timeouts stay real, as in freezegun), but a
call *from* a thread target reads virtual time too, so ``threading`` is left out of the list
the fakes consult when they walk the caller's frames.
"""

from __future__ import annotations

import copyreg
import datetime
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import freezegun
import freezegun.api as api
import freezegun.config

from . import _sleeps
from ._modindex import INDEX

FREEZEGUN_CHECKED = ("1.5",)
_UTC = datetime.timezone.utc
#: Held while any clock of ours starts or stops.
LIFECYCLE = threading.Lock()

#: The time functions of the `time` module and their freezegun fakes.
_TIME_FAKES: dict[str, Callable[..., Any]] = {
    name: getattr(api, f"fake_{name}")
    for name in (
        "time",
        "monotonic",
        "perf_counter",
        "localtime",
        "gmtime",
        "strftime",
        "time_ns",
        "monotonic_ns",
        "perf_counter_ns",
    )
    if hasattr(api, f"fake_{name}") and hasattr(time, name)
}


def _fake_localtime(t: float | None = None) -> time.struct_time:
    """freezegun's ``localtime`` with the zone filled in: the real one at the virtual instant.

    freezegun's leaves ``tm_gmtoff`` and ``tm_zone`` empty, which pydantic's
    ``PastDatetime`` / ``FutureDate`` fail on, and ignores daylight saving.
    """
    return api.real_localtime(api.fake_time() if t is None else t)


def _fake_gmtime(t: float | None = None) -> time.struct_time:
    """freezegun's ``gmtime``, as the real one gives it at the virtual instant."""
    return api.real_gmtime(api.fake_time() if t is None else t)


def _fake_strftime(format: str, t: Any = None) -> str:
    """freezegun's ``strftime``, formatting the virtual local time with its zone (``%z``)."""
    return api.real_strftime(format, _fake_localtime() if t is None else t)


_TIME_FAKES.update(localtime=_fake_localtime, gmtime=_fake_gmtime, strftime=_fake_strftime)
_UUID_ATTR = getattr(api, "uuid_generate_time_attr", None)
_DISPATCH: dict[Any, Any] = copyreg.dispatch_table


def check_freezegun() -> None:
    """Refuse a freezegun release whose internals were not checked, naming the fix."""
    if _CHECKED:
        return
    version = getattr(freezegun, "__version__", "unknown")
    needed = ("freeze_factories", "tz_offsets", "ignore_lists", "tick_flags", "FakeDatetime")
    if not version.startswith(FREEZEGUN_CHECKED) or not all(hasattr(api, n) for n in needed):
        raise RuntimeError(
            f"pytest-llmerrors works with freezegun {', '.join(FREEZEGUN_CHECKED)}.x, found "
            f"freezegun {version}. Install a checked release: pip install 'freezegun>=1.5,<1.6'."
        )
    _CHECKED.append(version)  # a process imports one freezegun: checked once


_CHECKED: list[str] = []


def running_instant() -> datetime.datetime | None:
    """Return the naive instant of a user's freezer on top of freezegun's stack, if one runs."""
    stack: list[Any] = api.freeze_factories
    if not stack or stack[-1] is _RESTING:
        return None
    return api.convert_to_timezone_naive(stack[-1]())


def real_now() -> datetime.datetime:
    """Return the real current instant, naive UTC."""
    return api.real_datetime.now(_UTC).replace(tzinfo=None)


def teach_pydantic() -> None:
    """Let pydantic build schemas for freezegun's classes, as for the real ones.

    A model whose ``datetime`` field is defined during a test sees ``FakeDatetime`` (the
    class `datetime.datetime` is then); pydantic knows only the real class and refused it.
    Validation still makes real ``datetime`` objects. Set once, on freezegun's classes.
    """
    for cls, kind in ((api.FakeDatetime, "datetime_schema"), (api.FakeDate, "date_schema")):
        if "__get_pydantic_core_schema__" in vars(cls):
            continue

        def schema(cls: Any, source: Any, handler: Any, kind: str = kind) -> Any:
            from pydantic_core import core_schema

            return getattr(core_schema, kind)()

        cls.__get_pydantic_core_schema__ = classmethod(schema)  # type: ignore[attr-defined]


def _ignore_list() -> tuple[str, ...]:
    return tuple(freezegun.config.settings.default_ignore_list)


class Factory:
    """What freezegun's fakes read: the test's virtual instant, naive UTC.

    `progress` is called on every read: a thread reading the clock is running, which the
    scheduler needs to know to tell it from a blocked one.
    """

    def __init__(self, origin: datetime.datetime, now: Callable[[], float]) -> None:
        self.origin = origin
        self._now = now
        self.progress: Callable[[], None] = _nothing

    def __call__(self) -> datetime.datetime:
        self.progress()
        return self.origin + datetime.timedelta(seconds=self._now())

    # freezegun's factories have these; a caller holding ours gets the same behaviour.
    def tick(self, delta: float | datetime.timedelta = 1) -> datetime.datetime:
        """Refuse: the test's clock moves by the code's waits, or by ``clock.advance()``."""
        raise RuntimeError("Move the test's clock with inject_error.clock.advance(seconds).")

    move_to = tick


def _nothing() -> None:
    return None


class _Resting:
    """freezegun's stack entry while the fakes stay installed between tests: real time.

    freezegun's fakes need an entry on its stack (``FakeDatetime.now`` reads the top one's
    time zone offset), so one stays under the tests' entries: it answers the real instant,
    and its ignore list names every module, so the time functions read the real clocks.
    """

    def __call__(self) -> datetime.datetime:
        return real_now()


_RESTING = _Resting()


def _at_rest() -> bool:
    """Whether freezegun's top entry is the resting one: the fakes stand in for real time."""
    stack: list[Any] = api.freeze_factories
    return bool(stack) and stack[-1] is _RESTING


def teach_rest() -> None:
    """Make freezegun's classes answer exactly as the real ones while at rest.

    freezegun models local time as UTC plus its entry's offset, and adds that offset to
    ``now(tz)`` too: outside UTC no offset of the resting entry gives the real answers of
    ``now()``, ``now(tz)``, ``date.today()``, ``fromtimestamp`` and ``timestamp`` at once.
    While the resting entry is on top (between marked tests) those delegate to the real
    classes; under any other entry (a test's clock, a user's freezer) they are freezegun's.
    Done once per process; cheap: one look at the top of freezegun's stack.
    """
    if getattr(api.FakeDatetime, "_llmerrors_rest", False):
        return
    now = api.FakeDatetime.__dict__["now"].__func__
    today = api.FakeDate.__dict__["today"].__func__
    fromtimestamp = api.FakeDatetime.__dict__["fromtimestamp"].__func__
    timestamp = api.FakeDatetime.__dict__["timestamp"]

    def rest_now(cls: Any, tz: datetime.tzinfo | None = None) -> Any:
        if _at_rest():
            return api.datetime_to_fakedatetime(api.real_datetime.now(tz))
        return now(cls, tz)

    def rest_today(cls: Any) -> Any:
        if _at_rest():
            return api.date_to_fakedate(api.real_date.today())
        return today(cls)

    def rest_fromtimestamp(cls: Any, t: float, tz: datetime.tzinfo | None = None) -> Any:
        if _at_rest():
            return api.datetime_to_fakedatetime(api.real_datetime.fromtimestamp(t, tz))
        return fromtimestamp(cls, t, tz)

    def rest_timestamp(self: Any) -> float:
        if _at_rest():
            return api.real_datetime.timestamp(self)
        return timestamp(self)  # type: ignore[no-any-return]

    api.FakeDatetime.now = classmethod(rest_now)  # type: ignore[assignment,method-assign]
    api.FakeDate.today = classmethod(rest_today)  # type: ignore[assignment,method-assign]
    api.FakeDatetime.fromtimestamp = classmethod(rest_fromtimestamp)  # type: ignore[assignment,method-assign]
    api.FakeDatetime.timestamp = rest_timestamp  # type: ignore[method-assign]
    api.FakeDatetime._llmerrors_rest = True  # type: ignore[attr-defined]


class _Installed:
    """The names switched for the session: installed once, released for real-time tests."""

    def __init__(self) -> None:
        self.active = False
        self.undo: list[tuple[dict[Any, Any], Any, Any, Any]] = []
        self.seen = (0, "", 0)  # the index's fingerprint when installed
        self.depth = 0  # freezers running when installed


_INSTALLED = _Installed()


def install() -> None:
    """Switch every indexed name to its fake, unless that is done already (then: at once).

    A freezer that started or stopped since (a user's ``freeze_time`` around a test) may
    have put names back: then everything is released and switched again.
    """
    state = _INSTALLED
    if state.active:
        if len(api.freeze_factories) == state.depth and vars(time).get("time") is api.fake_time:
            return
        release()
    teach_pydantic()
    teach_rest()
    _undo_orphans()
    INDEX.refresh()
    state.seen = INDEX.fingerprint
    undo = state.undo
    fakes = _fakes()
    time_ns, datetime_ns = vars(time), vars(datetime)
    for name, time_fake in _TIME_FAKES.items():
        _switch(undo, time_ns, name, time_fake)
    _switch(undo, time_ns, "sleep", _sleeps.fake_time_sleep)
    _switch(undo, datetime_ns, "datetime", api.FakeDatetime)
    _switch(undo, datetime_ns, "date", api.FakeDate)
    if _UUID_ATTR:
        _switch(undo, vars(uuid), _UUID_ATTR, None)
    for entry in INDEX.bindings:
        namespace = entry.namespace
        for name in entry.names:
            current = namespace.get(name)
            fake = fakes.get(id(current))
            if fake is not None:
                undo.append((namespace, name, current, fake))
                namespace[name] = fake
    dispatch = _DISPATCH
    if api.real_datetime not in dispatch:
        dispatch[api.real_datetime] = api.pickle_fake_datetime
        dispatch[api.real_date] = api.pickle_fake_date
        undo.append((dispatch, api.real_datetime, None, api.pickle_fake_datetime))
        undo.append((dispatch, api.real_date, None, api.pickle_fake_date))
    _push(_RESTING, datetime.timedelta(), ("",))
    state.depth = len(api.freeze_factories)
    state.active = True


def release() -> None:
    """Put every real name back: what tests on real time, and the end of the session, see."""
    state = _INSTALLED
    if not state.active:
        return
    state.active = False
    pop(_RESTING)
    undo, state.undo = state.undo, []
    changed = INDEX.changed_since(state.seen)
    if len(api.freeze_factories) >= state.depth:
        # A freezer started inside ours still runs, and reads through our time fakes: leave
        # them in place until it stops (it restores `time` and `datetime` itself then).
        # Our sleeps go now: no freezer of freezegun's needs them.
        sleeps = _sleep_reals()
        _restore([u for u in undo if id(u[3]) in sleeps])
        _orphaned.extend(u for u in undo if id(u[3]) not in sleeps)
        _restore_modules(changed, sleeps)
        return
    _restore(undo)
    # Modules imported while we ran bound fakes with ``from time import monotonic``; while
    # an outer freezer still runs, its fakes stay (it restores them when it stops).
    _restore_modules(changed, _sleep_reals() if api.freeze_factories else _reals())


def push(factory: Factory) -> None:
    """Put `factory` on top of freezegun's stack: the fakes read it from now on."""
    stack: list[Any] = api.freeze_factories
    outer = [i for i, f in enumerate(stack) if f is not _RESTING]
    tz_offset = api.tz_offsets[outer[-1]] if outer else None
    _push(factory, tz_offset or datetime.timedelta(), _frames_ignored())


def _push(factory: Any, tz_offset: datetime.timedelta, ignore: tuple[str, ...]) -> None:
    stack: list[Any] = api.freeze_factories
    stack.append(factory)
    api.tz_offsets.append(tz_offset)
    api.ignore_lists.append(ignore)
    api.tick_flags.append(False)


def pop(factory: Any) -> None:
    """Take `factory` off freezegun's stack, from under a freezer started inside ours too."""
    stack: list[Any] = api.freeze_factories
    if stack and stack[-1] is factory:
        for parallel in (stack, api.tz_offsets, api.ignore_lists, api.tick_flags):
            parallel.pop()
    else:
        _remove_from_stack(factory)


def _switch(
    undo: list[tuple[dict[Any, Any], Any, Any, Any]], ns: dict[str, Any], name: str, fake: Any
) -> None:
    current = ns.get(name)
    if current is not fake:
        undo.append((ns, name, current, fake))
        ns[name] = fake


def _restore(undo: list[tuple[dict[Any, Any], Any, Any, Any]]) -> None:
    while undo:
        namespace, name, original, fake = undo.pop()
        if namespace.get(name) is fake:  # leave a name someone else rebound alone
            if original is None and namespace is _DISPATCH:
                del namespace[name]
            else:
                namespace[name] = original


def _pairs() -> list[tuple[Any, Any]]:
    """Return (real, replacement) for every time object and sleep the clock switches."""
    pairs = [
        (getattr(api, f"real_{name}"), fake)
        for name, fake in _TIME_FAKES.items()
        if hasattr(api, f"real_{name}")
    ]
    pairs += [(api.real_datetime, api.FakeDatetime), (api.real_date, api.FakeDate)]
    pairs += _sleeps.pairs()
    return pairs


def _fakes() -> dict[int, Any]:
    """Map the id of each real time object and sleep to what replaces it."""
    return {id(real): fake for real, fake in _pairs()}


def _reals() -> dict[int, Any]:
    """Map the id of each replacement to the real object it stands in for."""
    return {id(fake): real for real, fake in _pairs()}


def _sleep_reals() -> dict[int, Any]:
    """Map the id of each replacement sleep to the original."""
    return {id(fake): real for real, fake in _sleeps.pairs()}


def _restore_modules(modules: dict[str, Any], reals: dict[int, Any]) -> None:
    for module in modules.values():
        try:
            items = list(vars(module).items())
        except TypeError:
            continue
        for name, value in items:
            real = reals.get(id(value))
            if real is not None:
                setattr(module, name, real)


def _remove_from_stack(factory: Any) -> None:
    """Take `factory` out of the middle of freezegun's stacks (a freezer on top outlived us)."""
    stack: list[Any] = api.freeze_factories
    for i, other in enumerate(stack):
        if other is factory:
            for parallel in (stack, api.tz_offsets, api.ignore_lists, api.tick_flags):
                del parallel[i]
            break
    # freezegun assumes freezers stop in reverse order: the one that will now empty the stack
    # never set what its stop() reads then, and would raise AttributeError.
    for name, default in (("fake_names", ()), ("reals", {})):
        if not hasattr(api._freeze_time, name):
            setattr(api._freeze_time, name, default)


# Names of ours left installed because a freezer started inside ours outlived it; undone
# once no freezer runs.
_orphaned: list[tuple[dict[Any, Any], Any, Any, Any]] = []


def _undo_orphans() -> None:
    if _orphaned and not api.freeze_factories:
        _restore(_orphaned)


def orphans() -> int:
    """Return how many names of out-of-order stops wait to be put back."""
    return len(_orphaned)


def _frames_ignored() -> tuple[str, ...]:
    """What freezegun's fakes consult on the caller's frames: its ignore list but `threading`,
    so a thread target reads virtual time (the `threading` module's own bindings stay real).
    """
    return tuple(m for m in _ignore_list() if m != "threading")
