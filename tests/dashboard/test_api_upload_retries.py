"""POST /api/profiles/ with an Idempotency-Key: a retry gets the first profile (200), never a
duplicate; the same key with another file is a 422; the reader's new limits answer 413/400."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from dashboard.models import UsageProfile
from tests.dashboard.conftest import GENERIC_HEADER, SMALL_GENERIC_CSV, csv_file

pytestmark = pytest.mark.django_db

URL = "/api/profiles/"


def post(client: Client, content: str, **headers):
    return client.post(URL, {"file": csv_file(content)}, headers=headers)


def test_a_retry_with_the_same_key_answers_200_with_the_first_profile(client: Client) -> None:
    first = post(client, SMALL_GENERIC_CSV, **{"Idempotency-Key": "retry-1"})
    again = post(client, SMALL_GENERIC_CSV, **{"Idempotency-Key": "retry-1"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["delete_token"]  # the first answer may have been lost: a new token
    assert UsageProfile.objects.count() == 1


def test_without_a_key_each_post_stores_a_profile(client: Client) -> None:
    post(client, SMALL_GENERIC_CSV)
    post(client, SMALL_GENERIC_CSV)
    assert UsageProfile.objects.count() == 2


def test_the_same_key_for_another_file_is_422(client: Client) -> None:
    post(client, SMALL_GENERIC_CSV, **{"Idempotency-Key": "retry-2"})
    other = post(client, SMALL_GENERIC_CSV + "2026-10-03,deepseek-chat,1,0,1,1,0.001,USD\n",
                 **{"Idempotency-Key": "retry-2"})

    assert other.status_code == 422
    assert "already used for a different file" in other.json()["error"]
    assert UsageProfile.objects.count() == 1


def test_a_key_over_100_characters_is_400(client: Client) -> None:
    response = post(client, SMALL_GENERIC_CSV, **{"Idempotency-Key": "k" * 101})
    assert response.status_code == 400
    assert "longer than 100 characters" in response.json()["error"]
    assert UsageProfile.objects.count() == 0


@override_settings(MAX_SOURCE_MODELS=2)
def test_too_many_distinct_models_is_413_with_the_count(client: Client) -> None:
    content = GENERIC_HEADER + "".join(f"2026-10-01,model-{i},1,1\n" for i in range(3))
    response = post(client, content)
    assert response.status_code == 413
    assert "the file has 3 distinct model ids; the limit is 2 per upload" in response.json()["error"]


def test_a_model_id_longer_than_the_column_is_400_with_its_line(client: Client) -> None:
    response = post(client, GENERIC_HEADER + f"2026-10-01,{'x' * 301},1,1\n")
    assert response.status_code == 400
    body = response.json()
    assert (body["row"], body["column"]) == (2, "model")
    assert "is 301 characters long; the limit is 300" in body["error"]


def test_a_failure_while_building_the_answer_stores_nothing(client: Client, monkeypatch) -> None:
    # The 201 body is computed before the commit: if it fails, the upload is not kept.
    from dashboard import profile_store

    def broken_summary(profile, *, url):
        raise RuntimeError("catalog unavailable")

    monkeypatch.setattr(profile_store, "profile_summary", broken_summary)
    client.raise_request_exception = False

    response = post(client, SMALL_GENERIC_CSV)

    assert response.status_code == 500
    assert UsageProfile.objects.count() == 0
