"""Comparing our own (seed or admin) prices with a price source's, after conversion.

Used twice: an importer records a discrepancy instead of touching a seed/admin price, and
``manage.py crosscheck_prices`` lists every seed model whose price a source (LiteLLM,
genai-prices) disagrees with, with the date of the source's price.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dashboard.engine import fx
from providers.catalog import rates_catalog
from providers.models import Currency, LLMModel, Price

from .records import PRICE_FIELDS, SourceModel, TierPrice

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
    source_usd: Decimal
    ours_source: str
    source_key: str
    source: str = "LiteLLM"  # which source disagrees
    source_date: dt.date | None = None  # when the source's price starts (None: undated)

    @property
    def difference_pct(self) -> Decimal | None:
        if self.ours_usd == 0:
            return None
        return (self.source_usd - self.ours_usd) / self.ours_usd * 100

    @property
    def source_date_label(self) -> str:
        return self.source_date.isoformat() if self.source_date else "undated"

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
            "source": self.source,
            "source_usd": str(self.source_usd),
            "source_date": self.source_date.isoformat() if self.source_date else None,
            "ours_source": self.ours_source,
            "source_key": self.source_key,
        }

    def describe(self) -> str:
        ours = f"{_fmt(self.ours)} {self.ours_currency}"
        if self.ours_currency != Currency.USD:
            ours += f" (= {_fmt(_round(self.ours_usd))} USD at {_fmt(self.per_usd)}/USD)"
        tier = f" [>= {self.min_prompt_tokens} tokens]" if self.min_prompt_tokens else ""
        return (
            f"{self.provider}/{self.model_id}{tier} {self.field}: ours ({self.origin}) {ours}"
            f" vs {self.source} {_fmt(self.source_usd)} USD"
            + (f" (from {self.source_date})" if self.source_date else "")
        )


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.000001"))


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def rates_on(day: dt.date) -> dict[str, Decimal]:
    """Units per USD for each currency that has a rate on or before ``day``: the engine's
    conversion rule over the catalog snapshot, minus its fall-back to a later rate (a
    comparison names a price it cannot convert rather than guess)."""
    catalog = rates_catalog()
    rates = {Currency.USD.value: Decimal(1)}
    for currency in Currency.values:
        used = None if currency == Currency.USD else fx.rate_on(catalog, currency, day)
        if used is not None and used.day is not None and used.day <= day:
            rates[currency] = Decimal(str(used.per_usd))
    return rates


def differs(ours_usd: Decimal, theirs_usd: Decimal) -> bool:
    """More than 1% apart, measured against our figure; a free price differs from any charge."""
    if ours_usd == 0:
        return theirs_usd != 0
    return abs(theirs_usd - ours_usd) > TOLERANCE * ours_usd


@dataclass(frozen=True)
class Theirs:
    """The source's side of a comparison: which source, its entry and the price's date."""

    source: str
    key: str
    starts_on: dt.date | None


def compare_row(
    row: Price,
    tier: TierPrice,
    *,
    provider: str,
    model_id: str,
    theirs: Theirs,
    rates: dict[str, Decimal],
) -> list[Discrepancy]:
    """Fields of our ``row`` that the source's ``tier`` disagrees with (both must be known)."""
    rate = rates.get(row.currency)
    if rate is None:
        return []
    found = []
    for name in PRICE_FIELDS:
        ours = getattr(row, name)
        their_price = getattr(tier, name)
        if ours is None or their_price is None:
            continue
        ours_usd = Decimal(ours) / rate
        if differs(ours_usd, their_price):
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
                    source_usd=their_price,
                    ours_source=row.source,
                    source_key=theirs.key,
                    source=theirs.source,
                    source_date=theirs.starts_on,
                )
            )
    return found


def compare_rows(
    rows: Iterable[Price],
    entry: SourceModel,
    *,
    day: dt.date,
    source: str,
    provider: str,
    model_id: str,
    rates: dict[str, Decimal],
) -> list[Discrepancy]:
    """Compare each of our rows with the source's price of ``day`` on the same prompt-size
    floor."""
    period = entry.period_on(day)
    if period is None:
        return []
    tiers = {tier.min_prompt_tokens: tier for tier in period.tiers}
    theirs = Theirs(source, entry.key, period.starts_on)
    found: list[Discrepancy] = []
    for row in sorted(rows, key=lambda r: r.min_prompt_tokens):
        tier = tiers.get(row.min_prompt_tokens)
        if tier is not None:
            found += compare_row(
                row, tier, provider=provider, model_id=model_id, theirs=theirs, rates=rates
            )
    return found


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
    entries: Iterable[SourceModel],
    day: dt.date,
    origins: Iterable[str] = ("seed",),
    source: str = "LiteLLM",
) -> CrosscheckResult:
    """Every model both in the source and in our catalog (rows of ``origins`` in force on
    ``day``) whose prices differ by more than 1% after conversion at the rate of the day."""
    by_identity = {(e.provider_slug, e.model_id.lower()): e for e in entries}
    slugs = {slug for slug, _ in by_identity}
    models = LLMModel.objects.filter(provider__slug__in=slugs).values_list(
        "pk", "provider__slug", "model_id"
    )
    matched: dict[int, tuple[str, str, SourceModel]] = {}
    for pk, slug, model_id in models:
        entry = by_identity.get((slug, model_id.lower()))
        if entry is not None:
            matched[pk] = (slug, model_id, entry)
    rows_by_model: dict[int, list[Price]] = {}
    rows = Price.objects.in_force(day).filter(model_id__in=matched, origin__in=list(origins))
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
            rows_by_model[pk],
            entry,
            day=day,
            source=source,
            provider=slug,
            model_id=model_id,
            rates=rates,
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
        "source",
        "source USD",
        "source date",
        "diff",
        "our source",
        "source key",
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
                d.source,
                _fmt(d.source_usd),
                d.source_date_label,
                "n/a" if pct is None else f"{pct:+.1f}%",
                (d.ours_source or "-")[:60],
                d.source_key,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    rendered = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    rendered.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(rendered)
