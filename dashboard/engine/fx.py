"""Currency conversion by date.

A rate is "units of a currency per 1 USD". Day D converts with the latest rate on or before D;
days after the last known rate (future months) keep using that last rate; days before the first
known rate use the first one (the catalog has no older figure). A scenario FX override (CNY per
USD) replaces every CNY rate. A currency with no rate at all converts to NaN, which the
callers treat as "no price" rather than 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .catalog_types import Catalog, day_from_number, day_number


@dataclass(frozen=True, slots=True)
class RateUsed:
    currency: str
    per_usd: float
    day: dt.date | None  # None when the rate is a scenario override

    def to_dict(self) -> dict[str, object]:
        return {
            "currency": self.currency,
            "per_usd": self.per_usd,
            "day": self.day.isoformat() if self.day else None,
            "override": self.day is None,
        }


def rates_on(
    catalog: Catalog, currency: str, days: np.ndarray, override: float | None = None
) -> np.ndarray:
    """Units of `currency` per USD for each day number in `days`."""
    days = np.asarray(days, dtype=np.int64)
    if currency == "USD":
        return np.ones(days.shape, dtype=np.float64)
    if override is not None and currency == "CNY":
        return np.full(days.shape, float(override), dtype=np.float64)
    series = catalog.rates.get(currency)
    if series is None or len(series.days) == 0:
        return np.full(days.shape, np.nan, dtype=np.float64)
    idx = np.searchsorted(series.days, days, side="right") - 1
    return series.per_usd[np.clip(idx, 0, None)]


def convert(
    amounts: np.ndarray,
    from_currency: str,
    to_currency: str,
    days: np.ndarray,
    catalog: Catalog,
    override: float | None = None,
) -> np.ndarray:
    """Convert amounts (one per day in `days`) from one currency to another."""
    amounts = np.asarray(amounts, dtype=np.float64)
    if from_currency == to_currency:
        return amounts
    factor = rates_on(catalog, to_currency, days, override) / rates_on(
        catalog, from_currency, days, override
    )
    return amounts * factor


def rates_used(
    catalog: Catalog,
    currencies: set[str] | frozenset[str],
    first_day: dt.date,
    last_day: dt.date,
    override: float | None = None,
) -> list[RateUsed]:
    """The distinct non-USD rates a conversion over first_day..last_day relies on."""
    used: list[RateUsed] = []
    for currency in sorted(currencies - {"USD"}):
        if override is not None and currency == "CNY":
            used.append(RateUsed(currency, float(override), None))
            continue
        series = catalog.rates.get(currency)
        if series is None or len(series.days) == 0:
            continue
        lo = max(np.searchsorted(series.days, day_number(first_day), side="right") - 1, 0)
        hi = max(np.searchsorted(series.days, day_number(last_day), side="right") - 1, 0)
        for i in range(lo, hi + 1):
            used.append(
                RateUsed(currency, float(series.per_usd[i]), day_from_number(series.days[i]))
            )
    return used
