"""Azure Cost Management cost/usage details (EA, MCA, pay-as-you-go, Azure China).

Header versions, matched case-insensitively by name:
- EA (PascalCase): `Date, MeterCategory, MeterName, Quantity, UnitOfMeasure, EffectivePrice,
  CostInBillingCurrency` (older files `Cost`), `BillingCurrencyCode` (older `BillingCurrency`),
  `ConsumedService`, `ResourceId`, `ChargeType`;
- MCA / MPA / Azure China (camelCase): `date, meterCategory, meterName, quantity,
  unitOfMeasure, effectivePrice, costInBillingCurrency, billingCurrency, consumedService` ...;
- pay-as-you-go usage-only (2019-11-01): `UsageDateTime, UsageQuantity, ResourceRate,
  PreTaxCost, Currency, InstanceId`;
- localised portal downloads: `Nombre del medidor (MeterName)`: the English name in the
  trailing parentheses is what counts.

Azure OpenAI lines are those of Cognitive Services (consumed service
`Microsoft.CognitiveServices`, a resource under `/providers/Microsoft.CognitiveServices/`, or
meter category Cognitive Services / Azure OpenAI / Foundry Models); other lines (VMs,
storage...) are skipped and counted, and so are non-usage charges (purchases, refunds). The
model, token kind and deployment type come only from `MeterName`, through the meter rules.
`UnitOfMeasure` (`1K`, `1M`) scales `Quantity` to tokens, except on rows where cost ≈ quantity
x price / block size, which show that Quantity was already a token count. A bill in CNY, or
whose meter region / resource location is in China, is Azure China (21Vianet).
Dates are ISO or US `MM/DD/YYYY` (the EA file's); a column where some first part is above 12
is read as `DD/MM/YYYY`.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..text import Worded, gettext_noop
from .columns import Columns
from .metered import (
    NOT_LLM,
    NOT_USAGE,
    SUPPORTED_CURRENCIES,
    Lines,
    billing_currency,
    build_rows,
    per_value,
)
from .meters import MeterRule
from .rows import Rows, skip

LABEL = "Azure Cost Management cost details (EA, MCA, pay-as-you-go, Azure China)"
GLOBAL = "azure-openai"
CHINA = "azure-openai-china"

FIELDS: dict[str, tuple[str, ...]] = {
    "day": ("date", "usagedatetime", "usagedate"),
    "meter": ("metername",),
    "category": ("metercategory",),
    "service": ("consumedservice",),
    "resource": ("resourceid", "instanceid"),
    "quantity": ("quantity", "usagequantity"),
    "unit": ("unitofmeasure",),
    "cost": ("costinbillingcurrency", "cost", "pretaxcost"),
    "cost_usd": ("costinusd",),
    "currency": ("billingcurrencycode", "billingcurrency", "currency"),
    "price": ("effectiveprice", "resourcerate"),
    "charge": ("chargetype",),
    "region": ("meterregion",),
    "location": ("resourcelocation",),
}
REQUIRED = ("day", "meter", "category", "quantity", "cost")
NUMERIC = ("quantity", "cost", "cost_usd", "price")

_AI_CATEGORIES = {"cognitive services", "azure openai", "foundry models", "azure ai services"}
_US_DATE = r"^(\d{1,2})/(\d{1,2})/(\d{4})"
# cost / (quantity x price): about 1 when Quantity counts UnitOfMeasure blocks, about
# 1/1000 (or less) when it already counts tokens. Anything below this is "tokens".
_TOKENS_RATIO = 0.03


def detect(header: set[str]) -> bool:
    return {"metername", "metercategory"} <= header and bool(
        {"quantity", "usagequantity"} & header
    )


def build(cols: Columns, rules: tuple[MeterRule, ...]) -> Rows:
    skipped: dict[str, int] = {}
    warnings: list[str] = []
    keep = np.ones(cols.num_rows, dtype=bool)
    keep = skip(
        keep, ~cols.present("meter") & ~cols.present("quantity"), "empty row", skipped
    )
    usage = per_value(cols, "charge", lambda v: v.lower() == "usage", default=True)
    keep = skip(keep, ~usage, NOT_USAGE, skipped)
    keep = skip(keep, ~_ai_service(cols), NOT_LLM, skipped)

    cost_field = "cost"
    if cols.has("cost_usd") and cols.has("currency"):
        other = per_value(
            cols, "currency", lambda v: v.upper().replace("RMB", "CNY") not in SUPPORTED_CURRENCIES
        )
        if (other & keep).any():
            cost_field = "cost_usd"
            warnings.append(
                Worded(
                    gettext_noop(
                        "the bill is not in USD or CNY: its costInUsd column is used (billed in USD)"
                    )
                )
            )
    if cost_field == "cost_usd":
        currency: str | pa.Array = "USD"
    else:
        currency = billing_currency(cols, keep, "currency", warnings)
    cost = cols.floats(cost_field, keep)
    quantity = cols.floats("quantity", keep)
    in_tokens = None
    if cols.has("price"):
        price = cols.floats("price", keep)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = cost / (quantity * price)
        in_tokens = np.isfinite(ratio) & (ratio > 0) & (ratio < _TOKENS_RATIO)
        counted = int((in_tokens & keep).sum())
        if counted:
            template = (
                gettext_noop(
                    "{count} rows with Quantity already in tokens (cost = quantity x price / "
                    "block size): read as tokens, not as UnitOfMeasure blocks"
                )
                if counted > 1
                else gettext_noop(
                    "{count} row with Quantity already in tokens (cost = quantity x price / "
                    "block size): read as tokens, not as UnitOfMeasure blocks"
                )
            )
            warnings.append(Worded(template, count=counted))
    else:
        warnings.append(
            Worded(
                gettext_noop(
                    "no EffectivePrice column to check units: Quantity is read as a count of "
                    "UnitOfMeasure blocks (1K, 1M)"
                )
            )
        )
    lines = Lines(
        keep=keep,
        meter=cols.coded("meter"),
        quantity=quantity,
        unit=cols.coded("unit") if cols.has("unit") else None,
        cost=cost,
        currency=currency,
        provider=_provider(cols, currency),
        quantity_in_tokens=in_tokens,
        skipped=skipped,
        warnings=warnings,
    )
    return build_rows(cols, lines, rules, "azure", day_field=_day_field(cols), meter_field="meter")


def _ai_service(cols: Columns) -> np.ndarray:
    """Cognitive Services lines: by consumed service, resource id or meter category."""
    ai = per_value(cols, "service", lambda v: "cognitiveservices" in v.lower())
    ai |= per_value(cols, "resource", lambda v: "/microsoft.cognitiveservices/" in v.lower())
    ai |= per_value(cols, "category", lambda v: v.lower() in _AI_CATEGORIES)
    return ai


def _provider(cols: Columns, currency: str | pa.Array) -> pa.DictionaryArray:
    """azure-openai-china where the bill is in CNY or the meter / resource is in China."""
    if isinstance(currency, str):
        china = np.full(cols.num_rows, currency == "CNY")
    else:
        china = pc.equal(currency.dictionary_decode(), "CNY").to_numpy(zero_copy_only=False)
    china |= per_value(cols, "region", lambda v: "china" in v.lower())
    china |= per_value(cols, "location", lambda v: v.lower().startswith("china"))
    return pa.DictionaryArray.from_arrays(
        pa.array(china.astype(np.int32)), pa.array([GLOBAL, CHINA])
    )


def _day_field(cols: Columns) -> str:
    """The day field to read: US (or day-first) slash dates are rewritten to ISO first."""
    raw = cols.raw("day")
    if not (pa.types.is_string(raw.type) or pa.types.is_dictionary(raw.type)):
        return "day"
    coded = cols.coded("day")
    texts = coded.dictionary
    if not pc.any(pc.match_substring_regex(texts, _US_DATE)).as_py():
        return "day"
    firsts = [
        int(m.group(1)) for m in (re.match(_US_DATE, t) for t in texts.to_pylist()) if m
    ]
    # "never parse MM/DD as DD/MM": only a first part above 12 proves day-first dates
    replacement = r"\3-\2-\1" if max(firsts) > 12 else r"\3-\1-\2"
    iso = pc.replace_substring_regex(texts, _US_DATE, replacement)
    cols.put(
        "day_iso", pa.DictionaryArray.from_arrays(coded.indices, iso).dictionary_decode(),
        cols.header_name("day"),
    )
    return "day_iso"
