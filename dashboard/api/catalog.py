"""JSON API: the catalog's models and the offers.

GET /api/catalog/models?currency=&provider=&region=&tier=&q=&sort=&page=
GET /api/offers?provider=&active_on=
Bad parameters give 400 with {"error": ..., "errors": {parameter: message}}.
"""


from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router

from dashboard.api import schemas
from dashboard.api.errors import bad_request, json_response
from dashboard.forms import CatalogFilterForm, OfferFilterForm
from providers import listing
from providers.models import Currency, Provider

API_PAGE_SIZE = 200
router = Router(tags=["catalog"])
ERRORS = {400: schemas.ParameterErrors, 401: schemas.Error}


def _number(value) -> float | None:
    return None if value is None else float(value)


def _provider_choices() -> list[tuple[str, str]]:
    return list(Provider.objects.order_by("name").values_list("slug", "name"))


@router.get("/catalog/models", url_name="catalog_models", summary="Models and today's prices", response={200: schemas.CatalogPage, **ERRORS})
def catalog_models(request: HttpRequest, query: Query[schemas.CatalogQuery]) -> HttpResponse:
    """Models with the price in force today, converted to `currency`; 200 a page."""
    form = CatalogFilterForm(request.GET or None, providers=_provider_choices())
    if request.GET and not form.is_valid():
        return bad_request(form.errors)
    today = timezone.localdate()
    currency = str(form.value("currency") or Currency.USD)
    rates = listing.rates_on(today)
    models = listing.models_with_prices(
        day=today, currency=currency, rates=rates, sort=str(form.value("sort") or "provider"),
        provider=str(form.value("provider")), region=str(form.value("region")), tier=str(form.value("tier")),
        search=str(form.value("q")).strip(),
    )
    page = Paginator(models, API_PAGE_SIZE).get_page(form.value("page") or 1)
    items = []
    for model in page.object_list:
        price = listing.base_price(model)
        view = listing.price_view(price, rates, currency) if price else None
        items.append({
            "provider": model.provider.slug,
            "model_id": model.model_id,
            "display_name": model.display_name,
            "tier": model.tier,
            "token_ratio": float(model.token_ratio),
            "aliases": model.aliases,
            "context_window": model.context_window,
            "price": None if view is None else {
                "currency": price.currency,
                "input_per_mtok": float(price.input_per_mtok),
                "output_per_mtok": float(price.output_per_mtok),
                "cache_read_per_mtok": _number(price.cache_read_per_mtok),
                "effective_from": price.effective_from.isoformat(),
                "effective_to": price.effective_to.isoformat() if price.effective_to else None,
                "verification": price.verification,
                f"input_per_mtok_{currency.lower()}": _number(view.input_display),
                f"output_per_mtok_{currency.lower()}": _number(view.output_display),
            },
        })
    return json_response({
        "day": today.isoformat(),
        "currency": currency,
        "cny_per_usd": _number(rates.cny_per_usd),
        "rate_day": rates.rate_day.isoformat() if rates.rate_day else None,
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "models": items,
    })


@router.get("/offers", url_name="offers", summary="Free-token and credit offers", response={200: schemas.OfferList, **ERRORS})
def offers(request: HttpRequest, query: Query[schemas.OfferQuery]) -> HttpResponse:
    """Every offer; `provider` and `active_on` filter them."""
    form = OfferFilterForm(request.GET or None, providers=_provider_choices())
    if request.GET and not form.is_valid():
        return bad_request(form.errors)
    rows = listing.offers_with_models().order_by("starts_on", "provider__name", "name")
    if request.GET:
        if form.cleaned_data.get("provider"):
            rows = rows.filter(provider__slug=form.cleaned_data["provider"])
        if form.cleaned_data.get("active_on"):
            day = form.cleaned_data["active_on"]
            rows = rows.active_on(day)
    return json_response({"offers": [
        {
            "provider": o.provider.slug,
            "name": o.name,
            "free_tokens": o.free_tokens,
            "credit_amount": _number(o.credit_amount),
            "credit_currency": o.credit_currency or None,
            "token_kind": o.token_kind,
            "per_model": o.per_model,
            "eligible_models": [m.model_id for m in o.eligible_models.all()],
            "eligibility": o.eligibility,
            "starts_on": o.starts_on.isoformat(),
            "ends_on": o.ends_on.isoformat() if o.ends_on else None,
            "last_seen_on": o.last_seen_on.isoformat() if o.last_seen_on else None,
            "assumed_until": o.assumed_until.isoformat() if o.assumed_until else None,
            "valid_days_after_claim": o.valid_days_after_claim,
            "verification": o.verification,
            "source_url": o.source_url,
        }
        for o in rows
    ]})
