"""The projection dashboard of one profile, and its CSV download."""

from __future__ import annotations

import csv
import datetime as dt
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from dashboard import profile_store
from dashboard.engine import presentation
from dashboard.engine.catalog_types import Catalog
from dashboard.engine.scenario import ScenarioError
from dashboard.forms.scenario import PRESET_JULY_2024, ScenarioForm
from dashboard.models import UsageProfile
from dashboard.projection_service import Outcome, compute
from dashboard.views.profiles import own_session_key
from providers.catalog import get_catalog

MAX_MODEL_OPTIONS_PER_PROVIDER = 60


def _query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    if "s" not in params:
        params["s"] = "1"
    return params.urlencode()


def _model_options(
    catalog: Catalog, providers: list[str], chosen: dict[str, int], source: str
) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """Select options "<source>::<model key>", grouped by provider."""
    groups = []
    for slug in providers:
        info = catalog.providers.get(slug)
        if info is None:
            continue
        keys = catalog.models_by_provider.get(slug, ())
        models = sorted((catalog.models[key] for key in keys), key=lambda m: m.model_id)
        models = models[:MAX_MODEL_OPTIONS_PER_PROVIDER]
        options = [
            (f"{source}::{m.key}", f"{m.model_id} ({m.tier})", chosen.get(source) == m.key) for m in models
        ]
        if options:
            groups.append((info.name, options))
    return groups


def _option_providers(catalog: Catalog, outcome: Outcome | None, selected: list[str], extra: set[str]) -> list[str]:
    """Providers offered in the model pickers: the compared ones, else the ranked ones."""
    if selected:
        slugs = list(selected)
    elif outcome is not None:
        slugs = [s.candidate for s in outcome.projection.summary if s.candidate in catalog.providers]
    else:
        slugs = sorted(catalog.providers)
    return sorted(set(slugs) | extra, key=lambda s: catalog.providers[s].name.lower() if s in catalog.providers else s)


def dashboard_context(request: HttpRequest, profile: UsageProfile) -> tuple[dict, int]:
    catalog = get_catalog()
    usage = profile_store.usage_summary(profile)
    report = usage["report"]
    form = ScenarioForm(request.GET, catalog=catalog, source_models=list(report.models))
    outcome: Outcome | None = None
    scenario = None
    status = 200
    try:
        scenario = form.to_scenario()
        outcome = compute(profile, catalog, scenario, form.identifications())
    except ScenarioError:
        status = 400
    summary = presentation.ordered(outcome.projection.summary) if outcome else []
    overrides = {source: key for source, key in (form.cleaned_data.get("map", ()) if form.is_bound and form.is_valid() else ())}
    selected = list(form.cleaned_data.get("provider") or []) if form.is_bound and form.is_valid() else []
    # The model pickers live in the form, which an htmx results request does not redraw.
    pickers = [] if request.htmx else _option_providers(catalog, outcome, selected, set())
    identified = form.identifications()
    resolved_sources = sorted(usage["resolved_models"])
    provider_names = {slug: info.name for slug, info in catalog.providers.items()}
    context = {
        "nav": "profiles",
        "profile": profile,
        "is_owner": (key := own_session_key(request)) is not None and key == profile.session_key,
        "form": form,
        "scenario": scenario,
        "outcome": outcome,
        "ranked_rows": [s for s in summary if s.candidate == "current" or s.rank is not None],
        "unranked_rows": [s for s in summary if s.candidate != "current" and s.rank is None],
        "provider_names": provider_names,
        "currency": scenario.display_currency if scenario else "USD",
        "query": _query(request),
        "share_url": request.build_absolute_uri(),
        "preset_query": urlencode({"s": "1", **{k: v for k, v in PRESET_JULY_2024.items()}}, doseq=True),
        "selected_providers": selected,
        "field_labels": {name: str(field.label or name) for name, field in form.fields.items()},
        "source_label": ", ".join(
            sorted({provider_names.get(row["source_provider"], row["source_provider"]) for row in usage["totals"]})
        )
        or "current",
        "mapping_rows": [
            {"source": source, "groups": _model_options(catalog, pickers, overrides, source)}
            for source in resolved_sources
        ],
        "identify_rows": [
            {"source": source, "groups": _model_options(catalog, pickers, identified, source)}
            for source in usage["unresolved_models"]
        ],
        **usage,
    }
    return context, status


@require_GET
@vary_on_headers("HX-Request")
def profile_dashboard(request: HttpRequest, pk: object) -> HttpResponse:
    profile = get_object_or_404(UsageProfile, pk=pk)
    context, status = dashboard_context(request, profile)
    template = "dashboard/profile_dashboard.html#results" if request.htmx else "dashboard/profile_dashboard.html"
    return render(request, template, context, status=status)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula is prefixed with a quote."""
    if isinstance(value, float) and value != value:
        return ""  # unknown (e.g. unpriced), never written as 0
    if isinstance(value, str) and value and (value[0] in FORMULA_PREFIXES or not value[0].isprintable()):
        return "'" + value
    return value


@require_GET
def results_csv(request: HttpRequest, pk: object) -> HttpResponse:
    profile = get_object_or_404(UsageProfile, pk=pk)
    catalog = get_catalog()
    report = profile_store.report_of(profile)
    form = ScenarioForm(request.GET, catalog=catalog, source_models=list(report.models))
    try:
        scenario = form.to_scenario()
    except ScenarioError as error:
        lines = "\n".join(f"{field}: {message}" for field, message in error.errors.items())
        return HttpResponse(f"Invalid scenario:\n{lines}\n", status=400, content_type="text/plain; charset=utf-8")
    outcome = compute(profile, catalog, scenario, form.identifications())
    labels = {s.candidate: s.label for s in outcome.projection.summary}
    filename = f"tokenscope-{slugify(profile.file_name)[:40] or 'profile'}-{scenario.switch_date:%Y%m%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    currency = scenario.display_currency
    writer.writerow(["# TokenScope projection", neutralise(profile.file_name), f"switch {scenario.switch_date}",
                     f"horizon {scenario.horizon_months} months", f"growth {scenario.growth_pct}%/month",
                     f"currency {currency}", f"generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"])
    writer.writerow(["section", "rank", "provider", "mappings", f"total_{currency}", f"total_without_offers_{currency}",
                     f"savings_vs_current_{currency}", "savings_pct", "free_tokens_used", f"free_value_{currency}",
                     "offers_exhausted_on", "unpriced_tokens", "uses_unverified"])
    for s in outcome.projection.summary:
        mappings = "; ".join(f"{m.source_model} -> {m.target_model_id or 'none'} ({m.reason})" for m in s.mappings)
        writer.writerow([neutralise(v) for v in [
            "summary", s.rank if s.rank is not None else "", s.label, mappings, round(s.total_display, 4),
            round(s.total_without_offers_display, 4), round(s.savings_vs_current_display, 4),
            round(s.savings_vs_current_pct, 2), round(s.free_tokens_used), round(s.free_value_display, 4),
            s.offers_exhausted_on.isoformat() if s.offers_exhausted_on else "", round(s.unpriced_tokens),
            s.uses_unverified,
        ]])
    writer.writerow([])
    columns = list(outcome.projection.monthly.columns)
    writer.writerow(["section", "provider", *columns])
    for record in outcome.projection.monthly.to_dict(orient="records"):
        values = [record[c].isoformat() if isinstance(record[c], dt.date) else record[c] for c in columns]
        writer.writerow([neutralise(v) for v in ["monthly", labels.get(record["candidate"], record["candidate"]), *values]])
    return response
