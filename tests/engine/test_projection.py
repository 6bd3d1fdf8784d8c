"""Baseline window, growth, proration, ranking and the JSON form of a projection."""

from __future__ import annotations

import json

import pytest

from dashboard.engine.projection import compute_baseline, project
from dashboard.engine.scenario import Scenario

from .factory import D, catalog, daily_usage, model, price, provider, rate, usage


def simple_catalog():
    return catalog(
        [provider("openai"), provider("cheap"), provider("dear", "CNY")],
        [
            model(1, "openai", "gpt-4o-mini", "economy"),
            model(2, "cheap", "c1", "economy"),
            model(3, "dear", "d1", "economy"),
        ],
        [price(1, 1.0, 0.0), price(2, 0.5, 0.0), price(3, 14.0, 0.0, currency="CNY")],
        rates=[rate(D(2024, 1, 1), 7.0)],
    )


def month_profile(tokens: int):
    """June 2024 only, `tokens` input in total (written on Jun 1, coverage to Jun 30)."""
    return usage(
        [
            {
                "day": D(2024, 6, 1),
                "source_model": "gpt-4o-mini",
                "requests": 1,
                "tokens_input_uncached": tokens,
            },
            {"day": D(2024, 6, 30), "source_model": "gpt-4o-mini"},
        ]
    )


def test_growth_compounds_monthly():
    frame = month_profile(10_000_000)
    result = project(
        frame,
        simple_catalog(),
        Scenario(switch_date=D(2024, 7, 1), horizon_months=3, growth_pct=10, providers=("openai",)),
    )
    current = result.monthly[result.monthly["candidate"] == "current"]
    # 10M, 10M x 1.1, 10M x 1.1^2 at $1/M
    assert current["cost_display"].tolist() == pytest.approx([10.0, 11.0, 12.1])
    assert result.summary[0].total_display == pytest.approx(33.1)


def test_horizon_runs_from_the_switch_date_to_the_day_before_the_same_date_n_months_later():
    result = project(
        month_profile(31_000_000),
        simple_catalog(),
        Scenario(switch_date=D(2024, 7, 17), horizon_months=2, providers=("openai",)),
    )
    assert (result.horizon_start, result.horizon_end) == (D(2024, 7, 17), D(2024, 9, 16))
    current = result.monthly[result.monthly["candidate"] == "current"]
    # July: Jul 17-31 = 15 of 31 days of 31M; August in full; Sep 1-16 = 16 of 30 days
    assert current["tokens_input_uncached"].tolist() == pytest.approx([15e6, 31e6, 31e6 * 16 / 30])
    assert current["month"].tolist() == [D(2024, 7, 1), D(2024, 8, 1), D(2024, 9, 1)]
    # Without growth the horizon holds exactly two baseline months: 15/31 + 1 + 16/30 months
    assert current["tokens_input_uncached"].sum() == pytest.approx(31e6 * (15 / 31 + 1 + 16 / 30))


@pytest.mark.parametrize(
    ("switch", "months", "end"),
    [
        (D(2026, 11, 30), 12, D(2027, 11, 29)),  # not 11 months and a day
        (D(2024, 7, 9), 12, D(2025, 7, 8)),
        (D(2024, 7, 1), 1, D(2024, 7, 31)),
        (D(2025, 1, 31), 1, D(2025, 2, 27)),  # Feb 28 is "the same date" a month later
        (D(2024, 1, 31), 1, D(2024, 2, 28)),  # 2024 is a leap year: Feb 29
    ],
)
def test_horizon_end_dates(switch, months, end):
    assert Scenario(switch_date=switch, horizon_months=months).horizon_end == end


def test_baseline_is_the_mean_of_the_last_n_complete_months():
    frame = usage(
        [{"day": D(2024, 1, 15), "source_model": "m", "tokens_output": 999}]
        + [
            {"day": D(2024, m, 1), "source_model": "m", "tokens_output": m * 100}
            for m in (2, 3, 4, 5, 6)
        ]
        + [{"day": D(2024, 6, 10), "source_model": "m"}]
    )
    baseline = compute_baseline(frame, 3)
    # Jan (starts on the 15th) and Jun (ends on the 10th) are incomplete: Mar, Apr, May
    assert baseline.months == (D(2024, 3, 1), D(2024, 4, 1), D(2024, 5, 1))
    # (300 + 400 + 500) / 3
    assert baseline.volumes["tokens_output"].tolist() == pytest.approx([400])


def test_fewer_complete_months_than_asked_uses_those_available():
    frame = daily_usage(D(2024, 5, 20), D(2024, 6, 30), "m", tokens_output=10)
    baseline = compute_baseline(frame, 3)
    assert baseline.months == (D(2024, 6, 1),)
    assert baseline.volumes["tokens_output"].tolist() == pytest.approx([300])


def test_no_complete_month_scales_the_covered_days_to_an_average_month():
    frame = daily_usage(D(2024, 6, 5), D(2024, 6, 14), "m", tokens_output=1_000_000)
    baseline = compute_baseline(frame, 3)
    assert baseline.months == ()
    assert baseline.scaled_days == 10
    # 10M over 10 days x 30.4375
    assert baseline.volumes["tokens_output"].tolist() == pytest.approx([30_437_500])


def test_candidates_are_ranked_by_total_with_savings_against_current():
    result = project(
        month_profile(10_000_000),
        simple_catalog(),
        Scenario(switch_date=D(2024, 7, 1), horizon_months=1),
    )
    by_name = {s.candidate: s for s in result.summary}
    # current $10; cheap 10M x $0.5 = $5; dear 10M x CNY14 = CNY140 = $20
    assert by_name["cheap"].rank == 1
    assert by_name["cheap"].savings_vs_current_display == pytest.approx(5.0)
    assert by_name["cheap"].savings_vs_current_pct == pytest.approx(50.0)
    assert by_name["dear"].total_display == pytest.approx(20.0)
    assert by_name["dear"].savings_vs_current_display == pytest.approx(-10.0)
    assert by_name["dear"].native_currency == "CNY"
    assert {by_name["current"].rank, by_name["openai"].rank} == {2, 3}
    assert by_name["dear"].rank == 4
    assert [r.per_usd for r in result.fx_used] == [7.0]


def test_projection_serialises_to_json():
    result = project(
        month_profile(10_000_000),
        simple_catalog(),
        Scenario(switch_date=D(2024, 7, 1), horizon_months=2, display_currency="CNY"),
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert data["scenario"]["display_currency"] == "CNY"
    assert data["baseline_months"] == ["2024-06-01"]
    assert {row["candidate"] for row in data["monthly"]} == {"current", "openai", "cheap", "dear"}
    cheap = next(s for s in data["summary"] if s["candidate"] == "cheap")
    # 2 months x 10M x $0.5 x 7.0
    assert cheap["total_display"] == pytest.approx(70.0)
    assert cheap["mappings"][0]["reason_code"] == "same_tier"
    assert data["horizon"] == {"start": "2024-07-01", "end": "2024-08-31", "months": 2}


def test_missing_source_provider_and_batch_values_do_not_drop_usage():
    frame = month_profile(10_000_000)
    frame["source_provider"] = frame["source_provider"].astype("string")
    frame.loc[0, "source_provider"] = None
    frame["batch"] = frame["batch"].astype("boolean")
    frame.loc[0, "batch"] = None
    result = project(
        frame,
        simple_catalog(),
        Scenario(switch_date=D(2024, 7, 1), horizon_months=1, providers=("openai",)),
    )
    # 10M x $1, the row with missing labels still counts
    assert result.summary[0].total_display == pytest.approx(10.0)


def test_cumulative_cost_runs_per_candidate():
    result = project(
        month_profile(10_000_000),
        simple_catalog(),
        Scenario(switch_date=D(2024, 7, 1), horizon_months=3, growth_pct=10, providers=("cheap",)),
    )
    cheap = result.monthly[result.monthly["candidate"] == "cheap"]
    # $0.5/M: 5, 5.5, 6.05 -> running 5, 10.5, 16.55 (restarting for each candidate)
    assert cheap["cost_display_cumulative"].tolist() == pytest.approx([5.0, 10.5, 16.55])
