"""The upload page: form, progress bar, redirects, every bad input and the sample button."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings
from django.urls import reverse

from dashboard.engine.usage import read_usage
from dashboard.models import UsageDay, UsageProfile
from dashboard.upload_limits import SizeLimitedUploadHandler
from tests.dashboard.conftest import (
    BAD_INPUTS,
    GENERIC_HEADER,
    SAMPLE_FILES,
    BadInput,
    csv_file,
)

# The samples and the seed are dated up to 2026: "today" is pinned (see tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

HTMX = {"HTTP_HX_REQUEST": "true"}


def assert_nothing_stored() -> None:
    assert UsageProfile.objects.count() == 0
    assert UsageDay.objects.count() == 0


def test_upload_page_offers_the_form_progress_bar_and_accepted_formats(client: Client) -> None:
    response = client.get(reverse("profiles:upload"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="upload-form"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'hx-encoding="multipart/form-data"' in html
    assert "<progress" in html
    assert "dashboard/upload.js" in html
    assert finders.find("dashboard/upload.js")
    assert "OpenAI Activity export" in html
    assert "Generic usage CSV" in html
    assert "input_tokens</code> excludes cached input tokens" in html
    assert reverse("profiles:sample") in html


def test_upload_stores_profile_and_redirects_to_it(client: Client, small_generic_file) -> None:
    response = client.post(reverse("profiles:upload"), {"file": small_generic_file})

    profile = UsageProfile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/profiles/{profile.pk}/"
    assert profile.file_name == "team_usage.csv"
    assert profile.format == "generic"
    assert profile.rows_read == 3
    # 3 input rows, each a distinct day x model pair
    assert UsageDay.objects.filter(profile=profile).count() == 3
    assert profile.session_key == client.session.session_key
    assert profile.session_key


def test_upload_by_htmx_redirects_with_hx_redirect_header(
    client: Client, small_generic_file
) -> None:
    response = client.post(reverse("profiles:upload"), {"file": small_generic_file}, **HTMX)

    profile = UsageProfile.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/profiles/{profile.pk}/"


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=[bad.id for bad in BAD_INPUTS])
def test_bad_upload_shows_readers_message_and_stores_nothing(client: Client, bad: BadInput) -> None:
    response = client.post(reverse("profiles:upload"), {"file": csv_file(bad.content)})

    assert response.status_code == bad.status
    html = response.content.decode()
    for piece in bad.expected:
        assert piece.replace("'", "&#x27;") in html
    assert 'id="upload-form"' in html
    assert_nothing_stored()


def test_bad_upload_by_htmx_returns_only_the_form_with_the_error(client: Client) -> None:
    content = GENERIC_HEADER + "2026-10-01,gpt-4o,1,-5\n"
    response = client.post(reverse("profiles:upload"), {"file": csv_file(content)}, **HTMX)

    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="upload-form"')
    assert 'id="upload-error"' in html
    assert "line 2, column &#x27;output_tokens&#x27;: -5 is negative" in html
    assert "<html" not in html
    assert_nothing_stored()


def test_post_without_a_file_is_a_form_error(client: Client) -> None:
    response = client.post(reverse("profiles:upload"), {})

    assert response.status_code == 400
    assert "Choose a usage export file to upload." in response.content.decode()
    assert_nothing_stored()


@override_settings(MAX_UPLOAD_BYTES=1000)
def test_file_over_the_size_limit_is_rejected_while_streaming_with_413(client: Client) -> None:
    # 80 rows of about 30 bytes: about 2.4 kB, over the 1000-byte limit
    content = GENERIC_HEADER + "2026-10-01,gpt-4o-2024-08-06,1,1\n" * 80
    assert len(content) > 2000

    response = client.post(reverse("profiles:upload"), {"file": csv_file(content)})

    assert response.status_code == 413
    assert "larger than the 1000" in response.content.decode()
    assert_nothing_stored()


@override_settings(MAX_UPLOAD_BYTES=1000)
def test_body_declared_far_over_the_limit_is_refused_before_the_file_is_written(
    client: Client, monkeypatch
) -> None:
    # about 3,000 rows of 33 bytes: ~100 kB, more than 1000 + 64 kB of slack
    content = GENERIC_HEADER + "2026-10-01,gpt-4o-2024-08-06,1,1\n" * 3000
    chunks = []
    monkeypatch.setattr(
        SizeLimitedUploadHandler,
        "receive_data_chunk",
        lambda self, raw_data, start: chunks.append(len(raw_data)) or raw_data,
    )

    response = client.post(reverse("profiles:upload"), {"file": csv_file(content)})

    assert chunks == []
    assert response.status_code == 413
    assert "larger than the 1000" in response.content.decode()
    assert_nothing_stored()


@override_settings(MAX_UPLOAD_ROWS=2)
def test_file_with_more_rows_than_allowed_is_rejected_with_413(client: Client) -> None:
    content = GENERIC_HEADER + "2026-10-01,gpt-4o,1,1\n" * 3

    response = client.post(reverse("profiles:upload"), {"file": csv_file(content)})

    assert response.status_code == 413
    assert "usage.csv: the file has 3 data rows; the limit is 2" in response.content.decode()
    assert_nothing_stored()


def test_upload_page_needs_csrf_token(small_generic_file) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("profiles:upload"), {"file": small_generic_file})

    assert response.status_code == 403
    assert_nothing_stored()


def test_sample_button_stores_the_twelve_month_openai_sample(client: Client) -> None:
    response = client.post(reverse("profiles:sample"))

    profile = UsageProfile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/profiles/{profile.pk}/"
    assert profile.format == "openai_activity"
    assert profile.file_name == "sample_openai_12_months.csv"
    assert profile.report["models"] == [
        "gpt-3.5-turbo-0125",
        "gpt-4o-2024-08-06",
        "gpt-4o-mini-2024-07-18",
    ]
    assert str(profile.first_day) == "2025-11-01"
    assert str(profile.last_day) == "2026-10-31"
    assert profile.session_key == client.session.session_key


def test_sample_button_only_accepts_post(client: Client) -> None:
    response = client.get(reverse("profiles:sample"))

    assert response.status_code == 405
    assert_nothing_stored()


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[path.name for path in SAMPLE_FILES])
def test_every_bundled_sample_uploads_through_the_page(client: Client, path) -> None:
    frame, report = read_usage(path, filename=path.name)

    response = client.post(reverse("profiles:upload"), {"file": csv_file(path.read_bytes(), path.name)})

    profile = UsageProfile.objects.get()
    assert response.status_code == 302
    assert profile.format == report.format
    assert profile.rows_read == report.rows_read
    stored = UsageDay.objects.filter(profile=profile)
    assert stored.count() == len(frame)
    assert sum(stored.values_list("tokens_input_uncached", flat=True)) == int(
        frame["tokens_input_uncached"].sum()
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    for model in report.models[:3]:
        assert model in page.content.decode()


def test_upload_with_an_expired_session_cookie_starts_a_session_that_owns_the_profile(
    client: Client, small_generic_file
) -> None:
    client.cookies["sessionid"] = "expiredsessionkey0000000000000000"

    client.post(reverse("profiles:upload"), {"file": small_generic_file})

    profile = UsageProfile.objects.get()
    assert profile.session_key != "expiredsessionkey0000000000000000"
    assert client.cookies["sessionid"].value == profile.session_key
    assert "team_usage.csv" in client.get(reverse("profiles:list")).content.decode()
