"""The estimate page: a model and monthly tokens instead of an export, opening the same
dashboard as an upload. The home page carries the same form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from dashboard.engine.estimate import ESTIMATE_MONTHS
from dashboard.estimate_service import dashboard_url, store_estimate
from dashboard.forms.estimate import EstimateForm, ModelSuggestForm
from dashboard.views.profiles import ensure_session_key
from providers import listing
from providers.catalog import get_catalog


def estimate_context(form: EstimateForm) -> dict[str, object]:
    """What the estimate form needs to render (also on the home page)."""
    return {
        "estimate_form": form,
        "estimate_months": ESTIMATE_MONTHS,
        "suggested_models": listing.suggest_models(form["model"].value() or ""),
    }


@require_http_methods(["GET", "POST"])
def estimate(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "dashboard/estimate.html", {"nav": "estimate", **estimate_context(EstimateForm())})
    form = EstimateForm(request.POST, catalog=get_catalog())
    if not form.is_valid():
        context = {"nav": "estimate", **estimate_context(form)}
        return render(request, "dashboard/estimate.html", context, status=400)
    profile = store_estimate(form, session_key=ensure_session_key(request))
    messages.success(request, f"Estimate stored: {form.to_estimate().describe()}.")
    return redirect(dashboard_url(profile, form))


@require_GET
def model_options(request: HttpRequest) -> HttpResponse:
    """The estimate's model suggestions for what has been typed so far (an htmx fragment)."""
    form = ModelSuggestForm(request.GET)
    text = form.cleaned_data["model"] if form.is_valid() else ""
    # A full suggestion ("provider/model-id") is searched by its id part.
    models = listing.suggest_models(text.rpartition("/")[2] if "/" in text else text)
    return render(request, "dashboard/_estimate_models.html", {"suggested_models": models})
