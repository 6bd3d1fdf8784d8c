"""Per-row usage arrays that every format reader produces before daily grouping."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..text import gettext_noop
from .columns import Columns


@dataclass
class Rows:
    keep: np.ndarray  # rows that carry usage; the rest were skipped for a counted reason
    day: np.ndarray  # datetime64[D]
    model: pa.Array  # string or dictionary<string>, stripped
    requests: np.ndarray
    uncached: np.ndarray
    cache_read: np.ndarray
    cache_write: np.ndarray
    output: np.ndarray
    batch: np.ndarray | None = None
    provider: str | pa.Array | None = None  # vendor slug (per row) where the export says it
    cost: np.ndarray | None = None  # float64, NaN where a row has no money
    currency: str | pa.Array | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # cloud bills only (see metered.py): tokens and cost per month x model x token kind, and
    # the meters the catalog could not identify
    billed_usage: list[dict[str, object]] = field(default_factory=list)
    unidentified_meters: list[dict[str, object]] = field(default_factory=list)


def skip(keep: np.ndarray, drop: np.ndarray, reason: str, skipped: dict[str, int]) -> np.ndarray:
    """Drop rows still kept that match `drop`, counting them under `reason`."""
    newly = drop & keep
    count = int(newly.sum())
    if count:
        skipped[reason] = skipped.get(reason, 0) + count
    return keep & ~drop


def models(cols: Columns, name: str, keep: np.ndarray) -> pa.DictionaryArray:
    """Model ids as exported, stripped; an empty model on a usage row is an error."""
    coded = cols.coded(name)
    missing = ~pc.is_valid(coded).to_numpy(zero_copy_only=False)
    hits = np.flatnonzero(missing & keep)
    if hits.size:
        raise cols.error(int(hits[0]), name, gettext_noop("the model is empty on a row with usage"))
    has_nul = pc.match_substring(coded.dictionary, "\x00").to_numpy(zero_copy_only=False)
    if has_nul.any():
        indices = pc.fill_null(coded.indices, -1).to_numpy()
        row_hits = np.flatnonzero(np.isin(indices, np.flatnonzero(has_nul)) & keep)
        if row_hits.size:
            raise cols.error(int(row_hits[0]), name, gettext_noop("contains a NUL byte: not a text CSV"))
    return coded


def total_of(*parts: np.ndarray) -> np.ndarray:
    total = parts[0].copy()
    for part in parts[1:]:
        total += part
    return total
