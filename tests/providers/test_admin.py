"""The admin back office over the seeded catalog."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import reverse

from providers.admin import format_money
from providers.models import (
    CatalogState,
    Currency,
    ExchangeRate,
    ImportRun,
    LLMModel,
    ModelEquivalent,
    Offer,
    Origin,
    Price,
    Provider,
)
from providers.seed import SeedSummary

from .conftest import change_url, form_data

pytestmark = pytest.mark.django_db

D = dt.date
CATALOG_MODELS = [Provider, LLMModel, Price, Offer, ExchangeRate, ModelEquivalent]


@pytest.fixture
def july_2024(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Make "today" the OpenAI cut-off so "in force today" columns have known answers."""
    day = D(2024, 7, 9)
    monkeypatch.setattr("providers.admin.today", lambda: day)
    return day


@pytest.fixture
def import_run(db: None) -> ImportRun:
    return ImportRun.objects.create(
        source="litellm model_prices.json",
        succeeded=True,
        added=3,
        changed=1,
        discrepancies=[{"model": "gpt-4o"}, {"model": "qwen-max"}],
    )


def admin_url(model: type[models.Model], view: str, *args) -> str:
    return reverse(f"admin:providers_{model._meta.model_name}_{view}", args=args)


def first_row(model: type[models.Model]) -> models.Model:
    return model.objects.order_by("pk").first()


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda m: m.__name__)
def test_catalog_pages_answer_staff(
    seeded: SeedSummary, staff_client: Client, model: type[models.Model]
) -> None:
    obj = first_row(model)
    for url in (admin_url(model, "changelist"), admin_url(model, "add"), change_url(obj)):
        assert staff_client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", [*CATALOG_MODELS, ImportRun], ids=lambda m: m.__name__)
def test_catalog_pages_send_anonymous_visitors_to_the_login(
    seeded: SeedSummary, import_run: ImportRun, client: Client, model: type[models.Model]
) -> None:
    obj = first_row(model)
    for url in (admin_url(model, "changelist"), admin_url(model, "add"), change_url(obj)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_import_runs_are_listed_and_shown_read_only(
    staff_client: Client, import_run: ImportRun
) -> None:
    listing = staff_client.get(admin_url(ImportRun, "changelist"))
    assert listing.status_code == 200
    assert b"litellm model_prices.json" in listing.content
    detail = staff_client.get(change_url(import_run))
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content  # view-only: no Save button
    assert staff_client.get(admin_url(ImportRun, "add")).status_code == 403
    assert staff_client.post(change_url(import_run), {"source": "x"}).status_code == 403


def test_import_run_list_counts_discrepancies(import_run: ImportRun) -> None:
    run_admin = admin.site.get_model_admin(ImportRun)
    assert run_admin.discrepancy_count(import_run) == 2


def test_catalog_state_is_not_in_the_admin() -> None:
    assert not admin.site.is_registered(CatalogState)


# ---------------------------------------------------------------- edits


def test_editing_an_offers_free_tokens_stores_it_and_claims_the_row(
    seeded: SeedSummary, admin_edit
) -> None:
    baidu = Offer.objects.get(provider__slug="baidu")
    models_before = set(baidu.eligible_models.all())
    response = admin_edit(baidu, free_tokens=70_000_000)
    assert response.status_code == 302
    baidu.refresh_from_db()
    assert baidu.free_tokens == 70_000_000
    assert baidu.origin == Origin.ADMIN
    assert set(baidu.eligible_models.all()) == models_before


def test_saving_without_changes_leaves_the_row_with_the_seed(
    seeded: SeedSummary, admin_edit
) -> None:
    rate = ExchangeRate.objects.get(day=D(2024, 6, 27))
    assert admin_edit(rate).status_code == 302
    rate.refresh_from_db()
    assert rate.origin == Origin.SEED


def test_changing_only_an_offers_models_claims_the_row(seeded: SeedSummary, staff_client) -> None:
    alibaba = Offer.objects.get(provider__slug="alibaba", name__startswith="Free tokens")
    qwen_max = LLMModel.objects.get(provider__slug="alibaba", model_id="qwen-max")
    data = form_data(staff_client.get(change_url(alibaba)))
    data["eligible_models"] = [str(m.pk) for m in alibaba.eligible_models.all()] + [
        str(qwen_max.pk)
    ]
    assert staff_client.post(change_url(alibaba), data).status_code == 302
    alibaba.refresh_from_db()
    assert alibaba.origin == Origin.ADMIN
    assert qwen_max in alibaba.eligible_models.all()


def test_clean_errors_show_in_the_admin_form_and_nothing_is_stored(
    seeded: SeedSummary, admin_edit
) -> None:
    zhipu = Offer.objects.get(provider__slug="zhipu", name__endswith="GLM-4 tokens")
    response = admin_edit(zhipu, ends_on="2024-06-01")
    assert response.status_code == 200
    assert "The campaign cannot end before it starts." in response.content.decode()
    zhipu.refresh_from_db()
    assert zhipu.ends_on is None
    assert zhipu.origin == Origin.SEED


def test_overlapping_price_added_in_the_admin_is_refused_with_the_reason(
    seeded: SeedSummary, staff_client: Client
) -> None:
    qwen_max = LLMModel.objects.get(provider__slug="alibaba", model_id="qwen-max")
    before = Price.objects.count()
    response = staff_client.post(
        admin_url(Price, "add"),
        {
            "model": qwen_max.pk,
            "effective_from": "2024-06-01",
            "currency": Currency.CNY,
            "input_per_mtok": "30",
            "output_per_mtok": "90",
            "min_prompt_tokens": "0",
            "verification": "unverified",
        },
    )
    assert response.status_code == 200
    assert "Overlaps the price in force 2024-05-21 – 2024-09-19" in response.content.decode()
    assert Price.objects.count() == before


def test_new_row_added_in_the_admin_belongs_to_the_admin(staff_client: Client) -> None:
    response = staff_client.post(
        admin_url(ExchangeRate, "add"),
        {"day": "2024-07-09", "currency": Currency.CNY, "per_usd": "7.1310"},
    )
    assert response.status_code == 302
    assert ExchangeRate.objects.get().origin == Origin.ADMIN


def test_editing_a_price_inline_under_its_model_claims_that_price(
    seeded: SeedSummary, staff_client: Client
) -> None:
    chat = LLMModel.objects.get(provider__slug="deepseek", model_id="deepseek-chat")
    url = change_url(chat)
    data = form_data(staff_client.get(url))
    first = Price.objects.filter(model=chat).order_by("effective_from").first()
    # The inline lists the model's prices in Meta.ordering, so the first form is that row.
    assert data["prices-0-id"] == str(first.pk)
    data["prices-0-output_per_mtok"] = "2.5"
    assert staff_client.post(url, data).status_code == 302
    first.refresh_from_db()
    assert (first.output_per_mtok, first.origin) == (Decimal("2.5"), Origin.ADMIN)
    chat.refresh_from_db()
    assert chat.origin == Origin.SEED  # the model itself was not changed
    untouched = Price.objects.filter(model=chat).exclude(pk=first.pk)
    assert set(untouched.values_list("origin", flat=True)) == {Origin.SEED}


# ---------------------------------------------------------------- computed columns and filters


def test_money_is_shown_with_its_sign_and_at_least_two_decimals() -> None:
    assert format_money(Decimal("1.000000"), Currency.CNY) == "¥1.00"
    assert format_money(Decimal("0.075000"), Currency.USD) == "$0.075"
    assert format_money(Decimal("120"), Currency.CNY) == "¥120.00"
    assert format_money(None, Currency.USD) == "—"


def test_model_list_shows_the_price_in_force_today(
    seeded: SeedSummary, staff_client: Client, july_2024: dt.date
) -> None:
    response = staff_client.get(admin_url(LLMModel, "changelist"), {"q": "deepseek-chat"})
    assert "¥1.00 / ¥2.00 per 1M" in response.content.decode()
    response = staff_client.get(admin_url(LLMModel, "changelist"), {"q": "SenseNova-5.5"})
    assert "no price" in response.content.decode()


def test_model_list_query_count_does_not_grow_with_the_models(
    seeded: SeedSummary, staff_client: Client, django_assert_max_num_queries
) -> None:
    # 93 seeded models on 1 page of 100: per-row lookups would need ~100 queries.
    with django_assert_max_num_queries(15):
        assert staff_client.get(admin_url(LLMModel, "changelist")).status_code == 200


def test_price_list_filters_rows_active_today(
    seeded: SeedSummary, staff_client: Client, july_2024: dt.date
) -> None:
    url = admin_url(Price, "changelist")
    active = staff_client.get(url, {"active_today": "yes", "q": "qwen-max"})
    rows = list(active.context["cl"].result_list)
    # qwen-max on 2024-07-09: only the 40/120 row (2024-05-21 to 2024-09-19) is in force
    assert [(p.model.provider.slug, p.input_per_mtok) for p in rows] == [("alibaba", Decimal("40"))]
    inactive = staff_client.get(url, {"active_today": "no", "q": "qwen-max"})
    assert len(inactive.context["cl"].result_list) == 3 + 1  # 3 other alibaba rows + intl


def test_offer_list_filters_offers_active_today(
    seeded: SeedSummary, staff_client: Client, july_2024: dt.date
) -> None:
    response = staff_client.get(admin_url(Offer, "changelist"), {"active_today": "yes"})
    names = {o.provider.slug for o in response.context["cl"].result_list}
    # On 2024-07-09 the June migration offers, MiniMax and Doubao run; 2026 quotas do not.
    assert names == {
        "zhipu", "baidu", "alibaba", "sensetime", "tencent", "baichuan", "minimax",
        "bytedance-doubao",
    }  # fmt: skip
    tencent = {o.name for o in response.context["cl"].result_list if o.provider.slug == "tencent"}
    assert tencent == {"Free tokens for new users (Hunyuan)"}


@pytest.mark.parametrize(
    ("model", "params"),
    [
        (Price, {"currency__exact": "CNY", "verification__exact": "unverified"}),
        (Price, {"effective_from__year": "2024", "effective_from__month": "5"}),
        (Offer, {"eligibility__exact": "openai_migrants", "starts_on__year": "2024"}),
        (LLMModel, {"tier__exact": "free", "origin__exact": "seed"}),
        (Provider, {"region__exact": "international", "q": "moonshot"}),
        (ModelEquivalent, {"q": "gpt-4o"}),
    ],
)
def test_filters_and_search_narrow_the_lists(
    seeded: SeedSummary, staff_client: Client, model: type[models.Model], params: dict
) -> None:
    response = staff_client.get(admin_url(model, "changelist"), params)
    assert response.status_code == 200
    shown = response.context["cl"].result_count
    assert 0 < shown < model.objects.count()
