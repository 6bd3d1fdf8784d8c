"""Shared arithmetic of projection and history re-pricing: usage rows on a candidate's models.

Both modes reduce to "rows": token counts on a day (index into a day axis), for a source
model, with a batch flag. A candidate maps each source to one of its models (or none), prices
every row with that model's schedule, and sums the result per (model, token kind) x day into
`offers.Buckets`, then per month.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .catalog_types import CURRENCIES, Catalog
from .mapping import Mapping
from .offers import Buckets
from .pricing import PriceSchedule, display_factor, price_schedule
from .scenario import Scenario

MONTHLY_COLUMNS = (
    "candidate",
    "month",
    "tokens_input_uncached",
    "tokens_cache_read",
    "tokens_cache_write",
    "tokens_output",
    "cost_native",
    "native_currency",
    "cost_display",
    "cost_display_without_offers",
    "free_tokens_used",
    "free_value_display",
    "unpriced_tokens",
    "cost_display_cumulative",
)


class ScheduleCache:
    """Price schedules and display factors per model over one day axis."""

    def __init__(
        self, catalog: Catalog, scenario: Scenario, days: np.ndarray, prompt: float | None
    ) -> None:
        self.catalog = catalog
        self.scenario = scenario
        self.days = days
        self.prompt = prompt
        self._cache: dict[int, tuple[PriceSchedule, np.ndarray]] = {}

    def get(self, model_key: int) -> tuple[PriceSchedule, np.ndarray]:
        if model_key not in self._cache:
            schedule = price_schedule(
                self.catalog,
                model_key,
                self.days,
                self.prompt,
                self.scenario.include_unverified,
            )
            factor = display_factor(
                self.catalog, schedule, self.scenario.display_currency, self.scenario.fx_override
            )
            self._cache[model_key] = (schedule, factor)
        return self._cache[model_key]


@dataclass(slots=True)
class Rows:
    """Usage rows of one source group (a source model + batch flag) on a day axis."""

    source: tuple[str, str]  # (source_provider, source_model) as exported
    source_key: int | None
    batch: bool
    day_idx: np.ndarray
    uncached: np.ndarray
    cache_read: np.ndarray
    cache_write: np.ndarray
    output: np.ndarray
    dense: bool = False  # day_idx is exactly 0..n_days-1: per-day sums need no bincount


@dataclass(slots=True)
class CandidateDays:
    """A candidate's usage and costs per day, before and after offers."""

    buckets: Buckets
    tokens: dict[str, np.ndarray]  # per token column, per day (after token ratio)
    unpriced_tokens: np.ndarray
    priced_tokens: np.ndarray
    cost_display_without_offers: np.ndarray
    native_currency: str | None
    currencies: set[str] = field(default_factory=set)
    uses_unverified: bool = False
    notes: set[str] = field(default_factory=set)


def candidate_days(
    rows: list[Rows],
    mappings: dict[tuple[str, str], Mapping],
    schedules: ScheduleCache,
    n_days: int,
) -> CandidateDays:
    """Price every row group on its mapped model and collect per-day buckets."""
    targets = sorted({m.target_key for m in mappings.values() if m.target_key is not None})
    position = {key: i for i, key in enumerate(targets)}
    n_buckets = 2 * len(targets)
    tokens_b = np.zeros((n_buckets, n_days))
    display_b = np.zeros((n_buckets, n_days))
    native_b = np.zeros((n_buckets, n_days))
    token_days = {name: np.zeros(n_days) for name in MONTHLY_COLUMNS[2:6]}
    unpriced = np.zeros(n_days)
    priced_tokens = np.zeros(n_days)
    currencies: set[str] = set()
    uses_unverified = False
    notes: set[str] = set()
    for group in rows:
        mapping = mappings[group.source]
        ratio = 1.0 if mapping.target_key is None else mapping.token_ratio
        unc = group.uncached * ratio
        cr = group.cache_read * ratio
        cw = group.cache_write * ratio
        out = group.output * ratio
        idx = group.day_idx

        def per_day(
            values: np.ndarray, idx: np.ndarray = idx, dense: bool = group.dense
        ) -> np.ndarray:
            return values if dense else np.bincount(idx, weights=values, minlength=n_days)

        for name, values in zip(MONTHLY_COLUMNS[2:6], (unc, cr, cw, out), strict=True):
            token_days[name] += per_day(values)
        total = unc + cr + cw + out
        if mapping.target_key is None:
            unpriced += per_day(total)
            continue
        schedule, factor = schedules.get(mapping.target_key)
        # A price in a currency without any exchange rate cannot be shown: count it unpriced.
        priced = schedule.priced[idx] & np.isfinite(factor[idx])
        unpriced += per_day(np.where(priced, 0.0, total))
        priced_tokens += per_day(np.where(priced, total, 0.0))
        if not priced.any():
            continue
        inp_price = schedule.batch_input if group.batch else schedule.input
        out_price = schedule.batch_output if group.batch else schedule.output
        native_in = (
            unc * inp_price[idx] + cr * schedule.cache_read[idx] + cw * schedule.cache_write[idx]
        ) / 1e6
        native_out = out * out_price[idx] / 1e6
        native_in = np.where(priced, native_in, 0.0)
        native_out = np.where(priced, native_out, 0.0)
        used_codes = np.unique(schedule.currency_code[idx][priced])
        currencies.update(CURRENCIES[c] for c in used_codes)
        uses_unverified |= bool((schedule.unverified[idx] & priced).any())
        if (schedule.cache_read_fallback[idx] & priced & (cr > 0)).any():
            notes.add("cache reads billed at the input price (no cache price)")
        if (schedule.cache_write_fallback[idx] & priced & (cw > 0)).any():
            notes.add("cache writes billed at the input price (no cache-write price)")
        if group.batch and (schedule.batch_fallback[idx] & priced).any():
            notes.add("batch usage billed at normal prices (no batch price)")
        f = np.where(priced, factor[idx], 0.0)
        b = 2 * position[mapping.target_key]
        tokens_b[b] += per_day(np.where(priced, unc + cr + cw, 0.0))
        tokens_b[b + 1] += per_day(np.where(priced, out, 0.0))
        display_b[b] += per_day(native_in * f)
        display_b[b + 1] += per_day(native_out * f)
        native_b[b] += per_day(native_in)
        native_b[b + 1] += per_day(native_out)
    native_currency = next(iter(currencies)) if len(currencies) == 1 else None
    if native_currency is None:
        native_b[:] = np.nan
    buckets = Buckets(
        models=np.repeat(np.array(targets, dtype=np.int64), 2),
        kinds=np.array(["input", "output"] * len(targets)),
        tokens=tokens_b,
        cost_display=display_b,
        cost_native=native_b,
    )
    return CandidateDays(
        buckets=buckets,
        tokens=token_days,
        unpriced_tokens=unpriced,
        priced_tokens=priced_tokens,
        cost_display_without_offers=display_b.sum(axis=0),
        native_currency=native_currency,
        currencies=currencies,
        uses_unverified=uses_unverified,
        notes=notes,
    )


def monthly_rows(
    candidate: str,
    result: CandidateDays,
    month_idx: np.ndarray,
    months: list,
) -> dict[str, object]:
    """Sum a candidate's days per month (columns of `monthly_frame`).

    A month with only unpriced tokens costs NaN, not 0.
    """
    n = len(months)

    def per_month(values: np.ndarray) -> np.ndarray:
        return np.bincount(month_idx, weights=values, minlength=n)

    buckets = result.buckets
    priced = per_month(result.priced_tokens)
    unpriced = per_month(result.unpriced_tokens)
    no_price = (priced == 0) & (unpriced > 0)
    with_offers = np.where(no_price, np.nan, per_month(buckets.cost_display.sum(axis=0)))
    without = np.where(no_price, np.nan, per_month(result.cost_display_without_offers))
    if result.native_currency is None:
        native = np.full(n, np.nan)
    else:
        native = np.where(no_price, np.nan, per_month(buckets.cost_native.sum(axis=0)))
    data = {
        "candidate": [candidate] * n,
        "month": months,
        **{name: per_month(values) for name, values in result.tokens.items()},
        "cost_native": native,
        "native_currency": [result.native_currency] * n,
        "cost_display": with_offers,
        "cost_display_without_offers": without,
        "free_tokens_used": per_month(buckets.free_tokens),
        "free_value_display": per_month(buckets.free_value_display),
        "unpriced_tokens": unpriced,
        # Months without any price add nothing rather than turning the running total NaN.
        "cost_display_cumulative": np.cumsum(np.nan_to_num(with_offers)),
    }
    return data


def monthly_frame(parts: list[dict[str, object]]) -> pd.DataFrame:
    """One frame from every candidate's `monthly_rows` (built once: cheaper than concat)."""
    if not parts:
        return pd.DataFrame(columns=list(MONTHLY_COLUMNS))
    columns = {}
    for name in MONTHLY_COLUMNS:
        values = [part[name] for part in parts]
        if isinstance(values[0], np.ndarray):
            columns[name] = np.concatenate(values)
        else:
            columns[name] = [v for chunk in values for v in chunk]
    return pd.DataFrame(columns, columns=list(MONTHLY_COLUMNS))
