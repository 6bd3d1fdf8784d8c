"""Fixtures shared by every test package (keep this file generic)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from providers.seed import SeedSummary, load_seed


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
    """Each test starts with an empty cache: no projection or rate-limit count of another test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def immediate_tasks(settings, tmp_path) -> None:
    """Background tasks run synchronously in tests (the worker path has its own test), and a
    large upload waits in the test's temporary folder, never in the repository."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.UPLOAD_SPOOL_DIR = tmp_path / "upload-spool"
