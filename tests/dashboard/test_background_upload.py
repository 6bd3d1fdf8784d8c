"""Uploads past UPLOAD_BACKGROUND_BYTES are read by a background task: the page follows the
job (htmx polls its status fragment) and opens the dashboard when the profile is ready; a bad
file shows the reader's message with line and column and stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from dashboard.models import UploadJob, UsageDay, UsageProfile
from tests.dashboard.conftest import GENERIC_HEADER, SMALL_GENERIC_CSV, csv_file

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def upload(client: Client, content: str | bytes, **extra):
    return client.post(reverse("profiles:upload"), {"file": csv_file(content)}, **extra)


def test_large_upload_goes_to_its_status_page_then_the_dashboard(
    client: Client, background: Path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, SMALL_GENERIC_CSV)

    job = UploadJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/upload/{job.pk}/"
    # the immediate backend ran the task: the job is done and its file removed
    assert job.state == "done"
    assert list(background.iterdir()) == []
    profile = UsageProfile.objects.get()
    assert job.profile == profile
    assert UsageDay.objects.filter(profile=profile).count() == 3

    status = client.get(response["Location"])
    assert status.status_code == 302
    assert status["Location"] == f"/profiles/{profile.pk}/"
    polled = client.get(response["Location"], **HTMX)
    assert polled["HX-Redirect"] == f"/profiles/{profile.pk}/"


def test_small_upload_stays_synchronous(client: Client, settings) -> None:
    settings.UPLOAD_BACKGROUND_BYTES = 10_000

    response = upload(client, SMALL_GENERIC_CSV)

    assert response["Location"] == f"/profiles/{UsageProfile.objects.get().pk}/"
    assert UploadJob.objects.count() == 0


def test_queued_job_page_polls_its_status_fragment(client: Client, background: Path) -> None:
    # Without running the on-commit enqueue, the job waits for a worker.
    response = upload(client, SMALL_GENERIC_CSV)
    job = UploadJob.objects.get()
    assert job.state == "queued"
    assert Path(job.spool_path).read_text() == SMALL_GENERIC_CSV

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert f'hx-get="/upload/{job.pk}/" hx-trigger="every 1s"' in html
    assert "Waiting for a worker" in html
    fragment = client.get(response["Location"], **HTMX).content.decode()
    assert fragment.lstrip().startswith('<div id="upload-status"')
    assert "<html" not in fragment


def test_bad_large_file_shows_line_and_column_on_the_status_page_and_stores_nothing(
    client: Client, background: Path, django_capture_on_commit_callbacks
) -> None:
    content = GENERIC_HEADER + "2026-10-01,gpt-4o,1,1\n" * 5 + "2026-10-02,gpt-4o,1,-5\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, content)

    page = client.get(response["Location"])
    assert page.status_code == 400
    html = page.content.decode()
    assert "usage.csv, line 7, column &#x27;output_tokens&#x27;: -5 is negative" in html
    assert "hx-trigger" not in html  # polling stops
    fragment = client.get(response["Location"], **HTMX)
    assert fragment.status_code == 200  # htmx swaps only 2xx answers
    assert "line 7" in fragment.content.decode()
    assert UsageProfile.objects.count() == 0
    assert UsageDay.objects.count() == 0
    assert list(background.iterdir()) == []


def test_another_session_cannot_follow_the_job(client: Client, background: Path) -> None:
    response = upload(client, SMALL_GENERIC_CSV)
    assert Client().get(response["Location"]).status_code == 404


def test_the_same_large_file_again_returns_the_stored_profile(
    client: Client, background: Path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, SMALL_GENERIC_CSV)
    with django_capture_on_commit_callbacks(execute=True):
        again = upload(client, SMALL_GENERIC_CSV)

    profile = UsageProfile.objects.get()
    assert again["Location"] == f"/profiles/{profile.pk}/"
    assert UploadJob.objects.count() == 1


# Committed for real: the worker closes its database connection between tasks.
@pytest.mark.django_db(transaction=True)
def test_the_database_backend_worker_runs_the_job(
    client: Client, background: Path, settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    response = upload(client, SMALL_GENERIC_CSV)
    job = UploadJob.objects.get()
    assert job.state == "queued"  # stored as a task row, not run

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    job.refresh_from_db()
    assert job.state == "done"
    assert client.get(response["Location"])["Location"] == f"/profiles/{job.profile_id}/"
    assert UsageDay.objects.filter(profile_id=job.profile_id).count() == 3
