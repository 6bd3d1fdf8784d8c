"""Offers: claim rules, pool expiry, draw order, per-model pools, token kinds, credits."""

from __future__ import annotations

import pytest

from dashboard.engine.projection import project
from dashboard.engine.scenario import Scenario

from .factory import D, catalog, model, offer, price, provider, rate, usage

SWITCH = D(2024, 7, 1)


def profile(monthly: dict[str, tuple[int, int]]):
    """April-June 2024 with the same (input, output) tokens each month per source model,
    written on the 1st; a zero row on June 30 makes all three months complete."""
    rows = []
    for model_id, (inp, out) in monthly.items():
        for month in (4, 5, 6):
            rows.append(
                {
                    "day": D(2024, month, 1),
                    "source_model": model_id,
                    "tokens_input_uncached": inp,
                    "tokens_output": out,
                }
            )
        rows.append({"day": D(2024, 6, 30), "source_model": model_id})
    return usage(rows)


def offer_catalog(*offers, prices=None, extra_models=(), rates=()):
    return catalog(
        [provider("openai"), provider("sense", "CNY")],
        [
            model(1, "openai", "gpt-4o", "flagship"),
            model(2, "openai", "gpt-4o-mini", "economy"),
            model(10, "sense", "sn-large", "flagship"),
            model(11, "sense", "sn-small", "economy"),
            *extra_models,
        ],
        prices
        or [price(1, 5.0, 15.0), price(2, 0.15, 0.6), price(10, 1.0, 2.0), price(11, 1.0, 2.0)],
        offers,
        rates=rates,
    )


def run(cat, frame, **kw):
    scenario = Scenario(
        **{
            "switch_date": SWITCH,
            "horizon_months": 4,
            "providers": ("sense",),
            "eligibility": frozenset({"openai_migrants"}),
            **kw,
        }
    )
    result = project(frame, cat, scenario)
    monthly = result.monthly[result.monthly["candidate"] == "sense"].reset_index(drop=True)
    summary = next(s for s in result.summary if s.candidate == "sense")
    return result, monthly, summary


def test_a_50m_pool_is_consumed_over_three_months_then_paid():
    cat = offer_catalog(offer(1, "sense", tokens=50_000_000, eligibility="openai_migrants"))
    _, monthly, summary = run(cat, profile({"gpt-4o": (20_000_000, 0)}))
    # 20M input a month at $1/M on sn-large: Jul 20M free, Aug 20M free, Sep 10M free + 10M paid,
    # Oct 20M paid.
    assert monthly["free_tokens_used"].tolist() == pytest.approx([20e6, 20e6, 10e6, 0])
    assert monthly["cost_display"].tolist() == pytest.approx([0, 0, 10, 20])
    assert monthly["cost_display_without_offers"].tolist() == pytest.approx([20, 20, 20, 20])
    assert summary.total_display == pytest.approx(30)
    assert summary.free_value_display == pytest.approx(50)
    # September: 20M / 30 days; the last 10M of the pool last 15 days -> used up on Sep 15
    assert summary.offers_exhausted_on == D(2024, 9, 15)


def test_a_pool_that_expires_loses_its_remaining_tokens():
    cat = offer_catalog(offer(1, "sense", tokens=100_000_000, valid_days=45))
    result, monthly, summary = run(cat, profile({"gpt-4o": (20_000_000, 0)}))
    (pool,) = result.offers[0].pools
    # Claimed Jul 1, 45 days counting the claim day -> last usable day Aug 14.
    assert pool.expires_on == D(2024, 8, 14)
    assert pool.exhausted_on is None
    # July 20M + Aug 1-14: 14 x 20M/31
    used = 20e6 + 14 * 20e6 / 31
    assert pool.used == pytest.approx(used)
    assert pool.left == pytest.approx(100e6 - used)
    assert monthly["cost_display"].tolist() == pytest.approx([0, 20 - 14 * 20 / 31, 20, 20])
    assert summary.offers_exhausted_on == D(2024, 8, 14)


def test_campaign_end_caps_the_pool_when_earlier_than_its_validity():
    cat = offer_catalog(offer(1, "sense", tokens=100_000_000, valid_days=90, ends=D(2024, 7, 20)))
    result, _, _ = run(cat, profile({"gpt-4o": (31_000_000, 0)}))
    (pool,) = result.offers[0].pools
    assert pool.expires_on == D(2024, 7, 20)
    # 1M a day in July, Jul 1-20 inclusive
    assert pool.used == pytest.approx(20e6)


def test_stacked_offers_draw_on_the_earliest_expiring_pool_first():
    cat = offer_catalog(
        offer(1, "sense", tokens=30_000_000, name="open-ended"),
        offer(2, "sense", tokens=30_000_000, ends=D(2024, 7, 31), name="ends in July"),
    )
    result, monthly, _ = run(cat, profile({"gpt-4o": (20_000_000, 0)}))
    pools = {o.name: o.pools[0] for o in result.offers}
    # July's 20M come from the pool ending Jul 31, which then expires with 10M left;
    # the open-ended pool pays August (20M) and 10M of September.
    assert pools["ends in July"].used == pytest.approx(20e6)
    assert pools["ends in July"].left == pytest.approx(10e6)
    assert pools["open-ended"].used == pytest.approx(30e6)
    assert pools["open-ended"].exhausted_on == D(2024, 9, 15)
    assert monthly["cost_display"].tolist() == pytest.approx([0, 0, 10, 20])


def test_per_model_offers_give_each_eligible_model_its_own_pool():
    cat = offer_catalog(offer(1, "sense", tokens=10_000_000, per_model=True))
    frame = profile({"gpt-4o": (20_000_000, 0), "gpt-4o-mini": (5_000_000, 0)})
    result, monthly, summary = run(cat, frame, horizon_months=1)
    pools = {p.label: p for p in result.offers[0].pools}
    large, small = pools["offer 1 - sn-large"], pools["offer 1 - sn-small"]
    # sn-large: 20M/31 a day, 10M reached after 15.5 days -> Jul 16; sn-small uses its 5M
    assert large.used == pytest.approx(10e6)
    assert large.exhausted_on == D(2024, 7, 16)
    assert small.used == pytest.approx(5e6)
    assert small.left == pytest.approx(5e6)
    # 25M at $1, 15M free -> $10
    assert summary.total_display == pytest.approx(10)


def test_output_only_offers_cover_output_tokens_only():
    cat = offer_catalog(offer(1, "sense", tokens=5_000_000, kind="output"))
    _, monthly, summary = run(cat, profile({"gpt-4o": (20_000_000, 10_000_000)}), horizon_months=1)
    # Without: 20M x $1 + 10M x $2 = 40; 5M output free = $10 off
    assert summary.total_without_offers_display == pytest.approx(40)
    assert summary.total_display == pytest.approx(30)
    assert summary.free_tokens_used == pytest.approx(5e6)
    assert summary.free_value_display == pytest.approx(10)


def test_input_only_offers_leave_output_paid():
    cat = offer_catalog(offer(1, "sense", tokens=100_000_000, kind="input"))
    _, _, summary = run(cat, profile({"gpt-4o": (20_000_000, 10_000_000)}), horizon_months=1)
    # all 20M input free; 10M output x $2 paid
    assert summary.total_display == pytest.approx(20)


def test_credit_offers_in_cny_are_spent_at_list_price_converted_with_fx():
    prices = [
        price(1, 5.0, 15.0),
        price(2, 0.15, 0.6),
        price(10, 10.0, 10.0, currency="CNY"),
        price(11, 10.0, 10.0, currency="CNY"),
    ]
    cat = offer_catalog(
        offer(1, "sense", credit=70.0, credit_currency="CNY"),
        prices=prices,
        rates=[rate(D(2024, 1, 1), 7.0)],
    )
    result, monthly, summary = run(cat, profile({"gpt-4o": (20_000_000, 0)}), horizon_months=1)
    (pool,) = result.offers[0].pools
    # 20M x CNY10 = CNY200 = $28.571; the CNY70 credit covers 7M tokens worth $10
    assert pool.unit == "CNY"
    assert pool.used == pytest.approx(70)
    assert pool.tokens_used == pytest.approx(7e6)
    assert pool.value_display == pytest.approx(10)
    assert summary.total_display == pytest.approx(200 / 7 - 10)
    assert monthly["cost_native"][0] == pytest.approx(130)


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"starts": D(2024, 8, 1)}, "campaign not started"),
        ({"ends": D(2024, 6, 30)}, "campaign over"),
        ({"eligibility": "new_customers"}, "not eligible: New customers"),
        # sn-vision has no price: 10M free, then 10M a month unpriced - worse than sn-large
        (
            {"models": [12]},
            "not claimed: sn-vision has no price in force, so gpt-4o's usage beyond the free "
            "tokens would have no price",
        ),
        ({"verification": "unverified"}, "unverified offer (excluded)"),
    ],
)
def test_offers_not_applicable_say_why(kwargs, reason):
    extra = [model(12, "sense", "sn-vision", "frontier")]
    cat = offer_catalog(offer(1, "sense", tokens=10_000_000, **kwargs), extra_models=extra)
    result, _, summary = run(
        cat,
        profile({"gpt-4o": (20_000_000, 0)}),
        horizon_months=1,
        eligibility=frozenset({"openai_migrants"}),
    )
    (outcome,) = result.offers
    assert not outcome.applied
    assert str(outcome.reason) == reason
    assert outcome.pools == ()
    assert summary.free_tokens_used == 0


def test_unverified_offers_apply_when_included_and_flag_the_candidate():
    cat = offer_catalog(offer(1, "sense", tokens=10_000_000, verification="unverified"))
    result, _, summary = run(
        cat, profile({"gpt-4o": (20_000_000, 0)}), horizon_months=1, include_unverified=True
    )
    assert result.offers[0].applied
    assert summary.uses_unverified


def july_2024_catalog():
    # Tencent-style: 100M free tokens for teams moving from OpenAI until the end of July 2024
    return offer_catalog(
        offer(
            1,
            "sense",
            tokens=100_000_000,
            eligibility="openai_migrants",
            starts=D(2024, 6, 25),
            ends=D(2024, 7, 31),
        )
    )


def test_switching_on_2024_07_09_claims_the_july_2024_offers():
    result, _, summary = run(
        july_2024_catalog(),
        profile({"gpt-4o": (31_000_000, 0)}),
        switch_date=D(2024, 7, 9),
        horizon_months=2,
    )
    assert result.offers[0].applied
    # 1M a day from Jul 9 to Jul 31 (campaign end) = 23M free
    assert summary.free_tokens_used == pytest.approx(23e6)


def test_switching_in_2026_misses_the_july_2024_offers():
    result, _, summary = run(
        july_2024_catalog(),
        profile({"gpt-4o": (31_000_000, 0)}),
        switch_date=D(2026, 11, 30),
    )
    assert result.offers[0].reason_code == "campaign_over"
    assert str(result.offers[0].reason) == "campaign over"
    assert summary.free_tokens_used == 0
