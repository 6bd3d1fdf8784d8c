"""Which exchange rates a conversion used, and how old each was on the days it converted."""

from __future__ import annotations

from dashboard.engine.fx import STALE_RATE_DAYS, rate_on, rates_used

from .factory import D, catalog, provider, rate

RATES = catalog(
    [provider("sense", "CNY")],
    [],
    rates=[rate(D(2024, 6, 19), 7.1159), rate(D(2024, 7, 24), 7.1358), rate(D(2024, 8, 7), 7.1386)],
)


def test_each_rate_reports_the_days_it_converts_and_its_largest_age():
    used = rates_used(RATES, {"USD", "CNY"}, D(2024, 7, 1), D(2024, 9, 30))
    assert [(r.day, r.first_day, r.last_day, r.max_age_days) for r in used] == [
        # 06-19 converts 07-01..07-23: 07-23 is 34 days after 06-19
        (D(2024, 6, 19), D(2024, 7, 1), D(2024, 7, 23), 34),
        # 07-24 converts 07-24..08-06: 13 days
        (D(2024, 7, 24), D(2024, 7, 24), D(2024, 8, 6), 13),
        # 08-07 converts 08-07..09-30: 24 (rest of Aug) + 30 (Sep) = 54 days
        (D(2024, 8, 7), D(2024, 8, 7), D(2024, 9, 30), 54),
    ]
    assert [r.stale for r in used] == [False, False, True]  # 54 > 45


def test_a_2026_scenario_on_a_2024_rate_is_flagged_with_its_age():
    (used,) = rates_used(RATES, {"CNY"}, D(2026, 11, 1), D(2026, 11, 30))
    # 2024-08-07 -> 2026-08-07 is 730 days (no 29 February in between), + 115 to 11-30 = 845
    assert (used.day, used.max_age_days, used.stale) == (D(2024, 8, 7), 845, True)
    assert used.to_dict()["max_age_days"] == 845
    assert used.to_dict()["stale"] is True


def test_a_rate_45_days_old_is_not_flagged_but_46_is():
    (at_limit,) = rates_used(RATES, {"CNY"}, D(2024, 8, 7), D(2024, 9, 21))  # 24 + 21 = 45
    (past,) = rates_used(RATES, {"CNY"}, D(2024, 8, 7), D(2024, 9, 22))
    assert STALE_RATE_DAYS == 45
    assert (at_limit.max_age_days, at_limit.stale) == (45, False)
    assert (past.max_age_days, past.stale) == (46, True)


def test_days_before_the_first_rate_use_it_and_are_not_counted_as_old():
    (used,) = rates_used(RATES, {"CNY"}, D(2024, 6, 1), D(2024, 6, 10))
    assert (used.day, used.max_age_days, used.stale) == (D(2024, 6, 19), 0, False)


def test_an_override_has_no_date_and_no_age():
    (used,) = rates_used(RATES, {"CNY"}, D(2026, 1, 1), D(2026, 12, 31), override=7.0)
    assert (used.day, used.max_age_days, used.stale) == (None, None, False)


def test_rate_on_gives_the_latest_rate_on_or_before_the_day():
    assert rate_on(RATES, "CNY", D(2024, 7, 30)).per_usd == 7.1358
    assert rate_on(RATES, "CNY", D(2024, 7, 24)).day == D(2024, 7, 24)
    assert rate_on(RATES, "USD", D(2024, 7, 30)) is None


def test_days_after_today_count_as_today_for_the_latest_rate():
    """A projection made on 2024-09-01 over 2024-08-07..2025-03-31 converts every day with the
    rate of 2024-08-07: no rate of the future days can be known, so its age is 25 days (to
    today), not 236 (to 2025-03-31), and it is not old."""
    (used,) = rates_used(RATES, {"CNY"}, D(2024, 8, 7), D(2025, 3, 31), today=D(2024, 9, 1))
    assert (used.max_age_days, used.stale, used.converts_future) == (25, False, True)
    assert used.to_dict()["converts_future"] is True


def test_the_latest_rate_is_old_when_today_is_far_past_it():
    (used,) = rates_used(RATES, {"CNY"}, D(2024, 12, 1), D(2025, 11, 30), today=D(2024, 12, 1))
    # 2024-08-07 -> 2024-12-01: 24 + 30 + 31 + 30 + 1 = 116 days
    assert (used.max_age_days, used.stale, used.converts_future) == (116, True, True)


def test_a_past_period_is_measured_as_before_whatever_today_is():
    (used,) = rates_used(RATES, {"CNY"}, D(2024, 8, 7), D(2024, 9, 30), today=D(2026, 11, 30))
    assert (used.max_age_days, used.stale, used.converts_future) == (54, True, False)
