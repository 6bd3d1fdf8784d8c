"""History mode: the uploaded days re-priced, and reconciliation against the bill."""

from __future__ import annotations

import json
import math

import pytest

from dashboard.engine.history import history_scenario, reprice_history
from dashboard.engine.scenario import Scenario

from .factory import D, catalog, model, offer, price, provider, rate, usage


def history_catalog():
    return catalog(
        [provider("openai"), provider("deepseek", "CNY")],
        [model(1, "openai", "gpt-4o-mini", "economy"), model(2, "deepseek", "ds", "economy")],
        [
            price(1, 0.15, 0.60),
            price(2, 1.0, 2.0, end=D(2024, 7, 16), currency="CNY"),
            price(2, 2.0, 2.0, start=D(2024, 7, 16), currency="CNY"),
        ],
        rates=[rate(D(2024, 7, 1), 7.0), rate(D(2024, 7, 20), 8.0)],
    )


def test_history_is_repriced_with_the_prices_and_rates_of_each_day():
    frame = usage(
        [
            {
                "day": D(2024, 7, 10),
                "source_model": "gpt-4o-mini",
                "tokens_input_uncached": 7_000_000,
            },
            {
                "day": D(2024, 7, 25),
                "source_model": "gpt-4o-mini",
                "tokens_input_uncached": 8_000_000,
            },
            {"day": D(2024, 8, 2), "source_model": "gpt-4o-mini", "tokens_output": 1_000_000},
        ]
    )
    result = reprice_history(frame, history_catalog(), Scenario(providers=("deepseek",)))
    ds = result.monthly[result.monthly["candidate"] == "deepseek"]
    # Jul 10: 7M x CNY1 at 7.0 = $1; Jul 25: 8M x CNY2 at 8.0 = $2; Aug 2: 1M x CNY2 / 8 = $0.25
    assert ds["cost_display"].tolist() == pytest.approx([3.0, 0.25])
    assert ds["cost_native"].tolist() == pytest.approx([23.0, 2.0])
    current = result.monthly[result.monthly["candidate"] == "current"]
    # 15M x $0.15 = 2.25; 1M x $0.60
    assert current["cost_display"].tolist() == pytest.approx([2.25, 0.60])
    json.dumps(result.to_dict())


def test_reconciliation_compares_engine_cost_with_the_bill_per_currency():
    frame = usage(
        [
            {
                "day": D(2024, 7, 10),
                "source_model": "gpt-4o-mini",
                "tokens_input_uncached": 10_000_000,
                "reported_cost": 1.60,
                "reported_currency": "USD",
            },
            {
                "day": D(2024, 7, 10),
                "source_provider": "deepseek",
                "source_model": "ds",
                "tokens_input_uncached": 7_000_000,
                "reported_cost": 6.3,
                "reported_currency": "CNY",
            },
            {"day": D(2024, 7, 11), "source_model": "gpt-4o-mini", "tokens_output": 1_000_000},
        ]
    )
    result = reprice_history(frame, history_catalog(), Scenario(providers=("openai",)))
    by_currency = {r.currency: r for r in result.reconciliation}
    usd = by_currency["USD"]
    # engine 10M x $0.15 = $1.50 vs bill $1.60 -> -$0.10, -6.25 %; the unbilled row is left out
    assert usd.billed_native == pytest.approx(1.60)
    assert usd.computed_display == pytest.approx(1.50)
    assert usd.difference_display == pytest.approx(-0.10)
    assert usd.difference_pct == pytest.approx(-6.25)
    cny = by_currency["CNY"]
    # bill CNY6.30 / 7.0 = $0.90; engine 7M x CNY1 / 7.0 = $1.00 -> +$0.10, +11.1 %
    assert cny.billed_display == pytest.approx(0.90)
    assert cny.computed_display == pytest.approx(1.00)
    assert cny.difference_pct == pytest.approx(0.10 / 0.90 * 100)
    assert cny.unpriced_tokens == 0


def test_bills_of_rows_the_engine_cannot_price_are_not_compared():
    frame = usage(
        [
            {
                "day": D(2024, 7, 10),
                "source_model": "gpt-4o-mini",
                "tokens_input_uncached": 10_000_000,
                "reported_cost": 1.60,
                "reported_currency": "USD",
            },
            {
                "day": D(2024, 7, 10),
                "source_model": "mystery",
                "tokens_output": 5_000_000,
                "reported_cost": 3.00,
                "reported_currency": "USD",
            },
            {
                "day": D(2024, 7, 10),
                "source_model": "gpt-4o-mini",
                "reported_cost": 0.40,
                "reported_currency": "USD",
            },
        ]
    )
    (usd,) = reprice_history(
        frame, history_catalog(), Scenario(providers=("openai",))
    ).reconciliation
    # Bill $5.00 in all; only the first row ($1.60, engine $1.50) can be compared:
    # the unknown model and the row without token counts are set apart ($3.40).
    assert usd.billed_display == pytest.approx(5.0)
    assert usd.billed_not_compared_display == pytest.approx(3.4)
    assert usd.difference_display == pytest.approx(-0.10)
    assert usd.unpriced_tokens == 5_000_000


def test_reconciliation_with_nothing_comparable_has_no_difference():
    frame = usage(
        [
            {
                "day": D(2024, 7, 10),
                "source_model": "mystery",
                "tokens_output": 5,
                "reported_cost": 3.00,
                "reported_currency": "USD",
            }
        ]
    )
    (usd,) = reprice_history(
        frame, history_catalog(), Scenario(providers=("openai",))
    ).reconciliation
    assert math.isnan(usd.computed_display)
    assert math.isnan(usd.difference_pct)
    assert usd.to_dict()["difference_pct"] is None


def test_history_ignores_horizon_growth_baseline_and_offers():
    # The dashboard reuses one history across these changes (history_scenario): if history
    # started to depend on any of them, this comparison would catch it.
    base = history_catalog()
    cat = catalog(
        list(base.providers.values()),
        list(base.models.values()),
        [row for rows in base.prices.values() for row in rows],
        offers=[offer(9, "deepseek", tokens=5_000_000, eligibility="new_customers")],
        rates=[rate(D(2024, 7, 1), 7.0), rate(D(2024, 7, 20), 8.0)],
    )
    frame = usage(
        [
            {"day": D(2024, 7, 10), "source_model": "gpt-4o-mini", "tokens_input_uncached": 7_000_000},
            {"day": D(2024, 8, 2), "source_model": "gpt-4o-mini", "tokens_output": 1_000_000},
        ]
    )
    scenario = Scenario(
        switch_date=D(2024, 7, 1), horizon_months=24, growth_pct=25.0, baseline_months=1,
        eligibility=frozenset({"new_customers"}),
    )
    full = reprice_history(frame, cat, scenario).to_dict()
    reduced = reprice_history(frame, cat, history_scenario(scenario)).to_dict()
    full.pop("scenario")
    reduced.pop("scenario")
    assert full == reduced
    assert history_scenario(scenario).switch_date == scenario.switch_date
