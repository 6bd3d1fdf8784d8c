"""Pages for uploading usage exports and viewing the stored profiles."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from dashboard import profile_store
from dashboard.engine.usage import FORMATS, TooLarge, UsageFileError
from dashboard.forms import UploadForm
from dashboard.models import UsageProfile
from dashboard.views.partials import render_page


def too_large_message() -> str:
    return (
        f"The file is larger than the {filesizeformat(settings.MAX_UPLOAD_BYTES)} limit. "
        "Export a shorter date range or group the export by day."
    )


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
            try:
                ingested = profile_store.ingest_upload_once(
                    uploaded, session_key=ensure_session_key(request)
                )
            except TooLarge as err:  # too many rows or distinct model ids
                upload_error, status = str(err), 413
            except UsageFileError as err:
                upload_error, status = str(err), 400
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


def _uploaded(request: HttpRequest, ingested: profile_store.Ingested) -> HttpResponse:
    profile = ingested.profile
    if ingested.created:
        messages.success(request, f"Read {profile.rows_read:,} rows of {profile.format_label}.")
    else:
        messages.info(request, "You uploaded this same file a moment ago: here is that profile.")
    return redirect_to_profile(request, profile)


@require_POST
def upload_sample(request: HttpRequest) -> HttpResponse:
    profile = profile_store.ingest_sample(session_key=ensure_session_key(request))
    messages.success(request, "Loaded the 12-month OpenAI sample. Upload your own export any time.")
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
        raise Http404("No profile of yours has this id.")
    profile = get_object_or_404(UsageProfile, pk=pk, session_key=key)
    name = profile.file_name
    profile.delete()
    messages.success(request, f"Deleted the profile of {name} and all its usage rows.")
    return redirect("profiles:list")
