"""Google Cloud Billing export (the BigQuery export saved as CSV) for Vertex AI / Gemini.

The export is a BigQuery table with nested fields; a CSV comes from a query, so the header
spells nested fields either with dots (`service.description, sku.description, usage.amount,
usage.unit`) or flattened with underscores (`service_description, sku_description,
usage_amount, usage_unit`); `usage_start_time, cost, currency, cost_type` and the `credits`
array (as JSON) complete it. Vertex AI lines are those of service "Vertex AI" (id
C7E2-9256-1C43) or of a Gemini / Generative Language API service; regular usage only (`tax`,
`adjustment`, `rounding error` are skipped and counted). Model, token kind and batch tier come
from `sku.description` through the meter rules; `usage.amount` counts tokens. SKUs billed per
character (older Gemini 1.0 / 1.5 text SKUs) are skipped and counted: no documented
tokens-per-character ratio was found. The billed cost is `cost` plus the (negative) credits.
Days are the UTC day of `usage_start_time` (the export's rows are hourly).
"""

from __future__ import annotations

import re

import numpy as np

from .columns import Columns
from .metered import NOT_LLM, NOT_USAGE, Lines, billing_currency, build_rows, per_value
from .meters import MeterRule
from .rows import Rows, skip

LABEL = "Google Cloud Billing export (CSV of the BigQuery export), Vertex AI / Gemini lines"
PROVIDER = "google-vertex"
VERTEX_SERVICE_ID = "c7e2-9256-1c43"

FIELDS: dict[str, tuple[str, ...]] = {
    "day": ("usage_start_time",),
    "service": ("service.description", "service_description"),
    "service_id": ("service.id", "service_id"),
    "sku": ("sku.description", "sku_description"),
    "quantity": ("usage.amount", "usage_amount"),
    "unit": ("usage.unit", "usage_unit"),
    "cost": ("cost",),
    "currency": ("currency",),
    "cost_type": ("cost_type",),
    "credits": ("credits",),
    "credit_total": ("credits_amount", "credits.amount", "total_credits"),
}
REQUIRED = ("day", "sku", "quantity", "cost")
NUMERIC = ("quantity", "cost", "credit_total")

_AMOUNT = re.compile(r'"amount"\s*:\s*"?(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)')


def detect(header: set[str]) -> bool:
    return (
        bool({"sku.description", "sku_description"} & header)
        and bool({"usage.amount", "usage_amount"} & header)
        and "cost" in header
    )


def _is_llm_service(text: str) -> bool:
    lowered = text.lower()
    return lowered == "vertex ai" or "gemini" in lowered or "generative language" in lowered


def build(cols: Columns, rules: tuple[MeterRule, ...]) -> Rows:
    skipped: dict[str, int] = {}
    warnings: list[str] = []
    keep = np.ones(cols.num_rows, dtype=bool)
    keep = skip(keep, ~cols.present("sku"), "empty row", skipped)
    regular = per_value(cols, "cost_type", lambda v: v.lower() == "regular", default=True)
    keep = skip(keep, ~regular, NOT_USAGE, skipped)
    llm = per_value(cols, "service", _is_llm_service)
    llm |= per_value(cols, "service_id", lambda v: v.lower() == VERTEX_SERVICE_ID)
    if not cols.has("service") and not cols.has("service_id"):
        llm[:] = True
    keep = skip(keep, ~llm, NOT_LLM, skipped)
    cost = cols.floats("cost", keep) + _credits(cols, keep)
    lines = Lines(
        keep=keep,
        meter=cols.coded("sku"),
        quantity=cols.floats("quantity", keep),
        unit=cols.coded("unit") if cols.has("unit") else None,
        cost=cost,
        currency=billing_currency(cols, keep, "currency", warnings),
        provider=PROVIDER,
        skipped=skipped,
        warnings=warnings,
    )
    return build_rows(cols, lines, rules, "gcp", day_field="day", meter_field="sku")


def _credits(cols: Columns, keep: np.ndarray) -> np.ndarray:
    """Credits per row (negative amounts): a flattened total column, or the sum of the
    `amount` fields of the JSON `credits` array, parsed once per distinct array."""
    if cols.has("credit_total"):
        return np.nan_to_num(cols.floats("credit_total", keep))
    if not cols.has("credits"):
        return np.zeros(cols.num_rows)
    coded = cols.coded("credits")
    sums = [sum(float(a) for a in _AMOUNT.findall(text)) for text in coded.dictionary.to_pylist()]
    values = np.array([*sums, 0.0])
    indices = coded.indices.fill_null(len(sums)).to_numpy(zero_copy_only=False)
    return values[indices]
