"""The seed catalog (fixtures/catalog) and its loader."""

import csv
import datetime as dt
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from providers.models import (
    CatalogState,
    Currency,
    Eligibility,
    ExchangeRate,
    LLMModel,
    ModelEquivalent,
    Offer,
    Origin,
    Price,
    Provider,
    Tier,
    Verification,
)
from providers.seed import FIXTURE_DIR, SeedError, SeedSummary, load_seed

pytestmark = pytest.mark.django_db

D = dt.date


def fixture_rows(name: str) -> int:
    with (FIXTURE_DIR / name).open(encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def offer(slug: str, name_start: str) -> Offer:
    return Offer.objects.get(provider__slug=slug, name__startswith=name_start)


def eligible(o: Offer) -> list[str]:
    return sorted(o.eligible_models.values_list("model_id", flat=True))


# ---------------------------------------------------------------- loading


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


def test_every_provider_of_the_reference_is_seeded(seeded: SeedSummary) -> None:
    slugs = set(Provider.objects.values_list("slug", flat=True))
    assert slugs == {
        "openai", "azure-openai", "azure-openai-china", "sensetime", "baidu", "tencent",
        "alibaba", "alibaba-intl", "zhipu", "zai", "deepseek", "moonshot", "moonshot-intl",
        "bytedance-doubao", "01-ai", "baichuan", "minimax", "minimax-intl", "iflytek",
        "qihoo-360",
    }  # fmt: skip
    deepseek = Provider.objects.get(slug="deepseek")
    assert (deepseek.name_zh, deepseek.billing_currency) == ("深度求索", Currency.CNY)


def test_second_load_changes_nothing(seeded: SeedSummary) -> None:
    version = CatalogState.current()
    again = load_seed()
    assert again.changed == 0
    assert all(c.created == c.updated == c.kept == 0 for c in again.counts.values())
    assert again.counts["prices"].unchanged == fixture_rows("prices.csv")
    assert CatalogState.current() == version


def test_second_load_only_reads(seeded: SeedSummary, django_assert_max_num_queries) -> None:
    # one SELECT per table plus the offers' models and the transaction; no per-row queries
    with django_assert_max_num_queries(20):
        load_seed()


def test_load_bumps_the_catalog_version(db: None) -> None:
    before = CatalogState.current()
    load_seed()
    assert CatalogState.current() > before


def test_seed_row_changed_by_code_is_brought_back(seeded: SeedSummary) -> None:
    rate = ExchangeRate.objects.get(day=D(2024, 6, 27))
    rate.per_usd = Decimal("7.2689")
    rate.save()
    summary = load_seed()
    assert summary.counts["exchange_rates"].updated == 1
    assert ExchangeRate.objects.get(day=D(2024, 6, 27)).per_usd == Decimal("7.1270")


def test_seed_row_no_longer_in_the_fixture_is_removed_but_admin_rows_stay(
    seeded: SeedSummary,
) -> None:
    ExchangeRate.objects.create(
        day=D(2024, 1, 2), currency=Currency.CNY, per_usd=Decimal("7.1"), origin=Origin.SEED
    )
    ExchangeRate.objects.create(
        day=D(2024, 1, 3), currency=Currency.CNY, per_usd=Decimal("7.1"), origin=Origin.ADMIN
    )
    summary = load_seed()
    assert summary.counts["exchange_rates"].removed == 1
    assert list(
        ExchangeRate.objects.filter(day__lt=D(2024, 6, 1)).values_list("day", flat=True)
    ) == [D(2024, 1, 3)]


# ---------------------------------------------------------------- admin edits and reset


def test_admin_edit_survives_a_reload_and_reset_restores_the_seed(
    seeded: SeedSummary, admin_edit
) -> None:
    sensetime = offer("sensetime", "Free tokens")
    response = admin_edit(sensetime, free_tokens=60_000_000)
    assert response.status_code == 302, response.content
    sensetime.refresh_from_db()
    assert (sensetime.free_tokens, sensetime.origin) == (60_000_000, Origin.ADMIN)

    summary = load_seed()
    sensetime.refresh_from_db()
    assert sensetime.free_tokens == 60_000_000
    assert summary.counts["offers"].kept == 1
    assert summary.changed == 0
    assert any("sensetime" in line for line in summary.kept)

    summary = load_seed(reset=True)
    sensetime.refresh_from_db()
    assert (sensetime.free_tokens, sensetime.origin) == (50_000_000, Origin.SEED)
    assert summary.counts["offers"].restored == 1


def test_admin_row_overlapping_a_seed_price_wins_and_is_reported(seeded: SeedSummary) -> None:
    # Staff deleted qwen-max's 2026 row and re-opened the row before it.
    qwen_max = LLMModel.objects.get(provider__slug="alibaba", model_id="qwen-max")
    Price.objects.filter(model=qwen_max, effective_from=D(2026, 5, 1)).delete()
    Price.objects.filter(model=qwen_max, effective_from=D(2024, 9, 19)).update(
        effective_to=None, origin=Origin.ADMIN
    )
    summary = load_seed()
    assert summary.counts["prices"].created == 0
    assert any("overlaps" in line and "qwen-max" in line for line in summary.kept)
    assert not Price.objects.filter(model=qwen_max, effective_from=D(2026, 5, 1)).exists()


# ---------------------------------------------------------------- the named offers


def test_sensetime_offers_50m_tokens_for_sensenova_5_5(seeded: SeedSummary) -> None:
    o = offer("sensetime", "Free tokens")
    assert (o.free_tokens, o.starts_on, o.ends_on) == (50_000_000, D(2024, 6, 27), None)
    assert eligible(o) == ["SenseNova-5.5"]
    assert o.eligibility == Eligibility.OPENAI_MIGRANTS


def test_baidu_offers_50m_tokens_for_ernie_3_5_to_openai_migrants(seeded: SeedSummary) -> None:
    o = offer("baidu", "Inclusive migration")
    assert (o.free_tokens, o.starts_on, o.ends_on) == (50_000_000, D(2024, 6, 25), None)
    assert eligible(o) == ["ERNIE-3.5-8K"]
    assert o.eligibility == Eligibility.OPENAI_MIGRANTS


def test_tencent_offers_100m_hunyuan_tokens_until_the_end_of_july_2024(
    seeded: SeedSummary,
) -> None:
    o = offer("tencent", "Free tokens for new users")
    assert (o.free_tokens, o.starts_on, o.ends_on) == (100_000_000, D(2024, 7, 9), D(2024, 7, 31))
    assert o.eligibility == Eligibility.NEW_CUSTOMERS
    assert all(m.startswith("hunyuan") for m in eligible(o))


def test_zhipu_150m_is_50m_for_glm_4_plus_100m_for_glm_4_air(seeded: SeedSummary) -> None:
    glm4 = offer("zhipu", "OpenAI migration plan (搬家计划): GLM-4 tokens")
    air = offer("zhipu", "OpenAI migration plan (搬家计划): GLM-4-Air tokens")
    assert (glm4.free_tokens, eligible(glm4)) == (50_000_000, ["glm-4"])
    assert (air.free_tokens, eligible(air)) == (100_000_000, ["glm-4-air"])
    # 50,000,000 + 100,000,000 = 150,000,000, the plan's headline figure
    assert glm4.free_tokens + air.free_tokens == 150_000_000
    assert glm4.starts_on == air.starts_on == D(2024, 6, 25)
    assert glm4.ends_on is None and air.ends_on is None


def test_alibaba_offers_22m_tokens_for_qwen_plus(seeded: SeedSummary) -> None:
    o = offer("alibaba", "Free tokens + migration")
    assert (o.free_tokens, o.starts_on, eligible(o)) == (22_000_000, D(2024, 6, 25), ["qwen-plus"])


def test_standing_per_model_quotas_keep_their_pool_rules(seeded: SeedSummary) -> None:
    alibaba = offer("alibaba", "New-user free quota")
    assert (alibaba.free_tokens, alibaba.per_model, alibaba.valid_days_after_claim) == (
        1_000_000,
        True,
        180,
    )
    tokenhub = offer("tencent", "TokenHub")
    assert (tokenhub.per_model, tokenhub.valid_days_after_claim, tokenhub.ends_on) == (
        True,
        90,
        D(2026, 12, 31),
    )
    doubao = Offer.objects.filter(provider__slug="bytedance-doubao")
    assert sorted(o.free_tokens for o in doubao) == [500_000, 500_000_000]
    assert {o.verification for o in doubao} == {Verification.UNVERIFIED}


def test_offers_without_an_amount_are_not_seeded(seeded: SeedSummary) -> None:
    assert not Offer.objects.filter(provider__slug__in=["01-ai", "azure-openai-china"]).exists()


# ---------------------------------------------------------------- price history


def history(slug: str, model_id: str) -> list[tuple]:
    return [
        (p.effective_from, p.effective_to, p.currency, p.input_per_mtok, p.output_per_mtok)
        for p in Price.objects.filter(model__provider__slug=slug, model__model_id=model_id)
    ]


def test_qwen_max_history_follows_the_price_war(seeded: SeedSummary) -> None:
    cny = Currency.CNY
    assert history("alibaba", "qwen-max") == [
        (D(2024, 4, 22), D(2024, 5, 21), cny, Decimal("120"), Decimal("120")),
        (D(2024, 5, 21), D(2024, 9, 19), cny, Decimal("40"), Decimal("120")),
        (D(2024, 9, 19), D(2026, 5, 1), cny, Decimal("20"), Decimal("60")),
        (D(2026, 5, 1), None, cny, Decimal("2.4"), Decimal("9.6")),
    ]


def test_deepseek_switches_from_cny_to_usd_without_overlap(seeded: SeedSummary) -> None:
    rows = Price.objects.filter(model__provider__slug="deepseek", model__model_id="deepseek-chat")
    assert [(p.effective_from, p.currency, p.cache_read_per_mtok) for p in rows] == [
        (D(2024, 5, 6), Currency.CNY, None),
        (D(2024, 8, 2), Currency.CNY, Decimal("0.1")),
        (D(2025, 2, 25), Currency.CNY, Decimal("0.5")),
        (D(2025, 9, 5), Currency.USD, Decimal("0.07")),
        (D(2025, 9, 29), Currency.USD, Decimal("0.028")),
    ]
    # each row closes the day the next one opens
    assert [p.effective_to for p in rows][:-1] == [p.effective_from for p in rows][1:]


def test_price_rows_keep_their_source_and_verification(seeded: SeedSummary) -> None:
    row = Price.objects.get(model__model_id="deepseek-chat", effective_from=D(2024, 8, 2))
    assert row.verification == Verification.OFFICIAL
    assert row.source_url == "https://platform.deepseek.com/api-docs/zh-cn/news/news0802/"
    assert row.source.startswith("DeepSeek official news 2024-08-02")
    assert row.checked_on == D(2024, 8, 2)
    assert row.origin == Origin.SEED
    ernie = Price.objects.get(model__model_id="ERNIE-3.5-8K")
    assert ernie.verification == Verification.UNVERIFIED


def test_not_found_prices_leave_their_models_unpriced(seeded: SeedSummary) -> None:
    for slug, model_id in [
        ("azure-openai-china", "gpt-4o"),
        ("sensetime", "SenseNova-5.5"),
        ("iflytek", "spark-pro"),
        ("iflytek", "spark-max"),
        ("iflytek", "spark-4.0-ultra"),
    ]:
        model = LLMModel.objects.get(provider__slug=slug, model_id=model_id)
        assert not model.prices.exists(), model


def test_free_models_are_priced_at_zero_not_left_unpriced(seeded: SeedSummary) -> None:
    lite = Price.objects.get(model__provider__slug="tencent", model__model_id="hunyuan-lite")
    assert (lite.input_per_mtok, lite.output_per_mtok) == (0, 0)
    assert LLMModel.objects.get(model_id="hunyuan-lite").tier == Tier.FREE


def test_gpt_4o_snapshots_are_separate_models_with_aliases(seeded: SeedSummary) -> None:
    gpt4o = LLMModel.objects.get(provider__slug="openai", model_id="gpt-4o")
    assert gpt4o.aliases == ["gpt-4o-2024-05-13"]
    assert LLMModel.objects.filter(provider__slug="openai", model_id="gpt-4o-2024-08-06").exists()
    assert LLMModel.objects.get(model_id="gpt-3.5-turbo-0125").aliases == ["gpt-3.5-turbo"]


def test_one_cny_rate_per_day_using_the_central_parity(seeded: SeedSummary) -> None:
    rates = dict(ExchangeRate.objects.filter(currency=Currency.CNY).values_list("day", "per_usd"))
    assert rates == {
        D(2024, 6, 19): Decimal("7.1159"),
        D(2024, 6, 27): Decimal("7.1270"),
        D(2024, 7, 18): Decimal("7.1285"),
        D(2024, 7, 24): Decimal("7.1358"),
        D(2024, 8, 7): Decimal("7.1386"),
    }


def test_openai_models_map_to_their_azure_twins(seeded: SeedSummary) -> None:
    targets = set(
        ModelEquivalent.objects.filter(
            source__provider__slug="openai", target__provider__slug="azure-openai"
        ).values_list("source__model_id", "target__model_id")
    )
    assert ("gpt-4o", "gpt-4o") in targets
    assert ("gpt-4o-mini", "gpt-4o-mini") in targets
    assert ("gpt-3.5-turbo-0125", "gpt-35-turbo-0125") in targets


# ---------------------------------------------------------------- bad fixtures


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(FIXTURE_DIR, target)
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_bad_price_row_stops_the_load_naming_file_and_line(fixture_copy: Path) -> None:
    # Line 3 of prices.csv is openai gpt-4o's second row (line 1 is the header).
    replace_in(fixture_copy / "prices.csv", "2024-12-08,,USD,2.50", "2024-12-08,,USD,-2.50")
    with pytest.raises(
        SeedError,
        match=r"fixtures/catalog/prices\.csv:3: input_per_mtok: .*A price cannot be negative",
    ):
        load_seed(directory=fixture_copy)
    assert not Provider.objects.exists()  # one transaction: nothing stored


def test_overlapping_price_rows_in_the_fixture_are_rejected(fixture_copy: Path) -> None:
    # Re-open gpt-4o's first row so it overlaps the 2024-12-08 row.
    replace_in(fixture_copy / "prices.csv", "2024-05-13,2024-12-08,USD", "2024-05-13,,USD")
    with pytest.raises(SeedError, match=r"prices\.csv:3: effective_from: Overlaps"):
        load_seed(directory=fixture_copy)


def test_unknown_model_in_an_offer_is_reported(fixture_copy: Path) -> None:
    replace_in(fixture_copy / "offers.csv", ",qwen-plus,22000000", ",qwen-plutus,22000000")
    with pytest.raises(SeedError, match=r"offers\.csv:5: eligible_models: alibaba has no model"):
        load_seed(directory=fixture_copy)


def test_unreadable_date_is_reported(fixture_copy: Path) -> None:
    replace_in(fixture_copy / "exchange_rates.csv", "2024-06-19", "19/06/2024")
    with pytest.raises(SeedError, match=r"exchange_rates\.csv:2: day: '19/06/2024' is not"):
        load_seed(directory=fixture_copy)


# ---------------------------------------------------------------- command


def test_command_prints_counts_and_what_was_kept(seeded: SeedSummary) -> None:
    Provider.objects.filter(slug="baichuan").update(name="Baichuan (edited)", origin=Origin.ADMIN)
    out = StringIO()
    call_command("seed_catalog", stdout=out)
    text = out.getvalue()
    assert "providers       created   0  updated   0  unchanged  19  kept-admin   1" in text
    assert "providers: baichuan (origin admin)" in text
    assert "no changes" in text

    out = StringIO()
    call_command("seed_catalog", "--reset", stdout=out)
    assert "restored   1" in out.getvalue()
    assert Provider.objects.get(slug="baichuan").name == "Baichuan AI"


def test_command_turns_a_bad_fixture_into_a_command_error(
    fixture_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replace_in(
        fixture_copy / "models.csv",
        "openai,gpt-4o,GPT-4o,gpt-4o,flagship",
        "openai,gpt-4o,GPT-4o,gpt-4o,huge",
    )
    monkeypatch.setattr("providers.seed.FIXTURE_DIR", fixture_copy)
    with pytest.raises(CommandError, match=r"models\.csv:2: tier: 'huge' is not one of"):
        call_command("seed_catalog", stdout=StringIO())


def test_duplicate_fixture_row_is_reported(fixture_copy: Path) -> None:
    with (fixture_copy / "exchange_rates.csv").open("a", encoding="utf-8") as handle:
        handle.write("2024-06-27,CNY,7.2689,FX_0627,spot close\n")
    with pytest.raises(SeedError, match=r"exchange_rates\.csv:7: duplicate row"):
        load_seed(directory=fixture_copy)


def test_second_equivalent_on_the_same_target_provider_is_reported(fixture_copy: Path) -> None:
    with (fixture_copy / "equivalents.csv").open("a", encoding="utf-8") as handle:
        handle.write("openai,gpt-4o,azure-openai,gpt-4o-2024-08-06,clash\n")
    with pytest.raises(SeedError, match=r"equivalents\.csv:27: target: this source already maps"):
        load_seed(directory=fixture_copy)
