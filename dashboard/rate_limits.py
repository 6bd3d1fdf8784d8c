"""Per-client rate limits on the shared cache: uploads and the projection API.

A fixed window per client and group: `settings.RATE_LIMITS` maps a group to "N/unit" (unit
s, m, h or d, e.g. "60/h"); an empty value turns the group's limit off. A client is its IP
address (`client_ip`: `settings.CLIENT_IP_HEADER` when a proxy in front sets one). Over the
limit: 429 with `Retry-After` (JSON under /api/). When the cache is unreachable the limit does
not apply (fail open): the cache degrades, the site keeps answering.

django-ratelimit is not used: its last release predates Django 6 and its system check
refuses the in-process cache that development and the tests run on.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, pgettext_lazy

from dashboard.api.errors import json_error

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
UNIT_WORDS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}
GROUP_WORDS = {"upload": "uploads", "projection": "projections"}
PAGE_UNIT_WORDS = {
    "s": pgettext_lazy("rate limit", "second"), "m": pgettext_lazy("rate limit", "minute"),
    "h": pgettext_lazy("rate limit", "hour"), "d": pgettext_lazy("rate limit", "day"),
}
PAGE_GROUP_WORDS = {
    "upload": pgettext_lazy("rate limit", "uploads"), "projection": pgettext_lazy("rate limit", "projections"),
    "requests": pgettext_lazy("rate limit", "requests"),
}


@dataclass(frozen=True)
class Rate:
    count: int
    unit: str

    @property
    def seconds(self) -> int:
        return UNITS[self.unit]

    def __str__(self) -> str:
        return f"{self.count} per {UNIT_WORDS[self.unit]}"


def parse_rate(text: str) -> Rate | None:
    """ "60/h" -> Rate(60, "h"); "" -> None (no limit)."""
    text = text.strip()
    if not text:
        return None
    count, _, unit = text.partition("/")
    if not count.strip().isdigit() or unit.strip() not in UNITS:
        raise ImproperlyConfigured(f"A rate limit is 'N/s', 'N/m', 'N/h' or 'N/d', not {text!r}.")
    return Rate(int(count), unit.strip())


def client_ip(request: HttpRequest) -> str:
    header = settings.CLIENT_IP_HEADER
    if header:
        # X-Forwarded-For: the proxy in front appends the address it saw last.
        forwarded = request.headers.get(header, "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


def _count(key: str, seconds: int) -> int:
    cache.add(key, 0, seconds + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired in between, or the cache is unreachable
        cache.set(key, 1, seconds + 1)
        return 1


def retry_after(group: str, client: str, rate: Rate, now: float | None = None) -> int | None:
    """Count one request; the seconds to wait when it is over the limit, else None."""
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    digest = hashlib.sha256(client.encode()).hexdigest()[:24]
    count = _count(f"ratelimit:{group}:{digest}:{window}", rate.seconds)
    if count <= rate.count:
        return None
    return max(1, math.ceil((window + 1) * rate.seconds - now))


def too_many(request: HttpRequest, group: str, rate: Rate, wait: int) -> HttpResponse:
    message = (
        f"Too many requests: at most {rate.count} {GROUP_WORDS.get(group, 'requests')} per "
        f"{UNIT_WORDS[rate.unit]} from one client; retry in {wait} s."
    )
    if request.path.startswith("/api/"):
        response = json_error(message, 429)
    else:
        # A page's visitor reads it in the page's language (the API stays English).
        message = gettext(
            "Too many requests: at most %(count)s %(what)s per %(unit)s from one client; retry in %(wait)s s."
        ) % {
            "count": rate.count,
            "what": str(PAGE_GROUP_WORDS.get(group, PAGE_GROUP_WORDS["requests"])),
            "unit": str(PAGE_UNIT_WORDS[rate.unit]),
            "wait": wait,
        }
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(wait)
    return response


def rate_limited(group: str, methods: tuple[str, ...] = ("GET", "POST")) -> Callable:
    """Count the `methods` requests of a view against the group's rate limit."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            rate = parse_rate(settings.RATE_LIMITS.get(group, ""))
            if rate is not None and request.method in methods:
                wait = retry_after(group, client_ip(request), rate)
                if wait is not None:
                    return too_many(request, group, rate, wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
