"""An unreachable Redis means no cache, never an error: a closed port, and a silent socket that
accepts connections but never answers. Logged once; every page still answers 200."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from tests.dashboard.test_projection_views import SWITCH, catalog, profile, scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there any more
    return port


@pytest.fixture
def silent_port() -> Iterator[int]:
    # Listening but never accepting: the kernel completes the connection, no byte ever comes.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    yield server.getsockname()[1]
    server.close()


def redis_at(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "dashboard.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.mark.parametrize("port_fixture", ["closed_port", "silent_port"])
def test_pages_api_and_csv_answer_without_redis(client: Client, caplog, request, port_fixture) -> None:
    catalog()
    p = profile()
    port = request.getfixturevalue(port_fixture)

    with override_settings(CACHES=redis_at(port)), caplog.at_level(logging.WARNING, logger="dashboard.cache"):
        pages = [
            client.get(reverse("profiles:dashboard", args=[p.pk]), scenario()),
            client.get(reverse("api:projection", args=[p.pk]), {"switch": SWITCH, "horizon": "1"}),
            client.get(reverse("profiles:results_csv", args=[p.pk]), scenario()),
            client.get(reverse("api:projection", args=[p.pk]), {"switch": SWITCH, "horizon": "2"}),
        ]
        assert cache.get("anything", "missed") == "missed"

    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    deepseek = next(s for s in pages[1].json()["summary"] if s["candidate"] == "deepseek")
    assert deepseek["total_display"] == pytest.approx(21.4667, abs=1e-3)  # computed all the same
    warnings = [r.getMessage() for r in caplog.records if r.name == "dashboard.cache"]
    assert len(warnings) == 1 and warnings[0].startswith("Redis cache unreachable")


def test_rate_limits_do_not_apply_while_the_cache_is_down(client: Client, closed_port, settings) -> None:
    catalog()
    p = profile()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "projection": "1/m"}

    with override_settings(CACHES=redis_at(closed_port)):
        statuses = [client.get(reverse("api:projection", args=[p.pk])).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
