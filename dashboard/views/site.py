"""Site-wide odds and ends that are not a page of their own."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=86_400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG icon
    (a temporary redirect: the static file's hashed name changes with each deploy)."""
    return HttpResponseRedirect(static("dashboard/favicon.svg"))
