"""Small builders for engine tests: catalogs and canonical usage frames, no database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from dashboard.engine.catalog_types import (
    Catalog,
    ModelInfo,
    OfferInfo,
    PriceRow,
    ProviderInfo,
    RateRow,
)

D = dt.date
LONG_AGO = dt.date(2020, 1, 1)


def provider(slug: str, currency: str = "USD") -> ProviderInfo:
    return ProviderInfo(slug=slug, name=slug.title(), billing_currency=currency)


def model(
    key: int,
    provider_slug: str,
    model_id: str,
    tier: str = "balanced",
    ratio: float = 1.0,
    aliases: tuple[str, ...] = (),
    *,
    window: int | None = None,
    family: str = "",
    released: dt.date | None = None,
) -> ModelInfo:
    return ModelInfo(
        key,
        provider_slug,
        model_id,
        model_id.upper(),
        tier,
        ratio,
        aliases,
        context_window=window,
        family=family,
        released_on=released,
    )


def price(
    model_key: int,
    inp: float,
    out: float,
    *,
    start: dt.date = LONG_AGO,
    end: dt.date | None = None,
    currency: str = "USD",
    **extra: object,
) -> PriceRow:
    return PriceRow(
        model=model_key,
        effective_from=start,
        effective_to=end,
        currency=currency,
        input_per_mtok=inp,
        output_per_mtok=out,
        **extra,
    )


def offer(
    key: int,
    provider_slug: str,
    *,
    tokens: int | None = None,
    credit: float | None = None,
    credit_currency: str | None = None,
    models: Iterable[int] = (),
    kind: str = "both",
    per_model: bool = False,
    eligibility: str = "everyone",
    starts: dt.date = LONG_AGO,
    ends: dt.date | None = None,
    valid_days: int | None = None,
    verification: str = "verified-official",
    name: str | None = None,
) -> OfferInfo:
    return OfferInfo(
        key=key,
        provider=provider_slug,
        name=name or f"offer {key}",
        eligible_models=frozenset(models),
        free_tokens=tokens,
        credit_amount=credit,
        credit_currency=credit_currency,
        token_kind=kind,
        per_model=per_model,
        eligibility=eligibility,
        starts_on=starts,
        ends_on=ends,
        valid_days_after_claim=valid_days,
        verification=verification,
    )


def rate(day: dt.date, per_usd: float, currency: str = "CNY") -> RateRow:
    return RateRow(day, currency, per_usd)


def catalog(
    providers: Iterable[ProviderInfo],
    models: Iterable[ModelInfo],
    prices: Iterable[PriceRow] = (),
    offers: Iterable[OfferInfo] = (),
    rates: Iterable[RateRow] = (),
    equivalents: Iterable[tuple[int, int]] = (),
) -> Catalog:
    return Catalog.build(
        providers=providers,
        models=models,
        prices=prices,
        offers=offers,
        rates=rates,
        equivalents=equivalents,
    )


def usage(rows: Iterable[dict[str, object]]) -> pd.DataFrame:
    """Canonical frame from dicts; unspecified counts are 0, provider 'openai', not batch."""
    records = []
    for row in rows:
        record = {
            "source_provider": "openai",
            "batch": False,
            "requests": 0,
            "tokens_input_uncached": 0,
            "tokens_cache_read": 0,
            "tokens_cache_write": 0,
            "tokens_output": 0,
            "reported_cost": np.nan,
            "reported_currency": None,
            **row,
        }
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    frame["day"] = pd.to_datetime(frame["day"])
    for column in (
        "requests",
        "tokens_input_uncached",
        "tokens_cache_read",
        "tokens_cache_write",
        "tokens_output",
    ):
        frame[column] = frame[column].astype("int64")
    frame["reported_cost"] = frame["reported_cost"].astype("float64")
    frame["reported_currency"] = frame["reported_currency"].astype("string")
    return frame


def daily_usage(
    first: dt.date, last: dt.date, model_id: str, *, provider_slug: str = "openai", **per_day: int
) -> pd.DataFrame:
    """The same counts on every day from first to last inclusive."""
    n = (last - first).days + 1
    return usage(
        {
            "day": first + dt.timedelta(days=i),
            "source_model": model_id,
            "source_provider": provider_slug,
            **per_day,
        }
        for i in range(n)
    )
