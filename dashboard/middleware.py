"""Site-wide HTTP behaviour the views do not repeat.

`head_as_get`: HEAD is answered wherever GET is (health checks), with GET's headers and no
body; a view that refuses GET refuses HEAD too.
`api_json_errors`: every error under /api/ has a JSON body, also those Django or a
middleware answers before the API's own handlers run (unknown URL, 405, 413, a crash).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from dashboard.api.errors import generic_message, json_error, method_not_allowed


def head_as_get(get_response: Callable[[HttpRequest], HttpResponseBase]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponseBase:
        if request.method != "HEAD":
            return get_response(request)
        request.method = "GET"
        response = get_response(request)
        if response.streaming:
            response.streaming_content = []
        else:
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response

    return middleware


def _is_json(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def api_json_errors(get_response: Callable[[HttpRequest], HttpResponseBase]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        if response.status_code < 400 or not request.path.startswith("/api/") or _is_json(response):
            return response
        if response.status_code == 405:
            answer = method_not_allowed([m.strip() for m in response.get("Allow", "").split(",") if m.strip()])
        else:
            answer = json_error(generic_message(response.status_code), response.status_code)
        for header in ("Retry-After", "WWW-Authenticate"):
            if header in response:
                answer[header] = response[header]
        return answer

    return middleware


