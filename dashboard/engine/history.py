"""History mode: the uploaded period itself re-priced on each candidate, plus reconciliation.

Every day is priced with the prices and exchange rate in force on that day. Offers are not
applied here: history answers "what would this usage have cost at list price", the projection
answers "what will it cost from the switch date, offers included". Reconciliation compares the
engine's cost of the source usage on its own catalog models with the bill the export carries.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .candidate_costs import MONTHLY_COLUMNS, Rows, ScheduleCache, monthly_frame, monthly_rows
from .catalog_types import Catalog, day_from_number
from .comparison import (
    CandidateSummary,
    Comparison,
    billed_only_sources,
    comparable_rows,
    evaluate_candidates,
    json_value,
    rank_summaries,
    summarise,
)
from .frame import TOKEN_COLUMNS
from .fx import RateUsed, convert, rates_used
from .mapping import resolve_sources, typical_requests
from .pricing import frame_day_numbers, price_frame, source_columns, typical_prompt_tokens
from .projection import _frame_to_records, period
from .scenario import Scenario

_json = json_value


@dataclass(frozen=True)
class Reconciliation:
    """Engine cost of the billed rows vs the bill, for one billing currency.

    Only rows the engine can price (a known model with a price in force, and token counts)
    are compared; the bill of the other rows is reported apart, so an unknown model shows up
    as "not compared", not as a -100 % difference.
    """

    currency: str
    billed_native: float
    billed_display: float
    billed_not_compared_display: float  # bill of rows the engine could not price
    computed_display: float  # NaN when no billed row could be priced
    difference_display: float  # computed - billed, over the compared rows
    difference_pct: float  # of the compared bill
    unpriced_tokens: float  # tokens of billed rows the engine could not price

    @property
    def has_comparison(self) -> bool:
        """Some billed usage could be priced (a cost-only export has nothing to compare)."""
        return not math.isnan(self.computed_display)

    @property
    def billed_compared_display(self) -> float:
        """The part of the bill the engine's cost is compared with."""
        return self.billed_display - self.billed_not_compared_display

    def to_dict(self) -> dict[str, object]:
        return {k: _json(getattr(self, k)) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class HistoryResult:
    scenario: Scenario
    monthly: pd.DataFrame
    summary: list[CandidateSummary]
    reconciliation: list[Reconciliation]
    first_day: dt.date | None
    last_day: dt.date | None
    fx_used: list[RateUsed]
    unresolved_models: list[str]
    comparison: Comparison | None = None
    billed_monthly: pd.DataFrame | None = None  # source_model x month x currency -> billed

    def to_dict(self) -> dict[str, object]:
        billed = self.billed_monthly if self.billed_monthly is not None else pd.DataFrame()
        return {
            "scenario": self.scenario.to_dict(),
            "first_day": _json(self.first_day),
            "last_day": _json(self.last_day),
            "unresolved_models": list(self.unresolved_models),
            "comparison": self.comparison.to_dict() if self.comparison else None,
            "fx_used": [r.to_dict() for r in self.fx_used],
            "summary": [s.to_dict() for s in self.summary],
            "monthly": _frame_to_records(self.monthly),
            "reconciliation": [r.to_dict() for r in self.reconciliation],
            "billed_monthly": _frame_to_records(billed),
        }


def billed_by_month(frame: pd.DataFrame) -> pd.DataFrame:
    """What the export bills, per source model, calendar month and currency (empty when the
    export carries no money)."""
    columns = ["source_model", "month", "currency", "billed"]
    if frame.empty or "reported_cost" not in frame or frame["reported_cost"].isna().all():
        return pd.DataFrame(columns=columns)
    billed = frame[frame["reported_cost"].notna()]
    month = pd.to_datetime(billed["day"]).dt.to_period("M").dt.to_timestamp().dt.date
    work = pd.DataFrame(
        {
            "source_model": billed["source_model"].astype(object).fillna("").astype(str),
            "month": month,
            "currency": billed["reported_currency"].astype(object).fillna("USD").astype(str),
            "billed": billed["reported_cost"].astype("float64"),
        }
    )
    sums = work.groupby(["source_model", "month", "currency"], as_index=False, sort=True)["billed"].sum()
    return sums[columns]


def reconcile(
    frame: pd.DataFrame,
    catalog: Catalog,
    scenario: Scenario,
    keys: dict[tuple[str, str], int | None],
    prompt: float | None,
) -> list[Reconciliation]:
    if "reported_cost" not in frame:
        return []
    billed = frame[frame["reported_cost"].notna()]
    if billed.empty:
        return []
    currency = billed["reported_currency"].fillna("USD").astype(str)
    computed = np.full(len(billed), np.nan)
    groups = billed.groupby(["source_provider", "source_model"], sort=False).indices
    for source, positions in groups.items():
        key = keys.get(source)
        if key is None:
            continue
        priced = price_frame(
            billed.iloc[positions],
            catalog,
            key,
            scenario.display_currency,
            prompt_tokens=prompt,
            include_unverified=scenario.include_unverified,
            fx_override=scenario.fx_override,
        )
        computed[positions] = priced["cost_display"].to_numpy()
    days = frame_day_numbers(billed["day"])
    tokens = (
        billed[
            list(TOKEN_COLUMNS)
        ]
        .sum(axis=1)
        .to_numpy(dtype=np.float64)
    )
    # Rows without token counts (cost-only exports) cannot be re-priced either.
    comparable = ~np.isnan(computed) & (tokens > 0)
    bill_native = billed["reported_cost"].to_numpy(dtype=np.float64)
    results = []
    for code in sorted(set(currency)):
        mask = (currency == code).to_numpy()
        native = bill_native[mask]
        in_display = convert(
            native, code, scenario.display_currency, days[mask], catalog, scenario.fx_override
        )
        compared = comparable[mask]
        billed_compared = float(in_display[compared].sum())
        computed_display = float(computed[mask][compared].sum()) if compared.any() else math.nan
        difference = computed_display - billed_compared
        results.append(
            Reconciliation(
                currency=code,
                billed_native=float(native.sum()),
                billed_display=float(in_display.sum()),
                billed_not_compared_display=float(in_display[~compared].sum()),
                computed_display=computed_display,
                difference_display=difference,
                difference_pct=difference / billed_compared * 100 if billed_compared else math.nan,
                unpriced_tokens=float(tokens[mask][np.isnan(computed[mask])].sum()),
            )
        )
    return results


def history_scenario(scenario: Scenario) -> Scenario:
    """The scenario with every field history ignores set to a fixed value (horizon, growth,
    baseline window, eligibility: history re-prices the uploaded days at list price, without
    offers), so callers can reuse one history across those changes. The switch date stays: it
    picks the same-tier replacement models."""
    return replace(
        scenario, horizon_months=1, growth_pct=0.0, baseline_months=3, eligibility=frozenset(),
        billed_rates=None,
    )


def _history_rows(work: pd.DataFrame, keys: dict[tuple[str, str], int | None]) -> list[Rows]:
    rows = []
    for (provider, model, batch), group in work.groupby(
        ["source_provider", "source_model", "batch"], sort=True
    ):
        rows.append(
            Rows(
                source=(provider, model),
                source_key=keys[(provider, model)],
                batch=bool(batch),
                day_idx=group["_day"].to_numpy(dtype=np.int64),
                uncached=group["tokens_input_uncached"].to_numpy(dtype=np.float64),
                cache_read=group["tokens_cache_read"].to_numpy(dtype=np.float64),
                cache_write=group["tokens_cache_write"].to_numpy(dtype=np.float64),
                output=group["tokens_output"].to_numpy(dtype=np.float64),
            )
        )
    return rows


def reprice_history(frame: pd.DataFrame, catalog: Catalog, scenario: Scenario) -> HistoryResult:
    """Re-price the uploaded days on the current models and on every candidate provider
    (list prices of each day, no offers; the same comparable usage rules as the projection)."""
    scenario.validate(catalog)
    prompt = scenario.typical_prompt_tokens
    if prompt is None:
        prompt = typical_prompt_tokens(frame)
    if frame.empty:
        return HistoryResult(
            scenario, pd.DataFrame(columns=MONTHLY_COLUMNS), [], [], None, None, [], []
        )
    day_numbers = frame_day_numbers(frame["day"])
    first, last = int(day_numbers.min()), int(day_numbers.max())
    axis = period(day_from_number(first), day_from_number(last))
    work = frame.assign(_day=day_numbers - first, **source_columns(frame))
    sources = list(dict.fromkeys(zip(work["source_provider"], work["source_model"], strict=True)))
    keys = resolve_sources(catalog, sources)
    rows = _history_rows(work, keys)
    schedules = ScheduleCache(catalog, scenario, axis.days, prompt)
    compared, comparison = comparable_rows(rows, keys, schedules, billed_only_sources(frame), catalog)
    needs = typical_requests(frame, scenario.typical_prompt_tokens)
    evaluated = []
    if compared:
        evaluated = evaluate_candidates(catalog, scenario, compared, keys, schedules, needs, False)
    frames = [monthly_rows(e.candidate, e.days, axis.month_idx, axis.months) for e in evaluated]
    summaries = [summarise(e, axis.end, comparison.total_tokens, axis.days) for e in evaluated]
    currencies = {scenario.display_currency}.union(*(e.days.currencies for e in evaluated))
    billed_currencies = (
        set(frame["reported_currency"].dropna().astype(str))
        if "reported_currency" in frame
        else set()
    )
    return HistoryResult(
        scenario=scenario,
        monthly=monthly_frame(frames),
        summary=rank_summaries(summaries, comparison.has_savings),
        reconciliation=reconcile(work, catalog, scenario, keys, prompt),
        first_day=day_from_number(first),
        last_day=axis.end,
        fx_used=rates_used(
            catalog, currencies | billed_currencies, day_from_number(first), axis.end,
            scenario.fx_override,
        ),
        unresolved_models=sorted({m for (_, m), k in keys.items() if k is None}),
        comparison=comparison,
        billed_monthly=billed_by_month(frame),
    )
