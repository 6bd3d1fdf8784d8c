"""Your billed rate: effective unit prices from the bill, and the current provider priced at
them in the projection; the list-vs-billed gap per model."""

from __future__ import annotations

import math

import pytest

from dashboard.engine.billed_rates import effective_rates, list_vs_billed, renamed
from dashboard.engine.projection import CURRENT, project
from dashboard.engine.scenario import Scenario

from .factory import D, catalog, daily_usage, model, price, provider, rate, usage

CHINA = "azure-openai-china"


def billed(month, kind, tokens, cost, model_id="gpt-4o", batch=False, currency="CNY"):
    return {"month": month, "source_provider": CHINA, "source_model": model_id,
            "token_kind": kind, "batch": batch, "tokens": tokens, "cost": cost,
            "currency": currency}


def test_effective_rate_is_billed_cost_over_tokens_of_the_chosen_months():
    table = [
        billed("2024-05", "input", 10_000_000, 500.0),  # 50 per M: outside the window
        billed("2024-06", "input", 30_000_000, 1050.0),
        billed("2024-07", "input", 10_000_000, 300.0),
        billed("2024-06", "output", 3_000_000, 315.0),
    ]
    rates = effective_rates(table, [D(2024, 6, 1), D(2024, 7, 1)])
    rate_ = rates.get(CHINA, "gpt-4o", False)
    # (1050 + 300) / 40M tokens = 33.75 per M: weighted by tokens, not a mean of 35 and 30
    assert rate_.input_per_mtok == pytest.approx(33.75)
    assert rate_.output_per_mtok == pytest.approx(105.0)  # 315 / 3M
    assert math.isnan(rate_.cache_read_per_mtok)  # no cache reads billed: no rate, not 0
    assert rates.months == ("2024-06", "2024-07")
    assert rates.label == "mean of 2024-06 – 2024-07"


def test_a_kind_whose_cost_the_bill_does_not_give_has_no_rate():
    table = [billed("2024-06", "input", 1_000_000, 35.0),
             billed("2024-06", "output", 1_000_000, None)]
    rate_ = effective_rates(table).get(CHINA, "gpt-4o", False)
    assert rate_.input_per_mtok == pytest.approx(35.0)
    assert math.isnan(rate_.output_per_mtok)


def test_identified_ids_carry_their_billed_rates():
    table = [billed("2024-06", "input", 1_000_000, 35.0, model_id="GPT 5 Inpt Glbl 1M Tokens")]
    moved = renamed(table, {"GPT 5 Inpt Glbl 1M Tokens": ("azure-openai", "gpt-5")})
    assert effective_rates(moved).get("azure-openai", "gpt-5", False).input_per_mtok == 35.0


def china_catalog():
    return catalog(
        [provider(CHINA, "CNY"), provider("deepseek", "CNY")],
        [model(1, CHINA, "gpt-4o", "flagship"), model(2, "deepseek", "deepseek-chat", "flagship")],
        # Azure China has no list price; DeepSeek 1 CNY input, 2 CNY output per 1M
        [price(2, 1.0, 2.0, currency="CNY")],
        rates=[rate(D(2024, 1, 1), 7.0)],
    )


def june_usage():
    # 1M input and 0.1M output tokens a day through June 2024: 30M / 3M in the month
    return daily_usage(D(2024, 6, 1), D(2024, 6, 30), "gpt-4o", provider_slug=CHINA,
                       tokens_input_uncached=1_000_000, tokens_output=100_000)


JUNE_BILL = [billed("2024-06", "input", 30_000_000, 1050.0),
             billed("2024-06", "output", 3_000_000, 315.0)]


def scenario(**overrides):
    base = {"switch_date": D(2024, 7, 1), "horizon_months": 1, "display_currency": "CNY",
            "baseline_months": 3}
    return Scenario(**{**base, **overrides})


def by_candidate(result):
    return {s.candidate: s for s in result.summary}


def test_current_provider_without_list_price_is_priced_at_its_billed_rates_and_ranked():
    result = project(june_usage(), china_catalog(), scenario(), billed_usage=JUNE_BILL)
    summaries = by_candidate(result)
    current = summaries[CURRENT]
    # July = the June baseline: 30M x 35 + 3M x 105 CNY per M = 1050 + 315
    assert current.total_display == pytest.approx(1365.0)
    assert not current.has_unpriced
    assert current.label.endswith("at billed rates")
    assert current.rank == 2
    # DeepSeek: 30M x 1 + 3M x 2 = 36 CNY, 1365 - 36 saved
    assert summaries["deepseek"].total_display == pytest.approx(36.0)
    assert summaries["deepseek"].rank == 1
    assert summaries["deepseek"].savings_vs_current_display == pytest.approx(1329.0)
    assert result.current_billed_rates == "2024-06"
    assert result.to_dict()["current_priced_at"] == "billed rates (2024-06)"


def test_billed_rates_off_leaves_the_current_provider_unpriced():
    result = project(june_usage(), china_catalog(), scenario(billed_rates=False),
                     billed_usage=JUNE_BILL)
    current = by_candidate(result)[CURRENT]
    assert current.has_unpriced and current.rank is None
    assert result.to_dict()["current_priced_at"] == "list prices"


def test_automatic_choice_keeps_list_prices_when_the_current_model_has_one():
    priced = catalog(
        [provider(CHINA, "CNY")], [model(1, CHINA, "gpt-4o", "flagship")],
        [price(1, 20.0, 60.0, currency="CNY")], rates=[rate(D(2024, 1, 1), 7.0)],
    )
    auto = by_candidate(project(june_usage(), priced, scenario(), billed_usage=JUNE_BILL))
    # list: 30M x 20 + 3M x 60 = 600 + 180
    assert auto[CURRENT].total_display == pytest.approx(780.0)
    chosen = by_candidate(project(june_usage(), priced, scenario(billed_rates=True),
                                  billed_usage=JUNE_BILL))
    assert chosen[CURRENT].total_display == pytest.approx(1365.0)


def test_billed_rates_convert_to_the_display_currency_with_the_day_rate():
    result = project(june_usage(), china_catalog(), scenario(display_currency="USD"),
                     billed_usage=JUNE_BILL)
    # 1365 CNY at 7 CNY per USD
    assert by_candidate(result)[CURRENT].total_display == pytest.approx(195.0)


def test_list_vs_billed_gap_per_model():
    cat = catalog([provider("azure-openai")], [model(1, "azure-openai", "gpt-4o")],
                  [price(1, 2.5, 10.0)])
    frame = usage([{"day": D(2026, 5, 1), "source_provider": "azure-openai",
                    "source_model": "gpt-4o", "tokens_input_uncached": 1_000_000,
                    "tokens_output": 100_000, "reported_cost": 3.15, "reported_currency": "USD"}])
    (gap,) = list_vs_billed(frame, cat, Scenario(switch_date=D(2026, 6, 1)))
    # list: 1M x 2.50 + 0.1M x 10 = 3.50; billed 3.15: 0.35 (10 %) below list
    assert gap.list_display == pytest.approx(3.5)
    assert gap.billed_display == pytest.approx(3.15)
    assert gap.gap_display == pytest.approx(-0.35)
    assert gap.gap_pct == pytest.approx(-10.0)


def test_list_vs_billed_says_no_list_price_rather_than_zero():
    frame = usage([{"day": D(2024, 6, 1), "source_provider": CHINA, "source_model": "gpt-4o",
                    "tokens_input_uncached": 1_000_000, "reported_cost": 35.0,
                    "reported_currency": "CNY"}])
    (gap,) = list_vs_billed(frame, china_catalog(), scenario())
    assert math.isnan(gap.list_display) and math.isnan(gap.gap_display)
    assert gap.to_dict()["list_display"] is None
    assert gap.billed_native == 35.0
