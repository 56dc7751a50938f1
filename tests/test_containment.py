"""Containment as users meet it: nothing escapes, failures in threads count, respx coexists."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator

import pytest

#: A route of the user's, and a call the plugin answers, checked in each test below.
BOTH = """
import httpx, openai, pytest, respx

def check_both(inject_error):
    inject_error(429, retry_after=1)
    assert httpx.get("https://users.example.test/data").json() == {"mine": True}
    client = openai.OpenAI(api_key="sk-test", max_retries=1)
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[])
    assert reply.choices[0].message.content == "pong"
    assert [a.status for a in inject_error.attempts] == [429, 200]
"""


def test_users_respx_started_in_the_test_answers_its_routes(pytester: pytest.Pytester) -> None:
    """A respx.mock started inside a marked test answers what it matches; the plugin the rest."""
    pytester.makepyfile(
        BOTH
        + """
@pytest.mark.llm_errors
def test_it(inject_error):
    with respx.mock(assert_all_called=False) as router:
        router.get("https://users.example.test/data").respond(json={"mine": True})
        check_both(inject_error)
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_users_respx_fixture_and_decorator_answer_their_routes(pytester: pytest.Pytester) -> None:
    """respx_mock (set up before the plugin) and @respx.mock keep their routes too."""
    pytester.makepyfile(
        BOTH
        + """
@pytest.mark.llm_errors
def test_fixture(respx_mock, inject_error):
    respx_mock.get("https://users.example.test/data").respond(json={"mine": True})
    check_both(inject_error)

@pytest.mark.llm_errors
@respx.mock
def test_decorator(inject_error):
    respx.get("https://users.example.test/data").respond(json={"mine": True})
    check_both(inject_error)
"""
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_users_respx_started_at_module_level_answers_its_routes(pytester: pytest.Pytester) -> None:
    """A router started at import, before any test, keeps its routes; the plugin the rest."""
    pytester.makepyfile(
        BOTH
        + """
router = respx.mock(assert_all_called=False)
router.get("https://users.example.test/data").respond(json={"mine": True})
router.start()

def teardown_module():
    router.stop()

@pytest.mark.llm_errors
def test_it(inject_error):
    check_both(inject_error)

def test_unmarked_sees_only_the_users_router():
    assert httpx.get("https://users.example.test/data").json() == {"mine": True}
    with pytest.raises(respx.models.AllMockedAssertionError):
        httpx.get("https://api.openai.com/v1/models")
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_unmatched_request_follows_the_users_router_without_block_network(
    pytester: pytest.Pytester,
) -> None:
    """With block_network=False, what neither serves is the user's router's to refuse."""
    pytester.makepyfile(
        """
        import httpx, pytest, respx

        @pytest.mark.llm_errors(block_network=False)
        def test_it(inject_error):
            with respx.mock(assert_all_called=False) as router:
                router.get("https://users.example.test/data").respond(json={"mine": True})
                with pytest.raises(respx.models.AllMockedAssertionError):
                    httpx.get("https://users.example.test/other")
            assert inject_error.attempts == []
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_respx_in_unmarked_tests_works_after_marked_ones(pytester: pytest.Pytester) -> None:
    """Once the plugin's router is installed, plain respx tests behave exactly as before."""
    pytester.makepyfile(
        """
        import httpx, pytest, respx

        @pytest.mark.llm_errors
        def test_marked(inject_error):
            url = "https://api.openai.com/v1/chat/completions"
            assert httpx.post(url, json={}).status_code == 200

        @respx.mock
        def test_plain_respx():
            route = respx.get("https://example.test/x").respond(204)
            assert httpx.get("https://example.test/x").status_code == 204
            assert route.called
            with pytest.raises(respx.models.AllMockedAssertionError):
                httpx.get("https://example.test/unmocked")
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


@pytest.fixture
def listener() -> Iterator[tuple[int, list[int]]]:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts (and answers HTTP)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.05)
    accepted: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            accepted.append(1)
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join(1)
        server.close()


def _no_hosts_allowed(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        filterwarnings = error
        asyncio_default_fixture_loop_scope = function
        llm_errors_allow_hosts =
        """
    )


WAYS_OUT = """
import asyncio, socket, urllib.request, httpx, httpcore, pytest, requests

PORT = {port}
URL = f"http://127.0.0.1:{{PORT}}/v1/chat/completions"

class OwnTransport(httpx.BaseTransport):
    def handle_request(self, request):
        socket.create_connection(("127.0.0.1", PORT)).close()
        return httpx.Response(200)

@pytest.mark.llm_errors
def test_requests_to_a_path_nobody_serves():
    requests.get(f"http://127.0.0.1:{{PORT}}/weather", timeout=2)

@pytest.mark.llm_errors
def test_urllib():
    urllib.request.urlopen(URL, timeout=2)

@pytest.mark.llm_errors
def test_raw_socket():
    socket.create_connection(("127.0.0.1", PORT), timeout=2)

@pytest.mark.llm_errors
def test_asyncio_open_connection():
    async def main():
        await asyncio.open_connection("127.0.0.1", PORT)
    asyncio.run(main())

@pytest.mark.llm_errors
def test_own_transport():
    httpx.Client(transport=OwnTransport()).get(URL)

@pytest.mark.llm_errors
def test_mounted_transport():
    httpx.Client(mounts={{"http://": OwnTransport()}}).post(URL, json={{}})

@pytest.mark.llm_errors
def test_httpcore_connection_by_hand():
    with httpcore.HTTPConnection(httpcore.Origin(b"http", b"127.0.0.1", PORT)) as connection:
        connection.request("GET", f"http://127.0.0.1:{{PORT}}/not-served")

@pytest.mark.llm_errors
def test_udp_datagram():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(b"metrics", ("127.0.0.1", PORT))

@pytest.mark.llm_errors
def test_swallowed_by_the_app():
    try:
        socket.create_connection(("127.0.0.1", PORT), timeout=2)
    except OSError:
        pass  # the app carries on: the test must still fail
"""


def test_no_way_out_escapes_the_guard(
    pytester: pytest.Pytester, listener: tuple[int, list[int]]
) -> None:
    """With no host allowed, nine ways out fail their test, naming the host and port.

    requests is served by the plugin, so a path no profile serves is refused by it, before
    any socket opens; the other clients meet the socket guard.
    """
    pytest.importorskip("requests")
    port, accepted = listener
    _no_hosts_allowed(pytester)
    pytester.makepyfile(WAYS_OUT.format(port=port))
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=9)
    assert accepted == []
    result.stdout.fnmatch_lines(
        [
            f"*blocked GET http://127.0.0.1:{port}/weather*",
            f"*blocked GET http://127.0.0.1:{port}/not-served*",
        ]
    )
    # Each test the socket guard stopped names the host and port in its failure.
    sections = re.split(r"_{3,} (test_\w+) _{3,}", result.stdout.str())
    failures = dict(zip(sections[1::2], sections[2::2], strict=True))
    guarded = f"pytest-llmerrors blocked a connection to 127.0.0.1:{port} from thread"
    stopped = sorted(name for name, text in failures.items() if guarded in text)
    assert stopped == [
        "test_asyncio_open_connection",
        "test_mounted_transport",
        "test_own_transport",
        "test_raw_socket",
        "test_swallowed_by_the_app",
        "test_udp_datagram",
        "test_urllib",
    ], stopped


def test_allowed_hosts_unmarked_tests_and_block_network_false_connect(
    pytester: pytest.Pytester, listener: tuple[int, list[int]]
) -> None:
    """Loopback is allowed by default; unmarked tests and block_network=False are unguarded."""
    port, accepted = listener
    pytester.makepyfile(
        f"""
        import socket, pytest

        def connect():
            socket.create_connection(("127.0.0.1", {port}), timeout=2).close()

        @pytest.mark.llm_errors
        def test_loopback_allowed_by_default():
            connect()

        def test_unmarked():
            connect()
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)
    assert len(accepted) == 2
    _no_hosts_allowed(pytester)
    pytester.makepyfile(
        f"""
        import socket, pytest

        def connect():
            socket.create_connection(("127.0.0.1", {port}), timeout=2).close()

        @pytest.mark.llm_errors(block_network=False)
        def test_block_network_off():
            connect()

        def test_unmarked():
            connect()
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)
    assert len(accepted) == 4


def test_failure_in_another_thread_fails_the_test(pytester: pytest.Pytester) -> None:
    """A request refused in a library's thread fails the test, naming the thread and request."""
    pytester.makepyfile(
        """
        import threading, httpx, pytest

        def export():  # a trace exporter that swallows every error
            try:
                httpx.post("https://traces.example.test/v1/export", json={})
            except BaseException:
                pass

        @pytest.mark.llm_errors
        def test_it():
            thread = threading.Thread(target=export, name="exporter")
            thread.start()
            thread.join()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*pytest-llmerrors refused what the test tried to reach:*",
            "*In thread 'exporter': pytest-llmerrors blocked POST "
            "https://traces.example.test/v1/export*",
        ]
    )


def test_a_local_server_is_reached_through_every_served_client(
    pytester: pytest.Pytester, listener: tuple[int, list[int]]
) -> None:
    """httpx, requests and aiohttp reach a loopback server on a path no profile serves.

    A path a profile serves is still answered by the plugin on loopback (a local gateway),
    and with llm_errors_allow_hosts emptied the same requests are refused.
    """
    pytest.importorskip("requests")
    pytest.importorskip("aiohttp")
    port, accepted = listener
    source = f"""
        import asyncio, aiohttp, httpx, openai, pytest, requests

        URL = "http://127.0.0.1:{port}/health"

        @pytest.mark.llm_errors
        def test_httpx():
            assert httpx.get(URL).text == "ok"

        @pytest.mark.llm_errors
        def test_requests():
            assert requests.get(URL, timeout=2).text == "ok"

        @pytest.mark.llm_errors
        def test_aiohttp():
            async def main():
                async with aiohttp.ClientSession() as session:
                    async with session.get(URL) as response:
                        return await response.text()
            assert asyncio.run(main()) == "ok"

        @pytest.mark.llm_errors
        def test_a_local_gateway_is_still_served(inject_error):
            inject_error(429, retry_after=1)
            client = openai.OpenAI(api_key="sk-test", base_url="http://127.0.0.1:{port}/v1")
            client.chat.completions.create(model="m", messages=[])
            assert [a.status for a in inject_error.attempts] == [429, 200]
        """
    pytester.makepyfile(source)
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=4)
    assert len(accepted) == 3
    _no_hosts_allowed(pytester)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines([f"*blocked GET http://127.0.0.1:{port}/health*"])
    assert len(accepted) == 3


def test_a_refusal_the_test_thread_catches_still_fails_the_test(pytester: pytest.Pytester) -> None:
    """A refused request caught by the code (BaseException, gather) fails the test at its end."""
    pytest.importorskip("requests")
    pytester.makepyfile(
        """
        import asyncio, httpx, pytest, requests

        @pytest.mark.llm_errors
        def test_except_base_exception():
            try:
                requests.get("https://weather.example.test/today", timeout=2)
            except BaseException:
                pass

        @pytest.mark.llm_errors
        def test_gather_returning_exceptions():
            async def fetch():
                async with httpx.AsyncClient() as client:
                    await client.get("https://weather.example.test/async")
            async def main():
                return await asyncio.gather(fetch(), return_exceptions=True)
            asyncio.run(main())
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*refused what the test tried to reach:*",
            "*- pytest-llmerrors blocked GET https://weather.example.test/today*",
            "*refused what the test tried to reach:*",
            "*- pytest-llmerrors blocked GET https://weather.example.test/async*",
        ]
    )


def test_a_name_lookup_for_a_host_not_allowed_is_refused(pytester: pytest.Pytester) -> None:
    """The DNS query before a connection leaves too: it is refused, naming host and port."""
    pytester.makeconftest(
        """
        import ipaddress, socket

        LOOKUPS = []
        real = socket.getaddrinfo

        def recording(host, port, *args, **kwargs):  # below the plugin's guard: what left
            LOOKUPS.append(host)
            if host == socket.gethostname():  # the machine's own name, from its hosts file
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.1.1", port))]
            try:
                ipaddress.ip_address(host)  # an address: nothing to ask a name server
            except ValueError:
                if host != "localhost":
                    raise socket.gaierror(socket.EAI_NONAME, "this test resolves no real name")
            return real(host, port, *args, **kwargs)

        socket.getaddrinfo = recording

        def pytest_unconfigure():
            socket.getaddrinfo = real  # this run is in-process: leave the resolver as found
        """
    )
    pytester.makepyfile(
        """
        import socket, urllib.request, pytest
        from conftest import LOOKUPS

        @pytest.mark.llm_errors
        def test_raw_lookup():
            socket.getaddrinfo("metrics.example.test", 443)

        @pytest.mark.llm_errors
        def test_urllib_swallowed():
            try:
                urllib.request.urlopen("http://weather.example.test/today", timeout=2)
            except OSError:
                pass

        @pytest.mark.llm_errors
        def test_allowed_names_and_addresses_resolve():
            assert socket.getaddrinfo("localhost", 80)
            assert socket.getaddrinfo("192.0.2.1", 80)  # an address: no query leaves
            assert socket.getaddrinfo(socket.gethostname(), 80)  # this machine's own name

        def test_nothing_left():
            assert "metrics.example.test" not in LOOKUPS
            assert "weather.example.test" not in LOOKUPS
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*blocked a name lookup of metrics.example.test:443 from thread 'MainThread'*",
            "*blocked a name lookup of weather.example.test:80 from thread 'MainThread'*",
        ]
    )


def test_a_resolver_replaced_between_tests_is_guarded_again(pytester: pytest.Pytester) -> None:
    """The guard is put back after every marked test: a patch of ``socket.getaddrinfo`` made
    after one (a conftest, a library) is wrapped by the next, not left in the guard's place."""
    pytester.makepyfile(
        """
        import socket, pytest

        REAL = socket.getaddrinfo
        LOOKUPS = []

        def recording(host, port, *args, **kwargs):  # below the guard: what left
            LOOKUPS.append(host)
            raise socket.gaierror(socket.EAI_NONAME, "this test resolves no real name")

        @pytest.fixture(scope="module", autouse=True)
        def put_back():
            yield
            socket.getaddrinfo = REAL  # this run is in-process: leave the resolver as found

        @pytest.mark.llm_errors
        def test_1_marked():
            pass

        def test_2_patches_the_resolver():
            socket.getaddrinfo = recording

        @pytest.mark.llm_errors
        def test_3_lookup():
            with pytest.raises(socket.gaierror):
                socket.getaddrinfo("metrics.example.test", 443)

        def test_4_nothing_left():
            assert LOOKUPS == []
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "-v")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_3_lookup FAILED*",
            "*test_4_nothing_left PASSED*",
            "*blocked a name lookup of metrics.example.test:443*",
        ]
    )
