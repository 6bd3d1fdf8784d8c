"""Queries behind the catalog pages: models with the price in force on a day, converted.

Every function here runs a fixed number of queries whatever the catalog size: prices in
force are fetched with one filtered prefetch, exchange rates with one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from .models import Currency, ExchangeRate, LLMModel, Offer, Price, Verification


def in_force_q(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}effective_from__lte": day}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gt": day})
    )


@dataclass(frozen=True)
class Rates:
    """Latest known CNY-per-USD rate on or before a day (None when the catalog has none)."""

    cny_per_usd: Decimal | None
    rate_day: dt.date | None

    def convert(self, amount: Decimal | None, currency: str, to: str) -> Decimal | None:
        if amount is None:
            return None
        if currency == to:
            return amount
        if self.cny_per_usd is None:
            return None
        if currency == Currency.CNY and to == Currency.USD:
            return amount / self.cny_per_usd
        if currency == Currency.USD and to == Currency.CNY:
            return amount * self.cny_per_usd
        return None


def rates_on(day: dt.date) -> Rates:
    row = (
        ExchangeRate.objects.filter(currency=Currency.CNY, day__lte=day)
        .order_by("-day")
        .values_list("per_usd", "day")
        .first()
    )
    if row is None:  # no rate before the day: the earliest known one is the best we have
        row = (
            ExchangeRate.objects.filter(currency=Currency.CNY)
            .order_by("day")
            .values_list("per_usd", "day")
            .first()
        )
    return Rates(*row) if row else Rates(None, None)


@dataclass(frozen=True)
class PriceView:
    """A price row as shown in a table: native figures plus the converted ones."""

    row: Price
    display_currency: str
    input_display: Decimal | None
    output_display: Decimal | None
    cache_read_display: Decimal | None

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
    return Price.objects.filter(in_force_q(day), model=OuterRef("pk"), min_prompt_tokens=0).order_by(
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
        qs = qs.filter(Q(model_id__icontains=search) | Q(display_name__icontains=search))
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
            queryset=Price.objects.filter(in_force_q(day)).order_by("min_prompt_tokens", "-effective_from"),
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


def offers_with_models() -> QuerySet[Offer]:
    return Offer.objects.select_related("provider").prefetch_related(
        Prefetch("eligible_models", queryset=LLMModel.objects.only("id", "model_id", "provider_id"))
    )
