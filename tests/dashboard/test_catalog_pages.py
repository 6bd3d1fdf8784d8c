"""The catalog pages (/, /providers/<slug>/, /offers/) and their JSON API twins."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from providers.models import ExchangeRate, LLMModel, Offer, Price, Provider

pytestmark = pytest.mark.django_db


def make_catalog(n_models: int) -> None:
    """A CNY provider whose model ``m0`` costs ¥7.1386 / ¥14.2772 per 1M, a USD provider
    at $1 / $2, one unpriced model and one unverified price; rate 7.1386 CNY per USD."""
    today = timezone.localdate()
    cny = Provider.objects.create(slug="cnp", name="CN Provider", country="CN", region="mainland_china", billing_currency="CNY")
    usd = Provider.objects.create(slug="usp", name="US Provider", country="US", region="international", billing_currency="USD")
    ExchangeRate.objects.create(day=today - dt.timedelta(days=30), currency="CNY", per_usd=Decimal("7.1386"))
    for i in range(n_models):
        model = LLMModel.objects.create(provider=cny, model_id=f"m{i}", display_name=f"M{i}", tier="balanced")
        Price.objects.create(model=model, effective_from=today - dt.timedelta(days=10), currency="CNY",
                             input_per_mtok=Decimal("7.1386"), output_per_mtok=Decimal("14.2772"),
                             verification="verified-official", checked_on=today - dt.timedelta(days=3))
    us_model = LLMModel.objects.create(provider=usd, model_id="us-1", display_name="US 1", tier="flagship")
    Price.objects.create(model=us_model, effective_from=today - dt.timedelta(days=10), currency="USD",
                         input_per_mtok=Decimal("1"), output_per_mtok=Decimal("2"), verification="unverified",
                         checked_on=today - dt.timedelta(days=20))
    LLMModel.objects.create(provider=usd, model_id="us-unpriced", display_name="No price", tier="economy")
    offer = Offer.objects.create(provider=cny, name="Welcome tokens", free_tokens=5_000_000, eligibility="everyone",
                                 starts_on=today - dt.timedelta(days=5), last_seen_on=today - dt.timedelta(days=4),
                                 verification="single-source",
                                 source_url="https://example.com/offer")
    offer.eligible_models.add(LLMModel.objects.get(model_id="m0"))


def test_catalog_shows_native_and_converted_prices_and_marks_unpriced_and_unverified(client: Client) -> None:
    make_catalog(1)
    html = client.get(reverse("catalog"), {"currency": "USD"}).content.decode()
    # ¥7.1386 at 7.1386 CNY per USD is $1.00; ¥14.2772 is $2.00.
    assert "¥7.14" in html and "$1.00" in html and "$2.00" in html
    assert "no price" in table_row(html, "us-unpriced")
    assert "no price" not in table_row(html, "us-1")
    # The badge sits on the unverified row only (the page footer also says "unverified").
    assert "badge warn" in table_row(html, "us-1") and ">unverified<" in table_row(html, "us-1")
    assert ">unverified<" not in table_row(html, "m0")


def table_row(html: str, model_id: str) -> str:
    """The price table's <tr> that lists ``model_id``."""
    at = html.index(f"<code>{model_id}</code>")
    return html[html.rindex("<tr", 0, at):html.index("</tr>", at)]


def test_catalog_in_cny_converts_usd_prices_with_the_latest_rate(client: Client) -> None:
    make_catalog(1)
    html = client.get(reverse("catalog"), {"currency": "CNY", "provider": "usp"}).content.decode()
    table = html[html.index('id="price-table"'):]  # (the page's random CSRF token could hold "m0")
    # $1 x 7.1386 = ¥7.14 ; $2 x 7.1386 = ¥14.28
    assert "¥7.14" in table and "¥14.28" in table
    assert "<code>m0</code>" not in table  # filtered to the US provider


def test_catalog_sorts_by_converted_price_across_currencies(client: Client) -> None:
    make_catalog(2)
    LLMModel.objects.filter(model_id="m1").update(model_id="m-cheap")
    Price.objects.filter(model__model_id="m-cheap").update(input_per_mtok=Decimal("0.5"))
    html = client.get(reverse("catalog"), {"sort": "input"}).content.decode()
    table = html[html.index('id="price-table"'):]
    # ¥0.5 ($0.07) < ¥7.1386 ($1.00) = $1 ; unpriced last
    assert table.index("m-cheap") < table.index("m0") < table.index("us-unpriced")


def test_catalog_htmx_request_gets_only_the_results_fragment(client: Client) -> None:
    make_catalog(1)
    response = client.get(reverse("catalog"), {"tier": "flagship"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="catalog-results">')
    assert "<html" not in html and "us-1" in html and "<code>m0</code>" not in html
    assert "HX-Request" in response["Vary"]


def test_catalog_paginates_server_side(client: Client) -> None:
    make_catalog(60)
    first = client.get(reverse("catalog")).content.decode()
    second = client.get(reverse("catalog"), {"page": 2}).content.decode()
    assert "62 models" in first and "page 1 of 2" in first
    assert "page 2 of 2" in second


def test_catalog_price_chart_has_one_trace_per_priced_provider(client: Client) -> None:
    make_catalog(3)
    response = client.get(reverse("catalog"))
    spec = response.context["price_chart"]
    assert sorted(trace["name"] for trace in spec["data"]) == ["CN Provider", "US Provider"]


@pytest.mark.parametrize("url_name", ["catalog", "offers"])
def test_catalog_pages_use_a_constant_number_of_queries(client: Client, url_name: str) -> None:
    make_catalog(10)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(url_name))
    for i in range(10, 500):
        LLMModel.objects.create(provider=Provider.objects.get(slug="cnp"), model_id=f"x{i}", display_name="x", tier="economy")
    with CaptureQueriesContext(connection) as large:
        client.get(reverse(url_name))
    assert len(small) == len(large)


def test_provider_page_shows_history_table_chart_and_offers(client: Client) -> None:
    make_catalog(1)
    model = LLMModel.objects.get(model_id="m0")
    old = Price.objects.get(model=model)
    start = old.effective_from
    old.effective_from = start - dt.timedelta(days=100)
    old.effective_to = start
    old.save()
    Price.objects.create(model=model, effective_from=start, currency="CNY", input_per_mtok=Decimal("1"),
                         output_per_mtok=Decimal("2"), verification="single-source")
    response = client.get(reverse("provider_detail", args=["cnp"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "price-history-table" in html and "Welcome tokens" in html
    traces = response.context["history_chart"]["data"]
    # One legend entry per model: input solid, output dotted, toggled together.
    assert [(t["name"], t["line"]["dash"], t["showlegend"]) for t in traces] == [
        ("m0", "solid", True),
        ("m0", "dot", False),
    ]


def test_catalog_and_provider_pages_say_when_prices_were_last_checked(client: Client) -> None:
    make_catalog(1)
    today = timezone.localdate()
    # The catalog: the latest checked_on of all prices (m0's, 3 days ago, not us-1's 20).
    html = client.get(reverse("catalog")).content.decode()
    assert f"Prices last checked {today - dt.timedelta(days=3):%Y-%m-%d}" in html
    # A provider page: the latest of its own prices.
    html = client.get(reverse("provider_detail", args=["usp"])).content.decode()
    checked = html[html.index('id="prices-last-checked"'):]
    assert f"{today - dt.timedelta(days=20):%Y-%m-%d}" in checked[:200]


def test_catalog_page_shows_the_date_of_the_exchange_rate_it_converts_with(client: Client) -> None:
    make_catalog(1)
    html = client.get(reverse("catalog"), {"currency": "USD"}).content.decode()
    rate_day = timezone.localdate() - dt.timedelta(days=30)
    assert f"Conversion at 1 USD = 7.1386 CNY ({rate_day:%Y-%m-%d}" in html


def test_offers_filter_leaves_out_an_open_ended_offer_after_its_assumed_end(client: Client) -> None:
    make_catalog(1)
    offer = Offer.objects.get()
    offer.starts_on, offer.last_seen_on = dt.date(2024, 6, 1), dt.date(2024, 7, 10)
    offer.save()
    # 2024-07-10 + 6 months (the default window) = 2025-01-10: listed then, not a day later.
    listed = client.get(reverse("offers"), {"active_on": "2025-01-10"}).content.decode()
    after = client.get(reverse("offers"), {"active_on": "2025-01-11"}).content.decode()
    assert "Welcome tokens" in listed and "Welcome tokens" not in after
    api = client.get(reverse("api:offers"), {"active_on": "2025-01-11"}).json()
    assert api["offers"] == []
    api = client.get(reverse("api:offers"), {"active_on": "2025-01-10"}).json()
    assert api["offers"][0]["assumed_until"] == "2025-01-10"


def test_unknown_provider_is_404(client: Client) -> None:
    assert client.get(reverse("provider_detail", args=["nope"])).status_code == 404


def test_offers_page_lists_amount_models_window_and_marks_the_cutoff(client: Client) -> None:
    make_catalog(1)
    response = client.get(reverse("offers"))
    html = response.content.decode()
    assert "5,000,000 tokens" in html and "m0" in html and "end not published" in html
    last_seen = timezone.localdate() - dt.timedelta(days=4)
    assert f"last seen running {last_seen:%Y-%m-%d}" in html
    shapes = response.context["timeline_chart"]["layout"]["shapes"]
    assert shapes[0]["x0"] == "2024-07-09"


def test_offers_filter_by_day_excludes_offers_not_yet_started(client: Client) -> None:
    make_catalog(1)
    html = client.get(reverse("offers"), {"active_on": "2020-01-01"}).content.decode()
    assert "Welcome tokens" not in html


def test_catalog_api_returns_converted_prices_and_filters(client: Client) -> None:
    make_catalog(2)
    body = client.get(reverse("api:catalog_models"), {"provider": "cnp", "currency": "USD"}).json()
    assert body["count"] == 2
    price = body["models"][0]["price"]
    assert price["currency"] == "CNY" and price["input_per_mtok"] == pytest.approx(7.1386)
    assert price["input_per_mtok_usd"] == pytest.approx(1.0)


def test_catalog_api_rejects_bad_parameters_with_a_message_per_field(client: Client) -> None:
    make_catalog(1)
    response = client.get(reverse("api:catalog_models"), {"currency": "EUR", "tier": "mega"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"currency", "tier"}


def test_offers_api_lists_offers_and_rejects_bad_dates(client: Client) -> None:
    make_catalog(1)
    offers = client.get(reverse("api:offers")).json()["offers"]
    assert offers[0]["free_tokens"] == 5_000_000 and offers[0]["eligible_models"] == ["m0"]
    bad = client.get(reverse("api:offers"), {"active_on": "yesterday"})
    assert bad.status_code == 400 and "active_on" in bad.json()["errors"]


def test_catalog_page_renders_the_seed(client: Client, seeded) -> None:
    html = client.get(reverse("catalog"), {"provider": "deepseek"}).content.decode()
    assert "deepseek-chat" in html
    offers = client.get(reverse("offers")).content.decode()
    assert "搬家计划" in offers
    json.loads(client.get(reverse("api:offers")).content)


def make_chinese_catalog() -> None:
    """Two providers known by Chinese names; one model exported under an alias."""
    today = timezone.localdate()
    tencent = Provider.objects.create(slug="tencent", name="Tencent Cloud Hunyuan", name_zh="腾讯混元", country="CN",
                                      region="mainland_china", billing_currency="CNY")
    baidu = Provider.objects.create(slug="baidu", name="Baidu AI Cloud Qianfan (ERNIE)", name_zh="百度千帆", country="CN",
                                    region="mainland_china", billing_currency="CNY")
    alibaba = Provider.objects.create(slug="alibaba", name="Alibaba Cloud Model Studio", name_zh="阿里云百炼", country="CN",
                                      region="mainland_china", billing_currency="CNY")
    for provider, model_id, name, name_zh, aliases in (
        (tencent, "hunyuan-pro", "Hunyuan Pro", "", []),
        (tencent, "hunyuan-lite", "Hunyuan Lite", "", ["混元轻量"]),
        (baidu, "ERNIE-3.5-8K", "ERNIE 3.5 8K", "", ["ERNIE-Bot", "文心一言3.5"]),
        (alibaba, "qwen-plus", "Qwen Plus", "通义千问-Plus", []),
    ):
        model = LLMModel.objects.create(provider=provider, model_id=model_id, display_name=name, name_zh=name_zh,
                                        tier="balanced", aliases=aliases)
        Price.objects.create(model=model, effective_from=today - dt.timedelta(days=10), currency="CNY",
                             input_per_mtok=Decimal("1"), output_per_mtok=Decimal("2"), verification="verified-official")


def listed(client: Client, q: str) -> list[str]:
    body = client.get(reverse("api:catalog_models"), {"q": q}).json()
    return [m["model_id"] for m in body["models"]]


def test_search_finds_models_by_their_providers_chinese_name(client: Client) -> None:
    make_chinese_catalog()
    assert listed(client, "混元") == ["hunyuan-lite", "hunyuan-pro"]
    assert listed(client, "百度") == ["ERNIE-3.5-8K"]


def test_search_finds_a_model_by_an_alias_in_any_script_and_case(client: Client) -> None:
    make_chinese_catalog()
    assert listed(client, "ernie-bot") == ["ERNIE-3.5-8K"]
    assert listed(client, "文心") == ["ERNIE-3.5-8K"]  # part of the alias 文心一言3.5
    assert listed(client, "轻量") == ["hunyuan-lite"]


def test_search_finds_a_model_by_its_chinese_name(client: Client) -> None:
    make_chinese_catalog()
    assert listed(client, "通义") == ["qwen-plus"]
    assert listed(client, "千问 plus") == ["qwen-plus"]


@pytest.mark.parametrize(
    ("word", "family"), [("混元", "hunyuan"), ("文心", "ernie"), ("通义", "qwen"), ("豆包", "doubao"), ("智谱", "glm")]
)
def test_the_seed_catalog_is_searchable_by_the_chinese_brand_names(client: Client, seeded, word: str, family: str) -> None:
    found = listed(client, word)
    assert found and all(family in model_id.lower() for model_id in found), found


def test_search_needs_every_word_to_match_somewhere(client: Client) -> None:
    make_chinese_catalog()
    assert listed(client, "腾讯 lite") == ["hunyuan-lite"]  # provider's Chinese name + model name
    assert listed(client, "hunyuan ernie") == []


def test_the_catalog_page_search_shows_the_matching_models(client: Client) -> None:
    make_chinese_catalog()
    html = client.get(reverse("catalog"), {"q": "混元"}).content.decode()
    table = html[html.index('id="price-table"'):]
    assert "hunyuan-pro" in table and "ERNIE-3.5-8K" not in table


def test_a_provider_page_leaves_out_notes_meant_for_maintainers(client: Client) -> None:
    make_catalog(1)
    Provider.objects.filter(slug="cnp").update(
        notes="CNY list prices until 2025-09-05, then USD (one currency per period). See fixtures/catalog/README.md."
    )
    html = client.get(reverse("provider_detail", args=["cnp"])).content.decode()
    assert "CNY list prices until 2025-09-05, then USD (one currency per period)." in html
    assert "README" not in html and "fixtures/" not in html


def test_the_provider_page_draws_its_history_in_the_currency_asked_for(client: Client) -> None:
    make_catalog(1)
    response = client.get(reverse("provider_detail", args=["cnp"]), {"currency": "USD"})
    line = response.context["history_chart"]["data"][0]
    # ¥7.1386 at 7.1386 CNY per USD is $1.00 per 1M input tokens.
    assert line["y"][0] == pytest.approx(1.0)
    assert response.context["history_chart"]["layout"]["yaxis"]["tickprefix"] == "$"
    default = client.get(reverse("provider_detail", args=["cnp"]))
    assert default.context["currency"] == "CNY"  # what the provider bills today
    assert default.context["history_chart"]["data"][0]["y"][0] == pytest.approx(7.1386)
    assert client.get(reverse("provider_detail", args=["cnp"]), {"currency": "EUR"}).context["currency"] == "CNY"
