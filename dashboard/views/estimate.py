"""The estimate page: a model and monthly tokens instead of an export, opening the same
dashboard as an upload. The home page carries the same form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_http_methods

from dashboard.engine.estimate import ESTIMATE_MONTHS, Estimate, _short
from dashboard.estimate_service import dashboard_url, store_estimate
from dashboard.forms.estimate import EstimateForm, ModelSuggestForm
from dashboard.views.profiles import ensure_session_key
from providers import listing
from providers.catalog import get_catalog


def describe(estimate: Estimate) -> str:
    """The estimate in a sentence, in the active language (English: `Estimate.describe()`)."""
    if not (get_language() or "").startswith("zh"):
        return estimate.describe()
    parts = [
        gettext("%(tokens)s input") % {"tokens": _short(estimate.input_tokens)},
        gettext("%(tokens)s output tokens a month") % {"tokens": _short(estimate.output_tokens)},
    ]
    if estimate.cache_read_pct:
        parts.insert(1, gettext("%(pct)s%% of the input from cache") % {"pct": f"{estimate.cache_read_pct:g}"})
    if estimate.batch_pct:
        parts.append(gettext("%(pct)s%% batch") % {"pct": f"{estimate.batch_pct:g}"})
    return f"{estimate.model_id}: " + gettext(", ").join(parts)


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
    messages.success(request, gettext("Estimate stored: %(what)s.") % {"what": describe(form.to_estimate())})
    return redirect(dashboard_url(profile, form))


@require_GET
def model_options(request: HttpRequest) -> HttpResponse:
    """The estimate's model suggestions for what has been typed so far (an htmx fragment)."""
    form = ModelSuggestForm(request.GET)
    text = form.cleaned_data["model"] if form.is_valid() else ""
    # A full suggestion ("provider/model-id") is searched by its id part.
    models = listing.suggest_models(text.rpartition("/")[2] if "/" in text else text)
    return render(request, "dashboard/_estimate_models.html", {"suggested_models": models})
