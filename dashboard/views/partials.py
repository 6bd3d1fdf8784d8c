"""One URL serves a whole page and, to htmx, the fragment that page swaps in place.

htmx pushes the URL of each swap into the browser history. When the user goes Back or
Forward to such a URL and htmx holds no snapshot of it (we keep none: `historyCacheSize` 0),
it asks the server again with `HX-History-Restore-Request: true` and puts the answer in place
of the whole <body>; that request must get the whole page, or Back shows a bare fragment.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

# A shared cache must not hand a fragment to a full-page request or the other way round.
HTMX_VARY = ("HX-Request", "HX-History-Restore-Request")


def swaps_fragment(request: HttpRequest) -> bool:
    """True for an htmx request that replaces part of the page (not a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str,
    status: int = 200,
) -> HttpResponse:
    """The page, or only its ``partial`` (``{% partialdef %}`` named after the swapped DOM id)."""
    name = f"{template}#{partial}" if swaps_fragment(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, HTMX_VARY)
    return response
