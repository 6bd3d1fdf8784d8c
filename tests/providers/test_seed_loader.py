"""The seed loader (providers/seed.py) on small catalogs written by each test.

Every figure asserted here is in ``seed_files.base_rows()`` or the test's own edit, so
these tests hold whatever the real fixtures/catalog contains.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from providers.models import (
    CatalogState,
    Currency,
    ExchangeRate,
    LLMModel,
    ModelEquivalent,
    Offer,
    Origin,
    Price,
    Provider,
)
from providers.seed import SeedError, load_seed

from .seed_files import Rows, base_rows, write_catalog

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def rows() -> dict[str, Rows]:
    return base_rows()


@pytest.fixture
def catalog_dir(tmp_path: Path, rows: dict[str, Rows]) -> Path:
    return write_catalog(tmp_path / "catalog", rows)


def rewrite(directory: Path, rows: dict[str, Rows]) -> None:
    write_catalog(directory, rows)


# ---------------------------------------------------------------- identity by seed key


def test_an_offer_renamed_in_the_admin_stays_one_offer_after_the_seed_runs_again(
    catalog_dir: Path, admin_edit
) -> None:
    load_seed(directory=catalog_dir)
    launch = Offer.objects.get(seed_key="deepseek-2024-launch")
    response = admin_edit(launch, name="DeepSeek launch gift (renamed by staff)")
    assert response.status_code == 302, response.content

    summary = load_seed(directory=catalog_dir)

    assert Offer.objects.count() == 1
    offer = Offer.objects.get()
    assert (offer.name, offer.origin) == ("DeepSeek launch gift (renamed by staff)", Origin.ADMIN)
    assert offer.seed_key == "deepseek-2024-launch"
    assert summary.counts["offers"].kept == 1
    assert summary.changed == 0


def test_a_model_whose_id_an_admin_edited_keeps_its_seed_prices_and_is_not_copied(
    catalog_dir: Path,
) -> None:
    load_seed(directory=catalog_dir)
    LLMModel.objects.filter(seed_key="openai/gpt-4o").update(
        model_id="gpt-4o-edited", origin=Origin.ADMIN
    )

    load_seed(directory=catalog_dir)

    models = LLMModel.objects.filter(provider__slug="openai")
    assert list(models.values_list("model_id", flat=True)) == ["gpt-4o-edited"]
    # The fixture's prices of "gpt-4o" still find the model through its seed key.
    assert models.get().prices.count() == 2


def test_reset_restores_the_seed_name_of_a_renamed_offer(catalog_dir: Path) -> None:
    load_seed(directory=catalog_dir)
    Offer.objects.update(name="Renamed", origin=Origin.ADMIN)

    summary = load_seed(reset=True, directory=catalog_dir)

    assert list(Offer.objects.values_list("name", "origin")) == [("Launch tokens", Origin.SEED)]
    assert summary.counts["offers"].restored == 1


def test_rows_stored_before_seed_keys_existed_are_adopted_not_copied(catalog_dir: Path) -> None:
    load_seed(directory=catalog_dir)
    # As after the migration that added seed keys: the rows are there, their keys empty.
    for model in (Provider, LLMModel, Price, Offer):
        model.objects.update(seed_key=None)

    summary = load_seed(directory=catalog_dir)

    assert summary.changed == 0
    assert (Provider.objects.count(), LLMModel.objects.count()) == (2, 2)
    assert (Price.objects.count(), Offer.objects.count()) == (3, 1)
    assert Offer.objects.get().seed_key == "deepseek-2024-launch"
    assert set(Price.objects.values_list("seed_key", flat=True)) == {
        "openai/gpt-4o@0@2024-05-13",
        "openai/gpt-4o@0@2024-10-01",
        "deepseek/deepseek-chat@0@2024-05-06",
    }


def test_a_seed_key_used_twice_in_a_file_is_refused(
    catalog_dir: Path, rows: dict[str, Rows]
) -> None:
    rows["prices.csv"][1]["seed_key"] = rows["prices.csv"][0]["seed_key"]
    rewrite(catalog_dir, rows)
    with pytest.raises(SeedError, match=r"prices\.csv:3: duplicate seed_key 'openai/gpt-4o@0@"):
        load_seed(directory=catalog_dir)


def test_a_row_without_a_seed_key_is_refused(catalog_dir: Path, rows: dict[str, Rows]) -> None:
    rows["offers.csv"][0]["seed_key"] = ""
    rewrite(catalog_dir, rows)
    with pytest.raises(SeedError, match=r"offers\.csv:2: seed_key is required"):
        load_seed(directory=catalog_dir)


def test_a_seed_row_that_left_the_fixture_is_removed_but_admin_rows_stay(
    catalog_dir: Path, rows: dict[str, Rows]
) -> None:
    load_seed(directory=catalog_dir)
    Offer.objects.create(
        provider=Provider.objects.get(slug="deepseek"),
        name="Staff's own offer",
        free_tokens=1000,
        eligibility="everyone",
        starts_on=D(2024, 1, 1),
        ends_on=D(2024, 2, 1),
        verification="single-source",
        origin=Origin.ADMIN,
    )
    rows["offers.csv"] = []
    rewrite(catalog_dir, rows)

    summary = load_seed(directory=catalog_dir)

    assert summary.counts["offers"].removed == 1
    assert list(Offer.objects.values_list("name", flat=True)) == ["Staff's own offer"]


# ---------------------------------------------------------------- contract columns


def test_models_store_their_context_window_and_unknown_stays_unknown(catalog_dir: Path) -> None:
    load_seed(directory=catalog_dir)
    gpt4o = LLMModel.objects.get(seed_key="openai/gpt-4o")
    assert (gpt4o.context_window, gpt4o.max_output_tokens) == (128_000, 16_384)
    assert gpt4o.context_sources.startswith("OpenAI pricing page read 2024-07-25")
    assert gpt4o.aliases == ["gpt-4o-2024-05-13", "GPT 4o"]
    chat = LLMModel.objects.get(seed_key="deepseek/deepseek-chat")
    assert (chat.context_window, chat.max_output_tokens, chat.name_zh) == (None, None, "深度求索对话")


def test_a_model_row_with_an_empty_context_window_is_refused(
    catalog_dir: Path, rows: dict[str, Rows]
) -> None:
    rows["models.csv"][1]["context_window"] = ""
    rewrite(catalog_dir, rows)
    with pytest.raises(
        SeedError,
        match=r"models\.csv:3: context_window is required: a whole number of tokens or 'unknown'",
    ):
        load_seed(directory=catalog_dir)
    assert not Provider.objects.exists()  # one transaction: nothing stored


def test_a_model_row_with_an_empty_max_output_is_refused(
    catalog_dir: Path, rows: dict[str, Rows]
) -> None:
    rows["models.csv"][0]["max_output_tokens"] = ""
    rewrite(catalog_dir, rows)
    with pytest.raises(SeedError, match=r"models\.csv:2: max_output_tokens is required"):
        load_seed(directory=catalog_dir)


def test_a_context_window_that_is_not_a_token_count_is_refused(
    catalog_dir: Path, rows: dict[str, Rows]
) -> None:
    rows["models.csv"][0]["context_window"] = "128k"
    rewrite(catalog_dir, rows)
    with pytest.raises(SeedError, match=r"models\.csv:2: context_window: '128k' is not a whole"):
        load_seed(directory=catalog_dir)


def test_a_known_context_window_needs_its_source(catalog_dir: Path, rows: dict[str, Rows]) -> None:
    rows["models.csv"][0]["context_sources"] = ""
    rewrite(catalog_dir, rows)
    with pytest.raises(SeedError, match=r"models\.csv:2: context_sources: give the source"):
        load_seed(directory=catalog_dir)


def test_an_unknown_column_is_refused_naming_it(catalog_dir: Path, rows: dict[str, Rows]) -> None:
    path = catalog_dir / "offers.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("last_seen_on", "last_seen", 1), encoding="utf-8")
    with pytest.raises(
        SeedError,
        match=r"offers\.csv:1: unknown column\(s\) last_seen; missing column\(s\) last_seen_on",
    ):
        load_seed(directory=catalog_dir)


def test_the_old_header_without_seed_keys_is_refused(catalog_dir: Path) -> None:
    path = catalog_dir / "providers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(line.split(",", 1)[1] for line in lines) + "\n", encoding="utf-8"
    )
    with pytest.raises(SeedError, match=r"providers\.csv:1: missing column\(s\) seed_key"):
        load_seed(directory=catalog_dir)


def test_cache_write_and_money_credit_columns_are_loaded(
    catalog_dir: Path, rows: dict[str, Rows]
) -> None:
    rows["prices.csv"][1]["cache_write"] = "3.75"
    rows["offers.csv"][0].update(free_tokens="", credit_amount="10", credit_currency="CNY")
    rewrite(catalog_dir, rows)
    load_seed(directory=catalog_dir)
    assert Price.objects.get(seed_key="openai/gpt-4o@0@2024-10-01").cache_write_per_mtok == Decimal(
        "3.75"
    )
    offer = Offer.objects.get()
    assert (offer.free_tokens, offer.credit_amount, offer.credit_currency) == (
        None,
        Decimal("10"),
        Currency.CNY,
    )


# ---------------------------------------------------------------- open-ended offers


def test_an_offer_without_an_end_gives_the_day_it_was_last_seen_running(
    catalog_dir: Path,
) -> None:
    load_seed(directory=catalog_dir)
    offer = Offer.objects.get()
    assert (offer.ends_on, offer.last_seen_on, offer.name_zh) == (None, D(2024, 7, 10), "上线赠送")


def test_an_offer_with_neither_an_end_nor_a_last_seen_day_is_refused(
    catalog_dir: Path, rows: dict[str, Rows]
) -> None:
    rows["offers.csv"][0]["last_seen_on"] = ""
    rewrite(catalog_dir, rows)
    with pytest.raises(SeedError, match=r"offers\.csv:2: last_seen_on: Give the published end"):
        load_seed(directory=catalog_dir)


# ---------------------------------------------------------------- bad rows


def test_bad_price_row_stops_the_load_naming_file_and_line(
    catalog_dir: Path, rows: dict[str, Rows]
) -> None:
    rows["prices.csv"][1]["input"] = "-2.50"
    rewrite(catalog_dir, rows)
    with pytest.raises(
        SeedError,
        match=r"fixtures/catalog/prices\.csv:3: input_per_mtok: .*A price cannot be negative",
    ):
        load_seed(directory=catalog_dir)
    assert not Provider.objects.exists()


def test_overlapping_price_rows_in_the_fixture_are_rejected(
    catalog_dir: Path, rows: dict[str, Rows]
) -> None:
    rows["prices.csv"][0]["effective_to"] = ""  # re-opened: overlaps the 2024-10-01 row
    rewrite(catalog_dir, rows)
    with pytest.raises(SeedError, match=r"prices\.csv:3: effective_from: Overlaps"):
        load_seed(directory=catalog_dir)


def test_a_price_without_a_source_is_refused(catalog_dir: Path, rows: dict[str, Rows]) -> None:
    rows["prices.csv"][2]["sources"] = ""
    rewrite(catalog_dir, rows)
    with pytest.raises(SeedError, match=r"prices\.csv:4: sources is required"):
        load_seed(directory=catalog_dir)


def test_unknown_model_in_an_offer_is_reported(catalog_dir: Path, rows: dict[str, Rows]) -> None:
    rows["offers.csv"][0]["eligible_models"] = "deepseek-chatty"
    rewrite(catalog_dir, rows)
    with pytest.raises(
        SeedError, match=r"offers\.csv:2: eligible_models: deepseek has no model 'deepseek-chatty'"
    ):
        load_seed(directory=catalog_dir)


def test_unreadable_date_is_reported(catalog_dir: Path, rows: dict[str, Rows]) -> None:
    rows["exchange_rates.csv"][0]["day"] = "19/06/2024"
    rewrite(catalog_dir, rows)
    with pytest.raises(SeedError, match=r"exchange_rates\.csv:2: day: '19/06/2024' is not"):
        load_seed(directory=catalog_dir)


def test_duplicate_rate_is_reported(catalog_dir: Path, rows: dict[str, Rows]) -> None:
    rows["exchange_rates.csv"].append(
        {"day": "2024-06-19", "currency": "CNY", "per_usd": "7.2", "sources": "FX"}
    )
    rewrite(catalog_dir, rows)
    with pytest.raises(SeedError, match=r"exchange_rates\.csv:3: duplicate rate"):
        load_seed(directory=catalog_dir)


def test_second_equivalent_on_the_same_target_provider_is_reported(
    catalog_dir: Path, rows: dict[str, Rows]
) -> None:
    rows["models.csv"].append(
        {**rows["models.csv"][1], "seed_key": "deepseek/deepseek-coder", "model_id": "deepseek-coder"}
    )
    pair = {"source_provider": "openai", "source_model": "gpt-4o", "target_provider": "deepseek"}
    rows["equivalents.csv"] = [
        {**pair, "target_model": "deepseek-chat"},
        {**pair, "target_model": "deepseek-coder"},
    ]
    rewrite(catalog_dir, rows)
    with pytest.raises(SeedError, match=r"equivalents\.csv:3: target: this source already maps"):
        load_seed(directory=catalog_dir)
    assert not ModelEquivalent.objects.exists()


def test_command_turns_a_bad_fixture_into_a_command_error(
    catalog_dir: Path, rows: dict[str, Rows], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows["models.csv"][0]["tier"] = "huge"
    rewrite(catalog_dir, rows)
    monkeypatch.setattr("providers.seed.FIXTURE_DIR", catalog_dir)
    with pytest.raises(CommandError, match=r"models\.csv:2: tier: 'huge' is not one of"):
        call_command("seed_catalog", stdout=StringIO())


def test_command_prints_counts_and_what_was_kept(
    catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("providers.seed.FIXTURE_DIR", catalog_dir)
    load_seed()
    Provider.objects.filter(slug="deepseek").update(name="DeepSeek (edited)", origin=Origin.ADMIN)
    out = StringIO()
    call_command("seed_catalog", stdout=out)
    text = out.getvalue()
    assert "providers       created   0  updated   0  unchanged   1  kept-admin   1" in text
    assert "providers: deepseek (origin admin)" in text
    assert "no changes" in text

    out = StringIO()
    call_command("seed_catalog", "--reset", stdout=out)
    assert "restored   1" in out.getvalue()
    assert Provider.objects.get(slug="deepseek").name == "DeepSeek"


def test_a_rate_changed_by_code_is_brought_back(catalog_dir: Path) -> None:
    load_seed(directory=catalog_dir)
    version = CatalogState.current()
    ExchangeRate.objects.update(per_usd=Decimal("7.3"))
    summary = load_seed(directory=catalog_dir)
    assert summary.counts["exchange_rates"].updated == 1
    assert ExchangeRate.objects.get().per_usd == Decimal("7.1159")
    assert CatalogState.current() > version


def test_an_admin_price_overlapping_a_seed_price_wins_and_is_reported(catalog_dir: Path) -> None:
    load_seed(directory=catalog_dir)
    # Staff deleted gpt-4o's 2024-10-01 row and re-opened the row before it.
    Price.objects.filter(seed_key="openai/gpt-4o@0@2024-10-01").delete()
    Price.objects.filter(seed_key="openai/gpt-4o@0@2024-05-13").update(
        effective_to=None, origin=Origin.ADMIN
    )

    summary = load_seed(directory=catalog_dir)

    assert summary.counts["prices"].created == 0
    assert any("overlaps" in line and "gpt-4o" in line for line in summary.kept)
    assert not Price.objects.filter(effective_from=D(2024, 10, 1)).exists()
