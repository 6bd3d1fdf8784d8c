"""Runs the engine for one stored profile and one scenario, with a shared cache.

The cache key holds the profile id, the catalog version (bumped on every catalog edit) and
the scenario, so an admin's change to a price or an offer shows on the very next request.
When Redis does not answer, the cache backend (`dashboard.cache`) misses and drops writes, so
the projection is computed anyway.

Two entries per scenario: the history part (the uploaded period re-priced, which growth,
horizon and eligibility do not change) and the projected part. Each worker process also keeps
the last outcomes, the profiles' frames with their `UsageFacts` and their price schedules
(`process_memo`), so a changed growth rate costs one engine run and no database read of the
profile's days.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.core.cache import cache
from django.utils.translation import get_language, gettext

from dashboard.engine import billed_rates, presentation
from dashboard.engine.catalog_types import Catalog
from dashboard.engine.frame import COUNT_COLUMNS, KEY_COLUMNS
from dashboard.engine.history import HistoryResult, history_scenario, reprice_history
from dashboard.engine.projection import ProjectionResult, UsageFacts, project
from dashboard.engine.scenario import Scenario
from dashboard.local_names import candidate_names
from dashboard.models import UsageProfile
from dashboard.process_memo import ProcessMemo
from dashboard.profile_store import load_frame
from providers.catalog import version_of

CACHE_SECONDS = 60 * 60
KEPT_FRAMES = 8  # a stored profile never changes: its frame can be kept
KEPT_OUTCOMES = 32


@dataclass(frozen=True)
class Outcome:
    projection: ProjectionResult
    history: HistoryResult
    usage_table: presentation.Table
    monthly_table: presentation.Table
    cumulative_table: presentation.Table
    free_table: presentation.Table
    history_table: presentation.Table
    native_totals: dict[str, tuple[float, str]]
    billed_table: presentation.Table  # what a cost-only export billed, per model and month
    charts: dict[str, Any] = field(default_factory=dict)
    # per billed source model: the bill vs the same tokens at list price
    list_vs_billed: list[billed_rates.ModelGap] = field(default_factory=list)


def identify_models(frame: pd.DataFrame, identifications: dict[str, int], catalog: Catalog) -> pd.DataFrame:
    """Treat exported ids the user identified as the chosen catalog models."""
    if not identifications or frame.empty:
        return frame
    frame = frame.copy()
    for raw_id, key in identifications.items():
        model = catalog.models[key]
        rows = frame["source_model"] == raw_id
        frame.loc[rows, "source_model"] = model.model_id
        frame.loc[rows, "source_provider"] = model.provider
    merged = frame.groupby(list(KEY_COLUMNS), as_index=False, sort=True).agg(
        {**{c: "sum" for c in COUNT_COLUMNS}, "reported_cost": lambda s: s.sum(min_count=1), "reported_currency": "first"}
    )
    return merged[frame.columns]


# Per worker process: a profile's frame (identified models applied) with its UsageFacts -
# reading its days back and working out its baseline cost more than re-projecting a changed
# growth rate - and the last outcomes, which the shared cache would otherwise unpickle.
kept_frames: ProcessMemo[UsageFacts] = ProcessMemo(KEPT_FRAMES)
kept_outcomes: ProcessMemo[Any] = ProcessMemo(KEPT_OUTCOMES)


def _cached(key: str) -> Any:
    """This process's copy, else the shared cache's (kept here for the next request)."""
    value = kept_outcomes.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            kept_outcomes.put(key, value)
    return value


def _keep(key: str, value: Any) -> Any:
    """Into the shared cache and this process's memo."""
    cache.set(key, value, CACHE_SECONDS)
    return kept_outcomes.put(key, value)


def frame_facts(profile: UsageProfile, version: int, identifications: dict[str, int], catalog: Catalog) -> UsageFacts:
    """The profile's frame and facts; identifications name catalog models, hence the version."""
    key = (str(profile.pk), version if identifications else None, tuple(sorted(identifications.items())))
    return kept_frames.get_or_make(
        key, lambda: UsageFacts(identify_models(load_frame(profile), identifications, catalog))
    )


def _key(profile: UsageProfile, version: int, scenario: Scenario, identifications: dict[str, int]) -> str:
    payload = json.dumps(
        {"s": scenario.to_dict(), "i": sorted(identifications.items())}, sort_keys=True, default=str
    )
    digest = hashlib.sha256(payload.encode()).hexdigest()[:32]
    # Tables and charts are worded in the page's language: one cached outcome per language.
    return f"projection:v8:{profile.pk}:{version}:{get_language() or 'en'}:{digest}"


@dataclass(frozen=True)
class _Projected:
    """What the shared cache holds per scenario: the projection and what is drawn from it.
    The history part has its own entry (one per history scenario), not a copy per growth rate."""

    projection: ProjectionResult
    monthly_table: presentation.Table
    cumulative_table: presentation.Table
    free_table: presentation.Table
    native_totals: dict[str, tuple[float, str]]
    charts: dict[str, Any]


def compute(
    profile: UsageProfile, catalog: Catalog, scenario: Scenario, identifications: dict[str, int]
) -> Outcome:
    version = version_of(catalog)
    key = _key(profile, version, scenario, identifications)
    outcome = kept_outcomes.get(key)
    if outcome is not None:
        return outcome
    currency = scenario.display_currency
    # Changing growth, horizon or eligibility (the common case while exploring) reuses history.
    for_history = history_scenario(scenario)
    history_key = _key(profile, version, for_history, identifications) + ":history"
    cached_history = _cached(history_key)
    if cached_history is None:
        frame = frame_facts(profile, version, identifications, catalog).frame
        history = reprice_history(frame, catalog, for_history)
        usage_table = presentation.usage_by_month(frame, gettext)
        history_table = presentation.history_totals(history, currency, gettext, candidate_names(history.summary))
        cached_history = (
            history,
            usage_table,
            billed_rates.list_vs_billed(frame, catalog, for_history),
            history_table,
            presentation.billed_table(history, gettext),
            presentation.history_charts(
                usage_table, history_table, currency, history_summary=history.summary, translate=gettext
            ),
        )
        _keep(history_key, cached_history)
    history, usage_table, gaps, history_table, billed_table, _ = cached_history
    projected = cache.get(key)
    if projected is None:
        projected = _project(profile, version, catalog, scenario, identifications, cached_history)
        cache.set(key, projected, CACHE_SECONDS)
    outcome = Outcome(
        projection=projected.projection,
        history=history,
        usage_table=usage_table,
        monthly_table=projected.monthly_table,
        cumulative_table=projected.cumulative_table,
        free_table=projected.free_table,
        native_totals=projected.native_totals,
        history_table=history_table,
        list_vs_billed=gaps,
        billed_table=billed_table,
        charts=projected.charts,
    )
    return kept_outcomes.put(key, outcome)


def _project(
    profile: UsageProfile,
    version: int,
    catalog: Catalog,
    scenario: Scenario,
    identifications: dict[str, int],
    cached_history: tuple,
) -> _Projected:
    facts = frame_facts(profile, version, identifications, catalog)
    renames = {
        raw: (catalog.models[key].provider, catalog.models[key].model_id)
        for raw, key in identifications.items()
    }
    billed = billed_rates.renamed(profile.report.get("billed_usage") or (), renames)
    projection = project(facts.frame, catalog, scenario, billed_usage=billed, facts=facts)
    history, usage_table, _, history_table, _, kept_charts = cached_history
    currency = scenario.display_currency
    names = candidate_names(projection.summary)
    monthly = presentation.monthly_cost(projection, currency, gettext, names)
    cumulative = presentation.cumulative(monthly, gettext, currency)
    free = presentation.free_vs_paid(projection, gettext, names)
    charts = presentation.chart_specs(
        usage_table,
        monthly,
        cumulative,
        free,
        history_table,
        projection.summary,
        currency,
        history_summary=history.summary,
        translate=gettext,
        kept=kept_charts,
    )
    return _Projected(projection, monthly, cumulative, free, presentation.native_totals(projection), charts)
