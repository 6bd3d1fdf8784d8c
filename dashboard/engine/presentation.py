"""Turn engine results into what the dashboard shows: chart specs and the tables beside them.

Pure (pandas + plotly only). Every chart built here has a table with the same figures, so
the page stays readable without JavaScript and for screen readers. The ranking split (ranked
vs providers that cannot price the compared usage) and the two CSV tables (`results_frame`:
one tidy row per candidate x month; `summary_frame`: one row per candidate) live here too, so
the dashboard and the downloads show the same figures; unknown figures stay None/NaN, never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import charts
from .frame import TOKEN_COLUMNS
from .text import Translate, gettext_noop, same


@dataclass(frozen=True)
class Table:
    """A pivot: row labels down the side, one column per month or category."""

    caption: str
    columns: list[str]
    rows: list[tuple[str, list[float | None]]]
    unit: str  # "money" or "tokens"
    # What each row is (candidate key or source model), in row order: charts select and
    # colour rows by it, never by their label.
    keys: tuple[str, ...] = ()


def _labels(summary: list[Any], names: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each candidate's label; ``names`` (candidate -> label) overrides them, e.g. with the
    providers' Chinese names for a Chinese page."""
    return {s.candidate: (names or {}).get(s.candidate, s.label) for s in summary}


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
    """The current provider and the cheapest ranked candidates, by candidate key: a chart
    with twenty lines is unreadable, and a candidate that cannot price the usage compared
    (unranked) is never in a "cheapest" chart. The table beside it keeps every candidate."""
    keep = [s.candidate for s in ordered(summary) if s.candidate == CURRENT or s.rank is not None][:limit]
    position = {key: i for i, key in enumerate(table.keys)}
    chosen = [position[key] for key in keep if key in position]
    return Table(
        table.caption,
        table.columns,
        [table.rows[i] for i in chosen],
        table.unit,
        tuple(table.keys[i] for i in chosen),
    )


@dataclass(frozen=True)
class _Pivot:
    """Candidates x months of one column of a monthly frame (numpy: the dashboard builds
    several per request, and pandas' groupby/unstack costs more than the sums)."""

    keys: list[str]
    months: list[Any]
    values: np.ndarray  # len(keys) x len(months), NaN where no row has a known figure

    @property
    def empty(self) -> bool:
        return not self.keys

    def rows(self) -> list[tuple[str, list[float | None]]]:
        return [
            (key, [None if v != v else float(v) for v in row])
            for key, row in zip(self.keys, self.values.tolist(), strict=True)
        ]


@dataclass(frozen=True)
class _Columns:
    """Columns of a result's months, one row per candidate x month: each candidate's code
    (its position in `candidates`, in order of appearance) and the named columns as arrays."""

    candidates: list[str]
    codes: np.ndarray
    values: dict[str, np.ndarray]
    months: list[Any]  # sorted, when asked for
    month_codes: np.ndarray | None


def _columns(result: Any, names: list[str], with_months: bool = False) -> _Columns | None:
    """The columns `names` of `result`'s months (None when it has none): read from the
    projection's per-candidate parts when it has them (no frame to build and factorise),
    else from its `monthly` frame. The parts hold the same rows in the same order (each
    candidate's months in order, on one month axis), so the figures are the same."""
    parts = getattr(result, "monthly_parts", None)
    if parts is not None:
        if not parts:
            return None
        n = len(parts[0]["month"])
        values = {
            name: np.concatenate([np.asarray(p[name], dtype=object if name == "native_currency" else "float64")
                                  for p in parts])
            for name in names
        }
        month_codes = np.tile(np.arange(n), len(parts)) if with_months else None
        return _Columns(
            [p["candidate"][0] for p in parts], np.repeat(np.arange(len(parts)), n), values,
            list(parts[0]["month"]) if with_months else [], month_codes,
        )
    monthly = result.monthly
    if monthly.empty:
        return None
    candidates, codes = _codes(monthly["candidate"])
    values = {
        name: monthly[name].to_numpy(dtype=object) if name == "native_currency"
        else monthly[name].to_numpy(dtype="float64", na_value=np.nan)
        for name in names
    }
    months, month_codes = _codes(monthly["month"], sort=True) if with_months else ([], None)
    return _Columns(candidates, codes, values, months, month_codes)


def _pivot(result: Any, value: str, order: list[str]) -> _Pivot:
    """Sum of ``value`` per candidate and month, candidates in ``order`` (others dropped),
    months sorted. min_count=1: a month made only of unpriced usage stays NaN ("no price"),
    never a false 0."""
    columns = _columns(result, [value], with_months=True)
    if columns is None:
        return _Pivot([], [], np.zeros((0, 0)))
    candidates, candidate_codes, month_codes = columns.candidates, columns.codes, columns.month_codes
    numbers = columns.values[value]
    known = ~np.isnan(numbers)
    shape = (len(candidates), len(columns.months))
    sums = np.zeros(shape)
    counts = np.zeros(shape)
    np.add.at(sums, (candidate_codes[known], month_codes[known]), numbers[known])
    np.add.at(counts, (candidate_codes[known], month_codes[known]), 1)
    sums[counts == 0] = np.nan
    position = {key: i for i, key in enumerate(candidates)}
    keys = [key for key in order if key in position]
    months = columns.months
    return _Pivot(keys, months, sums[[position[key] for key in keys]].reshape(len(keys), len(months)))


def _codes(column: pd.Series, sort: bool = False) -> tuple[list[Any], np.ndarray]:
    codes, uniques = pd.factorize(column, sort=sort)
    return list(uniques), codes


def _month_labels(columns) -> list[str]:
    # The engine's months are dates (formatted directly); other columns go through pandas.
    return [
        c.strftime("%Y-%m") if isinstance(c, dt.date) else pd.Timestamp(c).strftime("%Y-%m")
        for c in columns
    ]


def usage_by_month(frame: pd.DataFrame, translate: Translate = same) -> Table:
    """Tokens per month per source model (all kinds together)."""
    if frame.empty:
        return Table(translate(gettext_noop("Tokens per month by model")), [], [], "tokens")
    data = frame.copy()
    data["month"] = pd.to_datetime(data["day"]).dt.to_period("M").dt.to_timestamp()
    data["tokens"] = data[list(TOKEN_COLUMNS)].sum(axis=1)
    pivot = data.groupby(["source_model", "month"], sort=True)["tokens"].sum().unstack("month", fill_value=0)
    rows = [(str(model), [float(v) for v in values]) for model, values in pivot.iterrows()]
    return Table(
        translate(gettext_noop("Tokens per month by model (input, cache and output)")),
        _month_labels(pivot.columns),
        rows,
        "tokens",
        tuple(str(model) for model in pivot.index),
    )


def monthly_cost(
    result: Any, currency: str, translate: Translate = same, names: Mapping[str, str] | None = None
) -> Table:
    order = _order(result.summary)
    labels = _labels(result.summary, names)
    pivot = _pivot(result, "cost_display", order)
    if pivot.empty:
        return Table(translate(gettext_noop("Monthly cost ({currency})")).format(currency=currency), [], [], "money")
    incomplete = translate(gettext_noop(" (incomplete)"))
    unpriced = _pivot(result, "unpriced_tokens", order)
    gaps = {key for key, row in zip(unpriced.keys, unpriced.values, strict=True) if (np.nan_to_num(row) > 0).any()}
    rows = [
        (labels.get(candidate, candidate) + (incomplete if candidate in gaps else ""), values)
        for candidate, values in pivot.rows()
    ]
    return Table(
        translate(gettext_noop("Monthly cost in {currency}, offers counted")).format(currency=currency),
        _month_labels(pivot.months),
        rows,
        "money",
        tuple(pivot.keys),
    )


def cumulative(table: Table, translate: Translate = same, currency: str | None = None) -> Table:
    """Cumulative cost per candidate: unknown from the first month without a price on (the
    running total of the known months would read as the whole cost). Its caption says so, in
    ``currency`` when given."""
    running = running_totals(table)
    return Table(
        _cumulative_caption(table, translate, currency),
        table.columns,
        running.rows,
        table.unit,
        table.keys,
    )


def _cumulative_caption(table: Table, translate: Translate, currency: str | None) -> str:
    if currency is None:
        return table.caption.replace("Monthly cost", "Cumulative cost")
    if not table.rows:
        return translate(gettext_noop("Cumulative cost ({currency})")).format(currency=currency)
    return translate(gettext_noop("Cumulative cost in {currency}, offers counted")).format(currency=currency)


def free_vs_paid(result: Any, translate: Translate = same, names: Mapping[str, str] | None = None) -> Table:
    """Per candidate: tokens covered by offers vs tokens paid for over the horizon."""
    labels = _labels(result.summary, names)
    order = _order(result.summary)
    parts = [translate(gettext_noop("free (offers)")), translate(gettext_noop("paid"))]
    columns = _columns(result, [*TOKEN_COLUMNS, "free_tokens_used", "unpriced_tokens"])
    if columns is None:
        return Table(translate(gettext_noop("Free vs paid tokens")), parts, [], "tokens")
    candidates, codes = columns.candidates, columns.codes

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=np.nan_to_num(values.astype("float64")), minlength=len(candidates))

    all_tokens = total(np.stack([columns.values[c] for c in TOKEN_COLUMNS], axis=1).sum(axis=1))
    free_tokens = total(columns.values["free_tokens_used"])
    unpriced = total(columns.values["unpriced_tokens"])
    position = {key: i for i, key in enumerate(candidates)}
    rows, keys = [], []
    for candidate in order:
        if candidate not in position:
            continue
        keys.append(candidate)
        i = position[candidate]
        free = float(free_tokens[i])
        paid = max(float(all_tokens[i]) - free - float(unpriced[i]), 0.0)
        rows.append((labels.get(candidate, candidate), [free, paid]))
    return Table(
        translate(gettext_noop("Tokens over the horizon: covered by free offers vs paid")),
        parts,
        rows,
        "tokens",
        tuple(keys),
    )


def history_totals(
    history: Any, currency: str, translate: Translate = same, names: Mapping[str, str] | None = None
) -> Table:
    order = _order(history.summary)
    labels = _labels(history.summary, names)
    pivot = _pivot(history, "cost_display", order)
    if pivot.empty:
        return Table(translate(gettext_noop("Your uploaded period re-priced ({currency})")).format(currency=currency), [], [], "money")
    rows = [(labels.get(candidate, candidate), values) for candidate, values in pivot.rows()]
    return Table(
        translate(gettext_noop(
            "What your uploaded period would have cost, in {currency} (list prices of each day, no offers)"
        )).format(currency=currency),
        _month_labels(pivot.months),
        rows,
        "money",
        tuple(pivot.keys),
    )


def _series(table: Table) -> list[charts.Series]:
    keys = table.keys or tuple(label for label, _ in table.rows)
    return [charts.Series(key, label, values) for key, (label, values) in zip(keys, table.rows, strict=True)]


def line_spec(
    title: str, table: Table, currency: str, *, note: str = "", translate: Translate = same
) -> dict[str, Any]:
    """Cost per month per candidate; months without a price stay gaps labelled "no price"."""
    return charts.cost_lines(table.columns, _series(table), currency, title=title, note=note, translate=translate)


def running_totals(table: Table) -> Table:
    """Running totals of a monthly table that stop at the first month without a price:
    after an unknown month the total is unknown too, never the sum of the known ones."""
    rows = []
    for label, values in table.rows:
        total: float | None = 0.0
        running: list[float | None] = []
        for value in values:
            total = None if total is None or value is None or value != value else total + value
            running.append(total)
        rows.append((label, running))
    return Table(table.caption, table.columns, rows, table.unit, table.keys)


def _top_note(translate: Translate) -> str:
    return translate(
        gettext_noop("Your current provider and the {count} cheapest; every provider is in the table.")
    ).format(count=CHART_CANDIDATES - 1)


def free_vs_paid_spec(table: Table, translate: Translate = same) -> dict[str, Any]:
    return charts.stacked_token_bars(
        _series(table),
        [(table.columns[0], "#1a7f37"), (table.columns[1], "#8c959f")] if table.columns else [],
        title=translate(gettext_noop("Free vs paid tokens over the horizon")),
        note=_top_note(translate),
        empty=translate(gettext_noop("No projected tokens to split into free and paid.")),
    )


def history_spec(
    table: Table, currency: str, history_summary: list[Any] | None = None, translate: Translate = same
) -> dict[str, Any]:
    """Total of the uploaded period per candidate. A candidate that cannot price all of it
    (or has a month without any price) shows "no price" instead of a too-short bar."""
    incomplete = {s.candidate for s in history_summary or () if s.candidate != CURRENT and s.rank is None}
    incomplete |= {s.candidate for s in history_summary or () if s.has_unpriced}
    series = []
    for item in _series(table):
        known = [v for v in item.values if v is not None and v == v]
        complete = item.key not in incomplete and len(known) == len(item.values) and known
        series.append(charts.Series(item.key, item.label, [sum(known) if complete else None]))
    return charts.provider_bars(
        series,
        currency,
        title=translate(gettext_noop("Your uploaded period on each provider, {currency}")).format(currency=currency),
        note=translate(gettext_noop(
            "List prices of each day, no offers; cheapest at the top. "
            "\"no price\": the provider cannot price all of the uploaded usage."
        )),
        empty=translate(gettext_noop("Nothing of the uploaded period could be priced.")),
        translate=translate,
    )


def usage_chart(table: Table, limit: int = charts.MAX_SERIES, translate: Translate = same) -> dict[str, Any]:
    """Tokens per month stacked by source model: the largest models, the rest as "other"."""
    series = _series(table)
    if len(series) > limit:
        series.sort(key=lambda s: -sum(v or 0.0 for v in s.values))
        rest = series[limit - 1 :]
        other = [sum(s.values[i] or 0.0 for s in rest) for i in range(len(table.columns))]
        label = translate(gettext_noop("{count} other models")).format(count=len(rest))
        series = [*series[: limit - 1], charts.Series("__other__", label, other)]
    return charts.stacked_month_bars(
        table.columns,
        series,
        title=translate(gettext_noop("Your usage per month, tokens")),
        note=translate(gettext_noop("Input, cache and output tokens of each model you used.")),
        empty=translate(gettext_noop("The upload holds no token counts.")),
    )


def native_totals(result: Any) -> dict[str, tuple[float, str]]:
    """Per candidate billed in one currency: its total in that currency (offers counted),
    so a converted figure can be shown beside the amount the provider would bill."""
    columns = _columns(result, ["native_currency", "cost_native"])
    if columns is None:
        return {}
    totals = {}
    candidates, codes = columns.candidates, columns.codes
    currencies = columns.values["native_currency"]
    costs = columns.values["cost_native"]
    for i, candidate in enumerate(candidates):
        mine = codes == i
        named = {c for c in currencies[mine] if c is not None and c == c}
        known = costs[mine][~np.isnan(costs[mine])]
        if len(named) == 1 and len(known):
            totals[candidate] = (float(known.sum()), str(named.pop()))
    return totals


def history_charts(
    usage: Table,
    history: Table,
    currency: str,
    *,
    history_summary: list[Any] | None = None,
    translate: Translate = same,
) -> dict[str, Any]:
    """The charts of the uploaded period (your usage, and it re-priced on each provider):
    growth, horizon and offers change neither, so the dashboard keeps them with the history."""
    return {
        "usage": usage_chart(usage, translate=translate),
        "history": history_spec(history, currency, history_summary, translate),
    }


def chart_specs(
    usage: Table,
    monthly: Table,
    cumulative_table: Table,
    free: Table,
    history: Table,
    summary: list[Any],
    currency: str,
    *,
    history_summary: list[Any] | None = None,
    translate: Translate = same,
    kept: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Every chart of the projection dashboard, keyed by the DOM id prefix that draws it.
    All chart text (titles, notes, empty states) is written here, through ``translate``.
    ``kept``: `history_charts` of the same tables, currency and language, when kept."""
    top = _top_note(translate)
    fixed = kept or history_charts(usage, history, currency, history_summary=history_summary, translate=translate)
    return {
        "usage": fixed["usage"],
        "monthly": line_spec(
            translate(gettext_noop("Monthly cost, {currency}, offers counted")).format(currency=currency),
            chart_subset(monthly, summary),
            currency,
            note=top,
            translate=translate,
        ),
        "cumulative": line_spec(
            translate(gettext_noop("Cumulative cost, {currency}")).format(currency=currency),
            chart_subset(cumulative_table, summary),
            currency,
            note=top,
            translate=translate,
        ),
        "free": free_vs_paid_spec(chart_subset(free, summary), translate),
        "history": fixed["history"],
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


def _known_cumulative(monthly: pd.DataFrame) -> pd.Series:
    """Each candidate's running cost by month, empty (NaN) from its first month without a
    price on: the CSV never shows a partial sum as the cumulative cost."""
    ordered = monthly.sort_values("month", kind="stable")
    cost = ordered["cost_display"]
    by_candidate = ordered["candidate"]
    gone = cost.isna().groupby(by_candidate).cumsum() > 0
    running = cost.fillna(0.0).groupby(by_candidate).cumsum().mask(gone)
    return running.reindex(monthly.index)


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
        cost_cumulative=_known_cumulative(monthly),
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


def billed_table(history: Any, translate: Translate = same) -> Table:
    """What a cost-only export billed, per model and month (one row per model and currency)."""
    billed = getattr(history, "billed_monthly", None)
    if billed is None or billed.empty:
        return Table(translate(gettext_noop("Billed per month")), [], [], "money")
    pivot = billed.pivot_table(
        index=["source_model", "currency"], columns="month", values="billed", aggfunc="sum"
    )
    rows = [
        (f"{model} ({currency})", [None if pd.isna(v) else float(v) for v in values])
        for (model, currency), values in pivot.iterrows()
    ]
    return Table(
        translate(gettext_noop("What the export billed, per model and month")), _month_labels(pivot.columns), rows, "money"
    )
