"""JSON API for usage profiles: stateless, CSRF-exempt, optionally bearer-token protected.

POST /api/profiles/        multipart field `file` -> 201 summary + `delete_token` (shown once);
                           a retry with the same Idempotency-Key header -> 200, the same profile;
                           a file past UPLOAD_BACKGROUND_BYTES with `Prefer: respond-async` ->
                           202 and a job to poll (GET /api/uploads/<id>/)
GET /api/profiles/<id>/    -> summary with per-model totals
DELETE /api/profiles/<id>/ -> 204 for the uploader only (dashboard.profile_access)
GET /api/profiles/<id>/projection?<scenario parameters>  (see dashboard.forms.scenario)
Every error is JSON (dashboard.api.errors).
"""


import hashlib
import uuid
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from ninja import Query, Router

from dashboard import profile_store, upload_jobs
from dashboard.api import schemas
from dashboard.api.errors import NOT_FOUND, bad_request, json_error, json_response
from dashboard.engine.scenario import ScenarioError
from dashboard.engine.usage import TooLarge, UsageFileError
from dashboard.forms import UploadForm
from dashboard.forms.scenario import ScenarioForm
from dashboard.models import UploadJob, UsageProfile
from dashboard.profile_access import DELETE_TOKEN_HEADER, issue_delete_token, may_delete
from dashboard.projection_service import compute
from dashboard.rate_limits import rate_limited
from dashboard.views.profiles import too_large_message
from providers.catalog import get_catalog

router = Router(tags=["profiles"])

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            }
        },
    }
}
ERRORS = {400: schemas.Error, 401: schemas.Error, 429: schemas.Error}
PREFER_ASYNC = "respond-async"
NO_JOB = "No upload job of yours has this id."


def summary_of(request: HttpRequest, profile: UsageProfile) -> dict[str, Any]:
    url = request.build_absolute_uri(profile.get_absolute_url())
    return profile_store.profile_summary(profile, url=url)


def created(request: HttpRequest, profile: UsageProfile, status: int = 201) -> HttpResponse:
    """The 201 answer of an upload or an estimate: the summary and the delete token."""
    body = {**summary_of(request, profile), "delete_token": issue_delete_token(profile)}
    return json_response(body, status)


IDEMPOTENCY_HEADER = "Idempotency-Key"


def idempotency_key(request: HttpRequest) -> str:
    """The client's Idempotency-Key, scoped to its credentials (another API token's client
    sending the same key gets its own upload); empty without the header."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        return ""
    return f"{credentials_scope(request)[:16]}:{key}"


def credentials_scope(request: HttpRequest) -> str:
    """A digest of the request's Authorization header (empty header: one shared scope)."""
    return hashlib.sha256(request.headers.get("Authorization", "").encode()).hexdigest()


def find_profile(pk: str) -> UsageProfile | None:
    try:
        key = uuid.UUID(pk)
    except ValueError:
        return None
    return UsageProfile.objects.filter(pk=key).first()


def _read_form(request: HttpRequest) -> UploadForm | HttpResponse:
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
        return json_error(" ".join(messages), 400)
    return form


@router.post(
    "/profiles/", url_name="profiles", openapi_extra=UPLOAD_BODY, summary="Upload a usage export",
    response={
        200: schemas.ProfileCreated, 201: schemas.ProfileCreated, 202: schemas.UploadJobStatus,
        413: schemas.Error,
        422: schemas.Error, **ERRORS,
    },
)
@rate_limited("upload")
def upload(request: HttpRequest) -> HttpResponse:
    """Upload a usage export (multipart field `file`): 201 with the profile's summary and a
    `delete_token` shown only here; a bad file is a 400 naming its line and column, 413 past
    MAX_UPLOAD_BYTES, MAX_UPLOAD_ROWS or MAX_SOURCE_MODELS. With an `Idempotency-Key` header
    (at most 100 characters) a retry answers 200 with the profile the first request stored
    (and a new delete token), never a duplicate; the same key with another file is a 422.
    With `Prefer: respond-async`, a file past UPLOAD_BACKGROUND_BYTES is read by the
    background worker instead: 202 with the job (`Location`: its status URL) to poll."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if len(key) > 100:
        return json_error(f"The {IDEMPOTENCY_HEADER} header is longer than 100 characters.", 400)
    form = _read_form(request)
    if isinstance(form, HttpResponse):
        return form
    uploaded = form.cleaned_data["file"]
    if wants_async(request) and upload_jobs.is_large(uploaded):
        return _start_in_background(request, uploaded)
    try:
        # The answer is built inside the transaction: a 201 means the profile is whole, and
        # any failure before it leaves nothing stored.
        with transaction.atomic():
            ingested = profile_store.ingest_upload_once(
                form.cleaned_data["file"], idempotency_key=idempotency_key(request)
            )
            if not ingested.created:
                response = created(request, ingested.profile, status=200)
                response["Idempotent-Replayed"] = "true"
                return response
            return created(request, ingested.profile)
    except profile_store.IdempotencyConflict as err:
        return json_error(str(err), 422)
    except UsageFileError as err:
        status = 413 if isinstance(err, TooLarge) else 400
        return json_error(str(err), status, row=err.row, column=err.column)


@router.get("/profiles/{pk}/", url_name="profile", summary="A profile's summary", response={200: schemas.ProfileSummary, 404: schemas.Error, **ERRORS})
def profile(request: HttpRequest, pk: str) -> HttpResponse:
    """A profile's summary with per-model totals."""
    found = find_profile(pk)
    if found is None:
        return json_error(NOT_FOUND, 404)
    return json_response(summary_of(request, found))


@router.delete(
    "/profiles/{pk}/", summary="Delete a profile (its uploader only)", response={204: None, 403: schemas.Error, 404: schemas.Error, **ERRORS},
)
def delete_profile(request: HttpRequest, pk: str) -> HttpResponse:
    """Delete a profile: only with the `X-Delete-Token` header its upload returned, from the
    browser session that uploaded it, or as staff (403 otherwise)."""
    found = find_profile(pk)
    if found is None:
        return json_error(NOT_FOUND, 404)
    if not may_delete(request, found):
        return json_error(
            f"Only the uploader may delete this profile: send the {DELETE_TOKEN_HEADER} header "
            "the upload's answer carried.",
            403,
        )
    found.delete()
    return HttpResponse(status=204)


@router.get(
    "/profiles/{pk}/projection", url_name="projection", summary="Cost projection and history",
    response={200: schemas.Projection, 400: schemas.ParameterErrors, 404: schemas.Error,
              401: schemas.Error, 429: schemas.Error},
)
@rate_limited("projection")
def projection(request: HttpRequest, pk: str, query: Query[schemas.ScenarioQuery]) -> HttpResponse:
    """The cost projection and the history re-pricing for the dashboard's scenario parameters
    (the page URL's query string works as is)."""
    found = find_profile(pk)
    if found is None:
        return json_error(NOT_FOUND, 404)
    catalog = get_catalog()
    report = profile_store.report_of(found)
    # The schema checked types and bounds; the form checks what needs the catalog.
    form = ScenarioForm(request.GET, catalog=catalog, source_models=list(report.models))
    try:
        scenario = form.to_scenario()
    except ScenarioError:
        return bad_request({k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()})
    outcome = compute(found, catalog, scenario, form.identifications())
    history = outcome.history.to_dict()
    history.pop("scenario", None)  # the top-level echo is the scenario; history ignores growth etc.
    history["list_vs_billed"] = [gap.to_dict() for gap in outcome.list_vs_billed]
    return json_response({"profile": str(found.pk), **outcome.projection.to_dict(), "history": history})


def wants_async(request: HttpRequest) -> bool:
    """The client asked for an asynchronous answer (RFC 7240 `Prefer: respond-async`)."""
    preferences = request.headers.get("Prefer", "").lower().replace(";", ",").split(",")
    return PREFER_ASYNC in (p.strip() for p in preferences)


def _job_owner(request: HttpRequest) -> str:
    """Who may read an API upload job: the same credentials (or none) that started it."""
    return "api:" + credentials_scope(request)[:32]


def _start_in_background(request: HttpRequest, uploaded: Any) -> HttpResponse:
    sha256 = profile_store.file_sha256(uploaded)
    job = upload_jobs.queue_unless_stored(
        uploaded, owner=_job_owner(request), key=idempotency_key(request) or None, sha256=sha256
    )
    if isinstance(job, UsageProfile):
        response = created(request, job, status=200)
        response["Idempotent-Replayed"] = "true"
        return response
    response = json_response(job_status(request, job), 202)
    response["Location"] = request.build_absolute_uri(_status_path(job))
    response["Preference-Applied"] = PREFER_ASYNC
    return response


def _status_path(job: UploadJob) -> str:
    return reverse("api:upload_job", args=[str(job.pk)])


def job_status(request: HttpRequest, job: UploadJob) -> dict[str, Any]:
    status: dict[str, Any] = {
        "id": str(job.pk),
        "state": job.state,
        "file_name": job.file_name,
        "size": job.size,
        "created_at": job.created_at.isoformat(),
        "status_url": request.build_absolute_uri(_status_path(job)),
        "profile": None,
        "error": None,
        "error_status": None,
    }
    if job.state == UploadJob.State.DONE and job.profile is not None:
        status["profile"] = {**summary_of(request, job.profile), "delete_token": issue_delete_token(job.profile)}
    elif job.state == UploadJob.State.FAILED:
        wording = job.error_wording or {}
        status["error"] = {"error": job.error, "row": wording.get("row"), "column": wording.get("column")}
        status["error_status"] = job.error_status
    return status


@router.get(
    "/uploads/{pk}/", url_name="upload_job", summary="A background upload's state",
    response={200: schemas.UploadJobStatus, 404: schemas.Error, **ERRORS},
)
def upload_job(request: HttpRequest, pk: str) -> HttpResponse:
    """The state of an upload started with `Prefer: respond-async`: queued, reading, done (with
    the profile and a delete token) or failed (with the reader's message). Only the
    credentials that started it can read it."""
    try:
        key = uuid.UUID(pk)
    except ValueError:
        return json_error(NO_JOB, 404)
    job = UploadJob.objects.filter(pk=key, session_key=_job_owner(request)).select_related("profile").first()
    if job is None:
        return json_error(NO_JOB, 404)
    return json_response(job_status(request, job))
