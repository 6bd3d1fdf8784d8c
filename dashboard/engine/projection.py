"""Scenario -> per-candidate monthly costs over the horizon, with offers, FX and price changes.

Horizon: N months run from the switch date to the day before the same date N months later
(`Scenario.horizon_end`); the first and last calendar months are partial unless the switch is on
the 1st. Baseline monthly volume per source (provider, model, batch flag) = mean of the last N
complete calendar months of the profile; with no complete month, the covered days scaled to a
30.4375-day month. Calendar month k of the horizon (k = 0 is the switch month) carries
baseline x (1 + g)^k spread evenly over the days of that calendar month, so partial months get
their share of days. Everything is computed per day, so a month straddling a price change, a
rate change or an offer expiry is split exactly.

What is compared and how candidates are ranked: `comparison.py`. How replacement models are
chosen: `mapping.py` and `choice.py`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
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
from .comparison import (
    CURRENT,
    CandidateSummary,
    Comparison,
    Period,
    billed_only_sources,
    comparable_rows,
    current_mappings,
    current_providers,
    evaluate_candidates,
    json_value,
    rank_summaries,
    summarise,
)
from .fx import RateUsed, rates_used
from .mapping import resolve_sources, typical_requests
from .offers import OfferOutcome
from .pricing import TOKEN_COLUMNS, frame_day_numbers, source_columns, typical_prompt_tokens
from .scenario import Scenario, today

__all__ = ["CURRENT", "Baseline", "ProjectionResult", "UsageFacts", "compute_baseline", "project"]

AVERAGE_MONTH_DAYS = 30.4375
SOURCE_KEYS = ["source_provider", "source_model", "batch"]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """First day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period(first: dt.date, last: dt.date) -> Period:
    """Every day from `first` to `last` inclusive, with the calendar month of each."""
    days = np.arange(day_number(first), day_number(last) + 1, dtype=np.int64)
    months = []
    month = month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    month_idx = days.astype("datetime64[D]").astype("datetime64[M]").astype(
        np.int64
    ) - np.datetime64(months[0], "M").astype(np.int64)
    return Period(days, months, month_idx, last)


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
    if used:
        # only the averaged months' rows are converted and grouped (same rows, same order)
        lo, hi = day_number(used[0]), day_number(month_end(used[-1]))
        frame = frame[(day_numbers >= lo) & (day_numbers <= hi)]
        divisor, scaled = float(len(used)), None
    else:
        scaled = int(day_numbers.max() - day_numbers.min() + 1)
        divisor = scaled / AVERAGE_MONTH_DAYS
    values = frame[columns].assign(**source_columns(frame))[SOURCE_KEYS + columns]
    values[columns] = values[columns].astype("float64")
    volumes = values.groupby(SOURCE_KEYS, as_index=False, sort=True)[columns].sum()
    volumes[columns] = volumes[columns] / divisor
    return Baseline(tuple(used), scaled, volumes)


class UsageFacts:
    """What a projection reads from a profile's frame that no scenario field but the baseline
    length and the prompt override changes: the baseline volumes, the typical prompt and
    request sizes, and the sources billed without tokens. Worked out once per frame and kept,
    so exploring growth, horizon, offers or currency re-runs only the scenario's own work.
    The frame must not change while its facts are in use (a stored profile never does)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._baselines: dict[int, Baseline] = {}
        self._requests: dict[int | None, dict[tuple[str, str], int | None]] = {}
        self._prompt: tuple[float | None] | None = None
        self._billed_only: frozenset[tuple[str, str]] | None = None
        self._schedules: dict[tuple, tuple[Catalog, ScheduleCache]] = {}

    def baseline(self, n_months: int) -> Baseline:
        if n_months not in self._baselines:
            self._baselines[n_months] = compute_baseline(self.frame, n_months)
        return self._baselines[n_months]

    def typical_prompt_tokens(self) -> float | None:
        if self._prompt is None:
            self._prompt = (typical_prompt_tokens(self.frame),)
        return self._prompt[0]

    def typical_requests(self, prompt_override: int | None) -> dict[tuple[str, str], int | None]:
        if prompt_override not in self._requests:
            self._requests[prompt_override] = typical_requests(self.frame, prompt_override)
        return dict(self._requests[prompt_override])

    def schedules(self, catalog: Catalog, scenario: Scenario, days: np.ndarray, prompt: float | None) -> ScheduleCache:
        """The price schedules of one day axis: what they read of the scenario (currency,
        exchange rate, unverified prices) is in the key, growth and offers are not, so
        exploring those re-uses the prices already worked out. One catalog snapshot at a time."""
        key = (
            int(days[0]), len(days), prompt, scenario.display_currency, scenario.fx_override,
            scenario.include_unverified,
        )
        kept = self._schedules.get(key)
        if kept is not None and kept[0] is catalog:
            return kept[1]
        if any(held is not catalog for held, _ in self._schedules.values()) or len(self._schedules) >= 8:
            self._schedules.clear()
        schedules = ScheduleCache(catalog, scenario, days, prompt)
        self._schedules[key] = (catalog, schedules)
        return schedules

    def billed_only_sources(self) -> set[tuple[str, str]]:
        if self._billed_only is None:
            self._billed_only = frozenset(billed_only_sources(self.frame))
        return set(self._billed_only)


def _frame_to_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [{k: json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _columnar(parts: list[dict[str, object]]) -> tuple[list[int], dict[str, object]]:
    """Per-candidate month parts as one concatenated array (or list) per column."""
    sizes = [len(part["month"]) for part in parts]  # type: ignore[arg-type]
    columns: dict[str, object] = {}
    for name in parts[0] if parts else ():
        values = [part[name] for part in parts]
        if isinstance(values[0], np.ndarray):
            columns[name] = np.concatenate(values)
        else:
            columns[name] = [v for chunk in values for v in chunk]  # type: ignore[attr-defined]
    return sizes, columns


def _from_columnar(packed: tuple[list[int], dict[str, object]]) -> list[dict[str, object]]:
    sizes, columns = packed
    parts, start = [], 0
    for size in sizes:
        parts.append({name: values[start : start + size] for name, values in columns.items()})  # type: ignore[index]
        start += size
    return parts


@dataclass(frozen=True)
class ProjectionResult:
    scenario: Scenario
    # Each candidate's months (`candidate_costs.monthly_rows`), in summary order; `monthly` is
    # the same as one frame, built on first use (the dashboard reads the parts).
    monthly_parts: list[dict[str, object]]
    summary: list[CandidateSummary]
    offers: list[OfferOutcome]
    baseline_months: tuple[dt.date, ...]
    baseline_scaled_days: int | None
    fx_used: list[RateUsed]
    typical_prompt_tokens: float | None
    unresolved_models: list[str]
    comparison: Comparison | None = None
    horizon_start: dt.date | None = None
    horizon_end: dt.date | None = None
    typical_requests: dict[str, int | None] | None = None  # per source model
    current_providers: tuple[str, ...] = ()  # names of the providers the usage comes from
    # months of the bill's effective rates the current provider was priced at; None = list
    current_billed_rates: str | None = None

    @functools.cached_property
    def monthly(self) -> pd.DataFrame:
        """One row per candidate x month (`candidate_costs.MONTHLY_COLUMNS`)."""
        return monthly_frame(self.monthly_parts)

    def __getstate__(self) -> dict[str, object]:
        # Pickled (the shared cache): the parts as one array per column (a few arrays pickle
        # faster than a dozen small ones per candidate); the frame is rebuilt from them.
        state = {k: v for k, v in self.__dict__.items() if k not in ("monthly", "monthly_parts")}
        state["monthly_parts"] = _columnar(self.monthly_parts)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state, monthly_parts=_from_columnar(state["monthly_parts"]))

    def to_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario.to_dict(),
            "current_priced_at": (
                "list prices"
                if self.current_billed_rates is None
                else f"billed rates ({self.current_billed_rates})"
            ),
            "horizon": {
                "start": json_value(self.horizon_start),
                "end": json_value(self.horizon_end),
                "months": self.scenario.horizon_months,
            },
            "baseline_months": [m.isoformat() for m in self.baseline_months],
            "baseline_scaled_days": self.baseline_scaled_days,
            "typical_prompt_tokens": json_value(self.typical_prompt_tokens),
            "typical_request_tokens": dict(self.typical_requests or {}),
            "unresolved_models": list(self.unresolved_models),
            "current_providers": list(self.current_providers),
            "comparison": self.comparison.to_dict() if self.comparison else None,
            "fx_used": [r.to_dict() for r in self.fx_used],
            "summary": [s.to_dict() for s in self.summary],
            "monthly": _frame_to_records(self.monthly),
            "offers": [o.to_dict() for o in self.offers],
        }


def projected_rows(volumes: pd.DataFrame, axis: Period, scenario: Scenario) -> list[Rows]:
    """Baseline volumes spread over the horizon's days, grown month by month."""
    growth = (1 + scenario.growth_pct / 100) ** np.arange(len(axis.months))
    month_days = np.array([calendar.monthrange(m.year, m.month)[1] for m in axis.months])
    scale = (growth / month_days)[axis.month_idx]
    all_days = np.arange(len(axis.days))
    return [
        Rows(
            source=(provider, model),
            source_key=None,
            batch=bool(batch),
            day_idx=all_days,
            uncached=uncached * scale,
            cache_read=cache_read * scale,
            cache_write=cache_write * scale,
            output=output * scale,
            dense=True,
            volume=(uncached, cache_read, cache_write, output),
            weights=scale,
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


def project(
    frame: pd.DataFrame,
    catalog: Catalog,
    scenario: Scenario,
    billed_usage: list[dict[str, object]] | None = None,
    facts: UsageFacts | None = None,
) -> ProjectionResult:
    """Project the profile's usage over the scenario horizon on every candidate provider.

    `billed_usage` (the report's cost per month x model x token kind) lets the current
    provider be priced at the bill's effective rates; see billed_rates.py. `facts`: the
    frame's `UsageFacts` kept from an earlier projection of the same frame (else worked out)."""
    scenario.validate(catalog)
    if facts is None or facts.frame is not frame:
        facts = UsageFacts(frame)
    baseline = facts.baseline(scenario.baseline_months)
    prompt = scenario.typical_prompt_tokens
    if prompt is None:
        prompt = facts.typical_prompt_tokens()
    axis = period(scenario.switch_date, scenario.horizon_end)
    rows = projected_rows(baseline.volumes, axis, scenario)
    keys = resolve_sources(catalog, list(dict.fromkeys(r.source for r in rows)))
    for group in rows:
        group.source_key = keys[group.source]
    schedules = facts.schedules(catalog, scenario, axis.days, prompt)
    pricing = _billed_pricing(billed_usage, baseline, rows, keys, catalog, scenario, schedules)
    compared, comparison = comparable_rows(
        rows, keys, schedules, facts.billed_only_sources(), catalog,
        current=pricing(rows) if pricing else None,
    )
    needs = facts.typical_requests(scenario.typical_prompt_tokens)
    evaluated = []
    if compared:
        evaluated = evaluate_candidates(
            catalog, scenario, compared, keys, schedules, needs, True, pricing
        )
    frames = [monthly_rows(e.candidate, e.days, axis.month_idx, axis.months) for e in evaluated]
    summaries = [summarise(e, axis.end, comparison.total_tokens, axis.days) for e in evaluated]
    currencies = {scenario.display_currency}.union(*(e.days.currencies for e in evaluated))
    return ProjectionResult(
        scenario=scenario,
        monthly_parts=frames,
        summary=rank_summaries(summaries, comparison.has_savings),
        offers=[o for e in evaluated for o in e.outcomes],
        baseline_months=baseline.months,
        baseline_scaled_days=baseline.scaled_days,
        fx_used=rates_used(
            catalog, currencies, scenario.switch_date, axis.end, scenario.fx_override, today=today()
        ),
        typical_prompt_tokens=prompt,
        unresolved_models=sorted({model for (_, model), key in keys.items() if key is None}),
        comparison=comparison,
        horizon_start=scenario.switch_date,
        horizon_end=axis.end,
        typical_requests={model: need for (_, model), need in needs.items()},
        current_providers=current_providers(catalog, keys),
        current_billed_rates=pricing.label if pricing else None,
    )


class _BilledPricing:
    """The current provider priced at the bill's effective rates (callable on rows)."""

    def __init__(self, rates: billed_rates.BilledRates, catalog: Catalog, scenario: Scenario,
                 days: np.ndarray) -> None:
        self.rates, self.catalog, self.scenario, self.days = rates, catalog, scenario, days
        self.label = rates.label

    def __call__(self, rows: list[Rows]) -> CandidateDays:
        return billed_rates.current_days(rows, self.rates, self.catalog, self.scenario, self.days)


def _billed_pricing(
    billed_usage: list[dict[str, object]] | None,
    baseline: Baseline,
    rows: list[Rows],
    keys: dict[tuple[str, str], int | None],
    catalog: Catalog,
    scenario: Scenario,
    schedules: ScheduleCache,
) -> _BilledPricing | None:
    """Billed-rate pricing of the current provider when the scenario (or `auto`) wants it."""
    rates = billed_rates.effective_rates(billed_usage or (), baseline.months)
    if not rates:
        return None
    at_list = candidate_days(rows, current_mappings(catalog, keys), schedules, len(schedules.days))
    if not billed_rates.should_use(scenario, rates, at_list):
        return None
    return _BilledPricing(rates, catalog, scenario, schedules.days)
