"""Free-token and credit offers: which apply, their pools, and how usage drains them.

Usage arrives as "buckets": one row per (target model, token kind) with tokens and costs per
day. Pools are drained in order of expiry (earliest first, open-ended last). One pool's daily
draw is min(what is left of the pool, that day's eligible tokens), which over a run of days is a
capped cumulative sum - so each pool costs a few numpy operations, not a loop over days. When a
pool covers only part of a day's eligible tokens it takes the same share of every bucket, and
the cost it removes is that share of the bucket's list-price cost (its "value").

Only priced tokens draw on pools: a free token on a model with no price has no known value.
A pool is usable from the claim (switch date) to the earlier of the campaign end (inclusive)
and the claim day + valid_days_after_claim - 1 (the claim day counts as day 1).

An offer whose end is not published is claimed only up to its ``assumed_until`` day (the day
a source last showed it running plus an assumption window); such a claim is flagged
``assumed_running``. Why an offer does not apply is a reason code with parameters (so the
web layer can word and translate it) plus the English text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

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
from .scenario import Scenario

# Reason codes of an offer outcome, and their English wording ({params} filled in).
CLAIMED = "claimed"
NOT_STARTED = "not_started"
CAMPAIGN_OVER = "campaign_over"
ASSUMPTION_EXPIRED = "assumption_expired"
NOT_ELIGIBLE = "not_eligible"
NO_MODEL_MAPPED = "no_model_mapped"
UNVERIFIED_EXCLUDED = "unverified_excluded"
REASON_TEXTS: Mapping[str, str] = MappingProxyType(
    {
        CLAIMED: "claimed",
        NOT_STARTED: "campaign not started",
        CAMPAIGN_OVER: "campaign over",
        ASSUMPTION_EXPIRED: (
            "end not published; last seen running on {last_seen_on}, "
            "assumed running until {assumed_until} only"
        ),
        NOT_ELIGIBLE: "not eligible: {eligibility}",
        NO_MODEL_MAPPED: "no eligible model mapped",
        UNVERIFIED_EXCLUDED: "unverified offer (excluded)",
    }
)
KINDS_BY_TOKEN_KIND = {"input": ("input",), "output": ("output",), "both": ("input", "output")}


@dataclass(slots=True)
class Buckets:
    """Usage of one candidate by (model, kind) x day; offers reduce tokens and costs in place."""

    models: np.ndarray  # int64 model key per bucket
    kinds: np.ndarray  # "input" / "output" per bucket
    tokens: np.ndarray  # [bucket, day] priced tokens still to pay for
    cost_display: np.ndarray  # [bucket, day]
    cost_native: np.ndarray  # [bucket, day]; NaN when the candidate mixes currencies
    free_tokens: np.ndarray = field(init=False)  # [day] tokens covered by offers
    free_value_display: np.ndarray = field(init=False)  # [day]

    def __post_init__(self) -> None:
        days = self.tokens.shape[1]
        self.free_tokens = np.zeros(days)
        self.free_value_display = np.zeros(days)


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
class Reason:
    """Why an offer does (``claimed``) or does not apply: a code and its parameters."""

    code: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return REASON_TEXTS[self.code].format(**self.params)


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
    reason_params: Mapping[str, str] = field(default_factory=dict)
    # Claimed although its end is not published: the claim rests on the assumption that
    # it still runs on the switch date (until assumed_until).
    assumed_running: bool = False
    last_seen_on: dt.date | None = None
    assumed_until: dt.date | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "offer_key": self.offer_key,
            "provider": self.provider,
            "name": self.name,
            "applied": self.applied,
            "reason": self.reason,
            "reason_code": self.reason_code,
            "reason_params": dict(self.reason_params),
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
        return Reason(UNVERIFIED_EXCLUDED)
    if switch < offer.starts_on:
        return Reason(NOT_STARTED)
    if offer.ends_on is not None and switch > offer.ends_on:
        return Reason(CAMPAIGN_OVER)
    if rests_on_assumption(offer) and switch > offer.assumed_until:
        last_seen = offer.last_seen_on.isoformat() if offer.last_seen_on else "an unknown day"
        return Reason(
            ASSUMPTION_EXPIRED,
            {"last_seen_on": last_seen, "assumed_until": offer.assumed_until.isoformat()},
        )
    if offer.eligibility != "everyone" and offer.eligibility not in scenario.eligibility:
        label = ELIGIBILITY_LABELS.get(offer.eligibility, offer.eligibility)
        return Reason(NOT_ELIGIBLE, {"eligibility": label})
    if not eligible_models(offer, catalog) & mapped:
        return Reason(NO_MODEL_MAPPED)
    return None


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
class _Pool:
    offer: OfferInfo
    label: str
    models: frozenset[int]
    last_day: dt.date | None


def _drain(
    pool: _Pool,
    buckets: Buckets,
    days: np.ndarray,
    catalog: Catalog,
    scenario: Scenario,
) -> PoolOutcome:
    offer = pool.offer
    kinds = KINDS_BY_TOKEN_KIND[offer.token_kind]
    rows = np.isin(buckets.models, list(pool.models)) & np.isin(buckets.kinds, kinds)
    active = days >= day_number(scenario.switch_date)
    if pool.last_day is not None:
        active &= days <= day_number(pool.last_day)
    credit = offer.free_tokens is None
    unit = (offer.credit_currency or "USD") if credit else "tokens"
    size = float(offer.credit_amount if credit else offer.free_tokens)
    tokens = buckets.tokens[rows]
    costs = buckets.cost_display[rows]
    if credit:
        # Credit is spent at list price in its own currency, converted day by day.
        to_credit = rates_on(catalog, unit, days, scenario.fx_override) / rates_on(
            catalog, scenario.display_currency, days, scenario.fx_override
        )
        available = np.nan_to_num(costs.sum(axis=0) * to_credit)
    else:
        available = tokens.sum(axis=0)
    # Earlier pools leave float residue around 0; never let it count as negative usage.
    available = np.where(active, np.maximum(available, 0.0), 0.0)
    cumulative = np.cumsum(available)
    used_cumulative = np.minimum(cumulative, size)
    used = np.maximum(np.diff(used_cumulative, prepend=0.0), 0.0)
    share = np.divide(used, available, out=np.zeros_like(used), where=available > 0)
    share = np.clip(share, 0.0, 1.0)
    taken_tokens = tokens * share
    taken_value = costs * share
    buckets.tokens[rows] = tokens * (1.0 - share)
    buckets.cost_display[rows] = costs * (1.0 - share)
    buckets.cost_native[rows] = buckets.cost_native[rows] * (1.0 - share)
    buckets.free_tokens += taken_tokens.sum(axis=0)
    buckets.free_value_display += taken_value.sum(axis=0)
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


def apply_offers(
    catalog: Catalog,
    scenario: Scenario,
    provider: str,
    mapped: set[int],
    days: np.ndarray,
    buckets: Buckets,
) -> list[OfferOutcome]:
    """Claim the provider's offers on the switch date and drain them with `buckets` in place."""
    claim = scenario.switch_date
    pools: list[_Pool] = []
    refused: dict[int, Reason] = {}
    offers = [o for o in catalog.offers if o.provider == provider]
    for offer in offers:
        reason = not_applicable_reason(offer, scenario, catalog, mapped)
        if reason is not None:
            refused[offer.key] = reason
            continue
        models = sorted(eligible_models(offer, catalog) & mapped)
        last_day = last_usable_day(offer, claim)
        if offer.per_model:
            for key in models:
                label = f"{offer.name} - {catalog.models[key].model_id}"
                pools.append(_Pool(offer, label, frozenset([key]), last_day))
        else:
            pools.append(_Pool(offer, offer.name, frozenset(models), last_day))
    pools.sort(key=lambda p: (p.last_day or dt.date.max, p.offer.key, p.label))
    outcomes: dict[int, list[PoolOutcome]] = {}
    for pool in pools:
        outcomes.setdefault(pool.offer.key, []).append(
            _drain(pool, buckets, days, catalog, scenario)
        )
    results = []
    for offer in offers:
        reason = refused.get(offer.key, Reason(CLAIMED))
        applied = offer.key not in refused
        results.append(
            OfferOutcome(
                offer_key=offer.key,
                provider=offer.provider,
                name=offer.name,
                applied=applied,
                reason=reason.text,
                pools=tuple(outcomes.get(offer.key, ())),
                verification=offer.verification,
                source_url=offer.source_url,
                reason_code=reason.code,
                reason_params=reason.params,
                assumed_running=applied and rests_on_assumption(offer),
                last_seen_on=offer.last_seen_on,
                assumed_until=offer.assumed_until,
            )
        )
    return results
