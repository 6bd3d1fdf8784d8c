"""Source model -> candidate model precedence, token ratios, unknown sources."""

from __future__ import annotations

import math

import pytest

from dashboard.engine.mapping import Mapper, resolve_sources
from dashboard.engine.projection import project
from dashboard.engine.scenario import Scenario

from .factory import D, catalog, daily_usage, model, price, provider, rate

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


def test_override_beats_equivalent_and_same_tier():
    cat = mapping_catalog()
    scenario = Scenario(switch_date=SWITCH, mapping_overrides=(("gpt-4o", "deepseek", 12),))
    m = Mapper(cat, scenario).map_source("gpt-4o", 1, "deepseek")
    assert (m.target_key, m.reason) == (12, "override")
    # 0.9 / 1.0
    assert m.token_ratio == pytest.approx(0.9)


def test_equivalent_beats_cheapest_of_the_same_tier():
    m = Mapper(mapping_catalog(), Scenario(switch_date=SWITCH)).map_source("gpt-4o", 1, "deepseek")
    assert (m.target_key, m.reason, m.target_model_id) == (11, "equivalent", "ds-big")
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
    m = Mapper(cat_without, Scenario(switch_date=SWITCH)).map_source("gpt-4o", 1, "deepseek")
    assert (m.target_key, m.reason) == (10, "same tier")
    # 1.25 / 1.0
    assert m.token_ratio == pytest.approx(1.25)


def test_source_on_the_candidate_provider_maps_to_itself():
    m = Mapper(mapping_catalog(), Scenario(switch_date=SWITCH)).map_source("gpt-4o", 1, "openai")
    assert (m.target_key, m.reason, m.token_ratio) == (1, "same model", 1.0)


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
    m = Mapper(cat, Scenario(switch_date=SWITCH)).map_source("gpt-4o-mini", 1, "deepseek")
    # no economy model: balanced (none) then flagship comes before frontier and free,
    # even though the frontier model is cheaper here
    assert (m.target_key, m.reason) == (10, "next tier up: flagship")


def test_provider_with_only_the_tier_below_uses_it():
    cat = catalog(
        [provider("openai"), provider("zhipu", "CNY")],
        [model(1, "openai", "gpt-4o", "flagship"), model(21, "zhipu", "glm-air", "balanced")],
        [price(1, 2.5, 10.0), price(21, 1.0, 1.0, currency="CNY")],
        rates=[rate(D(2024, 1, 1), 7.0)],
    )
    m = Mapper(cat, Scenario(switch_date=SWITCH)).map_source("gpt-4o", 1, "zhipu")
    assert (m.target_key, m.reason) == (21, "next tier down: balanced")


def test_a_tier_two_steps_below_is_not_used():
    m = Mapper(mapping_catalog(), Scenario(switch_date=SWITCH)).map_source("gpt-4o", 1, "zhipu")
    # zhipu has only an economy model, two tiers below flagship: no mapping, usage unpriced
    assert (m.target_key, m.reason) == (None, "no model of this tier")


def test_provider_without_any_priced_model_maps_to_nothing():
    cat = catalog(
        [provider("openai"), provider("sensetime", "CNY")],
        [model(1, "openai", "gpt-4o", "flagship"), model(30, "sensetime", "nova-5.5", "flagship")],
        [price(1, 2.5, 10.0)],
    )
    m = Mapper(cat, Scenario(switch_date=SWITCH)).map_source("gpt-4o", 1, "sensetime")
    assert (m.target_key, m.reason) == (None, "no model of this tier")


def test_unknown_source_model_has_no_mapping():
    m = Mapper(mapping_catalog(), Scenario(switch_date=SWITCH)).map_source("mystery", None, "zhipu")
    assert m.reason == "source model unknown"
    assert math.isnan(m.token_ratio)


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


def test_unknown_source_model_is_unpriced_everywhere():
    cat = mapping_catalog()
    frame = daily_usage(D(2024, 6, 1), D(2024, 6, 30), "mystery-model", tokens_output=1_000_000)
    result = project(
        frame, cat, Scenario(switch_date=SWITCH, horizon_months=1, providers=("deepseek",))
    )
    assert result.unresolved_models == ["mystery-model"]
    for summary in result.summary:
        assert summary.has_unpriced
        assert summary.unpriced_tokens == pytest.approx(30_000_000)
        assert summary.rank is None
