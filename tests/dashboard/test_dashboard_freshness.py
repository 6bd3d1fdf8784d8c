"""The projection dashboard says how fresh its exchange rates are and which claimed offers
rest on the assumption that an offer without a published end still runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from providers.models import ExchangeRate, LLMModel, Offer, Price, Provider

from .test_projection_views import catalog, profile, scenario

pytestmark = pytest.mark.django_db


def cny_provider(rate_day: dt.date) -> None:
    cnp = Provider.objects.create(
        slug="cnp", name="CN Provider", country="CN", region="mainland_china", billing_currency="CNY"
    )
    model = LLMModel.objects.create(provider=cnp, model_id="cn-chat", display_name="CN", tier="economy")
    Price.objects.create(
        model=model, effective_from=dt.date(2024, 1, 1), currency="CNY",
        input_per_mtok=Decimal("1"), output_per_mtok=Decimal("2"), verification="verified-official",
    )  # fmt: skip
    ExchangeRate.objects.create(day=rate_day, currency="CNY", per_usd=Decimal("7"))


def dashboard(client: Client, **extra) -> str:
    catalog()
    p = profile()
    return client.get(reverse("profiles:dashboard", args=[p.pk]), scenario(**extra)).content.decode()


def test_a_month_converted_with_a_rate_four_months_old_is_warned_about(client: Client) -> None:
    cny_provider(dt.date(2026, 8, 1))
    html = dashboard(client)
    # November 2026 (switch 2026-11-01, one month) is converted with the rate of 2026-08-01:
    # on 2026-11-30 it is 30 (rest of August) + 30 + 31 + 30 = 121 days old.
    assert "the rate of 2026-08-01, converts days up to 2026-11-30: 121 days older" in html
    assert 'class="card warn stale-rate"' in html


def test_a_rate_at_most_45_days_old_is_not_warned_about(client: Client) -> None:
    cny_provider(dt.date(2026, 10, 20))  # 2026-11-30 is 11 + 30 = 41 days later
    html = dashboard(client)
    assert "rate of 2026-10-20" in html
    assert "stale-rate" not in html


def test_a_claimed_offer_without_a_published_end_says_it_rests_on_the_assumption(
    client: Client,
) -> None:
    catalog()
    Offer.objects.create(
        provider=Provider.objects.get(slug="deepseek"), name="Launch gift", free_tokens=1_000_000,
        eligibility="everyone", starts_on=dt.date(2026, 10, 1), last_seen_on=dt.date(2026, 10, 15),
        verification="single-source",
    )  # fmt: skip
    p = profile()
    html = client.get(reverse("profiles:dashboard", args=[p.pk]), scenario()).content.decode()
    table = html[html.index('id="offers-outcome"') :]
    # last seen 2026-10-15 + 6 months (the default window) = 2027-04-15
    assert "assumed running" in table
    assert "last seen running 2026-10-15, assumed to run until 2027-04-15" in table


def test_future_months_are_not_called_old_only_the_catalog_rate_is(client: Client, today) -> None:
    """A year from the 1st of next month on the catalog's latest rate (2026-10-01): its age
    counts to today (2026-11-30: 30 + 30 = 60 days), not to the horizon's last day, and the
    warning says the future days have no known rate yet."""
    cny_provider(dt.date(2026, 10, 1))
    html = dashboard(client, switch="2026-12-01", horizon="12")
    assert "the rate of 2026-10-01, is the latest the catalog has: 60 days old today (more than 45)" in html
    assert "It also converts the days up to 2027-11-30, whose rates nobody knows yet." in html
    assert "days older than the day it converts" not in html
