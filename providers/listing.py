"""Queries behind the catalog pages: models with the price in force on a day, converted.

Every function here runs a fixed number of queries whatever the catalog size: prices in
force are fetched with one filtered prefetch. Currency conversion is the engine's
(``dashboard.engine.fx`` over the cached catalog snapshot), so a page and a projection
convert a figure with the same rate by the same rule.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from dashboard.engine import fx
from dashboard.engine.catalog_types import Catalog, day_number

from .catalog import get_catalog
from .models import Currency, LLMModel, Offer, Price, Verification


@dataclass(frozen=True)
class Rates:
    """Conversion on one day with the engine's rule: the CNY rate of that day (the latest
    on or before it), None when the catalog has none."""

    catalog: Catalog
    day: dt.date
    cny: fx.RateUsed | None

    @property
    def cny_per_usd(self) -> Decimal | None:
        return None if self.cny is None else Decimal(str(self.cny.per_usd))

    @property
    def rate_day(self) -> dt.date | None:
        return None if self.cny is None else self.cny.day

    def convert(self, amount: Decimal | None, currency: str, to: str) -> float | Decimal | None:
        if amount is None:
            return None
        if currency == to:
            return amount
        value = fx.convert(
            np.array([float(amount)]), currency, to, np.array([day_number(self.day)]), self.catalog
        )[0]
        return None if np.isnan(value) else float(value)


def rates_on(day: dt.date) -> Rates:
    catalog = get_catalog()
    return Rates(catalog, day, fx.rate_on(catalog, Currency.CNY, day))


@dataclass(frozen=True)
class PriceView:
    """A price row as shown in a table: native figures plus the converted ones."""

    row: Price
    display_currency: str
    input_display: float | Decimal | None
    output_display: float | Decimal | None
    cache_read_display: float | Decimal | None

    @property
    def unverified(self) -> bool:
        return self.row.verification == Verification.UNVERIFIED

    @property
    def free(self) -> bool:
        return self.row.input_per_mtok == 0 and self.row.output_per_mtok == 0


def price_view(row: Price, rates: Rates, currency: str) -> PriceView:
    return PriceView(
        row=row,
        display_currency=currency,
        input_display=rates.convert(row.input_per_mtok, row.currency, currency),
        output_display=rates.convert(row.output_per_mtok, row.currency, currency),
        cache_read_display=rates.convert(row.cache_read_per_mtok, row.currency, currency),
    )


SORTS = {
    "provider": ("provider__name", "model_id"),
    "model": ("model_id", "provider__name"),
    "tier": ("tier_rank", "provider__name", "model_id"),
}
TIER_ORDER = ["frontier", "flagship", "balanced", "economy", "free"]


def _in_force_subquery(day: dt.date) -> QuerySet[Price]:
    return Price.objects.in_force(day).filter(model=OuterRef("pk"), min_prompt_tokens=0).order_by(
        "-effective_from"
    )


def _converted(amount_key: str, rates: Rates, currency: str) -> Case:
    """SQL expression: an annotated native amount converted into ``currency`` so that
    sorting by price compares like with like across USD and CNY providers."""
    money = DecimalField(max_digits=24, decimal_places=10)
    same = When(Q(sort_currency=currency), then=F(amount_key))
    if rates.cny_per_usd is None:
        return Case(same, default=None, output_field=money)
    rate = Value(rates.cny_per_usd, output_field=money)
    other = F(amount_key) / rate if currency == Currency.USD else F(amount_key) * rate
    return Case(
        same,
        When(Q(sort_currency__isnull=False), then=ExpressionWrapper(other, output_field=money)),
        default=None,
        output_field=money,
    )


def _text_q(field: str, word: str) -> Q:
    return Q(**{f"{field}__icontains": word})


def _aliases_q(word: str) -> Q:
    # SQLite keeps JSON text ASCII-escaped ("\\u6df7"), PostgreSQL's jsonb the characters.
    escaped = json.dumps(word)[1:-1]
    return _text_q("aliases", word) | (_text_q("aliases", escaped) if escaped != word else Q())


SEARCHED_FIELDS = (
    "model_id",
    "display_name",
    "name_zh",
    "provider__slug",
    "provider__name",
    "provider__name_zh",
)


def search_q(text: str) -> Q:
    """Models matching every word of ``text`` in their id, names, aliases or provider.

    Case-insensitive and in English or Chinese: "通义" finds Qwen through the models' Chinese
    names, "混元" Tencent's Hunyuan models through the provider's, "qwen plus" finds qwen-plus,
    an alias finds the model it stands for.
    """
    query = Q()
    for word in text.split():
        match = _aliases_q(word)
        for field in SEARCHED_FIELDS:
            match |= _text_q(field, word)
        query &= match
    return query


def suggest_models(text: str, limit: int = 40) -> QuerySet[LLMModel]:
    """Models for a search-as-you-type list: those matching ``text``, by provider and id."""
    query = LLMModel.objects.select_related("provider").order_by("provider__name", "model_id")
    return query.filter(search_q(text))[:limit] if text.strip() else query[:limit]


def models_with_prices(
    *,
    day: dt.date,
    currency: str,
    rates: Rates,
    provider: str = "",
    region: str = "",
    tier: str = "",
    search: str = "",
    sort: str = "provider",
) -> QuerySet[LLMModel]:
    qs = LLMModel.objects.select_related("provider")
    if provider:
        qs = qs.filter(provider__slug=provider)
    if region:
        qs = qs.filter(provider__region=region)
    if tier:
        qs = qs.filter(tier=tier)
    if search:
        qs = qs.filter(search_q(search))
    if sort in {"input", "output", "-input", "-output"}:
        field = "input_per_mtok" if sort.lstrip("-") == "input" else "output_per_mtok"
        in_force = _in_force_subquery(day)
        qs = qs.annotate(
            sort_currency=Subquery(in_force.values("currency")[:1]),
            sort_amount=Subquery(in_force.values(field)[:1]),
        ).annotate(sort_price=_converted("sort_amount", rates, currency))
        ordering = F("sort_price").desc(nulls_last=True) if sort.startswith("-") else F("sort_price").asc(nulls_last=True)
        qs = qs.order_by(ordering, "provider__name", "model_id")
    elif sort == "tier":
        qs = qs.annotate(
            tier_rank=Case(*[When(tier=t, then=Value(i)) for i, t in enumerate(TIER_ORDER)], default=Value(9))
        ).order_by(*SORTS["tier"])
    else:
        qs = qs.order_by(*SORTS.get(sort, SORTS["provider"]))
    return qs.prefetch_related(
        Prefetch(
            "prices",
            queryset=Price.objects.in_force(day).order_by("min_prompt_tokens", "-effective_from"),
            to_attr="prices_in_force",
        )
    )


def base_price(model: LLMModel) -> Price | None:
    """The base context tier's row among the prefetched ``prices_in_force``."""
    rows = getattr(model, "prices_in_force", [])
    for row in rows:
        if row.min_prompt_tokens == 0:
            return row
    return rows[0] if rows else None


def prices_last_checked(prices: QuerySet[Price] | None = None) -> dt.date | None:
    """The latest day a source of these prices (default: every price) was read."""
    prices = Price.objects.all() if prices is None else prices
    return prices.aggregate(last=Max("checked_on"))["last"]


def offers_with_models() -> QuerySet[Offer]:
    return Offer.objects.select_related("provider").prefetch_related(
        Prefetch("eligible_models", queryset=LLMModel.objects.only("id", "model_id", "provider_id"))
    )
