"""Bearer-token check for the JSON API (enabled when settings.API_TOKENS is non-empty)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


def bearer_token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_is_valid(token: str | None) -> bool:
    """Compare against every configured token without stopping early, in constant time."""
    if token is None:
        return False
    given = token.encode()
    matched = False
    for allowed in settings.API_TOKENS:
        matched |= hmac.compare_digest(given, allowed.encode())
    return matched


def api_token_required(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Reject API calls without a valid `Authorization: Bearer <token>` when tokens are set."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if settings.API_TOKENS and not token_is_valid(bearer_token(request)):
            response = JsonResponse(
                {
                    "error": "Authentication required: send 'Authorization: Bearer <token>'.",
                    "row": None,
                    "column": None,
                },
                status=401,
            )
            response["WWW-Authenticate"] = 'Bearer realm="tokenscope"'
            return response
        return view(request, *args, **kwargs)

    return wrapper
