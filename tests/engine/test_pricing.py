"""Prices in force, cache/batch/context-tier rules, FX conversion, unpriced vs free."""

from __future__ import annotations

import math

import pytest

from dashboard.engine.pricing import price_frame
from dashboard.engine.projection import project
from dashboard.engine.scenario import Scenario

from .factory import D, catalog, daily_usage, model, price, provider, rate, usage


def one_model_catalog(*prices, rates=()):
    return catalog([provider("openai")], [model(1, "openai", "gpt-4o-mini")], prices, rates=rates)


def test_one_model_one_price_one_month_is_tokens_times_price():
    cat = one_model_catalog(price(1, 0.15, 0.60))
    # June 2024 (30 days), 1M input + 0.5M output a day -> 30M input, 15M output a month.
    frame = daily_usage(
        D(2024, 6, 1),
        D(2024, 6, 30),
        "gpt-4o-mini",
        requests=10,
        tokens_input_uncached=1_000_000,
        tokens_output=500_000,
    )
    result = project(
        frame, cat, Scenario(switch_date=D(2024, 7, 1), horizon_months=1, providers=("openai",))
    )
    current = result.summary[0]
    # 30M x $0.15 + 15M x $0.60 = 4.5 + 9.0
    assert current.total_display == pytest.approx(13.5)
    assert result.baseline_months == (D(2024, 6, 1),)
    row = result.monthly.iloc[0]
    assert row["tokens_input_uncached"] == pytest.approx(30_000_000)
    assert row["native_currency"] == "USD"


def test_price_change_mid_month_is_prorated_by_days():
    cat = one_model_catalog(
        price(1, 1.0, 0.0, end=D(2024, 7, 16)), price(1, 2.0, 0.0, start=D(2024, 7, 16))
    )
    # May has 31 days at 1M/day -> baseline 31M a month -> July is 1M a day.
    frame = daily_usage(
        D(2024, 5, 1), D(2024, 5, 31), "gpt-4o-mini", tokens_input_uncached=1_000_000
    )
    result = project(
        frame,
        cat,
        Scenario(
            switch_date=D(2024, 7, 1), horizon_months=1, providers=("openai",), baseline_months=1
        ),
    )
    # Jul 1-15: 15M x $1 = 15; Jul 16-31: 16M x $2 = 32
    assert result.summary[0].total_display == pytest.approx(47.0)


def test_cny_price_shown_in_usd_with_each_days_rate_and_the_latest_rate_for_the_future():
    cat = catalog(
        [provider("deepseek", "CNY")],
        [model(1, "deepseek", "deepseek-chat")],
        [price(1, 1.0, 2.0, currency="CNY")],
        rates=[rate(D(2024, 7, 1), 7.0), rate(D(2024, 7, 16), 8.0)],
    )
    frame = usage(
        [
            {
                "day": D(2024, 7, 10),
                "source_model": "deepseek-chat",
                "tokens_input_uncached": 7_000_000,
            },
            {
                "day": D(2024, 7, 20),
                "source_model": "deepseek-chat",
                "tokens_input_uncached": 8_000_000,
            },
            {"day": D(2030, 1, 1), "source_model": "deepseek-chat", "tokens_output": 4_000_000},
        ]
    )
    costs = price_frame(frame, cat, 1, "USD")
    # 7M x CNY1 = CNY7 at 7.0 -> $1; 8M x CNY1 = CNY8 at 8.0 -> $1;
    # 2030 has no rate yet: latest (8.0) -> 4M x CNY2 = CNY8 -> $1
    assert costs["cost_native"].tolist() == pytest.approx([7.0, 8.0, 8.0])
    assert costs["cost_display"].tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert costs["currency"].tolist() == ["CNY", "CNY", "CNY"]


def test_fx_override_replaces_every_cny_rate():
    cat = catalog(
        [provider("deepseek", "CNY")],
        [model(1, "deepseek", "deepseek-chat")],
        [price(1, 1.0, 2.0, currency="CNY")],
        rates=[rate(D(2024, 7, 1), 7.0)],
    )
    frame = usage(
        [
            {
                "day": D(2024, 7, 10),
                "source_model": "deepseek-chat",
                "tokens_input_uncached": 7_000_000,
            }
        ]
    )
    # CNY7 at the override 5.0 -> $1.40
    assert price_frame(frame, cat, 1, "USD", fx_override=5.0)["cost_display"][0] == pytest.approx(
        1.4
    )


def test_usd_price_shown_in_cny():
    cat = one_model_catalog(price(1, 1.0, 0.0), rates=[rate(D(2024, 1, 1), 7.2)])
    frame = usage(
        [{"day": D(2024, 7, 10), "source_model": "gpt-4o-mini", "tokens_input_uncached": 1_000_000}]
    )
    # $1 x 7.2
    assert price_frame(frame, cat, 1, "CNY")["cost_display"][0] == pytest.approx(7.2)


CACHE_ROW = {
    "day": D(2024, 7, 1),
    "source_model": "gpt-4o-mini",
    "tokens_input_uncached": 1_000_000,
    "tokens_cache_read": 2_000_000,
    "tokens_cache_write": 1_000_000,
    "tokens_output": 1_000_000,
}


def test_cached_tokens_are_billed_at_cache_prices():
    cat = one_model_catalog(price(1, 2.0, 8.0, cache_read_per_mtok=0.5, cache_write_per_mtok=2.5))
    costs = price_frame(usage([CACHE_ROW]), cat, 1)
    # 1M x 2 + 2M x 0.5 + 1M x 2.5 + 1M x 8 = 2 + 1 + 2.5 + 8
    assert costs["cost_native"][0] == pytest.approx(13.5)
    assert not costs["cache_fallback"][0]


def test_cached_tokens_fall_back_to_the_input_price_and_are_flagged():
    cat = one_model_catalog(price(1, 2.0, 8.0))
    costs = price_frame(usage([CACHE_ROW]), cat, 1)
    # 1M x 2 + 2M x 2 + 1M x 2 + 1M x 8 = 2 + 4 + 2 + 8
    assert costs["cost_native"][0] == pytest.approx(16.0)
    assert costs["cache_fallback"][0]


def test_batch_rows_use_batch_prices_where_known():
    cat = one_model_catalog(price(1, 2.0, 8.0, batch_input_per_mtok=1.0, batch_output_per_mtok=4.0))
    row = {
        "day": D(2024, 7, 1),
        "source_model": "gpt-4o-mini",
        "tokens_input_uncached": 1_000_000,
        "tokens_output": 1_000_000,
    }
    costs = price_frame(usage([row, {**row, "batch": True}]), cat, 1)
    # normal: 2 + 8; batch: 1 + 4
    assert costs["cost_native"].tolist() == pytest.approx([10.0, 5.0])
    assert not costs["batch_fallback"].any()


def test_batch_rows_without_batch_prices_pay_normal_prices_and_are_flagged():
    cat = one_model_catalog(price(1, 2.0, 8.0))
    row = {
        "day": D(2024, 7, 1),
        "source_model": "gpt-4o-mini",
        "batch": True,
        "tokens_input_uncached": 1_000_000,
        "tokens_output": 1_000_000,
    }
    costs = price_frame(usage([row]), cat, 1)
    assert costs["cost_native"][0] == pytest.approx(10.0)
    assert costs["batch_fallback"][0]


def test_context_tier_is_chosen_by_typical_prompt_size():
    cat = one_model_catalog(price(1, 1.0, 0.0), price(1, 3.0, 0.0, min_prompt_tokens=32_000))
    row = {
        "day": D(2024, 7, 1),
        "source_model": "gpt-4o-mini",
        "requests": 10,
        "tokens_input_uncached": 500_000,
    }
    frame = usage([row])
    assert price_frame(frame, cat, 1, prompt_tokens=1_000)["cost_native"][0] == pytest.approx(0.5)
    assert price_frame(frame, cat, 1, prompt_tokens=40_000)["cost_native"][0] == pytest.approx(1.5)
    # Default: the frame's own 500k / 10 requests = 50k tokens a prompt -> the 32k tier
    assert price_frame(frame, cat, 1)["cost_native"][0] == pytest.approx(1.5)


def test_unpriced_model_is_reported_not_costed_at_zero_while_price_zero_is_free():
    cat = catalog(
        [provider("openai"), provider("free"), provider("nopriced")],
        [model(1, "openai", "gpt-4o-mini"), model(2, "free", "lite"), model(3, "nopriced", "x")],
        [price(1, 1.0, 1.0), price(2, 0.0, 0.0), price(3, 5.0, 5.0, end=D(2024, 1, 1))],
    )
    frame = daily_usage(
        D(2024, 6, 1), D(2024, 6, 30), "gpt-4o-mini", tokens_input_uncached=1_000_000
    )
    scenario = Scenario(switch_date=D(2024, 7, 1), horizon_months=1, providers=("free", "nopriced"))
    result = project(frame, cat, scenario)
    by_name = {s.candidate: s for s in result.summary}
    free, unpriced = by_name["free"], by_name["nopriced"]
    assert free.total_display == 0.0
    assert not free.has_unpriced
    assert free.rank == 1
    # The only price of "x" ended before the horizon: 30M tokens counted, no cost, no rank.
    assert unpriced.has_unpriced
    assert unpriced.unpriced_tokens == pytest.approx(30_000_000)
    assert math.isnan(unpriced.total_display)
    assert unpriced.rank is None
    month = result.monthly[result.monthly["candidate"] == "nopriced"].iloc[0]
    assert math.isnan(month["cost_display"])


def test_unverified_prices_are_ignored_unless_included():
    cat = one_model_catalog(price(1, 1.0, 0.0, verification="unverified"))
    frame = usage(
        [{"day": D(2024, 7, 1), "source_model": "gpt-4o-mini", "tokens_input_uncached": 1_000_000}]
    )
    assert not price_frame(frame, cat, 1)["priced"][0]
    included = price_frame(frame, cat, 1, include_unverified=True)
    assert included["cost_native"][0] == pytest.approx(1.0)


def test_a_price_in_a_currency_without_any_rate_counts_as_unpriced():
    cat = catalog(
        [provider("openai"), provider("deepseek", "CNY")],
        [model(1, "openai", "gpt-4o-mini"), model(2, "deepseek", "ds")],
        [price(1, 1.0, 1.0), price(2, 1.0, 2.0, currency="CNY")],
    )
    frame = daily_usage(
        D(2024, 6, 1), D(2024, 6, 30), "gpt-4o-mini", tokens_input_uncached=1_000_000
    )
    result = project(
        frame, cat, Scenario(switch_date=D(2024, 7, 1), horizon_months=1, providers=("deepseek",))
    )
    deepseek = next(s for s in result.summary if s.candidate == "deepseek")
    assert deepseek.has_unpriced
    assert deepseek.unpriced_tokens == pytest.approx(30_000_000)
