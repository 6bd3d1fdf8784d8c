"""Site-wide details: the favicon, the error pages, the admin's model pickers."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import Client

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_svg_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("/dashboard/favicon.svg")
    assert finders.find("dashboard/favicon.svg")
    assert "max-age=86400" in response["Cache-Control"]


def test_an_unknown_address_gets_the_sites_own_404_page(client: Client) -> None:
    response = client.get("/providers/no-such-provider/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "This page does not exist" in html and "/providers/no-such-provider/" in html
    assert 'class="site-header"' in html and 'href="/estimate/"' in html


def test_the_404_page_echoes_the_address_without_running_it(client: Client) -> None:
    html = client.get("/<script>alert(1)</script>/").content.decode()
    assert "<script>alert(1)</script>" not in html and "/%3Cscript%3Ealert%281%29%3C/script%3E/" in html


def test_the_500_page_renders_without_a_request() -> None:
    html = render_to_string("500.html")
    assert "Something went wrong" in html and "dashboard/site.css" in html


def test_the_admin_model_pickers_load_the_stylesheet_that_widens_them(staff_client: Client) -> None:
    html = staff_client.get("/admin/providers/offer/add/").content.decode()
    assert "dashboard/admin.css" in html
    css = open(finders.find("dashboard/admin.css"), encoding="utf-8").read()
    assert ".select2-container--admin-autocomplete { width: 36em !important;" in css
