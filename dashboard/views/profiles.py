"""Pages for uploading usage exports and viewing the stored profiles."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from dashboard import profile_store, upload_jobs
from dashboard.engine.usage import FORMATS, TooLarge, UsageFileError
from dashboard.error_wording import job_error, word_file_error
from dashboard.format_wording import word_format
from dashboard.forms import UploadForm
from dashboard.models import UploadJob, UsageProfile
from dashboard.views.partials import render_page


def read_message(profile: UsageProfile) -> str:
    return _("Read %(rows)s rows of %(format)s.") % {
        "rows": f"{profile.rows_read:,}",
        "format": word_format(profile.format_label),
    }


def too_large_message() -> str:
    return _(
        "The file is larger than the %(limit)s limit. "
        "Export a shorter date range or group the export by day."
    ) % {"limit": filesizeformat(settings.MAX_UPLOAD_BYTES)}


def ensure_session_key(request: HttpRequest) -> str:
    """Profiles belong to a browser session, so make sure one exists before storing."""
    # Writing loads the session first, which replaces an expired one with a fresh key, and
    # marks it modified so the middleware sends the cookie.
    request.session["has_profiles"] = True
    if request.session.session_key is None:
        request.session.save()
    return request.session.session_key or ""


def own_session_key(request: HttpRequest) -> str | None:
    return request.session.session_key


def redirect_to_profile(request: HttpRequest, profile: UsageProfile) -> HttpResponse:
    url = profile.get_absolute_url()
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm()
    upload_error = ""
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        # The size-limit handler flags the request while the body streams in.
        if getattr(request, "upload_too_large", False):
            form = UploadForm()
            upload_error, status = too_large_message(), 413
        elif not form.is_valid():
            status = 400
        else:
            uploaded = form.cleaned_data["file"]
            if upload_jobs.is_large(uploaded):
                return _start_in_background(request, uploaded)
            try:
                ingested = profile_store.ingest_upload_once(
                    uploaded, session_key=ensure_session_key(request)
                )
            except TooLarge as err:  # too many rows or distinct model ids
                upload_error, status = word_file_error(err), 413
            except UsageFileError as err:
                upload_error, status = word_file_error(err), 400
            else:
                return _uploaded(request, ingested)
    context = {
        "nav": "upload",
        "form": form,
        "upload_error": upload_error,
        "formats": FORMATS,
        "max_upload_bytes": settings.MAX_UPLOAD_BYTES,
        "retention_days": settings.PROFILE_RETENTION_DAYS,
    }
    return render_page(request, "dashboard/upload.html", context, partial="upload-form", status=status)


def _start_in_background(request: HttpRequest, uploaded: UploadedFile) -> HttpResponse:
    """A file past UPLOAD_BACKGROUND_BYTES: queue it and follow it on its status page."""
    session_key = ensure_session_key(request)
    sha256 = profile_store.file_sha256(uploaded)
    key = profile_store.dedupe_key(session_key=session_key, sha256=sha256)
    job = upload_jobs.queue_unless_stored(uploaded, owner=session_key, key=key, sha256=sha256)
    if isinstance(job, UsageProfile):
        return _uploaded(request, profile_store.Ingested(job, created=False))
    url = reverse("profiles:upload_status", args=[job.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_http_methods(["GET", "HEAD"])
def upload_status(request: HttpRequest, pk: object) -> HttpResponse:
    """A background upload's progress (htmx polls the fragment), then its dashboard."""
    key = own_session_key(request)
    if not key:
        raise Http404("No upload of yours has this id.")
    job = get_object_or_404(UploadJob, pk=pk, session_key=key)
    if job.state == UploadJob.State.DONE and job.profile is not None:
        messages.success(request, read_message(job.profile))
        return redirect_to_profile(request, job.profile)
    # A failed job answers the full page with the reader's status; htmx swaps only 2xx.
    failed = job.state == UploadJob.State.FAILED
    status = (job.error_status or 400) if failed and not request.htmx else 200
    return render_page(
        request, "dashboard/upload_status.html",
        {"nav": "upload", "job": job, "job_error": job_error(job) if failed else ""},
        partial="upload-status", status=status,
    )


def _uploaded(request: HttpRequest, ingested: profile_store.Ingested) -> HttpResponse:
    profile = ingested.profile
    if ingested.created:
        messages.success(request, read_message(profile))
    else:
        messages.info(request, "You uploaded this same file a moment ago: here is that profile.")
    return redirect_to_profile(request, profile)


@require_POST
def upload_sample(request: HttpRequest) -> HttpResponse:
    profile = profile_store.ingest_sample(session_key=ensure_session_key(request))
    messages.success(request, _("Loaded the 12-month OpenAI sample. Upload your own export any time."))
    return redirect_to_profile(request, profile)


def profile_list(request: HttpRequest) -> HttpResponse:
    key = own_session_key(request)
    profiles = (
        UsageProfile.objects.filter(session_key=key).defer("report")
        if key
        else UsageProfile.objects.none()
    )
    context = {
        "nav": "profiles",
        "profiles": profiles,
        "retention_days": settings.PROFILE_RETENTION_DAYS,
    }
    return render(request, "dashboard/profile_list.html", context)


@require_POST
def profile_delete(request: HttpRequest, pk: object) -> HttpResponse:
    key = own_session_key(request)
    if not key:
        raise Http404(_("No profile of yours has this id."))
    profile = get_object_or_404(UsageProfile, pk=pk, session_key=key)
    name = profile.file_name
    profile.delete()
    messages.success(request, _("Deleted the profile of %(name)s and all its usage rows.") % {"name": name})
    return redirect("profiles:list")
