"""Reading the price data bundled in pydantic's ``genai-prices`` package into records.

No network: the data is the ``genai_prices.data.providers`` list that ships inside the
installed package (its own auto-update is never called). Parsing turns each model into a
``SourceModel`` with dated periods; writing is the shared ``price_history``.

What is read, per model (USD per 1M tokens):

* prices: ``input_mtok``, ``output_mtok``, ``cache_read_mtok``, ``cache_write_mtok`` (the
  5-minute write; the 1-hour one is not modelled), and the ``{"processing": "batch"}``
  variant's input/output as batch prices. Other units (searches, audio, images) and other
  variants (priority, flex, regional routes) are not catalog prices and are ignored.
* dates: a price with a ``StartDateConstraint`` starts on that date; the unconstrained
  price is undated (it starts on the import day, or is left out when a dated price starts
  on or before that day, its own start being unknown). A batch variant with a start date
  starts its batch prices on that date.
* time-of-day prices (DeepSeek's off-peak discount): the price in force for the larger
  part of the day is the list price; the other is not imported.
* prompt-size tiers (``TieredPrices``): a tier starting at N tokens becomes a price row
  for prompts of at least N tokens, every field priced at its own tier for that size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from importlib import metadata
from typing import Any

from django.utils.text import slugify

from providers.models import Verification

from .price_history import Source
from .records import Malformed, ParseResult, SourceModel, SourcePeriod, TierPrice

GENAI_PRICES = Source(
    name="genai-prices",
    # A dated, maintained third-party compilation citing the providers' pricing pages.
    verification=Verification.SINGLE,
    dates="genai-prices dates its price changes: a dated price starts on its date; its "
    "oldest undated price starts on the import day (left out when a dated price starts "
    "on or before that day)",
)
NOT_INSTALLED = "genai-prices is not installed (pip install -r requirements.txt)"

# genai-prices provider id -> our Provider.slug (the seed's slugs, fixtures/catalog/
# providers.csv). Ids missing here are created on import under slugify(id), unreviewed.
PROVIDER_SLUGS: dict[str, str] = {
    "openai": "openai",
    "azure": "azure-openai",
    "anthropic": "anthropic",
    "google": "google",
    "openrouter": "openrouter",
    "deepseek": "deepseek",
    # platform.kimi.ai / platform.minimax.io / docs.z.ai are the international USD lists.
    "moonshotai": "moonshot-intl",
    "minimax": "minimax-intl",
    "zai": "zai",
    # open.bigmodel.cn, Zhipu's mainland platform (priced in USD by genai-prices).
    "zhipuai": "zhipu",
}

# Our Price field -> genai-prices price key, for the standard and the batch prices.
STANDARD_KEYS = {
    "input_per_mtok": "input_mtok",
    "output_per_mtok": "output_mtok",
    "cache_read_per_mtok": "cache_read_mtok",
    "cache_write_per_mtok": "cache_write_mtok",
}
BATCH_KEYS = {"batch_input_per_mtok": "input_mtok", "batch_output_per_mtok": "output_mtok"}
BATCH_WHEN = {"processing": "batch"}
HALF_A_DAY = dt.timedelta(hours=12)


def provider_slug(genai_id: str) -> str:
    return PROVIDER_SLUGS.get(genai_id) or slugify(genai_id)[:64]


def installed_providers() -> tuple[list[Any], str]:
    """The provider list bundled in the installed package and a label naming it."""
    try:
        from genai_prices.data import providers
    except ImportError as exc:
        raise Malformed(NOT_INSTALLED) from exc
    return providers, f"installed genai-prices {metadata.version('genai-prices')}"


# ---------------------------------------------------------------- one price set


def _price_at(value: Any, prompt_tokens: int) -> Decimal | None:
    """A flat price, or a tiered one's price for prompts of ``prompt_tokens``."""
    if value is None or isinstance(value, Decimal):
        return value
    price = value.base
    for tier in value.tiers:
        if tier.start <= prompt_tokens:
            price = tier.price
    return price


def _floors(*prices: Any) -> list[int]:
    floors = {0}
    for model_price in prices:
        if model_price is None:
            continue
        for key in (*STANDARD_KEYS.values(), *BATCH_KEYS.values()):
            value = getattr(model_price, key, None)
            floors.update(tier.start for tier in getattr(value, "tiers", ()))
    return sorted(floors)


def _tiers(standard: Any, batch: Any) -> tuple[TierPrice, ...]:
    """Our prompt-size tiers of one standard price set and its batch variant (or None)."""
    tiers = []
    for floor in _floors(standard, batch):
        values = {
            name: _price_at(getattr(standard, key, None), floor)
            for name, key in STANDARD_KEYS.items()
        }
        for name, key in BATCH_KEYS.items():
            values[name] = _price_at(getattr(batch, key, None), floor) if batch else None
        if values["input_per_mtok"] is None or values["output_per_mtok"] is None:
            raise Malformed("missing input or output price")
        tiers.append(TierPrice(min_prompt_tokens=floor, **values))
    return tuple(tiers)


# ---------------------------------------------------------------- dates


def _covers_most_of_the_day(constraint: Any) -> bool:
    start = dt.datetime.combine(dt.date(2000, 1, 1), constraint.start_time.replace(tzinfo=None))
    end = dt.datetime.combine(dt.date(2000, 1, 1), constraint.end_time.replace(tzinfo=None))
    if end <= start:
        end += dt.timedelta(days=1)
    return end - start > HALF_A_DAY


def standard_prices(model: Any) -> tuple[Any, dict[dt.date, Any]]:
    """The undated list price (or None) and the dated ones by start date."""
    if not isinstance(model.prices, list):
        return model.prices, {}
    undated = None
    dated: dict[dt.date, Any] = {}
    for conditional in model.prices:
        constraint = conditional.constraint
        if constraint is None:
            undated = undated if undated is not None else conditional.prices
        elif hasattr(constraint, "start_date"):
            dated[constraint.start_date] = conditional.prices
        elif _covers_most_of_the_day(constraint):
            undated = conditional.prices  # the off-peak price is the unconstrained one
    return undated, dated


def batch_prices(model: Any) -> tuple[Any, dict[dt.date, Any]]:
    """The undated batch variant (or None) and the dated ones by start date."""
    undated = None
    dated: dict[dt.date, Any] = {}
    for variant in model.price_variants or ():
        if variant.when != BATCH_WHEN:
            continue
        start = getattr(variant.constraint, "start_date", None)
        if start is None:
            undated = variant.prices
        else:
            dated[start] = variant.prices
    return undated, dated


def _in_force(undated: Any, dated: dict[dt.date, Any], day: dt.date | None) -> Any:
    current = undated
    for start in sorted(dated):
        if day is not None and start <= day:
            current = dated[start]
    return current


def periods(model: Any) -> tuple[SourcePeriod, ...]:
    """Every change of the model's standard or batch prices, oldest first; an undated
    period first when the model has an undated price."""
    standard, standard_dated = standard_prices(model)
    batch, batch_dated = batch_prices(model)
    starts: list[dt.date | None] = sorted(set(standard_dated) | set(batch_dated))
    if standard is not None:
        starts.insert(0, None)
    out: list[SourcePeriod] = []
    for start in starts:
        price = _in_force(standard, standard_dated, start)
        if price is None:
            continue  # a batch price dated before any list price
        tiers = _tiers(price, _in_force(batch, batch_dated, start))
        if out and out[-1].tiers == tiers:
            continue
        out.append(SourcePeriod(start, tiers))
    if not out:
        raise Malformed("no token prices")
    return tuple(out)


# ---------------------------------------------------------------- the package


def parse_model(provider: Any, model: Any) -> SourceModel:
    urls = [u for u in provider.pricing_urls or [] if u.startswith("https://") and len(u) <= 500]
    context = model.context_window if isinstance(model.context_window, int) else None
    return SourceModel(
        key=f"{provider.id}/{model.id}",
        source_provider=provider.id,
        provider_slug=provider_slug(provider.id),
        model_id=model.id,
        context_window=context if context and 0 < context < 2**31 else None,
        max_output_tokens=None,
        source_url=urls[0] if urls else "",
        periods=periods(model),
    )


def parse_providers(providers: Iterable[Any], wanted: Iterable[str] | None = None) -> ParseResult:
    """Every importable model of ``providers``; ``wanted`` limits genai-prices provider ids."""
    only = {p.strip() for p in wanted if p.strip()} if wanted is not None else None
    result = ParseResult()
    seen: set[tuple[str, str]] = set()
    for provider in providers:
        if only is not None and provider.id not in only:
            result.filtered_out += len(provider.models)
            continue
        for model in provider.models:
            key = f"{provider.id}/{model.id}"
            try:
                entry = parse_model(provider, model)
            except Malformed as exc:
                result.skip(key, str(exc))
                continue
            identity = (entry.provider_slug, entry.model_id.lower())
            if identity in seen:
                result.skip(key, "duplicate model id")
                continue
            seen.add(identity)
            result.models.append(entry)
    return result
