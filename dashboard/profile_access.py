"""Who may delete a profile: the browser session that uploaded it, the holder of the delete
token the API's 201 answer returned (sent back as `X-Delete-Token`), or staff.

A profile's link (its id) is shared to show the dashboard, so knowing the id proves nothing.
Only a SHA-256 hash of the token is stored; the token itself is shown once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.http import HttpRequest

from dashboard.models import UsageProfile

DELETE_TOKEN_HEADER = "X-Delete-Token"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_delete_token(profile: UsageProfile) -> str:
    """A new delete token for `profile` (its hash stored); the caller shows it once."""
    token = secrets.token_urlsafe(32)
    profile.delete_token_hash = token_hash(token)
    UsageProfile.objects.filter(pk=profile.pk).update(delete_token_hash=profile.delete_token_hash)
    return token


def uploaded_in_this_session(request: HttpRequest, profile: UsageProfile) -> bool:
    key = request.session.session_key
    return bool(key) and key == profile.session_key


def holds_delete_token(request: HttpRequest, profile: UsageProfile) -> bool:
    token = request.headers.get(DELETE_TOKEN_HEADER, "").strip()
    if not token or not profile.delete_token_hash:
        return False
    return hmac.compare_digest(token_hash(token), profile.delete_token_hash)


def may_delete(request: HttpRequest, profile: UsageProfile) -> bool:
    user = getattr(request, "user", None)
    return (
        uploaded_in_this_session(request, profile)
        or holds_delete_token(request, profile)
        or bool(user and user.is_active and user.is_staff)
    )
