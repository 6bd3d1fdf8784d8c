"""Engine reasons worded in the user's language (the web layer's side of engine/reasons.py).

The engine returns every mapping reason, offer reason, note and "left out" explanation as a
`Reason(code, params)` and words it in English (`reasons.WORDING`). This table holds the same
templates marked for translation, keyed by the same codes, so a page in Chinese words them in
Chinese; a test checks that every code of the engine's table is here with the same parameters.
An English page reads exactly as `Reason.english()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dashboard.engine.reasons import WORDING, Reason

TEMPLATES: Mapping[str, Any] = {
    # How a replacement model was chosen (mapping.py, choice.py)
    "current_model": _("current model"),
    "same_model": _("same model"),
    "override": pgettext_lazy("mapping reason: the user chose the model", "override"),
    "equivalent": _("equivalent"),
    "same_tier": _("same tier"),
    "tier_up": _("next tier up: {tier}"),
    "tier_down": _("next tier down: {tier}"),
    "offer": pgettext_lazy("mapping reason", "offer: {offer}"),
    "no_tier_model": _("no model of this tier"),
    "no_priced_model": _("no model of this provider has a price in force on {day}"),
    "no_fitting_model": _(
        "no model of this tier has a context window of {needed:,} tokens (your typical request "
        "of {typical:,} tokens + 50% headroom)"
    ),
    "source_unknown": _("source model unknown"),
    "skipped_for_window": _(
        "{model} is cheaper but its context window ({window:,} tokens) is smaller than the "
        "{needed:,} tokens your requests need (typical {typical:,} + 50% headroom)"
    ),
    "window_unknown": _("context window unknown (no model known to fit {needed:,} tokens)"),
    "pre_release": _("{model} priced as {family_model} before its release on {released_on}"),
    # Offers (offers.py)
    "claimed": pgettext_lazy("offer outcome", "claimed"),
    "not_started": _("campaign not started"),
    "campaign_over": _("campaign over"),
    "assumption_expired": _(
        "end not published; last seen running on {last_seen_on}, "
        "assumed running until {assumed_until} only"
    ),
    "not_eligible": _("not eligible: {eligibility}"),
    "unverified_excluded": _("unverified offer (excluded)"),
    "no_model_mapped": _("no eligible model mapped"),
    "not_cheaper": _("not claimed: moving {source} to {model} would not lower the total"),
    "offer_model_unpriced": _(
        "not claimed: {model} has no price in force, so {source}'s usage beyond the free "
        "tokens would have no price"
    ),
    "offer_model_unverified": _(
        "not claimed: {model}'s price is unverified (excluded), so {source}'s usage beyond the "
        "free tokens would have no price; include unverified prices to count it"
    ),
    "no_admissible_model": _(
        "none of your models can use {models} (their tier is lower or context window smaller)"
    ),
    "hint_map": _("map {source} to {model}"),
    # Notes on a candidate's figures (candidate_costs.py)
    "cache_read_fallback": _("cache reads billed at the input price (no cache price)"),
    "cache_write_fallback": _("cache writes billed at the input price (no cache-write price)"),
    "batch_fallback": _("batch usage billed at normal prices (no batch price)"),
    "billed_rates": _("priced at your bill's effective rates ({months})"),
    # Usage left out of the comparison
    "not_in_catalog": _("not in the catalog (identify it to compare it)"),
    "no_token_counts": _("the export carries money but no token counts"),
    "no_current_price": _("{provider} has no price for {model} from {first_day} to {last_day}"),
    # What an unranked candidate lacks
    "lacks_model": _("{source}: {reason}"),
    "lacks_price": _("{source} → {model}: no price from {first_day} to {last_day}"),
}

# Words the engine passes as parameters (tiers, eligibility labels), worded here too.
VALUES: Mapping[str, Any] = {
    "frontier": pgettext_lazy("tier", "frontier"),
    "flagship": pgettext_lazy("tier", "flagship"),
    "balanced": pgettext_lazy("tier", "balanced"),
    "economy": pgettext_lazy("tier", "economy"),
    "free": pgettext_lazy("tier", "free"),
    "Everyone": _("Everyone"),
    "New customers": _("New customers"),
    "Teams moving from OpenAI": _("Teams moving from OpenAI"),
    "Verified accounts": _("Verified accounts"),
    "an unknown day": _("an unknown day"),
}


def word_value(value: str) -> str:
    """A tier or eligibility word the engine passes around, in the active language."""
    return str(VALUES[value]) if value in VALUES else value


def _value(value: Any) -> Any:
    if isinstance(value, Reason):
        return word(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value in VALUES:
        return str(VALUES[value])
    return value


# Worded reasons per language: a dashboard words the same few reasons hundreds of times.
_worded: dict[tuple[str | None, Reason], str] = {}
WORDED_KEPT = 4096


def word(reason: Reason | str | None) -> str:
    """`reason` in the active language (English: exactly `Reason.english()`)."""
    if reason is None:
        return ""
    if not isinstance(reason, Reason):
        return gettext(str(reason)) if str(reason) else ""
    try:
        key = (get_language(), reason)
        text = _worded.get(key)
    except TypeError:  # a parameter that cannot be hashed: worded each time
        return _word(reason)
    if text is None:
        if len(_worded) >= WORDED_KEPT:
            _worded.clear()
        text = _worded[key] = _word(reason)
    return text


def _word(reason: Reason) -> str:
    template = TEMPLATES.get(reason.code)
    if template is None:
        return reason.english()
    text = str(template)
    try:
        return text.format(**{k: _value(v) for k, v in reason.params})
    except (KeyError, ValueError, IndexError):
        return text.split("{", 1)[0].rstrip(" :：") or reason.english()


def word_code(code: str, params: Mapping[str, Any] | None) -> str:
    """A reason given as its code and (JSON-plain) parameters, e.g. an offer outcome's."""
    return word(Reason.of(code, **dict(params or {})))


def joined_text(parts: Iterable[str]) -> str:
    """Several clauses as one sentence ("a; b" in English)."""
    return str(_("; ")).join(parts)


def joined(reasons: Iterable[Reason]) -> str:
    """Several reasons as one sentence (English: `reasons.joined`)."""
    return joined_text(word(r) for r in reasons)


def missing_codes() -> set[str]:
    """Engine codes without a translatable template here (a test keeps this empty)."""
    return set(WORDING) - set(TEMPLATES)
