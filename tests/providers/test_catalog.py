"""providers.catalog: ORM rows -> engine snapshot, in a constant number of queries, cached."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from providers.catalog import build_catalog, get_catalog
from providers.models import (
    CatalogState,
    ExchangeRate,
    LLMModel,
    ModelEquivalent,
    Offer,
    Price,
    Provider,
)

pytestmark = pytest.mark.django_db


def make_provider(slug: str, currency: str = "USD") -> Provider:
    return Provider.objects.create(
        slug=slug, name=slug.title(), country="US", region="global", billing_currency=currency
    )


def make_models(provider: Provider, count: int) -> list[LLMModel]:
    models = LLMModel.objects.bulk_create(
        LLMModel(provider=provider, model_id=f"m-{i}", display_name=f"M {i}", tier="balanced")
        for i in range(count)
    )
    Price.objects.bulk_create(
        Price(
            model=m,
            effective_from=dt.date(2024, 1, 1),
            currency="USD",
            input_per_mtok=Decimal("1"),
            output_per_mtok=Decimal("2"),
            verification="verified-official",
        )
        for m in models
    )
    return list(LLMModel.objects.filter(provider=provider).order_by("pk"))


def build_small_catalog(model_count: int) -> None:
    openai = make_provider("openai")
    deepseek = make_provider("deepseek", "CNY")
    source = make_models(openai, model_count)
    targets = make_models(deepseek, 2)
    offer = Offer.objects.create(
        provider=deepseek,
        name="50M free",
        free_tokens=50_000_000,
        eligibility="openai_migrants",
        starts_on=dt.date(2024, 6, 25),
        valid_days_after_claim=90,
        verification="verified-2+sources",
    )
    offer.eligible_models.set(targets)
    ExchangeRate.objects.create(day=dt.date(2024, 7, 1), currency="CNY", per_usd=Decimal("7.1"))
    ModelEquivalent.objects.create(source=source[0], target=targets[0])


def test_snapshot_holds_every_table_of_the_catalog():
    build_small_catalog(3)
    catalog = build_catalog()
    assert set(catalog.providers) == {"openai", "deepseek"}
    assert len(catalog.models) == 5
    first = LLMModel.objects.get(provider__slug="openai", model_id="m-0")
    assert catalog.prices[first.pk][0].input_per_mtok == 1.0
    assert catalog.model_index["m-0"] == first.pk
    (offer,) = catalog.offers
    assert offer.free_tokens == 50_000_000
    assert offer.valid_days_after_claim == 90
    assert len(offer.eligible_models) == 2
    assert catalog.rates["CNY"].per_usd.tolist() == [7.1]
    assert len(catalog.equivalents[first.pk]) == 1


@pytest.mark.parametrize("model_count", [10, 200])
def test_building_the_snapshot_costs_the_same_queries_for_10_or_200_models(
    model_count, django_assert_num_queries
):
    build_small_catalog(model_count)
    # One query per table: providers, models, prices, offer models, offers, rates,
    # equivalents - plus the version check of get_catalog.
    with django_assert_num_queries(8):
        catalog = get_catalog()
    assert len(catalog.models) == model_count + 2


def test_unchanged_catalog_is_served_from_cache_with_one_query(django_assert_num_queries):
    build_small_catalog(3)
    first = get_catalog()
    with django_assert_num_queries(1):
        again = get_catalog()
    assert again is first


def test_editing_a_price_gives_a_new_snapshot_with_the_new_figure():
    build_small_catalog(3)
    model = LLMModel.objects.get(provider__slug="openai", model_id="m-1")
    before = get_catalog()
    assert before.prices[model.pk][0].output_per_mtok == 2.0
    price = Price.objects.get(model=model)
    price.output_per_mtok = Decimal("2.5")
    price.save()
    after = get_catalog()
    assert after is not before
    assert after.prices[model.pk][0].output_per_mtok == 2.5
    # The old snapshot is immutable and unchanged.
    assert before.prices[model.pk][0].output_per_mtok == 2.0


def test_changing_an_offers_models_rebuilds_the_snapshot():
    build_small_catalog(3)
    offer = Offer.objects.get()
    assert len(get_catalog().offers[0].eligible_models) == 2
    offer.eligible_models.clear()
    assert get_catalog().offers[0].eligible_models == frozenset()


def test_a_catalog_edit_in_this_process_is_seen_even_when_the_version_repeats():
    # A rolled-back transaction can reuse a version number: the local signal still clears.
    build_small_catalog(3)
    first = get_catalog()
    ExchangeRate.objects.create(day=dt.date(2024, 7, 2), currency="CNY", per_usd=Decimal("7.2"))
    CatalogState.objects.filter(pk=1).update(version=CatalogState.current() - 1)
    assert get_catalog() is not first


def test_the_catalog_tables_choices_are_the_engines_codes() -> None:
    # The snapshot hands these codes to the engine unchanged: one set of codes (and of
    # eligibility wording) on both sides.
    from dashboard.engine.catalog_types import CURRENCIES, ELIGIBILITY_LABELS, TIERS
    from providers.models import Currency, Eligibility, Tier

    assert tuple(Currency.values) == CURRENCIES
    assert tuple(Tier.values) == TIERS
    assert {code: str(label) for code, label in Eligibility.choices} == dict(ELIGIBILITY_LABELS)
