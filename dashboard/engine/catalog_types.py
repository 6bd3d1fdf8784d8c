"""Immutable catalog snapshot the engine computes with.

`providers.catalog.get_catalog()` builds one from the database; tests build one directly with
`Catalog.build(...)`. Lookups the engine needs on every projection (model by key, prices by
model, exchange-rate arrays, model index) are precomputed once here, so a snapshot is cheap to
share between requests and never changes after it is built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

EPOCH = dt.date(1970, 1, 1)
UNVERIFIED = "unverified"
CURRENCIES = ("USD", "CNY")
# The sign shown before an amount: the one home (charts, admin, templates' money filter).
CURRENCY_SYMBOLS: Mapping[str, str] = MappingProxyType({"USD": "$", "CNY": "¥"})
TIERS = ("frontier", "flagship", "balanced", "economy", "free")
ELIGIBILITY_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "everyone": "Everyone",
        "new_customers": "New customers",
        "openai_migrants": "Teams moving from OpenAI",
        "verified_accounts": "Verified accounts",
    }
)


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01: the engine's integer day axis (same as datetime64[D])."""
    return (day - EPOCH).days


def day_from_number(number: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(number))


def period_in_force(effective_from: dt.date, effective_to: dt.date | None, day: dt.date) -> bool:
    """A price period is in force from its first day up to, not including, its end (None =
    open). The one Python home of the rule: the engine's rows, the ORM's rows once loaded and
    the importers' plans ask it; the ORM's ``PriceQuerySet.in_force`` is its SQL twin."""
    return effective_from <= day and (effective_to is None or day < effective_to)


def offer_running_on(
    starts_on: dt.date, ends_on: dt.date | None, assumed_until: dt.date | None, day: dt.date
) -> bool:
    """An offer runs on ``day`` once started and up to its published end (inclusive) or, when
    the end is not published, up to the last day it is assumed to run (last seen running +
    its window); with neither it does not run. ``OfferQuerySet.active_on`` is its SQL twin."""
    if day < starts_on:
        return False
    last_day = ends_on if ends_on is not None else assumed_until
    return last_day is not None and day <= last_day


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    slug: str
    name: str
    billing_currency: str = "USD"
    region: str = "global"


@dataclass(frozen=True, slots=True)
class ModelInfo:
    key: int
    provider: str
    model_id: str
    display_name: str
    tier: str
    token_ratio: float = 1.0
    aliases: tuple[str, ...] = ()
    context_window: int | None = None  # tokens; None = unknown (never "unlimited")
    max_output_tokens: int | None = None  # None = unknown
    family: str = ""  # e.g. "gpt-4o": dated snapshots share their family's name
    released_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class PriceRow:
    """List price per 1M tokens in `currency`; None = unknown (never 0)."""

    model: int
    effective_from: dt.date
    effective_to: dt.date | None  # exclusive
    currency: str
    input_per_mtok: float
    output_per_mtok: float
    cache_read_per_mtok: float | None = None
    cache_write_per_mtok: float | None = None
    batch_input_per_mtok: float | None = None
    batch_output_per_mtok: float | None = None
    min_prompt_tokens: int = 0
    verification: str = "verified-official"

    def in_force_on(self, day: dt.date) -> bool:
        return period_in_force(self.effective_from, self.effective_to, day)


@dataclass(frozen=True, slots=True)
class OfferInfo:
    key: int
    provider: str
    name: str
    eligible_models: frozenset[int]  # empty = every model of the provider
    free_tokens: int | None
    credit_amount: float | None
    credit_currency: str | None
    token_kind: str  # "input" | "output" | "both"
    per_model: bool
    eligibility: str
    starts_on: dt.date
    ends_on: dt.date | None  # inclusive; None = end not published
    valid_days_after_claim: int | None
    verification: str = "verified-official"
    source_url: str = ""
    # End not published: the latest day a source showed the campaign running, and the last
    # day it is assumed to run (last_seen_on + the assumption window, set by the catalog).
    last_seen_on: dt.date | None = None
    assumed_until: dt.date | None = None

    def running_on(self, day: dt.date) -> bool:
        return offer_running_on(self.starts_on, self.ends_on, self.assumed_until, day)


@dataclass(frozen=True, slots=True)
class RateRow:
    day: dt.date
    currency: str
    per_usd: float  # units of `currency` per 1 USD


@dataclass(frozen=True, slots=True)
class RateSeries:
    """Sorted rates of one currency as arrays for vectorised look-up."""

    days: np.ndarray  # int64 day numbers, ascending
    per_usd: np.ndarray  # float64


@dataclass(frozen=True)
class Catalog:
    providers: Mapping[str, ProviderInfo]
    models: Mapping[int, ModelInfo]
    prices: Mapping[int, tuple[PriceRow, ...]]  # by model key, sorted by tier then start
    offers: tuple[OfferInfo, ...]
    rates: Mapping[str, RateSeries]
    equivalents: Mapping[int, tuple[int, ...]]  # source model key -> target model keys
    model_index: Mapping[str, int]  # lower-cased id/alias -> model key
    models_by_provider: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    provider_model_index: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        providers: Iterable[ProviderInfo],
        models: Iterable[ModelInfo],
        prices: Iterable[PriceRow] = (),
        offers: Iterable[OfferInfo] = (),
        rates: Iterable[RateRow] = (),
        equivalents: Iterable[tuple[int, int]] = (),
    ) -> Catalog:
        provider_map = {p.slug: p for p in providers}
        model_map = {m.key: m for m in sorted(models, key=lambda m: m.key)}
        by_provider: dict[str, list[int]] = {slug: [] for slug in provider_map}
        index: dict[str, int] = {}
        per_provider_index: dict[str, dict[str, int]] = {slug: {} for slug in provider_map}
        for model in model_map.values():
            by_provider.setdefault(model.provider, []).append(model.key)
            names = [model.model_id, *model.aliases]
            for name in names:
                lowered = name.strip().lower()
                if not lowered:
                    continue
                # Lowest key wins a clash so the snapshot does not depend on row order.
                index.setdefault(lowered, model.key)
                per_provider_index.setdefault(model.provider, {}).setdefault(lowered, model.key)
        price_map: dict[int, list[PriceRow]] = {}
        for row in prices:
            price_map.setdefault(row.model, []).append(row)
        rate_lists: dict[str, list[RateRow]] = {}
        for rate in rates:
            rate_lists.setdefault(rate.currency, []).append(rate)
        rate_series = {}
        for currency, rows in rate_lists.items():
            rows.sort(key=lambda r: r.day)
            rate_series[currency] = RateSeries(
                days=np.array([day_number(r.day) for r in rows], dtype=np.int64),
                per_usd=np.array([r.per_usd for r in rows], dtype=np.float64),
            )
        equivalent_map: dict[int, list[int]] = {}
        for source, target in equivalents:
            equivalent_map.setdefault(source, []).append(target)
        return cls(
            providers=MappingProxyType(provider_map),
            models=MappingProxyType(model_map),
            prices=MappingProxyType(
                {
                    k: tuple(sorted(v, key=lambda r: (r.min_prompt_tokens, r.effective_from)))
                    for k, v in price_map.items()
                }
            ),
            offers=tuple(sorted(offers, key=lambda o: o.key)),
            rates=MappingProxyType(rate_series),
            equivalents=MappingProxyType({k: tuple(sorted(v)) for k, v in equivalent_map.items()}),
            model_index=MappingProxyType(index),
            models_by_provider=MappingProxyType({k: tuple(v) for k, v in by_provider.items()}),
            provider_model_index=MappingProxyType(
                {k: MappingProxyType(v) for k, v in per_provider_index.items()}
            ),
        )

    def price_rows(self, model_key: int, include_unverified: bool) -> tuple[PriceRow, ...]:
        rows = self.prices.get(model_key, ())
        if include_unverified:
            return rows
        return tuple(r for r in rows if r.verification != UNVERIFIED)
