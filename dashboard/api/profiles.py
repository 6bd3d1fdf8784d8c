"""JSON API for usage profiles: stateless, CSRF-exempt, optionally bearer-token protected.

POST /api/profiles/        multipart field `file` -> 201 summary
GET /api/profiles/<id>/    -> summary with per-model totals
DELETE /api/profiles/<id>/ -> 204
GET /api/profiles/<id>/projection?<scenario parameters>  (see dashboard.forms.scenario)
Every error is JSON: {"error": "...", "row": ..., "column": ...}.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from dashboard import profile_store
from dashboard.api.auth import api_token_required
from dashboard.api.errors import bad_request, json_error, method_not_allowed
from dashboard.engine.scenario import ScenarioError
from dashboard.engine.usage import TooManyRows, UsageFileError
from dashboard.forms import UploadForm
from dashboard.forms.scenario import ScenarioForm
from dashboard.models import UsageProfile
from dashboard.projection_service import compute
from dashboard.views.profiles import too_large_message
from providers.catalog import get_catalog


def summary_of(request: HttpRequest, profile: UsageProfile) -> dict[str, Any]:
    url = request.build_absolute_uri(profile.get_absolute_url())
    return profile_store.profile_summary(profile, url=url)


@csrf_exempt
@api_token_required
def profiles(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return method_not_allowed(["POST"])
    try:
        form = UploadForm(request.POST, request.FILES)
    except RequestDataTooBig:
        return json_error("The form fields are too large; send only the file.", 413)
    except (MultiPartParserError, SuspiciousOperation) as err:
        return json_error(f"The multipart body could not be parsed: {err}", 400)
    # The size-limit handler flags the request while the body streams in.
    if getattr(request, "upload_too_large", False):
        return json_error(too_large_message(), 413)
    if not form.is_valid():
        messages = [str(message) for errors in form.errors.values() for message in errors]
        return json_error(" ".join(messages), 400, column=None)
    try:
        profile = profile_store.ingest_upload(form.cleaned_data["file"])
    except UsageFileError as err:
        status = 413 if isinstance(err, TooManyRows) else 400
        return json_error(str(err), status, row=err.row, column=err.column)
    return JsonResponse(summary_of(request, profile), status=201)


@csrf_exempt
@api_token_required
def profile(request: HttpRequest, pk: object) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "DELETE"):
        return method_not_allowed(["GET", "DELETE"])
    found = UsageProfile.objects.filter(pk=pk).first()
    if found is None:
        return json_error("No profile has this id.", 404)
    if request.method == "DELETE":
        found.delete()
        return HttpResponse(status=204)
    return JsonResponse(summary_of(request, found))


@csrf_exempt
@require_GET
@api_token_required
def projection(request: HttpRequest, pk: object) -> HttpResponse:
    profile = get_object_or_404(UsageProfile, pk=pk)
    catalog = get_catalog()
    report = profile_store.report_of(profile)
    # Missing parameters take the engine's defaults (the form knows them): nothing to add here.
    form = ScenarioForm(request.GET, catalog=catalog, source_models=list(report.models))
    try:
        scenario = form.to_scenario()
    except ScenarioError:
        return bad_request({k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()})
    outcome = compute(profile, catalog, scenario, form.identifications())
    history = outcome.history.to_dict()
    history.pop("scenario", None)  # the top-level echo is the scenario; history ignores growth etc.
    history["list_vs_billed"] = [gap.to_dict() for gap in outcome.list_vs_billed]
    body = {"profile": str(profile.pk), **outcome.projection.to_dict(), "history": history}
    return JsonResponse(body, json_dumps_params={"allow_nan": False})
