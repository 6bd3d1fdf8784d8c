"""Large API uploads off the request path: `Prefer: respond-async` gets a 202 and a job to
poll; the job ends with the profile (and a delete token) or the reader's message; only the
credentials that started a job can read it; without the preference, uploads stay synchronous."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from dashboard.models import UploadJob, UsageDay, UsageProfile
from tests.dashboard.conftest import GENERIC_HEADER, SMALL_GENERIC_CSV, csv_file

pytestmark = pytest.mark.django_db

ASYNC = {"HTTP_PREFER": "respond-async"}


def post(client: Client, content: str, **extra):
    return client.post("/api/profiles/", {"file": csv_file(content)}, **extra)


def test_a_large_upload_answers_202_and_its_job_ends_with_the_profile(
    client: Client, background: Path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, SMALL_GENERIC_CSV, **ASYNC)

    job = UploadJob.objects.get()
    body = response.json()
    assert response.status_code == 202
    assert response["Preference-Applied"] == "respond-async"
    assert response["Location"] == f"http://testserver/api/uploads/{job.pk}/"
    assert (body["id"], body["state"], body["profile"]) == (str(job.pk), "queued", None)

    status = client.get(response["Location"]).json()
    profile = UsageProfile.objects.get()
    assert status["state"] == "done"
    assert status["profile"]["id"] == str(profile.pk)
    assert UsageDay.objects.filter(profile=profile).count() == 3
    # the token in the finished job deletes the profile
    token = status["profile"]["delete_token"]
    deleted = client.delete(f"/api/profiles/{profile.pk}/", HTTP_X_DELETE_TOKEN=token)
    assert deleted.status_code == 204


def test_a_bad_large_file_fails_with_the_line_and_column_and_stores_nothing(
    client: Client, background: Path, django_capture_on_commit_callbacks
) -> None:
    bad = GENERIC_HEADER + "2026-10-01,gpt-4o,12x,5\n" + "2026-10-02,gpt-4o,1,5\n" * 20
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, bad, **ASYNC)

    status = client.get(response["Location"]).json()
    assert status["state"] == "failed"
    assert status["error_status"] == 400
    assert status["error"]["row"] == 2 and status["error"]["column"] == "input_tokens"
    assert "'12x' is not a number" in status["error"]["error"]
    assert UsageProfile.objects.count() == 0


def test_only_the_credentials_that_started_a_job_can_read_it(client: Client, background: Path) -> None:
    response = post(client, SMALL_GENERIC_CSV, HTTP_AUTHORIZATION="Bearer one", **ASYNC)
    location = response["Location"]

    assert client.get(location, HTTP_AUTHORIZATION="Bearer one").json()["state"] == "queued"
    other = client.get(location, HTTP_AUTHORIZATION="Bearer two")
    assert other.status_code == 404 and other.json()["error"] == "No upload job of yours has this id."
    assert client.get("/api/uploads/not-a-uuid/").status_code == 404


def test_without_the_preference_or_below_the_threshold_the_upload_is_synchronous(
    client: Client, background: Path, settings
) -> None:
    assert post(client, SMALL_GENERIC_CSV).status_code == 201  # large, but no Prefer header
    settings.UPLOAD_BACKGROUND_BYTES = 10_000
    assert post(client, SMALL_GENERIC_CSV.replace("gpt-4o", "gpt-4o-mini"), **ASYNC).status_code == 201
    assert UploadJob.objects.count() == 0


def test_a_retry_with_the_same_idempotency_key_returns_the_stored_profile(
    client: Client, background: Path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post(client, SMALL_GENERIC_CSV, HTTP_IDEMPOTENCY_KEY="k-1", **ASYNC)
    retry = post(client, SMALL_GENERIC_CSV, HTTP_IDEMPOTENCY_KEY="k-1", **ASYNC)

    assert retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == str(UsageProfile.objects.get().pk)
    assert UploadJob.objects.count() == 1
