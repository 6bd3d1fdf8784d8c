"""Bearer-token check for the JSON API (enabled when settings.API_TOKENS is non-empty)."""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

OPEN = "open"  # what a request is authenticated as when no token is configured


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


class ApiToken(HttpBearer):
    """`Authorization: Bearer <token>` when settings.API_TOKENS is set; open otherwise.
    A refusal is a 401 JSON error with `WWW-Authenticate` (dashboard.api.errors)."""

    def __call__(self, request: HttpRequest) -> Any:
        if not settings.API_TOKENS:
            return OPEN
        token = bearer_token(request)
        return token if token_is_valid(token) else None

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover - unused
        return token if token_is_valid(token) else None
