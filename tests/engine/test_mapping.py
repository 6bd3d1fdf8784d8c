"""Source model -> candidate model: precedence, tiers, context windows, token ratios."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.engine.catalog_types import ProviderInfo
from dashboard.engine.mapping import Mapping, resolve_sources, typical_requests
from dashboard.engine.projection import project
from dashboard.engine.scenario import Scenario

from .factory import D, catalog, daily_usage, model, price, provider, rate, usage

SWITCH = D(2024, 7, 1)


def mapping_catalog():
    return catalog(
        [provider("openai"), provider("deepseek", "CNY"), provider("zhipu", "CNY")],
        [
            model(1, "openai", "gpt-4o", "flagship", aliases=("gpt-4o-2024-08-06",)),
            model(10, "deepseek", "ds-chat", "flagship", ratio=1.25),
            model(11, "deepseek", "ds-big", "flagship", ratio=1.1),
            model(12, "deepseek", "ds-lite", "economy", ratio=0.9),
            model(20, "zhipu", "glm-flash", "economy"),
        ],
        [
            price(1, 2.5, 10.0),
            # CNY 7 + 7 = CNY 14 = $2 at 7.0: cheaper than ds-big's CNY 70 + 70 = $20
            price(10, 7.0, 7.0, currency="CNY"),
            price(11, 70.0, 70.0, currency="CNY"),
            price(12, 1.0, 1.0, currency="CNY"),
            price(20, 0.0, 0.0, currency="CNY"),
        ],
        rates=[rate(D(2024, 1, 1), 7.0)],
        equivalents=[(1, 11)],
    )


def mapped(cat, provider_slug: str, source: str = "gpt-4o", **scenario) -> Mapping:
    """The mapping of `source` on `provider_slug` for a June 2024 profile of 1M input and
    1M output tokens a day in 1,000 requests (typical request: 2,000 tokens)."""
    frame = daily_usage(
        D(2024, 6, 1),
        D(2024, 6, 30),
        source,
        requests=1000,
        tokens_input_uncached=1_000_000,
        tokens_output=1_000_000,
    )
    result = project(
        frame,
        cat,
        Scenario(switch_date=SWITCH, horizon_months=1, providers=(provider_slug,), **scenario),
    )
    (summary,) = [s for s in result.summary if s.candidate == provider_slug]
    (mapping,) = summary.mappings
    return mapping


def test_override_beats_equivalent_and_same_tier():
    m = mapped(mapping_catalog(), "deepseek", mapping_overrides=(("gpt-4o", "deepseek", 12),))
    assert (m.target_key, m.reason.code, str(m.reason)) == (12, "override", "override")
    # 0.9 / 1.0
    assert m.token_ratio == pytest.approx(0.9)


def test_equivalent_beats_cheapest_of_the_same_tier():
    m = mapped(mapping_catalog(), "deepseek")
    assert (m.target_key, str(m.reason), m.target_model_id) == (11, "equivalent", "ds-big")
    assert m.token_ratio == pytest.approx(1.1)


def test_cheapest_of_the_same_tier_is_compared_in_usd():
    cat = mapping_catalog()
    # The same catalog without the admin's equivalent.
    cat_without = catalog(
        list(cat.providers.values()),
        list(cat.models.values()),
        [row for rows in cat.prices.values() for row in rows],
        rates=[rate(D(2024, 1, 1), 7.0)],
    )
    m = mapped(cat_without, "deepseek")
    assert (m.target_key, m.reason.code) == (10, "same_tier")
    # 1.25 / 1.0
    assert m.token_ratio == pytest.approx(1.25)


def test_cheapest_is_decided_by_the_workloads_own_mix_over_the_horizon():
    # Same blended list price ($10 in + out), but the workload is all input: the model with
    # the cheap input wins.
    cat = catalog(
        [provider("openai"), provider("p")],
        [
            model(1, "openai", "gpt-4o", "flagship"),
            model(10, "p", "cheap-out", "flagship"),
            model(11, "p", "cheap-in", "flagship"),
        ],
        [price(1, 2.5, 10.0), price(10, 9.0, 1.0), price(11, 1.0, 9.0)],
    )
    frame = daily_usage(D(2024, 6, 1), D(2024, 6, 30), "gpt-4o", tokens_input_uncached=1_000_000)
    result = project(frame, cat, Scenario(switch_date=SWITCH, horizon_months=1, providers=("p",)))
    (summary,) = [s for s in result.summary if s.candidate == "p"]
    # 30M input x $1 on cheap-in, against x $9 on cheap-out
    assert summary.mappings[0].target_model_id == "cheap-in"
    assert summary.total_display == pytest.approx(30.0)


def test_source_on_the_candidate_provider_maps_to_itself():
    m = mapped(mapping_catalog(), "openai")
    assert (m.target_key, str(m.reason), m.token_ratio) == (1, "same model", 1.0)


def test_provider_without_the_tier_uses_the_nearest_tier_above_first():
    cat = catalog(
        [provider("openai"), provider("deepseek")],
        [
            model(1, "openai", "gpt-4o-mini", "economy"),
            model(10, "deepseek", "ds-chat", "flagship"),
            model(11, "deepseek", "ds-reasoner", "frontier"),
            model(12, "deepseek", "ds-free", "free"),
        ],
        [price(1, 0.15, 0.6), price(10, 0.28, 0.42), price(11, 0.1, 0.1), price(12, 0.0, 0.0)],
    )
    m = mapped(cat, "deepseek", source="gpt-4o-mini")
    # no economy model: balanced (none) then flagship comes before frontier and free,
    # even though the frontier model is cheaper here
    assert (m.target_key, str(m.reason).split(";")[0]) == (10, "next tier up: flagship")


def test_provider_with_only_the_tier_below_uses_it():
    cat = catalog(
        [provider("openai"), provider("zhipu", "CNY")],
        [model(1, "openai", "gpt-4o", "flagship"), model(21, "zhipu", "glm-air", "balanced")],
        [price(1, 2.5, 10.0), price(21, 1.0, 1.0, currency="CNY")],
        rates=[rate(D(2024, 1, 1), 7.0)],
    )
    m = mapped(cat, "zhipu")
    assert (m.target_key, m.reason.code, m.reason.kwargs) == (21, "tier_down", {"tier": "balanced"})
    assert str(m.reason) == "next tier down: balanced"


def test_a_tier_two_steps_below_is_not_used():
    m = mapped(mapping_catalog(), "zhipu")
    # zhipu has only an economy model, two tiers below flagship: no mapping, usage unpriced
    assert (m.target_key, str(m.reason)) == (None, "no model of this tier")


def test_provider_without_any_priced_model_maps_to_nothing():
    cat = catalog(
        [provider("openai"), provider("sensetime", "CNY")],
        [model(1, "openai", "gpt-4o", "flagship"), model(30, "sensetime", "nova-5.5", "flagship")],
        [price(1, 2.5, 10.0)],
    )
    m = mapped(cat, "sensetime")
    assert (m.target_key, str(m.reason)) == (
        None,
        "no model of this provider has a price in force on 2024-07-01",
    )
    assert math.isnan(m.token_ratio)


def test_a_provider_whose_models_are_priced_only_later_says_so_not_no_model_of_this_tier():
    # Google's Gemini 1.5 models exist in July 2024 but their first sourced price is from
    # September: the reason names the switch date instead of claiming the tier is missing.
    cat = catalog(
        [provider("openai"), provider("google")],
        [model(1, "openai", "gpt-4o", "flagship"), model(40, "google", "gemini-1.5-pro", "flagship")],
        [price(1, 2.5, 10.0), price(40, 1.25, 5.0, start=D(2024, 9, 1))],
    )
    m = mapped(cat, "google")
    assert m.target_key is None
    assert (m.reason.code, m.reason.kwargs) == ("no_priced_model", {"day": D(2024, 7, 1)})
    # With one model priced on the switch date, the tier rule speaks again.
    cat = catalog(
        [provider("openai"), provider("google")],
        [model(1, "openai", "gpt-4o", "flagship"), model(40, "google", "gemini-1.5-pro", "flagship"),
         model(41, "google", "gemini-1.0-nano", "free")],
        [price(1, 2.5, 10.0), price(40, 1.25, 5.0, start=D(2024, 9, 1)), price(41, 0.0, 0.0)],
    )  # fmt: skip
    assert str(mapped(cat, "google").reason) == "no model of this tier"


def context_catalog(small_window: int | None = 4096, big_window: int | None = 32768):
    return catalog(
        [provider("openai"), provider("doubao", "CNY")],
        [
            model(1, "openai", "gpt-4o", "flagship", window=128_000),
            model(10, "doubao", "pro-4k", "flagship", window=small_window),
            model(11, "doubao", "pro-32k", "flagship", window=big_window),
            model(12, "doubao", "lite-128k", "economy", window=131_072),
        ],
        [
            price(1, 2.5, 10.0),
            price(10, 0.8, 2.0, currency="CNY"),  # the cheapest flagship...
            price(11, 5.0, 9.0, currency="CNY"),
            price(12, 0.3, 0.6, currency="CNY"),
        ],
        rates=[rate(D(2024, 1, 1), 7.0)],
    )


def prompts_of(prompt: int, output: int):
    """June 2024, 100 requests a day of `prompt` input + `output` output tokens."""
    return daily_usage(
        D(2024, 6, 1),
        D(2024, 6, 30),
        "gpt-4o",
        requests=100,
        tokens_input_uncached=100 * prompt,
        tokens_output=100 * output,
    )


def doubao_mapping(frame, cat=None, **scenario) -> Mapping:
    result = project(
        frame,
        cat or context_catalog(),
        Scenario(switch_date=SWITCH, horizon_months=1, providers=("doubao",), **scenario),
    )
    (summary,) = [s for s in result.summary if s.candidate == "doubao"]
    return summary.mappings[0]


def test_typical_request_is_prompt_plus_output_per_request_per_model():
    frame = usage(
        [
            {"day": D(2024, 6, 1), "source_model": "gpt-4o", "requests": 10,
             "tokens_input_uncached": 20_000, "tokens_cache_read": 4_000, "tokens_output": 5_000},
            {"day": D(2024, 6, 2), "source_model": "gpt-4o", "requests": 10,
             "tokens_input_uncached": 4_000, "tokens_output": 1_000},
            {"day": D(2024, 6, 2), "source_model": "no-requests", "tokens_output": 9},
        ]
    )
    needs = typical_requests(frame)
    # (20,000 + 4,000 + 4,000 prompt + 6,000 output) / 20 requests = 1,700
    assert needs[("openai", "gpt-4o")] == 1_700
    assert needs[("openai", "no-requests")] is None
    # The prompt parameter replaces the prompt part: 500 + 6,000 / 20
    assert typical_requests(frame, 500)[("openai", "gpt-4o")] == 800


def test_a_model_whose_window_is_too_small_is_skipped_and_the_reason_says_so():
    # 2,000-token prompts + 700 output = 2,700; with 50% headroom 4,050 <= pro-4k's 4,096
    assert doubao_mapping(prompts_of(2_000, 700)).target_model_id == "pro-4k"
    # gpt-4o traffic with 2.4k-token prompts: 3,100 x 1.5 = 4,650 > 4,096 - the cheaper
    # pro-4k is skipped for pro-32k
    m = doubao_mapping(prompts_of(2_400, 700))
    assert (m.target_model_id, m.reason.code, m.context_window) == ("pro-32k", "same_tier", 32768)
    assert [d.code for d in m.details] == ["skipped_for_window"]
    assert m.details[0].kwargs == {"model": "pro-4k", "window": 4096, "needed": 4650, "typical": 3100}
    assert m.reason_text == (
        "same tier; pro-4k is cheaper but its context window (4,096 tokens) is smaller than "
        "the 4,650 tokens your requests need (typical 3,100 + 50% headroom)"
    )


def test_the_prompt_parameter_overrides_the_uploads_prompt_size():
    # The upload says 1,000 + 700 (2,550 with headroom); the user says prompts are 3,500
    # tokens: (3,500 + 700) x 1.5 = 6,300 > 4,096
    m = doubao_mapping(prompts_of(1_000, 700), typical_prompt_tokens=3_500)
    assert m.target_model_id == "pro-32k"


def test_no_model_of_the_tier_large_enough_goes_up_a_tier_never_to_a_small_one():
    cat = catalog(
        [provider("openai"), provider("doubao", "CNY")],
        [
            model(1, "openai", "gpt-4o-mini", "economy"),
            model(10, "doubao", "lite-4k", "economy", window=4096),
            model(11, "doubao", "pro-128k", "flagship", window=131_072),
        ],
        [price(1, 0.15, 0.6), price(10, 0.3, 0.6, currency="CNY"), price(11, 5.0, 9.0, currency="CNY")],
        rates=[rate(D(2024, 1, 1), 7.0)],
    )
    frame = daily_usage(
        D(2024, 6, 1), D(2024, 6, 30), "gpt-4o-mini", requests=10, tokens_input_uncached=60_000
    )
    result = project(frame, cat, Scenario(switch_date=SWITCH, horizon_months=1, providers=("doubao",)))
    (m,) = [s for s in result.summary if s.candidate == "doubao"][0].mappings
    # 6,000-token requests: lite-4k is too small, the next tier up (balanced: none, flagship) fits
    assert (m.target_model_id, str(m.reason).split(";")[0]) == ("pro-128k", "next tier up: flagship")
    assert m.details[0].code == "skipped_for_window"


def test_a_window_unknown_model_is_used_only_when_no_model_is_known_to_fit_and_is_flagged():
    # pro-32k's window is unknown: pro-4k is known too small, nothing is known to fit.
    m = doubao_mapping(prompts_of(3_500, 700), cat=context_catalog(big_window=None))
    assert (m.target_model_id, m.context_window) == ("pro-32k", None)
    assert [d.code for d in m.details] == ["window_unknown", "skipped_for_window"]
    # When a model is known to fit, the unknown one is never chosen, even if cheaper.
    cat = context_catalog(small_window=None)  # pro-4k (cheapest) unknown, pro-32k fits
    m = doubao_mapping(prompts_of(3_500, 700), cat=cat)
    assert m.target_model_id == "pro-32k" and m.details == ()


def test_when_every_window_is_too_small_the_source_stays_unpriced_with_the_reason():
    cat = context_catalog(big_window=8192)
    m = doubao_mapping(prompts_of(9_000, 1_000), cat=cat)
    # 10,000-token requests need 15,000 with headroom; 4K and 8K flagships, no tier above,
    # the one step below flagship is balanced (none here): nothing fits
    assert (m.target_key, m.reason.code) == (None, "no_fitting_model")
    assert str(m.reason) == (
        "no model of this tier has a context window of 15,000 tokens (your typical request "
        "of 10,000 tokens + 50% headroom)"
    )


def test_unknown_source_model_is_left_out_of_the_comparison():
    cat = mapping_catalog()
    frame = daily_usage(D(2024, 6, 1), D(2024, 6, 30), "mystery-model", tokens_output=1_000_000)
    result = project(
        frame, cat, Scenario(switch_date=SWITCH, horizon_months=1, providers=("deepseek",))
    )
    assert result.unresolved_models == ["mystery-model"]
    assert result.summary == []
    (left_out,) = result.comparison.left_out
    assert (left_out.source_model, left_out.reason.code) == ("mystery-model", "not_in_catalog")
    # 30 days x 1M, July carries the June baseline
    assert left_out.tokens == pytest.approx(30_000_000)


def test_sources_resolve_through_aliases_and_gateway_prefixes():
    keys = resolve_sources(
        mapping_catalog(),
        [("openai", "gpt-4o-2024-08-06"), ("openrouter", "openai/gpt-4o"), ("x", "mystery")],
    )
    assert keys == {
        ("openai", "gpt-4o-2024-08-06"): 1,
        ("openrouter", "openai/gpt-4o"): 1,
        ("x", "mystery"): None,
    }


def test_an_azure_export_resolves_to_azures_own_models_and_labels_the_current_provider():
    cat = catalog(
        [provider("openai"), provider("azure-openai")],
        [model(1, "openai", "gpt-4o-mini", "economy"), model(5, "azure-openai", "gpt-4o-mini", "economy")],
        [price(1, 0.15, 0.6), price(5, 0.165, 0.66)],
    )
    cat = catalog(
        [ProviderInfo("openai", "OpenAI"), ProviderInfo("azure-openai", "Azure OpenAI")],
        list(cat.models.values()),
        [row for rows in cat.prices.values() for row in rows],
    )
    # LiteLLM writes custom_llm_provider "azure"
    assert resolve_sources(cat, [("azure", "gpt-4o-mini")]) == {("azure", "gpt-4o-mini"): 5}
    frame = daily_usage(
        D(2024, 6, 1), D(2024, 6, 30), "gpt-4o-mini", provider_slug="azure", tokens_output=1_000_000
    )
    result = project(frame, cat, Scenario(switch_date=SWITCH, horizon_months=1))
    current = next(s for s in result.summary if s.candidate == "current")
    assert current.label == "Current (Azure OpenAI)"
    # 30M output at Azure's $0.66
    assert current.total_display == pytest.approx(19.8)


def test_the_current_label_names_every_exported_provider_even_one_left_out():
    """Azure's gpt-4o-mini is compared; OpenAI's gpt-4o is billed without token counts, so it
    is left out of the comparison - but the usage was still exported from OpenAI too."""
    cat = catalog(
        [ProviderInfo("openai", "OpenAI"), ProviderInfo("azure-openai", "Azure OpenAI")],
        [model(1, "openai", "gpt-4o-mini", "economy"), model(5, "azure-openai", "gpt-4o-mini", "economy"),
         model(7, "openai", "gpt-4o", "flagship")],  # fmt: skip
        [price(1, 0.15, 0.6), price(5, 0.165, 0.66), price(7, 2.5, 10.0)],
    )
    frame = pd.concat([
        daily_usage(D(2024, 6, 1), D(2024, 6, 30), "gpt-4o-mini", provider_slug="azure", tokens_output=1_000_000),
        usage([{"day": D(2024, 6, 1), "source_model": "gpt-4o", "reported_cost": 5.0, "reported_currency": "USD"}]),
    ], ignore_index=True)  # fmt: skip
    result = project(frame, cat, Scenario(switch_date=SWITCH, horizon_months=1))
    assert [item.source_model for item in result.comparison.left_out] == ["gpt-4o"]
    current = next(s for s in result.summary if s.candidate == "current")
    assert current.label == "Current (Azure OpenAI, OpenAI)"


def test_token_ratio_scales_projected_token_counts():
    cat = mapping_catalog()
    # June: 30 days x 1M output = 30M a month on gpt-4o
    frame = daily_usage(D(2024, 6, 1), D(2024, 6, 30), "gpt-4o", tokens_output=1_000_000)
    result = project(
        frame, cat, Scenario(switch_date=SWITCH, horizon_months=1, providers=("deepseek",))
    )
    row = result.monthly[result.monthly["candidate"] == "deepseek"].iloc[0]
    # A month carries the baseline whatever its length. Equivalent ds-big, ratio 1.1:
    # 30M x 1.1 = 33M tokens x CNY70 = CNY2310 = $330 at 7.0
    assert row["tokens_output"] == pytest.approx(33_000_000)
    assert row["cost_native"] == pytest.approx(2310.0)
    assert row["cost_display"] == pytest.approx(330.0)


