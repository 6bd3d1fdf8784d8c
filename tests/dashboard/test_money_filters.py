"""The display filters of dashboard/templatetags/money.py, through a template as pages use
them: money with its sign, token counts in K/M/B, signed percentages; unknown is "—", never 0."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from django.template import Context, Template

from dashboard.engine import charts
from dashboard.engine.catalog_types import CURRENCIES, CURRENCY_SYMBOLS
from providers.admin import format_money as admin_money


def render(text: str, **context) -> str:
    return Template("{% load money %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        (1234.5, "USD", "$1,234.50"),
        (Decimal("7.1386"), "CNY", "¥7.14"),
        (0, "USD", "$0.00"),
        (0.15, "USD", "$0.150"),  # under 1: three places
        (0.075, "USD", "$0.0750"),  # under 0.1: four
        (-3.5, "CNY", "-¥3.50"),
        (12, "EUR", "12.00 EUR"),  # no sign known: the code after the figure
        (None, "USD", "—"),
        (math.nan, "USD", "—"),  # unknown, never $0.00
        ("", "USD", "—"),
    ],
)
def test_money_shows_the_currency_sign_and_places_by_size(value, currency, shown) -> None:
    assert render("{{ v|money:c }}", v=value, c=currency) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(999, "999"), (1_000, "1.00K"), (30_666_667, "30.67M"), (2_500_000_000, "2.50B"), (None, "—")],
)
def test_tokens_are_shown_in_thousands_millions_or_billions(value, shown) -> None:
    assert render("{{ v|tokens }}", v=value) == shown


@pytest.mark.parametrize(
    ("value", "shown"), [(-6.25, "-6.2%"), (12.34, "+12.3%"), (0, "+0.0%"), (None, "—"), (math.nan, "—")]
)
def test_pct_is_signed_with_one_place(value, shown) -> None:
    assert render("{{ v|pct }}", v=value) == shown


def test_get_item_reads_a_mapping_and_gives_nothing_for_anything_else() -> None:
    assert render("{{ m|get_item:'a' }}", m={"a": "x"}) == "x"
    assert render("{{ m|get_item:'a' }}", m=3) == "None"


@pytest.mark.parametrize("currency", CURRENCIES)
def test_pages_charts_and_the_admin_use_the_engines_currency_sign(currency: str) -> None:
    sign = CURRENCY_SYMBOLS[currency]
    assert render("{{ v|money:c }}", v=2, c=currency) == f"{sign}2.00"
    assert charts.money_axis(currency)["tickprefix"] == sign
    assert admin_money(Decimal("2"), currency).startswith(sign)
