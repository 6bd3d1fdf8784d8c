"""Offer-aware choice of replacement models on one candidate provider.

Among each source's admissible models (`mapping.Mapper.plan`), choose the assignment with the
lowest total over the horizon counting the offers the user can claim. Pools are shared by every
source mapped to a model they cover, so the choice is joint. Assignments compare
lexicographically: fewer tokens left without a known cost first (usage on a model without a
price, after pools drew on it), then the lower total in the display currency.

Without offers (or when no claimable offer covers an admissible model) each source simply
takes its cheapest admissible model over the horizon, priced day by day with its real mix of
input, cache and output tokens.

With offers, the search keeps for each source its no-offer choice plus, for every claimable
offer, the offer-covered admissible model that is cheapest for that source at list price (one
representative per offer: two covered models draw on the same pools, so the cheaper one is the
one worth trying). If the product of these options is at most `EXHAUSTIVE_LIMIT` assignments,
every one is evaluated; otherwise a coordinate descent starts from the no-offer choice and
moves one source at a time to the option that lowers the total most, until no single move
helps (`tests/engine/test_choice.py` checks it against brute force on small cases). Every
evaluation drains the real pools (`offers.drain_pools`) on per-day arrays, so the figures the
search compares are the figures the projection shows.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .candidate_costs import (
    PairDays,
    ScheduleCache,
    Source,
    UsageMatrix,
    pair_buckets,
    pair_days,
    pair_totals,
)
from .catalog_types import Catalog
from .mapping import Mapper, Mapping, SourcePlan
from .offers import claim_pools, claimable, drain_pools, eligible_models
from .reasons import Reason
from .scenario import Scenario

EXHAUSTIVE_LIMIT = 256
MAX_SWEEPS = 6
Score = tuple[float, float]  # (tokens without a known cost, total in the display currency)


def better(a: Score, b: Score) -> bool:
    """Whether score `a` is strictly better than `b` (half a token / a relative 1e-9 slack
    keeps float noise from flipping a choice)."""
    if a[0] < b[0] - 0.5:
        return True
    if a[0] > b[0] + 0.5:
        return False
    return a[1] < b[1] - 1e-9 * max(1.0, abs(b[1]))


@dataclass(frozen=True)
class Choice:
    mappings: dict[Source, Mapping]
    # offer key -> (why it is not used, what would use it) for claimable offers left unused
    explanations: dict[int, tuple[Reason, Reason | None]]


class _Problem:
    """Costs of every (source, admissible model) pair on one provider, and the evaluator."""

    def __init__(
        self,
        catalog: Catalog,
        scenario: Scenario,
        provider: str,
        usage: UsageMatrix,
        schedules: ScheduleCache,
        targets: dict[Source, list[int]],
    ) -> None:
        self.catalog = catalog
        self.scenario = scenario
        self.provider = provider
        self.usage = usage
        self.schedules = schedules
        self.models = sorted({m for ms in targets.values() for m in ms})
        self.column = {m: i for i, m in enumerate(self.models)}
        self.row = {s: i for i, s in enumerate(usage.sources)}
        self.unpriced, self.cost = pair_totals(usage, schedules, self.models)
        self.source_tokens = usage.source_tokens()
        self._pairs: dict[tuple[Source, int], PairDays] = {}
        self.covered: set[int] = set()

    def ratio(self, source: Source, model: int, source_key: int | None) -> float:
        target = self.catalog.models[model].token_ratio
        return target if source_key is None else target / self.catalog.models[source_key].token_ratio

    def alone(self, source: Source, model: int | None, source_key: int | None) -> Score:
        """Score of one source on one model without offers."""
        if model is None:
            return (self.source_tokens.get(source, 0.0), 0.0)
        r = self.ratio(source, model, source_key)
        i, j = self.row[source], self.column[model]
        return (float(self.unpriced[i, j] * r), float(self.cost[i, j] * r))

    def pair(self, source: Source, model: int, source_key: int | None) -> PairDays:
        key = (source, model)
        if key not in self._pairs:
            ratio = self.ratio(source, model, source_key)
            self._pairs[key] = pair_days(self.usage, self.schedules, source, model, ratio)
        return self._pairs[key]

    def score(self, assignment: dict[Source, int | None], keys: dict[Source, int | None]) -> Score:
        """Score of a whole assignment with the provider's pools drained."""
        unpriced, cost = 0.0, 0.0
        pairs = []
        for source, model in assignment.items():
            if model is not None and model in self.covered:
                pairs.append(self.pair(source, model, keys[source]))
            else:
                u, k = self.alone(source, model, keys[source])
                unpriced, cost = unpriced + u, cost + k
        if pairs:
            buckets = pair_buckets(pairs, self.usage.n_days)
            mapped = {m for m in assignment.values() if m is not None}
            pools, _ = claim_pools(self.catalog, self.scenario, self.provider, mapped)
            drain_pools(pools, buckets, self.schedules.days, self.catalog, self.scenario)
            unpriced += float(buckets.unpriced.sum())
            cost += float(buckets.cost_display.sum())
        return (unpriced, cost)


def _cheapest(problem: _Problem, source: Source, key: int | None, models: list[int]) -> int | None:
    best: tuple[Score, int] | None = None
    for model in models:
        score = problem.alone(source, model, key)
        if best is None or better(score, best[0]) or (not better(best[0], score) and model < best[1]):
            best = (score, model)
    return None if best is None else best[1]


def search(
    problem: _Problem,
    options: dict[Source, list[int | None]],
    fixed: dict[Source, int | None],
    keys: dict[Source, int | None],
) -> dict[Source, int | None]:
    """The best assignment of `options` (first option of each source = its no-offer choice)."""
    flexible = [s for s in options if len(options[s]) > 1]
    start = {**fixed, **{s: opts[0] for s, opts in options.items()}}
    if not flexible:
        return start
    space = math.prod(len(options[s]) for s in flexible)
    best, best_score = start, problem.score(start, keys)
    if space <= EXHAUSTIVE_LIMIT:
        for combo in itertools.product(*(options[s] for s in flexible)):
            candidate = {**start, **dict(zip(flexible, combo, strict=True))}
            score = problem.score(candidate, keys)
            if better(score, best_score):
                best, best_score = candidate, score
        return best
    order = sorted(flexible, key=lambda s: -problem.source_tokens.get(s, 0.0))
    for _ in range(MAX_SWEEPS):
        moved = False
        for source in order:
            for model in options[source]:
                if model == best[source]:
                    continue
                candidate = {**best, source: model}
                score = problem.score(candidate, keys)
                if better(score, best_score):
                    best, best_score, moved = candidate, score, True
        if not moved:
            break
    return best


def choose(
    catalog: Catalog,
    scenario: Scenario,
    provider: str,
    plans: dict[Source, SourcePlan],
    usage: UsageMatrix,
    schedules: ScheduleCache,
    mapper: Mapper,
    with_offers: bool = True,
) -> Choice:
    """Mappings of every planned source on `provider`, and why unused offers are unused."""
    keys = {s: p.source_key for s, p in plans.items()}
    fixed = {s: p.fixed.target_key for s, p in plans.items() if p.fixed is not None}
    flexible = {s: p for s, p in plans.items() if p.fixed is None}
    offers = [
        o for o in catalog.offers
        if with_offers and o.provider == provider and claimable(o, scenario, catalog)
    ]
    covering = {o.key: eligible_models(o, catalog) for o in offers}
    targets = {
        s: [o.key for o in p.options] + list(p.upgrades) for s, p in flexible.items()
    }
    for s, target in fixed.items():
        targets[s] = [target] if target is not None else []
    problem = _Problem(catalog, scenario, provider, usage, schedules, targets)
    problem.covered = set().union(*covering.values()) if covering else set()
    options: dict[Source, list[int | None]] = {}
    for source, plan in flexible.items():
        first = _cheapest(problem, source, plan.source_key, [o.key for o in plan.options])
        choices: list[int | None] = [first]
        for offer in offers:
            covered = [m for m in targets[source] if m in covering[offer.key]]
            rep = _cheapest(problem, source, plan.source_key, covered)
            if rep is not None and rep not in choices:
                choices.append(rep)
        options[source] = choices
    assignment = search(problem, options, fixed, keys)
    mappings = {s: p.fixed for s, p in plans.items() if p.fixed is not None}
    for source, plan in flexible.items():
        mappings[source] = _mapping(mapper, plan, assignment[source], options[source][0], offers, covering)
    used = {m for m in assignment.values() if m is not None}
    explanations = {
        o.key: _explain(catalog, mapper, problem, o.key, covering[o.key], plans, targets)
        for o in offers
        if not covering[o.key] & used
    }
    return Choice(mappings, {k: v for k, v in explanations.items() if v is not None})


def _mapping(
    mapper: Mapper,
    plan: SourcePlan,
    chosen: int | None,
    no_offer_choice: int | None,
    offers: list,
    covering: dict[int, set[int]],
) -> Mapping:
    source_model = plan.source[1]
    if chosen is None:
        return mapper.mapping(source_model, plan.source_key, None, Reason.of("no_tier_model"))
    details = mapper.details_for(plan, chosen)
    if chosen == no_offer_choice:
        option = next(o for o in plan.options if o.key == chosen)
        return mapper.mapping(source_model, plan.source_key, chosen, option.reason, details)
    offer = next(o for o in offers if chosen in covering[o.key])
    reason = Reason.of("offer", offer=offer.name)
    return mapper.mapping(source_model, plan.source_key, chosen, reason, details)


def _explain(
    catalog: Catalog,
    mapper: Mapper,
    problem: _Problem,
    offer_key: int,
    covered: set[int],
    plans: dict[Source, SourcePlan],
    targets: dict[Source, list[int]],
) -> tuple[Reason, Reason | None] | None:
    """Why a claimable offer is unused, and the mapping that would use it."""
    if not covered:
        return None
    by_size = sorted(plans, key=lambda s: (-problem.source_tokens.get(s, 0.0), s))
    for source in by_size:
        admissible = [m for m in targets.get(source, []) if m in covered]
        if admissible and plans[source].fixed is None:
            model = _cheapest(problem, source, plans[source].source_key, admissible)
            assert model is not None
            name = catalog.models[model].model_id
            reason = Reason.of("not_cheaper", source=source[1], model=name)
            return reason, _hint(catalog, source, model)
    known = [s for s in by_size if plans[s].source_key is not None]
    if not known:
        return None
    cheapest = sorted(covered, key=lambda m: (np.isnan(mapper.blended(m)), mapper.blended(m), m))
    names = ", ".join(catalog.models[m].model_id for m in cheapest[:3])
    return Reason.of("no_admissible_model", models=names), _hint(catalog, known[0], cheapest[0])


def _hint(catalog: Catalog, source: Source, model: int) -> Reason:
    info = catalog.models[model]
    return Reason.of(
        "hint_map",
        source=source[1],
        model=info.model_id,
        provider=info.provider,
        model_key=model,
        target=f"{info.provider}/{info.model_id}",
    )
