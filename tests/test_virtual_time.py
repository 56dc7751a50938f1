"""Virtual time as users meet it: concurrent waits overlap, background threads stay out."""

from __future__ import annotations

import pytest

#: Real seconds, read where no fake can reach: freezegun's own copy of the clock.
WALL = """
import freezegun.api

def wall():
    return freezegun.api.real_monotonic()
"""


def test_gathered_sleeps_overlap(pytester: pytest.Pytester) -> None:
    """25 coroutines sleeping 2 s under gather move the clock 2 s, and all are recorded."""
    pytester.makepyfile(
        """
        import asyncio, time, pytest

        @pytest.mark.llm_errors
        def test_it(inject_error):
            async def main():
                await asyncio.gather(*(asyncio.sleep(2) for _ in range(25)))

            began = time.monotonic()
            asyncio.run(main())
            assert time.monotonic() - began == 2
            assert inject_error.clock.now() == 2
            assert inject_error.sleeps == [2.0] * 25
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_threads_sleeping_at_once_overlap(pytester: pytest.Pytester) -> None:
    """10 threads that each sleep 1 s move the clock 1 s, not 10."""
    pytester.makepyfile(
        """
        import threading, time, pytest

        @pytest.mark.llm_errors
        def test_it(inject_error):
            ended = []

            def work():
                time.sleep(1)
                ended.append(time.monotonic())

            began = time.monotonic()
            threads = [threading.Thread(target=work) for _ in range(10)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert inject_error.clock.now() == 1
            assert ended == [began + 1] * 10
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_wait_for_times_out_at_its_deadline(pytester: pytest.Pytester) -> None:
    """wait_for(sleep(100), 1) times out after 1 virtual second, recorded as 1 s slept."""
    pytester.makepyfile(
        """
        import asyncio, pytest

        @pytest.mark.llm_errors
        def test_it(inject_error):
            async def main():
                await asyncio.wait_for(asyncio.sleep(100), 1)

            with pytest.raises(asyncio.TimeoutError):
                asyncio.run(main())
            assert inject_error.clock.now() == 1
            assert inject_error.sleeps == [1.0]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_each_thread_and_task_sees_its_own_sleep_end(pytester: pytest.Pytester) -> None:
    """A sleeper reads, when it wakes, the instant its own sleep ended, whatever others do."""
    pytester.makepyfile(
        """
        import asyncio, threading, time, pytest

        @pytest.mark.llm_errors
        def test_threads(inject_error):
            seen = {}

            def work(seconds):
                time.sleep(seconds)
                seen[seconds] = inject_error.clock.now()

            threads = [threading.Thread(target=work, args=(s,)) for s in (3, 1, 2, 5)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert seen == {1: 1, 2: 2, 3: 3, 5: 5}

        @pytest.mark.llm_errors
        def test_tasks(inject_error):
            async def work(seconds):
                await asyncio.sleep(seconds)
                return asyncio.get_running_loop().time(), inject_error.clock.now()

            async def main():
                start = asyncio.get_running_loop().time()
                results = await asyncio.gather(*(work(s) for s in (3, 1, 2)))
                return [(loop - start, now) for loop, now in results]

            assert asyncio.run(main()) == [(3, 3), (1, 1), (2, 2)]
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_async_openai_under_gather_waits_once(pytester: pytest.Pytester) -> None:
    """25 AsyncOpenAI calls that each meet a 2 s Retry-After take 2 virtual seconds in all."""
    pytester.makepyfile(
        WALL
        + """
import asyncio, openai, pytest

@pytest.mark.llm_errors
def test_it(inject_error):
    async def main():
        client = openai.AsyncOpenAI(api_key="sk-test", max_retries=2)
        # openai 2.x looks up the platform in a worker thread on a client's first request;
        # a pool thread older than the test does not hold the clock (README, Fake time).
        await client.chat.completions.create(model="gpt-4o-mini", messages=[])
        inject_error(429, retry_after=2, times=25)
        await asyncio.gather(
            *(
                client.chat.completions.create(
                    model="gpt-4o-mini", messages=[{"role": "user", "content": str(i)}]
                )
                for i in range(25)
            )
        )

    began = wall()
    asyncio.run(main())
    assert wall() - began < 5
    assert len(inject_error.attempts) == 51  # the first call, then 25 x (429, success)
    assert inject_error.sleeps == [2.0] * 25
    assert inject_error.clock.now() == pytest.approx(2.0)
    inject_error.assert_resilient(skip=("request_id",))
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_openai_thread_pool_waits_overlap(pytester: pytest.Pytester) -> None:
    """8 pooled workers sharing one client wait their Retry-Afters at once, all recorded."""
    pytester.makepyfile(
        """
import openai, pytest
from concurrent.futures import ThreadPoolExecutor

@pytest.mark.llm_errors
def test_it(inject_error):
    inject_error(429, retry_after=3, times=8)
    client = openai.OpenAI(api_key="sk-test", max_retries=2)

    def ask(i):
        reply = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": str(i)}]
        )
        return reply.choices[0].message.content

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(ask, range(8))) == ["pong"] * 8
    assert sorted(inject_error.sleeps) == [3.0] * 8
    assert inject_error.clock.now() == pytest.approx(3.0)
    inject_error.assert_resilient(skip=("request_id",))
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_deadline_in_a_thread_target_reads_virtual_time(pytester: pytest.Pytester) -> None:
    """tenacity's stop_after_delay(10) in a Thread target stops after 12 virtual seconds."""
    pytester.makepyfile(
        WALL
        + """
import threading, pytest, tenacity

@pytest.mark.llm_errors
def test_it(inject_error):
    attempts = []

    @tenacity.retry(stop=tenacity.stop_after_delay(10), wait=tenacity.wait_fixed(3))
    def flaky():
        attempts.append(inject_error.clock.now())
        raise ConnectionError("down")

    def target():
        try:
            flaky()
        except tenacity.RetryError:
            pass

    began = wall()
    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    assert attempts == [0, 3, 6, 9, 12]
    assert wall() - began < 2
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_background_poller_stays_out(pytester: pytest.Pytester) -> None:
    """A library's poller thread neither moves the clock alone nor shows in the sleeps."""
    pytester.makepyfile(
        WALL
        + """
import threading, time, openai, pytest

polls = []

def poll():  # a trace exporter: flushes every 0.2 s, forever
    while True:
        time.sleep(0.2)
        polls.append(1)

threading.Thread(target=poll, daemon=True, name="exporter").start()

@pytest.mark.llm_errors
def test_it(inject_error):
    inject_error(429, retry_after=2, times=2)
    began = wall()
    client = openai.OpenAI(api_key="sk-test", max_retries=2)
    client.chat.completions.create(model="gpt-4o-mini", messages=[])
    assert inject_error.sleeps == [2.0, 2.0]
    assert inject_error.clock.now() == pytest.approx(4.0)
    assert wall() - began < 2

@pytest.mark.llm_errors
def test_poller_started_during_the_test(inject_error):
    started = threading.Thread(target=poll, daemon=True)
    started.start()
    time.sleep(1)
    assert inject_error.sleeps == [1.0]
    assert inject_error.clock.now() == 1
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_a_poller_started_in_the_test_does_not_spin_while_the_test_waits_for_real(
    pytester: pytest.Pytester,
) -> None:
    """A poller started in the test steps the clock at most every 20 ms of a real wait.

    It used to run the clock away (10,000 polls in 0.3 s). A worker pacing its first
    request is only stepped, so a test waiting for it with a timeout still gets its result.
    """
    pytester.makepyfile(
        WALL
        + """
import concurrent.futures, subprocess, sys, threading, time, pytest

def poller(polls):
    while True:
        time.sleep(0.2)
        polls.append(1)

@pytest.mark.parametrize("wait", ["event", "child process"])
@pytest.mark.llm_errors
def test_poller(inject_error, wait):
    polls = []
    threading.Thread(target=poller, args=(polls,), daemon=True).start()
    began = wall()
    if wait == "event":
        threading.Event().wait(0.3)
    else:
        subprocess.run([sys.executable, "-c", "import time; time.sleep(0.3)"], check=True)
    waited = wall() - began
    assert len(polls) <= waited / 0.02 + 2, (len(polls), waited)
    assert inject_error.sleeps == []

@pytest.mark.llm_errors
def test_worker_pacing_its_first_request(inject_error):
    def paced():
        for _ in range(3):
            time.sleep(1)
        return "sent"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        began = wall()
        assert pool.submit(paced).result(timeout=30) == "sent"
    assert wall() - began < 5
    assert inject_error.clock.now() == 3
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)


def test_sleepers_are_released_when_the_test_ends(pytester: pytest.Pytester) -> None:
    """A thread still in a virtual sleep at the end of the test is let go at once."""
    pytester.makepyfile(
        WALL
        + """
import threading, time, pytest

woke = threading.Event()

def sleeper():
    time.sleep(10_000)
    woke.set()

@pytest.mark.llm_errors
def test_leaves_a_sleeper(inject_error):
    threading.Thread(target=sleeper, daemon=True).start()
    time.sleep(0.01)

def test_it_was_released():
    began = wall()
    assert woke.wait(5)
    assert wall() - began < 1
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_pydantic_models_with_datetimes_work(pytester: pytest.Pytester) -> None:
    """A pydantic model with datetime and date fields, built in a test, validates and dumps."""
    pytester.makepyfile(
        """
        import datetime, pydantic, pytest

        @pytest.mark.llm_errors(start="2025-03-01T12:00:00Z")
        def test_it(inject_error):
            class Event(pydantic.BaseModel):
                at: datetime.datetime
                on: datetime.date

            event = Event(at=datetime.datetime(2024, 1, 1, 8, 30), on="2024-01-02")
            assert event.at == datetime.datetime(2024, 1, 1, 8, 30)
            assert event.model_dump_json() == '{"at":"2024-01-01T08:30:00","on":"2024-01-02"}'
            now = Event(at=datetime.datetime.now(), on=datetime.date.today())
            assert now.at == datetime.datetime(2025, 3, 1, 12)
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_local_time_carries_its_zone(pytester: pytest.Pytester) -> None:
    """time.localtime() keeps tm_gmtoff and tm_zone, so pydantic's PastDatetime works."""
    pytester.makepyfile(
        """
        import datetime, time, pydantic, pytest

        @pytest.mark.llm_errors(start="2025-03-01T12:00:00Z")
        def test_it(inject_error):
            local = time.localtime()
            assert local.tm_gmtoff == -time.timezone or local.tm_isdst
            assert local.tm_zone
            assert time.gmtime()[:6] == (2025, 3, 1, 12, 0, 0)
            assert time.strftime("%Y-%m-%d %z")[:11] == "2025-03-01 "

            class Event(pydantic.BaseModel):
                at: pydantic.PastDatetime
                due: pydantic.FutureDate

            # pydantic-core compares with the system clock it reads itself (real time).
            event = Event(at=datetime.datetime(2020, 2, 1), due="2999-03-02")
            assert event.due == datetime.date(2999, 3, 2)
            with pytest.raises(pydantic.ValidationError):
                Event(at=datetime.datetime(2020, 2, 1), due="2020-02-28")
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_trio_sleeps_are_virtual(pytester: pytest.Pytester) -> None:
    """trio.sleep inside trio.run takes no real time, moves the clock and is recorded."""
    pytest.importorskip("trio")
    pytester.makepyfile(
        WALL
        + """
import time, pytest, trio

@pytest.mark.llm_errors
def test_it(inject_error):
    async def main():
        began = trio.current_time()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(trio.sleep, 60)
            nursery.start_soon(trio.sleep, 30)
        return trio.current_time() - began

    began = wall()
    assert trio.run(main) == 60
    assert wall() - began < 2
    assert inject_error.clock.now() == 60
    assert sorted(inject_error.sleeps) == [30.0, 60.0]
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_trio_waits_for_its_worker_threads_on_virtual_time(pytester: pytest.Pytester) -> None:
    """trio.to_thread workers' sleeps move the clock: no spin, no hang, in test after test.

    The later runs reuse trio's cached worker thread, older than their test; an openai call
    in a worker honours its Retry-After; a trio timeout shorter than the worker wins.
    """
    pytest.importorskip("trio")
    pytester.makepyfile(
        WALL
        + """
import time, openai, pytest, trio

@pytest.mark.parametrize("run", range(3))
@pytest.mark.llm_errors
def test_worker_sleeps(inject_error, run):
    async def main():
        began = trio.current_time()
        await trio.to_thread.run_sync(time.sleep, 5)
        return trio.current_time() - began

    began = wall()
    assert trio.run(main) == 5
    assert wall() - began < 5
    assert inject_error.clock.now() == 5

@pytest.mark.llm_errors
def test_openai_in_a_worker(inject_error):
    inject_error(429, retry_after=3)
    client = openai.OpenAI(api_key="sk-test")

    async def main():
        ask = lambda: client.chat.completions.create(model="m", messages=[])
        return await trio.to_thread.run_sync(ask)

    assert trio.run(main).choices[0].message.content == "pong"
    assert inject_error.sleeps == [3.0]

@pytest.mark.llm_errors
def test_timeout_shorter_than_the_worker(inject_error):
    async def main():
        with trio.move_on_after(1) as scope:
            await trio.to_thread.run_sync(time.sleep, 5, abandon_on_cancel=True)
        return scope.cancelled_caught

    assert trio.run(main)
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=5)


def test_unmarked_tests_see_real_time_classes_and_sleeps(pytester: pytest.Pytester) -> None:
    """After a marked test, an unmarked one gets the real datetime class, clocks and sleeps."""
    pytester.makepyfile(
        """
        import datetime, time, pytest

        REAL = (datetime.datetime, time.sleep, time.monotonic)

        @pytest.mark.llm_errors
        def test_marked():
            time.sleep(5)
            assert datetime.datetime is not REAL[0]

        def test_unmarked():
            assert (datetime.datetime, time.sleep, time.monotonic) == REAL
            before = time.monotonic()
            time.sleep(0.02)
            assert time.monotonic() - before >= 0.02
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_between_marked_tests_time_is_real_in_any_zone(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    """Between two marked tests (the next one's fixtures) datetime answers as the real one.

    The fakes stay switched in from one marked test to the next in every time zone; until
    the next test's clock starts they answer exactly what the real classes would.
    """
    pytester.makepyfile(
        """
        import datetime, time, pytest
        import freezegun.api as fz  # its real_* names are never switched (ours would be)

        @pytest.fixture(scope="module")
        def before_the_clock():
            # Module scope: set up before inject_error, with the previous marked test's
            # fakes still switched in.
            assert datetime.datetime is not fz.real_datetime
            now, real = datetime.datetime.now(), fz.real_datetime.now()
            assert abs((now - real).total_seconds()) < 5
            aware = datetime.datetime.now(datetime.timezone.utc)
            assert abs((aware - fz.real_datetime.now(datetime.timezone.utc)).total_seconds()) < 5
            assert datetime.date.today() == fz.real_date.today()
            assert datetime.datetime.fromtimestamp(86400) == fz.real_datetime.fromtimestamp(86400)
            naive = datetime.datetime(2020, 6, 1, 12)
            assert naive.timestamp() == fz.real_datetime(2020, 6, 1, 12).timestamp()

        @pytest.mark.llm_errors(start="2030-01-01T00:00:00Z")
        def test_first(inject_error):
            assert datetime.datetime.now(datetime.timezone.utc).year == 2030

        @pytest.mark.llm_errors(start="2030-01-01T00:00:00Z")
        def test_second(before_the_clock, inject_error):
            assert datetime.datetime.now(datetime.timezone.utc).year == 2030
        """
    )
    monkeypatch.setenv("TZ", zone)  # read by the subprocess's time module at start
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:xdist")
    result.assert_outcomes(passed=2)


def test_timers_hold_while_a_worker_thread_or_a_local_server_answers(
    pytester: pytest.Pytester, loopback: str
) -> None:
    """A loop awaiting a pool thread, or a loopback server's reply, sees no timer jump.

    Both wait on real work the scheduler cannot see as a virtual wait: a worker between
    picking its item up and handing the result back (google-genai's and openai's first calls
    do this, through asyncio.to_thread), and a socket whose answer is on its way.
    """
    port = loopback.rsplit(":", 1)[1]
    pytester.makepyfile(
        f"""
        import asyncio, time, pytest

        @pytest.mark.llm_errors
        def test_worker_threads():
            async def main():
                began = time.monotonic()
                for _ in range(300):
                    await asyncio.wait_for(asyncio.to_thread(len, "abc"), timeout=30)
                return time.monotonic() - began
            assert asyncio.run(main()) == 0

        @pytest.mark.llm_errors(block_network=False)
        def test_loopback_server():
            async def get():
                reader, writer = await asyncio.open_connection("127.0.0.1", {port})
                writer.write(b"GET / HTTP/1.0\\r\\n\\r\\n")
                data = await asyncio.wait_for(reader.read(), timeout=30)
                writer.close()
                await writer.wait_closed()
                return data
            async def main():
                began = time.monotonic()
                for _ in range(20):
                    assert (await get()).endswith(b"real")
                return time.monotonic() - began
            assert asyncio.run(main()) == 0
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_a_pool_started_by_an_earlier_test_holds_the_clock_while_it_works(
    pytester: pytest.Pytester,
) -> None:
    """ThreadPoolExecutor workers older than the test hold the clock while they work.

    The first test starts a module's pool; the second awaits real work in it under a
    timeout that must not fire.
    """
    pytester.makepyfile(
        """
        import asyncio, concurrent.futures, time, pytest

        POOL = concurrent.futures.ThreadPoolExecutor(2)

        def work():
            return sum(range(400_000))  # real work: a few real milliseconds

        def test_start_the_pools():
            assert POOL.submit(work).result()

        @pytest.mark.llm_errors
        def test_executor_of_an_earlier_test():
            async def main():
                loop = asyncio.get_running_loop()
                began = time.monotonic()
                for _ in range(30):
                    await asyncio.wait_for(loop.run_in_executor(POOL, work), timeout=2)
                return time.monotonic() - began
            assert asyncio.run(main()) == 0
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)
