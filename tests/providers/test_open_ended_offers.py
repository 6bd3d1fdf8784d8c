"""Offers whose end is not published: the assumption window on the ORM side (model rules,
``Offer.objects.active_on``) and in the engine snapshot (``OfferInfo.assumed_until``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from providers.catalog import build_catalog
from providers.models import (
    Eligibility,
    Offer,
    Provider,
    Verification,
    earliest_last_seen,
    months_after,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2024, 7, 10), 6, D(2025, 1, 10)),
        (D(2024, 8, 31), 6, D(2025, 2, 28)),  # no 31 February: the month's last day
        (D(2023, 8, 31), 6, D(2024, 2, 29)),  # leap year
        (D(2024, 12, 15), 1, D(2025, 1, 15)),
    ],
)
def test_months_after_keeps_the_day_or_the_months_last_day(day, months, expected) -> None:
    assert months_after(day, months) == expected


def test_earliest_last_seen_is_exactly_the_inverse_of_the_window() -> None:
    # For every day of 2024-2025 and a few windows: a last-seen day x covers `day` exactly
    # when x >= earliest_last_seen(day, months).
    for months in (1, 6, 13):
        day = D(2024, 1, 1)
        while day < D(2026, 1, 1):
            threshold = earliest_last_seen(day, months)
            assert months_after(threshold, months) >= day, (day, months)
            before = threshold - dt.timedelta(days=1)
            assert months_after(before, months) < day, (day, months)
            day += dt.timedelta(days=1)


@pytest.fixture
def provider(db: None) -> Provider:
    return Provider.objects.create(
        slug="minimax", name="MiniMax", country="CN", region="mainland_china", billing_currency="CNY"
    )


def make_offer(provider: Provider, **fields) -> Offer:
    values = {
        "provider": provider,
        "name": "100M tokens on registration",
        "free_tokens": 100_000_000,
        "eligibility": Eligibility.EVERYONE,
        "starts_on": D(2024, 6, 1),
        "verification": Verification.SINGLE,
        **fields,
    }
    offer = Offer(**values)
    offer.full_clean()
    offer.save()
    return offer


def test_an_offer_needs_a_published_end_or_the_day_it_was_last_seen(provider: Provider) -> None:
    offer = Offer(
        provider=provider,
        name="No dates",
        free_tokens=1,
        eligibility=Eligibility.EVERYONE,
        starts_on=D(2024, 6, 1),
        verification=Verification.SINGLE,
    )
    with pytest.raises(ValidationError) as exc:
        offer.full_clean()
    assert "last_seen_on" in exc.value.message_dict


def test_an_offer_cannot_be_last_seen_before_it_starts(provider: Provider) -> None:
    with pytest.raises(ValidationError, match="seen running before it starts"):
        make_offer(provider, last_seen_on=D(2024, 5, 1))


@pytest.mark.django_db
def test_the_window_is_the_site_default_unless_the_offer_sets_its_own(
    provider: Provider, settings
) -> None:
    default = make_offer(provider, last_seen_on=D(2024, 7, 10))
    own = make_offer(provider, name="own window", last_seen_on=D(2024, 7, 10), assume_running_months=12)
    published = make_offer(provider, name="ends", ends_on=D(2024, 7, 31), last_seen_on=D(2024, 7, 10))

    # 2024-07-10 + 6 months (default) = 2025-01-10; + 12 months = 2025-07-10
    offers = {o.key: o for o in build_catalog().offers}
    assert offers[default.pk].assumed_until == D(2025, 1, 10)
    assert offers[own.pk].assumed_until == D(2025, 7, 10)
    assert offers[published.pk].assumed_until is None
    assert offers[default.pk].last_seen_on == D(2024, 7, 10)

    settings.OFFER_ASSUMED_RUNNING_MONTHS = 3  # 2024-07-10 + 3 months = 2024-10-10
    offers = {o.key: o for o in build_catalog().offers}
    assert offers[default.pk].assumed_until == D(2024, 10, 10)
    assert offers[own.pk].assumed_until == D(2025, 7, 10)


@pytest.mark.django_db
def test_active_on_counts_an_open_ended_offer_only_within_its_window(provider: Provider) -> None:
    default = make_offer(provider, last_seen_on=D(2024, 7, 10))  # until 2025-01-10
    own = make_offer(provider, name="own", last_seen_on=D(2024, 8, 31), assume_running_months=6)
    ended = make_offer(provider, name="ended", ends_on=D(2024, 7, 31))

    def active(day: dt.date) -> set[int]:
        return set(Offer.objects.active_on(day).values_list("pk", flat=True))

    assert active(D(2024, 5, 31)) == set()  # before every start
    assert active(D(2024, 7, 31)) == {default.pk, own.pk, ended.pk}
    assert active(D(2025, 1, 10)) == {default.pk, own.pk}
    assert active(D(2025, 1, 11)) == {own.pk}
    assert active(D(2025, 2, 28)) == {own.pk}  # 2024-08-31 + 6 months, clamped
    assert active(D(2025, 3, 1)) == set()
    # The loaded row and the engine's snapshot answer the same as the query (one rule:
    # catalog_types.offer_running_on, with OfferQuerySet.active_on its SQL twin).
    snapshot = build_catalog().offers
    for day in (D(2024, 5, 31), D(2024, 6, 1), D(2024, 7, 31), D(2024, 8, 1), D(2025, 1, 10),
                D(2025, 1, 11), D(2025, 2, 28), D(2025, 3, 1)):
        assert {o.pk for o in Offer.objects.all() if o.active_on(day)} == active(day), day
        assert {o.key for o in snapshot if o.running_on(day)} == active(day), day
