"""Retries are safe: an Idempotency-Key, or the same file from the same session within
UPLOAD_DEDUPE_SECONDS, returns the profile stored the first time; a unique key in the
database keeps two parallel retries from both storing."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from dashboard import profile_store
from dashboard.models import UsageDay, UsageProfile
from tests.dashboard.conftest import SMALL_GENERIC_CSV, csv_file

pytestmark = pytest.mark.django_db


def post(client: Client, content: str = SMALL_GENERIC_CSV):
    return client.post(reverse("profiles:upload"), {"file": csv_file(content)})


def test_the_same_file_twice_from_one_session_is_stored_once(client: Client) -> None:
    first = post(client)
    second = post(client)

    profile = UsageProfile.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/profiles/{profile.pk}/"
    assert UsageDay.objects.count() == 3  # 3 day x model rows, once
    page = client.get(second["Location"]).content.decode()
    assert "You uploaded this same file a moment ago: here is that profile." in page


def test_another_file_from_the_same_session_is_a_new_profile(client: Client) -> None:
    post(client)
    post(client, SMALL_GENERIC_CSV + "2026-10-03,deepseek-chat,1,0,1,1,0.001,USD\n")
    assert UsageProfile.objects.count() == 2


def test_the_same_file_from_another_session_is_a_new_profile(client: Client) -> None:
    post(client)
    post(Client())
    assert UsageProfile.objects.count() == 2


@override_settings(UPLOAD_DEDUPE_SECONDS=0)
def test_the_same_file_after_the_dedupe_window_is_stored_again(client: Client) -> None:
    post(client)
    post(client)

    first, second = UsageProfile.objects.order_by("created_at")
    assert first.idempotency_key is None  # released for the new upload
    assert second.idempotency_key.startswith("file:")
    assert first.content_sha256 == second.content_sha256 != ""


def test_an_idempotency_key_returns_the_first_profile() -> None:
    first = profile_store.ingest_upload_once(csv_file(SMALL_GENERIC_CSV), idempotency_key="k-1")
    again = profile_store.ingest_upload_once(csv_file(SMALL_GENERIC_CSV), idempotency_key="k-1")

    assert (first.created, again.created) == (True, False)
    assert again.profile.pk == first.profile.pk
    assert UsageProfile.objects.count() == 1


def test_an_idempotency_key_reused_for_another_file_is_a_conflict() -> None:
    profile_store.ingest_upload_once(csv_file(SMALL_GENERIC_CSV), idempotency_key="k-1")
    other = SMALL_GENERIC_CSV + "2026-10-03,deepseek-chat,1,0,1,1,0.001,USD\n"

    with pytest.raises(profile_store.IdempotencyConflict):
        profile_store.ingest_upload_once(csv_file(other), idempotency_key="k-1")
    assert UsageProfile.objects.count() == 1


def test_without_key_or_session_every_upload_is_stored() -> None:
    profile_store.ingest_upload_once(csv_file(SMALL_GENERIC_CSV))
    profile_store.ingest_upload_once(csv_file(SMALL_GENERIC_CSV))
    assert UsageProfile.objects.count() == 2


def test_two_parallel_retries_store_once(monkeypatch) -> None:
    # Both retries looked before either stored: the unique key lets only one insert.
    monkeypatch.setattr(profile_store, "existing_upload", lambda key, sha256: None)

    first = profile_store.ingest_upload_once(csv_file(SMALL_GENERIC_CSV), idempotency_key="k-9")
    second = profile_store.ingest_upload_once(csv_file(SMALL_GENERIC_CSV), idempotency_key="k-9")

    assert (first.created, second.created) == (True, False)
    assert second.profile.pk == first.profile.pk
    assert UsageProfile.objects.count() == 1
    assert UsageDay.objects.count() == 3
