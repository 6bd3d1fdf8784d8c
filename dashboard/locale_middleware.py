"""The user's language for the pages; English, always, for the JSON API.

Pages follow Django's `LocaleMiddleware` (the language cookie set by the switcher, else the
browser's Accept-Language: zh-CN -> zh-hans). The API under /api/ is for scripts: its messages
and field errors stay in English whatever the client's Accept-Language (machine-readable codes
such as `reason_code` are there for clients that word things themselves).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

API_PREFIX = "/api/"


class SiteLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith(API_PREFIX):
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
            return
        super().process_request(request)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            return response
        # The language cookie chooses the language as much as Accept-Language does.
        patch_vary_headers(response, ("Cookie",))
        return super().process_response(request, response)
