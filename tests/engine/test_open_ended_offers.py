"""Offers whose end is not published: claimed only within the assumption window after the
day a source last showed them running, and flagged as resting on that assumption."""

from __future__ import annotations

import dataclasses

import pytest

from dashboard.engine.offers import ASSUMPTION_EXPIRED, CLAIMED

from .factory import D, offer
from .test_offers import offer_catalog, profile, run


def open_ended(last_seen, assumed_until, **kwargs):
    # The catalog computes assumed_until = last_seen_on + the window (providers.catalog).
    base = offer(1, "sense", tokens=10_000_000, starts=D(2024, 6, 1), **kwargs)
    return dataclasses.replace(base, last_seen_on=last_seen, assumed_until=assumed_until)


def test_an_open_ended_offer_is_refused_after_its_assumed_end_with_the_dates_in_the_reason():
    # Last seen running on 2024-07-10; 6 months later is 2025-01-10; a switch on 2025-01-11
    # is one day too late.
    cat = offer_catalog(open_ended(D(2024, 7, 10), D(2025, 1, 10)))
    result, _, summary = run(
        cat, profile({"gpt-4o": (20_000_000, 0)}), switch_date=D(2025, 1, 11), horizon_months=1
    )
    (outcome,) = result.offers
    assert not outcome.applied
    assert outcome.reason_code == ASSUMPTION_EXPIRED
    assert dict(outcome.reason_params) == {
        "last_seen_on": "2024-07-10",
        "assumed_until": "2025-01-10",
    }
    assert outcome.reason == (
        "end not published; last seen running on 2024-07-10, assumed running until 2025-01-10 only"
    )
    assert not outcome.assumed_running
    assert summary.free_tokens_used == 0


def test_an_open_ended_offer_is_claimed_on_the_last_assumed_day_and_says_it_rests_on_it():
    cat = offer_catalog(open_ended(D(2024, 7, 10), D(2025, 1, 10)))
    result, _, summary = run(
        cat, profile({"gpt-4o": (20_000_000, 0)}), switch_date=D(2025, 1, 10), horizon_months=1
    )
    (outcome,) = result.offers
    assert (outcome.applied, outcome.reason_code, outcome.reason) == (True, CLAIMED, "claimed")
    assert outcome.assumed_running
    assert (outcome.last_seen_on, outcome.assumed_until) == (D(2024, 7, 10), D(2025, 1, 10))
    # 20M a month is drawn on the 10M pool: it is used up, whatever the month's proration.
    assert summary.free_tokens_used == pytest.approx(10e6)
    as_json = outcome.to_dict()
    assert (as_json["assumed_running"], as_json["assumed_until"]) == (True, "2025-01-10")


def test_an_offer_with_a_published_end_does_not_rest_on_the_assumption():
    cat = offer_catalog(offer(1, "sense", tokens=10_000_000, ends=D(2024, 12, 31)))
    result, _, _ = run(cat, profile({"gpt-4o": (20_000_000, 0)}))
    (outcome,) = result.offers
    assert outcome.applied
    assert not outcome.assumed_running


def test_a_published_end_wins_over_an_assumption_window():
    # Ended 2024-06-30 although a stale window would run to 2025: the campaign is over.
    base = offer(1, "sense", tokens=10_000_000, starts=D(2024, 6, 1), ends=D(2024, 6, 30))
    stale = dataclasses.replace(base, last_seen_on=D(2024, 6, 20), assumed_until=D(2024, 12, 20))
    result, _, _ = run(offer_catalog(stale), profile({"gpt-4o": (20_000_000, 0)}))
    assert result.offers[0].reason == "campaign over"
