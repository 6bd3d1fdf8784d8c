"""Free-token and credit offers: which apply, their pools, and how usage drains them.

Usage arrives as "buckets": one row per (target model, token kind) with tokens and costs per
day. Pools are drained in order of expiry (earliest first, open-ended last). One pool's daily
draw is min(what is left of the pool, that day's eligible tokens), which over a run of days is a
capped cumulative sum - so each pool costs a few numpy operations, not a loop over days. When a
pool covers only part of a day's eligible tokens it takes the same share of every bucket, and
the cost it removes is that share of the bucket's list-price cost (its "value").

Token pools are drawn whether or not the model's paid price is known: a free token costs
nothing whatever the list price, so usage on a model without a price in force is covered by
the pool first and only what is left stays "no price". Such tokens count in free tokens used,
but add nothing to the free value (its list price is unknown). Credit pools (money) can only
pay usage with a known price.
A pool is usable from the claim (switch date) to the earlier of the campaign end (inclusive)
and the claim day + valid_days_after_claim - 1 (the claim day counts as day 1).

An offer whose end is not published is claimed only up to its ``assumed_until`` day (the day
a source last showed it running plus an assumption window); such a claim is flagged
``assumed_running``. Why an offer does not apply is a reason code with parameters (wording in
`reasons.py`, so the web layer can translate it) plus the English text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .catalog_types import (
    ELIGIBILITY_LABELS,
    UNVERIFIED,
    Catalog,
    OfferInfo,
    day_from_number,
    day_number,
)
from .fx import rates_on
from .reasons import Reason
from .scenario import Scenario

# Reason codes of an offer outcome (their English wording is in reasons.WORDING).
CLAIMED = "claimed"
NOT_STARTED = "not_started"
CAMPAIGN_OVER = "campaign_over"
ASSUMPTION_EXPIRED = "assumption_expired"
NOT_ELIGIBLE = "not_eligible"
NO_MODEL_MAPPED = "no_model_mapped"
UNVERIFIED_EXCLUDED = "unverified_excluded"
KINDS_BY_TOKEN_KIND = {"input": ("input",), "output": ("output",), "both": ("input", "output")}


@dataclass(slots=True)
class Buckets:
    """Usage of one candidate by (model, kind) x day; offers reduce tokens and costs in place."""

    models: np.ndarray  # int64 model key per bucket
    kinds: np.ndarray  # "input" / "output" per bucket
    tokens: np.ndarray  # [bucket, day] priced tokens still to pay for
    cost_display: np.ndarray  # [bucket, day]
    cost_native: np.ndarray  # [bucket, day]; NaN when the candidate mixes currencies
    unpriced: np.ndarray  # [bucket, day] tokens without a price in force, not yet covered
    free_tokens: np.ndarray = field(init=False)  # [day] tokens covered by offers
    free_value_display: np.ndarray = field(init=False)  # [day]
    free_unpriced: np.ndarray = field(init=False)  # [day] free tokens that had no price

    def __post_init__(self) -> None:
        days = self.tokens.shape[1]
        self.free_tokens = np.zeros(days)
        self.free_value_display = np.zeros(days)
        self.free_unpriced = np.zeros(days)


@dataclass(frozen=True, slots=True)
class PoolOutcome:
    label: str
    size: float  # tokens, or money in `unit` for a credit
    unit: str  # "tokens" or a currency code
    used: float  # in the same unit as size
    tokens_used: float
    value_display: float
    expires_on: dt.date | None
    exhausted_on: dt.date | None

    @property
    def left(self) -> float:
        return self.size - self.used

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "size": self.size,
            "unit": self.unit,
            "used": self.used,
            "left": self.left,
            "tokens_used": self.tokens_used,
            "value_display": self.value_display,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "exhausted_on": self.exhausted_on.isoformat() if self.exhausted_on else None,
        }


@dataclass(frozen=True, slots=True)
class OfferOutcome:
    offer_key: int
    provider: str
    name: str
    applied: bool
    reason: str  # English: "claimed" or why not (see reason_code / reason_params)
    pools: tuple[PoolOutcome, ...] = ()
    verification: str = ""
    source_url: str = ""
    reason_code: str = CLAIMED
    reason_params: Mapping[str, object] = field(default_factory=dict)
    # Claimed although its end is not published: the claim rests on the assumption that
    # it still runs on the switch date (until assumed_until).
    assumed_running: bool = False
    last_seen_on: dt.date | None = None
    assumed_until: dt.date | None = None
    # What would apply an offer that is not used ("map <source> to <model>"), with the
    # target's `provider/model_id` in its parameters.
    hint: Reason | None = None

    def to_dict(self) -> dict[str, object]:
        hint = None
        if self.hint is not None:
            hint = {**self.hint.to_dict()["params"], "text": self.hint.english()}
        return {
            "offer_key": self.offer_key,
            "provider": self.provider,
            "name": self.name,
            "applied": self.applied,
            "reason": self.reason,
            "reason_code": self.reason_code,
            "reason_params": dict(self.reason_params),
            "hint": hint,
            "assumed_running": self.assumed_running,
            "last_seen_on": self.last_seen_on.isoformat() if self.last_seen_on else None,
            "assumed_until": self.assumed_until.isoformat() if self.assumed_until else None,
            "verification": self.verification,
            "source_url": self.source_url,
            "pools": [p.to_dict() for p in self.pools],
        }


def rests_on_assumption(offer: OfferInfo) -> bool:
    """True for an offer whose end is not published but whose assumption window is known."""
    return offer.ends_on is None and offer.assumed_until is not None


def not_applicable_reason(
    offer: OfferInfo, scenario: Scenario, catalog: Catalog, mapped: set[int]
) -> Reason | None:
    """Why `offer` cannot be claimed on the switch date, or None when it can."""
    switch = scenario.switch_date
    if offer.verification == UNVERIFIED and not scenario.include_unverified:
        return Reason.of(UNVERIFIED_EXCLUDED)
    if switch < offer.starts_on:
        return Reason.of(NOT_STARTED, starts_on=offer.starts_on)
    if offer.ends_on is not None and switch > offer.ends_on:
        return Reason.of(CAMPAIGN_OVER, ends_on=offer.ends_on)
    if rests_on_assumption(offer) and switch > offer.assumed_until:
        last_seen = offer.last_seen_on.isoformat() if offer.last_seen_on else "an unknown day"
        return Reason.of(
            ASSUMPTION_EXPIRED, last_seen_on=last_seen, assumed_until=offer.assumed_until
        )
    if offer.eligibility != "everyone" and offer.eligibility not in scenario.eligibility:
        label = ELIGIBILITY_LABELS.get(offer.eligibility, offer.eligibility)
        return Reason.of(NOT_ELIGIBLE, eligibility=label)
    if not eligible_models(offer, catalog) & mapped:
        return Reason.of(NO_MODEL_MAPPED)
    return None


def claimable(offer: OfferInfo, scenario: Scenario, catalog: Catalog) -> bool:
    """The offer can be claimed on the switch date if one of its models is used."""
    return not_applicable_reason(offer, scenario, catalog, eligible_models(offer, catalog)) is None


def eligible_models(offer: OfferInfo, catalog: Catalog) -> set[int]:
    if offer.eligible_models:
        return set(offer.eligible_models)
    return set(catalog.models_by_provider.get(offer.provider, ()))


def last_usable_day(offer: OfferInfo, claim: dt.date) -> dt.date | None:
    ends = []
    if offer.ends_on is not None:
        ends.append(offer.ends_on)
    if offer.valid_days_after_claim is not None:
        ends.append(claim + dt.timedelta(days=offer.valid_days_after_claim - 1))
    return min(ends) if ends else None


@dataclass(frozen=True, slots=True)
class Pool:
    offer: OfferInfo
    label: str
    models: frozenset[int]
    last_day: dt.date | None


def to_credit_factor(
    catalog: Catalog, scenario: Scenario, unit: str, days: np.ndarray
) -> np.ndarray:
    """Per day: a display-currency amount times this is the amount in the credit's currency."""
    return rates_on(catalog, unit, days, scenario.fx_override) / rates_on(
        catalog, scenario.display_currency, days, scenario.fx_override
    )


def pool_active(pool: Pool, days: np.ndarray, claim: dt.date) -> np.ndarray:
    """Days of `days` on which the pool can be drawn."""
    active = days >= day_number(claim)
    if pool.last_day is not None:
        active &= days <= day_number(pool.last_day)
    return active


def shares(
    available: np.ndarray, active: np.ndarray | None, size: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The core of a pool: from what it could cover each day (last axis; a leading axis holds
    independent pools of the same size), the share of each day it covers, the amount used and
    the running total. Pools cover days in order until `size` is reached. `active` says on
    which days the pool can be drawn (None: every day)."""
    # Earlier pools leave float residue around 0; never let it count as negative usage.
    available = np.maximum(available, 0.0)
    if active is not None:
        available = np.where(active, available, 0.0)
    cumulative = np.cumsum(available, axis=-1)
    # used = the day-to-day difference of the capped running total (in place: this runs
    # hundreds of times per projection on short arrays, where allocations dominate)
    capped = np.minimum(cumulative, size)
    used = capped.copy()
    np.subtract(capped[..., 1:], capped[..., :-1], out=used[..., 1:])
    np.maximum(used, 0.0, out=used)
    share = np.zeros_like(used)
    np.divide(used, available, out=share, where=available > 0)
    # share >= 0 already (used >= 0, available > 0 where divided)
    return np.minimum(share, 1.0, out=share), used, cumulative


def draw(
    tokens: np.ndarray,
    costs: np.ndarray,
    unpriced: np.ndarray,
    active: np.ndarray,
    size: float,
    to_credit: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How one pool covers rows of usage [row, day]: per day the share of every covered row it
    takes, the amount used and the running total of what was available.

    A token pool covers priced and unpriced tokens alike; a credit (`to_credit` converts the
    display currency into the credit's) can only pay usage with a known price."""
    return shares(available_to(tokens, costs, unpriced, to_credit).sum(axis=0), active, size)


def available_to(
    tokens: np.ndarray, costs: np.ndarray, unpriced: np.ndarray, to_credit: np.ndarray | None
) -> np.ndarray:
    """Per row: what a pool could draw each day (tokens for a token pool, credit otherwise)."""
    if to_credit is not None:
        return np.nan_to_num(costs * to_credit)
    return tokens + unpriced


def _drain(
    pool: Pool,
    buckets: Buckets,
    days: np.ndarray,
    catalog: Catalog,
    scenario: Scenario,
) -> PoolOutcome:
    offer = pool.offer
    kinds = KINDS_BY_TOKEN_KIND[offer.token_kind]
    # the pool's rows, in bucket order (a list comprehension: np.isin on a few strings and
    # ints costs more than the whole draw)
    pairs = zip(buckets.models.tolist(), buckets.kinds.tolist(), strict=True)
    rows = np.array(
        [i for i, (model, kind) in enumerate(pairs) if model in pool.models and kind in kinds],
        dtype=np.intp,
    )
    credit = offer.free_tokens is None
    unit = (offer.credit_currency or "USD") if credit else "tokens"
    size = float(offer.credit_amount if credit else offer.free_tokens)
    tokens = buckets.tokens[rows]
    costs = buckets.cost_display[rows]
    unpriced = buckets.unpriced[rows]
    to_credit = to_credit_factor(catalog, scenario, unit, days) if credit else None
    active = pool_active(pool, days, scenario.switch_date)
    share, used, cumulative = draw(tokens, costs, unpriced, active, size, to_credit)
    keep = 1.0 - share
    taken_tokens = (tokens * share).sum(axis=0)
    taken_value = (costs * share).sum(axis=0)
    buckets.tokens[rows] = tokens * keep
    buckets.cost_display[rows] = costs * keep
    buckets.cost_native[rows] = buckets.cost_native[rows] * keep
    if not credit:
        taken_unpriced = (unpriced * share).sum(axis=0)
        buckets.unpriced[rows] = unpriced * keep
        buckets.free_unpriced += taken_unpriced
        taken_tokens = taken_tokens + taken_unpriced
    buckets.free_tokens += taken_tokens
    buckets.free_value_display += taken_value
    exhausted_on = None
    # Relative tolerance: a cumulative float sum may land a hair under the pool size.
    full = np.nonzero(cumulative >= size * (1 - 1e-12))[0]
    if len(full):
        exhausted_on = day_from_number(days[full[0]])
    return PoolOutcome(
        label=pool.label,
        size=size,
        unit=unit,
        used=float(used.sum()),
        tokens_used=float(taken_tokens.sum()),
        value_display=float(taken_value.sum()),
        expires_on=pool.last_day,
        exhausted_on=exhausted_on,
    )


def draw_order(pool: Pool) -> tuple[dt.date, int, str]:
    """Pools are drawn earliest expiry first (open-ended last)."""
    return (pool.last_day or dt.date.max, pool.offer.key, pool.label)


def claim_pools(
    catalog: Catalog, scenario: Scenario, provider: str, mapped: set[int] | frozenset[int]
) -> tuple[list[Pool], dict[int, str]]:
    """The provider's pools claimed on the switch date for the models in use, in draw order
    (earliest expiry first), and the code of every offer not claimed."""
    claim = scenario.switch_date
    pools: list[Pool] = []
    refused: dict[int, Reason] = {}
    for offer in catalog.offers:
        if offer.provider != provider:
            continue
        reason = not_applicable_reason(offer, scenario, catalog, set(mapped))
        if reason is not None:
            refused[offer.key] = reason
            continue
        models = sorted(eligible_models(offer, catalog) & set(mapped))
        last_day = last_usable_day(offer, claim)
        if offer.per_model:
            for key in models:
                label = f"{offer.name} - {catalog.models[key].model_id}"
                pools.append(Pool(offer, label, frozenset([key]), last_day))
        else:
            pools.append(Pool(offer, offer.name, frozenset(models), last_day))
    pools.sort(key=draw_order)
    return pools, refused


def drain_pools(
    pools: list[Pool],
    buckets: Buckets,
    days: np.ndarray,
    catalog: Catalog,
    scenario: Scenario,
) -> dict[int, list[PoolOutcome]]:
    """Drain `pools` in order with `buckets` in place; outcomes per offer key."""
    outcomes: dict[int, list[PoolOutcome]] = {}
    for pool in pools:
        outcomes.setdefault(pool.offer.key, []).append(
            _drain(pool, buckets, days, catalog, scenario)
        )
    return outcomes


def apply_offers(
    catalog: Catalog,
    scenario: Scenario,
    provider: str,
    mapped: set[int],
    days: np.ndarray,
    buckets: Buckets,
    explanations: dict[int, tuple[Reason, Reason | None]] | None = None,
) -> list[OfferOutcome]:
    """Claim the provider's offers on the switch date and drain them with `buckets` in place.

    `explanations` replace the plain "no eligible model mapped" of an offer the choice of
    models left unused with why, and what would apply it (from `choice.py`)."""
    pools, refused = claim_pools(catalog, scenario, provider, mapped)
    outcomes = drain_pools(pools, buckets, days, catalog, scenario)
    explanations = explanations or {}
    results = []
    for offer in catalog.offers:
        if offer.provider != provider:
            continue
        reason = refused.get(offer.key, Reason.of(CLAIMED))
        hint = None
        if reason.code == NO_MODEL_MAPPED and offer.key in explanations:
            reason, hint = explanations[offer.key]
        applied = offer.key not in refused
        results.append(
            OfferOutcome(
                offer_key=offer.key,
                provider=offer.provider,
                name=offer.name,
                applied=applied,
                reason=reason.english(),
                pools=tuple(outcomes.get(offer.key, ())),
                verification=offer.verification,
                source_url=offer.source_url,
                reason_code=reason.code,
                reason_params=reason.to_dict()["params"],
                assumed_running=applied and rests_on_assumption(offer),
                last_seen_on=offer.last_seen_on,
                assumed_until=offer.assumed_until,
                hint=hint,
            )
        )
    return results
