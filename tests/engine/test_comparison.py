"""What is compared: partial coverage, usage left out, unranked candidates and what they lack,
cost-only exports, dated snapshots before their release. Figures worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.engine.history import reprice_history
from dashboard.engine.projection import project
from dashboard.engine.scenario import Scenario

from .factory import D, catalog, daily_usage, model, price, provider, usage

JULY = D(2024, 7, 1)


def coverage_catalog():
    return catalog(
        [provider("openai"), provider("cheap"), provider("gap")],
        [
            model(1, "openai", "gpt-4o", "flagship"),
            model(10, "cheap", "c-large", "flagship"),
            model(20, "gap", "g-large", "flagship"),
        ],
        [
            price(1, 2.5, 10.0),
            price(10, 1.0, 2.0),
            # gap's only flagship loses its price on Jul 20
            price(20, 1.0, 1.0, end=D(2024, 7, 20)),
        ],
    )


def june_usage():
    """June 2024: gpt-4o 1M input + 1M output a day (30M each), an unknown id 10M output."""
    known = daily_usage(
        D(2024, 6, 1), D(2024, 6, 30), "gpt-4o", tokens_input_uncached=1_000_000,
        tokens_output=1_000_000,
    )
    unknown = usage(
        [{"day": D(2024, 6, 15), "source_model": "mystery-7b", "tokens_output": 10_000_000}]
    )
    return pd.concat([known, unknown], ignore_index=True)


def by_candidate(result):
    return {s.candidate: s for s in result.summary}


def test_an_unknown_model_is_left_out_and_the_rest_is_ranked_with_its_coverage():
    result = project(june_usage(), coverage_catalog(), Scenario(switch_date=JULY, horizon_months=1))
    comparison = result.comparison
    # July carries the June baseline: 60M gpt-4o tokens + 10M of the unknown id
    assert comparison.status == "compared"
    assert comparison.total_tokens == pytest.approx(70e6)
    assert comparison.compared_tokens == pytest.approx(60e6)
    assert comparison.compared_pct == pytest.approx(60 / 70 * 100)
    (left_out,) = comparison.left_out
    assert (left_out.source_model, left_out.tokens) == ("mystery-7b", pytest.approx(10e6))
    assert str(left_out.reason) == "not in the catalog (identify it to compare it)"
    summary = by_candidate(result)
    # current: 30M x $2.5 + 30M x $10 = $375; cheap: 30M x $1 + 30M x $2 = $90
    assert summary["current"].total_display == pytest.approx(375)
    assert summary["cheap"].total_display == pytest.approx(90)
    assert summary["cheap"].rank == 1
    assert summary["cheap"].savings_vs_current_display == pytest.approx(285)
    assert summary["cheap"].savings_vs_current_pct == pytest.approx(76)
    # every ranked candidate prices the comparable 60M of 70M
    assert summary["cheap"].coverage_pct == pytest.approx(60 / 70 * 100)
    assert summary["current"].coverage_pct == pytest.approx(60 / 70 * 100)


def test_a_candidate_that_cannot_price_the_comparable_usage_is_unranked_with_what_it_lacks():
    result = project(june_usage(), coverage_catalog(), Scenario(switch_date=JULY, horizon_months=1))
    gap = by_candidate(result)["gap"]
    assert gap.rank is None and gap.has_unpriced
    (lack,) = gap.lacks
    assert lack.code == "lacks_price"
    assert str(lack) == "gpt-4o → g-large: no price from 2024-07-20 to 2024-07-31"
    # Priced Jul 1-19: 19 of 31 days of 30M input + 30M output at $1 + $1
    assert gap.total_display == pytest.approx(2 * 30 * 19 / 31)
    assert gap.unpriced_tokens == pytest.approx(60e6 * 12 / 31)
    assert gap.coverage_pct == pytest.approx(60 * 19 / 31 / 70 * 100)
    assert math.isnan(gap.savings_vs_current_display)


def test_when_the_current_provider_prices_nothing_candidates_are_ranked_without_savings():
    cat = catalog(
        [provider("openai"), provider("cheap")],
        [model(1, "openai", "gpt-4o", "flagship"), model(10, "cheap", "c-large", "flagship")],
        [price(10, 1.0, 2.0)],  # OpenAI's price is not in this catalog
    )
    result = project(june_usage(), cat, Scenario(switch_date=JULY, horizon_months=1))
    assert result.comparison.status == "current_unpriced"
    assert result.comparison.compared_tokens == pytest.approx(60e6)
    summary = by_candidate(result)
    assert summary["cheap"].rank == 1 and summary["cheap"].total_display == pytest.approx(90)
    assert math.isnan(summary["cheap"].savings_vs_current_display)
    assert summary["current"].rank is None


def cost_only_export():
    """Anthropic's cost export: money per model and day, every token column 0."""
    return usage(
        [
            {"day": D(2025, 11, 3), "source_provider": "anthropic", "source_model": "Claude Haiku 4.5",
             "reported_cost": 12.5, "reported_currency": "USD"},
            {"day": D(2025, 11, 20), "source_provider": "anthropic", "source_model": "Claude Haiku 4.5",
             "reported_cost": 7.5, "reported_currency": "USD"},
            {"day": D(2025, 12, 1), "source_provider": "anthropic", "source_model": "Claude Haiku 4.5",
             "reported_cost": 4.0, "reported_currency": "USD"},
            {"day": D(2025, 12, 2), "source_provider": "anthropic", "source_model": "Claude Sonnet 4.5",
             "reported_cost": 30.0, "reported_currency": "USD"},
        ]
    )


def test_a_cost_only_export_is_not_ranked_at_zero_and_its_bill_is_kept_by_model_and_month():
    cat = coverage_catalog()
    result = project(cost_only_export(), cat, Scenario(switch_date=D(2026, 1, 1), horizon_months=3))
    assert result.comparison.status == "no_token_counts"
    assert result.summary == []  # no candidate at $0.00
    assert result.monthly.empty
    assert {(i.source_model, i.tokens, i.reason.code) for i in result.comparison.left_out} == {
        ("Claude Haiku 4.5", 0.0, "no_token_counts"),
        ("Claude Sonnet 4.5", 0.0, "no_token_counts"),
    }
    history = reprice_history(cost_only_export(), cat, Scenario(switch_date=D(2026, 1, 1)))
    assert history.summary == []
    billed = {
        (row.source_model, row.month.isoformat(), row.currency): row.billed
        for row in history.billed_monthly.itertuples()
    }
    # Haiku: 12.5 + 7.5 in November, 4.0 in December; Sonnet 30.0 in December
    assert billed == {
        ("Claude Haiku 4.5", "2025-11-01", "USD"): pytest.approx(20.0),
        ("Claude Haiku 4.5", "2025-12-01", "USD"): pytest.approx(4.0),
        ("Claude Sonnet 4.5", "2025-12-01", "USD"): pytest.approx(30.0),
    }


def snapshot_catalog():
    return catalog(
        [provider("openai"), provider("cheap")],
        [
            model(1, "openai", "gpt-4o", "flagship", family="gpt-4o", released=D(2024, 5, 13)),
            model(2, "openai", "gpt-4o-2024-08-06", "flagship", family="gpt-4o", released=D(2024, 8, 6)),
            model(3, "openai", "gpt-4o-mini", "economy", family="gpt-4o", released=D(2024, 7, 18)),
            model(10, "cheap", "c-large", "flagship"),
            model(11, "cheap", "c-small", "economy"),
        ],
        [
            price(1, 5.0, 15.0, start=D(2024, 5, 13)),
            price(2, 2.5, 10.0, start=D(2024, 8, 6)),
            price(3, 0.15, 0.6, start=D(2024, 7, 18)),
            price(10, 1.0, 1.0),
            price(11, 0.1, 0.1),
        ],
    )


def snapshot_usage():
    """June 2026: 1M input tokens a day on each dated snapshot (30M a month each)."""
    frame = daily_usage(D(2026, 6, 1), D(2026, 6, 30), "gpt-4o-2024-08-06", tokens_input_uncached=1_000_000)
    mini = daily_usage(D(2026, 6, 1), D(2026, 6, 30), "gpt-4o-mini", tokens_input_uncached=1_000_000)
    return pd.concat([frame, mini], ignore_index=True)


def test_a_dated_snapshot_before_its_release_is_priced_as_its_family_model_and_flagged():
    # Switch on the OpenAI cut-off: Jul 9 - Aug 8 2024, 31 days of 30M/31 a day (July)
    # and 30M/31 (August) per model.
    result = project(
        snapshot_usage(), snapshot_catalog(), Scenario(switch_date=D(2024, 7, 9), horizon_months=1)
    )
    current = by_candidate(result)["current"]
    per_day = 30e6 / 31 / 1e6
    # gpt-4o-2024-08-06: Jul 9 - Aug 5 (28 days) as gpt-4o at $5, Aug 6-8 at its own $2.50;
    # gpt-4o-mini: Jul 18 - Aug 8 (22 days) at $0.15
    snapshot = 28 * per_day * 5.0 + 3 * per_day * 2.5
    mini = 22 * per_day * 0.15
    assert current.total_display == pytest.approx(snapshot + mini)
    assert [str(n) for n in current.notes] == [
        "gpt-4o-2024-08-06 priced as gpt-4o before its release on 2024-08-06"
    ]
    assert current.notes[0].code == "pre_release"
    assert current.rank is not None and not current.has_unpriced
    # A cheaper sibling of another tier is not priced as the flagship: gpt-4o-mini's nine
    # days before its release are left out of the comparison, for everyone.
    (left_out,) = result.comparison.left_out
    assert left_out.source_model == "gpt-4o-mini"
    assert left_out.tokens == pytest.approx(9 * 30e6 / 31)
    # (the test factory names providers after their slug: "Openai")
    assert str(left_out.reason) == "Openai has no price for gpt-4o-mini from 2024-07-09 to 2024-07-17"
    cheap = by_candidate(result)["cheap"]
    # the same compared days on cheap: 31 days of the snapshot at $1, 22 of mini at $0.10
    assert cheap.total_display == pytest.approx(31 * per_day * 1.0 + 22 * per_day * 0.1)
    assert cheap.savings_vs_current_display == pytest.approx(snapshot + mini - cheap.total_display)


def test_history_uses_the_same_comparable_usage_rules():
    cat = coverage_catalog()
    history = reprice_history(june_usage(), cat, Scenario(switch_date=JULY))
    assert history.comparison.status == "compared"
    assert history.comparison.compared_tokens == pytest.approx(60e6)
    summary = by_candidate(history)
    # June itself: 30M x $2.5 + 30M x $10 on OpenAI, 30M x $1 + 30M x $2 on cheap, and gap,
    # whose price still ran in June: 30M x $1 + 30M x $1
    assert summary["current"].total_display == pytest.approx(375)
    assert summary["cheap"].total_display == pytest.approx(90)
    assert (summary["gap"].rank, summary["gap"].total_display) == (1, pytest.approx(60))
    assert summary["cheap"].rank == 2
