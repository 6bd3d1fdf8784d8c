"""genai-prices import (issue 10 item 2): the package's dated prices become dated price
rows under the same history rules as the LiteLLM import. Inputs are hand-made with the
package's own types (tests/providers/genai_data.py); only the smoke tests read the data
actually installed."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from providers.importers.genai_prices import (
    GENAI_PRICES,
    installed_providers,
    parse_providers,
)
from providers.importers.price_history import import_price_map
from providers.models import (
    Currency,
    ImportRun,
    LLMModel,
    Origin,
    Price,
    Provider,
    Region,
    Tier,
    Verification,
)

from .genai_data import genai_model, genai_provider

D = dt.date
JAN = D(2026, 1, 1)


def run(providers, day=JAN, *, dry_run=False, wanted=None):
    return import_price_map(
        parse_providers(providers, wanted),
        source="hand-made",
        day=day,
        kind=GENAI_PRICES,
        dry_run=dry_run,
    )


def rows_of(model_id: str) -> list[tuple]:
    return [
        (p.min_prompt_tokens, p.effective_from, p.effective_to, p.input_per_mtok, p.output_per_mtok)
        for p in Price.objects.filter(model__model_id=model_id).order_by(
            "min_prompt_tokens", "effective_from"
        )
    ]


# ---------------------------------------------------------------- parsing


def test_dated_prices_tiers_cache_and_batch_are_read_per_period() -> None:
    model = genai_model(
        "gemini-2.5-pro",
        undated={
            "input_mtok": {"base": "1.25", 200000: "2.5"},
            "output_mtok": {"base": "10", 200000: "15"},
            "cache_read_mtok": "0.125",
        },
        batch={"input_mtok": {"base": "0.625", 200000: "1.25"}, "output_mtok": "5"},
        batch_from=D(2026, 10, 14),
        context_window=1_048_576,
    )
    (entry,) = parse_providers([genai_provider("google", model)]).models
    assert (entry.provider_slug, entry.context_window) == ("google", 1_048_576)
    assert entry.source_url == "https://google.example/pricing"
    first, with_batch = entry.periods
    assert first.starts_on is None and with_batch.starts_on == D(2026, 10, 14)
    base, long = first.tiers
    # prompts of 200,000 tokens or more pay the tier price of every field that has one
    assert (base.min_prompt_tokens, base.input_per_mtok, base.output_per_mtok) == (
        0, Decimal("1.25"), Decimal("10"),
    )  # fmt: skip
    assert (long.min_prompt_tokens, long.input_per_mtok, long.output_per_mtok) == (
        200000, Decimal("2.5"), Decimal("15"),
    )  # fmt: skip
    assert long.cache_read_per_mtok == Decimal("0.125")  # not tiered: same for both
    assert base.batch_input_per_mtok is None
    batch_base, batch_long = with_batch.tiers
    assert (batch_base.batch_input_per_mtok, batch_base.batch_output_per_mtok) == (
        Decimal("0.625"), Decimal("5"),
    )  # fmt: skip
    assert batch_long.batch_input_per_mtok == Decimal("1.25")


def test_the_off_peak_discount_is_not_the_list_price() -> None:
    from genai_prices import types as gp

    model = genai_model("deepseek-chat", undated={"input_mtok": "0.135", "output_mtok": "0.55"})
    # 00:30-16:30 UTC (16 hours) is the standard price; the rest of the day is off-peak.
    model.prices.append(
        gp.ConditionalPrice(
            constraint=gp.TimeOfDateConstraint(
                start_time=dt.time(0, 30, tzinfo=dt.UTC), end_time=dt.time(16, 30, tzinfo=dt.UTC)
            ),
            prices=gp.ModelPrice(input_mtok=Decimal("0.27"), output_mtok=Decimal("1.1")),
        )
    )
    (entry,) = parse_providers([genai_provider("deepseek", model)]).models
    assert [(t.input_per_mtok, t.output_per_mtok) for t in entry.tiers] == [
        (Decimal("0.27"), Decimal("1.1"))
    ]


def test_models_without_token_prices_are_skipped_with_the_reason() -> None:
    searches_only = genai_model("sonar-search", undated={"web_searches_kcount": "5"})
    fine = genai_model("sonar", undated={"input_mtok": "1", "output_mtok": "1"})
    result = parse_providers([genai_provider("perplexity", searches_only, fine)])
    assert [m.model_id for m in result.models] == ["sonar"]
    assert result.skipped == {"missing input or output price": 1}


def test_provider_ids_map_to_our_slugs_and_the_filter_keeps_only_the_named_ones() -> None:
    a = genai_model("m", undated={"input_mtok": "1", "output_mtok": "1"})
    providers = [genai_provider("moonshotai", a), genai_provider("newco", a), genai_provider("azure", a)]
    result = parse_providers(providers, ["moonshotai", "newco"])
    assert [m.provider_slug for m in result.models] == ["moonshot-intl", "newco"]
    assert result.filtered_out == 1


# ---------------------------------------------------------------- history


@pytest.mark.django_db
def test_a_dated_price_starts_on_its_date_not_on_the_import_day() -> None:
    model = genai_model(
        "gpt-4.1",
        undated={"input_mtok": "2", "output_mtok": "8"},
        dated={D(2025, 9, 5): {"input_mtok": "1.8", "output_mtok": "7"}},
    )
    report = run([genai_provider("openai", model)])

    # The undated price is older than 2025-09-05 and its start is unknown: left out.
    assert rows_of("gpt-4.1") == [(0, D(2025, 9, 5), None, Decimal("1.8"), Decimal("7"))]
    row = Price.objects.get()
    assert (row.origin, row.verification, row.checked_on, row.currency) == (
        Origin.IMPORT, Verification.SINGLE, JAN, Currency.USD,
    )  # fmt: skip
    assert "price dated 2025-09-05" in row.source
    assert "dates: genai-prices dates its price changes" in report.summary()


@pytest.mark.django_db
def test_an_undated_price_runs_from_the_import_day_until_a_later_dated_one() -> None:
    model = genai_model(
        "claude-opus-4-6",
        undated={"input_mtok": {"base": "5", 200000: "10"}, "output_mtok": "25"},
        dated={D(2026, 3, 13): {"input_mtok": "5", "output_mtok": "25"}},
    )
    run([genai_provider("anthropic", model)])
    # From the import day the tiered price; on 2026-03-13 the 200k tier is gone (closed)
    # and the base price stays the same row (unchanged).
    assert rows_of("claude-opus-4-6") == [
        (0, JAN, None, Decimal("5"), Decimal("25")),
        (200000, JAN, D(2026, 3, 13), Decimal("10"), Decimal("25")),
    ]


@pytest.mark.django_db
def test_importing_twice_writes_nothing_new() -> None:
    model = genai_model(
        "gpt-4.1",
        undated={"input_mtok": "2", "output_mtok": "8"},
        dated={D(2026, 3, 1): {"input_mtok": "1.8", "output_mtok": "7"}},
    )
    run([genai_provider("openai", model)])
    before = rows_of("gpt-4.1")
    report = run([genai_provider("openai", model)], D(2026, 2, 1))
    assert rows_of("gpt-4.1") == before == [
        (0, JAN, D(2026, 3, 1), Decimal("2"), Decimal("8")),
        (0, D(2026, 3, 1), None, Decimal("1.8"), Decimal("7")),
    ]
    assert (len(report.plan.added), len(report.plan.changed), report.plan.unchanged) == (0, 0, 1)


@pytest.mark.django_db
def test_a_dated_change_closes_an_earlier_import_row_on_that_date() -> None:
    # An earlier import (e.g. LiteLLM's, undated) opened a row on 2025-06-01.
    provider = Provider.objects.create(
        slug="openai", name="OpenAI", country="US", region=Region.GLOBAL,
        billing_currency=Currency.USD, origin=Origin.IMPORT,
    )  # fmt: skip
    llm = LLMModel.objects.create(
        provider=provider, model_id="gpt-4.1", display_name="gpt-4.1", tier=Tier.FLAGSHIP,
        origin=Origin.IMPORT,
    )  # fmt: skip
    Price.objects.create(
        model=llm, effective_from=D(2025, 6, 1), currency=Currency.USD,
        input_per_mtok=Decimal("2"), output_per_mtok=Decimal("8"),
        verification=Verification.UNVERIFIED, origin=Origin.IMPORT,
    )  # fmt: skip
    model = genai_model(
        "gpt-4.1",
        undated={"input_mtok": "2", "output_mtok": "8"},
        dated={D(2025, 9, 5): {"input_mtok": "1.8", "output_mtok": "7"}},
    )
    report = run([genai_provider("openai", model)])
    assert rows_of("gpt-4.1") == [
        (0, D(2025, 6, 1), D(2025, 9, 5), Decimal("2"), Decimal("8")),
        (0, D(2025, 9, 5), None, Decimal("1.8"), Decimal("7")),
    ]
    (change,) = report.plan.changed
    assert change.old == ["input 2, output 8"]
    assert change.new == ["from 2025-09-05: input 1.8, output 7"]


@pytest.mark.django_db
def test_seed_prices_are_kept_and_the_difference_recorded_with_the_sources_date() -> None:
    provider = Provider.objects.create(
        slug="openai", name="OpenAI", country="US", region=Region.GLOBAL,
        billing_currency=Currency.USD, origin=Origin.SEED,
    )  # fmt: skip
    llm = LLMModel.objects.create(
        provider=provider, model_id="gpt-4o", display_name="GPT-4o", tier=Tier.FLAGSHIP,
        origin=Origin.SEED,
    )  # fmt: skip
    Price.objects.create(
        model=llm, effective_from=D(2024, 12, 8), currency=Currency.USD,
        input_per_mtok=Decimal("2.5"), output_per_mtok=Decimal("10"),
        verification=Verification.OFFICIAL, origin=Origin.SEED, source="OpenAI pricing",
    )  # fmt: skip
    model = genai_model(
        "gpt-4o",
        undated={"input_mtok": "5", "output_mtok": "15"},
        dated={D(2025, 1, 1): {"input_mtok": "2.5", "output_mtok": "12"}},
    )
    report = run([genai_provider("openai", model)])

    assert rows_of("gpt-4o") == [(0, D(2024, 12, 8), None, Decimal("2.5"), Decimal("10"))]
    (found,) = report.plan.discrepancies
    # genai-prices' price of the import day is the 2025-01-01 one: output 12 vs our 10 (+20%)
    assert (found.field, found.source_usd, found.source_date) == (
        "output_per_mtok", Decimal("12"), D(2025, 1, 1),
    )  # fmt: skip
    record = ImportRun.objects.get()
    assert record.discrepancies[0]["source"] == "genai-prices"
    assert record.discrepancies[0]["source_date"] == "2025-01-01"


@pytest.mark.django_db
def test_dry_run_writes_nothing_but_records_the_run() -> None:
    model = genai_model("gpt-4.1", undated={"input_mtok": "2", "output_mtok": "8"})
    run([genai_provider("openai", model)], dry_run=True)
    assert not Price.objects.exists() and not Provider.objects.exists()
    assert ImportRun.objects.get().summary.startswith("DRY RUN (nothing written): genai-prices")


@pytest.mark.django_db
def test_command_reads_the_installed_package_with_the_provider_filter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    providers = [
        genai_provider("openai", genai_model("gpt-4.1", undated={"input_mtok": "2", "output_mtok": "8"})),
        genai_provider("groq", genai_model("llama", undated={"input_mtok": "1", "output_mtok": "1"})),
    ]
    monkeypatch.setattr(
        "providers.management.commands.import_genai_prices.installed_providers",
        lambda: (providers, "hand-made genai-prices"),
    )
    out = io.StringIO()
    call_command("import_genai_prices", "--provider", "openai", "--date", "2026-01-01", stdout=out)
    text = out.getvalue()
    assert "genai-prices import from hand-made genai-prices as of 2026-01-01" in text
    assert "added: 1  changed: 0  unchanged: 0" in text
    assert "not in --provider: 1" in text
    assert list(LLMModel.objects.values_list("model_id", flat=True)) == ["gpt-4.1"]


# ---------------------------------------------------------------- the installed package


def test_the_installed_package_imports_and_yields_more_than_100_prices() -> None:
    providers, label = installed_providers()
    parsed = parse_providers(providers)
    assert label.startswith("installed genai-prices 0.2.")
    assert sum(len(period.tiers) for m in parsed.models for period in m.periods) > 100


@pytest.mark.django_db
def test_the_command_runs_on_the_installed_package() -> None:
    out = io.StringIO()
    call_command("import_genai_prices", "--dry-run", "--date", "2026-11-30", stdout=out)
    assert out.getvalue().startswith("DRY RUN (nothing written): genai-prices import")
    assert not Price.objects.exists()
    assert ImportRun.objects.get().succeeded
