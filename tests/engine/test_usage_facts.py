"""`UsageFacts`: what a projection keeps from one frame between scenarios (baseline volumes,
request sizes, price schedules) must give the figures a fresh projection gives, whatever
scenario field changes between two runs."""

from __future__ import annotations

import dataclasses

import pytest

from dashboard.engine.projection import UsageFacts, project
from dashboard.engine.scenario import Scenario

from .factory import D, catalog, model, offer, price, provider, rate, usage


def two_month_catalog(offers=()):
    # 'dear' bills in CNY: the display currency and the exchange rate change its figures.
    return catalog(
        [provider("openai"), provider("cheap"), provider("dear", "CNY")],
        [
            model(1, "openai", "gpt-4o-mini", "economy"),
            model(2, "cheap", "c1", "economy", window=1_200_000),
            model(3, "dear", "d1", "economy"),
            model(4, "cheap", "c1-long", "economy", window=2_000_000),
        ],
        [
            price(1, 1.0, 2.0),
            price(2, 0.5, 1.0),
            price(4, 0.8, 1.6),
            price(3, 14.0, 7.0, currency="CNY", end=D(2024, 7, 31)),
            price(3, 7.0, 3.5, currency="CNY", start=D(2024, 8, 1), verification="unverified"),
        ],
        offers=offers,
        rates=[rate(D(2024, 1, 1), 7.0)],
    )


def profile():
    """May: 10M in, 1M out over 10 requests; June: 20M in, 3M out over 40 requests."""
    return usage(
        [
            {"day": D(2024, 5, 1), "source_model": "gpt-4o-mini", "requests": 10,
             "tokens_input_uncached": 10_000_000, "tokens_output": 1_000_000},
            {"day": D(2024, 5, 31), "source_model": "gpt-4o-mini"},
            {"day": D(2024, 6, 1), "source_model": "gpt-4o-mini", "requests": 40,
             "tokens_input_uncached": 20_000_000, "tokens_output": 3_000_000},
            {"day": D(2024, 6, 30), "source_model": "gpt-4o-mini"},
        ]
    )


def totals(result) -> dict[str, float | None]:
    return {s.candidate: s.total_display for s in result.summary}


FIRST = Scenario(switch_date=D(2024, 7, 1), horizon_months=3, baseline_months=1)
CHANGES = [
    {"growth_pct": 25.0},
    {"baseline_months": 2},  # May and June averaged, not June alone
    {"display_currency": "CNY"},
    {"display_currency": "CNY", "fx_override": 8.0},
    {"include_unverified": True},  # 'dear' has an unverified price from August
    {"horizon_months": 6},
    {"switch_date": D(2024, 8, 15)},
    {"typical_prompt_tokens": 900_000},  # 980k a request: c1 no longer fits
]


def test_the_baseline_follows_the_number_of_months_asked() -> None:
    """June alone: 20M in + 3M out a month; May and June: 15M + 2M. At $1/$2 per 1M on
    OpenAI, July costs $26 on the first baseline and $19 on the second."""
    frame, cat = profile(), two_month_catalog()
    facts = UsageFacts(frame)
    one = Scenario(switch_date=D(2024, 7, 1), horizon_months=1, baseline_months=1, providers=("openai",))
    two = dataclasses.replace(one, baseline_months=2)

    assert totals(project(frame, cat, one, facts=facts))["current"] == pytest.approx(26.0)
    assert totals(project(frame, cat, two, facts=facts))["current"] == pytest.approx(19.0)
    assert totals(project(frame, cat, one, facts=facts))["current"] == pytest.approx(26.0)


def test_facts_of_another_frame_are_not_used() -> None:
    frame, cat = profile(), two_month_catalog()
    other = usage([{"day": D(2024, 6, 1), "source_model": "gpt-4o-mini", "tokens_input_uncached": 1},
                   {"day": D(2024, 6, 30), "source_model": "gpt-4o-mini"}])
    facts = UsageFacts(other)
    project(other, cat, FIRST, facts=facts)

    assert totals(project(frame, cat, FIRST, facts=facts)) == pytest.approx(totals(project(frame, cat, FIRST)))


def test_a_new_catalog_snapshot_gets_its_own_price_schedules() -> None:
    """The same scenario on a catalog whose OpenAI price doubled: the kept schedules of the
    old snapshot must not price it."""
    frame = profile()
    facts = UsageFacts(frame)
    scenario = Scenario(switch_date=D(2024, 7, 1), horizon_months=1, baseline_months=1, providers=("openai",))
    before = two_month_catalog()
    project(frame, before, scenario, facts=facts)
    after = catalog(
        [provider("openai")], [model(1, "openai", "gpt-4o-mini", "economy")], [price(1, 2.0, 4.0)],
        rates=[rate(D(2024, 1, 1), 7.0)],
    )

    assert totals(project(frame, after, scenario, facts=facts))["current"] == pytest.approx(52.0)


def offer_catalog():
    """`two_month_catalog` with 100M free tokens on cheap's c1-long for teams moving from
    OpenAI: with the offer cheap runs on c1-long for free, without it on c1 (cheaper by list
    price). Which offers a provider has to choose from is kept between runs (the planning)."""
    return two_month_catalog([offer(1, "cheap", tokens=100_000_000, models=[4], eligibility="openai_migrants")])


PLANNING_CHANGES = [
    {"eligibility": frozenset()},  # the offer can no longer be claimed
    {"providers": ("cheap", "dear")},
    {"mapping_overrides": (("gpt-4o-mini", "cheap", 2),)},  # c1 chosen by hand, offer unused
]


CASES = [(two_month_catalog, c) for c in CHANGES] + [(offer_catalog, c) for c in PLANNING_CHANGES]


@pytest.mark.parametrize(("make_catalog", "change"), CASES, ids=[",".join(c) for _, c in CASES])
def test_a_projection_with_kept_facts_equals_a_fresh_one(make_catalog, change) -> None:
    """Kept facts (baseline, schedules) and a kept planning (offers, admissible models) give
    the figures and mappings a fresh projection gives, whatever field changed."""
    frame, cat = profile(), make_catalog()
    facts = UsageFacts(frame)
    first = project(frame, cat, FIRST, facts=facts)
    changed = dataclasses.replace(FIRST, **change)

    kept = project(frame, cat, changed, facts=facts)
    fresh = project(frame, cat, changed)

    assert totals(kept) == pytest.approx(totals(fresh), nan_ok=True)
    assert totals(kept) != totals(first)  # the change matters, so a stale fact would show
    assert [s.mappings for s in kept.summary] == [s.mappings for s in fresh.summary]


def test_the_offer_makes_cheap_run_on_c1_long_for_free() -> None:
    """The premise of the planning test: June's 20M in + 3M out a month, three months = 69M
    tokens, all within the 100M pool on c1-long; without eligibility cheap pays c1's list
    price: 3 x (20 x $0.5 + 3 x $1.0) = $39."""
    frame, cat = profile(), offer_catalog()
    with_offer = {s.candidate: s for s in project(frame, cat, FIRST).summary}["cheap"]
    without = project(frame, cat, dataclasses.replace(FIRST, eligibility=frozenset()))
    assert with_offer.mappings[0].target_model_id == "c1-long"
    assert with_offer.total_display == pytest.approx(0.0)
    assert totals(without)["cheap"] == pytest.approx(39.0)
