"""Your billed rate: the current provider priced at the effective unit prices of its own bill.

Cloud bills (and any export that carries cost per token kind) give tokens and cost per month x
source model x token kind x batch flag (`UsageReport.billed_usage`). The effective unit price
of a model and token kind is its billed cost divided by its tokens over the baseline months
(a token-weighted mean: exactly what those months cost per token), per 1M tokens in the bill's
currency. With the scenario's `billed_rates` on, the projection prices the current provider
with these instead of list prices: the only way to project Azure China (no public price list)
or a discounted enterprise contract. `auto` (None) turns it on when the current usage has no
list price in force and the bill has rates.

A kind with tokens but no billed cost in the baseline months has no rate: its tokens are
"no price", never 0. `list_vs_billed` shows, per model, how far the bill is from list prices.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .candidate_costs import CandidateDays, Rows, SourceDays
from .catalog_types import Catalog
from .frame import TOKEN_COLUMNS
from .fx import convert, rates_on
from .mapping import resolve_sources
from .offers import Buckets
from .pricing import PER_MTOK, frame_day_numbers, price_frame
from .reasons import Reason
from .scenario import Scenario

KINDS = ("input", "cache_read", "cache_write", "output")
NOTE = "billed_rates"  # reason code, worded in reasons.py


@dataclass(frozen=True, slots=True)
class BilledRate:
    """Effective prices per 1M tokens of one source model and batch flag (NaN = no rate)."""

    source_provider: str
    source_model: str
    batch: bool
    currency: str
    input_per_mtok: float
    cache_read_per_mtok: float
    cache_write_per_mtok: float
    output_per_mtok: float

    def per_mtok(self, kind: str) -> float:
        return getattr(self, f"{kind}_per_mtok")

    def to_dict(self) -> dict[str, object]:
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in ((f, getattr(self, f)) for f in self.__dataclass_fields__)
        }


@dataclass(frozen=True)
class BilledRates:
    months: tuple[str, ...]  # "YYYY-MM" the rates average over
    rates: Mapping[tuple[str, str, bool], BilledRate]

    def get(self, provider: str, model: str, batch: bool) -> BilledRate | None:
        return self.rates.get((provider, model, bool(batch)))

    def __bool__(self) -> bool:
        return bool(self.rates)

    @property
    def label(self) -> str:
        if not self.months:
            return "no months"
        if len(self.months) == 1:
            return self.months[0]
        return f"mean of {self.months[0]} – {self.months[-1]}"


def effective_rates(
    billed_usage: Iterable[Mapping[str, object]], months: Iterable[dt.date | str] = ()
) -> BilledRates:
    """Effective unit prices over `months` (first days or "YYYY-MM"; empty = every month)."""
    wanted = {m if isinstance(m, str) else m.strftime("%Y-%m") for m in months}
    sums: dict[tuple[str, str, bool, str], dict[str, list[float]]] = {}
    used: set[str] = set()
    currencies: dict[tuple[str, str, bool], set[str]] = {}
    for row in billed_usage:
        month = str(row["month"])
        if wanted and month not in wanted:
            continue
        key = (str(row["source_provider"] or ""), str(row["source_model"]), bool(row["batch"]))
        currency = str(row.get("currency") or "USD")
        currencies.setdefault(key, set()).add(currency)
        bucket = sums.setdefault((*key, currency), {k: [0.0, 0.0, 0.0] for k in KINDS})
        tokens, cost = float(row["tokens"] or 0), row.get("cost")
        kind = bucket[str(row["token_kind"])]
        kind[0] += tokens
        if cost is None:
            kind[2] += tokens  # tokens whose cost the bill does not give
        else:
            kind[1] += float(cost)
        used.add(month)
    rates = {}
    for (provider, model, batch, currency), kinds in sums.items():
        if len(currencies[(provider, model, batch)]) > 1:
            continue  # one model billed in two currencies: no single rate
        per = {}
        for kind, (tokens, cost, uncosted) in kinds.items():
            per[kind] = cost / tokens * PER_MTOK if tokens > 0 and uncosted == 0 else math.nan
        rates[(provider, model, batch)] = BilledRate(
            provider, model, batch, currency,
            per["input"], per["cache_read"], per["cache_write"], per["output"],
        )
    return BilledRates(tuple(sorted(used)), rates)


def renamed(
    billed_usage: Iterable[Mapping[str, object]], renames: Mapping[str, tuple[str, str]]
) -> list[dict[str, object]]:
    """The billed usage with identified source ids renamed like the frame (raw id ->
    (provider, model id)), so rates follow the user's identifications."""
    result = []
    for row in billed_usage:
        new = dict(row)
        target = renames.get(str(row["source_model"]))
        if target is not None:
            new["source_provider"], new["source_model"] = target
        result.append(new)
    return result


def should_use(scenario: Scenario, rates: BilledRates, list_result: CandidateDays) -> bool:
    """The scenario's choice; `auto` = on when the bill has rates and the current usage has
    tokens no list price covers."""
    if not rates:
        return False
    if scenario.billed_rates is not None:
        return scenario.billed_rates
    return bool(list_result.unpriced_tokens.sum() > 0.5)


def current_days(
    rows: list[Rows],
    rates: BilledRates,
    catalog: Catalog,
    scenario: Scenario,
    days: np.ndarray,
) -> CandidateDays:
    """The current provider's days priced at the bill's effective rates (no offers)."""
    n_days = len(days)
    token_days = {name: np.zeros(n_days) for name in TOKEN_COLUMNS}
    unpriced = np.zeros(n_days)
    priced_tokens = np.zeros(n_days)
    # per priced group: tokens in / out, display cost in / out, native cost in / out per day
    groups: list[tuple[np.ndarray, ...]] = []
    currencies: set[str] = set()
    factors: dict[str, np.ndarray] = {}
    sources: dict[tuple[str, str], SourceDays] = {}
    target = rates_on(catalog, scenario.display_currency, days, scenario.fx_override)
    for group in rows:
        def per_day(values: np.ndarray, group: Rows = group) -> np.ndarray:
            return group.per_day(values, n_days)

        counts = (group.uncached, group.cache_read, group.cache_write, group.output)
        for name, values in zip(TOKEN_COLUMNS, counts, strict=True):
            token_days[name] += per_day(values)
        info = sources.setdefault(
            group.source, SourceDays(np.zeros(n_days), 1.0, np.zeros(n_days), None)
        )
        info.tokens += per_day(sum(counts))
        rate = rates.get(group.source[0], group.source[1], group.batch)
        if rate is None:
            unpriced += per_day(sum(counts))
            info.unpriced += per_day(sum(counts))
            continue
        if rate.currency not in factors:
            factors[rate.currency] = target / rates_on(
                catalog, rate.currency, days, scenario.fx_override
            )
        factor = factors[rate.currency][group.day_idx]
        native_in = np.zeros(len(group.day_idx))
        native_out = np.zeros(len(group.day_idx))
        tokens_in = np.zeros(len(group.day_idx))
        tokens_out = np.zeros(len(group.day_idx))
        for kind, values in zip(KINDS, counts, strict=True):
            price = rate.per_mtok(kind)
            if math.isnan(price) or not np.isfinite(factor).all():
                unpriced += per_day(values)
                info.unpriced += per_day(values)
                continue
            if kind == "output":
                native_out += values * price / PER_MTOK
                tokens_out += values
            else:
                native_in += values * price / PER_MTOK
                tokens_in += values
            priced_tokens += per_day(values)
        currencies.add(rate.currency)
        groups.append((
            per_day(tokens_in), per_day(tokens_out), per_day(native_in * factor),
            per_day(native_out * factor), per_day(native_in), per_day(native_out),
        ))
    n = len(groups)
    tokens_b = np.zeros((2 * n, n_days))
    display_b = np.zeros((2 * n, n_days))
    native_b = np.zeros((2 * n, n_days))
    for i, (t_in, t_out, d_in, d_out, n_in, n_out) in enumerate(groups):
        tokens_b[2 * i], tokens_b[2 * i + 1] = t_in, t_out
        display_b[2 * i], display_b[2 * i + 1] = d_in, d_out
        native_b[2 * i], native_b[2 * i + 1] = n_in, n_out
    native_currency = next(iter(currencies)) if len(currencies) == 1 else None
    if native_currency is None:
        native_b[:] = np.nan
    buckets = Buckets(
        # the current provider has no offers: bucket model keys are never looked up
        models=np.repeat(-np.arange(1, n + 1, dtype=np.int64), 2),
        kinds=np.array(["input", "output"] * n),
        tokens=tokens_b,
        cost_display=display_b,
        cost_native=native_b,
        unpriced=np.zeros((2 * n, n_days)),
    )
    return CandidateDays(
        buckets=buckets,
        tokens=token_days,
        # usage without a billed rate: no pool ever covers the current provider's usage
        unmapped_tokens=unpriced,
        priced_tokens=priced_tokens,
        cost_display_without_offers=display_b.sum(axis=0),
        native_currency=native_currency,
        sources=sources,
        currencies=currencies,
        notes={Reason.of(NOTE, months=rates.label)},
        unpriced_before_offers=np.zeros((2 * n, n_days)),
    )


@dataclass(frozen=True, slots=True)
class ModelGap:
    """One source model: what the bill says vs the same tokens at list price."""

    source_provider: str
    source_model: str
    currency: str  # the bill's
    billed_native: float
    billed_display: float
    list_display: float  # NaN when the model has no list price in force on some billed day
    gap_display: float  # billed - list
    gap_pct: float  # of the list cost

    def to_dict(self) -> dict[str, object]:
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in ((f, getattr(self, f)) for f in self.__dataclass_fields__)
        }


def list_vs_billed(frame: pd.DataFrame, catalog: Catalog, scenario: Scenario) -> list[ModelGap]:
    """Per source model with a bill: billed cost vs the catalog's list price of its tokens."""
    if frame.empty or "reported_cost" not in frame:
        return []
    billed = frame[frame["reported_cost"].notna()]
    if billed.empty:
        return []
    keys = resolve_sources(
        catalog, dict.fromkeys(zip(billed["source_provider"], billed["source_model"], strict=True))
    )
    gaps = []
    for (provider, model), group in billed.groupby(["source_provider", "source_model"], sort=True):
        currencies = group["reported_currency"].fillna("USD").astype(str).unique()
        if len(currencies) != 1:
            continue
        currency = str(currencies[0])
        days = frame_day_numbers(group["day"])
        native = group["reported_cost"].to_numpy(dtype=np.float64)
        billed_display = float(
            convert(native, currency, scenario.display_currency, days, catalog,
                    scenario.fx_override).sum()
        )
        key = keys.get((provider, model))
        list_display = math.nan
        tokens = group[list(TOKEN_COLUMNS)].to_numpy().sum()
        if key is not None and tokens > 0:
            priced = price_frame(
                group, catalog, key, scenario.display_currency,
                include_unverified=scenario.include_unverified, fx_override=scenario.fx_override,
            )
            if bool(priced["priced"].all()):
                list_display = float(priced["cost_display"].sum())
        gap = billed_display - list_display
        gaps.append(
            ModelGap(str(provider), str(model), currency, float(native.sum()), billed_display,
                     list_display, gap, gap / list_display * 100 if list_display else math.nan)
        )
    return gaps

