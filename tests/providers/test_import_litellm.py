"""LiteLLM price-map import (issue #6): parsing, price history, seed/admin protection,
dry runs, atomicity and the management command.

Fixture: fixtures/litellm/model_prices_sample.json. Of its 13 entries (sample_spec is
ignored) 7 import — gpt-4o, gpt-4o-mini, deepseek/deepseek-chat, dashscope/qwen-flash,
gemini/gemini-1.5-pro, zai/glm-4.5-flash, acme_ai/acme-large — and 6 are skipped: an
embedding, a non-numeric price, a negative price, a missing output price, a string entry
and the bare "deepseek-chat" duplicate. The 7 models carry 9 price rows (qwen-flash and
gemini-1.5-pro have two context tiers each).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import urllib.error
from decimal import Decimal
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from providers.importers import litellm_source, price_history
from providers.importers.litellm import (
    LITELLM,
    Malformed,
    TierPrice,
    parse_entry,
    parse_price_map,
    per_mtok,
    provider_slug,
)
from providers.importers.price_history import import_price_map, tier_for
from providers.models import (
    CatalogState,
    Currency,
    ExchangeRate,
    ImportRun,
    LLMModel,
    Origin,
    Price,
    Provider,
    Region,
    Tier,
    Verification,
)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "litellm" / "model_prices_sample.json"
JAN = dt.date(2026, 1, 1)
MAR = dt.date(2026, 3, 1)


def sample() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


def run(data: dict[str, Any], day: dt.date, *, dry_run: bool = False, providers=None):
    return import_price_map(
        parse_price_map(data, providers), source="sample", day=day, kind=LITELLM, dry_run=dry_run
    )


def catalog_counts() -> tuple[int, int, int]:
    return Provider.objects.count(), LLMModel.objects.count(), Price.objects.count()


def assert_no_overlapping_rows() -> None:
    """The catalog's core invariant: one row per model and tier on any day."""
    for row in Price.objects.all():
        assert not row.overlapping().exists(), row


def prices_of(model_id: str) -> list[Price]:
    return list(
        Price.objects.filter(model__model_id=model_id).order_by(
            "min_prompt_tokens", "effective_from"
        )
    )


# --- parsing (no database) ---------------------------------------------------------


def test_per_token_price_becomes_decimal_per_million_without_float_noise() -> None:
    # 1.5000000000000002e-07 USD/token * 1e6 = 0.15000000000000002 -> 6 places -> 0.15
    assert per_mtok(1.5000000000000002e-07) == Decimal("0.15")
    assert str(per_mtok(2.8e-07)) == "0.28"
    assert per_mtok(0) == Decimal("0")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("cheap", "non-numeric price"),
        (True, "non-numeric price"),
        (float("nan"), "non-numeric price"),
        (-1e-6, "negative price"),
    ],
)
def test_bad_price_values_are_rejected_with_their_reason(value: Any, reason: str) -> None:
    with pytest.raises(Malformed, match=reason):
        per_mtok(value)


def test_flat_cache_and_batch_prices_are_read_per_million() -> None:
    model = parse_entry("gpt-4o", sample()["gpt-4o"])
    assert model.provider_slug == "openai"
    assert model.model_id == "gpt-4o"
    assert (model.context_window, model.max_output_tokens) == (128000, 16384)
    assert model.tiers == (
        TierPrice(
            min_prompt_tokens=0,
            input_per_mtok=Decimal("2.5"),
            output_per_mtok=Decimal("10"),
            cache_read_per_mtok=Decimal("1.25"),
            batch_input_per_mtok=Decimal("1.25"),
            batch_output_per_mtok=Decimal("5"),
        ),
    )


def test_above_128k_keys_become_a_tier_from_128000_prompt_tokens() -> None:
    model = parse_entry("gemini/gemini-1.5-pro", sample()["gemini/gemini-1.5-pro"])
    assert model.model_id == "gemini-1.5-pro"
    base, long = model.tiers
    assert (base.min_prompt_tokens, base.input_per_mtok, base.output_per_mtok) == (
        0,
        Decimal("1.25"),
        Decimal("5"),
    )
    assert (long.min_prompt_tokens, long.input_per_mtok, long.output_per_mtok) == (
        128000,
        Decimal("2.5"),
        Decimal("10"),
    )


def test_a_higher_tier_inherits_the_prices_it_does_not_list() -> None:
    entry = {
        "litellm_provider": "anthropic",
        "mode": "chat",
        "input_cost_per_token": 3e-06,
        "output_cost_per_token": 1.5e-05,
        "cache_read_input_token_cost": 3e-07,
        "input_cost_per_token_above_200k_tokens": 6e-06,
        "input_cost_per_token_above_200k_tokens_batches": 3e-06,
    }
    base, long = parse_entry("claude-sonnet", entry).tiers
    assert long.min_prompt_tokens == 200000
    assert long.input_per_mtok == Decimal("6")
    assert long.batch_input_per_mtok == Decimal("3")
    # not listed above 200k: the whole request is billed at the tier, so these carry over
    assert long.output_per_mtok == base.output_per_mtok == Decimal("15")
    assert long.cache_read_per_mtok == Decimal("0.3")


def test_tiered_pricing_ranges_become_tiers_by_their_lower_bound() -> None:
    model = parse_entry("dashscope/qwen-flash", sample()["dashscope/qwen-flash"])
    assert model.provider_slug == "alibaba-intl"
    assert [(t.min_prompt_tokens, t.input_per_mtok, t.output_per_mtok) for t in model.tiers] == [
        (0, Decimal("0.05"), Decimal("0.4")),
        (256000, Decimal("0.25"), Decimal("2")),
    ]


def test_bad_entries_are_skipped_and_counted_by_reason() -> None:
    parsed = parse_price_map(sample())
    assert sorted(m.key for m in parsed.models) == [
        "acme_ai/acme-large",
        "dashscope/qwen-flash",
        "deepseek/deepseek-chat",
        "gemini/gemini-1.5-pro",
        "gpt-4o",
        "gpt-4o-mini",
        "zai/glm-4.5-flash",
    ]
    assert dict(parsed.skipped) == {
        "mode embedding": 1,
        "non-numeric price": 1,
        "negative price": 1,
        "missing input or output price": 1,
        "not a JSON object": 1,
        "duplicate model id": 1,
    }
    assert parsed.skipped_examples["duplicate model id"] == ["deepseek-chat"]


def test_prefixed_key_wins_over_the_bare_duplicate_whatever_the_order() -> None:
    data = sample()
    reordered = {
        "deepseek/deepseek-chat": data["deepseek/deepseek-chat"],
        "deepseek-chat": data["deepseek-chat"],
    }
    for candidate in (data, reordered):
        (model,) = [m for m in parse_price_map(candidate).models if m.provider_slug == "deepseek"]
        assert model.key == "deepseek/deepseek-chat"
        assert model.base.input_per_mtok == Decimal("0.28")


def test_provider_filter_keeps_only_the_named_litellm_providers() -> None:
    parsed = parse_price_map(sample(), ["deepseek", " dashscope "])
    assert sorted(m.model_id for m in parsed.models) == ["deepseek-chat", "qwen-flash"]
    # 13 entries: 2 deepseek + 1 dashscope are read, the other 10 are filtered out
    assert parsed.filtered_out == 10
    assert dict(parsed.skipped) == {"duplicate model id": 1}


def test_litellm_providers_map_to_seed_slugs_and_unknown_ones_to_their_slugified_name() -> None:
    assert provider_slug("azure") == "azure-openai"
    assert provider_slug("volcengine") == "bytedance-doubao"
    assert provider_slug("Acme AI") == "acme-ai"


def test_entry_without_mode_is_imported_only_when_it_has_token_prices() -> None:
    assert (
        parse_entry("acme_ai/acme-large", sample()["acme_ai/acme-large"]).model_id == "acme-large"
    )
    with pytest.raises(Malformed, match="unusable litellm_provider"):
        parse_entry("x", {"litellm_provider": "???", "mode": "chat"})
    with pytest.raises(Malformed, match="no mode and no token prices"):
        parse_entry("azure/gpt-luna-latest", {"litellm_provider": "azure", "max_tokens": 1000})


@pytest.mark.parametrize(
    ("input_price", "output_price", "tier"),
    [
        ("10", "30", Tier.FRONTIER),  # (3*10 + 30) / 4 = 15
        ("2.5", "10", Tier.FLAGSHIP),  # (7.5 + 10) / 4 = 4.375
        ("0.5", "0.5", Tier.BALANCED),  # (1.5 + 0.5) / 4 = 0.5
        ("0.15", "0.6", Tier.ECONOMY),  # (0.45 + 0.6) / 4 = 0.2625
        ("0", "0", Tier.FREE),
    ],
)
def test_new_model_tier_follows_its_blended_price(
    input_price: str, output_price: str, tier: str
) -> None:
    price = TierPrice(0, Decimal(input_price), Decimal(output_price))
    assert tier_for(price) == tier


# --- importing into the catalog -------------------------------------------------------


@pytest.mark.django_db
def test_first_import_adds_providers_models_and_dated_prices() -> None:
    report = run(sample(), JAN)

    assert (len(report.plan.added), len(report.plan.changed), report.plan.unchanged) == (7, 0, 0)
    # openai, deepseek, alibaba-intl, gemini, zai, acme_ai
    assert catalog_counts() == (6, 7, 9)
    acme = Provider.objects.get(slug="acme_ai")
    assert (acme.name, acme.origin, acme.region, acme.billing_currency) == (
        "acme_ai",
        "import",
        "global",
        "USD",
    )
    assert "not reviewed" in acme.notes
    model = LLMModel.objects.get(model_id="gpt-4o")
    assert (model.tier, model.origin, model.context_window) == (
        Tier.FLAGSHIP,
        Origin.IMPORT,
        128000,
    )
    (row,) = prices_of("gpt-4o")
    assert (row.effective_from, row.effective_to, row.currency) == (JAN, None, Currency.USD)
    assert (row.input_per_mtok, row.output_per_mtok, row.cache_read_per_mtok) == (
        Decimal("2.5"),
        Decimal("10"),
        Decimal("1.25"),
    )
    assert (row.batch_input_per_mtok, row.batch_output_per_mtok) == (Decimal("1.25"), Decimal("5"))
    assert (row.origin, row.verification, row.checked_on) == (
        Origin.IMPORT,
        Verification.UNVERIFIED,
        JAN,
    )
    assert row.source_url == "https://openai.com/api/pricing/"
    assert [p.min_prompt_tokens for p in prices_of("qwen-flash")] == [0, 256000]
    assert LLMModel.objects.get(model_id="glm-4.5-flash").tier == Tier.FREE
    assert CatalogState.current() == 1  # bulk writes send no signals: one bump for the run
    run_record = ImportRun.objects.get()
    assert (run_record.dry_run, run_record.succeeded, run_record.added, run_record.skipped) == (
        False,
        True,
        7,
        6,
    )
    assert run_record.skipped_reasons["mode embedding"] == 1


@pytest.mark.django_db
def test_importing_the_same_file_twice_creates_no_duplicates() -> None:
    run(sample(), JAN)
    report = run(sample(), MAR)

    assert (len(report.plan.added), len(report.plan.changed), report.plan.unchanged) == (0, 0, 7)
    assert catalog_counts() == (6, 7, 9)
    assert not Price.objects.exclude(effective_to=None).exists()
    assert CatalogState.current() == 1  # nothing written, nothing bumped
    assert_no_overlapping_rows()


@pytest.mark.django_db
def test_changed_price_closes_the_old_row_and_opens_a_new_one() -> None:
    run(sample(), JAN)
    changed = sample()
    changed["gpt-4o"]["input_cost_per_token"] = 2e-06
    del changed["gemini/gemini-1.5-pro"]["input_cost_per_token_above_128k_tokens"]
    del changed["gemini/gemini-1.5-pro"]["output_cost_per_token_above_128k_tokens"]

    report = run(changed, MAR)

    assert (len(report.plan.added), len(report.plan.changed), report.plan.unchanged) == (0, 2, 5)
    old, new = prices_of("gpt-4o")
    assert (old.effective_from, old.effective_to, old.input_per_mtok) == (JAN, MAR, Decimal("2.5"))
    assert (new.effective_from, new.effective_to, new.input_per_mtok) == (MAR, None, Decimal("2"))
    assert new.output_per_mtok == Decimal("10")
    # gemini lost its long-context tier: that row ends, the base tier stays untouched
    base, long = prices_of("gemini-1.5-pro")
    assert (base.effective_from, base.effective_to) == (JAN, None)
    assert (long.min_prompt_tokens, long.effective_to) == (128000, MAR)
    summary = report.summary()
    assert "openai/gpt-4o: input 2.5, output 10" in summary
    assert "-> input 2, output 10" in summary
    assert_no_overlapping_rows()


@pytest.mark.django_db
def test_second_import_on_the_same_day_replaces_that_days_row() -> None:
    run(sample(), JAN)
    changed = sample()
    changed["gpt-4o"]["input_cost_per_token"] = 2e-06

    run(changed, JAN)

    (row,) = prices_of("gpt-4o")
    assert (row.effective_from, row.effective_to, row.input_per_mtok) == (JAN, None, Decimal("2"))
    assert_no_overlapping_rows()


@pytest.mark.django_db
def test_older_snapshot_imported_later_ends_where_the_newer_row_starts() -> None:
    changed = sample()
    changed["gpt-4o"]["input_cost_per_token"] = 2e-06
    run(changed, MAR)

    report = run(sample(), JAN)

    older, newer = prices_of("gpt-4o")
    assert (older.effective_from, older.effective_to, older.input_per_mtok) == (
        JAN,
        MAR,
        Decimal("2.5"),
    )
    assert (newer.effective_from, newer.effective_to, newer.input_per_mtok) == (
        MAR,
        None,
        Decimal("2"),
    )
    assert len(report.plan.added) == 7
    assert_no_overlapping_rows()


def make_seed_catalog() -> None:
    """deepseek-chat from the seed in CNY, gpt-4o priced by an admin in USD."""
    deepseek = Provider.objects.create(
        slug="deepseek",
        name="DeepSeek",
        country="CN",
        region=Region.MAINLAND_CHINA,
        billing_currency=Currency.CNY,
        origin=Origin.SEED,
    )
    openai = Provider.objects.create(
        slug="openai",
        name="OpenAI",
        country="US",
        region=Region.GLOBAL,
        billing_currency=Currency.USD,
        origin=Origin.SEED,
    )
    chat = LLMModel.objects.create(
        provider=deepseek,
        model_id="deepseek-chat",
        display_name="DeepSeek Chat",
        tier=Tier.ECONOMY,
        origin=Origin.SEED,
    )
    gpt = LLMModel.objects.create(
        provider=openai,
        model_id="GPT-4o",
        display_name="GPT-4o",
        tier=Tier.FLAGSHIP,
        origin=Origin.SEED,
    )
    Price.objects.create(
        model=chat,
        effective_from=dt.date(2025, 1, 1),
        currency=Currency.CNY,
        input_per_mtok=Decimal("2"),
        output_per_mtok=Decimal("8"),
        cache_read_per_mtok=Decimal("0.2"),
        verification=Verification.OFFICIAL,
        source="deepseek pricing page",
        origin=Origin.SEED,
    )
    Price.objects.create(
        model=gpt,
        effective_from=dt.date(2025, 6, 1),
        currency=Currency.USD,
        input_per_mtok=Decimal("5"),
        output_per_mtok=Decimal("15"),
        verification=Verification.OFFICIAL,
        source="admin",
        origin=Origin.ADMIN,
    )
    ExchangeRate.objects.create(
        day=dt.date(2025, 1, 1), currency=Currency.CNY, per_usd=Decimal("7.2")
    )
    # a later rate than the import date must not be used
    ExchangeRate.objects.create(
        day=dt.date(2026, 6, 1), currency=Currency.CNY, per_usd=Decimal("9")
    )


@pytest.mark.django_db
def test_seed_and_admin_prices_are_untouched_and_their_differences_reported() -> None:
    make_seed_catalog()
    before = sorted(
        Price.objects.values_list("pk", "effective_to", "input_per_mtok", "output_per_mtok")
    )

    report = run(sample(), JAN)

    assert (
        sorted(
            Price.objects.filter(origin__in=["seed", "admin"]).values_list(
                "pk", "effective_to", "input_per_mtok", "output_per_mtok"
            )
        )
        == before
    )
    assert not Price.objects.filter(
        model__model_id__in=["deepseek-chat", "GPT-4o"], origin="import"
    ).exists()
    assert len(report.plan.added) == 5
    assert report.plan.skipped["seed/admin price in force (kept)"] == 2
    found = {(d.model_id, d.field): d for d in report.plan.discrepancies}
    # deepseek at 7.2 CNY/USD: input 2/7.2 = 0.2778 vs 0.28 (0.8%, kept quiet);
    # cache read 0.2/7.2 = 0.02778 vs 0.028 (0.8%); output 8/7.2 = 1.1111 vs 0.42 -> reported.
    # gpt-4o (admin, USD): input 5 vs 2.5 and output 15 vs 10 reported; our cache/batch unknown.
    assert sorted(found) == [
        ("GPT-4o", "input_per_mtok"),
        ("GPT-4o", "output_per_mtok"),
        ("deepseek-chat", "output_per_mtok"),
    ]
    output = found[("deepseek-chat", "output_per_mtok")]
    assert (output.ours, output.ours_currency, output.per_usd, output.source_usd) == (
        Decimal("8"),
        "CNY",
        Decimal("7.2"),
        Decimal("0.42"),
    )
    assert found[("GPT-4o", "input_per_mtok")].origin == "admin"
    stored = ImportRun.objects.get().discrepancies
    assert {(d["model"], d["field"]) for d in stored} == set(found)
    assert (
        "deepseek/deepseek-chat output_per_mtok: ours (seed) 8 CNY (= 1.111111 USD at 7.2/USD) vs LiteLLM 0.42 USD"
        in report.summary()
    )


@pytest.mark.django_db
def test_seed_price_in_another_currency_without_a_rate_is_listed_as_not_compared() -> None:
    make_seed_catalog()
    ExchangeRate.objects.all().delete()

    report = run(sample(), JAN)

    assert report.plan.unconverted == ["deepseek/deepseek-chat (CNY)"]
    assert {d.model_id for d in report.plan.discrepancies} == {"GPT-4o"}  # USD needs no rate
    assert (
        "not compared, no exchange rate on or before 2026-01-01: deepseek/deepseek-chat (CNY)"
        in report.summary()
    )
    assert not Price.objects.filter(model__model_id="deepseek-chat", origin="import").exists()


@pytest.mark.django_db
def test_entry_named_like_an_alias_of_a_catalog_model_is_not_created_twice() -> None:
    make_seed_catalog()
    LLMModel.objects.filter(model_id="GPT-4o").update(aliases=["gpt-4o-2024-05-13"])
    data = {"gpt-4o-2024-05-13": {**sample()["gpt-4o"], "input_cost_per_token": 5e-06}}

    report = run(data, JAN)

    assert not LLMModel.objects.filter(model_id="gpt-4o-2024-05-13").exists()
    assert report.plan.skipped == {"alias of an existing model": 1}
    assert report.plan.discrepancies == []


@pytest.mark.django_db
def test_dry_run_writes_nothing_but_records_the_run() -> None:
    report = run(sample(), JAN, dry_run=True)

    assert len(report.plan.added) == 7
    assert catalog_counts() == (0, 0, 0)
    assert CatalogState.current() == 0
    record = ImportRun.objects.get()
    assert (record.dry_run, record.succeeded, record.added) == (True, True, 7)
    assert record.summary.startswith("DRY RUN (nothing written)")


@pytest.mark.django_db
def test_failure_midway_leaves_the_catalog_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    run(sample(), JAN)
    changed = sample()
    changed["gpt-4o"]["input_cost_per_token"] = 2e-06
    changed["brand-new"] = {
        "litellm_provider": "newco",
        "mode": "chat",
        "input_cost_per_token": 1e-06,
        "output_cost_per_token": 1e-06,
    }
    before = catalog_counts(), sorted(Price.objects.values_list("pk", "effective_to"))
    real_create_prices = price_history.create_prices

    def create_then_fail(plan, source_label, kind):
        real_create_prices(
            plan, source_label, kind
        )  # providers, models, closed rows and prices are written...
        raise RuntimeError("disk full")  # ...then the run dies

    monkeypatch.setattr(price_history, "create_prices", create_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        run(changed, MAR)

    assert (catalog_counts(), sorted(Price.objects.values_list("pk", "effective_to"))) == before
    assert CatalogState.current() == 1
    failed = ImportRun.objects.get(succeeded=False)
    assert failed.summary == "failed: RuntimeError: disk full"


# --- the management command -----------------------------------------------------------


def call(*args: str) -> str:
    out = io.StringIO()
    call_command("import_litellm", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_command_prints_counts_and_skip_reasons() -> None:
    output = call(str(FIXTURE), "--date", "2026-01-01")

    assert "added: 7  changed: 0  unchanged: 0  skipped: 6  discrepancies: 0" in output
    assert "  mode embedding: 1" in output
    assert (
        "  openai/gpt-4o: input 2.5, output 10, cache_read 1.25, batch_input 1.25, batch_output 5"
        in output
    )
    assert Price.objects.filter(effective_from=JAN).count() == 9


@pytest.mark.django_db
def test_command_run_on_a_changed_copy_reports_old_and_new_price(tmp_path: Path) -> None:
    call(str(FIXTURE), "--date", "2026-01-01")
    changed = sample()
    changed["gpt-4o-mini"]["output_cost_per_token"] = 4e-07
    copy_path = tmp_path / "prices.json"
    copy_path.write_text(json.dumps(changed))

    output = call(str(copy_path), "--date", "2026-03-01")

    assert "added: 0  changed: 1  unchanged: 6" in output
    assert "  openai/gpt-4o-mini: input 0.15, output 0.6 -> input 0.15, output 0.4" in output
    old, new = prices_of("gpt-4o-mini")
    assert (old.effective_to, new.effective_from, new.output_per_mtok) == (MAR, MAR, Decimal("0.4"))
    assert ImportRun.objects.filter(succeeded=True).count() == 2


@pytest.mark.django_db
def test_command_dry_run_changes_nothing() -> None:
    output = call(str(FIXTURE), "--dry-run")

    assert output.startswith("DRY RUN (nothing written)")
    assert catalog_counts() == (0, 0, 0)
    assert ImportRun.objects.get().dry_run


@pytest.mark.django_db
def test_command_provider_option_limits_the_import() -> None:
    output = call(str(FIXTURE), "--provider", "deepseek,dashscope", "--date", "2026-01-01")

    assert "added: 2  changed: 0  unchanged: 0  skipped: 1" in output
    assert "not in --provider: 10" in output
    assert sorted(Provider.objects.values_list("slug", flat=True)) == ["alibaba-intl", "deepseek"]


@pytest.mark.django_db
def test_command_reads_the_price_map_bundled_in_installed_litellm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "litellm"
    package.mkdir()
    (package / "model_prices_and_context_window_backup.json").write_text(FIXTURE.read_text())
    spec = ModuleSpec("litellm", None, is_package=True)
    spec.submodule_search_locations = [str(package)]
    monkeypatch.setattr(litellm_source, "find_litellm_spec", lambda: spec)

    output = call("--installed", "--date", "2026-01-01")

    assert "installed litellm" in output
    assert LLMModel.objects.count() == 7


@pytest.mark.django_db
def test_command_downloads_an_https_url(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}

    def fake_urlopen(url: str, timeout: float):
        seen.update(url=url, timeout=timeout)
        return io.BytesIO(FIXTURE.read_bytes())

    monkeypatch.setattr(litellm_source.urllib.request, "urlopen", fake_urlopen)
    call("https://example.org/prices.json", "--timeout", "5")

    assert seen == {"url": "https://example.org/prices.json", "timeout": 5.0}
    assert LLMModel.objects.count() == 7


def failing_urlopen(url: str, timeout: float):
    raise urllib.error.URLError("timed out")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "pass a file path, an https:// URL or --installed"),
        (("/nonexistent/prices.json",), "no such file: /nonexistent/prices.json"),
        (("http://example.org/prices.json",), "only https:// URLs are supported"),
        (
            ("https://example.org/prices.json",),
            "could not download https://example.org/prices.json: timed out",
        ),
        (("--installed",), "litellm is not installed; pass a file path or URL"),
        ((str(FIXTURE), "--date", "2026-13-01"), "--date must be YYYY-MM-DD"),
    ],
)
@pytest.mark.django_db
def test_command_explains_a_source_it_cannot_use(
    args: tuple[str, ...], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(litellm_source, "find_litellm_spec", lambda: None)
    monkeypatch.setattr(litellm_source.urllib.request, "urlopen", failing_urlopen)
    with pytest.raises(CommandError, match=message.replace(".", r"\.").replace("+", r"\+")):
        call(*args)
    assert catalog_counts() == (0, 0, 0)
    if "--date" not in args:  # a bad date is an argument error: no run started
        failed = ImportRun.objects.get()
        assert not failed.succeeded
        assert failed.summary.startswith(f"failed: {message}")


@pytest.mark.django_db
def test_command_rejects_a_file_that_is_not_a_price_map(tmp_path: Path) -> None:
    broken = tmp_path / "prices.json"
    broken.write_text("{not json")
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps([copy.deepcopy(sample()["gpt-4o"])]))

    with pytest.raises(CommandError, match="is not valid JSON"):
        call(str(broken))
    with pytest.raises(CommandError, match="is not a LiteLLM price map"):
        call(str(listing))
    assert catalog_counts() == (0, 0, 0)
    assert list(ImportRun.objects.values_list("succeeded", flat=True)) == [False, False]
