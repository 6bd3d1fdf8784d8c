"""Hand-made genai-prices data, built with the package's own types (as its bundled
``genai_prices.data.providers`` is), for importer and crosscheck tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from genai_prices import types as gp


def _prices(values: dict[str, Any]) -> gp.ModelPrice:
    def price(value: Any) -> Any:
        if isinstance(value, dict):  # {"base": "1.25", 200000: "2.5"}
            tiers = [gp.Tier(start=k, price=Decimal(v)) for k, v in value.items() if k != "base"]
            return gp.TieredPrices(base=Decimal(value["base"]), tiers=tiers)
        return Decimal(value)

    return gp.ModelPrice(**{key: price(value) for key, value in values.items()})


def genai_model(
    model_id: str,
    *,
    undated: dict[str, Any] | None = None,
    dated: dict[dt.date, dict[str, Any]] | None = None,
    batch: dict[str, Any] | None = None,
    batch_from: dt.date | None = None,
    context_window: int | None = None,
) -> gp.ModelInfo:
    prices: list[gp.ConditionalPrice] = []
    if undated is not None:
        prices.append(gp.ConditionalPrice(prices=_prices(undated)))
    for start, values in sorted((dated or {}).items()):
        constraint = gp.StartDateConstraint(start_date=start)
        prices.append(gp.ConditionalPrice(constraint=constraint, prices=_prices(values)))
    variants = None
    if batch is not None:
        constraint = gp.StartDateConstraint(start_date=batch_from) if batch_from else None
        variants = [
            gp.PriceVariant(
                when={"processing": "batch"}, prices=_prices(batch), constraint=constraint
            )
        ]
    return gp.ModelInfo(
        id=model_id,
        match=gp.ClauseEquals(equals=model_id),
        context_window=context_window,
        prices=prices,
        price_variants=variants,
    )


def genai_provider(provider_id: str, *models: gp.ModelInfo) -> gp.Provider:
    return gp.Provider(
        id=provider_id,
        name=provider_id.title(),
        api_pattern=f"https://api\\\\.{provider_id}\\\\.com",
        pricing_urls=[f"https://{provider_id}.example/pricing"],
        models=list(models),
    )
