"""FOCUS 1.x cost-and-usage files (FinOps Open Cost and Usage Specification).

Recognised by `ChargePeriodStart, BilledCost, ConsumedQuantity`; also read: `ChargeCategory`,
`ChargeClass`, `ServiceName`, `ServiceCategory`, `ProviderName`, `SkuId`/`SkuPriceId`,
`SkuMeter` (1.1+; else `ChargeDescription`), `ConsumedUnit`, `BillingCurrency`, and the
provider columns `x_PricingBlockSize` / `x_PricingUnitDescription` (Microsoft).

FOCUS has no token-kind column: the kind lives in the provider's meter text, so `SkuMeter` is
matched with the meter rules of the provider named in `ProviderName` (Microsoft -> Azure
meters, AWS -> usage types, Google -> SKUs). Units are not normalised either: Microsoft writes
`ConsumedUnit = Units` with the quantity in 1K/1M blocks (block size in x_PricingBlockSize).
Only `Usage` charges count (Purchase, Tax, Credit, Adjustment and corrections are skipped and
counted), and only lines of the AI and Machine Learning service category when the file has one.

LiteLLM's FOCUS export writes one line per day x key x model with `ConsumedQuantity = 1`,
`ConsumedUnit = Requests` and no token counts: such files are read as cost and request counts
per model (`ChargeDescription`), with a warning.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..text import Worded, gettext_noop
from . import azure_cost
from .columns import Columns
from .metered import NOT_LLM, NOT_USAGE, Lines, billing_currency, build_rows, per_value
from .meters import MeterRule
from .rows import Rows, models, skip

LABEL = "FOCUS 1.x cost and usage file (Azure, AWS, Google, LiteLLM)"
REQUESTS_ONLY_WARNING = Worded(
    gettext_noop(
        "FOCUS file without token counts (LiteLLM's export: ConsumedQuantity is 1 request per "
        "line): only the billed cost per model is available"
    )
)
CORRECTION = "correction line"

FIELDS: dict[str, tuple[str, ...]] = {
    "day": ("chargeperiodstart",),
    "charge_category": ("chargecategory",),
    "charge_class": ("chargeclass",),
    "service": ("servicename",),
    "service_category": ("servicecategory",),
    "provider_name": ("providername",),
    "sku_meter": ("skumeter",),
    "description": ("chargedescription",),
    "quantity": ("consumedquantity",),
    "unit": ("consumedunit",),
    "block": ("x_pricingblocksize",),
    "unit_description": ("x_pricingunitdescription",),
    "cost": ("billedcost",),
    "currency": ("billingcurrency",),
    "region": ("regionid", "regionname"),
}
REQUIRED = ("day", "quantity", "cost")
NUMERIC = ("quantity", "cost", "block")

_FAMILIES = (("microsoft", "azure"), ("azure", "azure"), ("amazon", "aws"), ("aws", "aws"),
             ("google", "gcp"))
_PROVIDERS = {"aws": "aws-bedrock", "gcp": "google-vertex"}


def detect(header: set[str]) -> bool:
    return {"chargeperiodstart", "billedcost", "consumedquantity"} <= header


def _family(name: str) -> str | None:
    lowered = name.lower()
    # LiteLLM writes its custom_llm_provider ("azure", "openai") here: only a cloud's own
    # name, as the cloud writes it, selects meter rules.
    if lowered in ("azure", "openai", "anthropic", "bedrock", "vertex_ai"):
        return None
    for word, family in _FAMILIES:
        if lowered.startswith(word):
            return family
    return None


def build(cols: Columns, rules: tuple[MeterRule, ...]) -> Rows:
    skipped: dict[str, int] = {}
    warnings: list[str] = []
    keep = np.ones(cols.num_rows, dtype=bool)
    usage = per_value(cols, "charge_category", lambda v: v.lower() == "usage", default=True)
    keep = skip(keep, ~usage, NOT_USAGE, skipped)
    correction = per_value(cols, "charge_class", lambda v: v.lower() == "correction")
    keep = skip(keep, correction, CORRECTION, skipped)
    if cols.has("service_category"):
        ai = per_value(cols, "service_category", lambda v: v.lower() == "ai and machine learning")
        keep = skip(keep, ~ai, NOT_LLM, skipped)
    requests_only = per_value(cols, "unit", lambda v: v.lower() in ("request", "requests"))
    if keep.any() and (requests_only | ~keep).all():
        return _requests_only(cols, keep, skipped, warnings)
    family = _main_family(cols, keep)
    currency = billing_currency(cols, keep, "currency", warnings)
    if family == "azure":
        provider: str | pa.Array = _azure_provider(cols, currency)
    else:
        provider = _PROVIDERS.get(family or "", "unknown")
    meter = _meter(cols)
    lines = Lines(
        keep=keep,
        meter=meter,
        quantity=cols.floats("quantity", keep),
        unit=_units(cols, keep),
        cost=cols.floats("cost", keep),
        currency=currency,
        provider=provider,
        skipped=skipped,
        warnings=warnings,
    )
    return build_rows(cols, lines, rules, family or "azure", day_field="day", meter_field="meter")


def _main_family(cols: Columns, keep: np.ndarray) -> str | None:
    """The cloud whose meter rules apply: the one most kept lines name in ProviderName."""
    if not cols.has("provider_name"):
        return None
    coded = cols.coded("provider_name")
    counts = np.bincount(
        pc.fill_null(coded.indices, len(coded.dictionary)).to_numpy(zero_copy_only=False)[keep],
        minlength=len(coded.dictionary) + 1,
    )
    best: tuple[int, str] | None = None
    for name, count in zip(coded.dictionary.to_pylist(), counts, strict=False):
        family = _family(name)
        if family and (best is None or count > best[0]):
            best = (int(count), family)
    return best[1] if best else None


def _azure_provider(cols: Columns, currency: str | pa.Array) -> pa.Array:
    china = np.zeros(cols.num_rows, dtype=bool)
    if isinstance(currency, str):
        china |= currency == "CNY"
    else:
        china |= pc.equal(currency.dictionary_decode(), "CNY").to_numpy(zero_copy_only=False)
    china |= per_value(cols, "region", lambda v: "china" in v.lower())
    return pa.DictionaryArray.from_arrays(
        pa.array(china.astype(np.int32)), pa.array([azure_cost.GLOBAL, azure_cost.CHINA])
    )


def _meter(cols: Columns) -> pa.Array:
    """SkuMeter, else ChargeDescription, per row."""
    names = [name for name in ("sku_meter", "description") if cols.has(name)]
    if not names:
        raise cols.error(None, None, gettext_noop(
            "FOCUS file without SkuMeter or ChargeDescription: the meter of each line is unknown"
        ))
    merged = pc.coalesce(*[cols.text(name) for name in names])
    cols.put("meter", merged, cols.header_name(names[0]))
    return cols.coded("meter")


def _units(cols: Columns, keep: np.ndarray) -> pa.Array | None:
    """The unit text per row; Microsoft's "Units" become their block ("1000 tokens")."""
    if cols.has("unit_description"):
        described = cols.text("unit_description")
    else:
        described = None
    unit = cols.text("unit") if cols.has("unit") else None
    if cols.has("block"):
        sizes, index = np.unique(np.nan_to_num(cols.floats("block", keep), nan=-1.0),
                                 return_inverse=True)
        texts = pa.array([f"{int(b)} tokens" if b > 0 else None for b in sizes], pa.string())
        from_block = pa.DictionaryArray.from_arrays(
            pa.array(index.astype(np.int32)), texts
        ).dictionary_decode()
        described = from_block if described is None else pc.coalesce(described, from_block)
    if unit is None:
        return described
    if described is None:
        return unit
    is_units = pc.fill_null(pc.equal(pc.utf8_lower(unit), "units"), False)
    return pc.if_else(is_units, pc.coalesce(described, unit), unit)


def _requests_only(
    cols: Columns, keep: np.ndarray, skipped: dict[str, int], warnings: list[str]
) -> Rows:
    """LiteLLM's FOCUS export: cost per model; no tokens, and its one "request" per line is
    not a request count (a line sums a day of one key's requests)."""
    names = [name for name in ("description", "service", "sku_meter") if cols.has(name)]
    if not names:
        raise cols.error(None, None, gettext_noop(
            "FOCUS file without ChargeDescription: the model of each line is unknown"
        ))
    cols.put("model", pc.coalesce(*[cols.text(name) for name in names]),
             cols.header_name(names[0]))
    size = cols.num_rows
    zeros = np.zeros(size, dtype=np.int64)
    provider = pc.utf8_lower(cols.text("provider_name")) if cols.has("provider_name") else None
    return Rows(
        keep=keep,
        day=cols.days("day", keep),
        model=models(cols, "model", keep),
        requests=zeros,
        uncached=zeros,
        cache_read=zeros,
        cache_write=zeros,
        output=zeros,
        provider=provider,
        cost=cols.floats("cost", keep),
        currency=billing_currency(cols, keep, "currency", warnings),
        skipped=skipped,
        warnings=[*warnings, REQUESTS_ONLY_WARNING],
    )
