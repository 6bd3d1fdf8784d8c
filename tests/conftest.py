"""Fixtures shared by every test package (keep this file generic).

The clock: with ``TOKENSCOPE_TEST_TODAY=YYYY-MM-DD`` in the environment the whole session runs
with the clock moved to that day (``time-machine``; it keeps ticking from midnight UTC), in
every thread, the live server's included. CI runs the suite once more at 2030-06-01 so that a
test or a piece of code that silently assumes the real date fails there. Tests that read dated
data pin their own "today" instead of reading the clock.
"""

import datetime as dt
import os

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from providers.catalog import clear_catalog_cache
from providers.seed import SeedSummary, load_seed

TODAY_VARIABLE = "TOKENSCOPE_TEST_TODAY"
_traveller: time_machine.travel | None = None


def test_today() -> dt.date | None:
    """The day ``TOKENSCOPE_TEST_TODAY`` moves the clock to, or None (the real clock)."""
    value = os.environ.get(TODAY_VARIABLE, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"{TODAY_VARIABLE}={value!r} is not a date (YYYY-MM-DD)") from None


test_today.__test__ = False  # a helper, not a test


def pytest_configure(config: pytest.Config) -> None:
    global _traveller
    day = test_today()
    if day is not None:
        _traveller = time_machine.travel(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC))
        _traveller.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


def pytest_report_header(config: pytest.Config) -> str | None:
    day = test_today()
    return f"clock moved to {day.isoformat()} ({TODAY_VARIABLE})" if day else None


PINNED_TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def today(time_machine) -> dt.date:
    """For a test that reads dated data: the clock at PINNED_TODAY (noon UTC, ticking), in
    every thread, whatever ``TOKENSCOPE_TEST_TODAY`` says; returns that day."""
    time_machine.move_to(dt.datetime.combine(PINNED_TODAY, dt.time(12), tzinfo=dt.UTC))
    return PINNED_TODAY


@pytest.fixture(autouse=True)
def fresh_catalog_snapshot():
    """Every test starts and ends with an empty catalog snapshot cache: the cache is keyed by
    a version number that restarts in every test database transaction, so a snapshot built
    in another test could otherwise be reused."""
    clear_catalog_cache()
    yield
    clear_catalog_cache()


@pytest.fixture
def seeded(db: None) -> SeedSummary:
    """The whole seed catalog (fixtures/catalog) loaded into the test database."""
    return load_seed()


@pytest.fixture
def staff_user(db: None):
    return get_user_model().objects.create_superuser("staff", "staff@example.com", "pw-staff-1")


@pytest.fixture
def staff_client(staff_user) -> Client:
    """A test client logged in as a staff superuser (the admin back office)."""
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: no projection or rate-limit count of another test
    (and no profile frame, summary or projection kept by this process)."""
    from django.core.cache import cache

    from dashboard import process_memo

    cache.clear()
    process_memo.clear_all()


@pytest.fixture(autouse=True)
def immediate_tasks(settings, tmp_path) -> None:
    """Background tasks run synchronously in tests (the worker path has its own test), and a
    large upload waits in the test's temporary folder, never in the repository."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.UPLOAD_SPOOL_DIR = tmp_path / "upload-spool"
