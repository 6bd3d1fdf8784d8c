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

from .candidate_costs import (
    MONTHLY_COLUMNS,
    Rows,
    ScheduleCache,
    candidate_days,
    monthly_frame,
    monthly_rows,
)
from .catalog_types import Catalog, day_from_number
from .fx import RateUsed, convert, rates_used
from .mapping import Mapper, resolve_sources
from .pricing import frame_day_numbers, price_frame, source_columns, typical_prompt_tokens
from .projection import (
    CURRENT,
    CandidateSummary,
    _frame_to_records,
    _json,
    add_months,
    candidate_providers,
    current_label,
    current_mappings,
    month_start,
    rank_summaries,
    summarise,
)
from .scenario import Scenario


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

    def to_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario.to_dict(),
            "first_day": _json(self.first_day),
            "last_day": _json(self.last_day),
            "unresolved_models": list(self.unresolved_models),
            "fx_used": [r.to_dict() for r in self.fx_used],
            "summary": [s.to_dict() for s in self.summary],
            "monthly": _frame_to_records(self.monthly),
            "reconciliation": [r.to_dict() for r in self.reconciliation],
        }


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
            ["tokens_input_uncached", "tokens_cache_read", "tokens_cache_write", "tokens_output"]
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


def reprice_history(frame: pd.DataFrame, catalog: Catalog, scenario: Scenario) -> HistoryResult:
    """Re-price the uploaded days on the current models and on every candidate provider."""
    scenario.validate(catalog)
    prompt = scenario.typical_prompt_tokens
    if prompt is None:
        prompt = typical_prompt_tokens(frame)
    mapper = Mapper(catalog, scenario)
    providers = candidate_providers(catalog, scenario, mapper)
    if frame.empty:
        return HistoryResult(
            scenario, pd.DataFrame(columns=MONTHLY_COLUMNS), [], [], None, None, [], []
        )
    day_numbers = frame_day_numbers(frame["day"])
    first, last = int(day_numbers.min()), int(day_numbers.max())
    days = np.arange(first, last + 1, dtype=np.int64)
    first_day, last_day = day_from_number(first), day_from_number(last)
    months = []
    month = month_start(first_day)
    while month <= last_day:
        months.append(month)
        month = add_months(month, 1)
    month_idx = days.astype("datetime64[D]").astype("datetime64[M]").astype(
        np.int64
    ) - np.datetime64(months[0], "M").astype(np.int64)

    work = frame.assign(_day=day_numbers - first, **source_columns(frame))
    sources = list(dict.fromkeys(zip(work["source_provider"], work["source_model"], strict=True)))
    keys = resolve_sources(catalog, sources)
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
    schedules = ScheduleCache(catalog, scenario, days, prompt)
    currencies: set[str] = {scenario.display_currency}
    frames, summaries = [], []
    candidates = [(CURRENT, current_label(catalog, keys), current_mappings(catalog, keys))]
    for provider in providers:
        mappings = {s: mapper.map_source(s[1], keys[s], provider) for s in keys}
        candidates.append((provider, catalog.providers[provider].name, mappings))
    for candidate, label, mappings in candidates:
        result = candidate_days(rows, mappings, schedules, len(days))
        currencies |= result.currencies
        frames.append(monthly_rows(candidate, result, month_idx, months))
        summaries.append(summarise(candidate, label, result, mappings, [], last_day))
    billed_currencies = (
        set(frame["reported_currency"].dropna().astype(str))
        if "reported_currency" in frame
        else set()
    )
    return HistoryResult(
        scenario=scenario,
        monthly=monthly_frame(frames),
        summary=rank_summaries(summaries),
        reconciliation=reconcile(work, catalog, scenario, keys, prompt),
        first_day=first_day,
        last_day=last_day,
        fx_used=rates_used(
            catalog, currencies | billed_currencies, first_day, last_day, scenario.fx_override
        ),
        unresolved_models=sorted({m for (_, m), k in keys.items() if k is None}),
    )
