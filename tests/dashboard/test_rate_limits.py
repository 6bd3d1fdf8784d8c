"""Per-client rate limits on uploads and the projection API: 429 with Retry-After (JSON
under /api/), counted per client address on the shared cache."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.models import UsageProfile
from dashboard.rate_limits import Rate, parse_rate, retry_after
from tests.dashboard.conftest import SMALL_GENERIC_CSV, csv_file
from tests.dashboard.test_projection_views import catalog, profile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_window(time_machine) -> None:
    """The requests of a test fall in one fixed window: 10 s into an hour (and a minute) with
    the clock stopped, so a window boundary never passes between them."""
    time_machine.move_to(dt.datetime(2026, 11, 30, 12, 0, 10, tzinfo=dt.UTC), tick=False)


def test_rates_are_read_from_settings_text() -> None:
    assert parse_rate("60/h") == Rate(60, "h")
    assert parse_rate(" 5 / m ") == Rate(5, "m")
    assert parse_rate("") is None
    assert str(Rate(60, "h")) == "60 per hour"


def test_the_wait_runs_to_the_end_of_the_window() -> None:
    rate = Rate(2, "m")
    now = 6_000_000 + 45.5  # 45.5 s into a minute window
    assert retry_after("t", "1.2.3.4", rate, now) is None
    assert retry_after("t", "1.2.3.4", rate, now) is None
    assert retry_after("t", "1.2.3.4", rate, now) == 15  # ceil(60 - 45.5)
    assert retry_after("t", "5.6.7.8", rate, now) is None  # another client has its own count
    assert retry_after("t", "1.2.3.4", rate, now + 15) is None  # a new window


def test_api_uploads_over_the_limit_get_a_json_429(settings) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": "2/h"}
    client = Client()

    statuses = [
        client.post("/api/profiles/", {"file": csv_file(SMALL_GENERIC_CSV)}).status_code for _ in range(3)
    ]
    other = Client(REMOTE_ADDR="10.0.0.9").post("/api/profiles/", {"file": csv_file(SMALL_GENERIC_CSV)})
    refused = client.post("/api/profiles/", {"file": csv_file(SMALL_GENERIC_CSV)})

    assert statuses == [201, 201, 429]
    assert other.status_code == 201
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert refused.json()["error"].startswith("Too many requests: at most 2 uploads per hour from one client; retry in")
    assert UsageProfile.objects.count() == 3


def test_web_uploads_count_against_the_same_limit_but_the_page_does_not(settings) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": "1/h"}
    client = Client()

    assert client.get(reverse("profiles:upload")).status_code == 200
    assert client.get(reverse("profiles:upload")).status_code == 200
    first = client.post(reverse("profiles:upload"), {"file": csv_file(SMALL_GENERIC_CSV)})
    second = client.post(reverse("profiles:upload"), {"file": csv_file(SMALL_GENERIC_CSV)})

    assert first.status_code == 302
    assert second.status_code == 429 and "Retry-After" in second
    assert UsageProfile.objects.count() == 1


def test_the_projection_api_is_limited_per_client(settings) -> None:
    catalog()
    p = profile()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "projection": "2/m"}
    url = reverse("api:projection", args=[p.pk])

    statuses = [Client().get(url).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_behind_a_proxy_the_client_is_the_forwarded_address(settings) -> None:
    catalog()
    p = profile()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "projection": "1/m"}
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    url = reverse("api:projection", args=[p.pk])

    first = Client().get(url, headers={"X-Forwarded-For": "203.0.113.7"})
    second = Client().get(url, headers={"X-Forwarded-For": "203.0.113.8"})
    again = Client().get(url, headers={"X-Forwarded-For": "spoofed, 203.0.113.7"})

    assert (first.status_code, second.status_code, again.status_code) == (200, 200, 429)
