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
offer, one representative: the covered admissible model with the lowest list price on the
switch date (two covered models draw on the same pools, so the cheaper is the one to try).
Options that draw on exactly the same pools compete on their own costs, so only the best of
each such group is searched. The no-offer choice itself is priced over the horizon among the
`SHORTLIST` admissible models with the lowest list price (within `SHORTLIST_SPREAD` of the
cheapest). If the product of the options is at most `EXHAUSTIVE_LIMIT` assignments, every one
is evaluated; otherwise a descent moves one source at a time while a move lowers the total,
trying first the sources whose best single move gains most, once from the no-offer choice and
once from "every source on its first offer model", and keeps the better result. On 400 random
small cases (`tests/engine/test_choice.py` builds them) it found the brute-force optimum in
all 247 with a choice to make (trying sources in a fixed order instead missed 4, by up to
8.6 %). Every evaluation draws the real pools (`offers.shares`, in the same order) on per-day
arrays, so the figures the search compares are the figures the projection shows.

What keeps an evaluation cheap: covered models fall into pool *components* (models joined
when their pools overlap, directly or through other models); pools of different components
never draw on the same usage, so an assignment's score is the sum of its components' scores.
A component's score is memoised on the (source, model) pairs it holds, and a move re-draws
only the (at most two) components it leaves and joins, from the state's usage per signature
plus or minus one pair. In the bench's worst case (`bench/engine.py`: per-model pools on 9
providers) that turns the ~400 full evaluations of every pool into ~560 draws of one pool.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .candidate_costs import ScheduleCache, Source, UsageMatrix, pair_days, pair_totals
from .catalog_types import Catalog, OfferInfo
from .mapping import Mapper, Mapping, SourcePlan
from .offers import (
    KINDS_BY_TOKEN_KIND,
    Pool,
    available_to,
    claimable,
    draw_order,
    eligible_models,
    last_usable_day,
    pool_active,
    shares,
    to_credit_factor,
)
from .reasons import Reason
from .scenario import Scenario

EXHAUSTIVE_LIMIT = 32
# Models of the admissible tier priced over the horizon per source: the cheapest by list price
# on the switch date, at most SHORTLIST_SPREAD times the cheapest (a model half as dear again
# as another on day one rarely wins over the horizon).
SHORTLIST = 3
SHORTLIST_SPREAD = 1.5
MAX_SWEEPS = 3
Score = tuple[float, float]  # (tokens without a known cost, total in the display currency)
PoolId = tuple[int, int | None]  # (offer key, model key for a per-model pool)
Sums = dict[frozenset[PoolId], np.ndarray]  # usage per pool signature ([6, day] arrays)
Pairs = frozenset[tuple[Source, int]]  # (source, model) pairs drawing on one component
# The rows of a signature's [input, output] pair a pool of each token kind draws on.
_KIND_ROWS = {("input",): slice(0, 1), ("output",): slice(1, 2), ("input", "output"): slice(0, 2)}


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
        self._pairs: dict[tuple[Source, int], np.ndarray] = {}
        self.signature: dict[int, frozenset[PoolId]] = {}
        self.pools: dict[PoolId, _PoolSpec] = {}
        self.covered: set[int] = set()
        self.component: dict[int, int] = {}  # covered model -> its pool component
        self._component_scores: dict[tuple[int, Pairs], Score] = {}

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

    def pair(self, source: Source, model: int, source_key: int | None) -> np.ndarray:
        key = (source, model)
        if key not in self._pairs:
            ratio = self.ratio(source, model, source_key)
            self._pairs[key] = pair_days(self.usage, self.schedules, source, model, ratio)
        return self._pairs[key]

    def set_offers(self, offers: list[OfferInfo], covering: dict[int, set[int]]) -> None:
        """Which pools each model's usage would draw on: (offer, model) for a per-model
        offer, (offer, None) for a shared one, and each pool's draw order and days."""
        signatures: dict[int, list[PoolId]] = {}
        claim = self.scenario.switch_date
        days = self.schedules.days
        for offer in offers:
            last_day = last_usable_day(offer, claim)
            credit = offer.free_tokens is None
            unit = (offer.credit_currency or "USD") if credit else "tokens"
            # Every pool of an offer is drawn on the same days at the same rates.
            first = Pool(offer, offer.name, frozenset(), last_day)
            active = pool_active(first, days, claim)
            active = None if active.all() else active  # `shares`: None = every day
            to_credit = to_credit_factor(self.catalog, self.scenario, unit, days) if credit else None
            size = float(offer.credit_amount if credit else offer.free_tokens)
            kinds = KINDS_BY_TOKEN_KIND[offer.token_kind]
            for model in covering[offer.key]:
                pool_id = (offer.key, model if offer.per_model else None)
                signatures.setdefault(model, []).append(pool_id)
                if pool_id in self.pools:
                    continue
                pool = first
                if offer.per_model:
                    label = f"{offer.name} - {self.catalog.models[model].model_id}"
                    pool = Pool(offer, label, frozenset(), last_day)
                self.pools[pool_id] = _PoolSpec(draw_order(pool), active, size, kinds, to_credit)
        self.signature = {m: frozenset(sig) for m, sig in signatures.items()}
        self.covered = set(self.signature)
        self.component = _components(self.signature)

    def component_score(
        self,
        component: int,
        pairs: Pairs,
        keys: dict[Source, int | None],
        sums_of: Callable[[], Sums] | None = None,
    ) -> Score:
        """(unpriced tokens, cost) of the (source, model) pairs of one pool component after
        its pools are drawn (`drawn`); memoised, since a search meets the same pairs often.
        `sums_of` gives the pairs' usage per signature when it is cheaper than summing
        every pair (a move: the state's sums plus and minus one pair).

        Pools of different components never draw on the same usage, so an assignment's
        score is the sum of its components' scores."""
        if not pairs:
            return (0.0, 0.0)
        cache_key = (component, pairs)
        if cache_key not in self._component_scores:
            sums = sums_of() if sums_of is not None else self.component_sums(pairs, keys)
            self._component_scores[cache_key] = self.drawn(sums)
        return self._component_scores[cache_key]

    def component_sums(self, pairs: Pairs, keys: dict[Source, int | None]) -> Sums:
        """The pairs' usage summed per signature, in a fixed order."""
        sums: Sums = {}
        for source, model in sorted(pairs):
            sig = self.signature[model]
            pair = self.pair(source, model, keys[source])
            sums[sig] = sums[sig] + pair if sig in sums else pair
        return sums

    def drawn(self, sums: dict[frozenset[PoolId], np.ndarray]) -> Score:
        """(unpriced tokens, cost) of usage summed per pool signature ([6, day] arrays, see
        `candidate_costs.PAIR_ROWS`) after the pools are drawn in order (`offers.draw`).

        Summing usage that draws on exactly the same pools changes no total: a pool takes
        the same share of every row it covers on a day."""
        if not sums:
            return (0.0, 0.0)
        if len(sums) == 1:
            return self._drawn_alone(*sums.items())
        signatures = list(sums)
        stacked = np.array([sums[sig] for sig in signatures])
        n_days = stacked.shape[2]
        tokens = stacked[:, 0:2].reshape(-1, n_days)
        costs = stacked[:, 2:4].reshape(-1, n_days)
        unknown = stacked[:, 4:6].reshape(-1, n_days)
        rows_of: dict[PoolId, list[int]] = {}
        for i, sig in enumerate(signatures):
            for pool_id in sig:
                kinds = self.pools[pool_id].kinds
                rows_of.setdefault(pool_id, []).extend(
                    2 * i + k for k, kind in enumerate(("input", "output")) if kind in kinds
                )
        present = sorted(rows_of, key=lambda pid: self.pools[pid].order)
        # The per-model pools of one offer follow each other in draw order and never share a
        # row: they are drawn together, one row of `shares` each.
        for _, batch in itertools.groupby(present, key=lambda pid: pid[0]):
            members = [(pid, rows_of[pid]) for pid in batch if rows_of[pid]]
            if members:
                self._draw_batch(self.pools[members[0][0]], members, tokens, costs, unknown)
        return (float(unknown.sum()), float(costs.sum()))

    def _drawn_alone(self, item: tuple[frozenset[PoolId], np.ndarray]) -> Score:
        """`drawn` for usage on one signature: the same arithmetic on views of one copy,
        pool after pool (the common case: a per-model pool, or one offer's models)."""
        signature, values = item
        work = values.copy()
        tokens, costs, unknown = work[0:2], work[2:4], work[4:6]
        for pool_id in sorted(signature, key=lambda pid: self.pools[pid].order):
            spec = self.pools[pool_id]
            rows = _KIND_ROWS[spec.kinds]
            drawn = available_to(tokens[rows], costs[rows], unknown[rows], spec.to_credit)
            share, _, _ = shares(drawn.sum(axis=0), spec.active, spec.size)
            keep = 1.0 - share
            tokens[rows] *= keep
            costs[rows] *= keep
            if spec.to_credit is None:
                unknown[rows] *= keep
        return (float(unknown.sum()), float(costs.sum()))

    @staticmethod
    def _draw_batch(
        spec: _PoolSpec,
        members: list[tuple[PoolId, list[int]]],
        tokens: np.ndarray,
        costs: np.ndarray,
        unknown: np.ndarray,
    ) -> None:
        rows = np.array([r for _, member_rows in members for r in member_rows])
        drawn = available_to(tokens[rows], costs[rows], unknown[rows], spec.to_credit)
        if len(members) == 1:
            share, _, _ = shares(drawn.sum(axis=0), spec.active, spec.size)
            keep = 1.0 - share
        else:
            sizes = [len(r) for _, r in members]
            # rows come member by member: each member's rows are one contiguous run
            starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
            share, _, _ = shares(np.add.reduceat(drawn, starts, axis=0), spec.active, spec.size)
            keep = 1.0 - np.repeat(share, sizes, axis=0)
        tokens[rows] *= keep
        costs[rows] *= keep
        if spec.to_credit is None:
            unknown[rows] *= keep


def _components(signatures: dict[int, frozenset[PoolId]]) -> dict[int, int]:
    """Each covered model's component: models are joined when their signatures share a pool
    (directly or through other models), so usage of two components never meets a pool."""
    parent: dict[PoolId, PoolId] = {}

    def root(pool_id: PoolId) -> PoolId:
        while parent.setdefault(pool_id, pool_id) != pool_id:
            pool_id = parent[pool_id]
        return pool_id

    firsts = {}
    for model, sig in signatures.items():
        first, *rest = sig
        firsts[model] = first
        for pool_id in rest:
            a, b = root(pool_id), root(first)
            if a != b:
                parent[a] = b
    roots: dict[PoolId, int] = {}
    return {
        model: roots.setdefault(root(firsts[model]), len(roots)) for model in sorted(signatures)
    }


@dataclass(frozen=True, slots=True)
class _PoolSpec:
    order: tuple
    active: np.ndarray | None  # None: every day of the horizon
    size: float
    kinds: tuple[str, ...]
    to_credit: np.ndarray | None


class _State:
    """An assignment scored per pool component: sources on models no pool covers add their
    own score; the others add their component's score (`_Problem.component_score`, memoised
    on the pairs it holds), so scoring a move of one source only looks at the (at most two)
    components it leaves and joins."""

    def __init__(
        self, problem: _Problem, assignment: dict[Source, int | None], keys: dict[Source, int | None]
    ) -> None:
        self.problem = problem
        self.keys = keys
        self.assignment = dict(assignment)
        self.const = [0.0, 0.0]
        members: dict[int, set[tuple[Source, int]]] = {}
        for source, model in assignment.items():
            if model is not None and model in problem.covered:
                members.setdefault(problem.component[model], set()).add((source, model))
            else:
                u, k = problem.alone(source, model, keys[source])
                self.const[0] += u
                self.const[1] += k
        self.members: dict[int, Pairs] = {c: frozenset(p) for c, p in members.items()}
        self.scores = {c: problem.component_score(c, p, keys) for c, p in self.members.items()}
        self._sums: dict[int, Sums] = {}  # per component, built when a move needs them

    def score(self) -> Score:
        return _total(self.const, self.scores)

    def with_move(self, source: Source, model: int | None) -> tuple[Score, tuple]:
        problem, keys = self.problem, self.keys
        const, members = list(self.const), {}
        changes: dict[int, list[tuple[int, int]]] = {}  # component -> (model, +1 / -1)
        for target, sign in ((self.assignment[source], -1), (model, 1)):
            if target is not None and target in problem.covered:
                c = problem.component[target]
                pairs = members.get(c, self.members.get(c, frozenset()))
                members[c] = pairs - {(source, target)} if sign < 0 else pairs | {(source, target)}
                changes.setdefault(c, []).append((target, sign))
            else:
                u, k = problem.alone(source, target, keys[source])
                const[0] += sign * u
                const[1] += sign * k
        scores = dict(self.scores)
        for c, pairs in members.items():
            moved = functools.partial(self._moved_sums, c, source, changes[c], pairs)
            scores[c] = problem.component_score(c, pairs, keys, moved)
        return _total(const, scores), (source, const, members, scores, changes)

    def _moved_sums(
        self, component: int, source: Source, changes: list[tuple[int, int]], pairs: Pairs
    ) -> Sums:
        """The component's sums after `source` leaves / joins the models in `changes`."""
        problem = self.problem
        if component not in self._sums:
            members = self.members.get(component, frozenset())
            self._sums[component] = problem.component_sums(members, self.keys)
        sums = dict(self._sums[component])
        for model, sign in changes:
            sig = problem.signature[model]
            pair = problem.pair(source, model, self.keys[source])
            if sig not in sums:
                sums[sig] = pair
            elif not any(problem.signature[m] == sig for _, m in pairs):
                del sums[sig]  # no pair left on it
            else:
                sums[sig] = sums[sig] + pair if sign > 0 else sums[sig] - pair
        return sums

    def move(self, source: Source, model: int | None, state: tuple) -> None:
        _, self.const, members, self.scores, changes = state
        sums = {
            c: self._moved_sums(c, source, changes[c], pairs)
            for c, pairs in members.items()
            if c in self._sums
        }
        self.assignment[source] = model
        self.members = {**self.members, **members}
        self._sums.update(sums)


def _total(const: list[float], scores: dict[int, Score]) -> Score:
    """Sources off the pools plus every component, summed in a fixed order."""
    unpriced, cost = const
    for c in sorted(scores):
        unpriced += scores[c][0]
        cost += scores[c][1]
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
    """The best assignment of `options` (each source starts on its first option)."""
    flexible = [s for s in options if len(options[s]) > 1]
    start = {**fixed, **{s: opts[0] for s, opts in options.items()}}
    if not flexible:
        return start
    if math.prod(len(options[s]) for s in flexible) <= EXHAUSTIVE_LIMIT:
        best, best_score = dict(start), _State(problem, start, keys).score()
        for combo in itertools.product(*(options[s] for s in flexible)):
            candidate = {**start, **dict(zip(flexible, combo, strict=True))}
            score = _State(problem, candidate, keys).score()
            if better(score, best_score):
                best, best_score = candidate, score
        return best
    # Two starts: the no-offer choice, and every source on its first offer model; each is
    # improved one source at a time; the better result wins.
    order = sorted(flexible, key=lambda s: -problem.source_tokens.get(s, 0.0))
    results = [_descend(problem, keys, options, order, start)]
    offer_start = {**start, **{s: options[s][1] for s in flexible}}
    if offer_start != results[0][0]:
        results.append(_descend(problem, keys, options, order, offer_start))
    return min(results, key=lambda r: (round(r[1][0]), r[1][1]))[0]


def _descend(
    problem: _Problem,
    keys: dict[Source, int | None],
    options: dict[Source, list[int | None]],
    order: list[Source],
    begin: dict[Source, int | None],
) -> tuple[dict[Source, int | None], Score]:
    """Moves one source at a time while a move lowers the total. Sources are tried in the
    order of the gain their best single move brings from `begin` (largest first), so a
    source the pools help most takes them before one they help less."""
    state = _State(problem, begin, keys)
    best_score = state.score()
    gains = {}
    for source in order:
        scores = [state.with_move(source, m)[0] for m in options[source] if m != begin[source]]
        best = min(scores, key=lambda sc: (round(sc[0]), sc[1]), default=best_score)
        gains[source] = (round(best[0]) - round(best_score[0]), best[1] - best_score[1])
    order = sorted(order, key=lambda s: gains[s])
    for _ in range(MAX_SWEEPS):
        moved = False
        for source in order:
            for model in options[source]:
                if model == state.assignment[source]:
                    continue
                score, new_state = state.with_move(source, model)
                if better(score, best_score):
                    state.move(source, model, new_state)
                    best_score, moved = score, True
        if not moved:
            break
    return state.assignment, best_score


def by_list_price(mapper: Mapper, models: list[int]) -> list[int]:
    """Models by input + output list price in USD on the switch date; unpriced ones last."""
    return sorted(models, key=lambda m: (math.isnan(mapper.blended(m)), mapper.blended(m), m))


def _candidates(
    mapper: Mapper,
    plan: SourcePlan,
    offers: list[OfferInfo],
    covering: dict[int, set[int]],
    order: dict[int, int],
) -> tuple[list[int], list[int]]:
    """A source's shortlist of tier models and its offer representatives (one per offer);
    `order` ranks the provider's models by list price (`by_list_price`)."""
    ranked = sorted((o.key for o in plan.options), key=order.__getitem__)
    cheapest = mapper.blended(ranked[0]) if ranked else math.nan
    # Up to SHORTLIST models, none dearer than SHORTLIST_SPREAD x the cheapest on day one.
    shortlist = [
        m for m in ranked[:SHORTLIST]
        if m == ranked[0] or not mapper.blended(m) > cheapest * SHORTLIST_SPREAD
    ]
    admissible = [o.key for o in plan.options] + list(plan.upgrades)
    reps = []
    for offer in offers:
        covered = [m for m in admissible if m in covering[offer.key]]
        if covered:
            reps.append(min(covered, key=order.__getitem__))
    return shortlist, list(dict.fromkeys(reps))


def _claimable(catalog: Catalog, scenario: Scenario, provider: str) -> list[OfferInfo]:
    return [o for o in catalog.offers if o.provider == provider and claimable(o, scenario, catalog)]


def _first_options(
    problem: _Problem,
    candidates: dict[Source, tuple[list[int], list[int]]],
    keys: dict[Source, int | None],
    choosing: set[Source],
) -> tuple[dict[Source, int | None], dict[Source, list[int | None]]]:
    """Each source's no-offer choice, and its options for the search.

    Options that draw on exactly the same pools compete on their own costs only (the pools
    see the same usage either way), so only the best of each such group is searched."""
    no_offer: dict[Source, int | None] = {}
    options: dict[Source, list[int | None]] = {}
    for source, (shortlist, reps) in candidates.items():
        if source in choosing:
            first = _cheapest(problem, source, keys[source], shortlist)
        else:
            first = shortlist[0] if shortlist else None
        no_offer[source] = first
        best: dict[frozenset, int | None] = {}
        for model in [first, *reps]:
            sig = problem.signature.get(model, frozenset()) if model is not None else None
            held = best.get(sig)
            if sig not in best or (
                held is not None
                and model is not None
                and better(problem.alone(source, model, keys[source]), problem.alone(source, held, keys[source]))
            ):
                best[sig] = model
        options[source] = list(best.values())
    return no_offer, options


def _all_candidates(
    mapper: Mapper,
    flexible: dict[Source, SourcePlan],
    offers: list[OfferInfo],
    covering: dict[int, set[int]],
) -> dict[Source, tuple[list[int], list[int]]]:
    """Per source with a choice: its tier shortlist and offer representatives."""
    admissible = {m for p in flexible.values() for m in (*(o.key for o in p.options), *p.upgrades)}
    order = {m: i for i, m in enumerate(by_list_price(mapper, sorted(admissible)))}
    return {s: _candidates(mapper, p, offers, covering, order) for s, p in flexible.items()}


def _searched(
    problem: _Problem,
    options: dict[Source, list[int | None]],
    fixed: dict[Source, int | None],
    keys: dict[Source, int | None],
) -> dict[Source, int | None]:
    """The full assignment: sources whose single model no pool covers cannot change anything
    and stay out of the search."""
    covered = problem.covered
    searched = {s: o for s, o in options.items() if len(o) > 1 or o[0] in covered}
    fixed_covered = {s: m for s, m in fixed.items() if m in covered}
    return {
        **fixed,
        **{s: o[0] for s, o in options.items()},
        **search(problem, searched, fixed_covered, keys),
    }


@dataclass(frozen=True)
class Prepared:
    """What `choose` reads of a provider apart from the usage volumes: its claimable offers,
    the models each covers, and each flexible source's shortlist and offer representatives
    (list prices on the switch date). Growth changes none of it (`comparison.planning`
    keeps it)."""

    offers: list[OfferInfo]
    covering: dict[int, set[int]]
    candidates: dict[Source, tuple[list[int], list[int]]]
    # Worked out by the first `choose` and kept: the pools each covered model draws on
    # (`_Problem.set_offers`), and each (source, model, offer choice or not) mapping.
    kept: dict = field(default_factory=dict, compare=False)


def prepare(
    catalog: Catalog,
    scenario: Scenario,
    provider: str,
    plans: dict[Source, SourcePlan],
    mapper: Mapper,
    with_offers: bool = True,
) -> Prepared:
    flexible = {s: p for s, p in plans.items() if p.fixed is None}
    offers = _claimable(catalog, scenario, provider) if with_offers else []
    covering = {o.key: eligible_models(o, catalog) for o in offers}
    return Prepared(offers, covering, _all_candidates(mapper, flexible, offers, covering))


def choose(
    catalog: Catalog,
    scenario: Scenario,
    provider: str,
    plans: dict[Source, SourcePlan],
    usage: UsageMatrix,
    schedules: ScheduleCache,
    mapper: Mapper,
    with_offers: bool = True,
    prepared: Prepared | None = None,
) -> Choice:
    """Mappings of every planned source on `provider`, and why unused offers are unused;
    `prepared`: `prepare`'s answer for the same arguments, when kept."""
    if prepared is None:
        prepared = prepare(catalog, scenario, provider, plans, mapper, with_offers)
    offers, covering, candidates = prepared.offers, prepared.covering, prepared.candidates
    keys = {s: p.source_key for s, p in plans.items()}
    fixed = {s: p.fixed.target_key for s, p in plans.items() if p.fixed is not None}
    flexible = {s: p for s, p in plans.items() if p.fixed is None}
    targets = {s: short + reps for s, (short, reps) in candidates.items()}
    targets.update({s: [] if t is None else [t] for s, t in fixed.items()})
    # Only sources with a choice need their models priced over the horizon here.
    choosing = {s for s in flexible if len(targets[s]) > 1}
    problem = _Problem(
        catalog, scenario, provider, usage, schedules, {s: targets[s] for s in choosing}
    )
    pools = prepared.kept.get("pools")
    if pools is None:
        problem.set_offers(offers, covering)
        prepared.kept["pools"] = (problem.signature, problem.pools, problem.covered, problem.component)
    else:
        problem.signature, problem.pools, problem.covered, problem.component = pools
    no_offer, options = _first_options(problem, candidates, keys, choosing)
    assignment = _searched(problem, options, fixed, keys)
    mappings = {}
    for source, plan in plans.items():
        if plan.fixed is not None:
            mappings[source] = plan.fixed
            continue
        chosen = assignment[source]
        key = ("mapping", source, chosen, chosen == no_offer[source])
        mapping = prepared.kept.get(key)
        if mapping is None:
            mapping = _mapping(mapper, plan, chosen, no_offer[source], offers, covering)
            prepared.kept[key] = mapping
        mappings[source] = mapping
    context = _ExplainContext(catalog, mapper, problem, plans, targets)
    return Choice(mappings, _explanations(context, offers, covering, assignment))


@dataclass(frozen=True)
class _ExplainContext:
    catalog: Catalog
    mapper: Mapper
    problem: _Problem
    plans: dict[Source, SourcePlan]
    targets: dict[Source, list[int]]


def _explanations(
    context: _ExplainContext,
    offers: list[OfferInfo],
    covering: dict[int, set[int]],
    assignment: dict[Source, int | None],
) -> dict[int, tuple[Reason, Reason | None]]:
    """Why each claimable offer the assignment leaves unused is unused, and its hint."""
    used = {m for m in assignment.values() if m is not None}
    explanations = {}
    for offer in offers:
        if covering[offer.key] & used:
            continue
        why = _explain(context, covering[offer.key])
        if why is not None:
            explanations[offer.key] = why
    return explanations


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


def _explain(context: _ExplainContext, covered: set[int]) -> tuple[Reason, Reason | None] | None:
    """Why a claimable offer is unused, and the mapping that would use it: the largest
    source that may use one of its models, on the one tried (its cheapest by list price)."""
    catalog, mapper, problem = context.catalog, context.mapper, context.problem
    plans, targets = context.plans, context.targets
    if not covered:
        return None
    by_size = sorted(plans, key=lambda s: (-problem.source_tokens.get(s, 0.0), s))
    for source in by_size:
        admissible = [m for m in targets.get(source, []) if m in covered]
        if admissible and plans[source].fixed is None:
            model = by_list_price(mapper, admissible)[0]
            name = catalog.models[model].model_id
            code = "not_cheaper"
            if model in problem.column and problem.alone(source, model, plans[source].source_key)[0] > 0.5:
                verified = catalog.price_rows(model, include_unverified=False)
                unverified = len(catalog.price_rows(model, include_unverified=True)) > len(verified)
                excluded = unverified and not problem.scenario.include_unverified
                code = "offer_model_unverified" if excluded else "offer_model_unpriced"
            reason = Reason.of(code, source=source[1], model=name)
            return reason, _hint(catalog, source, model)
    known = [s for s in by_size if plans[s].source_key is not None]
    if not known:
        return None
    cheapest = by_list_price(mapper, sorted(covered))
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
