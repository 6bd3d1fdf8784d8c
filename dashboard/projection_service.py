"""Runs the engine for one stored profile and one scenario, with a shared cache.

The cache key holds the profile id, the catalog version (bumped on every catalog edit) and
the scenario, so an admin's change to a price or an offer shows on the very next request.
When Redis does not answer, the cache backend (`dashboard.cache`) misses and drops writes, so
the projection is computed anyway.
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
from dashboard.engine.projection import ProjectionResult, project
from dashboard.engine.scenario import Scenario
from dashboard.local_names import candidate_names
from dashboard.models import UsageProfile
from dashboard.profile_store import load_frame
from providers.models import CatalogState

CACHE_SECONDS = 60 * 60


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


def _key(profile: UsageProfile, version: int, scenario: Scenario, identifications: dict[str, int]) -> str:
    payload = json.dumps(
        {"s": scenario.to_dict(), "i": sorted(identifications.items())}, sort_keys=True, default=str
    )
    digest = hashlib.sha256(payload.encode()).hexdigest()[:32]
    # Tables and charts are worded in the page's language: one cached outcome per language.
    return f"projection:v4:{profile.pk}:{version}:{get_language() or 'en'}:{digest}"


def compute(
    profile: UsageProfile, catalog: Catalog, scenario: Scenario, identifications: dict[str, int]
) -> Outcome:
    version = CatalogState.current()
    key = _key(profile, version, scenario, identifications)
    outcome = cache.get(key)
    if outcome is not None:
        return outcome
    frame = identify_models(load_frame(profile), identifications, catalog)
    renames = {
        raw: (catalog.models[key].provider, catalog.models[key].model_id)
        for raw, key in identifications.items()
    }
    billed = billed_rates.renamed(profile.report.get("billed_usage") or (), renames)
    projection = project(frame, catalog, scenario, billed_usage=billed)
    # Changing growth, horizon or eligibility (the common case while exploring) reuses history.
    for_history = history_scenario(scenario)
    history_key = _key(profile, version, for_history, identifications) + ":history"
    cached_history = cache.get(history_key)
    if cached_history is None:
        cached_history = (
            reprice_history(frame, catalog, for_history),
            presentation.usage_by_month(frame, gettext),
            billed_rates.list_vs_billed(frame, catalog, for_history),
        )
        cache.set(history_key, cached_history, CACHE_SECONDS)
    history, usage_table, gaps = cached_history
    currency = scenario.display_currency
    names = candidate_names(projection.summary)
    monthly = presentation.monthly_cost(projection, currency, gettext, names)
    outcome = Outcome(
        projection=projection,
        history=history,
        usage_table=usage_table,
        monthly_table=monthly,
        cumulative_table=presentation.cumulative(monthly, gettext, currency),
        free_table=presentation.free_vs_paid(projection, gettext, names),
        native_totals=presentation.native_totals(projection),
        history_table=presentation.history_totals(history, currency, gettext, candidate_names(history.summary)),
        list_vs_billed=gaps,
        billed_table=presentation.billed_table(history, gettext),
    )
    outcome.charts.update(
        presentation.chart_specs(
            outcome.usage_table,
            monthly,
            outcome.cumulative_table,
            outcome.free_table,
            outcome.history_table,
            projection.summary,
            currency,
            history_summary=history.summary,
            translate=gettext,
        )
    )
    cache.set(key, outcome, CACHE_SECONDS)
    return outcome
