"""HEAD works wherever GET does (health checks), and every error under /api/ is JSON."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.models import UsageProfile

pytestmark = pytest.mark.django_db


def page_urls(profile: UsageProfile) -> list[str]:
    pk = profile.pk
    return [
        reverse("catalog"),
        reverse("provider_detail", args=["openai"]),
        reverse("offers"),
        reverse("profiles:upload"),
        reverse("profiles:estimate"),
        reverse("profiles:estimate_models") + "?model=gpt",
        reverse("profiles:list"),
        reverse("profiles:dashboard", args=[pk]),
        reverse("profiles:results_csv", args=[pk]),
        reverse("profiles:summary_csv", args=[pk]),
        "/admin/login/",
        "/favicon.ico",
        f"/api/profiles/{pk}/",
        f"/api/profiles/{pk}/projection",
        "/api/catalog/models",
        "/api/offers",
        "/api/openapi.json",
        "/api/docs",
    ]


def test_head_answers_every_page_like_get_without_a_body(client: Client, seeded) -> None:
    client.post(reverse("profiles:sample"))
    profile = UsageProfile.objects.get()

    for url in page_urls(profile):
        get = client.get(url)
        head = client.head(url)
        assert (url, get.status_code) in ((url, 200), (url, 302))
        assert (url, head.status_code) == (url, get.status_code)
        assert head.content == b"", url
        assert head["Content-Type"] == get["Content-Type"], url


def test_head_is_refused_where_get_is(client: Client) -> None:
    response = client.head(reverse("profiles:sample"))  # POST only

    assert response.status_code == 405


def test_an_unexpected_error_in_the_api_is_a_json_500(client: Client, monkeypatch, seeded) -> None:
    client.post(reverse("profiles:sample"))
    profile = UsageProfile.objects.get()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("dashboard.api.profiles.compute", broken)
    response = Client(raise_request_exception=False).get(reverse("api:projection", args=[profile.pk]))

    assert response.status_code == 500
    assert response.json() == {"error": "Internal error; it has been logged.", "row": None, "column": None}
    assert "boom" not in response.content.decode()


def test_a_body_over_the_size_limit_is_a_json_413(client: Client, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post(
        reverse("api:estimates"), data="x" * 1000, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert response.json()["error"].startswith("The request body is too large")


def test_a_multipart_body_without_a_boundary_is_a_json_400(client: Client) -> None:
    # found by schemathesis: the estimate's form body could not be parsed -> was a 500
    response = client.post(
        reverse("api:estimates"), data=b'{"model": ""}', content_type="multipart/form-data"
    )

    assert response.status_code == 400
    assert response.json()["error"].startswith("The multipart body could not be parsed")


def test_the_openapi_contract_lists_every_operation(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()

    assert schema["openapi"].startswith("3.1")
    operations = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    assert operations == {
        ("POST", "/api/profiles/"),
        ("GET", "/api/profiles/{pk}/"),
        ("DELETE", "/api/profiles/{pk}/"),
        ("GET", "/api/profiles/{pk}/projection"),
        ("GET", "/api/uploads/{pk}/"),
        ("POST", "/api/estimates/"),
        ("GET", "/api/catalog/models"),
        ("GET", "/api/offers"),
    }
    horizon = next(
        p for p in schema["paths"]["/api/profiles/{pk}/projection"]["get"]["parameters"] if p["name"] == "horizon"
    )
    assert (horizon["schema"]["minimum"], horizon["schema"]["maximum"]) == (1, 60)


def test_the_docs_page_loads_nothing_from_another_site(client: Client) -> None:
    html = client.get("/api/docs").content.decode()

    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
