"""A typed-in estimate becomes a canonical usage frame whose baseline is the typed figure."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.engine.estimate import Estimate, estimate_frame, estimate_months
from dashboard.engine.projection import compute_baseline
from dashboard.engine.usage import CANONICAL_COLUMNS

TODAY = dt.date(2026, 11, 30)
GPT4O = Estimate("openai", "gpt-4o", input_tokens=120_000_000, output_tokens=30_000_000,
                 cache_read_pct=40, batch_pct=25, prompt_tokens=2_000)  # fmt: skip


def month_totals(frame):
    months = frame.assign(month=frame["day"].dt.strftime("%Y-%m"))
    columns = ["requests", "tokens_input_uncached", "tokens_cache_read", "tokens_cache_write", "tokens_output"]
    return months.groupby(["month", "batch"])[columns].sum()


def test_an_estimate_fills_the_three_complete_months_before_today():
    assert estimate_months(TODAY) == [dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)]
    assert estimate_months(dt.date(2026, 1, 15)) == [dt.date(2025, 10, 1), dt.date(2025, 11, 1), dt.date(2025, 12, 1)]


def test_each_month_holds_the_typed_tokens_split_by_cache_and_batch_exactly():
    frame, report = estimate_frame(GPT4O, TODAY)
    totals = month_totals(frame)
    # Input 120M: 40% cache reads = 48M, 72M uncached; 25% of every kind goes through batch.
    # Requests: 120M input / 2,000 per request = 60,000 -> 15,000 batch + 45,000 interactive.
    for month in ("2026-08", "2026-09", "2026-10"):
        batch, interactive = totals.loc[(month, True)], totals.loc[(month, False)]
        assert batch["tokens_cache_read"] == 12_000_000 and interactive["tokens_cache_read"] == 36_000_000
        assert batch["tokens_input_uncached"] == 18_000_000 and interactive["tokens_input_uncached"] == 54_000_000
        assert batch["tokens_output"] == 7_500_000 and interactive["tokens_output"] == 22_500_000
        assert batch["requests"] == 15_000 and interactive["requests"] == 45_000
        assert batch["tokens_cache_write"] == interactive["tokens_cache_write"] == 0
    assert report.first_day == dt.date(2026, 8, 1) and report.last_day == dt.date(2026, 10, 31)
    assert report.models == ["gpt-4o"] and report.format == "estimate"


def test_daily_rows_are_whole_tokens_spread_evenly_over_the_month():
    frame, _ = estimate_frame(Estimate("deepseek", "deepseek-chat", 1_000_000, 0), TODAY)
    august = frame[frame["day"].dt.month == 8]["tokens_input_uncached"].tolist()
    # 1,000,000 over 31 days = 32,258 a day with 2 left over: the first 2 days get one more.
    assert len(august) == 31 and august[:3] == [32_259, 32_259, 32_258] and sum(august) == 1_000_000


def test_the_projection_baseline_of_an_estimate_is_the_typed_monthly_figure():
    frame, _ = estimate_frame(GPT4O, TODAY)
    baseline = compute_baseline(frame, 3)
    volumes = baseline.volumes.set_index("batch")
    assert baseline.months == (dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1))
    assert volumes["tokens_input_uncached"].sum() + volumes["tokens_cache_read"].sum() == pytest.approx(120_000_000)
    assert volumes["tokens_output"].sum() == pytest.approx(30_000_000)


def test_an_estimate_without_batch_usage_has_no_batch_rows_and_the_canonical_columns():
    frame, _ = estimate_frame(Estimate("openai", "gpt-4o", 10_000, 5_000), TODAY)
    assert list(frame.columns) == CANONICAL_COLUMNS
    assert not frame["batch"].any() and len(frame) == 31 + 30 + 31
    assert frame["reported_cost"].isna().all()  # nothing was billed: no cost to reconcile


def test_an_estimate_needs_some_tokens():
    with pytest.raises(ValueError, match="above zero"):
        estimate_frame(Estimate("openai", "gpt-4o", 0, 0), TODAY)


def test_the_description_names_the_model_and_the_figures():
    assert GPT4O.describe() == "gpt-4o: 120M input, 40% of the input from cache, 30M output tokens a month, 25% batch"
