"""JSON API: a usage profile from typed-in monthly figures instead of an export.

POST /api/estimates/  JSON object or form body with the estimate form's fields
(see dashboard.forms.estimate) -> 201 with the same profile summary as POST /api/profiles/
(and its `delete_token`); its ``url`` opens the dashboard (with ``growth`` in the scenario).
Bad fields give 400 {"error": "Invalid parameters.", "errors": {field: message}}.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from dashboard.api import schemas
from dashboard.api.errors import bad_request, json_error, json_response
from dashboard.api.profiles import summary_of
from dashboard.estimate_service import dashboard_url, store_estimate
from dashboard.forms.estimate import EstimateForm
from dashboard.profile_access import issue_delete_token
from dashboard.rate_limits import rate_limited
from providers.catalog import get_catalog

router = Router(tags=["estimates"])

ESTIMATE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": schemas.EstimateIn.model_json_schema()},
        },
    }
}


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


@router.post(
    "/estimates/", url_name="estimates", openapi_extra=ESTIMATE_BODY, summary="A profile from monthly figures",
    response={201: schemas.ProfileCreated, 400: schemas.Error | schemas.ParameterErrors,
              401: schemas.Error, 429: schemas.Error},
)
@rate_limited("upload")
def estimates(request: HttpRequest) -> HttpResponse:
    """A profile from monthly token figures (the `/estimate/` form's fields)."""
    try:
        fields = _fields(request)
    except ValueError as err:
        return json_error(str(err), 400)
    form = EstimateForm(fields, catalog=get_catalog())
    if not form.is_valid():
        return bad_request(form.errors)
    profile = store_estimate(form)
    body = {
        **summary_of(request, profile),
        "url": request.build_absolute_uri(dashboard_url(profile, form)),
        "delete_token": issue_delete_token(profile),
    }
    return json_response(body, 201)
