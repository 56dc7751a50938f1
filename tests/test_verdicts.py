"""Calibration of the verdicts: real resilient clients pass, and each broken client fails one rule.

Every case runs through the real plugin in a pytester session. The cases share a few
sessions (one inner file each) so the corpus stays fast.
"""

from __future__ import annotations

import importlib.util

import pytest

#: Inner conftest: small retrying clients over plain httpx / httpx2, and the verdict helpers.
CLIENTS = '''
import asyncio
import datetime as dt
import email.utils
import importlib
import logging
import time

import anyio
import pytest

log = logging.getLogger("app")
URL = "https://api.openai.com/v1/chat/completions"
BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "ping"}]}
RETRYABLE = {408, 409, 429, 500, 502, 503, 504, 529}
#: The helpers that judge a rule (assert_retried and assert_attempts state expectations).
HELPERS = {
    "assert_gave_up": lambda injector: injector.assert_gave_up(),
    "assert_honoured_retry_after": lambda injector: injector.assert_honoured_retry_after(),
    "assert_backed_off": lambda injector: injector.assert_backed_off(),
    "assert_request_id_logged": lambda injector: injector.assert_request_id_logged(),
}


class AppError(Exception):
    pass


def retry_after(response):
    """Read Retry-After as the SDKs do: retry-after-ms, seconds or an HTTP-date."""
    millis = response.headers.get("retry-after-ms")
    if millis is not None:
        return float(millis) / 1000
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


class Client:
    """A resilient client; each subclass below breaks exactly one habit."""

    retry_statuses = RETRYABLE
    max_attempts = 5
    honour_retry_after = True
    log_level = logging.ERROR
    log_request_id = True

    def backoff(self, retries):
        return min(0.5 * 2**retries, 8.0)

    def plan(self, retries, response):
        """Return the seconds to wait before retrying, or None to give up."""
        if response.status_code not in self.retry_statuses:
            return None
        if self.max_attempts is not None and retries + 1 >= self.max_attempts:
            return None
        asked = retry_after(response) if self.honour_retry_after else None
        return asked if asked is not None else self.backoff(retries)

    def surface(self, response):
        request_id = response.headers.get("x-request-id")
        if self.log_request_id:
            log.log(self.log_level, "LLM call failed: %s (request id %s)",
                    response.status_code, request_id)
        else:
            log.error("LLM call failed: %s", response.status_code)
        raise AppError(response.status_code)

    def ask_sync(self, lib):
        with importlib.import_module(lib).Client() as http:
            retries = 0
            while True:
                response = http.post(URL, json=BODY, headers={"authorization": "Bearer sk"})
                if response.status_code < 400:
                    return response.json()
                wait = self.plan(retries, response)
                if wait is None:
                    self.surface(response)
                if wait > 0:
                    time.sleep(wait)
                retries += 1

    async def ask_async(self, lib):
        async with importlib.import_module(lib).AsyncClient() as http:
            retries = 0
            while True:
                response = await http.post(URL, json=BODY, headers={"authorization": "Bearer sk"})
                if response.status_code < 400:
                    return response.json()
                wait = self.plan(retries, response)
                if wait is None:
                    self.surface(response)
                if wait > 0:
                    await asyncio.sleep(wait)
                retries += 1


class RetriesGiveUpErrors(Client):
    retry_statuses = RETRYABLE | {401, 402}


class IgnoresRetryAfter(Client):
    honour_retry_after = False


class ConstantWait(Client):
    def backoff(self, retries):
        return 1.0


class NoWait(Client):
    def backoff(self, retries):
        return 0.0


class ShrinkingWaits(Client):
    def backoff(self, retries):
        return 4.0 / 2**retries


class GivesUpOnRateLimits(Client):
    retry_statuses = RETRYABLE - {429}


class RetriesWithoutBound(Client):
    max_attempts = None


class DoesNotLogRequestId(Client):
    log_request_id = False


class LogsRequestIdAtDebug(Client):
    log_level = logging.DEBUG

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        log.setLevel(logging.DEBUG)  # debug logging switched on for the app's own logger


LIBS = ["httpx"] + (["httpx2"] if importlib.util.find_spec("httpx2") else [])


@pytest.fixture(params=[f"{mode}-{lib}" for lib in LIBS for mode in ("sync", "async")])
def ask(request):
    """Run a client's call the way the mode says; an error it surfaces is swallowed."""
    mode, lib = request.param.split("-")

    def ask(client):
        try:
            if mode == "sync":
                return client.ask_sync(lib)
            return anyio.run(client.ask_async, lib)
        except AppError:
            return None

    return ask


def broken_helpers(injector):
    """Return {helper: message} of the helpers that failed on something they judged."""
    failed = {}
    for name, check in HELPERS.items():
        try:
            check(injector)
        except AssertionError as error:
            if "nothing to judge" not in str(error):
                failed[name] = str(error)
    return failed


def broken_rules(injector):
    """Return the rule sentences of assert_resilient's failure, [] when it passes."""
    try:
        injector.assert_resilient()
    except AssertionError as error:
        return str(error).split("\\n\\nTimeline")[0].splitlines()
    return []
'''

BROKEN = """
import datetime as dt

import pytest
from conftest import *


def in_seconds(seconds):
    return dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)


CASES = {
    "retries_401": (RetriesGiveUpErrors, lambda inject: inject(401),
                    "assert_gave_up", "retried attempt #1 (401"),
    "retries_402": (RetriesGiveUpErrors, lambda inject: inject(402),
                    "assert_gave_up", "retried attempt #1 (402"),
    "ignores_retry_after_seconds": (IgnoresRetryAfter,
                                    lambda inject: inject(429, retry_after=2, times=2),
                                    "assert_honoured_retry_after", "did not honour Retry-After"),
    "ignores_retry_after_http_date": (IgnoresRetryAfter,
                                      lambda inject: inject(429, retry_after=in_seconds(5)),
                                      "assert_honoured_retry_after", "did not honour Retry-After"),
    "ignores_retry_after_ms": (IgnoresRetryAfter,
                               lambda inject: inject(429, retry_after_ms=2500, times=2),
                               "assert_honoured_retry_after", "did not honour Retry-After"),
    "constant_wait": (ConstantWait, lambda inject: inject(500, times=3),
                      "assert_backed_off", "waited the same 1 s"),
    "no_wait": (NoWait, lambda inject: inject(503, times=3),
                "assert_backed_off", "retried without waiting"),
    "shrinking_waits": (ShrinkingWaits, lambda inject: inject(500, times=3),
                        "assert_backed_off", "waits shrank"),
    "gives_up_on_429": (GivesUpOnRateLimits, lambda inject: inject(429, retry_after=1),
                        "assert_retried", "gave up at once on attempt #1 (429"),
    "retries_without_bound": (RetriesWithoutBound, lambda inject: inject(500, times=12),
                              None, "made 13 attempts"),
    "does_not_log_request_id": (DoesNotLogRequestId, lambda inject: inject(401),
                                "assert_request_id_logged", "is in no application log record"),
    "logs_request_id_at_debug": (LogsRequestIdAtDebug, lambda inject: inject(401),
                                 "assert_request_id_logged", "only in DEBUG records of app"),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.llm_errors(provider="openai")
def test_broken_client(case, inject_error, ask):
    client, inject, helper, sentence = CASES[case]
    inject(inject_error)
    ask(client())
    if helper == "assert_retried":
        with pytest.raises(AssertionError, match="made a single attempt"):
            inject_error.assert_retried()
    failed = broken_helpers(inject_error)
    assert set(failed) == {helper} - {None, "assert_retried"}, failed
    rules = broken_rules(inject_error)
    assert rules and all(sentence in rule for rule in rules), rules


@pytest.mark.llm_errors(provider="openai")
def test_resilient_client(inject_error, ask):
    inject_error(429, retry_after=2)
    inject_error(500, times=2)
    inject_error(429, retry_after_ms=1500)
    assert ask(Client()) is not None
    inject_error(401)
    assert ask(Client()) is None
    assert broken_helpers(inject_error) == {}
    assert broken_rules(inject_error) == []
"""


def test_each_broken_client_fails_its_one_rule(pytester: pytest.Pytester) -> None:
    """Twelve clients, sync and async on httpx and httpx2, each fail the one rule they break."""
    pytester.makeconftest(CLIENTS)
    pytester.makepyfile(test_broken=BROKEN)
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    generations = 2 if importlib.util.find_spec("httpx2") else 1
    result.assert_outcomes(passed=2 * generations * 13)


#: Inner test file: real SDKs and retry libraries, which must pass every rule they give to judge.
REAL = '''
import asyncio
import concurrent.futures
import logging
import time

import anthropic
import backoff
import openai
try:
    import httpx2
except ImportError:  # the httpx generation: the same API under its old name
    import httpx as httpx2
import pytest
import stamina
import tenacity

log = logging.getLogger("app")
MESSAGES = [{"role": "user", "content": "ping"}]
URL = "https://api.openai.com/v1/chat/completions"
BODY = {"model": "gpt-4o-mini", "messages": MESSAGES}


@pytest.fixture
def anyio_backend():
    return "asyncio"


def ask_openai(client):
    """The application: ask, and log the request id of an error the SDK surfaces."""
    try:
        reply = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    except openai.APIStatusError as error:
        log.error("OpenAI call failed: %s (request id %s)", error.status_code, error.request_id)
        return None
    return reply.choices[0].message.content


async def ask_openai_async(client):
    try:
        reply = await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    except openai.APIStatusError as error:
        log.warning("OpenAI call failed (request id %s)", error.request_id)
        return None
    return reply.choices[0].message.content


def ask_anthropic(client):
    try:
        reply = client.messages.create(model="claude-opus-4-7", max_tokens=64, messages=MESSAGES)
    except anthropic.APIStatusError as error:
        log.error("Anthropic call failed", extra={"request_id": error.request_id})
        return None
    return reply.content[0].text


async def ask_anthropic_async(client):
    try:
        reply = await client.messages.create(
            model="claude-opus-4-7", max_tokens=64, messages=MESSAGES
        )
    except anthropic.APIStatusError as error:
        log.info("Anthropic call failed: request id %s", error.request_id)
        return None
    return reply.content[0].text


def judge(injector, *, backed_off=True, retry_after=False, gave_up=False, logged=False):
    """Every helper the timeline gives something to judge passes, and so does the whole."""
    injector.assert_retried() if not gave_up else injector.assert_gave_up()
    if backed_off:
        injector.assert_backed_off()
    if retry_after:
        injector.assert_honoured_retry_after()
    if logged:
        injector.assert_request_id_logged()
    injector.assert_resilient()


@pytest.mark.llm_errors(provider="openai")
def test_openai_backs_off_then_succeeds(inject_error):
    inject_error(500, times=2)
    assert ask_openai(openai.OpenAI(api_key="sk-test")) == "pong"
    judge(inject_error)


@pytest.mark.llm_errors(provider="openai")
def test_openai_honours_retry_after(inject_error):
    inject_error(429, retry_after=3)
    inject_error(429, retry_after_ms=1500)
    assert ask_openai(openai.OpenAI(api_key="sk-test")) == "pong"
    judge(inject_error, backed_off=False, retry_after=True)


@pytest.mark.llm_errors(provider="openai")
def test_openai_outage_is_surfaced_and_logged(inject_error):
    inject_error(503, always=True)
    assert ask_openai(openai.OpenAI(api_key="sk-test", max_retries=4)) is None
    judge(inject_error, logged=True)


@pytest.mark.llm_errors("invalid_api_key", provider="openai", verify=True)
def test_openai_gives_up_on_a_bad_key(inject_error):
    assert ask_openai(openai.OpenAI(api_key="sk-test")) is None
    judge(inject_error, backed_off=False, gave_up=True, logged=True)


@pytest.mark.anyio
@pytest.mark.llm_errors(provider="openai")
async def test_openai_async_outage(inject_error):
    inject_error(500, always=True)
    assert await ask_openai_async(openai.AsyncOpenAI(api_key="sk-test")) is None
    judge(inject_error, logged=True)


@pytest.mark.anyio
@pytest.mark.llm_errors(provider="openai")
async def test_openai_async_gather_of_25(inject_error):
    inject_error(429, times=25)
    client = openai.AsyncOpenAI(api_key="sk-test")
    replies = await asyncio.gather(*(ask_openai_async(client) for _ in range(25)))
    assert replies == ["pong"] * 25
    judge(inject_error, backed_off=False)


@pytest.mark.llm_errors(provider="openai")
def test_openai_threads(inject_error):
    inject_error(500, times=8)  # 8 errors over 4 threads: some call retries at least twice
    client = openai.OpenAI(api_key="sk-test", max_retries=8)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(lambda _: ask_openai(client), range(4)))
    assert replies == ["pong"] * 4
    judge(inject_error)


@pytest.mark.llm_errors(provider="anthropic")
def test_anthropic_overloaded_outage(inject_error):
    inject_error("overloaded", always=True)
    assert ask_anthropic(anthropic.Anthropic(api_key="sk-ant")) is None
    judge(inject_error, logged=True)


@pytest.mark.llm_errors(provider="anthropic")
def test_anthropic_retry_after(inject_error):
    inject_error(429, retry_after=4, times=2)
    assert ask_anthropic(anthropic.Anthropic(api_key="sk-ant")) == "pong"
    judge(inject_error, backed_off=False, retry_after=True)


@pytest.mark.anyio
@pytest.mark.llm_errors(provider="anthropic")
async def test_anthropic_async_backs_off(inject_error):
    inject_error(529, times=2)
    client = anthropic.AsyncAnthropic(api_key="sk-ant")
    assert await ask_anthropic_async(client) == "pong"
    inject_error(401)
    assert await ask_anthropic_async(client) is None
    judge(inject_error, logged=True)


def post(http):
    response = http.post(URL, json=BODY, headers={"authorization": "Bearer sk"})
    response.raise_for_status()
    return response.json()["choices"][0]["message"]["content"]


def retryable(error):
    return isinstance(error, httpx2.HTTPStatusError) and error.response.status_code >= 429


@pytest.mark.parametrize(
    "wait",
    [
        tenacity.wait_exponential(multiplier=0.5, max=8),
        tenacity.wait_exponential_jitter(initial=1, max=30),
    ],
    ids=["wait_exponential", "wait_exponential_jitter"],
)
@pytest.mark.llm_errors(provider="openai")
def test_tenacity(inject_error, wait):
    inject_error(500, times=4)
    retrying = tenacity.Retrying(
        wait=wait,
        stop=tenacity.stop_after_attempt(6),
        retry=tenacity.retry_if_exception(retryable),
        reraise=True,
    )
    with httpx2.Client() as http:
        assert retrying(post, http) == "pong"
    judge(inject_error)


@pytest.mark.anyio
@pytest.mark.llm_errors(provider="openai")
async def test_tenacity_async(inject_error):
    inject_error(502, times=3)

    @tenacity.retry(
        wait=tenacity.wait_exponential_jitter(jitter=0.5),
        stop=tenacity.stop_after_attempt(5),
        retry=tenacity.retry_if_exception(retryable),
    )
    async def call():
        async with httpx2.AsyncClient() as http:
            response = await http.post(URL, json=BODY)
            response.raise_for_status()

    await call()
    judge(inject_error)


@pytest.mark.llm_errors(provider="openai")
def test_backoff_expo_without_jitter(inject_error):
    inject_error(500, times=3)

    @backoff.on_exception(
        backoff.expo, httpx2.HTTPStatusError, max_tries=5, jitter=None,
        giveup=lambda error: not retryable(error),
    )
    def call():
        with httpx2.Client() as http:
            return post(http)

    assert call() == "pong"
    judge(inject_error)


# Full jitter can shrink by chance: the seed pins the draws, and so the verdict.
@pytest.mark.llm_errors(provider="openai", seed=SEED_BACKOFF)
def test_backoff_full_jitter_seeded(inject_error):
    inject_error(500, times=4)

    @backoff.on_exception(backoff.expo, httpx2.HTTPStatusError, max_tries=6)
    def call():
        with httpx2.Client() as http:
            return post(http)

    assert call() == "pong"
    judge(inject_error)


@pytest.mark.llm_errors(provider="openai", seed=SEED_TENACITY)
def test_tenacity_random_exponential_seeded(inject_error):
    inject_error(500, times=4)
    retrying = tenacity.Retrying(
        wait=tenacity.wait_random_exponential(multiplier=0.5, max=30),
        stop=tenacity.stop_after_attempt(6),
        reraise=True,
    )
    with httpx2.Client() as http:
        assert retrying(post, http) == "pong"
    judge(inject_error)


@pytest.mark.llm_errors(provider="openai", seed=SEED_STAMINA)
def test_stamina_seeded(inject_error):
    inject_error(500, times=4)

    @stamina.retry(on=httpx2.HTTPStatusError, attempts=6)
    def call():
        with httpx2.Client() as http:
            return post(http)

    assert call() == "pong"
    judge(inject_error)


# Without fake time nothing records sleeps: waits are clock differences, really slept.
@pytest.mark.parametrize(
    ("waits", "verdict"),
    [((0.05, 0.1, 0.2), None), ((0.1, 0.1, 0.1), "the same 0[.]1|barely grew|shrank")],
    ids=["growing", "constant"],
)
@pytest.mark.llm_errors(provider="openai", fake_time=False)
def test_real_time_waits(inject_error, waits, verdict):
    inject_error(500, times=3)
    with httpx2.Client() as http:
        for wait in (*waits, None):
            if http.post(URL, json=BODY).status_code < 400:
                break
            time.sleep(wait)
    assert inject_error.sleeps == []
    if verdict is None:
        inject_error.assert_backed_off()
    else:
        with pytest.raises(AssertionError, match=verdict):
            inject_error.assert_backed_off()
'''

#: Seeds under which the full-jitter clients' draws show growth (found once, pinned here).
SEEDS = {"SEED_BACKOFF": 1, "SEED_TENACITY": 1, "SEED_STAMINA": 1}


def real_clients(seeds: dict[str, int]) -> str:
    """Return the real-client test file with the full-jitter seeds filled in."""
    source = REAL
    for name, seed in seeds.items():
        source = source.replace(name, str(seed))
    return source


def test_resilient_real_clients_pass(pytester: pytest.Pytester) -> None:
    """The openai and anthropic SDKs, tenacity, backoff and seeded full jitter pass every rule."""
    pytester.makepyfile(test_real=real_clients(SEEDS))
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=19)


#: Inner test file: backoff's full jitter on a seed whose second draw (0.023 s) undercuts the first.
UNLUCKY = """
import backoff
import pytest
try:
    import httpx2
except ImportError:  # the httpx generation: the same API under its old name
    import httpx as httpx2


@pytest.mark.llm_errors(provider="openai", seed=15)
def test_full_jitter_unlucky_seed(inject_error):
    inject_error(500, times=2)

    @backoff.on_exception(backoff.expo, httpx2.HTTPStatusError, max_tries=4)
    def call():
        with httpx2.Client() as http:
            response = http.post("https://api.openai.com/v1/chat/completions", json={})
            response.raise_for_status()

    call()
    inject_error.assert_backed_off()
"""


def test_full_jitter_verdict_repeats_with_its_seed(pytester: pytest.Pytester) -> None:
    """Full jitter that shrinks by chance fails, and the same seed fails the same way again."""
    pytester.makepyfile(test_unlucky=UNLUCKY)
    verdicts = []
    for _ in range(2):
        result = pytester.runpytest("-q", "-p", "no:cacheprovider")
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*Call 1's waits shrank: 0.965 s, 0.023 s before*"])
        verdicts.append([line for line in result.outlines if "waits shrank" in line])
    assert verdicts[0] == verdicts[1]


def test_tenacity_around_an_sdk_without_retries_is_one_call(pytester: pytest.Pytester) -> None:
    """tenacity retrying an openai client built with max_retries=0 is judged as retries."""
    pytester.makepyfile(
        """
        import logging, openai, pytest, tenacity

        log = logging.getLogger("app")
        CLIENT = openai.OpenAI(api_key="k", max_retries=0)

        @tenacity.retry(retry=tenacity.retry_if_exception_type(openai.InternalServerError),
                        wait=tenacity.wait_exponential(multiplier=1), reraise=True,
                        stop=tenacity.stop_after_attempt(5))
        def ask():
            return CLIENT.chat.completions.create(model="m", messages=[])

        @pytest.mark.llm_errors(verify=True)
        def test_recovers(inject_error):
            inject_error(500, times=3)
            assert ask().choices[0].message.content == "pong"
            inject_error.assert_retried(times=3)
            inject_error.assert_backed_off()
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
