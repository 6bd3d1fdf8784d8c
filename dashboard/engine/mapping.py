"""Which catalog models may serve each source model on a candidate provider, and why.

Precedence: a scenario override ("override"), the source model itself when it lives on that
provider ("same model"), an admin ModelEquivalent ("equivalent"); these are used as they are
(no context or price check: the user or the admin chose them). Otherwise the provider's
*admissible* models are:

- the models of the source's tier ("same tier") that have a price in force on the switch date
  and whose context window fits the workload; when the provider has none, those of the nearest
  tier above ("next tier up: flagship"), then of the tier just below ("next tier down:
  balanced"; one step at most - a flagship workload is not served by a free lite model);
- a model fits when its known context window is at least the source's typical request
  (mean prompt + output tokens per request over the upload; the scenario's `prompt` replaces
  the prompt part) plus 50 % headroom (`CONTEXT_HEADROOM`: requests vary around the mean, and
  one over the window fails), scaled by the two models' token ratios. A model whose window is unknown is
  never treated as large enough: it is admissible only when no model of any of those tiers is
  known to fit, and then flagged ("context window unknown");
- plus, through offers only, the models of the same or a more capable tier that an offer the
  user can claim covers (never a less capable one than the tier rule allows).

`choice.py` then picks, per candidate provider, the assignment with the lowest horizon total.
When the admissible tier had a cheaper model that was skipped for its context window, the
reason says so. A source model the catalog does not know has no tier ("source model unknown").
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from .catalog_types import TIERS, Catalog
from .pricing import blended_usd_price, source_stats
from .reasons import Reason, joined
from .scenario import Scenario
from .usage.resolve import resolve_models

# Provider names exports write that differ from the catalog's slugs.
SOURCE_PROVIDER_ALIASES = {
    "azure": "azure-openai",
    "azure_ai": "azure-openai",
    "azure-openai-global": "azure-openai",
    "bytedance": "bytedance-doubao",
    "volcengine": "bytedance-doubao",
    "doubao": "bytedance-doubao",
    "dashscope": "alibaba",
    "qwen": "alibaba",
    "zhipuai": "zhipu",
    "moonshotai": "moonshot",
    "hunyuan": "tencent",
    "ernie": "baidu",
    "qianfan": "baidu",
}

# Requests vary around the typical (mean) one and one over the window fails outright: a model
# must hold the typical request plus this share to be admissible.
CONTEXT_HEADROOM = 0.5

SAME_MODEL = Reason.of("same_model")
OVERRIDE = Reason.of("override")
EQUIVALENT = Reason.of("equivalent")
SAME_TIER = Reason.of("same_tier")
NO_TIER_MODEL = Reason.of("no_tier_model")
SOURCE_UNKNOWN = Reason.of("source_unknown")
CURRENT_MODEL = Reason.of("current_model")


@dataclass(frozen=True, slots=True)
class Mapping:
    source_model: str
    target_key: int | None
    target_model_id: str | None
    target_display: str | None
    reason: Reason
    token_ratio: float  # target ratio / source ratio; NaN when there is no target
    details: tuple[Reason, ...] = ()  # e.g. a cheaper model skipped for its context window
    context_window: int | None = None  # the target's, None = unknown or no target

    @property
    def reason_text(self) -> str:
        return joined((self.reason, *self.details))

    def to_dict(self) -> dict[str, object]:
        return {
            "source_model": self.source_model,
            "target_key": self.target_key,
            "target_model_id": self.target_model_id,
            "target_display": self.target_display,
            "context_window": self.context_window,
            "reason": self.reason_text,
            "reason_code": self.reason.code,
            "reason_params": self.reason.to_dict()["params"],
            "details": [d.to_dict() for d in self.details],
            "token_ratio": None if math.isnan(self.token_ratio) else self.token_ratio,
        }


@dataclass(frozen=True, slots=True)
class Option:
    """An admissible model for one source, with the tier rule that admits it."""

    key: int
    reason: Reason
    window_unknown: bool = False


@dataclass(frozen=True)
class SourcePlan:
    """What `choice.py` may pick from for one source on one provider."""

    source: tuple[str, str]
    source_key: int | None
    needed: int | None  # window the workload needs, source tokens (with headroom); None = unknown
    typical: int | None = None  # the typical request itself
    fixed: Mapping | None = None  # override, same model, equivalent, or no model at all
    options: tuple[Option, ...] = ()  # admissible by tier (+ context)
    skipped: tuple[int, ...] = ()  # models of the chosen tier too small for the workload
    upgrades: tuple[int, ...] = ()  # more capable models admissible through an offer
    tier_models: tuple[int, ...] = field(default=(), repr=False)  # every priced model seen


def catalog_provider(catalog: Catalog, source_provider: str) -> str | None:
    """The catalog slug of an exporting provider name ("azure" -> "azure-openai")."""
    slug = str(source_provider).strip().lower()
    if slug in catalog.providers:
        return slug
    alias = SOURCE_PROVIDER_ALIASES.get(slug)
    return alias if alias in catalog.providers else None


def resolve_sources(
    catalog: Catalog, sources: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int | None]:
    """Catalog key of each (source_provider, source_model); None when unknown.

    The exporting provider's own ids are tried first, so "gpt-4o" from an Azure export lands
    on Azure's gpt-4o, not on OpenAI's.
    """
    result: dict[tuple[str, str], int | None] = {}
    for provider, model in sources:
        key: int | None = None
        slug = catalog_provider(catalog, provider)
        own_index = catalog.provider_model_index.get(slug) if slug else None
        if own_index:
            found, _ = resolve_models([model], own_index)
            key = found.get(model)
        if key is None:
            found, _ = resolve_models([model], catalog.model_index)
            key = found.get(model)
        result[(provider, model)] = key
    return result


def typical_requests(
    frame: pd.DataFrame, prompt_override: int | None = None
) -> dict[tuple[str, str], int | None]:
    """Typical request size per (source_provider, source_model): prompt + output tokens per
    request over the whole upload, rounded up; `prompt_override` replaces the prompt part.
    None when the export has no request counts for that model (and no override)."""
    sums = source_stats(frame)
    needs: dict[tuple[str, str], int | None] = {}
    for source, row in sums.iterrows():
        requests = float(row["requests"])
        if requests <= 0:
            needs[source] = prompt_override
            continue
        prompt = row["prompt"] / requests if prompt_override is None else prompt_override
        needs[source] = math.ceil(prompt + row["output"] / requests)
    return needs


def window_needed(typical: int | None) -> int | None:
    """The context window a workload needs: its typical request plus CONTEXT_HEADROOM."""
    return None if typical is None else math.ceil(typical * (1 + CONTEXT_HEADROOM))


@functools.cache
def nearest_tiers(tier: str) -> tuple[tuple[str, Reason], ...]:
    """The other tiers to try, nearest first: every tier above (more capable), then below."""
    if tier not in TIERS:
        return ()
    index = TIERS.index(tier)  # TIERS runs from frontier (most capable) down to free
    above = [(t, Reason.of("tier_up", tier=t)) for t in reversed(TIERS[:index])]
    # Only one step down: a flagship workload is not credibly served by a free lite model.
    below = [(t, Reason.of("tier_down", tier=t)) for t in TIERS[index + 1 : index + 2]]
    return tuple(above + below)


class Mapper:
    """Plans the admissible models of each source on each provider for one scenario."""

    def __init__(self, catalog: Catalog, scenario: Scenario) -> None:
        self.catalog = catalog
        self.scenario = scenario
        self._tier_models: dict[tuple[str, str], tuple[int, ...]] = {}
        self._upgrade_cache: dict[tuple[str, frozenset[int], int], tuple[int, ...]] = {}
        self._windows_known: dict[tuple[str, str], bool] = {}
        self._tier_cache: dict[tuple, tuple[tuple[Option, ...], tuple[int, ...], str]] = {}
        self._provider_windows: dict[str, bool] = {}
        self._blended: dict[int, float] = {}
        self._rates: dict[str, float] = {}  # per currency, on the switch date

    def blended(self, model_key: int) -> float:
        """Input + output list price in USD on the switch date (NaN = no price that day)."""
        if model_key not in self._blended:
            self._blended[model_key] = blended_usd_price(
                self.catalog,
                model_key,
                self.scenario.switch_date,
                self.scenario.include_unverified,
                self._rates,
            )
        return self._blended[model_key]

    def priced_models_of_tier(self, provider: str, tier: str) -> tuple[int, ...]:
        """The provider's models of `tier` with a price in force on the switch date."""
        cache_key = (provider, tier)
        if cache_key not in self._tier_models:
            self._tier_models[cache_key] = tuple(
                key
                for key in self.catalog.models_by_provider.get(provider, ())
                if self.catalog.models[key].tier == tier and not math.isnan(self.blended(key))
            )
        return self._tier_models[cache_key]

    def _any_window_known(self, provider: str, tier: str) -> bool:
        cache_key = (provider, tier)
        if cache_key not in self._windows_known:
            self._windows_known[cache_key] = any(
                self.catalog.models[k].context_window is not None
                for k in self.priced_models_of_tier(provider, tier)
            )
        return self._windows_known[cache_key]

    def _has_models_unpriced_on_switch(self, provider: str) -> bool:
        """The provider has models but none of them (of any tier) is priced on the switch date:
        "no model of this tier" would mislead (Gemini 1.5 exists in July 2024, its first
        sourced price is from September)."""
        keys = self.catalog.models_by_provider.get(provider, ())
        return bool(keys) and all(math.isnan(self.blended(key)) for key in keys)

    def has_priced_model(self, provider: str) -> bool:
        return any(
            self.catalog.price_rows(key, self.scenario.include_unverified)
            for key in self.catalog.models_by_provider.get(provider, ())
        )

    def mapping(
        self,
        source_model: str,
        source_key: int | None,
        target: int | None,
        reason: Reason,
        details: tuple[Reason, ...] = (),
    ) -> Mapping:
        if target is None:
            return Mapping(source_model, None, None, None, reason, math.nan, details)
        model = self.catalog.models[target]
        ratio = model.token_ratio
        if source_key is not None:
            ratio = model.token_ratio / self.catalog.models[source_key].token_ratio
        return Mapping(
            source_model,
            target,
            model.model_id,
            model.display_name,
            reason,
            ratio,
            details,
            model.context_window,
        )

    def fixed_mapping(self, source_model: str, source_key: int | None, provider: str) -> Mapping | None:
        """Override, same model or admin equivalent: chosen without comparing prices."""
        # An explicit override beats everything, even the source's own model on that provider.
        override = self.scenario.override_for(source_model, provider)
        if override is not None and override in self.catalog.models:
            return self.mapping(source_model, source_key, override, OVERRIDE)
        if source_key is None:
            return self.mapping(source_model, None, None, SOURCE_UNKNOWN)
        if self.catalog.models[source_key].provider == provider:
            return self.mapping(source_model, source_key, source_key, SAME_MODEL)
        for target in self.catalog.equivalents.get(source_key, ()):
            if self.catalog.models[target].provider == provider:
                return self.mapping(source_model, source_key, target, EQUIVALENT)
        return None

    def fits(self, source_key: int, target: int, needed: int | None) -> bool | None:
        """True/False when the target's window is known (or nothing is needed), else None."""
        if needed is None:
            return True
        window = self.catalog.models[target].context_window
        if window is None:
            return None
        ratio = self.catalog.models[target].token_ratio / self.catalog.models[source_key].token_ratio
        return window >= needed * ratio

    def plan(
        self,
        source: tuple[str, str],
        source_key: int | None,
        provider: str,
        typical: int | None,
        offer_models: frozenset[int] = frozenset(),
    ) -> SourcePlan:
        """Admissible models of `source` on `provider` for its typical request (tokens, None
        = unknown); `offer_models` are the provider's models covered by an offer the user can
        claim."""
        needed = window_needed(typical)
        fixed = self.fixed_mapping(source[1], source_key, provider)
        if fixed is not None or source_key is None:
            return SourcePlan(source, source_key, needed, typical, fixed=fixed)
        tier = self.catalog.models[source_key].tier
        options, skipped, base_tier = self._tier_options(source_key, provider, tier, needed)
        # Offer models as capable as the source or more, or as the tier the rule fell back to
        # when that is one step below: whichever of the two is less capable.
        upgrade_tier = base_tier
        if tier in TIERS and base_tier in TIERS:
            upgrade_tier = max(tier, base_tier, key=TIERS.index)
        upgrades = self._upgrades(source_key, provider, upgrade_tier, needed, offer_models, options)
        if not options and not upgrades:
            reason = NO_TIER_MODEL
            if self._has_models_unpriced_on_switch(provider):
                reason = Reason.of("no_priced_model", day=self.scenario.switch_date)
            if skipped:
                reason = Reason.of("no_fitting_model", needed=needed, typical=typical)
            fixed = self.mapping(source[1], source_key, None, reason)
        return SourcePlan(source, source_key, needed, typical, fixed, options, skipped, upgrades)

    def _tier_options(
        self, source_key: int, provider: str, tier: str, needed: int | None
    ) -> tuple[tuple[Option, ...], tuple[int, ...], str]:
        # Without any known window on the provider the answer does not depend on the need:
        # every source of the tier shares it.
        if self._provider_windows_known(provider):
            cache_key = (provider, tier, self.catalog.models[source_key].token_ratio, needed)
        else:
            cache_key = (provider, tier, None, "any")
        if cache_key not in self._tier_cache:
            self._tier_cache[cache_key] = self._scan_tiers(source_key, provider, tier, needed)
        return self._tier_cache[cache_key]

    def _provider_windows_known(self, provider: str) -> bool:
        if provider not in self._provider_windows:
            self._provider_windows[provider] = any(
                self.catalog.models[k].context_window is not None
                for k in self.catalog.models_by_provider.get(provider, ())
            )
        return self._provider_windows[provider]

    def _scan_tiers(
        self, source_key: int, provider: str, tier: str, needed: int | None
    ) -> tuple[tuple[Option, ...], tuple[int, ...], str]:
        unknown_fallback: tuple[Option, ...] = ()
        too_small: list[int] = []
        for candidate_tier, reason in [(tier, SAME_TIER), *nearest_tiers(tier)]:
            models = self.priced_models_of_tier(provider, candidate_tier)
            if not models:
                continue
            if needed is None or self._any_window_known(provider, candidate_tier):
                verdicts = {key: self.fits(source_key, key, needed) for key in models}
            else:
                verdicts = dict.fromkeys(models)  # no window known in this tier: all unknown
            fitting = [key for key, ok in verdicts.items() if ok]
            small = [key for key, ok in verdicts.items() if ok is False]
            too_small.extend(small)
            if fitting:
                return tuple(Option(k, reason) for k in fitting), tuple(too_small), candidate_tier
            if not unknown_fallback:
                unknown = [key for key, ok in verdicts.items() if ok is None]
                unknown_fallback = tuple(Option(k, reason, window_unknown=True) for k in unknown)
        if unknown_fallback:
            fallback_tier = self.catalog.models[unknown_fallback[0].key].tier
            return unknown_fallback, tuple(too_small), fallback_tier
        return (), tuple(too_small), tier

    def _upgrades(
        self,
        source_key: int,
        provider: str,
        base_tier: str,
        needed: int | None,
        offer_models: frozenset[int],
        options: tuple[Option, ...],
    ) -> tuple[int, ...]:
        if not offer_models or base_tier not in TIERS:
            return ()
        limit = TIERS.index(base_tier)
        taken = {o.key for o in options}
        # An offer model of unknown window is as good as the tier's own models only when
        # none of those is known to fit either.
        unknown_ok = not options or all(o.window_unknown for o in options)
        candidates = [
            key for key in self._offer_models_up_to(provider, offer_models, limit) if key not in taken
        ]
        if needed is not None and not self._provider_windows_known(provider):
            # no window known on the provider: every verdict is "unknown"
            return tuple(candidates) if unknown_ok else ()
        upgrades = []
        for key in candidates:
            fits = self.fits(source_key, key, needed)
            if fits or (fits is None and unknown_ok):
                upgrades.append(key)
        return tuple(upgrades)

    def _offer_models_up_to(
        self, provider: str, offer_models: frozenset[int], limit: int
    ) -> tuple[int, ...]:
        """The provider's offer-covered models of tier index <= limit (cached: every source
        of a provider asks the same)."""
        cache_key = (provider, offer_models, limit)
        if cache_key not in self._upgrade_cache:
            self._upgrade_cache[cache_key] = tuple(
                key
                for key in sorted(offer_models)
                if self.catalog.models[key].provider == provider
                and self.catalog.models[key].tier in TIERS
                and TIERS.index(self.catalog.models[key].tier) <= limit
            )
        return self._upgrade_cache[cache_key]

    def details_for(self, plan: SourcePlan, chosen: int) -> tuple[Reason, ...]:
        """Why a cheaper model was passed over for its window, or the window was unknown."""
        details = []
        option = next((o for o in plan.options if o.key == chosen), None)
        if option is not None and option.window_unknown:
            model = self.catalog.models[chosen].model_id
            details.append(Reason.of("window_unknown", model=model, needed=plan.needed))
        price = self.blended(chosen)
        cheaper = [
            k for k in plan.skipped if self.blended(k) < price and k != chosen
        ]
        if cheaper and plan.needed is not None:
            best = min(cheaper, key=lambda k: (self.blended(k), k))
            model = self.catalog.models[best]
            details.append(
                Reason.of(
                    "skipped_for_window",
                    model=model.model_id,
                    window=model.context_window,
                    needed=plan.needed,
                    typical=plan.typical,
                )
            )
        return tuple(details)
