"""Scenario -> per-candidate monthly costs over the horizon, with offers, FX and price changes.

Baseline monthly volume per source (provider, model, batch flag) = mean of the last N complete
calendar months of the profile; with no complete month, the covered days scaled to a
30.4375-day month. Month k (k = 0 is the switch month, counted from the switch date to its end)
carries baseline x (1 + g)^k, spread evenly over the days of that calendar month, so the switch
month is prorated by its remaining days. Everything is computed per day, so a month straddling
a price change, a rate change or an offer expiry is split exactly.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import billed_rates
from .candidate_costs import (
    CandidateDays,
    Rows,
    ScheduleCache,
    candidate_days,
    monthly_frame,
    monthly_rows,
)
from .catalog_types import Catalog, day_from_number, day_number
from .fx import RateUsed, rates_used
from .mapping import SOURCE_UNKNOWN, Mapper, Mapping, resolve_sources
from .offers import OfferOutcome, apply_offers
from .pricing import TOKEN_COLUMNS, frame_day_numbers, source_columns, typical_prompt_tokens
from .scenario import Scenario

CURRENT = "current"
CURRENT_MODEL = "current model"
AVERAGE_MONTH_DAYS = 30.4375
SOURCE_KEYS = ["source_provider", "source_model", "batch"]


def _json(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class Baseline:
    months: tuple[dt.date, ...]  # first days of the complete months averaged
    scaled_days: int | None  # covered days scaled to a month when no month was complete
    volumes: pd.DataFrame  # SOURCE_KEYS + requests + TOKEN_COLUMNS, per month


def compute_baseline(frame: pd.DataFrame, n_months: int) -> Baseline:
    columns = ["requests", *TOKEN_COLUMNS]
    if frame.empty:
        return Baseline((), None, pd.DataFrame(columns=SOURCE_KEYS + columns))
    day_numbers = frame_day_numbers(frame["day"])
    first, last = day_from_number(day_numbers.min()), day_from_number(day_numbers.max())
    complete = []
    month = month_start(first)
    while month <= last:
        if month >= first and month_end(month) <= last:
            complete.append(month)
        month = add_months(month, 1)
    used = complete[-n_months:]
    values = frame[columns].assign(**source_columns(frame))[SOURCE_KEYS + columns]
    values[columns] = values[columns].astype("float64")
    if used:
        lo, hi = day_number(used[0]), day_number(month_end(used[-1]))
        values = values[(day_numbers >= lo) & (day_numbers <= hi)]
        divisor, scaled = float(len(used)), None
    else:
        scaled = int(day_numbers.max() - day_numbers.min() + 1)
        divisor = scaled / AVERAGE_MONTH_DAYS
    volumes = values.groupby(SOURCE_KEYS, as_index=False, sort=True)[columns].sum()
    volumes[columns] = volumes[columns] / divisor
    return Baseline(tuple(used), scaled, volumes)


@dataclass(frozen=True)
class CandidateSummary:
    candidate: str
    label: str
    total_display: float
    total_without_offers_display: float
    savings_vs_current_display: float
    savings_vs_current_pct: float
    free_tokens_used: float
    free_value_display: float
    offers_exhausted_on: dt.date | None
    unpriced_tokens: float
    has_unpriced: bool
    uses_unverified: bool
    native_currency: str | None
    mappings: tuple[Mapping, ...]
    notes: tuple[str, ...]
    rank: int | None

    def to_dict(self) -> dict[str, object]:
        data = {k: _json(getattr(self, k)) for k in self.__dataclass_fields__ if k != "mappings"}
        data["notes"] = list(self.notes)
        data["mappings"] = [m.to_dict() for m in self.mappings]
        return data


def _frame_to_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [{k: _json(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


@dataclass(frozen=True)
class ProjectionResult:
    scenario: Scenario
    monthly: pd.DataFrame
    summary: list[CandidateSummary]
    offers: list[OfferOutcome]
    baseline_months: tuple[dt.date, ...]
    baseline_scaled_days: int | None
    fx_used: list[RateUsed]
    typical_prompt_tokens: float | None
    unresolved_models: list[str]
    # months of the bill's effective rates the current provider was priced at; None = list
    current_billed_rates: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario.to_dict(),
            "current_priced_at": (
                "list prices"
                if self.current_billed_rates is None
                else f"billed rates ({self.current_billed_rates})"
            ),
            "baseline_months": [m.isoformat() for m in self.baseline_months],
            "baseline_scaled_days": self.baseline_scaled_days,
            "typical_prompt_tokens": _json(self.typical_prompt_tokens),
            "unresolved_models": list(self.unresolved_models),
            "fx_used": [r.to_dict() for r in self.fx_used],
            "summary": [s.to_dict() for s in self.summary],
            "monthly": _frame_to_records(self.monthly),
            "offers": [o.to_dict() for o in self.offers],
        }


def candidate_providers(catalog: Catalog, scenario: Scenario, mapper: Mapper) -> list[str]:
    if scenario.providers:
        return list(scenario.providers)
    return [slug for slug in sorted(catalog.providers) if mapper.has_priced_model(slug)]


def current_mappings(
    catalog: Catalog, keys: dict[tuple[str, str], int | None]
) -> dict[tuple[str, str], Mapping]:
    mappings = {}
    for source, key in keys.items():
        if key is None:
            mappings[source] = Mapping(source[1], None, None, None, SOURCE_UNKNOWN, math.nan)
        else:
            model = catalog.models[key]
            mappings[source] = Mapping(
                source[1], key, model.model_id, model.display_name, CURRENT_MODEL, 1.0
            )
    return mappings


def current_label(catalog: Catalog, keys: dict[tuple[str, str], int | None]) -> str:
    names = sorted(
        {catalog.providers[catalog.models[k].provider].name for k in keys.values() if k is not None}
    )
    return f"Current ({', '.join(names)})" if names else "Current"


def offers_run_out(outcomes: list[OfferOutcome], horizon_end: dt.date) -> dt.date | None:
    """Day the last applied pool is used up or expires within the horizon, else None."""
    ends: list[dt.date] = []
    for outcome in outcomes:
        for pool in outcome.pools:
            if pool.exhausted_on is not None:
                ends.append(pool.exhausted_on)
            elif pool.expires_on is not None and pool.expires_on <= horizon_end:
                ends.append(pool.expires_on)
            else:
                return None
    return max(ends) if ends else None


def summarise(
    candidate: str,
    label: str,
    days: CandidateDays,
    mappings: dict[tuple[str, str], Mapping],
    outcomes: list[OfferOutcome],
    horizon_end: dt.date,
) -> CandidateSummary:
    unpriced = float(days.unpriced_tokens.sum())
    all_unpriced = days.priced_tokens.sum() == 0 and unpriced > 0
    total = math.nan if all_unpriced else float(days.buckets.cost_display.sum())
    without = math.nan if all_unpriced else float(days.cost_display_without_offers.sum())
    applied = [o for o in outcomes if o.applied]
    uses_unverified = days.uses_unverified or any(o.verification == "unverified" for o in applied)
    return CandidateSummary(
        candidate=candidate,
        label=label,
        total_display=total,
        total_without_offers_display=without,
        savings_vs_current_display=math.nan,
        savings_vs_current_pct=math.nan,
        free_tokens_used=float(days.buckets.free_tokens.sum()),
        free_value_display=float(days.buckets.free_value_display.sum()),
        offers_exhausted_on=offers_run_out(applied, horizon_end),
        unpriced_tokens=unpriced,
        has_unpriced=unpriced > 0,
        uses_unverified=uses_unverified,
        native_currency=days.native_currency,
        mappings=tuple(mappings[s] for s in sorted(mappings)),
        notes=tuple(sorted(days.notes)),
        rank=None,
    )


def rank_summaries(summaries: list[CandidateSummary]) -> list[CandidateSummary]:
    """Fill savings vs the current candidate and rank complete, priced candidates by total."""
    current = next((s for s in summaries if s.candidate == CURRENT), None)
    base = current.total_display if current and not current.has_unpriced else math.nan
    rankable = sorted(
        (s for s in summaries if not s.has_unpriced and not math.isnan(s.total_display)),
        key=lambda s: (s.total_display, s.candidate),
    )
    ranks = {s.candidate: i + 1 for i, s in enumerate(rankable)}
    result = []
    for s in summaries:
        savings = base - s.total_display if not s.has_unpriced else math.nan
        pct = savings / base * 100 if base and not math.isnan(savings) else math.nan
        result.append(
            CandidateSummary(
                **{
                    **{k: getattr(s, k) for k in s.__dataclass_fields__},
                    "savings_vs_current_display": savings,
                    "savings_vs_current_pct": pct,
                    "rank": ranks.get(s.candidate),
                }
            )
        )
    return result


def project(
    frame: pd.DataFrame,
    catalog: Catalog,
    scenario: Scenario,
    billed_usage: list[dict[str, object]] | None = None,
) -> ProjectionResult:
    """Project the profile's usage over the scenario horizon on every candidate provider.

    `billed_usage` (the report's cost per month x model x token kind) lets the current
    provider be priced at the bill's effective rates; see billed_rates.py."""
    scenario.validate(catalog)
    baseline = compute_baseline(frame, scenario.baseline_months)
    volumes = baseline.volumes
    prompt = scenario.typical_prompt_tokens
    if prompt is None:
        prompt = typical_prompt_tokens(frame)

    start = scenario.switch_date
    months = [add_months(month_start(start), k) for k in range(scenario.horizon_months)]
    horizon_end = month_end(months[-1])
    days = np.arange(day_number(start), day_number(horizon_end) + 1, dtype=np.int64)
    month_idx = days.astype("datetime64[D]").astype("datetime64[M]").astype(
        np.int64
    ) - np.datetime64(months[0], "M").astype(np.int64)
    growth = (1 + scenario.growth_pct / 100) ** np.arange(len(months))
    month_days = np.array([calendar.monthrange(m.year, m.month)[1] for m in months])
    scale = (growth / month_days)[month_idx]

    sources = list(
        dict.fromkeys(zip(volumes["source_provider"], volumes["source_model"], strict=True))
    )
    keys = resolve_sources(catalog, sources)
    unresolved = sorted({model for (_, model), key in keys.items() if key is None})
    all_days = np.arange(len(days))
    rows = [
        Rows(
            source=(provider, model),
            source_key=keys[(provider, model)],
            batch=bool(batch),
            day_idx=all_days,
            uncached=uncached * scale,
            cache_read=cache_read * scale,
            cache_write=cache_write * scale,
            output=output * scale,
            dense=True,
        )
        for provider, model, batch, uncached, cache_read, cache_write, output in zip(
            volumes["source_provider"],
            volumes["source_model"],
            volumes["batch"],
            volumes["tokens_input_uncached"],
            volumes["tokens_cache_read"],
            volumes["tokens_cache_write"],
            volumes["tokens_output"],
            strict=True,
        )
    ]

    schedules = ScheduleCache(catalog, scenario, days, prompt)
    mapper = Mapper(catalog, scenario)
    frames: list[dict[str, object]] = []
    summaries: list[CandidateSummary] = []
    all_outcomes: list[OfferOutcome] = []
    currencies: set[str] = {scenario.display_currency}

    mappings = current_mappings(catalog, keys)
    result = candidate_days(rows, mappings, schedules, len(days))
    label = current_label(catalog, keys)
    billed_label = None
    rates = billed_rates.effective_rates(billed_usage or (), baseline.months)
    if billed_rates.should_use(scenario, rates, result):
        result = billed_rates.current_days(rows, rates, catalog, scenario, days)
        label, billed_label = f"{label} at billed rates", rates.label
    currencies |= result.currencies
    frames.append(monthly_rows(CURRENT, result, month_idx, months))
    summaries.append(summarise(CURRENT, label, result, mappings, [], horizon_end))
    for provider in candidate_providers(catalog, scenario, mapper):
        mappings = {s: mapper.map_source(s[1], keys[s], provider) for s in keys}
        result = candidate_days(rows, mappings, schedules, len(days))
        mapped = {m.target_key for m in mappings.values() if m.target_key is not None}
        outcomes = apply_offers(catalog, scenario, provider, mapped, days, result.buckets)
        currencies |= result.currencies
        all_outcomes.extend(outcomes)
        frames.append(monthly_rows(provider, result, month_idx, months))
        label = catalog.providers[provider].name
        summaries.append(summarise(provider, label, result, mappings, outcomes, horizon_end))

    monthly = monthly_frame(frames)
    return ProjectionResult(
        scenario=scenario,
        monthly=monthly,
        summary=rank_summaries(summaries),
        offers=all_outcomes,
        baseline_months=baseline.months,
        baseline_scaled_days=baseline.scaled_days,
        fx_used=rates_used(catalog, currencies, start, horizon_end, scenario.fx_override),
        typical_prompt_tokens=prompt,
        unresolved_models=unresolved,
        current_billed_rates=billed_label,
    )
