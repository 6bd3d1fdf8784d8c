"""Dashboard tables built from engine results: unpriced stays unpriced, order, subsets."""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

import pandas as pd

from dashboard.engine.presentation import chart_subset, monthly_cost, native_totals

JUL, AUG = dt.date(2024, 7, 1), dt.date(2024, 8, 1)


def summary(candidate: str, rank: int | None, label: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(candidate=candidate, rank=rank, label=label or candidate.title())


def result(rows: list[dict]) -> SimpleNamespace:
    columns = {"tokens_input_uncached": 0, "tokens_cache_read": 0, "tokens_cache_write": 0,
               "tokens_output": 0, "free_tokens_used": 0.0, "unpriced_tokens": 0.0}
    monthly = pd.DataFrame([{**columns, **row} for row in rows])
    return SimpleNamespace(
        monthly=monthly,
        summary=[summary("current", 2), summary("deepseek", 1), summary("sensetime", None)],
    )


def test_a_month_with_only_unpriced_usage_is_shown_as_unknown_not_zero():
    res = result([
        {"candidate": "current", "month": JUL, "cost_display": 10.0},
        {"candidate": "current", "month": AUG, "cost_display": 12.0},
        {"candidate": "deepseek", "month": JUL, "cost_display": 4.0},
        {"candidate": "deepseek", "month": AUG, "cost_display": 5.0},
        {"candidate": "sensetime", "month": JUL, "cost_display": math.nan, "unpriced_tokens": 1e6},
        {"candidate": "sensetime", "month": AUG, "cost_display": 3.0},
    ])
    table = monthly_cost(res, "USD")
    rows = dict(table.rows)
    assert table.columns == ["2024-07", "2024-08"]
    assert rows["Sensetime (incomplete)"] == [None, 3.0]  # never a false $0.00
    # current first, then by rank, unranked last
    assert [label for label, _ in table.rows] == ["Current", "Deepseek", "Sensetime (incomplete)"]


def test_charts_keep_the_current_provider_and_the_ranked_ones():
    res = result([
        {"candidate": c, "month": JUL, "cost_display": v}
        for c, v in (("current", 10.0), ("deepseek", 4.0), ("sensetime", math.nan))
    ])
    subset = chart_subset(monthly_cost(res, "USD"), res.summary, limit=8)
    assert [label for label, _ in subset.rows] == ["Current", "Deepseek"]


def test_native_totals_only_for_candidates_billed_in_one_currency():
    res = result([
        {"candidate": "deepseek", "month": JUL, "cost_display": 1.0, "cost_native": 7.0, "native_currency": "CNY"},
        {"candidate": "deepseek", "month": AUG, "cost_display": 1.0, "cost_native": 8.0, "native_currency": "CNY"},
        {"candidate": "current", "month": JUL, "cost_display": 1.0, "cost_native": math.nan, "native_currency": None},
    ])
    assert native_totals(res) == {"deepseek": (15.0, "CNY")}
