"""JSON API: a usage profile from typed-in monthly figures instead of an export.

POST /api/estimates/  JSON object or form body with the estimate form's fields
(see dashboard.forms.estimate) -> 201 with the same profile summary as POST /api/profiles/;
its ``url`` opens the dashboard (with ``growth`` in the scenario when given).
Bad fields give 400 {"error": "Invalid parameters.", "errors": {field: message}}.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from dashboard import profile_store
from dashboard.api.auth import api_token_required
from dashboard.api.errors import bad_request, json_error, method_not_allowed
from dashboard.estimate_service import dashboard_url, store_estimate
from dashboard.forms.estimate import EstimateForm
from providers.catalog import get_catalog


def _fields(request: HttpRequest) -> Any:
    """The posted fields: a JSON object, or an ordinary form body."""
    if request.content_type != "application/json":
        return request.POST
    try:
        data = json.loads(request.body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"The body is not valid JSON: {err}.") from None
    if not isinstance(data, dict):
        raise ValueError("The body must be a JSON object of the estimate's fields.")
    return data


@csrf_exempt
@api_token_required
def estimates(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return method_not_allowed(["POST"])
    try:
        fields = _fields(request)
    except ValueError as err:
        return json_error(str(err), 400)
    form = EstimateForm(fields, catalog=get_catalog())
    if not form.is_valid():
        return bad_request(form.errors)
    profile = store_estimate(form)
    url = request.build_absolute_uri(dashboard_url(profile, form))
    return JsonResponse(profile_store.profile_summary(profile, url=url), status=201)
