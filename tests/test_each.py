"""The marker's ``each=`` and ``provider=[...]`` parametrization, driven through pytester."""

from __future__ import annotations

import re

import pytest

from pytest_llmerrors import Policy, catalog


def _ids(output: str, function: str) -> set[str]:
    return set(re.findall(rf"::{function}\[([^\]]+)\]", output))


def test_each_group_gives_one_readable_case_per_scenario(pytester: pytest.Pytester) -> None:
    """each='retryable' / 'give_up' / 'all' collect one [provider-scenario] case per entry."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.llm_errors(provider="requesty", each="retryable")
        def test_retry():
            pass

        @pytest.mark.llm_errors(provider="requesty", each="give_up")
        def test_give_up():
            pass

        @pytest.mark.llm_errors(provider="gemini", each="all")
        def test_all():
            pass
        """
    )
    result = pytester.runpytest("--collect-only", "-q", "-p", "no:randomly")
    out = result.stdout.str()
    policy = Policy()
    faults = [f for f in catalog("requesty") if not f.stream]
    give_up = {f"requesty-{f.name}" for f in faults if policy.classify("requesty", f) == "give_up"}
    assert _ids(out, "test_give_up") == give_up
    assert _ids(out, "test_retry") == {f"requesty-{f.name}" for f in faults} - give_up
    assert _ids(out, "test_all") == {f"gemini-{f.name}" for f in catalog("gemini") if not f.stream}
    assert {"requesty-overloaded", "requesty-rate_limit", "requesty-unparseable_success"} <= _ids(
        out, "test_retry"
    )
    assert "requesty-stream_error" not in out  # stream faults need a streaming request


def test_each_runs_every_case_against_a_resilient_app(pytester: pytest.Pytester) -> None:
    """Every retryable and give-up scenario of a router passes verify=True on a good app."""
    pytester.makepyfile(
        """
        import logging, time
        import httpx, pytest

        log = logging.getLogger("app")
        URL = "https://router.requesty.ai/v1/chat/completions"

        def ask(attempts=4):
            # A plain client, so that every scenario's raw body reaches the app's own checks.
            with httpx.Client() as client:
                for attempt in range(attempts):
                    try:
                        response = client.post(URL, json={"model": "m", "messages": []})
                        if response.status_code < 400:
                            return response.json()["choices"][0]["message"]["content"]
                        log.warning("LLM call failed: %s, request id %s",
                                    response.status_code, response.headers["x-request-id"])
                        if response.status_code in (400, 401, 402, 403, 404, 413, 422):
                            raise PermissionError(response.status_code)
                        wait = float(response.headers.get("retry-after", 0))
                    except (httpx.TransportError, ValueError):  # ValueError: broken JSON
                        wait = 0
                    time.sleep(max(wait, 2 ** attempt))
            raise RuntimeError("gave up")

        @pytest.mark.llm_errors(provider="requesty", each="retryable", verify=True)
        def test_retryable():
            assert ask() == "pong"

        @pytest.mark.llm_errors(provider="requesty", each="give_up", verify=True)
        def test_give_up(inject_error):
            with pytest.raises(PermissionError):
                ask()
            inject_error.assert_attempts(1)
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    faults = [f for f in catalog("requesty") if not f.stream]
    result.assert_outcomes(passed=len(faults))


def test_provider_lists_parametrize_and_combine_with_each(pytester: pytest.Pytester) -> None:
    """provider=[...] gives [name] cases; with each=[...] the cases are the product."""
    pytester.makepyfile(
        """
        import openai, pytest

        @pytest.mark.llm_errors(provider=["openai", "anthropic", "gemini"])
        def test_providers(request, inject_error):
            assert inject_error.provider.name == request.node.callspec.id

        @pytest.mark.llm_errors(
            provider=["openai", "fluxrouter"], each=["rate_limit", "overloaded"]
        )
        def test_product(request, inject_error):
            provider, scenario = request.node.callspec.id.split("-", 1)
            assert inject_error.provider.name == provider
            client = openai.OpenAI(api_key="sk", base_url="https://llm.test/v1", max_retries=0)
            with pytest.raises(openai.APIStatusError):
                client.chat.completions.create(model="m", messages=[])
            assert [(a.provider, a.error) for a in inject_error.attempts] == [(provider, scenario)]
        """
    )
    result = pytester.runpytest("-v", "-p", "no:randomly")
    result.assert_outcomes(passed=7)
    out = result.stdout.str()
    for case in (
        "test_providers[openai]",
        "test_providers[gemini]",
        "test_product[openai-rate_limit]",
        "test_product[fluxrouter-overloaded]",
    ):
        assert f"::{case} PASSED" in out


def test_each_with_an_unknown_scenario_is_a_collection_error(pytester: pytest.Pytester) -> None:
    """A name in each=[...] that the provider lacks fails collection and lists the choices."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.llm_errors(provider="fluent", each=["rate_limit", "hourly_safety_limit"])
        def test_it():
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*Unknown scenario 'hourly_safety_limit' for provider 'fluent'*Valid scenarios:*"]
    )


def test_each_sorts_retry_after_windows_by_the_wait_budget(pytester: pytest.Pytester) -> None:
    """A window the client can wait out is retryable; one past the wait budget is a give-up."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.llm_errors(provider="fluxrouter", each="retryable")
        def test_retryable(inject_error):
            pass

        @pytest.mark.llm_errors(provider="fluxrouter", each="give_up")
        def test_give_up(inject_error):
            pass
        """
    )
    result = pytester.runpytest("--collect-only", "-q")
    ids = result.stdout.str()
    assert "test_retryable[fluxrouter-premium_routing_unavailable]" in ids  # ~5 s window
    assert "test_give_up[fluxrouter-hourly_safety_limit]" in ids  # 1800 s > 300 s budget
    assert "test_retryable[fluxrouter-hourly_safety_limit]" not in ids


def test_each_follows_the_policy_hook(pytester: pytest.Pytester) -> None:
    """A scenario the policy hook reclassifies moves to the other each= group."""
    pytester.makeconftest(
        """
        def pytest_llmerrors_policy(config, provider, scenario):
            if scenario.name == "rate_limit":
                return "give_up"
        """
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.llm_errors(provider="openai", each="give_up")
        def test_give_up(inject_error):
            pass
        """
    )
    result = pytester.runpytest("--collect-only", "-q")
    assert "test_give_up[openai-rate_limit]" in result.stdout.str()


def test_a_one_provider_list_uses_that_provider(pytester: pytest.Pytester) -> None:
    """provider=["anthropic"] is one unparametrized test on anthropic, not on the default."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.llm_errors(provider=["anthropic"])
        def test_it(inject_error):
            assert inject_error.provider.name == "anthropic"
        """
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*test_it PASSED*"])
