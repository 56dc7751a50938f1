"""Direct tests of the fake clock: instant recorded sleeps on freezegun, undone without a trace."""

from __future__ import annotations

import asyncio
import asyncio.base_events
import datetime
import gc
import importlib
import math
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio._backends._asyncio as anyio_backend
import anyio._core._eventloop as anyio_eventloop
import anyio.lowlevel
import backoff
import freezegun
import freezegun.api
import pytest
import stamina
import tenacity

from pytest_llmerrors._clock import Clock, RealClock, _bindings, _sleeps
from pytest_llmerrors._clock import FakeClock as PluginFakeClock

UTC = datetime.timezone.utc


class FakeClock(PluginFakeClock):
    """The plugin's clock, keeping the sleeps it reports (in the plugin, the timeline does)."""

    def __init__(
        self,
        start: datetime.datetime | None = None,
        on_sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.sleeps: list[float] = []

        def note(at: float, seconds: float) -> None:
            self.sleeps.append(seconds)
            if on_sleep is not None:
                on_sleep(seconds)

        super().__init__(start=start, on_sleep=note)


START = datetime.datetime(2025, 1, 1, 12, 0, tzinfo=UTC)

# The originals, taken before any clock ran. Kept in a namespace, not as module globals: the
# clock patches every module-level name bound to a sleep or a time function, this module's too.
REAL = types.SimpleNamespace(
    time_sleep=time.sleep,
    asyncio_sleep=asyncio.sleep,
    anyio_sleep=anyio.sleep,
    loop_time=asyncio.base_events.BaseEventLoop.__dict__["time"],
    time=time.time,
    monotonic=time.monotonic,
    perf_counter=time.perf_counter,
    datetime=datetime.datetime,
)


def assert_all_real() -> None:
    """Fail unless every sleep, clock and event-loop patch is the original."""
    assert time.sleep is REAL.time_sleep
    assert asyncio.sleep is REAL.asyncio_sleep
    assert asyncio.tasks.sleep is REAL.asyncio_sleep
    assert anyio.sleep is REAL.anyio_sleep
    assert anyio_eventloop.sleep is REAL.anyio_sleep
    assert vars(anyio_backend)["sleep"] is REAL.asyncio_sleep
    assert asyncio.base_events.BaseEventLoop.__dict__["time"] is REAL.loop_time
    assert time.time is REAL.time
    assert datetime.datetime is REAL.datetime
    assert not freezegun.api.freeze_factories
    assert _sleeps.running() is None


@pytest.fixture(autouse=True)
def _nothing_leaks() -> Iterator[None]:
    """Check that each test leaves time real, whatever it did."""
    yield
    assert_all_real()


@pytest.fixture
def on_sleep() -> list[float]:
    """Collect what the clock passes to its on_sleep callback."""
    return []


@pytest.fixture
def clock(on_sleep: list[float]) -> Iterator[FakeClock]:
    """Run a FakeClock frozen at START for the test."""
    with FakeClock(start=START, on_sleep=on_sleep.append) as running:
        yield running


@pytest.fixture
def make_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """Write and import a throwaway module; forget it afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    names: list[str] = []

    def make(name: str, source: str) -> Any:
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        importlib.invalidate_caches()
        names.append(name)
        return importlib.import_module(name)

    yield make
    for name in names:
        sys.modules.pop(name, None)


def real_seconds(func: Callable[[], object]) -> float:
    """Return how long `func` took in real seconds."""
    began: float = REAL.perf_counter()
    func()
    return float(REAL.perf_counter() - began)


# --- 1. sleeps are instant, moved and recorded -------------------------------------------------


def test_time_sleep_is_instant_and_recorded(clock: FakeClock, on_sleep: list[float]) -> None:
    """time.sleep returns at once, moves the clock, and is recorded and reported."""
    assert real_seconds(lambda: time.sleep(30)) < 1
    assert clock.now() == 30
    assert clock.sleeps == on_sleep == [30.0]


def test_asyncio_sleep_is_instant_and_recorded(clock: FakeClock, on_sleep: list[float]) -> None:
    """asyncio.sleep returns at once, moves the clock, and is recorded and reported."""
    assert real_seconds(lambda: asyncio.run(asyncio.sleep(30))) < 1
    assert clock.now() == 30
    assert clock.sleeps == on_sleep == [30.0]


def test_anyio_sleep_is_instant_and_recorded(clock: FakeClock, on_sleep: list[float]) -> None:
    """anyio.sleep returns at once, moves the clock, and is recorded once, not twice."""
    assert real_seconds(lambda: anyio.run(anyio.sleep, 30)) < 1
    assert clock.now() == 30
    assert clock.sleeps == on_sleep == [30.0]


def test_on_sleep_gets_when_each_sleep_began() -> None:
    """on_sleep is called with the virtual instant each sleep began, and its length."""
    began: list[tuple[float, float]] = []

    def note(at: float, seconds: float) -> None:
        began.append((at, seconds))

    with PluginFakeClock(start=START, on_sleep=note):
        time.sleep(2)
        time.sleep(3)
    assert began == [(0.0, 2.0), (2.0, 3.0)]


@pytest.mark.parametrize("library", [asyncio, anyio], ids=["asyncio", "anyio"])
def test_zero_sleep_is_recorded_and_yields(clock: FakeClock, library: Any) -> None:
    """An async sleep of 0 is recorded and still lets other tasks run."""
    ran: list[str] = []
    sleep = library.sleep  # looked up now, while the clock runs

    async def main() -> None:
        async def other() -> None:
            ran.append("other")

        task = asyncio.get_running_loop().create_task(other())
        await sleep(0)
        ran.append("after sleep(0)")
        await task

    asyncio.run(main())
    assert ran == ["other", "after sleep(0)"]
    assert clock.sleeps == [0.0]
    assert clock.now() == 0


@pytest.mark.parametrize(
    ("value", "error"),
    [(-1, ValueError), (math.nan, ValueError), (math.inf, OverflowError), ("1", TypeError)],
)
def test_bad_time_sleep_raises_like_the_original(
    clock: FakeClock, value: Any, error: type[Exception]
) -> None:
    """A negative, NaN, infinite or non-number time.sleep raises what the original raises."""
    with pytest.raises(error):
        time.sleep(value)
    assert clock.sleeps == []
    assert clock.now() == 0


def test_negative_async_sleep_behaves_as_the_original(clock: FakeClock) -> None:
    """A negative asyncio sleep is a yield, recorded as 0; anyio's raises if its original does."""

    async def anyio_negative() -> str:
        try:
            await anyio.sleep(-5)
        except ValueError as error:
            return f"raised {error}"
        return "returned"

    async def main() -> str:
        return await asyncio.sleep(-1, result="done")

    clock.stop()
    original = asyncio.run(anyio_negative())
    clock.start()
    assert asyncio.run(anyio_negative()) == original
    assert asyncio.run(main()) == "done"
    assert clock.sleeps[-1] == 0.0
    assert clock.now() == 0


def test_endless_sleep_still_waits(clock: FakeClock) -> None:
    """sleep(inf) (anyio.sleep_forever) waits for real until cancelled and is not recorded."""

    async def main() -> None:
        with anyio.move_on_after(0.01):
            await anyio.sleep_forever()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.sleep(math.inf), 0.01)

    asyncio.run(main())
    assert clock.sleeps == []


# --- 2. every reference is covered, found incrementally -----------------------------------------


def test_names_bound_before_start_are_covered(make_module: Callable[..., Any]) -> None:
    """`from time/asyncio/anyio import sleep` done before start sleeps on the fake clock."""
    mod = make_module(
        "bound_before",
        """
        from time import sleep
        from asyncio import sleep as asleep
        from anyio import sleep as anyio_sleep
        """,
    )
    with FakeClock(start=START) as clock:
        mod.sleep(1)
        asyncio.run(mod.asleep(2))
        anyio.run(mod.anyio_sleep, 3)
    assert clock.sleeps == [1.0, 2.0, 3.0]
    assert (mod.sleep, mod.asleep, mod.anyio_sleep) == (
        REAL.time_sleep,
        REAL.asyncio_sleep,
        REAL.anyio_sleep,
    )


def test_module_imported_between_starts_is_covered(make_module: Callable[..., Any]) -> None:
    """A module imported after the index was built is scanned at the next start."""
    with FakeClock():  # builds the index
        pass
    mod = make_module("imported_later", "from time import sleep, monotonic\n")
    with FakeClock(start=START) as clock:
        before = mod.monotonic()
        mod.sleep(4)
        assert mod.monotonic() - before == 4
    assert clock.sleeps == [4.0]


def test_name_added_to_lazy_module_is_covered(make_module: Callable[..., Any]) -> None:
    """A name added to an indexed module with a lazy ``__getattr__`` is found: it grew."""
    mod = make_module("grows_later", "def __getattr__(name):\n    raise AttributeError(name)\n")
    with FakeClock():  # builds the index
        pass
    mod.pause = time.sleep
    with FakeClock(start=START) as clock:
        mod.pause(5)
    assert clock.sleeps == [5.0]
    assert mod.pause is REAL.time_sleep


def test_module_imported_while_running_is_restored(make_module: Callable[..., Any]) -> None:
    """A module imported while the clock ran gets the real sleep and clock back at stop."""
    with FakeClock(start=START) as clock:
        mod = make_module("imported_during", "from time import sleep, monotonic\n")
        mod.sleep(6)
        assert mod.monotonic() == time.monotonic()
    assert clock.sleeps == [6.0]
    assert mod.sleep is REAL.time_sleep
    assert mod.monotonic is REAL.monotonic


def test_lazy_attribute_resolved_while_running_is_restored(
    make_module: Callable[..., Any],
) -> None:
    """A lazy module attribute that cached a fake while the clock ran is restored, as anyio's."""
    mod = make_module(
        "lazy_attrs",
        """
        import time
        def __getattr__(name):
            if name != "pause":
                raise AttributeError(name)
            globals()["pause"] = time.sleep
            return time.sleep
        """,
    )
    with FakeClock(start=START) as clock:
        mod.pause(7)
    assert clock.sleeps == [7.0]
    assert mod.pause is REAL.time_sleep


def _flaky(fails: int) -> Callable[[], str]:
    calls = iter(range(fails + 1))

    def call() -> str:
        if next(calls) < fails:
            raise ConnectionError("try again")
        return "ok"

    return call


def _flaky_async(fails: int) -> Callable[[], Any]:
    call = _flaky(fails)

    async def acall() -> str:
        return call()

    return acall


RETRIERS: dict[str, Callable[[], str]] = {
    "tenacity": lambda: tenacity.retry(wait=tenacity.wait_exponential(multiplier=1))(_flaky(3))(),
    "tenacity-async": lambda: asyncio.run(
        tenacity.retry(wait=tenacity.wait_exponential(multiplier=1))(_flaky_async(3))()
    ),
    "backoff": lambda: backoff.on_exception(backoff.expo, ConnectionError, jitter=None)(
        _flaky(3)
    )(),
    "backoff-async": lambda: asyncio.run(
        backoff.on_exception(backoff.expo, ConnectionError, jitter=None)(_flaky_async(3))()
    ),
    "stamina": lambda: stamina.retry(on=ConnectionError, wait_jitter=0, wait_initial=1)(
        _flaky(3)
    )(),
    "stamina-async": lambda: asyncio.run(
        stamina.retry(on=ConnectionError, wait_jitter=0, wait_initial=1)(_flaky_async(3))()
    ),
}


@pytest.mark.parametrize("retrier", list(RETRIERS))
def test_retry_libraries_back_off_on_the_fake_clock(clock: FakeClock, retrier: str) -> None:
    """tenacity, backoff and stamina, sync and async, back off instantly and are recorded."""
    assert real_seconds(RETRIERS[retrier]) < 1
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_pytest_timing_stays_real(clock: FakeClock) -> None:
    """pytest's own timing is left real, so reported durations are honest."""
    import _pytest.timing

    assert _pytest.timing.perf_counter is REAL.perf_counter
    assert _pytest.timing.sleep is REAL.time_sleep


def test_subprocess_runs_on_real_time(clock: FakeClock) -> None:
    """A subprocess timeout is real: not burnt in fake seconds, nor frozen into a hang."""
    quick = [sys.executable, "-c", "import time; time.sleep(0.3)"]
    subprocess.run(quick, timeout=30, check=True)
    slow = [sys.executable, "-c", "import time; time.sleep(30)"]
    began = REAL.perf_counter()
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run(slow, timeout=0.5)
    assert REAL.perf_counter() - began < 10
    assert clock.sleeps == []


# --- 3. event loops run, on fake time -----------------------------------------------------------


def test_asyncio_run_never_hangs_and_sees_fake_time(clock: FakeClock) -> None:
    """asyncio.run completes sleeps and a wait_for at once, and the code sees fake monotonic."""

    async def main() -> float:
        began = time.monotonic()
        await asyncio.sleep(30)
        await asyncio.sleep(30)
        assert await asyncio.wait_for(asyncio.sleep(1, result="in time"), timeout=10) == ("in time")
        return time.monotonic() - began

    moved = 0.0

    def run() -> None:
        nonlocal moved
        moved = asyncio.run(main())

    assert real_seconds(run) < 1
    assert moved == clock.now() == 61
    assert clock.sleeps == [30.0, 30.0, 1.0]


def test_wait_for_times_out_on_fake_time(clock: FakeClock) -> None:
    """A wait_for timeout expires when fake time passes it, as it would in real time."""

    async def main() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.sleep(100), timeout=10)

    assert real_seconds(lambda: asyncio.run(main())) < 1
    assert clock.sleeps == [100.0]


def test_anyio_run_never_hangs_and_fail_after_uses_fake_time(clock: FakeClock) -> None:
    """anyio.run completes at once; its current_time and fail_after follow the fake clock."""

    async def main() -> float:
        began = anyio.current_time()
        await anyio.sleep(30)
        moved = anyio.current_time() - began
        with pytest.raises(TimeoutError), anyio.fail_after(10):
            await anyio.sleep(30)
            await anyio.sleep(30)
        return moved

    moved = 0.0

    def run() -> None:
        nonlocal moved
        moved = anyio.run(main)

    assert real_seconds(run) < 1
    assert moved == pytest.approx(30, abs=0.5)
    assert clock.sleeps == [30.0, 30.0]


def test_anyio_checkpoints_are_not_sleeps(clock: FakeClock) -> None:
    """anyio's internal checkpoints (a sleep(0) in its backend) are not recorded."""

    async def main() -> None:
        await anyio.lowlevel.checkpoint()
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.lowlevel.checkpoint)

    anyio.run(main)
    assert clock.sleeps == []


# --- 4. a user's own freezegun freezer -----------------------------------------------------------


def test_outer_user_freezer_keeps_its_instant() -> None:
    """A freezer running before ours: ours starts at its instant, and leaves it as it was."""
    with freezegun.freeze_time("2020-01-01") as frozen:
        with FakeClock() as clock:
            assert datetime.datetime.now() == datetime.datetime(2020, 1, 1)
            time.sleep(10)
            assert datetime.datetime.now() == datetime.datetime(2020, 1, 1, 0, 0, 10)
            assert clock.utcnow() == datetime.datetime(2020, 1, 1, 0, 0, 10, tzinfo=UTC)
        assert datetime.datetime.now() == datetime.datetime(2020, 1, 1)
        frozen.tick(5)
        assert datetime.datetime.now() == datetime.datetime(2020, 1, 1, 0, 0, 5)
        assert time.sleep is REAL.time_sleep


def test_explicit_start_wins_over_outer_user_freezer() -> None:
    """Given a start, ours shows it while running, then the user's instant comes back."""
    with freezegun.freeze_time("2020-01-01"):
        with FakeClock(start=START):
            assert datetime.datetime.now(UTC) == START
        assert datetime.datetime.now() == datetime.datetime(2020, 1, 1)


def test_inner_user_freezer_wins_while_it_runs(clock: FakeClock) -> None:
    """A freezer started inside ours shows its instant, which sleeps move too, until it stops."""
    time.sleep(1)
    with freezegun.freeze_time("2020-01-01"):
        time.sleep(5)
        assert datetime.datetime.now() == datetime.datetime(2020, 1, 1, 0, 0, 5)
        assert clock.utcnow() == datetime.datetime(2020, 1, 1, 0, 0, 5, tzinfo=UTC)
    assert clock.now() == 6
    assert datetime.datetime.now(UTC) == START + datetime.timedelta(seconds=6)


def test_user_freezer_left_running_survives_stop() -> None:
    """A freezer started inside ours and never stopped keeps working after ours stops."""
    clock = FakeClock(start=START)
    clock.start()
    user = freezegun.freeze_time("2020-01-01")
    user.start()
    clock.stop()
    assert datetime.datetime.now() == datetime.datetime(2020, 1, 1)
    assert time.sleep is REAL.time_sleep
    user.stop()
    assert time.time is REAL.time
    assert abs(time.time() - REAL.time()) < 5


# --- 5. everything is undone -----------------------------------------------------------------


def test_stop_undoes_every_patch() -> None:
    """While running, time is fake; after stop every patch is the original again."""
    with FakeClock(start=START):
        assert time.sleep is not REAL.time_sleep
        assert anyio.sleep is not REAL.anyio_sleep
        assert time.time() == START.timestamp()
    assert_all_real()
    assert abs(time.time() - REAL.time()) < 5


def test_failing_test_still_undoes_everything() -> None:
    """An exception inside the clock's block still restores everything."""
    with pytest.raises(ZeroDivisionError), FakeClock(start=START):
        time.sleep(1)
        _ = 1 / 0
    assert_all_real()


def test_failed_start_undoes_what_it_did(monkeypatch: pytest.MonkeyPatch) -> None:
    """A start that fails half-way undoes its patches, and stop() afterwards is harmless."""
    clock = FakeClock(start=START)

    def broken(factory: Any) -> None:
        raise RuntimeError("boom")  # after every name was switched: all of it must be undone

    monkeypatch.setattr(_bindings, "push", broken)
    with pytest.raises(RuntimeError, match="boom"):
        clock.start()
    assert_all_real()
    clock.stop()


def test_stop_is_idempotent() -> None:
    """stop() twice, or without start(), does nothing: time stays real, and the clock restarts."""
    FakeClock().stop()
    assert_all_real()
    clock = FakeClock(start=START)
    clock.start()
    time.sleep(5)
    clock.stop()
    assert_all_real()
    clock.stop()
    assert_all_real()
    assert clock.now() == 5
    with clock:  # still startable after two stops, resuming where it stopped
        assert datetime.datetime.now(UTC) == START + datetime.timedelta(seconds=5)
    assert clock.sleeps == [5.0]


def test_restarted_clock_resumes_where_it_stopped() -> None:
    """A clock started again continues from the fake instant it stopped at."""
    clock = FakeClock(start=START)
    with clock:
        time.sleep(3)
    with clock:
        assert datetime.datetime.now(UTC) == START + datetime.timedelta(seconds=3)
        time.sleep(4)
    assert clock.now() == 7
    assert clock.sleeps == [3.0, 4.0]


def test_only_one_clock_runs_at_a_time(clock: FakeClock) -> None:
    """Starting a second clock, or the same one twice, is refused."""
    with pytest.raises(RuntimeError, match="Another FakeClock is running"):
        FakeClock().start()
    with pytest.raises(RuntimeError, match="called twice"):
        clock.start()


def test_hundred_starts_leak_nothing() -> None:
    """Starting and stopping 100 times leaves no memory, thread or freezegun state behind."""
    for _ in range(5):  # warm caches and the index, doing what the measured loop does
        with FakeClock():
            time.sleep(1)
            asyncio.run(asyncio.sleep(1))
    gc.collect()
    threads = set(threading.enumerate())
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for _ in range(100):
        with FakeClock():
            time.sleep(1)
            asyncio.run(asyncio.sleep(1))
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert grown < 100_000
    # No thread started by the loop is left (threads of earlier tests may end meanwhile).
    assert set(threading.enumerate()) - threads == set()
    assert not freezegun.api.freeze_factories
    assert not freezegun.api.tz_offsets
    assert not _bindings.orphans()


# --- 6. threads ---------------------------------------------------------------------------------


def test_sleeps_of_joined_threads_are_recorded_and_overlap(clock: FakeClock) -> None:
    """Threads that joined the code under test have every sleep recorded; their waits overlap."""
    ready = threading.Barrier(8)

    def work() -> None:
        clock.join()
        ready.wait()
        for _ in range(50):
            time.sleep(0.5)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(clock.sleeps) == 400
    assert clock.now() == 25


def test_advance_is_atomic(clock: FakeClock) -> None:
    """Concurrent advance() calls lose no update, and every clock sees the total."""
    began = time.monotonic()

    def work() -> None:
        for _ in range(2000):
            clock.advance(1)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock.now() == 16_000
    assert time.monotonic() - began == 16_000
    assert clock.sleeps == []


# --- 7. all clocks agree --------------------------------------------------------------------


def test_all_clocks_move_together(clock: FakeClock) -> None:
    """time, monotonic, perf_counter, datetime.now and utcnow all move by a sleep's length."""
    readers: dict[str, Callable[[], float]] = {
        "time": time.time,
        "monotonic": time.monotonic,
        "perf_counter": time.perf_counter,
        "datetime.now": lambda: datetime.datetime.now(UTC).timestamp(),
        "utcnow": lambda: clock.utcnow().timestamp(),
        "clock.now": clock.now,
    }
    before = {name: read() for name, read in readers.items()}
    time.sleep(2.5)
    moved = {name: read() - before[name] for name, read in readers.items()}
    assert moved == dict.fromkeys(readers, 2.5)
    assert clock.utcnow() == START + datetime.timedelta(seconds=2.5)


def test_advance_moves_time_without_a_sleep(clock: FakeClock) -> None:
    """advance() moves every clock but records no sleep; a negative advance is refused."""
    clock.advance(3)
    assert time.time() == START.timestamp() + 3
    assert clock.sleeps == []
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)


def test_tenacity_stop_after_delay_stops_on_fake_time(clock: FakeClock) -> None:
    """tenacity's stop_after_delay(10) with wait_fixed(3) gives up after 12 fake seconds."""
    attempts = 0

    @tenacity.retry(stop=tenacity.stop_after_delay(10), wait=tenacity.wait_fixed(3))
    def always_fails() -> None:
        nonlocal attempts
        attempts += 1
        raise ConnectionError

    with pytest.raises(tenacity.RetryError):
        always_fails()
    assert attempts == 5
    assert clock.sleeps == [3.0, 3.0, 3.0, 3.0]
    assert clock.now() == 12


# --- the real clock -----------------------------------------------------------------------------


def test_real_clock_patches_nothing_and_refuses_to_move() -> None:
    """RealClock counts real seconds, patches no sleep, and refuses advance()."""
    with RealClock() as clock:
        assert time.sleep is REAL.time_sleep
        REAL.time_sleep(0.01)
        assert clock.now() >= 0.01
        with pytest.raises(RuntimeError, match="fake_time=False"):
            clock.advance(1)
        assert abs(clock.utcnow().timestamp() - REAL.time()) < 5


def test_clocks_satisfy_the_protocol() -> None:
    """Both clocks fit the Clock protocol the plugin types against (mypy checks the types)."""
    clocks: list[Clock] = [FakeClock(), RealClock()]
    for clock in clocks:
        assert clock.now() >= 0
        assert clock.utcnow().tzinfo is datetime.timezone.utc


def test_hypothesis_keeps_real_time(clock: FakeClock) -> None:
    """hypothesis's own timers stay real: its gc callback may fire while freezegun stops."""
    junkdrawer = pytest.importorskip("hypothesis.internal.conjecture.junkdrawer")
    assert junkdrawer._perf_counter is freezegun.api.real_perf_counter


def test_a_loop_watches_sockets_only_when_it_has_a_real_connection() -> None:
    """Only a loop with a file besides its self-pipe gets the real-socket grace."""
    import socket

    from pytest_llmerrors._clock._loop import VirtualSelector

    loop = asyncio.new_event_loop()
    try:
        selector = VirtualSelector(loop._selector, loop)  # type: ignore[attr-defined]
        assert selector._watches_sockets() is False
        ours, theirs = socket.socketpair()
        try:
            loop.add_reader(ours.fileno(), lambda: None)
            assert selector._watches_sockets() is True
            loop.remove_reader(ours.fileno())
            assert selector._watches_sockets() is False
        finally:
            ours.close()
            theirs.close()
    finally:
        loop.close()


@pytest.mark.parametrize("start", [4088.564380722712, 8175.8900425644, 123456.789])
def test_loop_timers_land_on_whole_virtual_seconds_whatever_the_real_start(
    monkeypatch: pytest.MonkeyPatch, start: float
) -> None:
    """Timers whole seconds apart move the clock by whole seconds, not 60.99999999999909.

    These real starts (the machine's monotonic clock when the test began) once left the
    clock an ulp short of 61 after a loop's timers.
    """
    from pytest_llmerrors._clock import _fake

    monkeypatch.setattr(_fake, "REAL_MONOTONIC", lambda: start)

    async def main() -> None:
        await asyncio.sleep(30)
        await asyncio.sleep(30)
        await asyncio.wait_for(asyncio.sleep(1), timeout=10)

    with FakeClock() as clock:
        asyncio.run(main())
        assert clock.now() == 61
