"""Currency conversion by date.

A rate is "units of a currency per 1 USD". Day D converts with the latest rate on or before D;
days after the last known rate (future months) keep using that last rate; days before the first
known rate use the first one (the catalog has no older figure). A scenario FX override (CNY per
USD) replaces every CNY rate. A currency with no rate at all converts to NaN, which the
callers treat as "no price" rather than 0.

Every rate a conversion used is reported (``rates_used``) with the scenario days it
converted and how old it was on the last of them: a day converted with a rate more than
``STALE_RATE_DAYS`` older than itself is flagged, so a 2026 scenario never silently runs on
a 2024 rate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .catalog_types import Catalog, day_from_number, day_number

STALE_RATE_DAYS = 45  # a scenario day converted with a rate older than this is flagged


@dataclass(frozen=True, slots=True)
class RateUsed:
    currency: str
    per_usd: float
    day: dt.date | None  # None when the rate is a scenario override
    # The scenario days converted with this rate (None for an override).
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    # The day the projection was made: days after it have no rate yet, so the latest known
    # rate converts them and its age is counted up to today only (None: up to last_day).
    today: dt.date | None = None

    @property
    def converts_future(self) -> bool:
        """True when this rate also converts days after today (no newer rate can exist)."""
        return self.today is not None and self.last_day is not None and self.last_day > self.today

    @property
    def max_age_days(self) -> int | None:
        """The largest gap between a day converted with this rate and the rate's own date,
        future days counted as today (0 when the rate is newer than every such day; None for
        an override)."""
        if self.day is None or self.last_day is None:
            return None
        until = min(self.last_day, self.today) if self.converts_future else self.last_day
        return max((until - self.day).days, 0)

    @property
    def stale(self) -> bool:
        age = self.max_age_days
        return age is not None and age > STALE_RATE_DAYS

    @property
    def stale_after_days(self) -> int:
        return STALE_RATE_DAYS

    def to_dict(self) -> dict[str, object]:
        return {
            "currency": self.currency,
            "per_usd": self.per_usd,
            "day": self.day.isoformat() if self.day else None,
            "override": self.day is None,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "max_age_days": self.max_age_days,
            "stale": self.stale,
            "converts_future": self.converts_future,
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
    today: dt.date | None = None,
) -> list[RateUsed]:
    """The distinct non-USD rates a conversion over first_day..last_day relies on, each
    with the days it converts (so its largest age: see ``RateUsed.max_age_days``; ``today``
    makes days after it count as today, since no rate of theirs can be known yet)."""
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
            # Rate i converts from its own day (the first scenario day for the first rate)
            # to the day before the next rate (the last scenario day for the last one).
            converts_from = first_day if i == lo else day_from_number(series.days[i])
            converts_to = last_day if i == hi else day_from_number(series.days[i + 1] - 1)
            used.append(
                RateUsed(
                    currency,
                    float(series.per_usd[i]),
                    day_from_number(series.days[i]),
                    first_day=converts_from,
                    last_day=converts_to,
                    today=today,
                )
            )
    return used


def rate_on(catalog: Catalog, currency: str, day: dt.date) -> RateUsed | None:
    """The rate that converts ``day`` (None for USD or a currency without rates)."""
    used = rates_used(catalog, {currency}, day, day)
    return used[0] if used else None
