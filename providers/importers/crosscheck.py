"""Comparing our own (seed or admin) prices with LiteLLM's, after currency conversion.

Used twice: the importer records a discrepancy instead of touching a seed/admin price, and
``manage.py crosscheck_prices`` lists every seed model whose price LiteLLM disagrees with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

from providers.models import Currency, ExchangeRate, LLMModel, Price

from .litellm import PRICE_FIELDS, LiteLLMModel, TierPrice

TOLERANCE = Decimal("0.01")  # differences up to 1% are rounding, not disagreement


@dataclass(frozen=True)
class Discrepancy:
    provider: str
    model_id: str
    min_prompt_tokens: int
    field: str
    origin: str
    ours: Decimal
    ours_currency: str
    per_usd: Decimal  # rate used to convert ours to USD (1 for USD)
    ours_usd: Decimal
    litellm_usd: Decimal
    ours_source: str
    litellm_key: str

    @property
    def difference_pct(self) -> Decimal | None:
        if self.ours_usd == 0:
            return None
        return (self.litellm_usd - self.ours_usd) / self.ours_usd * 100

    def as_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model_id,
            "min_prompt_tokens": self.min_prompt_tokens,
            "field": self.field,
            "origin": self.origin,
            "ours": str(self.ours),
            "ours_currency": self.ours_currency,
            "per_usd": str(self.per_usd),
            "ours_usd": str(_round(self.ours_usd)),
            "litellm_usd": str(self.litellm_usd),
            "ours_source": self.ours_source,
            "litellm_key": self.litellm_key,
        }

    def describe(self) -> str:
        ours = f"{_fmt(self.ours)} {self.ours_currency}"
        if self.ours_currency != Currency.USD:
            ours += f" (= {_fmt(_round(self.ours_usd))} USD at {_fmt(self.per_usd)}/USD)"
        tier = f" [>= {self.min_prompt_tokens} tokens]" if self.min_prompt_tokens else ""
        return (
            f"{self.provider}/{self.model_id}{tier} {self.field}: ours ({self.origin}) {ours}"
            f" vs LiteLLM {_fmt(self.litellm_usd)} USD"
        )


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.000001"))


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def rates_on(day: dt.date) -> dict[str, Decimal]:
    """Units per USD for each currency: the latest rate on or before ``day``."""
    rates = {Currency.USD.value: Decimal(1)}
    for currency in Currency.values:
        if currency == Currency.USD:
            continue
        rate = (
            ExchangeRate.objects.filter(currency=currency, day__lte=day)
            .order_by("-day")
            .values_list("per_usd", flat=True)
            .first()
        )
        if rate is not None:
            rates[currency] = rate
    return rates


def differs(ours_usd: Decimal, theirs_usd: Decimal) -> bool:
    """More than 1% apart, measured against our figure; a free price differs from any charge."""
    if ours_usd == 0:
        return theirs_usd != 0
    return abs(theirs_usd - ours_usd) > TOLERANCE * ours_usd


def compare_row(
    row: Price,
    tier: TierPrice,
    *,
    provider: str,
    model_id: str,
    key: str,
    rates: dict[str, Decimal],
) -> list[Discrepancy]:
    """Fields of our ``row`` that LiteLLM's ``tier`` disagrees with (both must be known)."""
    rate = rates.get(row.currency)
    if rate is None:
        return []
    found = []
    for name in PRICE_FIELDS:
        ours = getattr(row, name)
        theirs = getattr(tier, name)
        if ours is None or theirs is None:
            continue
        ours_usd = Decimal(ours) / rate
        if differs(ours_usd, theirs):
            found.append(
                Discrepancy(
                    provider=provider,
                    model_id=model_id,
                    min_prompt_tokens=row.min_prompt_tokens,
                    field=name,
                    origin=row.origin,
                    ours=Decimal(ours).normalize(),
                    ours_currency=row.currency,
                    per_usd=rate,
                    ours_usd=ours_usd,
                    litellm_usd=theirs,
                    ours_source=row.source,
                    litellm_key=key,
                )
            )
    return found


def compare_rows(
    rows: Iterable[Price],
    entry: LiteLLMModel,
    *,
    provider: str,
    model_id: str,
    rates: dict[str, Decimal],
) -> list[Discrepancy]:
    """Compare each of our rows with LiteLLM's tier of the same prompt-size floor."""
    tiers = {tier.min_prompt_tokens: tier for tier in entry.tiers}
    found: list[Discrepancy] = []
    for row in sorted(rows, key=lambda r: r.min_prompt_tokens):
        tier = tiers.get(row.min_prompt_tokens)
        if tier is not None:
            found += compare_row(
                row, tier, provider=provider, model_id=model_id, key=entry.key, rates=rates
            )
    return found


def in_force_filter(day: dt.date) -> Q:
    return Q(effective_from__lte=day) & (Q(effective_to__isnull=True) | Q(effective_to__gt=day))


@dataclass
class CrosscheckResult:
    found: list[Discrepancy]
    compared_models: int
    # "provider/model (CNY)": no exchange rate on or before the day, so not compared
    unconverted: list[str]


def unconverted_label(rows: Iterable[Price], rates: dict[str, Decimal], name: str) -> str | None:
    missing = sorted({r.currency for r in rows if r.currency not in rates})
    return f"{name} ({', '.join(missing)})" if missing else None


def crosscheck(
    entries: Iterable[LiteLLMModel], day: dt.date, origins: Iterable[str] = ("seed",)
) -> CrosscheckResult:
    """Every model both in LiteLLM's map and in our catalog (rows of ``origins`` in force on
    ``day``) whose prices differ by more than 1% after conversion at the rate of the day."""
    by_identity = {(e.provider_slug, e.model_id.lower()): e for e in entries}
    slugs = {slug for slug, _ in by_identity}
    models = LLMModel.objects.filter(provider__slug__in=slugs).values_list(
        "pk", "provider__slug", "model_id"
    )
    matched: dict[int, tuple[str, str, LiteLLMModel]] = {}
    for pk, slug, model_id in models:
        entry = by_identity.get((slug, model_id.lower()))
        if entry is not None:
            matched[pk] = (slug, model_id, entry)
    rows_by_model: dict[int, list[Price]] = {}
    rows = Price.objects.filter(
        in_force_filter(day), model_id__in=matched, origin__in=list(origins)
    )
    for row in rows:
        rows_by_model.setdefault(row.model_id, []).append(row)
    rates = rates_on(day)
    result = CrosscheckResult(found=[], compared_models=len(rows_by_model), unconverted=[])
    for pk in sorted(rows_by_model, key=lambda pk: (matched[pk][0], matched[pk][1])):
        slug, model_id, entry = matched[pk]
        missing = unconverted_label(rows_by_model[pk], rates, f"{slug}/{model_id}")
        if missing:
            result.unconverted.append(missing)
        result.found += compare_rows(
            rows_by_model[pk], entry, provider=slug, model_id=model_id, rates=rates
        )
    return result


def format_table(found: list[Discrepancy]) -> str:
    """A plain-text table, one line per differing field."""
    header = (
        "model",
        "tier",
        "field",
        "ours",
        "ours USD",
        "LiteLLM USD",
        "diff",
        "our source",
        "LiteLLM key",
    )
    lines = [header]
    for d in found:
        pct = d.difference_pct
        lines.append(
            (
                f"{d.provider}/{d.model_id}",
                str(d.min_prompt_tokens),
                d.field.removesuffix("_per_mtok"),
                f"{_fmt(d.ours)} {d.ours_currency}",
                _fmt(_round(d.ours_usd)),
                _fmt(d.litellm_usd),
                "n/a" if pct is None else f"{pct:+.1f}%",
                (d.ours_source or "-")[:60],
                d.litellm_key,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    rendered = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    rendered.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(rendered)
