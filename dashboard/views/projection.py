"""The projection dashboard of one profile, and its two CSV downloads (results and summary).

The view parses the scenario with `ScenarioForm`, runs the cached engine
(`projection_service.compute`) and hands the template what `engine.presentation` makes of the
results; the CSV downloads write the same presentation tables.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from dashboard import csv_wording, profile_store, reason_wording
from dashboard.engine import presentation
from dashboard.engine.catalog_types import Catalog
from dashboard.engine.scenario import DEFAULTS, Scenario, ScenarioError
from dashboard.forms.scenario import (
    PAIR_SEPARATOR,
    PRESET_JULY_2024,
    SUBMITTED,
    ScenarioForm,
    model_target,
    preset_query,
)
from dashboard.local_names import is_chinese, offer_names, page_currency, provider_name
from dashboard.models import UsageProfile
from dashboard.projection_service import Outcome, compute
from dashboard.views.partials import render_page, swaps_fragment
from dashboard.views.profiles import own_session_key
from providers.catalog import get_catalog

MAX_MODEL_OPTIONS_PER_PROVIDER = 60


def _query(params: QueryDict, currency: str | None = None) -> str:
    """The scenario of this page as a query string (what downloads and the API link carry).
    ``currency``: the display currency the page shows, written out when the URL leaves it to
    the language's default (CNY on a Chinese page), so a download in another language or the
    API (USD by default) shows the same figures."""
    query = params.copy()
    query.pop("page", None)
    if SUBMITTED not in query:
        query[SUBMITTED] = "1"
    if currency and currency != DEFAULTS["display_currency"] and not query.get("currency"):
        query["currency"] = currency
    return query.urlencode()


def _with_mapping(params: QueryDict, source: str, target: str) -> str:
    """The page's query with one more `map` (replacing any earlier choice for `source` on
    the same provider) - the link that applies an offer."""
    query = params.copy()
    provider = target.split("/", 1)[0]
    kept = [
        item
        for item in query.getlist("map")
        if not (item.startswith(source + PAIR_SEPARATOR) and item.rpartition(PAIR_SEPARATOR)[2].startswith(provider + "/"))
    ]
    query.setlist("map", [*kept, f"{source}{PAIR_SEPARATOR}{target}"])
    return _query(query)


def _model_options(
    catalog: Catalog, providers: list[str], chosen: dict[str, int], source: str
) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """Select options "<source>::<provider>/<model id>", grouped by provider."""
    groups = []
    for slug in providers:
        info = catalog.providers.get(slug)
        if info is None:
            continue
        keys = catalog.models_by_provider.get(slug, ())
        models = sorted((catalog.models[key] for key in keys), key=lambda m: m.model_id)
        options = [
            (
                f"{source}{PAIR_SEPARATOR}{model_target(catalog, m.key)}",
                f"{m.model_id} ({reason_wording.word_value(m.tier)})",
                chosen.get(source) == m.key,
            )
            for m in models[:MAX_MODEL_OPTIONS_PER_PROVIDER]
        ]
        if options:
            groups.append((provider_name(slug, info.name), options))
    return groups


def _picker_providers(catalog: Catalog, outcome: Outcome | None, selected: list[str]) -> list[str]:
    """Providers offered in the model pickers: the compared ones, else the candidates."""
    if selected:
        slugs = list(selected)
    elif outcome is not None:
        slugs = [s.candidate for s in outcome.projection.summary if s.candidate in catalog.providers]
    else:
        slugs = list(catalog.providers)
    return sorted(set(slugs), key=lambda s: catalog.providers[s].name.lower())


def picker_context(
    request: HttpRequest, catalog: Catalog, form: ScenarioForm, outcome: Outcome | None, usage: dict
) -> dict[str, Any]:
    # The model pickers live in the form, which an htmx results request does not redraw.
    providers = [] if swaps_fragment(request) else _picker_providers(catalog, outcome, form.selected_providers())
    overrides, identified = form.overrides(), form.identifications()
    # One picker per source model holds the whole catalog: only the top models get one
    # (the others keep the automatic choice, or a map=/identify= parameter in the URL).
    mapped, unknown = usage["top_mapped_sources"], usage["top_unknown_sources"]
    resolved = [source for source in sorted(usage["resolved_models"]) if source in mapped]
    unresolved = [source for source in usage["unresolved_models"] if source in unknown]
    return {
        "mapping_rows": [
            {"source": source, "groups": _model_options(catalog, providers, overrides, source)}
            for source in resolved
        ],
        "identify_rows": [
            {"source": source, "groups": _model_options(catalog, providers, identified, source)}
            for source in unresolved
        ],
        "pickers_hidden": len(usage["resolved_models"]) + len(usage["unresolved_models"])
        - len(resolved) - len(unresolved),
    }


def offer_rows(params: QueryDict, outcome: Outcome, catalog: Catalog) -> list[dict[str, Any]]:
    """Each offer's outcome with its provider's name and, when unused, the link that maps the
    model that would apply it."""
    rows = []
    chinese_names = offer_names([o.offer_key for o in outcome.projection.offers])
    for offer in outcome.projection.offers:
        hint_url = None
        if offer.hint is not None:
            hint = offer.hint.kwargs
            hint_url = "?" + _with_mapping(params, hint["source"], hint["target"])
        provider = catalog.providers.get(offer.provider)
        name = provider_name(offer.provider, provider.name) if provider else offer.provider
        offer_name = chinese_names.get(offer.offer_key) or offer.name
        pools = [
            {"pool": pool, "label": offer_name + pool.label[len(offer.name):] if pool.label.startswith(offer.name) else pool.label}
            for pool in offer.pools
        ]
        rows.append({"offer": offer, "provider": name, "name": offer_name, "pools": pools, "hint_url": hint_url})
    return rows


def results_context(params: QueryDict, outcome: Outcome | None, catalog: Catalog) -> dict[str, Any]:
    if outcome is None:
        return {"ranked_rows": [], "unranked_rows": [], "offer_rows": []}
    ranked, unranked = presentation.split_ranking(outcome.projection.summary)
    return {
        "ranked_rows": ranked,
        "unranked_rows": unranked,
        "source_label": ", ".join(outcome.projection.current_providers) or pgettext("your provider", "current"),
        "comparison": outcome.projection.comparison,
        "offer_rows": offer_rows(params, outcome, catalog),
    }


def run(form: ScenarioForm, profile: UsageProfile, catalog: Catalog) -> tuple[Scenario | None, Outcome | None]:
    """The scenario and its (cached) results; (None, None) when the form is invalid."""
    try:
        scenario = form.to_scenario()
    except ScenarioError:
        return None, None
    return scenario, compute(profile, catalog, scenario, form.identifications())


def dashboard_context(request: HttpRequest, profile: UsageProfile) -> tuple[dict, int]:
    catalog = get_catalog()
    usage = profile_store.usage_summary(profile, catalog)
    form = ScenarioForm(
        request.GET, catalog=catalog, source_models=list(usage["report"].models), default_currency=page_currency()
    )
    scenario, outcome = run(form, profile, catalog)
    provider_names = {slug: info.name for slug, info in catalog.providers.items()}
    key = own_session_key(request)
    context = {
        "nav": "profiles",
        "profile": profile,
        "is_owner": key is not None and key == profile.session_key,
        "form": form,
        "scenario": scenario,
        "outcome": outcome,
        "provider_names": provider_names,
        "currency": scenario.display_currency if scenario else "USD",
        "query": _query(request.GET, scenario.display_currency if scenario else None),
        "share_url": request.build_absolute_uri(),
        "preset_query": preset_query(request.GET, PRESET_JULY_2024["switch"], PRESET_JULY_2024["elig"]),
        "selected_providers": form.selected_providers(),
        "field_labels": {name: str(field.label or name) for name, field in form.fields.items()},
        **results_context(request.GET, outcome, catalog),
        **picker_context(request, catalog, form, outcome, usage),
        **usage,
    }
    return context, 400 if scenario is None else 200


@require_GET
def profile_dashboard(request: HttpRequest, pk: object) -> HttpResponse:
    profile = get_object_or_404(UsageProfile, pk=pk)
    context, status = dashboard_context(request, profile)
    return render_page(request, "dashboard/profile_dashboard.html", context, partial="results", status=status)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
UTF8_BOM = "\ufeff"  # so that Excel reads the file as UTF-8 (Chinese names, ¥)


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula is prefixed with a quote."""
    if isinstance(value, str) and value and (value[0] in FORMULA_PREFIXES or not value[0].isprintable()):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV: text cells formula-safe, unknown figures as empty cells (never 0)."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
        elif pd.api.types.is_float_dtype(safe[column]):
            safe[column] = safe[column].round(6)
    return UTF8_BOM + safe.to_csv(index=False, na_rep="", date_format="%Y-%m-%d")


def _csv_download(request: HttpRequest, pk: object, kind: str) -> HttpResponse:
    """The CSV in the page's language; ``?lang=en`` keeps it English (headers and text)."""
    if request.GET.get("lang") == "en":
        with translation.override("en"):
            return _csv_response(request, pk, kind)
    return _csv_response(request, pk, kind)


def _csv_response(request: HttpRequest, pk: object, kind: str) -> HttpResponse:
    profile = get_object_or_404(UsageProfile, pk=pk)
    catalog = get_catalog()
    report = profile_store.report_of(profile)
    form = ScenarioForm(request.GET, catalog=catalog, source_models=list(report.models), default_currency=page_currency())
    scenario, outcome = run(form, profile, catalog)
    if outcome is None:
        lines = "\n".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
        return HttpResponse(_("Invalid scenario:") + f"\n{lines}\n", status=400, content_type="text/plain; charset=utf-8")
    assert scenario is not None
    if kind == "summary":
        frame = presentation.summary_frame(outcome.projection)
    else:
        frame = presentation.results_frame(outcome.projection)
    if is_chinese():
        frame = csv_wording.localise(frame, outcome.projection)
    stem = slugify(profile.file_name)[:40] or "profile"
    filename = f"tokenscope-{stem}-{scenario.switch_date:%Y%m%d}-{kind}.csv"
    response = HttpResponse(csv_text(frame), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def results_csv(request: HttpRequest, pk: object) -> HttpResponse:
    """One tidy row per candidate x month with every figure."""
    return _csv_download(request, pk, "results")


@require_GET
def results_summary_csv(request: HttpRequest, pk: object) -> HttpResponse:
    """One row per candidate: totals, savings, coverage, models and what it lacks."""
    return _csv_download(request, pk, "summary")
