""""A price in force on a day", asked of the database, of a loaded row, of the engine's
snapshot and of an import plan: one rule (``catalog_types.period_in_force``, with
``PriceQuerySet.in_force`` its SQL twin), so every answer is the same."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dashboard.engine.catalog_types import period_in_force
from providers.catalog import build_catalog
from providers.models import LLMModel, Price, Provider

D = dt.date
pytestmark = pytest.mark.django_db


def test_a_price_is_in_force_from_its_first_day_up_to_but_not_on_its_end() -> None:
    provider = Provider.objects.create(
        slug="p", name="P", country="US", region="global", billing_currency="USD"
    )
    model = LLMModel.objects.create(provider=provider, model_id="m", display_name="M", tier="economy")

    def price(start: dt.date, end: dt.date | None, amount: str) -> Price:
        return Price.objects.create(
            model=model, effective_from=start, effective_to=end, currency="USD",
            input_per_mtok=Decimal(amount), output_per_mtok=Decimal(amount),
        )

    old = price(D(2025, 1, 1), D(2025, 3, 1), "1")
    new = price(D(2025, 3, 1), None, "2")
    expected = {
        D(2024, 12, 31): set(),
        D(2025, 1, 1): {old.pk},
        D(2025, 2, 28): {old.pk},
        D(2025, 3, 1): {new.pk},  # the old row's end day belongs to the new row
        D(2031, 1, 1): {new.pk},
    }
    (key,) = build_catalog().models
    rows = build_catalog().prices[key]
    amounts = {old.pk: 1.0, new.pk: 2.0}
    for day, pks in expected.items():
        assert set(Price.objects.in_force(day).values_list("pk", flat=True)) == pks, day
        assert {p.pk for p in Price.objects.all() if p.in_force_on(day)} == pks, day
        assert sorted(r.input_per_mtok for r in rows if r.in_force_on(day)) == sorted(
            amounts[pk] for pk in pks
        ), day


@pytest.mark.parametrize(
    ("day", "expected"),
    [(D(2025, 1, 1), True), (D(2025, 2, 28), True), (D(2025, 3, 1), False), (D(2024, 12, 31), False)],
)
def test_period_in_force_starts_inclusive_and_ends_exclusive(day: dt.date, expected: bool) -> None:
    assert period_in_force(D(2025, 1, 1), D(2025, 3, 1), day) is expected
    assert period_in_force(D(2025, 1, 1), None, day) is (day >= D(2025, 1, 1))
