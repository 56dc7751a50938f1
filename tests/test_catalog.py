"""The provider catalog: seed rows, common names, statuses, the CLI and docs/catalog.md."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_llmerrors import Fault, catalog, openai_compatible_provider
from pytest_llmerrors._catalog_cli import REGENERATE, main, render_markdown
from pytest_llmerrors._faults import NETWORK_FAULTS, STREAM_FAULTS
from pytest_llmerrors._providers import COMMON_NAMES, DEFAULT_REGISTRY, FRONT_DOOR_NAMES

BUILTIN = [
    "anthropic",
    "derouter",
    "fluent",
    "fluxrouter",
    "gemini",
    "openai",
    "openrouter",
    "requesty",
    "torouter",
]
DOCS = Path(__file__).parent.parent / "docs" / "catalog.md"

# Every row of every seed document (../shared/seeds/, not read here: CI has no such
# directory) mapped to its scenario: (row, scenario(s), status, classification).
SEED_ROWS: dict[str, list[tuple[str, str | tuple[str, ...], int, str]]] = {
    # 000_fc4615c89775b363.txt: "Quick reference" (4 rows) + "Full status reference" (19).
    "fluxrouter": [
        ("quick 401 unauthorized", "invalid_api_key", 401, "give_up"),
        ("quick 402 spend ceiling", "spend_ceiling", 402, "give_up"),
        ("quick 429 too many requests", "rate_limit", 429, "retry"),
        ("quick 5xx server error", "server_error", 500, "retry"),
        ("401 key missing, expired or malformed", "invalid_api_key", 401, "give_up"),
        ("402 monthly credit used up: next cycle", "credit_exhausted", 402, "give_up"),
        (
            "402 hourly safety limit: after retry_after",
            "hourly_safety_limit",
            402,
            "retry_after_window",
        ),
        ("402 plan lacks the model: on upgrade", "model_not_in_plan", 402, "give_up"),
        ("402 premium routing needs a card", "payment_method_required", 402, "give_up"),
        ("402 premium routing unavailable: ~5s", "premium_routing_unavailable", 402, "retry"),
        ("402 free allowance used up: next cycle", "free_allowance_exhausted", 402, "give_up"),
        ("402 account on hold", "account_on_hold", 402, "give_up"),
        ("403 endpoint not served", "endpoint_not_served", 403, "give_up"),
        ("429 rate limited", "rate_limit", 429, "retry"),
        ("429 conversation hit its limit", "conversation_limit", 429, "give_up"),
        ("400 bad request body", "bad_request", 400, "give_up"),
        ("400 model not recognized", "model_not_recognized", 400, "give_up"),
        ("400 empty prompt", "empty_prompt", 400, "give_up"),
        ("413 input too long for the tier", "input_too_long", 413, "give_up"),
        ("413 payload over 32MB", "request_too_large", 413, "give_up"),
        ("502 upstream provider error", "upstream_error", 502, "retry"),
        ("502 post-call processing glitch", "post_processing_error", 502, "retry"),
        ("503 busy or maintenance", "service_unavailable", 503, "retry"),
    ],
    # 001_b106e505f64bb126.txt: "Common Status Codes" (10 codes).
    "fluent": [
        (f"{status}", name, status, kind)
        for status, name, kind in [
            (400, "bad_request", "give_up"),
            (401, "invalid_api_key", "give_up"),
            (402, "spend_ceiling", "give_up"),
            (403, "permission_denied", "give_up"),
            (404, "not_found", "give_up"),
            (429, "rate_limit", "retry"),
            (500, "server_error", "retry"),
            (502, "bad_gateway", "retry"),
            (503, "service_unavailable", "retry"),
            (504, "gateway_timeout", "retry"),
        ]
    ],
    # 002_94f7469c4c588b6f.txt: the quick table (8) + sections 01-06 (15) + the upstream
    # request errors section 04 says are passed through (2).
    "derouter": [
        ("quick 400 invalid request format", "bad_request", 400, "give_up"),
        ("quick 401 authentication failed", "invalid_api_key", 401, "give_up"),
        ("quick 402 out of credits", "spend_ceiling", 402, "give_up"),
        ("quick 429 too many requests", "rate_limit", 429, "retry"),
        ("quick 502 provider auth failed", "bad_gateway", 502, "retry"),
        ("quick 503 no providers", "service_unavailable", 503, "retry"),
        ("quick 504 provider timed out", "gateway_timeout", 504, "retry"),
        ("quick 529 upstream overloaded", "overloaded", 529, "retry"),
        ("01 401 missing API key", "missing_api_key", 401, "give_up"),
        ("01 401 invalid API key", "invalid_api_key", 401, "give_up"),
        ("01 401 invalid or expired token", "session_expired", 401, "give_up"),
        ("02 402 insufficient balance", "insufficient_balance", 402, "give_up"),
        ("02 402 key budget exceeded", "key_budget_exceeded", 402, "give_up"),
        ("03 429 requests per minute", "rpm_limit", 429, "retry"),
        ("03 429 concurrent limit", "concurrency_limit", 429, "retry"),
        ("04 400 model is required", "model_required", 400, "give_up"),
        ("04 400 model not available", "model_not_available", 400, "give_up"),
        ("05 503 no providers online", "no_providers_online", 503, "retry"),
        ("05 503 scheduled rest", "providers_resting", 503, "retry"),
        ("05 503 max concurrency", "providers_at_capacity", 503, "retry"),
        ("06 502 provider authentication failed", "provider_auth_failed", 502, "retry"),
        ("06 504 provider timed out", "provider_timeout", 504, "retry"),
        ("06 529 upstream overloaded", "upstream_overloaded", 529, "retry"),
        ("04 passed through: prompt too long", "prompt_too_long", 400, "give_up"),
        ("04 passed through: invalid tool format", "invalid_tool_format", 400, "give_up"),
    ],
    # 003_7f9462e43c1d7de6.txt: the status table (10 rows).
    "torouter": [
        ("400 malformed body", "bad_request", 400, "give_up"),
        ("401 missing or unknown key", "invalid_api_key", 401, "give_up"),
        ("402 balance insufficient", "spend_ceiling", 402, "give_up"),
        ("403 access denied", "access_denied", 403, "give_up"),
        ("404 model not in group", "not_found", 404, "give_up"),
        ("429 rate limit hit", "rate_limit", 429, "retry"),
        ("500 internal error", "server_error", 500, "retry"),
        ("502 every upstream failed", "upstream_failover_exhausted", 502, "retry"),
        ("503 no eligible channel", "no_eligible_channel", 503, "retry"),
        ("504 upstream timeout", "upstream_timeout", 504, "retry"),
    ],
    # 004_cfd08b1b0d5501a7.txt: the error table (8) + the retryable table (7) + the 404
    # example body (1).
    "requesty": [
        ("429 provider too many requests", "rate_limit", 429, "retry"),
        ("502 provider bad gateway", "provider_bad_gateway", 502, "retry"),
        ("502 router provider stream", "provider_stream_error", 502, "retry"),
        ("503 router provider timed out", "provider_timeout", 503, "retry"),
        ("424 router invalid response format", "invalid_provider_response", 424, "retry"),
        ("424 router missing usage", "provider_response_missing_usage", 424, "retry"),
        ("529 provider overloaded", "overloaded", 529, "retry"),
        ("504 provider gateway timeout", "provider_gateway_timeout", 504, "retry"),
        ("retryable 400: no", "bad_request", 400, "give_up"),
        ("retryable 401/403: no", ("invalid_api_key", "permission_denied"), 0, "give_up"),
        ("retryable 402: no", "spend_ceiling", 402, "give_up"),
        ("retryable 429: yes", "rate_limit", 429, "retry"),
        ("retryable 502/503: yes", ("provider_bad_gateway", "provider_timeout"), 0, "retry"),
        ("retryable 529: yes", "overloaded", 529, "retry"),
        ("retryable 500: maybe, retry once", "server_error", 500, "retry"),
        ("example 404 model not supported", "model_not_supported", 404, "give_up"),
    ],
}
SEED_ROW_COUNTS = {"fluxrouter": 23, "fluent": 10, "derouter": 25, "torouter": 10, "requesty": 16}
#: ToRouter's codes named inside its rows, each a scenario carrying it.
TOROUTER_CODES = {
    "API_KEY_REQUIRED": 401,
    "INVALID_API_KEY": 401,
    "API_KEY_DISABLED": 401,
    "USER_INACTIVE": 401,
    "ACCESS_DENIED": 403,
    "API_KEY_EXPIRED": 403,
    "SUBSCRIPTION_NOT_FOUND": 403,
    "INSUFFICIENT_BALANCE": 403,
    "API_KEY_QUOTA_EXHAUSTED": 429,
}


@pytest.mark.parametrize("router", sorted(SEED_ROWS))
def test_every_seed_row_is_a_scenario(router: str) -> None:
    """Each row of the router's seed maps to a scenario with the row's status and verdict."""
    rows = SEED_ROWS[router]
    assert len(rows) == SEED_ROW_COUNTS[router]
    profile = DEFAULT_REGISTRY.get(router)
    for row, names, status, classification in rows:
        for name in (names,) if isinstance(names, str) else names:
            fault = profile.scenario(name)
            assert fault.classification == classification, row
            assert status == 0 or fault.status == status, row


def test_torouter_codes_are_scenarios() -> None:
    """Every ToRouter code a row names is the code of a scenario with that row's status."""
    by_code = {f.code: f for f in catalog("torouter") if f.code}
    assert {code: by_code[code].status for code in TOROUTER_CODES} == TOROUTER_CODES


#: Common names a profile's reference documents no row for: the profile refuses them with
#: the reason instead of inventing a row (DeRouter's guide lists no 403 and no 500).
UNDOCUMENTED = {"derouter": {"permission_denied", "server_error"}}


@pytest.mark.parametrize("provider", BUILTIN)
def test_every_profile_has_the_common_names(provider: str) -> None:
    """Common, front-door, network and stream names work on every built-in profile.

    A common name the profile's reference has no row for is refused with the reason.
    """
    names = {f.name for f in catalog(provider)}
    wanted = {*COMMON_NAMES, *FRONT_DOOR_NAMES, *NETWORK_FAULTS, *STREAM_FAULTS}
    missing = UNDOCUMENTED.get(provider, set())
    assert wanted - missing <= names and not missing & names
    assert all(f.advice and f.provider == provider for f in catalog(provider))
    profile = DEFAULT_REGISTRY.get(provider)
    assert set(profile.undocumented) == missing
    for name in missing:
        with pytest.raises(ValueError, match=r"lists no (403|500)"):
            profile.scenario(name)


@pytest.mark.parametrize("provider", BUILTIN)
def test_plain_statuses_map_to_a_scenario_of_that_status(provider: str) -> None:
    """`Provider.statuses` names, for each status, a catalog scenario with that status."""
    profile = DEFAULT_REGISTRY.get(provider)
    assert {profile.scenario(name).status for name in profile.statuses.values()} == set(
        profile.statuses
    )
    assert profile.statuses[429] in profile.scenarios


def test_waits_past_the_budget_give_up_and_windows_send_retry_after() -> None:
    """Next-cycle and upgrade rows give up; the hourly limit sends its window twice."""
    flux = DEFAULT_REGISTRY.get("fluxrouter")
    for name in ("credit_exhausted", "free_allowance_exhausted", "model_not_in_plan"):
        assert flux.scenario(name).classification == "give_up"
    hourly = flux.scenario("hourly_safety_limit")
    assert hourly.retry_after == hourly.extra["retry_after"] and float(hourly.retry_after) > 300
    assert flux.scenario("premium_routing_unavailable").retry_after == 5
    window = DEFAULT_REGISTRY.get("torouter").scenario("subscription_window_limit")
    assert window.classification == "give_up"


def test_unparseable_success_is_the_only_kind_of_200_fault() -> None:
    """A 200 fault needs the body the client cannot parse; other statuses stay 400-599."""
    assert Fault("broken", 200, body="{").malformed_success
    with pytest.raises(ValueError, match="needs the broken `body`"):
        Fault("broken", 200)
    with pytest.raises(ValueError, match="400-599"):
        Fault("moved", 302, body="")
    ok = [f.name == "unparseable_success" for p in BUILTIN for f in catalog(p) if f.status == 200]
    assert ok and all(ok)


def test_openai_compatible_provider_builds_a_gateway_profile() -> None:
    """The one-line gateway serves OpenAI paths under its prefix with its own id header."""
    extra = Fault("quota", 429, "give_up", message="Team quota spent.", advice="Ask for more.")
    acme = openai_compatible_provider(
        "acme",
        request_id_header="x-acme-trace",
        request_id_prefix="acme_",
        hosts=["llm.acme.test"],
        prefix="/gw",
        scenarios=[extra],
    )
    assert acme.request_id_header == "x-acme-trace" and acme.hosts == ("llm.acme.test",)
    assert acme.scenario("quota").provider == "acme"
    assert set(acme.scenarios) >= {f.name for f in catalog("openai")}
    assert acme.statuses[429] == "rate_limit"
    assert acme.new_request_id(random.Random(1)).startswith("acme_")
    with pytest.raises(ValueError, match="letters, digits"):
        openai_compatible_provider("not a name")


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_cli_prints_the_catalog(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`catalog --provider requesty --format F` prints every requesty scenario."""
    assert main(["catalog", "--provider", "requesty", "--format", fmt]) == 0
    out = capsys.readouterr().out
    names = [f.name for f in catalog("requesty")]
    if fmt == "json":
        rows = json.loads(out)
        assert [r["name"] for r in rows] == names
        by_name = {r["name"]: r for r in rows}
        assert by_name["not_found"]["same_as"] == "model_not_supported"
        assert by_name["rate_limit"]["extra"] == {"origin": "provider"}
    else:
        assert all(name in out for name in names)
        assert "fluxrouter" not in out


def test_cli_rejects_an_unknown_provider(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown provider exits 2 and lists the valid ones."""
    with pytest.raises(SystemExit) as caught:
        main(["catalog", "--provider", "nope"])
    assert caught.value.code == 2
    assert "fluxrouter" in capsys.readouterr().err


def test_python_dash_m_runs_the_cli() -> None:
    """`python -m pytest_llmerrors catalog` works as a command."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest_llmerrors", "catalog", "--provider", "gemini"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "unparseable_success" in done.stdout


def test_docs_catalog_is_up_to_date() -> None:
    """docs/catalog.md is what the CLI generates today."""
    expected = render_markdown([DEFAULT_REGISTRY.get(n) for n in DEFAULT_REGISTRY.names()])
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    assert current == expected, f"docs/catalog.md is stale; regenerate it with: {REGENERATE}"
