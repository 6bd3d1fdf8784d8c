"""Catalog pages: all models with today's prices, one provider's history, the offers."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from dashboard.engine import charts
from dashboard.forms import CatalogFilterForm, OfferFilterForm, ProviderPageForm
from dashboard.forms.estimate import EstimateForm
from dashboard.local_names import is_chinese, page_currency, provider_name
from dashboard.views.estimate import estimate_context
from dashboard.views.partials import render_page, swaps_fragment
from providers import listing
from providers.catalog import get_catalog
from providers.models import Currency, Price, Provider

PAGE_SIZE = 50
OPENAI_CUTOFF = dt.date(2024, 7, 9)


def _provider_choices() -> list[tuple[str, str]]:
    rows = Provider.objects.order_by("name").values_list("slug", "name", "name_zh")
    chinese = is_chinese()
    return [(slug, (name_zh if chinese and name_zh else name)) for slug, name, name_zh in rows]


@require_GET
def catalog_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    params = request.GET.copy()
    if not params.get("currency") and is_chinese():
        params["currency"] = page_currency()  # a Chinese page shows 折合人民币 unless the URL says USD
    form = CatalogFilterForm(params or None, providers=_provider_choices())
    if params:
        form.is_valid()
    currency = str(form.value("currency") or Currency.USD)
    rates = listing.rates_on(today)
    filters = {
        "provider": str(form.value("provider")),
        "region": str(form.value("region")),
        "tier": str(form.value("tier")),
        "search": str(form.value("q")).strip(),
    }
    models = listing.models_with_prices(
        day=today, currency=currency, rates=rates, sort=str(form.value("sort") or "provider"), **filters
    )
    page = Paginator(models, PAGE_SIZE).get_page(form.value("page") or 1)
    rows = []
    for model in page.object_list:
        price = listing.base_price(model)
        rows.append(
            {
                "model": model,
                "price": listing.price_view(price, rates, currency) if price else None,
                "tiers": len(model.prices_in_force),
            }
        )
    scatter_points = [
        {
            "provider": provider_name(row["model__provider__slug"], row["model__provider__name"]),
            "slug": row["model__provider__slug"],
            "model": row["model__model_id"],
            "input": rates.convert(row["input_per_mtok"], row["currency"], currency),
            "output": rates.convert(row["output_per_mtok"], row["currency"], currency),
        }
        for row in Price.objects.in_force(today).filter(
            min_prompt_tokens=0, model__in=models.order_by().values("pk")
        )
        .filter(input_per_mtok__gt=0, output_per_mtok__gt=0)
        .values(
            "model__provider__name",
            "model__provider__slug",
            "model__model_id",
            "currency",
            "input_per_mtok",
            "output_per_mtok",
        )
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav": "catalog",
        "form": form,
        "page": page,
        "rows": rows,
        "currency": currency,
        "rates": rates,
        "today": today,
        "query_without_page": query.urlencode(),
        "price_chart": charts.price_scatter(scatter_points, currency, translate=gettext),
        "prices_last_checked": listing.prices_last_checked(),
        "chart_points": len(scatter_points),
    }
    if not swaps_fragment(request):
        context.update(estimate_context(EstimateForm()))
    return render_page(request, "dashboard/catalog.html", context, partial="catalog-results")


def _history_series(prices: list[Price], today: dt.date) -> list[tuple[str, list[Price]]]:
    """Base-tier price periods per model: models priced today first, then those whose price
    changed most often, then the newest."""
    by_model: dict[str, list[Price]] = {}
    for price in prices:
        if price.min_prompt_tokens == 0:
            by_model.setdefault(price.model.model_id, []).append(price)
    return sorted(
        by_model.items(),
        key=lambda item: (
            not any(p.in_force_on(today) for p in item[1]),
            -len(item[1]),
            -max(p.effective_from for p in item[1]).toordinal(),
            item[0],
        ),
    )


@require_GET
def provider_detail(request: HttpRequest, slug: str) -> HttpResponse:
    provider = get_object_or_404(Provider, slug=slug)
    today = timezone.localdate()
    models = list(provider.models.order_by("tier", "model_id"))
    prices = list(
        Price.objects.filter(model__provider=provider)
        .select_related("model")
        .order_by("model__model_id", "min_prompt_tokens", "effective_from")
    )
    offers = list(listing.offers_with_models().filter(provider=provider))
    # Drawn in the currency the provider bills today unless the visitor picks the other one.
    latest = max(prices, key=lambda p: p.effective_from, default=None)
    form = ProviderPageForm(request.GET or None)
    chosen = form.cleaned_data.get("currency") if form.is_valid() else ""
    currency = chosen or (latest.currency if latest else provider.billing_currency)
    series = _history_series(prices, today)
    in_force = {p.model_id for p in prices if p.in_force_on(today)}
    context = {
        "nav": "catalog",
        "provider": provider,
        "models": models,
        "prices": prices,
        "offers": offers,
        "today": today,
        "priced_model_ids": in_force,
        "prices_last_checked": max((p.checked_on for p in prices if p.checked_on), default=None),
        "currency": currency,
        "currencies": Currency.values,
        "history_chart": charts.price_history(
            series[: charts.MAX_SERIES],
            currency=currency,
            rates=get_catalog(),
            today=today,
            total_models=len(series),
            translate=gettext,
        ),
    }
    return render(request, "dashboard/provider_detail.html", context)


@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = OfferFilterForm(request.GET or None, providers=_provider_choices())
    offers = listing.offers_with_models().order_by("starts_on", "provider__name", "name")
    if form.is_valid():
        if form.cleaned_data.get("provider"):
            offers = offers.filter(provider__slug=form.cleaned_data["provider"])
        if form.cleaned_data.get("active_on"):
            day = form.cleaned_data["active_on"]
            offers = offers.active_on(day)
    offers = list(offers)
    context = {
        "nav": "offers",
        "form": form,
        "offers": offers,
        "today": today,
        "cutoff": OPENAI_CUTOFF,
        "timeline_chart": charts.offer_timeline(
            [
                {
                    "provider": provider_name(o.provider.slug, o.provider.name),
                    "slug": o.provider.slug,
                    "name": o.name_zh if is_chinese() and o.name_zh else o.name,
                    "starts_on": o.starts_on,
                    "ends_on": o.ends_on,
                    "last_seen_on": o.last_seen_on,
                    "assumed_until": o.assumed_until,
                }
                for o in offers
            ],
            today,
            OPENAI_CUTOFF,
            gettext("OpenAI cut-off (%(day)s)") % {"day": OPENAI_CUTOFF.isoformat()},
            translate=gettext,
        ),
    }
    return render_page(request, "dashboard/offers.html", context, partial="offer-results")
