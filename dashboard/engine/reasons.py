"""Engine messages as stable codes with parameters, and their English wording.

The engine never returns prose it made up on the spot: every mapping reason, offer reason,
note and "left out" explanation is a `Reason(code, params)`. `english()` words it (that is what
the dashboard and the API's `reason` fields show today); a later translation pass can word the
same codes in the web layer (the API also returns `reason_code` and `reason_params`).

A code the table below does not know is shown as is, so a plain string used as a reason (for
example a constant added to `offers.not_applicable_reason`) still reads sensibly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

WORDING: Mapping[str, str] = {
    # How a replacement model was chosen (mapping.py, choice.py)
    "current_model": "current model",
    "same_model": "same model",
    "override": "override",
    "equivalent": "equivalent",
    "same_tier": "same tier",
    "tier_up": "next tier up: {tier}",
    "tier_down": "next tier down: {tier}",
    "offer": "offer: {offer}",
    "no_tier_model": "no model of this tier",
    "no_priced_model": "no model of this provider has a price in force on {day}",
    "no_fitting_model": (
        "no model of this tier has a context window of {needed:,} tokens (your typical request "
        "of {typical:,} tokens + 50% headroom)"
    ),
    "source_unknown": "source model unknown",
    # Details added to a mapping reason
    "skipped_for_window": (
        "{model} is cheaper but its context window ({window:,} tokens) is smaller than the "
        "{needed:,} tokens your requests need (typical {typical:,} + 50% headroom)"
    ),
    "window_unknown": "context window unknown (no model known to fit {needed:,} tokens)",
    "pre_release": "{model} priced as {family_model} before its release on {released_on}",
    # Offers (offers.py)
    "claimed": "claimed",
    "not_started": "campaign not started",
    "campaign_over": "campaign over",
    "assumption_expired": (
        "end not published; last seen running on {last_seen_on}, "
        "assumed running until {assumed_until} only"
    ),
    "not_eligible": "not eligible: {eligibility}",
    "unverified_excluded": "unverified offer (excluded)",
    "no_model_mapped": "no eligible model mapped",
    "not_cheaper": "not claimed: moving {source} to {model} would not lower the total",
    "offer_model_unpriced": (
        "not claimed: {model} has no price in force, so {source}'s usage beyond the free "
        "tokens would have no price"
    ),
    "offer_model_unverified": (
        "not claimed: {model}'s price is unverified (excluded), so {source}'s usage beyond the "
        "free tokens would have no price; include unverified prices to count it"
    ),
    "no_admissible_model": (
        "none of your models can use {models} (their tier is lower or context window smaller)"
    ),
    "hint_map": "map {source} to {model}",
    # Notes on a candidate's figures (candidate_costs.py)
    "cache_read_fallback": "cache reads billed at the input price (no cache price)",
    "cache_write_fallback": "cache writes billed at the input price (no cache-write price)",
    "batch_fallback": "batch usage billed at normal prices (no batch price)",
    "billed_rates": "priced at your bill's effective rates ({months})",
    # Usage left out of the comparison (comparable.py)
    "not_in_catalog": "not in the catalog (identify it to compare it)",
    "no_token_counts": "the export carries money but no token counts",
    "no_current_price": "{provider} has no price for {model} from {first_day} to {last_day}",
    # What an unranked candidate lacks
    "lacks_model": "{source}: {reason}",
    "lacks_price": "{source} → {model}: no price from {first_day} to {last_day}",
}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Reason):
        return value.english()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True, slots=True)
class Reason:
    """A message as a stable `code` and its parameters (hashable, immutable)."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, code: str | Reason, **params: Any) -> Reason:
        if isinstance(code, Reason):
            return code
        return cls(code, tuple(sorted(params.items())))

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(self.params)

    def english(self) -> str:
        template = WORDING.get(self.code)
        if template is None:
            return self.code
        values = {k: _plain(v) for k, v in self.params}
        try:
            return template.format(**values)
        except (KeyError, ValueError):
            # A parameter missing or of an unexpected type: the code still says what happened.
            return template.split("{", 1)[0].rstrip(" :") or self.code

    def __str__(self) -> str:
        return self.english()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "params": {k: _plain(v) for k, v in self.params},
            "text": self.english(),
        }


def joined(reasons: tuple[Reason, ...] | list[Reason]) -> str:
    """Several reasons as one English sentence, in order."""
    return "; ".join(r.english() for r in reasons)
