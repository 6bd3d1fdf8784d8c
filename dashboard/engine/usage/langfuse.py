"""Langfuse observation exports: the UI batch export (CSV, camelCase) and the blob-storage
export (snake case).

UI export: `id, traceId, name, type, model, startTime, ..., usage, usageDetails, costDetails,
totalCost` with nested values as JSON strings; blob export: `id, trace_id, type, start_time,
provided_model_name, usage_details, cost_details, total_cost`. One row per observation: only
generations count (spans and events are skipped and counted, so are generations without a
model). Token counts come from `usageDetails` (else the older `usage` object): Langfuse keeps
usage types disjoint (it sums them to the total), so keys with "cache" and "read"/"cached"
are cache reads, "cache" with "creation"/"write" cache writes, other "input" keys uncached
input, "output" keys (reasoning included) output; `promptTokens`/`completionTokens` of the
oldest SDKs count as input/output. `totalCost` is USD. JSON cells may span lines.
"""

from __future__ import annotations

import json

import numpy as np

from ..text import gettext_noop
from .columns import Columns
from .rows import Rows, models, skip

LABEL = "Langfuse observations export (UI batch export or blob storage)"
NOT_GENERATION = "not a generation (span, event...)"
NO_MODEL = "generation without a model"

FIELDS: dict[str, tuple[str, ...]] = {
    "day": ("starttime", "start_time"),
    "type": ("type",),
    "model": ("model", "provided_model_name"),
    "usage_details": ("usagedetails", "usage_details"),
    "usage": ("usage",),
    "cost": ("totalcost", "total_cost", "calculatedtotalcost"),
}
REQUIRED = ("day", "model")
NUMERIC = ("cost",)
_KINDS = ("input", "cache_read", "cache_write", "output")


def detect(header: set[str]) -> bool:
    return bool({"traceid", "trace_id"} & header) and bool(
        {"usage", "usagedetails", "usage_details"} & header
    )


def kind_of(key: str) -> str | None:
    """The token kind a Langfuse usage key counts, or None (totals, units)."""
    lowered = key.lower()
    if "total" in lowered or lowered == "unit":
        return None
    if "cache" in lowered and any(w in lowered for w in ("creation", "write", "create")):
        return "cache_write"
    if "cache" in lowered:
        return "cache_read"
    if "output" in lowered or "completion" in lowered:
        return "output"
    if "input" in lowered or "prompt" in lowered:
        return "input"
    return None


def _counts(text: str | None) -> tuple[int, int, int, int] | None:
    """(input, cache_read, cache_write, output) of one JSON usage object; None if unreadable."""
    if not text:
        return (0, 0, 0, 0)
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    totals = dict.fromkeys(_KINDS, 0)
    for key, value in data.items():
        kind = kind_of(str(key))
        if kind is None or value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            return None
        totals[kind] += int(value)
    return tuple(totals[k] for k in _KINDS)


def _usage_arrays(cols: Columns, name: str, keep: np.ndarray) -> np.ndarray:
    """[rows, 4] token counts from a JSON column, parsed once per distinct cell."""
    coded = cols.coded(name)
    parsed = [_counts(text) for text in coded.dictionary.to_pylist()]
    indices = coded.indices.fill_null(len(parsed)).to_numpy(zero_copy_only=False)
    bad = [i for i, p in enumerate(parsed) if p is None]
    if bad:
        hits = np.flatnonzero(np.isin(indices, bad) & keep)
        if hits.size:
            raise cols.error(int(hits[0]), name, gettext_noop("is not a JSON object of token counts"))
    table = np.array([p or (0, 0, 0, 0) for p in parsed] + [(0, 0, 0, 0)], dtype=np.int64)
    return table[indices]


def build(cols: Columns) -> Rows:
    skipped: dict[str, int] = {}
    keep = np.ones(cols.num_rows, dtype=bool)
    if cols.has("type"):
        coded = cols.coded("type")
        generation = np.array(
            [v.lower() == "generation" for v in coded.dictionary.to_pylist()] + [True]
        )[coded.indices.fill_null(len(coded.dictionary)).to_numpy(zero_copy_only=False)]
        keep = skip(keep, ~generation, NOT_GENERATION, skipped)
    keep = skip(keep, ~cols.present("model"), NO_MODEL, skipped)
    size = cols.num_rows
    counts = np.zeros((size, 4), dtype=np.int64)
    filled = np.zeros(size, dtype=bool)
    for name in ("usage_details", "usage"):
        if cols.has(name):
            present = cols.present(name) & ~filled
            counts = np.where(present[:, None], _usage_arrays(cols, name, keep & present), counts)
            filled |= present
    cost = cols.floats("cost", keep) if cols.has("cost") else None
    return Rows(
        keep=keep,
        day=cols.days("day", keep),
        model=models(cols, "model", keep),
        requests=np.ones(size, dtype=np.int64),
        uncached=counts[:, 0],
        cache_read=counts[:, 1],
        cache_write=counts[:, 2],
        output=counts[:, 3],
        cost=cost,
        currency="USD" if cost is not None else None,
        skipped=skipped,
    )
