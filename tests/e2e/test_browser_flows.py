"""What a person does in the browser: upload, change a scenario, read charts, download, and
an admin's edit showing up in the projection. Drives the system Chromium via Playwright."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from providers.models import Offer
from tests.e2e.conftest import drawn_traces, screenshot, wait_for_charts

pytestmark = pytest.mark.e2e
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "usage"
JULY_2024 = "s=1&switch=2024-07-09&elig=openai_migrants&elig=new_customers"


def ranking_totals(page: Page) -> list[str]:
    return page.locator("#ranking tbody td.total").all_inner_texts()


def shown_totals(page: Page) -> dict[str, float]:
    """Candidate -> the amount its Total cell shows (the display currency's figure)."""
    totals = {}
    for row in page.locator("#ranking tbody tr").all():
        text = row.locator("td.total").inner_text()
        amount = re.search(r"[$¥]([\d,]+\.\d+)", text)
        assert amount, text
        totals[row.get_attribute("data-candidate")] = float(amount.group(1).replace(",", ""))
    return totals


def projection_api(profile, page: Page) -> dict:
    """The JSON API's answer for the scenario in the page's URL (computed in this process)."""
    query = urlsplit(page.url).query
    response = Client().get(reverse("api:projection", args=[profile.pk]) + "?" + query)
    assert response.status_code == 200, response.content
    return response.json()


def api_totals(body: dict) -> dict[str, float]:
    return {s["candidate"]: s["total_display"] for s in body["summary"] if s["rank"] is not None}


def calendar_months(horizon: dict) -> int:
    start, end = (dt.date.fromisoformat(horizon[k]) for k in ("start", "end"))
    return (end.year - start.year) * 12 + end.month - start.month + 1


def last_month_cost(page: Page, candidate: str) -> float:
    return page.evaluate(
        """(key) => document.getElementById('chart-monthly').data
             .find(trace => trace.meta === key).y.slice(-1)[0]""",
        candidate,
    )


def test_uploading_a_file_lands_on_its_dashboard_with_every_chart_drawn(today, seeded_server, page: Page, console_errors):
    page.goto(f"{seeded_server.url}/upload/")
    screenshot(page, "upload")
    page.set_input_files("#upload-form input[type=file]", str(FIXTURES / "completions_usage_2026-08-01_2026-08-03.csv"))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(re.compile(r"/profiles/[0-9a-f-]{36}/$"))
    expect(page.locator("#ranking")).to_be_visible()
    page.locator("#usage-details summary").click()
    wait_for_charts(page)
    traces = drawn_traces(page)
    assert len(traces) == 5 and all(count > 0 for count in traces), traces
    expect(page.locator("#model-totals")).to_contain_text("gpt-4o-mini-2024-07-18")
    assert console_errors == []


def test_changing_growth_and_currency_updates_results_in_place_and_the_url(sample_profile, seeded_server, page: Page, console_errors):
    page.goto(f"{seeded_server.url}/profiles/{sample_profile.pk}/")
    wait_for_charts(page)
    page.evaluate("window.__noReload = true")
    before = ranking_totals(page)
    assert shown_totals(page) == pytest.approx(api_totals(projection_api(sample_profile, page)), abs=0.006)
    chart_before = last_month_cost(page, "current")

    with page.expect_response(lambda r: "growth=10" in r.url and r.request.headers.get("hx-request") == "true"):
        page.fill("#id_growth", "10")
        page.press("#id_growth", "Enter")
    expect(page).to_have_url(re.compile(r"growth=10"))
    wait_for_charts(page)
    assert page.evaluate("window.__noReload") is True  # htmx swapped the results, no page load
    # The swapped-in totals are the projection of the new URL's scenario ...
    grown = projection_api(sample_profile, page)
    assert grown["scenario"]["growth_pct"] == 10
    assert shown_totals(page) == pytest.approx(api_totals(grown), abs=0.006)
    assert ranking_totals(page) != before
    # ... and 10% a month compounds: the current provider's last month (no offers) costs
    # 1.1^(n-1) times what it cost without growth, n = calendar months in the horizon.
    months = calendar_months(grown["horizon"])
    assert last_month_cost(page, "current") == pytest.approx(chart_before * 1.1 ** (months - 1), rel=1e-9)

    with page.expect_response(lambda r: "currency=CNY" in r.url):
        page.select_option("#id_currency", "CNY")
    expect(page.locator("#ranking")).to_contain_text("¥")
    expect(page).to_have_url(re.compile(r"currency=CNY"))
    assert page.evaluate("window.__noReload") is True
    cny_totals = ranking_totals(page)

    page.reload()
    wait_for_charts(page)
    assert ranking_totals(page) == cny_totals  # the URL alone reproduces the view
    assert page.input_value("#id_growth") == "10"
    screenshot(page, "dashboard")
    assert console_errors == []


MIGRATION_OFFER_PROVIDERS = ("alibaba", "baidu", "tencent", "zhipu")


def test_july_2024_preset_shows_savings_claims_the_migration_offers_and_names_the_models(
    sample_profile, seeded_server, page: Page, console_errors
):
    page.goto(f"{seeded_server.url}/profiles/{sample_profile.pk}/?s=1&currency=CNY&growth=2")
    page.click("#preset-july-2024")
    page.wait_for_url(re.compile(r"switch=2024-07-09"))
    # the preset changes the switch date and eligibility only
    expect(page).to_have_url(re.compile(r"currency=CNY"))
    expect(page).to_have_url(re.compile(r"growth=2"))
    expect(page.locator("#results-summary")).to_contain_text("From 2024-07-09 to 2025-07-08 (12 months)")

    # The current provider has a total, and every ranked candidate a saving (none is "—")
    current = page.locator("#ranking tbody tr[data-candidate=current] td.total")
    expect(current).to_contain_text("¥")
    savings = page.locator("#ranking tbody tr:not([data-candidate=current]) td.savings")
    ranked = api_totals(projection_api(sample_profile, page))
    assert savings.count() == len(ranked) - 1 >= 5  # every ranked candidate but the current
    for text in savings.all_inner_texts():
        assert "¥" in text and "—" not in text, text

    # Tencent's and Zhipu's migration offers are claimed; Alibaba's and Baidu's are claimed
    # too, or say what would claim them with a link that sets that mapping.
    for slug in MIGRATION_OFFER_PROVIDERS:
        rows = page.locator(f"#offers-outcome tr[data-provider={slug}]")
        claimed = rows.filter(has=page.locator(".badge.good")).count()
        hinted = rows.locator("a.offer-hint").count()
        assert claimed or hinted, slug
    for slug in ("tencent", "zhipu"):
        expect(page.locator(f"#offers-outcome tr.offer-applied[data-provider={slug}]").first).to_be_visible()
    expect(page.locator("#offers-outcome tr.offer-applied[data-provider=zhipu]")).to_have_count(2)

    # The replacement models are named, with why they were chosen
    zhipu = page.locator("#ranking tbody tr[data-candidate=zhipu], #unranked-table tr[data-candidate=zhipu]")
    expect(zhipu.first).to_contain_text("glm-4")
    expect(zhipu.first).to_contain_text("offer: OpenAI migration plan")
    wait_for_charts(page)
    screenshot(page, "dashboard-july-2024")
    assert console_errors == []


def test_an_offer_hint_link_claims_the_offer(sample_profile, seeded_server, page: Page):
    page.goto(f"{seeded_server.url}/profiles/{sample_profile.pk}/?{JULY_2024}")
    row = page.locator("#offers-outcome tr.offer-not-applied").filter(has=page.locator("a.offer-hint")).first
    name = row.locator("td").nth(1).inner_text()
    row.locator("a.offer-hint").click()
    page.wait_for_url(re.compile(r"map="))
    claimed = page.locator("#offers-outcome tr.offer-applied").filter(has_text=name.split("\n")[0])
    expect(claimed.first).to_be_visible()


def test_results_and_summary_download_as_csv_pandas_reads(sample_profile, seeded_server, page: Page):
    page.goto(f"{seeded_server.url}/profiles/{sample_profile.pk}/?{JULY_2024}")
    frames = {}
    for link in ("#csv-download", "#csv-summary-download"):
        with page.expect_download() as download_info:
            page.click(link)
        download = download_info.value
        assert download.suggested_filename.endswith(".csv")
        frames[link] = pd.read_csv(download.path(), encoding="utf-8-sig")
    results, summary = frames["#csv-download"], frames["#csv-summary-download"]
    # one row per candidate x month (12 months from Jul 9: 13 calendar months)
    assert results.groupby("candidate").size().eq(13).all()
    assert "Zhipu AI BigModel" in set(summary["provider"])
    assert set(summary["candidate"]) == set(results["candidate"])


def test_admin_edit_of_an_offer_changes_the_projection_at_the_same_url(sample_profile, seeded_server, page: Page):
    User.objects.create_superuser("boss", "boss@example.com", "correct horse battery")
    url = f"{seeded_server.url}/profiles/{sample_profile.pk}/?{JULY_2024}"
    page.goto(url)
    before = shown_totals(page)["zhipu"]
    assert before == pytest.approx(api_totals(projection_api(sample_profile, page))["zhipu"], abs=0.006)

    offer = Offer.objects.get(provider__slug="zhipu", eligible_models__model_id="glm-4")
    page.goto(f"{seeded_server.url}/admin/login/?next=/admin/providers/offer/{offer.pk}/change/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(rf"/admin/providers/offer/{offer.pk}/change/"))
    screenshot(page, "admin-offer")
    page.fill("#id_free_tokens", "1000")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    offer.refresh_from_db()
    assert offer.free_tokens == 1000

    page.goto(url)
    # 50M free GLM-4 tokens became 1,000: the page shows the projection with the edited offer,
    # in which Zhipu costs more.
    body = projection_api(sample_profile, page)
    after = shown_totals(page)["zhipu"]
    assert after == pytest.approx(api_totals(body)["zhipu"], abs=0.006)
    assert after > before
    edited = next(o for o in body["offers"] if o["offer_key"] == offer.pk)
    assert edited["applied"] and [pool["size"] for pool in edited["pools"]] == [1000]
    expect(page.locator("#offers-outcome")).to_contain_text("1.00K")


@pytest.mark.parametrize(
    "path",
    ["/", "/?currency=CNY&sort=-input", "/offers/", "/providers/deepseek/", "/providers/openai/", "/upload/", "/profiles/"],
)
def test_pages_render_without_console_errors_or_csp_violations(seeded_server, page: Page, console_errors, path):
    page.goto(f"{seeded_server.url}{path}")
    page.wait_for_load_state("networkidle")
    if page.locator("[data-plotly-src]").count():
        wait_for_charts(page)
        assert all(count > 0 for count in drawn_traces(page))
    screenshot(page, "page" + re.sub(r"[^a-z0-9]+", "-", path).rstrip("-"))
    assert console_errors == []


def test_catalog_filters_update_the_table_through_htmx(seeded_server, page: Page, console_errors):
    page.goto(f"{seeded_server.url}/")
    page.evaluate("window.__noReload = true")
    with page.expect_response(lambda r: "provider=deepseek" in r.url):
        page.select_option("#id_provider", "deepseek")
    expect(page).to_have_url(re.compile(r"provider=deepseek"))
    rows = page.locator("#price-table tbody tr")
    expect(rows.first).to_contain_text("DeepSeek")
    assert page.evaluate("window.__noReload") is True
    assert console_errors == []


def test_an_azure_china_bill_is_ranked_at_its_billed_rates_and_can_switch_to_list_prices(seeded_server, page: Page, console_errors):
    page.goto(f"{seeded_server.url}/upload/")
    page.set_input_files("#upload-form input[type=file]",
                         str(FIXTURES / "cloud" / "azure_china_mca_2024-05-20_2024-06-30.csv"))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(re.compile(r"/profiles/[0-9a-f-]{36}/$"))
    page.goto(page.url + "?" + JULY_2024 + "&currency=CNY")
    wait_for_charts(page)
    expect(page.locator("#current-pricing")).to_contain_text("your bill's effective rates (2024-06)")
    current = page.locator("#ranking tbody tr", has_text="at billed rates")
    expect(current).to_have_count(1)
    screenshot(page, "azure-china-billed-rates")
    page.evaluate("window.__noReload = true")
    with page.expect_response(lambda r: "billed=0" in r.url and r.request.headers.get("hx-request") == "true"):
        page.select_option("#id_billed", "0")
    expect(page.locator("#current-pricing")).to_contain_text("list prices")
    expect(page.locator("#ranking tbody tr", has_text="at billed rates")).to_have_count(0)
    assert page.evaluate("window.__noReload") is True
    assert console_errors == []
