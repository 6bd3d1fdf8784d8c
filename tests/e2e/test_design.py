"""The dashboard as a finance lead reads it, checked in Chromium: Back shows whole pages, charts
keep a readable plot and one colour per provider, no page scrolls sideways on a phone, search
in Chinese, and the estimate flow from the home page to the dashboard."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_for_charts

pytestmark = pytest.mark.e2e
JULY_2024 = "s=1&switch=2024-07-09&elig=openai_migrants&elig=new_customers"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def open_all_charts(page: Page) -> None:
    page.evaluate("document.querySelectorAll('details:has([data-plotly-src])').forEach(d => d.open = true)")
    wait_for_charts(page)


def plot_heights(page: Page) -> dict[str, float]:
    """Height of each chart's plotting area as drawn (the legend and axes excluded)."""
    return page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('.js-plotly-plot'))
             .map(el => [el.id, el.querySelector('.nsewdrag').getBoundingClientRect().height]))"""
    )


def provider_colours(page: Page) -> list[tuple[str, str, str]]:
    """(chart, provider key, colour) of every provider series drawn on the page."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(el =>
             el._fullData.flatMap(t => {
               if (Array.isArray(t.meta)) return t.meta.map((key, i) => [el.id, key, t.marker.color[i]]);
               if (typeof t.meta !== 'string') return [];
               return [[el.id, t.meta, (t.line && t.mode.includes('lines')) ? t.line.color : t.marker.color]];
             }))"""
    )


def sideways_scroll(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def swap(page: Page, action, url_part: str) -> None:
    with page.expect_response(lambda r: url_part in r.url and r.request.headers.get("hx-request") == "true"):
        action()
    expect(page).to_have_url(re.compile(re.escape(url_part)))


def test_back_after_two_swaps_on_the_price_list_shows_the_whole_page(seeded_server, page: Page, console_errors):
    page.goto(f"{seeded_server.url}/")
    swap(page, lambda: page.select_option("#id_region", "mainland_china"), "region=mainland_china")
    swap(page, lambda: page.select_option("#id_tier", "flagship"), "tier=flagship")
    expect(page.locator("#price-table")).not_to_contain_text("Balanced")

    page.go_back()
    expect(page).to_have_url(re.compile(r"region=mainland_china(?!.*tier=flagship)"))
    # The URL changes at once; wait for the restored content (the region-only list) first.
    expect(page.locator("#price-table")).to_contain_text("Balanced")
    for whole_page_part in (".site-header", "#hero-title", "#estimate-form", "form.filters", "#price-table", ".site-footer"):
        expect(page.locator(whole_page_part)).to_be_visible()
    expect(page.locator(".site-header")).to_have_count(1)  # not a page nested in the page
    wait_for_charts(page)
    page.go_back()
    expect(page).to_have_url(f"{seeded_server.url}/")
    expect(page.locator("#hero-title")).to_be_visible()
    expect(page.locator("#price-table")).to_contain_text("01.AI")
    assert console_errors == []


def test_back_after_two_swaps_on_a_dashboard_shows_the_whole_page(sample_profile, seeded_server, page: Page, console_errors):
    page.goto(f"{seeded_server.url}/profiles/{sample_profile.pk}/?s=1")
    wait_for_charts(page)
    swap(page, lambda: (page.fill("#id_growth", "10"), page.press("#id_growth", "Enter")), "growth=10")
    swap(page, lambda: page.select_option("#id_currency", "CNY"), "currency=CNY")
    expect(page.locator("#ranking")).to_contain_text("¥")

    page.go_back()
    expect(page).to_have_url(re.compile(r"growth=10&currency=USD|currency=USD.*growth=10"))
    # The URL changes at once; wait for the restored content before looking at the page.
    expect(page.locator("#ranking")).to_contain_text("$")
    for whole_page_part in (".site-header", "#profile-title", "#scenario-form", "#ranking", "#chart-monthly"):
        expect(page.locator(whole_page_part)).to_be_visible()
    expect(page.locator(".site-header")).to_have_count(1)
    assert page.input_value("#id_growth") == "10"
    wait_for_charts(page)
    assert console_errors == []


def test_every_chart_keeps_a_plot_at_least_180px_tall_at_1280px(sample_profile, seeded_server, page: Page):
    page.set_viewport_size(DESKTOP)
    for path in (f"/profiles/{sample_profile.pk}/?{JULY_2024}", "/", "/providers/deepseek/", "/providers/openai/", "/offers/"):
        page.goto(f"{seeded_server.url}{path}")
        open_all_charts(page)
        heights = plot_heights(page)
        assert heights and all(h >= 180 for h in heights.values()), (path, heights)
        # The legend sits below the plot, never on it.
        overlaps = page.evaluate(
            """() => Array.from(document.querySelectorAll('.js-plotly-plot')).filter(el => {
                 const legend = el.querySelector('.legend'); if (!legend) return false;
                 return legend.getBoundingClientRect().top < el.querySelector('.nsewdrag').getBoundingClientRect().bottom; })
               .map(el => el.id)"""
        )
        assert overlaps == [], (path, overlaps)


def test_a_provider_has_one_colour_across_every_chart_of_two_scenarios(sample_profile, seeded_server, page: Page):
    seen: dict[str, set[str]] = {}
    charts_seen: set[str] = set()
    for query in ("s=1", JULY_2024):
        page.goto(f"{seeded_server.url}/profiles/{sample_profile.pk}/?{query}")
        open_all_charts(page)
        for chart, key, colour in provider_colours(page):
            seen.setdefault(key, set()).add(colour.lower())
            charts_seen.add(chart)
    assert {"chart-monthly", "chart-cumulative", "chart-history"} <= charts_seen
    assert len(seen) > 5  # several providers, drawn in several charts
    assert {key: colours for key, colours in seen.items() if len(colours) > 1} == {}
    assert seen["current"] == {"#1d2330"}


def test_a_cheapest_chart_never_draws_a_provider_that_is_not_ranked(sample_profile, seeded_server, page: Page):
    page.goto(f"{seeded_server.url}/profiles/{sample_profile.pk}/?{JULY_2024}")
    wait_for_charts(page)
    unranked = page.locator("#unranked-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.candidate)")
    drawn = page.evaluate("document.getElementById('chart-monthly')._fullData.map(t => t.meta)")
    assert "current" in drawn and len(drawn) <= 8
    assert not set(unranked) & set(drawn)


PAGES = ["/", "/?q=混元", "/?q=zzzz-no-such-model", "/offers/", "/providers/baidu/", "/providers/deepseek/",
         "/providers/openai/", "/upload/", "/profiles/", "/estimate/", "/no-such-page/", "/providers/no-such-provider/"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_no_page_scrolls_sideways_on_a_phone(seeded_server, page: Page, path: str):
    page.set_viewport_size(PHONE)
    page.goto(f"{seeded_server.url}{path}")
    page.wait_for_load_state("networkidle")
    assert sideways_scroll(page) == 0


def test_the_dashboard_does_not_scroll_sideways_on_a_phone(sample_profile, seeded_server, page: Page):
    page.set_viewport_size(PHONE)
    page.goto(f"{seeded_server.url}/profiles/{sample_profile.pk}/?{JULY_2024}")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    wait_for_charts(page)
    assert sideways_scroll(page) == 0
    # The ranking scrolls inside its own box instead.
    assert page.evaluate("(() => { const w = document.querySelector('#ranking').closest('.table-wrap'); return w.scrollWidth > w.clientWidth; })()")


def test_an_empty_search_shows_a_message_instead_of_an_empty_chart(seeded_server, page: Page):
    page.goto(f"{seeded_server.url}/")
    with page.expect_response(lambda r: "q=zzzz" in r.url):
        page.fill("#id_q", "zzzz")
    expect(page.locator("#price-chart-empty")).to_contain_text("nothing to plot")
    expect(page.locator("#price-chart")).to_have_count(0)


def test_searching_in_chinese_finds_the_providers_models(seeded_server, page: Page):
    page.goto(f"{seeded_server.url}/")
    with page.expect_response(lambda r: "q=" in r.url and r.request.headers.get("hx-request") == "true"):
        page.fill("#id_q", "混元")
    rows = page.locator("#price-table tbody tr")
    expect(rows.first).to_contain_text("Tencent Cloud Hunyuan")
    assert all("Tencent" in text for text in rows.all_inner_texts())


def test_the_price_history_draws_deepseeks_switch_to_usd_as_a_marked_line(seeded_server, page: Page):
    page.goto(f"{seeded_server.url}/providers/deepseek/")
    wait_for_charts(page)
    chart = page.locator("#price-history")
    expect(chart).to_contain_text("billed in USD from 2025-09-05")
    prefixes = page.evaluate("document.getElementById('price-history')._fullLayout.yaxis.tickprefix")
    assert prefixes == "$"  # one currency on the axis
    page.click("nav.segmented >> text=CNY")
    wait_for_charts(page)
    assert page.evaluate("document.getElementById('price-history')._fullLayout.yaxis.tickprefix") == "¥"


def test_estimate_from_the_home_page_opens_the_dashboard(seeded_server, page: Page, console_errors):
    page.goto(f"{seeded_server.url}/")
    with page.expect_response(lambda r: "/estimate/models" in r.url):
        page.fill("#estimate_model", "混元")
    expect(page.locator("#estimate-models option[value='tencent/hunyuan-pro']")).to_have_count(1)
    page.fill("#estimate_model", "tencent/hunyuan-pro")
    page.fill("#estimate_input_tokens", "120M")
    page.fill("#estimate_output_tokens", "30M")
    page.fill("#estimate_cache_read_pct", "20")
    page.fill("#estimate_growth", "5")
    page.click("#estimate-form button[type=submit]")
    page.wait_for_url(re.compile(r"/profiles/[0-9a-f-]{36}/\?.*growth=5"))
    expect(page.locator("#profile-title")).to_contain_text("hunyuan-pro: 120M input")
    expect(page.locator("#ranking")).to_contain_text("Current (Tencent Cloud Hunyuan)")
    expect(page.locator("#ranking tbody tr").nth(1)).to_be_visible()
    wait_for_charts(page)
    assert page.input_value("#id_growth") == "5"
    assert console_errors == []


def test_a_bad_estimate_says_what_is_wrong_and_keeps_what_was_typed(seeded_server, page: Page):
    page.goto(f"{seeded_server.url}/estimate/")
    page.fill("#estimate_model", "gpt-17-ultra")
    page.fill("#estimate_input_tokens", "120M")
    page.fill("#estimate_output_tokens", "lots")
    page.click("#estimate-form button[type=submit]")
    expect(page.locator("#estimate-errors")).to_contain_text("Nothing was stored")
    expect(page.locator("#estimate-form")).to_contain_text("No catalog model is called 'gpt-17-ultra'")
    expect(page.locator("#estimate-form")).to_contain_text("Enter a whole number of tokens")
    assert page.input_value("#estimate_input_tokens") == "120M"


def test_the_admin_model_picker_shows_whole_model_names(seeded_server, page: Page):
    User.objects.create_superuser("boss", "boss@example.com", "correct horse battery")
    page.goto(f"{seeded_server.url}/admin/login/?next=/admin/providers/price/add/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/providers/price/add/"))
    page.click(".field-model .select2-selection")
    page.fill(".select2-search__field", "international")
    option = page.locator(".select2-results__option", has_text="Alibaba Cloud Model Studio (international)").first
    option.click()
    rendered = page.locator(".field-model .select2-selection__rendered")
    expect(rendered).to_contain_text("Alibaba Cloud Model Studio (international)")
    assert rendered.evaluate("el => el.scrollWidth <= el.clientWidth")  # nothing cut off
