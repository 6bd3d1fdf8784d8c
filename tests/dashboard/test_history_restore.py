"""Back, Forward and reload show whole pages: every page that htmx swaps in part answers a
history-restore request with the full page, and says which request headers it varies on."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.profile_store import ingest_sample

pytestmark = pytest.mark.django_db

SWAP = {"HX-Request": "true"}
RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


@pytest.fixture
def pages(seeded) -> dict[str, tuple[str, str]]:
    """Page URL -> (id of the fragment htmx swaps, text only the full page has)."""
    profile = ingest_sample()
    dashboard = reverse("profiles:dashboard", args=[profile.pk])
    return {
        "catalog": (reverse("catalog") + "?region=mainland_china&tier=flagship", "catalog-results", 'id="hero-title"'),
        "offers": (reverse("offers") + "?provider=zhipu", "offer-results", "Free-token offers and promotions</h1>"),
        "dashboard": (dashboard + "?s=1&growth=5", "results", 'id="scenario-form"'),
        "upload": (reverse("profiles:upload"), "upload-form", 'id="formats-heading"'),
    }


@pytest.mark.parametrize("page", ["catalog", "offers", "dashboard", "upload"])
def test_an_htmx_swap_gets_only_the_fragment_it_replaces(client: Client, pages, page: str) -> None:
    url, fragment, full_only = pages[page]
    html = client.get(url, headers=SWAP).content.decode()
    assert f'id="{fragment}"' in html
    assert "<html" not in html and full_only not in html


@pytest.mark.parametrize("page", ["catalog", "offers", "dashboard", "upload"])
def test_a_history_restore_request_gets_the_whole_page(client: Client, pages, page: str) -> None:
    url, fragment, full_only = pages[page]
    response = client.get(url, headers=RESTORE)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<!doctype html>")
    assert full_only in html and f'id="{fragment}"' in html and 'class="site-header"' in html


@pytest.mark.parametrize("page", ["catalog", "offers", "dashboard", "upload"])
def test_pages_vary_on_the_htmx_headers_so_no_cache_mixes_fragment_and_page(client: Client, pages, page: str) -> None:
    url, _, _ = pages[page]
    vary = {part.strip() for part in client.get(url)["Vary"].split(",")}
    assert {"HX-Request", "HX-History-Restore-Request"} <= vary


def test_a_restored_dashboard_keeps_its_model_pickers(client: Client, pages) -> None:
    """The pickers live in the form, outside the swapped results: a restore must draw them."""
    url, _, _ = pages["dashboard"]
    html = client.get(url, headers=RESTORE).content.decode()
    assert 'id="mapping-overrides"' in html and "<optgroup" in html
