"""Which catalog model serves each source model on a candidate provider, and why.

Precedence: a scenario override ("override"), the source model itself when it lives on that
provider ("same model"), an admin ModelEquivalent ("equivalent"), the provider's cheapest model of
the same tier by blended USD list price on the switch date ("same tier"). When the provider has
no priced model of that tier, the cheapest model of the nearest tier above ("next tier up:
flagship") — a team replacing gpt-4o-mini on DeepSeek would use deepseek-chat rather than leave
the usage unpriced — and only then of the tier just below ("next tier down: balanced"; one
step at most, a flagship workload is not served by a free lite model); else nothing ("no model
of this tier"). The reason always says which rule picked the model. A source
model the catalog does not know has no tier ("source model unknown").
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .catalog_types import TIERS, Catalog
from .pricing import blended_usd_price
from .scenario import Scenario
from .usage.resolve import resolve_models

SAME_MODEL = "same model"
OVERRIDE = "override"
EQUIVALENT = "equivalent"
SAME_TIER = "same tier"
NO_TIER_MODEL = "no model of this tier"
SOURCE_UNKNOWN = "source model unknown"
TIER_UP = "next tier up: {tier}"
TIER_DOWN = "next tier down: {tier}"


@dataclass(frozen=True, slots=True)
class Mapping:
    source_model: str
    target_key: int | None
    target_model_id: str | None
    target_display: str | None
    reason: str
    token_ratio: float  # target ratio / source ratio; NaN when there is no target

    def to_dict(self) -> dict[str, object]:
        return {
            "source_model": self.source_model,
            "target_key": self.target_key,
            "target_model_id": self.target_model_id,
            "target_display": self.target_display,
            "reason": self.reason,
            "token_ratio": None if math.isnan(self.token_ratio) else self.token_ratio,
        }


def resolve_sources(
    catalog: Catalog, sources: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int | None]:
    """Catalog key of each (source_provider, source_model); None when unknown.

    The exporting provider's own ids are tried first, so "gpt-4o" from an OpenAI export does
    not land on another provider that also lists a "gpt-4o".
    """
    result: dict[tuple[str, str], int | None] = {}
    for provider, model in sources:
        key: int | None = None
        own_index = catalog.provider_model_index.get(str(provider).strip().lower())
        if own_index:
            found, _ = resolve_models([model], own_index)
            key = found.get(model)
        if key is None:
            found, _ = resolve_models([model], catalog.model_index)
            key = found.get(model)
        result[(provider, model)] = key
    return result


class Mapper:
    """Maps source models onto candidate providers for one scenario (caches tier look-ups)."""

    def __init__(self, catalog: Catalog, scenario: Scenario) -> None:
        self.catalog = catalog
        self.scenario = scenario
        self._cheapest: dict[tuple[str, str], int | None] = {}
        self._blended: dict[int, float] = {}

    def blended(self, model_key: int) -> float:
        if model_key not in self._blended:
            self._blended[model_key] = blended_usd_price(
                self.catalog, model_key, self.scenario.switch_date, self.scenario.include_unverified
            )
        return self._blended[model_key]

    def cheapest_of_tier(self, provider: str, tier: str) -> int | None:
        cache_key = (provider, tier)
        if cache_key not in self._cheapest:
            best: tuple[float, int] | None = None
            for key in self.catalog.models_by_provider.get(provider, ()):
                if self.catalog.models[key].tier != tier:
                    continue
                price = self.blended(key)
                if math.isnan(price):
                    continue
                if best is None or (price, key) < best:
                    best = (price, key)
            self._cheapest[cache_key] = None if best is None else best[1]
        return self._cheapest[cache_key]

    def has_priced_model(self, provider: str) -> bool:
        return any(
            self.catalog.price_rows(key, self.scenario.include_unverified)
            for key in self.catalog.models_by_provider.get(provider, ())
        )

    def _mapping(
        self, source_model: str, source_key: int | None, target: int | None, reason: str
    ) -> Mapping:
        if target is None:
            return Mapping(source_model, None, None, None, reason, math.nan)
        model = self.catalog.models[target]
        ratio = model.token_ratio
        if source_key is not None:
            ratio = model.token_ratio / self.catalog.models[source_key].token_ratio
        return Mapping(source_model, target, model.model_id, model.display_name, reason, ratio)

    def map_source(self, source_model: str, source_key: int | None, provider: str) -> Mapping:
        # An explicit override beats everything, even the source's own model on that provider.
        override = self.scenario.override_for(source_model, provider)
        if override is not None and override in self.catalog.models:
            return self._mapping(source_model, source_key, override, OVERRIDE)
        if source_key is not None and self.catalog.models[source_key].provider == provider:
            return self._mapping(source_model, source_key, source_key, SAME_MODEL)
        if source_key is None:
            return self._mapping(source_model, None, None, SOURCE_UNKNOWN)
        for target in self.catalog.equivalents.get(source_key, ()):
            if self.catalog.models[target].provider == provider:
                return self._mapping(source_model, source_key, target, EQUIVALENT)
        tier = self.catalog.models[source_key].tier
        cheapest = self.cheapest_of_tier(provider, tier)
        if cheapest is not None:
            return self._mapping(source_model, source_key, cheapest, SAME_TIER)
        for other, reason in nearest_tiers(tier):
            cheapest = self.cheapest_of_tier(provider, other)
            if cheapest is not None:
                return self._mapping(source_model, source_key, cheapest, reason)
        return self._mapping(source_model, source_key, None, NO_TIER_MODEL)


def nearest_tiers(tier: str) -> list[tuple[str, str]]:
    """The other tiers to try, nearest first: every tier above (more capable), then below."""
    if tier not in TIERS:
        return []
    index = TIERS.index(tier)  # TIERS runs from frontier (most capable) down to free
    above = [(t, TIER_UP.format(tier=t)) for t in reversed(TIERS[:index])]
    # Only one step down: a flagship workload is not credibly served by a free lite model.
    below = [(t, TIER_DOWN.format(tier=t)) for t in TIERS[index + 1 : index + 2]]
    return above + below
