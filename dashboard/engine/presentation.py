"""Turn engine results into what the dashboard shows: chart specs and the tables beside them.

Pure (pandas + plotly only). Every chart built here has a table with the same figures, so
the page stays readable without JavaScript and for screen readers. The ranking split (ranked
vs providers that cannot price the compared usage) and the two CSV tables (`results_frame`:
one tidy row per candidate x month; `summary_frame`: one row per candidate) live here too, so
the dashboard and the downloads show the same figures; unknown figures stay None/NaN, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import charts

TOKEN_COLUMNS = [
    "tokens_input_uncached",
    "tokens_cache_read",
    "tokens_cache_write",
    "tokens_output",
]


@dataclass(frozen=True)
class Table:
    """A pivot: row labels down the side, one column per month or category."""

    caption: str
    columns: list[str]
    rows: list[tuple[str, list[float | None]]]
    unit: str  # "money" or "tokens"


def _labels(summary: list[Any]) -> dict[str, str]:
    return {s.candidate: s.label for s in summary}


CURRENT = "current"
CHART_CANDIDATES = 8


def ordered(summary: list[Any]) -> list[Any]:
    """Current provider first, then the ranked candidates by rank, then the unranked ones."""
    return sorted(
        summary, key=lambda s: (s.candidate != CURRENT, s.rank is None, s.rank or 0, s.label)
    )


def _order(summary: list[Any]) -> list[str]:
    return [s.candidate for s in ordered(summary)]


def chart_subset(table: Table, summary: list[Any], limit: int = CHART_CANDIDATES) -> Table:
    """The current provider and the cheapest ranked candidates: a chart with twenty lines
    is unreadable, the table beside it keeps every candidate."""
    labels = _labels(summary)
    keep = [
        labels[s.candidate]
        for s in ordered(summary)
        if s.candidate == CURRENT or s.rank is not None
    ][:limit]
    rows = [
        row for row in table.rows if any(row[0] == k or row[0].startswith(k + " (") for k in keep)
    ]
    return Table(table.caption, table.columns, rows, table.unit)


def _pivot(monthly: pd.DataFrame, value: str, order: list[str]) -> pd.DataFrame:
    if monthly.empty:
        return pd.DataFrame()
    # min_count=1 keeps a month made only of unpriced usage NaN ("no price"), never a false 0.
    table = monthly.groupby(["candidate", "month"], sort=True)[value].sum(min_count=1).unstack("month")
    return table.reindex([c for c in order if c in table.index])


def _month_labels(columns) -> list[str]:
    return [pd.Timestamp(c).strftime("%Y-%m") for c in columns]


def usage_by_month(frame: pd.DataFrame) -> Table:
    """Tokens per month per source model (all kinds together)."""
    if frame.empty:
        return Table("Tokens per month by model", [], [], "tokens")
    data = frame.copy()
    data["month"] = pd.to_datetime(data["day"]).dt.to_period("M").dt.to_timestamp()
    data["tokens"] = data[TOKEN_COLUMNS].sum(axis=1)
    pivot = data.groupby(["source_model", "month"], sort=True)["tokens"].sum().unstack("month", fill_value=0)
    rows = [(str(model), [float(v) for v in values]) for model, values in pivot.iterrows()]
    return Table(
        "Tokens per month by model (input, cache and output)",
        _month_labels(pivot.columns),
        rows,
        "tokens",
    )


def usage_chart(table: Table) -> dict[str, Any]:
    return charts.line_chart(
        "Your usage per month (tokens)",
        [(label, table.columns, values) for label, values in table.rows],
        "tokens",
        stacked_bars=True,
    )


def monthly_cost(result: Any, currency: str) -> Table:
    order = _order(result.summary)
    labels = _labels(result.summary)
    pivot = _pivot(result.monthly, "cost_display", order)
    if pivot.empty:
        return Table(f"Monthly cost ({currency})", [], [], "money")
    unpriced = _pivot(result.monthly, "unpriced_tokens", order)
    rows = []
    for candidate, values in pivot.iterrows():
        has_gap = candidate in unpriced.index and (unpriced.loc[candidate].fillna(0) > 0).any()
        label = labels.get(candidate, candidate) + (
            " (incomplete)" if has_gap else ""
        )
        rows.append((label, [None if pd.isna(v) else float(v) for v in values]))
    return Table(
        f"Monthly cost in {currency}, offers counted", _month_labels(pivot.columns), rows, "money"
    )


def cumulative(table: Table) -> Table:
    rows = []
    for label, values in table.rows:
        total, running = 0.0, []
        for value in values:
            total += value or 0.0
            running.append(total)
        rows.append((label, running))
    return Table(
        table.caption.replace("Monthly cost", "Cumulative cost"), table.columns, rows, table.unit
    )


def free_vs_paid(result: Any) -> Table:
    """Per candidate: tokens covered by offers vs tokens paid for over the horizon."""
    labels = _labels(result.summary)
    order = _order(result.summary)
    if result.monthly.empty:
        return Table("Free vs paid tokens", ["free (offers)", "paid"], [], "tokens")
    data = result.monthly.copy()
    data["all_tokens"] = data[TOKEN_COLUMNS].sum(axis=1)
    sums = data.groupby("candidate")[["all_tokens", "free_tokens_used", "unpriced_tokens"]].sum()
    rows = []
    for candidate in order:
        if candidate not in sums.index:
            continue
        free = float(sums.loc[candidate, "free_tokens_used"])
        paid = max(
            float(sums.loc[candidate, "all_tokens"])
            - free
            - float(sums.loc[candidate, "unpriced_tokens"]),
            0.0,
        )
        rows.append((labels.get(candidate, candidate), [free, paid]))
    return Table(
        "Tokens over the horizon: covered by free offers vs paid",
        ["free (offers)", "paid"],
        rows,
        "tokens",
    )


def history_totals(history: Any, currency: str) -> Table:
    order = _order(history.summary)
    labels = _labels(history.summary)
    pivot = _pivot(history.monthly, "cost_display", order)
    if pivot.empty:
        return Table(f"Your uploaded period re-priced ({currency})", [], [], "money")
    rows = [
        (labels.get(candidate, candidate), [None if pd.isna(v) else float(v) for v in values])
        for candidate, values in pivot.iterrows()
    ]
    return Table(
        f"What your uploaded period would have cost, in {currency} (list prices of each day, no offers)",
        _month_labels(pivot.columns),
        rows,
        "money",
    )


def line_spec(title: str, table: Table, y_title: str) -> dict[str, Any]:
    return charts.line_chart(
        title, [(label, table.columns, values) for label, values in table.rows], y_title
    )


def free_vs_paid_spec(table: Table) -> dict[str, Any]:
    categories = [label for label, _ in table.rows]
    return charts.grouped_bars(
        "Free vs paid tokens<br><sup>over the horizon, per provider</sup>",
        categories,
        [(name, [values[i] for _, values in table.rows]) for i, name in enumerate(table.columns)],
        "tokens",
        stacked=True,
        colors=["#1a7f37", "#8c959f"],
    )


def history_spec(table: Table, currency: str) -> dict[str, Any]:
    categories = [label for label, _ in table.rows]
    totals = [
        sum(v or 0.0 for v in values) if any(v is not None for v in values) else None
        for _, values in table.rows
    ]
    return charts.grouped_bars(
        f"Your uploaded period on each provider ({currency})<br><sup>list prices of each day, no offers</sup>",
        categories,
        [("total over the uploaded period", totals)],
        currency,
    )


def native_totals(result: Any) -> dict[str, tuple[float, str]]:
    """Per candidate billed in one currency: its total in that currency (offers counted),
    so a converted figure can be shown beside the amount the provider would bill."""
    monthly = result.monthly
    if monthly.empty:
        return {}
    totals = {}
    for candidate, rows in monthly.groupby("candidate", sort=False):
        currencies = rows["native_currency"].dropna().unique()
        if len(currencies) == 1:
            total = rows["cost_native"].sum(min_count=1)
            if total == total:
                totals[candidate] = (float(total), str(currencies[0]))
    return totals


def chart_specs(
    usage: Table,
    monthly: Table,
    cumulative_table: Table,
    free: Table,
    history: Table,
    summary: list[Any],
    currency: str,
) -> dict[str, Any]:
    """Every chart of the projection dashboard, keyed by the DOM id prefix that draws it."""
    top = f"<br><sup>your current provider and the {CHART_CANDIDATES - 1} cheapest; all in the table</sup>"
    return {
        "usage": usage_chart(usage),
        "monthly": line_spec(
            f"Monthly cost ({currency}, offers counted){top}",
            chart_subset(monthly, summary),
            currency,
        ),
        "cumulative": line_spec(
            f"Cumulative cost ({currency}){top}", chart_subset(cumulative_table, summary), currency
        ),
        "free": free_vs_paid_spec(free),
        "history": history_spec(history, currency),
    }


# -- What the results say: ranking, usage left out, offers, and the CSV tables -------------
# Pure data for the templates, the CSV downloads and the API alike; unknown figures stay
# None/NaN ("no price"), never 0.

RESULT_COLUMNS = [
    "provider",
    "candidate",
    "rank",
    "ranked",
    "month",
    "display_currency",
    *TOKEN_COLUMNS,
    "cost",
    "cost_without_offers",
    "cost_cumulative",
    "cost_native",
    "native_currency",
    "free_tokens_used",
    "free_value",
    "unpriced_tokens",
]
SUMMARY_COLUMNS = [
    "rank",
    "provider",
    "candidate",
    "status",
    "display_currency",
    "horizon_start",
    "horizon_end",
    "total",
    "total_without_offers",
    "savings_vs_current",
    "savings_pct",
    "coverage_pct",
    "free_tokens_used",
    "free_value",
    "offers_run_out",
    "unpriced_tokens",
    "uses_unverified",
    "models",
    "lacks",
    "notes",
]


def split_ranking(summary: list[Any]) -> tuple[list[Any], list[Any]]:
    """(current provider + ranked candidates, candidates that cannot price the comparable
    usage), each in display order."""
    rows = ordered(summary)
    ranked = [s for s in rows if s.candidate == CURRENT or s.rank is not None]
    shown = {s.candidate for s in ranked}
    return ranked, [s for s in rows if s.candidate not in shown]


def is_ranked(s: Any) -> bool:
    return s.rank is not None


def status_of(s: Any) -> str:
    if s.rank is not None:
        return "ranked"
    return "current, not ranked" if s.candidate == CURRENT else "not ranked"


def mappings_text(s: Any) -> str:
    return "; ".join(
        f"{m.source_model} -> {m.target_model_id or 'none'} ({m.reason_text})" for m in s.mappings
    )


def results_frame(result: Any) -> pd.DataFrame:
    """One tidy row per candidate x month with every figure of the projection."""
    summary = {s.candidate: s for s in result.summary}
    monthly = result.monthly
    if monthly.empty:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    order = {c: i for i, c in enumerate(_order(result.summary))}
    frame = monthly.assign(
        provider=[summary[c].label for c in monthly["candidate"]],
        rank=pd.array([summary[c].rank for c in monthly["candidate"]], dtype="Int64"),
        ranked=[is_ranked(summary[c]) for c in monthly["candidate"]],
        month=[pd.Timestamp(m).strftime("%Y-%m") for m in monthly["month"]],
        display_currency=result.scenario.display_currency,
        cost=monthly["cost_display"],
        cost_without_offers=monthly["cost_display_without_offers"],
        cost_cumulative=monthly["cost_display_cumulative"],
        free_value=monthly["free_value_display"],
        _order=[order.get(c, len(order)) for c in monthly["candidate"]],
    )
    frame = frame.sort_values(["_order", "month"], kind="stable")
    return frame[RESULT_COLUMNS].reset_index(drop=True)


def summary_frame(result: Any) -> pd.DataFrame:
    """One row per candidate: totals, savings, coverage and how its models were chosen."""
    rows = []
    for s in ordered(result.summary):
        rows.append(
            {
                "rank": s.rank,
                "provider": s.label,
                "candidate": s.candidate,
                "status": status_of(s),
                "display_currency": result.scenario.display_currency,
                "horizon_start": result.horizon_start,
                "horizon_end": result.horizon_end,
                "total": s.total_display,
                "total_without_offers": s.total_without_offers_display,
                "savings_vs_current": s.savings_vs_current_display,
                "savings_pct": s.savings_vs_current_pct,
                "coverage_pct": s.coverage_pct,
                "free_tokens_used": s.free_tokens_used,
                "free_value": s.free_value_display,
                "offers_run_out": s.offers_exhausted_on,
                "unpriced_tokens": s.unpriced_tokens,
                "uses_unverified": s.uses_unverified,
                "models": mappings_text(s),
                "lacks": "; ".join(str(r) for r in s.lacks),
                "notes": "; ".join(str(n) for n in s.notes),
            }
        )
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    frame["rank"] = frame["rank"].astype("Int64")
    return frame


def billed_table(history: Any) -> Table:
    """What a cost-only export billed, per model and month (one row per model and currency)."""
    billed = getattr(history, "billed_monthly", None)
    if billed is None or billed.empty:
        return Table("Billed per month", [], [], "money")
    pivot = billed.pivot_table(
        index=["source_model", "currency"], columns="month", values="billed", aggfunc="sum"
    )
    rows = [
        (f"{model} ({currency})", [None if pd.isna(v) else float(v) for v in values])
        for (model, currency), values in pivot.iterrows()
    ]
    return Table("What the export billed, per model and month", _month_labels(pivot.columns), rows, "money")
