"""Catalog rules: each one accepted when valid, rejected with a clear clean() message when
not, and — where a database can express the rule — rejected by the database even when
code skips clean()."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from providers.models import (
    Currency,
    Eligibility,
    ExchangeRate,
    LLMModel,
    ModelEquivalent,
    Offer,
    Price,
    Provider,
    Region,
    Tier,
    Verification,
)

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def provider() -> Provider:
    return Provider.objects.create(
        slug="deepseek",
        name="DeepSeek",
        country="CN",
        region=Region.MAINLAND_CHINA,
        billing_currency=Currency.CNY,
    )


@pytest.fixture
def model(provider: Provider) -> LLMModel:
    return LLMModel.objects.create(
        provider=provider,
        model_id="deepseek-chat",
        display_name="DeepSeek Chat",
        tier=Tier.FLAGSHIP,
    )


def make_price(model: LLMModel, start: dt.date, end: dt.date | None = None, **extra) -> Price:
    values = {
        "model": model,
        "effective_from": start,
        "effective_to": end,
        "currency": Currency.CNY,
        "input_per_mtok": Decimal("1"),
        "output_per_mtok": Decimal("2"),
        "verification": Verification.OFFICIAL,
    }
    values.update(extra)
    return Price(**values)


def make_offer(provider: Provider, **extra) -> Offer:
    values = {
        "provider": provider,
        "name": "Migration tokens",
        "free_tokens": 50_000_000,
        "eligibility": Eligibility.OPENAI_MIGRANTS,
        "starts_on": D(2024, 6, 25),
        "verification": Verification.TWO_SOURCES,
    }
    values.update(extra)
    values.setdefault("last_seen_on", values["starts_on"])  # required when no end is published
    return Offer(**values)


def errors_of(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def rejected_by_database(obj) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


# ---------------------------------------------------------------- prices


def test_free_price_of_zero_is_valid(model: LLMModel) -> None:
    price = make_price(
        model, D(2024, 5, 21), input_per_mtok=Decimal("0"), output_per_mtok=Decimal("0")
    )
    price.full_clean()
    price.save()
    assert Price.objects.get().input_per_mtok == 0


@pytest.mark.parametrize(
    "field",
    ["input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "batch_output_per_mtok"],
)
def test_negative_price_is_rejected_by_clean_and_by_the_database(
    model: LLMModel, field: str
) -> None:
    price = make_price(model, D(2024, 5, 6), **{field: Decimal("-0.01")})
    assert "A price cannot be negative." in errors_of(price)[field]
    rejected_by_database(price)


def test_price_ending_after_it_starts_is_valid(model: LLMModel) -> None:
    make_price(model, D(2024, 5, 6), D(2024, 5, 7)).full_clean()


@pytest.mark.parametrize("end", [D(2024, 5, 6), D(2024, 5, 1)])
def test_price_ending_on_or_before_its_start_is_rejected(model: LLMModel, end: dt.date) -> None:
    price = make_price(model, D(2024, 5, 6), end)
    assert errors_of(price)["effective_to"] == [
        "The end date must be after the start date (it is exclusive)."
    ]
    rejected_by_database(price)


def test_adjacent_price_rows_do_not_overlap(model: LLMModel) -> None:
    # effective_to is exclusive: the first row covers up to 2024-08-01 inclusive.
    make_price(model, D(2024, 5, 6), D(2024, 8, 2)).save()
    make_price(model, D(2024, 8, 2), cache_read_per_mtok=Decimal("0.1")).full_clean()


def test_open_ended_row_overlapping_a_later_row_is_rejected(model: LLMModel) -> None:
    make_price(model, D(2024, 8, 2)).save()
    earlier_open_ended = make_price(model, D(2024, 5, 6))
    message = errors_of(earlier_open_ended)["effective_from"][0]
    assert message.startswith("Overlaps the price in force 2024-08-02 – open-ended")


def test_new_row_starting_inside_an_open_ended_row_is_rejected(model: LLMModel) -> None:
    make_price(model, D(2024, 5, 6)).save()
    message = errors_of(make_price(model, D(2024, 8, 2)))["effective_from"][0]
    assert "close that row first" in message


def test_price_rows_of_different_context_tiers_may_overlap(model: LLMModel) -> None:
    make_price(model, D(2024, 5, 6)).save()
    make_price(model, D(2024, 5, 6), min_prompt_tokens=128_000).full_clean()


def test_price_rows_of_different_models_may_overlap(model: LLMModel, provider: Provider) -> None:
    other = LLMModel.objects.create(
        provider=provider, model_id="deepseek-reasoner", display_name="R1", tier=Tier.FRONTIER
    )
    make_price(model, D(2024, 5, 6)).save()
    make_price(other, D(2024, 5, 6)).full_clean()


def test_two_rows_starting_the_same_day_are_rejected_by_the_database(model: LLMModel) -> None:
    make_price(model, D(2024, 5, 6), D(2024, 8, 2)).save()
    rejected_by_database(make_price(model, D(2024, 5, 6)))


def test_editing_a_row_does_not_count_as_overlapping_itself(model: LLMModel) -> None:
    price = make_price(model, D(2024, 5, 6))
    price.save()
    price.output_per_mtok = Decimal("3")
    price.full_clean()


# ---------------------------------------------------------------- offers


def test_offer_ending_on_its_start_day_is_valid(provider: Provider) -> None:
    offer = make_offer(provider, starts_on=D(2024, 7, 31), ends_on=D(2024, 7, 31))
    offer.full_clean()
    offer.save()


def test_offer_ending_before_it_starts_is_rejected(provider: Provider) -> None:
    offer = make_offer(provider, starts_on=D(2024, 7, 9), ends_on=D(2024, 7, 8))
    assert errors_of(offer)["ends_on"] == ["The campaign cannot end before it starts."]
    rejected_by_database(offer)


def test_offer_with_a_credit_instead_of_tokens_is_valid(provider: Provider) -> None:
    offer = make_offer(
        provider, free_tokens=None, credit_amount=Decimal("10.00"), credit_currency=Currency.USD
    )
    offer.full_clean()
    offer.save()


def test_offer_with_both_tokens_and_credit_is_rejected(provider: Provider) -> None:
    offer = make_offer(provider, credit_amount=Decimal("10.00"), credit_currency=Currency.USD)
    assert errors_of(offer)["free_tokens"] == [
        "Give either a number of free tokens or a money credit (exactly one)."
    ]
    rejected_by_database(offer)


def test_offer_with_neither_tokens_nor_credit_is_rejected(provider: Provider) -> None:
    offer = make_offer(provider, free_tokens=None)
    assert "exactly one" in errors_of(offer)["free_tokens"][0]


def test_offer_with_neither_tokens_nor_credit_is_rejected_by_the_database(
    provider: Provider,
) -> None:
    rejected_by_database(make_offer(provider, free_tokens=None))


@pytest.mark.parametrize("tokens", [0, -5])
def test_offer_with_no_positive_token_count_is_rejected(provider: Provider, tokens: int) -> None:
    offer = make_offer(provider, free_tokens=tokens)
    assert errors_of(offer)["free_tokens"] == ["Free tokens must be a positive number."]
    rejected_by_database(offer)


def test_offer_with_a_zero_credit_is_rejected(provider: Provider) -> None:
    offer = make_offer(
        provider, free_tokens=None, credit_amount=Decimal("0"), credit_currency=Currency.CNY
    )
    assert errors_of(offer)["credit_amount"] == ["The credit must be a positive amount."]
    rejected_by_database(offer)


def test_offer_credit_without_a_currency_is_rejected(provider: Provider) -> None:
    offer = make_offer(provider, free_tokens=None, credit_amount=Decimal("5"))
    assert errors_of(offer)["credit_currency"] == ["A credit needs its currency."]


# ---------------------------------------------------------------- exchange rates


def test_positive_exchange_rate_is_valid() -> None:
    rate = ExchangeRate(day=D(2024, 6, 27), currency=Currency.CNY, per_usd=Decimal("7.1270"))
    rate.full_clean()
    rate.save()


@pytest.mark.parametrize("per_usd", [Decimal("0"), Decimal("-7.1")])
def test_exchange_rate_of_zero_or_less_is_rejected(per_usd: Decimal) -> None:
    rate = ExchangeRate(day=D(2024, 6, 27), currency=Currency.CNY, per_usd=per_usd)
    assert errors_of(rate)["per_usd"] == ["An exchange rate must be greater than 0."]
    rejected_by_database(rate)


def test_second_rate_for_the_same_day_and_currency_is_rejected() -> None:
    ExchangeRate.objects.create(
        day=D(2024, 6, 27), currency=Currency.CNY, per_usd=Decimal("7.1270")
    )
    spot = ExchangeRate(day=D(2024, 6, 27), currency=Currency.CNY, per_usd=Decimal("7.2689"))
    assert "__all__" in errors_of(spot)
    rejected_by_database(spot)


def test_rates_for_the_same_currency_on_different_days_are_valid() -> None:
    ExchangeRate.objects.create(
        day=D(2024, 6, 27), currency=Currency.CNY, per_usd=Decimal("7.1270")
    )
    ExchangeRate(day=D(2024, 7, 18), currency=Currency.CNY, per_usd=Decimal("7.1285")).full_clean()


# ---------------------------------------------------------------- models and equivalents


def test_token_ratio_of_zero_is_rejected(model: LLMModel) -> None:
    model.token_ratio = Decimal("0")
    assert errors_of(model)["token_ratio"] == ["The token ratio must be greater than 0."]
    rejected_by_database(model)


def test_aliases_must_be_a_list_of_names(model: LLMModel) -> None:
    model.aliases = ["gpt-4o-2024-05-13", ""]
    assert "Aliases must be a JSON list" in errors_of(model)["aliases"][0]
    model.aliases = ["deepseek-chat-v2"]
    model.full_clean()


def test_same_model_id_twice_for_one_provider_is_rejected(
    model: LLMModel, provider: Provider
) -> None:
    twin = LLMModel(
        provider=provider, model_id="deepseek-chat", display_name="x", tier=Tier.FLAGSHIP
    )
    assert "__all__" in errors_of(twin)
    rejected_by_database(twin)


def test_model_cannot_be_its_own_equivalent(model: LLMModel) -> None:
    same = ModelEquivalent(source=model, target=model)
    assert errors_of(same)["target"] == ["A model cannot be its own equivalent."]
    rejected_by_database(same)


def test_a_model_maps_to_one_model_per_target_provider(model: LLMModel) -> None:
    azure = Provider.objects.create(
        slug="azure",
        name="Azure",
        country="US",
        region=Region.GLOBAL,
        billing_currency=Currency.USD,
    )
    first, second = (
        LLMModel.objects.create(provider=azure, model_id=mid, display_name=mid, tier=Tier.FLAGSHIP)
        for mid in ("gpt-4o", "gpt-4o-2024-08-06")
    )
    ModelEquivalent.objects.create(source=model, target=first)
    clash = ModelEquivalent(source=model, target=second)
    assert "already maps to" in errors_of(clash)["target"][0]
