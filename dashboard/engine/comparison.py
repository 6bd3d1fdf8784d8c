"""What is compared, every candidate evaluated on it, their summaries and the ranking.

The comparable usage: every (source model, day) of the period whose source model the catalog
identifies, that carries token counts, and that the current provider prices on that day (its
own price, or a dated snapshot's family model before its release, see `pricing.py`). Everything
else is left out, for every candidate alike, and listed with its tokens and why:

- "not in the catalog": the model id is unknown (identify it to compare it);
- "no token counts": the export carries money only (cost exports): nothing can be re-priced;
- "<provider> has no price for <model> from <day> to <day>": the current provider's price for
  those days is not in the catalog, so savings there could not be computed.

When the current provider prices none of the identified usage, all of it is compared and the
candidates are ranked without savings. Left-out usage does not draw on offers either.

A candidate is ranked when it prices all of the comparable usage (after offers: a pool covers
usage on a model without a price). Its coverage is the share of all your tokens it prices; every
ranked candidate therefore shows the comparable share, and an unranked one less, listed below
the ranking with what it lacks (no admissible model, or no price on some days) and the total
of what it can price (flagged incomplete).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from .candidate_costs import (
    CandidateDays,
    Rows,
    ScheduleCache,
    Source,
    UsageMatrix,
    candidate_days,
    lacks,
)
from .catalog_types import Catalog, day_from_number
from .choice import Prepared, choose, prepare
from .mapping import CURRENT_MODEL, SOURCE_UNKNOWN, Mapper, Mapping, SourcePlan
from .offers import OfferOutcome, apply_offers, claimable, eligible_models
from .pricing import source_stats
from .reasons import Reason
from .scenario import Scenario

CURRENT = "current"
COMPARED = "compared"
CURRENT_UNPRICED = "current_unpriced"  # compared without savings
NO_TOKEN_COUNTS = "no_token_counts"
NOTHING_IDENTIFIED = "nothing_identified"
EMPTY = "empty"


def json_value(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Reason):
        return value.english()
    return value


@dataclass(frozen=True)
class LeftOut:
    source_provider: str
    source_model: str
    tokens: float  # source tokens over the period
    reason: Reason

    def to_dict(self) -> dict[str, object]:
        return {
            "source_provider": self.source_provider,
            "source_model": self.source_model,
            "tokens": self.tokens,
            "reason": self.reason.english(),
            "reason_code": self.reason.code,
            "reason_params": self.reason.to_dict()["params"],
        }


@dataclass(frozen=True)
class Comparison:
    status: str
    total_tokens: float  # every token of the period, source units
    compared_tokens: float
    left_out: tuple[LeftOut, ...]

    @property
    def compared_pct(self) -> float:
        return self.compared_tokens / self.total_tokens * 100 if self.total_tokens else math.nan

    @property
    def has_savings(self) -> bool:
        return self.status == COMPARED

    def to_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "total_tokens": self.total_tokens,
            "compared_tokens": self.compared_tokens,
            "compared_pct": json_value(self.compared_pct),
            "left_out": [item.to_dict() for item in self.left_out],
        }


def billed_only_sources(frame: pd.DataFrame) -> set[Source]:
    """Sources the export bills (money) without any token count."""
    if frame.empty or "reported_cost" not in frame:
        return set()
    sums = source_stats(frame)
    return {s for s, row in sums.iterrows() if row["tokens"] == 0 and row["cost"] > 0}


def _row_tokens(group: Rows, n_days: int) -> np.ndarray:
    return group.per_day(group.uncached + group.cache_read + group.cache_write + group.output, n_days)


def comparable_rows(
    rows: list[Rows],
    keys: dict[Source, int | None],
    schedules: ScheduleCache,
    billed_only: set[Source],
    catalog: Catalog,
    current: CandidateDays | None = None,
) -> tuple[list[Rows], Comparison]:
    """The rows restricted to the comparable usage, and what was left out (module docstring).

    The current provider prices a day when its model has a list price in force then, or, when
    `current` is given (priced at the bill's rates), where that leaves no token unpriced."""
    days = schedules.days
    n_days = len(days)
    per_source: dict[Source, np.ndarray] = {}
    for group in rows:
        per_source.setdefault(group.source, np.zeros(n_days))
        per_source[group.source] += _row_tokens(group, n_days)
    total = float(sum(v.sum() for v in per_source.values()))
    left_out: list[LeftOut] = []
    for source in sorted(billed_only):
        left_out.append(LeftOut(source[0], source[1], 0.0, Reason.of("no_token_counts")))
    keep: dict[Source, np.ndarray] = {}
    unpriced_days: dict[Source, np.ndarray] = {}
    for source, tokens in per_source.items():
        if tokens.sum() <= 0:
            continue
        key = keys.get(source)
        if key is None:
            left_out.append(LeftOut(*source, float(tokens.sum()), Reason.of("not_in_catalog")))
            continue
        if current is not None:
            priced = current.sources[source].unpriced <= 0
        else:
            priced = schedules.prices(key).priced
        keep[source] = priced | (tokens <= 0)
        unpriced_days[source] = ~keep[source]
    identified = float(sum(per_source[s].sum() for s in keep))
    compared = float(sum((per_source[s] * keep[s]).sum() for s in keep))
    if total <= 0:
        status = NO_TOKEN_COUNTS if billed_only else EMPTY
    elif identified <= 0:
        status = NOTHING_IDENTIFIED
    elif compared <= 0:
        # The current provider prices none of it: compare everything identified, no savings.
        status = CURRENT_UNPRICED
        keep = {s: np.ones(n_days, dtype=bool) for s in keep}
        compared = identified
    else:
        status = COMPARED
        for source, missing in unpriced_days.items():
            tokens = per_source[source] * missing
            if tokens.sum() > 0:
                left_out.append(_current_gap(catalog, source, keys[source], days, missing, tokens))
    kept = [group.zeroed(keep[group.source]) for group in rows if group.source in keep]
    left_out.sort(key=lambda item: (-item.tokens, item.source_model))
    return kept, Comparison(status, total, compared, tuple(left_out))


def _current_gap(
    catalog: Catalog, source: Source, key: int, days: np.ndarray, missing: np.ndarray, tokens: np.ndarray
) -> LeftOut:
    where = np.nonzero(missing & (tokens > 0))[0]
    model = catalog.models[key]
    reason = Reason.of(
        "no_current_price",
        provider=catalog.providers[model.provider].name,
        model=model.model_id,
        first_day=day_from_number(days[where[0]]),
        last_day=day_from_number(days[where[-1]]),
    )
    return LeftOut(source[0], source[1], float(tokens.sum()), reason)


@dataclass(frozen=True)
class CandidateSummary:
    candidate: str
    label: str
    total_display: float
    total_without_offers_display: float
    savings_vs_current_display: float
    savings_vs_current_pct: float
    free_tokens_used: float
    free_value_display: float
    offers_exhausted_on: dt.date | None
    unpriced_tokens: float  # comparable tokens without a known cost (target units)
    has_unpriced: bool
    uses_unverified: bool
    native_currency: str | None
    mappings: tuple[Mapping, ...]
    notes: tuple[Reason, ...]
    rank: int | None
    coverage_pct: float = math.nan  # share of all your tokens this candidate prices
    lacks: tuple[Reason, ...] = ()

    def to_dict(self) -> dict[str, object]:
        skip = {"mappings", "notes", "lacks"}
        data = {f.name: json_value(getattr(self, f.name)) for f in fields(self) if f.name not in skip}
        data["notes"] = [n.english() for n in self.notes]
        data["note_codes"] = [n.to_dict() for n in self.notes]
        data["lacks"] = [r.to_dict() for r in self.lacks]
        data["mappings"] = [m.to_dict() for m in self.mappings]
        return data


def current_mappings(catalog: Catalog, keys: dict[Source, int | None]) -> dict[Source, Mapping]:
    mappings = {}
    for source, key in keys.items():
        if key is None:
            mappings[source] = Mapping(source[1], None, None, None, SOURCE_UNKNOWN, math.nan)
        else:
            model = catalog.models[key]
            mappings[source] = Mapping(
                source[1], key, model.model_id, model.display_name, CURRENT_MODEL, 1.0,
                context_window=model.context_window,
            )
    return mappings


def current_providers(catalog: Catalog, keys: dict[Source, int | None]) -> tuple[str, ...]:
    """Names of the catalog providers of the exported models, e.g. Azure OpenAI for an Azure
    export (the exporting provider's own ids are resolved first)."""
    return tuple(
        sorted({catalog.providers[catalog.models[k].provider].name for k in keys.values() if k is not None})
    )


def current_label(catalog: Catalog, keys: dict[Source, int | None]) -> str:
    """"Current (<provider>)": the provider the usage was exported from."""
    names = current_providers(catalog, keys)
    return f"Current ({', '.join(names)})" if names else "Current"


def offers_run_out(outcomes: list[OfferOutcome], horizon_end: dt.date) -> dt.date | None:
    """Day the last applied pool is used up or expires within the horizon, else None."""
    ends: list[dt.date] = []
    for outcome in outcomes:
        for pool in outcome.pools:
            if pool.exhausted_on is not None:
                ends.append(pool.exhausted_on)
            elif pool.expires_on is not None and pool.expires_on <= horizon_end:
                ends.append(pool.expires_on)
            else:
                return None
    return max(ends) if ends else None


@dataclass(frozen=True)
class Evaluated:
    candidate: str
    label: str
    mappings: dict[Source, Mapping]
    days: CandidateDays
    outcomes: list[OfferOutcome]


def summarise(
    item: Evaluated, period_end: dt.date, total_tokens: float, day_numbers: np.ndarray
) -> CandidateSummary:
    result = item.days
    unpriced = float(result.unpriced_tokens.sum())
    all_unpriced = result.known_tokens.sum() <= 0 and unpriced > 0
    total = math.nan if all_unpriced else float(result.buckets.cost_display.sum())
    without = math.nan if all_unpriced else float(result.cost_display_without_offers.sum())
    applied = [o for o in item.outcomes if o.applied]
    uses_unverified = result.uses_unverified or any(o.verification == "unverified" for o in applied)
    reasons, missing = lacks(result, item.mappings, day_numbers)
    compared = sum(float(s.tokens.sum()) for s in result.sources.values())
    covered = max(compared - sum(missing.values()), 0.0)
    return CandidateSummary(
        candidate=item.candidate,
        label=item.label,
        total_display=total,
        total_without_offers_display=without,
        savings_vs_current_display=math.nan,
        savings_vs_current_pct=math.nan,
        free_tokens_used=float(result.buckets.free_tokens.sum()),
        free_value_display=float(result.buckets.free_value_display.sum()),
        offers_exhausted_on=offers_run_out(applied, period_end),
        unpriced_tokens=unpriced,
        has_unpriced=unpriced > 0.5,
        uses_unverified=uses_unverified,
        native_currency=result.native_currency,
        mappings=tuple(item.mappings[s] for s in sorted(item.mappings)),
        notes=tuple(sorted(result.notes, key=lambda r: (r.code, r.params))),
        rank=None,
        coverage_pct=covered / total_tokens * 100 if total_tokens else math.nan,
        lacks=tuple(reasons),
    )


def rank_summaries(summaries: list[CandidateSummary], with_savings: bool = True) -> list[CandidateSummary]:
    """Fill savings vs the current candidate and rank candidates that price all of the
    comparable usage by total."""
    current = next((s for s in summaries if s.candidate == CURRENT), None)
    base = math.nan
    if with_savings and current is not None and not current.has_unpriced:
        base = current.total_display
    rankable = sorted(
        (s for s in summaries if not s.has_unpriced and not math.isnan(s.total_display)),
        key=lambda s: (s.total_display, s.candidate),
    )
    ranks = {s.candidate: i + 1 for i, s in enumerate(rankable)}
    result = []
    for s in summaries:
        savings = base - s.total_display if not s.has_unpriced else math.nan
        pct = savings / base * 100 if base and not math.isnan(savings) else math.nan
        values = {f.name: getattr(s, f.name) for f in fields(s)}
        values.update(
            savings_vs_current_display=savings,
            savings_vs_current_pct=pct,
            rank=ranks.get(s.candidate),
        )
        result.append(CandidateSummary(**values))
    return result


def candidate_providers(catalog: Catalog, scenario: Scenario, mapper: Mapper) -> list[str]:
    if scenario.providers:
        return list(scenario.providers)
    return [slug for slug in sorted(catalog.providers) if mapper.has_priced_model(slug)]


@dataclass(frozen=True)
class Period:
    """The day axis of a comparison: day numbers, and each day's month."""

    days: np.ndarray
    months: list[dt.date]
    month_idx: np.ndarray
    end: dt.date


def claimable_models(catalog: Catalog, scenario: Scenario, provider: str) -> frozenset[int]:
    models: set[int] = set()
    for offer in catalog.offers:
        if offer.provider == provider and claimable(offer, scenario, catalog):
            models |= eligible_models(offer, catalog)
    return frozenset(models)


@dataclass(frozen=True)
class Planning:
    """What evaluating the candidates reads of a scenario apart from the usage volumes: the
    current mappings, the candidate providers, and per provider the models its claimable
    offers cover and each source's admissible models (`Mapper.plan`). Growth changes none of
    it, so a projection that differs only in growth re-uses it (`planning`)."""

    mappings: dict[Source, Mapping]
    mapper: Mapper
    providers: list[tuple[str, dict[Source, SourcePlan], Prepared]]


def planning(
    catalog: Catalog,
    scenario: Scenario,
    sources: list[Source],
    compared_keys: dict[Source, int | None],
    needs: dict[Source, int | None],
    with_offers: bool,
    memo: dict,
) -> Planning:
    """The planning of these sources, kept in `memo` (a `ScheduleCache`'s: one catalog
    snapshot and day axis) under every scenario field it reads, so exploring growth plans once."""
    key = (
        "planning",
        scenario.switch_date,
        scenario.include_unverified,
        scenario.eligibility,
        scenario.providers,
        scenario.mapping_overrides,
        with_offers,
        tuple((s, compared_keys[s], needs.get(s)) for s in sources),
    )
    kept = memo.get(key)
    if kept is None:
        mapper = Mapper(catalog, scenario)
        providers = []
        for provider in candidate_providers(catalog, scenario, mapper):
            offer_models = claimable_models(catalog, scenario, provider) if with_offers else frozenset()
            plans = {
                s: mapper.plan(s, compared_keys[s], provider, needs.get(s), offer_models)
                for s in sources
            }
            prepared = prepare(catalog, scenario, provider, plans, mapper, with_offers)
            providers.append((provider, plans, prepared))
        kept = memo[key] = Planning(current_mappings(catalog, compared_keys), mapper, providers)
    return kept


def evaluate_candidates(
    catalog: Catalog,
    scenario: Scenario,
    rows: list[Rows],
    keys: dict[Source, int | None],
    schedules: ScheduleCache,
    needs: dict[Source, int | None],
    with_offers: bool,
    current_pricing: Callable[[list[Rows]], CandidateDays] | None = None,
) -> list[Evaluated]:
    """The current provider and every candidate provider on the comparable rows;
    `current_pricing` replaces list prices for the current provider (billed rates)."""
    n_days = len(schedules.days)
    sources = list(dict.fromkeys(r.source for r in rows))
    compared_keys = {s: keys[s] for s in sources}
    plan = planning(catalog, scenario, sources, compared_keys, needs, with_offers, schedules.memo)
    # The label names every exported provider, compared or not (keys, not compared_keys).
    mappings, label = plan.mappings, current_label(catalog, keys)
    if current_pricing is None:
        current = candidate_days(rows, mappings, schedules, n_days)
    else:
        current, label = current_pricing(rows), f"{label} at billed rates"
    evaluated = [Evaluated(CURRENT, label, mappings, current, [])]
    usage = UsageMatrix(rows, n_days)
    for provider, plans, prepared in plan.providers:
        choice = choose(
            catalog, scenario, provider, plans, usage, schedules, plan.mapper, with_offers, prepared
        )
        result = candidate_days(rows, choice.mappings, schedules, n_days)
        mapped = {m.target_key for m in choice.mappings.values() if m.target_key is not None}
        outcomes: list[OfferOutcome] = []
        if with_offers:
            outcomes = apply_offers(
                catalog, scenario, provider, mapped, schedules.days, result.buckets,
                choice.explanations,
            )
        label = catalog.providers[provider].name
        evaluated.append(Evaluated(provider, label, choice.mappings, result, outcomes))
    return evaluated
