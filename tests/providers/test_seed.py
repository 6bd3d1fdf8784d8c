"""The real seed catalog (fixtures/catalog): it loads whole, idempotently, and its rows
keep the catalog's rules. Loader behaviour on hand-made rows is in test_seed_loader.py."""

import csv
import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.engine.history import reprice_history
from dashboard.engine.scenario import Scenario
from dashboard.engine.usage import read_usage
from providers.catalog import get_catalog
from providers.models import (
    CatalogState,
    Eligibility,
    ExchangeRate,
    LLMModel,
    ModelEquivalent,
    Offer,
    Origin,
    Price,
    Provider,
    Tier,
)
from providers.seed import FIXTURE_DIR, SeedSummary, load_seed

pytestmark = pytest.mark.django_db

D = dt.date
USAGE = FIXTURE_DIR.parent / "usage"


def fixture_rows(name: str) -> int:
    with (FIXTURE_DIR / name).open(encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_first_load_creates_every_fixture_row(seeded: SeedSummary) -> None:
    expected = {
        "providers": (Provider, "providers.csv"),
        "models": (LLMModel, "models.csv"),
        "prices": (Price, "prices.csv"),
        "offers": (Offer, "offers.csv"),
        "exchange_rates": (ExchangeRate, "exchange_rates.csv"),
        "equivalents": (ModelEquivalent, "equivalents.csv"),
    }
    for entity, (model, filename) in expected.items():
        rows = fixture_rows(filename)
        assert seeded.counts[entity].created == rows, entity
        assert model.objects.filter(origin=Origin.SEED).count() == rows, entity


def test_every_keyed_row_is_stored_with_its_seed_key(seeded: SeedSummary) -> None:
    for model in (Provider, LLMModel, Price, Offer):
        assert not model.objects.filter(seed_key__isnull=True).exists(), model


def test_second_load_changes_nothing(seeded: SeedSummary) -> None:
    version = CatalogState.current()
    again = load_seed()
    assert again.changed == 0
    assert all(c.created == c.updated == c.kept == 0 for c in again.counts.values())
    assert again.counts["prices"].unchanged == fixture_rows("prices.csv")
    assert CatalogState.current() == version


def test_second_load_only_reads(seeded: SeedSummary) -> None:
    with CaptureQueriesContext(connection) as queries:
        load_seed()
    statements = [q["sql"].lstrip().split(None, 1)[0].upper() for q in queries.captured_queries]
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    # one SELECT per table plus the offers' models and the transaction; no per-row queries
    assert statements.count("SELECT") <= 20


def test_load_bumps_the_catalog_version(db: None) -> None:
    before = CatalogState.current()
    load_seed()
    assert CatalogState.current() > before


# ---------------------------------------------------------------- rules the rows keep


def test_every_price_offer_and_rate_carries_its_source(seeded: SeedSummary) -> None:
    for model in (Price, Offer, ExchangeRate):
        assert not model.objects.filter(source="").exists(), model


def test_every_known_context_window_carries_its_source(seeded: SeedSummary) -> None:
    known = LLMModel.objects.exclude(context_window__isnull=True, max_output_tokens__isnull=True)
    assert not known.filter(context_sources="").exists()


def test_every_offer_without_a_published_end_was_seen_running_after_it_started(
    seeded: SeedSummary,
) -> None:
    for offer in Offer.objects.filter(ends_on__isnull=True):
        assert offer.last_seen_on is not None and offer.last_seen_on >= offer.starts_on, offer


def test_price_rows_of_one_model_and_tier_follow_each_other_without_overlap(
    seeded: SeedSummary,
) -> None:
    for price in Price.objects.all():
        assert not price.overlapping().exists(), price


def test_free_tier_models_are_priced_at_zero_from_their_latest_price_on(
    seeded: SeedSummary,
) -> None:
    free = Price.objects.filter(model__tier=Tier.FREE, effective_to__isnull=True)
    assert not free.exclude(input_per_mtok=0, output_per_mtok=0).exists()


def test_no_id_or_alias_names_two_models_of_one_provider(seeded: SeedSummary) -> None:
    names: Counter[tuple[int, str]] = Counter()
    for model in LLMModel.objects.all():
        for name in {model.model_id.lower(), *(a.lower() for a in model.aliases)}:
            names[(model.provider_id, name)] += 1
    assert [name for name, count in names.items() if count > 1] == []


def test_equivalents_point_to_another_provider(seeded: SeedSummary) -> None:
    for equivalent in ModelEquivalent.objects.select_related("source", "target"):
        assert equivalent.source.provider_id != equivalent.target.provider_id, equivalent


# ---------------------------------------------------------------- the July 2024 offers


@pytest.mark.parametrize(
    ("provider", "tokens", "model"),
    [
        ("sensetime", 50_000_000, "SenseNova-5.5"),
        ("baidu", 50_000_000, "ERNIE-3.5-8K"),
        ("zhipu", 50_000_000, "glm-4"),
        ("zhipu", 100_000_000, "glm-4-air"),
        ("alibaba", 22_000_000, "qwen-plus"),
    ],
)
def test_the_migration_offers_of_july_2024_are_seeded_for_openai_migrants(
    seeded: SeedSummary, provider: str, tokens: int, model: str
) -> None:
    # The offers TokenScope was built for (DESIGN.md): who gave how many tokens for what.
    offers = Offer.objects.filter(
        provider__slug=provider,
        free_tokens=tokens,
        eligibility=Eligibility.OPENAI_MIGRANTS,
        eligible_models__model_id=model,
        starts_on__lte=D(2024, 7, 9),
    )
    assert offers.count() == 1


# ---------------------------------------------------------------- the engine on the seed


def test_the_engine_reprices_the_openai_cost_export_within_half_a_percent_of_its_bill(
    seeded: SeedSummary,
) -> None:
    # The export's token line items re-priced by the engine's history mode at the seed's list
    # prices of 2026-08-02/03 (hand-worked in test_seed_data: $0.1422989 billed) and
    # reconciled with what it billed.
    frame, _ = read_usage(
        USAGE / "cost_2026-08-01_2026-08-03.csv", today=D(2026, 11, 29)
    )
    history = reprice_history(frame, get_catalog(), Scenario(switch_date=D(2026, 11, 29)))
    (usd,) = history.reconciliation
    assert usd.currency == "USD" and usd.billed_not_compared_display == 0
    assert usd.billed_display == pytest.approx(0.1422989, abs=1e-9)
    assert abs(usd.difference_pct) <= 0.5
    assert usd.computed_display == pytest.approx(0.1422989, rel=0.005)
