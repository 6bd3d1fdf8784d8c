"""The JSON API: create, read, delete, every bad input, token auth, query counts."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.engine.usage import read_usage
from dashboard.models import UsageDay, UsageProfile
from tests.dashboard.conftest import (
    BAD_INPUTS,
    GENERIC_HEADER,
    SAMPLE_FILES,
    SAMPLES_DIR,
    BadInput,
    csv_file,
)

# The samples and the seed are dated up to 2026: "today" is pinned (see tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

API = "/api/profiles/"


def assert_nothing_stored() -> None:
    assert UsageProfile.objects.count() == 0
    assert UsageDay.objects.count() == 0


def api_client() -> Client:
    # The API is for scripts: it must work without a CSRF token.
    return Client(enforce_csrf_checks=True)


def test_api_urls_have_their_names() -> None:
    assert reverse("api:profiles") == API
    pk = "6f1c1a52-3c4e-4a8e-9d55-0b8f4b8a9f10"
    assert reverse("api:profile", args=[pk]) == f"{API}{pk}/"


def test_post_creates_a_profile_and_returns_its_summary(small_generic_file) -> None:
    response = api_client().post(API, {"file": small_generic_file})

    assert response.status_code == 201
    body = response.json()
    profile = UsageProfile.objects.get()
    assert body["id"] == str(profile.pk)
    assert body["url"] == f"http://testserver/profiles/{profile.pk}/"
    assert body["format"] == "generic"
    assert body["rows_read"] == 3
    assert body["rows_skipped"] == 0
    assert body["first_day"] == "2026-10-01"
    assert body["last_day"] == "2026-10-02"
    assert body["models"] == ["deepseek-chat", "gpt-4o-2024-08-06"]
    # the API is stateless: no browser session owns the profile
    assert profile.session_key == ""


def test_get_returns_totals_worked_out_by_hand(small_generic_file) -> None:
    client = api_client()
    created = client.post(API, {"file": small_generic_file}).json()

    response = client.get(f"{API}{created['id']}/")

    assert response.status_code == 200
    body = response.json()
    assert body["totals"] == [
        {
            "source_provider": "deepseek",
            "source_model": "deepseek-chat",
            "requests": 10,
            "tokens_input_uncached": 5000,
            "tokens_cache_read": 0,
            "tokens_cache_write": 0,
            "tokens_output": 700,
            "reported_cost": 0.002,
            "reported_currency": "USD",
            "catalog_model": None,
        },
        {
            "source_provider": "openai",
            "source_model": "gpt-4o-2024-08-06",
            "requests": 10,  # 4 + 6
            "tokens_input_uncached": 4000,  # 1000 + 3000 (generic input excludes cached)
            "tokens_cache_read": 200,
            "tokens_cache_write": 0,
            "tokens_output": 400,  # 300 + 100
            "reported_cost": 0.0325,  # 0.0125 + 0.02
            "reported_currency": "USD",
            "catalog_model": None,
        },
    ]
    assert body["skipped"] == {}
    assert body["warnings"] == []
    # the test database has an empty catalog
    assert body["unresolved_models"] == ["deepseek-chat", "gpt-4o-2024-08-06"]
    assert body["url"] == created["url"]


def test_delete_with_the_token_of_the_upload_removes_the_profile_and_its_rows(
    small_generic_file,
) -> None:
    client = api_client()
    created = client.post(API, {"file": small_generic_file}).json()

    response = client.delete(f"{API}{created['id']}/", headers={"X-Delete-Token": created["delete_token"]})

    assert response.status_code == 204
    assert_nothing_stored()
    gone = client.get(f"{API}{created['id']}/")
    assert gone.status_code == 404
    assert gone.json() == {"error": "No profile has this id.", "row": None, "column": None}


def test_only_a_hash_of_the_delete_token_is_stored(small_generic_file) -> None:
    created = api_client().post(API, {"file": small_generic_file}).json()

    stored = UsageProfile.objects.get().delete_token_hash
    assert len(created["delete_token"]) >= 40
    assert stored == hashlib.sha256(created["delete_token"].encode()).hexdigest()
    assert created["delete_token"] not in str(UsageProfile.objects.values().get())
    # shown once: reading the profile does not repeat it
    assert "delete_token" not in api_client().get(f"{API}{created['id']}/").json()


@pytest.mark.parametrize("headers", [{}, {"X-Delete-Token": "guessed"}], ids=["no token", "wrong token"])
def test_knowing_the_id_is_not_enough_to_delete(small_generic_file, headers) -> None:
    client = api_client()
    created = client.post(API, {"file": small_generic_file}).json()

    response = client.delete(f"{API}{created['id']}/", headers=headers)

    assert response.status_code == 403
    assert "X-Delete-Token" in response.json()["error"]
    assert UsageProfile.objects.filter(pk=created["id"]).exists()


def test_another_profiles_token_does_not_delete(small_generic_file) -> None:
    client = api_client()
    first = client.post(API, {"file": small_generic_file}).json()
    small_generic_file.seek(0)
    second = client.post(API, {"file": small_generic_file}).json()

    response = client.delete(f"{API}{first['id']}/", headers={"X-Delete-Token": second["delete_token"]})

    assert response.status_code == 403
    assert UsageProfile.objects.count() == 2


def test_staff_and_the_uploading_browser_session_may_delete(staff_client) -> None:
    browser = Client()
    browser.post(reverse("profiles:sample"))
    uploaded = UsageProfile.objects.get()

    assert api_client().delete(f"{API}{uploaded.pk}/").status_code == 403
    assert browser.delete(f"{API}{uploaded.pk}/").status_code == 204

    browser.post(reverse("profiles:sample"))
    again = UsageProfile.objects.get()
    assert staff_client.delete(f"{API}{again.pk}/").status_code == 204
    assert_nothing_stored()


def test_unknown_profile_is_a_json_404() -> None:
    response = api_client().delete(f"{API}6f1c1a52-3c4e-4a8e-9d55-0b8f4b8a9f10/")

    assert response.status_code == 404
    assert response.json()["error"] == "No profile has this id."


@pytest.mark.parametrize(
    "path",
    [
        "/api/profiles/not-a-uuid/",
        "/api/profiles/not-a-uuid/projection",
        "/api/profiles/6f1c1a52-3c4e-4a8e-9d55-0b8f4b8a9f10/projection",
    ],
)
def test_a_path_that_names_no_profile_is_a_json_404(path) -> None:
    response = api_client().get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "No profile has this id.", "row": None, "column": None}


@pytest.mark.parametrize("path", ["/api/", "/api/nothing/here", "/api/profiles/x/y/z"])
def test_an_unknown_api_path_is_a_json_404(path) -> None:
    response = api_client().get(path)

    assert response.status_code == 404
    assert response.json()["error"] == "Nothing here: /api/docs lists the API's operations."


def test_wrong_methods_are_json_405(small_generic_file) -> None:
    client = api_client()
    created = client.post(API, {"file": small_generic_file}).json()

    listing = client.get(API)
    put = client.put(f"{API}{created['id']}/", b"")
    post_offers = client.post("/api/offers")

    assert listing.status_code == 405
    assert listing["Allow"] == "POST"
    assert listing.json() == {"error": "Method not allowed; use POST.", "row": None, "column": None}
    assert put.status_code == 405
    assert put["Allow"] == "GET, HEAD, DELETE"
    assert put.json()["error"] == "Method not allowed; use GET or HEAD or DELETE."
    assert post_offers.status_code == 405 and post_offers["Allow"] == "GET, HEAD"


def test_head_answers_like_get_without_a_body(small_generic_file) -> None:
    client = api_client()
    created = client.post(API, {"file": small_generic_file}).json()
    url = f"{API}{created['id']}/"

    get, head = client.get(url), client.head(url)

    assert head.status_code == 200 and head.content == b""
    assert head["Content-Type"] == "application/json"
    assert int(head["Content-Length"]) == len(get.content)
    assert client.head(f"{API}not-a-uuid/").status_code == 404
    assert client.head(API).status_code == 405  # POST only: no GET, so no HEAD


# Where each bad input is wrong: (line, column) of the file, None where the whole file is.
BAD_INPUT_LOCATIONS = {
    "non_numeric_tokens": (3, "input_tokens"),
    "negative_tokens": (2, "output_tokens"),
    "absurd_tokens": (3, "input_tokens"),
    "unparseable_date": (2, "date"),
    "date_before_2020": (2, "date"),
    "date_in_future": (2, "date"),
    "row_with_too_many_fields": (3, None),
    "non_utf8_bytes": (3, None),
    "model_id_longer_than_the_column": (3, "model"),
    "control_character_in_model_id": (2, "model"),
    "costs_summing_to_infinity": (3, "cost"),
    "repeated_header_column": (1, "output_tokens"),
}


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=[bad.id for bad in BAD_INPUTS])
def test_bad_upload_is_a_json_error_and_stores_nothing(bad: BadInput) -> None:
    response = api_client().post(API, {"file": csv_file(bad.content)})

    assert response.status_code == bad.status
    body = response.json()
    assert set(body) == {"error", "row", "column"}
    for piece in bad.expected:
        assert piece in body["error"]
    # the JSON locates the cell as the message does
    row, column = BAD_INPUT_LOCATIONS.get(bad.id, (None, None))
    assert (body["row"], body["column"]) == (row, column)
    if row is not None:
        assert f"line {row}" in body["error"]
    if column is not None:
        assert f"column '{column}'" in body["error"]
    assert_nothing_stored()


def test_bad_value_error_names_row_and_column() -> None:
    content = GENERIC_HEADER + "2026-10-01,gpt-4o,1,1\n2026-10-02,gpt-4o,abc,1\n"

    body = api_client().post(API, {"file": csv_file(content, "october.csv")}).json()

    assert body == {
        "error": "october.csv, line 3, column 'input_tokens': 'abc' is not a number",
        "row": 3,
        "column": "input_tokens",
    }


def test_post_without_a_file_is_a_json_400() -> None:
    response = api_client().post(API, {"note": "no file here"})

    assert response.status_code == 400
    assert response.json()["error"] == "Choose a usage export file to upload."
    assert_nothing_stored()


@override_settings(MAX_UPLOAD_BYTES=1000)
def test_file_over_the_size_limit_is_a_json_413() -> None:
    # 80 rows of about 30 bytes: about 2.4 kB, over the 1000-byte limit
    content = GENERIC_HEADER + "2026-10-01,gpt-4o-2024-08-06,1,1\n" * 80

    response = api_client().post(API, {"file": csv_file(content)})

    assert response.status_code == 413
    assert "larger than the 1000" in response.json()["error"]
    assert_nothing_stored()


@override_settings(MAX_UPLOAD_ROWS=2)
def test_file_with_too_many_rows_is_a_json_413() -> None:
    content = GENERIC_HEADER + "2026-10-01,gpt-4o,1,1\n" * 3

    response = api_client().post(API, {"file": csv_file(content)})

    assert response.status_code == 413
    body = response.json()
    # the whole file is over the limit: no line or column to point at
    assert body == {"error": "usage.csv: the file has 3 data rows; the limit is 2", "row": None, "column": None}
    assert_nothing_stored()


@override_settings(API_TOKENS=["first-token", "second-token"])
def test_api_needs_a_valid_bearer_token_when_tokens_are_configured(small_generic_file) -> None:
    client = api_client()

    missing = client.post(API, {"file": small_generic_file})
    wrong = client.post(
        API, {"file": csv_file("x")}, headers={"Authorization": "Bearer not-a-token"}
    )
    other_scheme = client.get(
        f"{API}6f1c1a52-3c4e-4a8e-9d55-0b8f4b8a9f10/",
        headers={"Authorization": "Basic second-token"},
    )

    for response in (missing, wrong, other_scheme):
        assert response.status_code == 401
        assert set(response.json()) == {"error", "row", "column"}
        assert "Bearer" in response.json()["error"]
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert_nothing_stored()

    small_generic_file.seek(0)
    accepted = client.post(
        API, {"file": small_generic_file}, headers={"Authorization": "Bearer second-token"}
    )
    assert accepted.status_code == 201
    read = client.get(
        f"{API}{accepted.json()['id']}/", headers={"Authorization": "Bearer first-token"}
    )
    assert read.status_code == 200


@override_settings(API_TOKENS=[])
def test_api_is_open_when_no_tokens_are_configured(small_generic_file) -> None:
    response = api_client().post(
        API, {"file": small_generic_file}, headers={"Authorization": "Bearer anything"}
    )

    assert response.status_code == 201


def test_get_queries_do_not_grow_with_the_number_of_models(django_assert_max_num_queries) -> None:
    client = api_client()
    ids = []
    for model_count in (2, 40):
        lines = [f"2026-10-01,custom-model-{n},{n + 1},1" for n in range(model_count)]
        content = GENERIC_HEADER + "\n".join(lines) + "\n"
        ids.append(client.post(API, {"file": csv_file(content)}).json()["id"])

    counts = []
    for pk in ids:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}{pk}/").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    with django_assert_max_num_queries(3):
        client.get(f"{API}{ids[1]}/")


def test_openai_activity_sample_lands_on_totals_worked_out_by_hand() -> None:
    path = SAMPLES_DIR / "completions_usage_2026-08-01_2026-08-03.csv"
    client = api_client()
    created = client.post(API, {"file": csv_file(path.read_bytes(), path.name)}).json()

    body = client.get(f"{API}{created['id']}/").json()

    assert body["format"] == "openai_activity"
    # 5 data rows, one of them the empty 2026-08-01 bucket
    assert (body["rows_read"], body["rows_skipped"]) == (5, 1)
    assert (body["first_day"], body["last_day"]) == ("2026-08-02", "2026-08-03")
    by_model = {row["source_model"]: row for row in body["totals"]}
    assert by_model["gpt-4o-2024-08-06"] == {
        "source_provider": "openai",
        "source_model": "gpt-4o-2024-08-06",
        "requests": 12,
        "tokens_input_uncached": 35410,  # 48210 input - 12800 cached
        "tokens_cache_read": 12800,
        "tokens_cache_write": 0,
        "tokens_output": 3105,
        "reported_cost": None,
        "reported_currency": None,
        "catalog_model": None,
    }
    mini = by_model["gpt-4o-mini-2024-07-18"]
    assert mini["requests"] == 111  # 4 + 100 (batch) + 7
    assert mini["tokens_input_uncached"] == 289398  # 31422 + 250000 + (9000 - 1024)
    assert mini["tokens_cache_read"] == 1024
    assert mini["tokens_output"] == 41229  # 29 + 40000 + 1200


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[path.name for path in SAMPLE_FILES])
def test_every_bundled_sample_uploads_through_the_api(path) -> None:
    frame, report = read_usage(path, filename=path.name)

    response = api_client().post(API, {"file": csv_file(path.read_bytes(), path.name)})

    assert response.status_code == 201
    body = response.json()
    assert body["format"] == report.format
    assert body["rows_read"] == report.rows_read
    assert UsageDay.objects.count() == len(frame)
    tokens = {row["source_model"]: row["tokens_output"] for row in body["totals"]}
    assert sum(tokens.values()) == int(frame["tokens_output"].sum())


def test_malformed_multipart_body_is_a_json_400() -> None:
    response = api_client().post(
        API,
        data=b'--xyz\r\nContent-Disposition: form-data; name=file; filename="a.csv"\r\n',
        content_type="multipart/form-data; boundary=",
    )

    assert response.status_code == 400
    assert "multipart body could not be parsed" in response.json()["error"]
    assert_nothing_stored()


def test_billed_cost_keeps_full_precision() -> None:
    # An OpenRouter-style day billed $0.0000004 (4e-07) and one of $0.1 + $0.2 (no float noise).
    content = (
        "date,model,input_tokens,output_tokens,cost,currency\n"
        "2026-10-01,tiny-model,10,2,0.0000004,USD\n"
        "2026-10-01,other-model,10,2,0.1,USD\n"
        "2026-10-02,other-model,10,2,0.2,USD\n"
    )

    body = api_client().post(API, {"file": csv_file(content)}).json()

    costs = {row["source_model"]: row["reported_cost"] for row in body["totals"]}
    assert costs == {"tiny-model": 4e-07, "other-model": 0.3}
