"""The product as a browser asking for zh-CN sees it: every page in Chinese (model ids, brand
names and units aside), the switcher keeps the scenario, and screenshots at desktop and phone
width for a person to look at (SHOTS_DIR, default /tmp/i18n-shots; never committed)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_for_charts

pytestmark = pytest.mark.e2e
JULY_2024 = "s=1&switch=2024-07-09&elig=openai_migrants&elig=new_customers&growth=5"
SHOTS_DIR = Path(os.environ.get("SHOTS_DIR", "/tmp/i18n-shots"))
# Words that are the same in a Chinese UI: units, currencies, file formats and acronyms.
UNITS = {
    "tokens", "token", "Token", "Tokens", "M", "K", "B", "USD", "CNY", "API", "CSV", "JSON", "UTC", "TokenScope",
    "Scope", "Batch", "ID", "UTF-8", "GB18030", "GBK", "Δ", "BigQuery", "EA", "MCA", "CUR", "FOCUS", "SKU",
    "SpendLogs", "Console", "Activity", "Cost", "Marketplace", "blob", "Spend", "KB", "MB", "GB", "gz", "zip",
}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}


def allowed_words() -> set[str]:
    """Names from the catalog (providers, models, offers, usage formats' product names)."""
    from dashboard.engine.usage import FORMATS
    from dashboard.models import UsageProfile
    from providers.models import LLMModel, Offer, Provider

    texts: list[str] = [*UNITS, *FORMATS.values()]
    texts += [text for p in Provider.objects.all() for text in (p.name, p.name_zh)]
    for model in LLMModel.objects.all():
        texts += [model.model_id, model.display_name, model.name_zh, *model.aliases]
    texts += [text for o in Offer.objects.all() for text in (o.name, o.name_zh)]
    texts += [p.file_name for p in UsageProfile.objects.all()]
    return {w for text in texts for w in WORD.findall(text)} | {w.strip(".-") for text in texts for w in WORD.findall(text)}


def visible_text(page: Page) -> str:
    """What a reader sees: the body's rendered text without code (ids, file names) and without
    catalog text written in English (marked lang="en": providers' notes, sources), the chart
    SVG text included."""
    return page.evaluate(
        """() => {
             const body = document.body.cloneNode(true);
             body.querySelectorAll('code, pre, script, style, [lang="en"], .brand, input').forEach(e => e.remove());
             const svg = Array.from(document.querySelectorAll('.js-plotly-plot text'))
               .map(t => t.textContent).join(' ');
             document.body.append(body); body.style.position = 'absolute'; body.style.left = '-99999px';
             const text = body.innerText; body.remove();
             return text + ' ' + svg;
           }"""
    )


def english_words(page: Page, allowed: set[str]) -> set[str]:
    words = set()
    text = re.sub(r"[A-Za-z]+…", "…", visible_text(page))  # a name cut short to fit a chart label
    for word in WORD.findall(text):
        stripped = word.strip(".-_")
        if word in allowed or stripped in allowed or not re.search(r"[A-Za-z]{2}", stripped):
            continue
        words.add(word)
    return words


def open_charts(page: Page) -> None:
    if page.locator("[data-plotly-src]").count():
        page.evaluate("document.querySelectorAll('details:has([data-plotly-src])').forEach(d => d.open = true)")
        wait_for_charts(page)


def shots(page: Page, name: str) -> None:
    """Full-page screenshots at 1280 px and, reloaded at that width, 390 px; the phone page
    must not scroll sideways."""
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS_DIR / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    open_charts(page)
    page.screenshot(path=str(SHOTS_DIR / f"{name}-390.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert overflow <= 1, f"{name}: the page scrolls sideways by {overflow}px on a phone"


def test_every_main_page_is_chinese_for_a_zh_cn_browser(sample_profile, seeded_server, page: Page, console_errors):
    allowed = allowed_words()
    pages = {
        "home": "/",
        "provider": "/providers/deepseek/",
        "offers": "/offers/",
        "upload": "/upload/",
        "estimate": "/estimate/",
        "dashboard": f"/profiles/{sample_profile.pk}/?{JULY_2024}",
    }
    found = {}
    for name, path in pages.items():
        page.goto(seeded_server.url + path)
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        open_charts(page)
        english = english_words(page, allowed)
        if english:
            found[name] = sorted(english)
        shots(page, name)
    assert found == {}, f"English words on Chinese pages: {found}"
    assert console_errors == []


def test_switching_language_on_a_dashboard_keeps_the_scenario(sample_profile, seeded_server, page: Page, console_errors):
    url = f"{seeded_server.url}/profiles/{sample_profile.pk}/?{JULY_2024}"
    page.goto(url)
    expect(page.locator("#results-heading")).to_have_text("费用预测")
    # A scenario change is pushed into the URL by htmx; the switcher must carry it over.
    with page.expect_response(lambda r: "horizon=24" in r.url):
        page.fill("#id_horizon", "24")
        page.locator("#id_horizon").dispatch_event("change")
    expect(page).to_have_url(re.compile("horizon=24"))
    page.locator("#language-switcher button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"switch=2024-07-09.*horizon=24|horizon=24.*switch=2024-07-09"))
    expect(page.locator("#results-summary")).to_contain_text("From 2024-07-09 to 2026-07-08 (24 months)")
    expect(page.locator("#results-summary")).to_contain_text("growth 5% a month")
    page.locator("#language-switcher button[value=zh-hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#results-summary")).to_contain_text("2024-07-09 至 2026-07-08（24 个月）")
    assert console_errors == []
