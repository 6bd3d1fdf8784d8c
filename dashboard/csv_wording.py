"""The CSV downloads in the user's language: Chinese headers and wording for a Chinese page.

The engine writes the tables with English column names (`presentation.RESULT_COLUMNS`,
`SUMMARY_COLUMNS`) and English text; a Chinese session gets the same figures under Chinese
headers, with provider names, statuses, mapping reasons, lacks and notes in Chinese. `?lang=en`
on the download keeps it English (the view switches the language for that response).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dashboard import reason_wording
from dashboard.engine import presentation
from dashboard.local_names import candidate_names

HEADERS: Mapping[str, Any] = {
    "provider": _("Provider"),
    "candidate": pgettext_lazy("CSV header: provider slug", "candidate"),
    "rank": pgettext_lazy("CSV header", "rank"),
    "ranked": pgettext_lazy("CSV header", "ranked"),
    "month": pgettext_lazy("CSV header", "month"),
    "display_currency": pgettext_lazy("CSV header", "display currency"),
    "tokens_input_uncached": pgettext_lazy("CSV header", "input tokens (cache miss)"),
    "tokens_cache_read": pgettext_lazy("CSV header", "cache hit tokens"),
    "tokens_cache_write": pgettext_lazy("CSV header", "cache write tokens"),
    "tokens_output": pgettext_lazy("CSV header", "output tokens"),
    "cost": pgettext_lazy("CSV header", "cost"),
    "cost_without_offers": pgettext_lazy("CSV header", "cost without offers"),
    "cost_cumulative": pgettext_lazy("CSV header", "cumulative cost"),
    "cost_native": pgettext_lazy("CSV header", "cost in billing currency"),
    "native_currency": pgettext_lazy("CSV header", "billing currency"),
    "free_tokens_used": pgettext_lazy("CSV header", "free tokens used"),
    "free_value": pgettext_lazy("CSV header", "value of free tokens"),
    "unpriced_tokens": pgettext_lazy("CSV header", "tokens without a price"),
    "status": pgettext_lazy("CSV header", "status"),
    "horizon_start": pgettext_lazy("CSV header", "projection start"),
    "horizon_end": pgettext_lazy("CSV header", "projection end"),
    "total": pgettext_lazy("CSV header", "total"),
    "total_without_offers": pgettext_lazy("CSV header", "total without offers"),
    "savings_vs_current": pgettext_lazy("CSV header", "savings vs current"),
    "savings_pct": pgettext_lazy("CSV header", "savings %"),
    "coverage_pct": pgettext_lazy("CSV header", "coverage %"),
    "offers_run_out": pgettext_lazy("CSV header", "offers run out"),
    "uses_unverified": pgettext_lazy("CSV header", "uses unverified data"),
    "models": pgettext_lazy("CSV header", "models used (and why)"),
    "lacks": pgettext_lazy("CSV header", "what it lacks"),
    "notes": pgettext_lazy("CSV header", "notes"),
}

STATUSES: Mapping[str, Any] = {
    "ranked": pgettext_lazy("CSV status", "ranked"),
    "not ranked": pgettext_lazy("CSV status", "not ranked"),
    "current, not ranked": pgettext_lazy("CSV status", "current, not ranked"),
}


def _mappings(summary: Any) -> str:
    none = gettext("none")
    return reason_wording.joined_text(
        f"{m.source_model} -> {m.target_model_id or none} ({reason_wording.joined((m.reason, *m.details))})"
        for m in summary.mappings
    )


def localise(frame: pd.DataFrame, result: Any) -> pd.DataFrame:
    """``frame`` (a results or summary CSV table of ``result``) worded in the active language."""
    frame = frame.copy()
    names = candidate_names(result.summary)
    by_candidate = {s.candidate: s for s in result.summary}
    candidates = frame["candidate"] if "candidate" in frame else pd.Series(dtype=object)
    if "provider" in frame:
        frame["provider"] = [names.get(c, label) for c, label in zip(candidates, frame["provider"], strict=True)]
    if "status" in frame:
        frame["status"] = [str(STATUSES.get(s, s)) for s in frame["status"]]
    if "models" in frame:
        frame["models"] = [_mappings(by_candidate[c]) for c in candidates]
    if "lacks" in frame:
        frame["lacks"] = [reason_wording.joined(by_candidate[c].lacks) for c in candidates]
    if "notes" in frame:
        frame["notes"] = [reason_wording.joined(by_candidate[c].notes) for c in candidates]
    return frame.rename(columns={c: str(HEADERS.get(c, c)) for c in frame.columns})


def missing_headers() -> set[str]:
    """CSV columns without a translatable header here (a test keeps this empty)."""
    return (set(presentation.RESULT_COLUMNS) | set(presentation.SUMMARY_COLUMNS)) - set(HEADERS)
