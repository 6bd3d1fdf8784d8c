"""What an importer reads from a price source, before it touches the catalog.

Each source (LiteLLM's price map, the genai-prices package) is parsed into
``SourceModel`` records: one model of one of our providers, with its prices per 1M tokens
(USD) as dated periods, each holding one ``TierPrice`` per prompt-size tier. The shared
history rules (``price_history``) and the crosscheck only ever see these records.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

PRICE_FIELDS: tuple[str, ...] = (
    "input_per_mtok",
    "output_per_mtok",
    "cache_read_per_mtok",
    "cache_write_per_mtok",
    "batch_input_per_mtok",
    "batch_output_per_mtok",
)


class Malformed(ValueError):
    """An entry that cannot be imported; ``str(exc)`` is the skip reason."""


@dataclass(frozen=True)
class TierPrice:
    """Prices per 1M tokens (USD) for prompts of at least ``min_prompt_tokens``."""

    min_prompt_tokens: int
    input_per_mtok: Decimal
    output_per_mtok: Decimal
    cache_read_per_mtok: Decimal | None = None
    cache_write_per_mtok: Decimal | None = None
    batch_input_per_mtok: Decimal | None = None
    batch_output_per_mtok: Decimal | None = None

    def values(self) -> dict[str, Decimal | None]:
        return {name: getattr(self, name) for name in PRICE_FIELDS}


@dataclass(frozen=True)
class SourcePeriod:
    """The source's prices from ``starts_on`` (None: the source gives no date) until the
    next period starts."""

    starts_on: dt.date | None
    tiers: tuple[TierPrice, ...]


@dataclass(frozen=True)
class SourceModel:
    key: str  # the source's own id of the entry, shown in reports
    source_provider: str  # the source's provider id
    provider_slug: str  # ours
    model_id: str
    context_window: int | None
    max_output_tokens: int | None
    source_url: str
    periods: tuple[SourcePeriod, ...]  # oldest first; only the first may be undated

    @property
    def tiers(self) -> tuple[TierPrice, ...]:
        """The latest prices."""
        return self.periods[-1].tiers

    @property
    def base(self) -> TierPrice:
        return self.tiers[0]

    def period_on(self, day: dt.date) -> SourcePeriod | None:
        """The period in force on ``day``; an undated first period counts as in force
        whenever no dated one has started."""
        current = None
        for period in self.periods:
            if period.starts_on is None or period.starts_on <= day:
                current = period
        return current


@dataclass
class ParseResult:
    models: list[SourceModel] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_examples: dict[str, list[str]] = field(default_factory=dict)
    filtered_out: int = 0

    def skip(self, key: str, reason: str) -> None:
        self.skipped[reason] += 1
        examples = self.skipped_examples.setdefault(reason, [])
        if len(examples) < 5:
            examples.append(key)
