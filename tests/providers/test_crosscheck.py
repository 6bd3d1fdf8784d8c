"""crosscheck_prices: seed prices vs LiteLLM's, after conversion at the rate of the day."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from providers.importers import litellm_source
from providers.importers.crosscheck import crosscheck, differs
from providers.importers.litellm import parse_price_map
from providers.models import (
    Currency,
    ExchangeRate,
    LLMModel,
    Origin,
    Price,
    Provider,
    Region,
    Tier,
    Verification,
)

from .genai_data import genai_model, genai_provider

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "litellm" / "model_prices_sample.json"


def sample() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


def add_price(model: LLMModel, currency: str, origin: str, **prices: str) -> Price:
    return Price.objects.create(
        model=model,
        effective_from=dt.date(2025, 1, 1),
        currency=currency,
        verification=Verification.OFFICIAL,
        source=f"{model.model_id} reference",
        origin=origin,
        **{name: Decimal(value) for name, value in prices.items()},
    )


@pytest.fixture
def seeded(db: None) -> None:
    """LiteLLM (fixture) says: deepseek-chat 0.28 / 0.42 / cache 0.028 USD, gpt-4o-mini
    0.15 / 0.6, gpt-4o 2.5 / 10, qwen-flash 0.05 / 0.4 (+ a 256k tier)."""
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

    def model(provider: Provider, model_id: str) -> LLMModel:
        return LLMModel.objects.create(
            provider=provider,
            model_id=model_id,
            display_name=model_id,
            tier=Tier.ECONOMY,
            origin=Origin.SEED,
        )

    # input 2/7 = 0.285714 vs 0.28: 2.0% apart -> listed; output 2.94/7 = 0.42 -> equal;
    # cache read 0.2/7 = 0.028571 vs 0.028: 2.0% -> listed
    add_price(
        model(deepseek, "deepseek-chat"),
        Currency.CNY,
        Origin.SEED,
        input_per_mtok="2",
        output_per_mtok="2.94",
        cache_read_per_mtok="0.2",
    )
    # 0.1515 vs 0.15: difference 0.0015 < 1% of 0.1515 (0.001515) -> within tolerance
    add_price(
        model(openai, "gpt-4o-mini"),
        Currency.USD,
        Origin.SEED,
        input_per_mtok="0.1515",
        output_per_mtok="0.6",
    )
    # admin rows are not the sourced seed: crosscheck ignores them even when far apart
    add_price(
        model(openai, "gpt-4o"),
        Currency.USD,
        Origin.ADMIN,
        input_per_mtok="9",
        output_per_mtok="99",
    )
    ExchangeRate.objects.create(
        day=dt.date(2025, 1, 1), currency=Currency.CNY, per_usd=Decimal("7")
    )
    ExchangeRate.objects.create(
        day=dt.date(2026, 6, 1), currency=Currency.CNY, per_usd=Decimal("7.2")
    )


def test_one_percent_is_measured_against_our_price() -> None:
    assert not differs(Decimal("100"), Decimal("101"))  # exactly 1%: rounding, not disagreement
    assert differs(Decimal("100"), Decimal("101.01"))
    assert differs(Decimal("0"), Decimal("0.01"))  # free vs a charge always differs
    assert not differs(Decimal("0"), Decimal("0"))


def test_lists_seed_prices_more_than_one_percent_away_after_conversion(seeded: None) -> None:
    result = crosscheck(parse_price_map(sample()).models, dt.date(2026, 1, 1))
    found = result.found

    assert result.compared_models == 2  # deepseek-chat and gpt-4o-mini; gpt-4o is admin-priced

    assert [(d.model_id, d.field) for d in found] == [
        ("deepseek-chat", "input_per_mtok"),
        ("deepseek-chat", "cache_read_per_mtok"),
    ]
    first = found[0]
    assert (first.ours, first.ours_currency, first.per_usd, first.source_usd) == (
        Decimal("2"),
        "CNY",
        Decimal("7"),
        Decimal("0.28"),
    )
    # (0.28 - 2/7) / (2/7) = 0.98 - 1 = -2%
    assert round(first.difference_pct, 1) == Decimal("-2.0")


def test_uses_the_latest_rate_on_or_before_the_date(seeded: None) -> None:
    found = crosscheck(parse_price_map(sample()).models, dt.date(2026, 7, 1)).found

    # at 7.2: input 2/7.2 = 0.277778 vs 0.28 (0.8%, within); output 2.94/7.2 = 0.408333 vs
    # 0.42 (2.9%, listed); cache 0.2/7.2 = 0.027778 vs 0.028 (0.8%, within)
    assert [(d.model_id, d.field, d.per_usd) for d in found] == [
        ("deepseek-chat", "output_per_mtok", Decimal("7.2"))
    ]


def test_rows_not_in_force_on_the_date_are_not_compared(seeded: None) -> None:
    result = crosscheck(parse_price_map(sample()).models, dt.date(2024, 12, 31))
    assert (result.found, result.compared_models) == ([], 0)


def test_a_price_without_an_exchange_rate_is_named_not_guessed(seeded: None) -> None:
    ExchangeRate.objects.all().delete()
    out = io.StringIO()
    call_command("crosscheck_prices", str(FIXTURE), "--date", "2026-01-01", stdout=out)

    assert (
        "Not compared, no exchange rate on or before 2026-01-01: deepseek/deepseek-chat (CNY)"
        in out.getvalue()
    )
    assert "No differences above 1%." in out.getvalue()


@pytest.fixture
def genai_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """genai-prices (hand-made) says: deepseek-chat 0.27 / 1.1 from 2025-09-05 (undated
    0.14 / 0.28 before), gpt-4o-mini 0.15 / 0.6 undated."""
    providers = [
        genai_provider(
            "deepseek",
            genai_model(
                "deepseek-chat",
                undated={"input_mtok": "0.14", "output_mtok": "0.28"},
                dated={dt.date(2025, 9, 5): {"input_mtok": "0.27", "output_mtok": "1.1"}},
            ),
        ),
        genai_provider(
            "openai", genai_model("gpt-4o-mini", undated={"input_mtok": "0.15", "output_mtok": "0.6"})
        ),
    ]
    monkeypatch.setattr(
        "providers.management.commands.crosscheck_prices.installed_providers",
        lambda: (providers, "hand-made genai-prices"),
    )


def table_rows(text: str, section: str) -> list[list[str]]:
    """The table lines (split on whitespace) of one source's section of the output."""
    part = text[text.index(f"vs {section} ") :]
    lines = part.splitlines()[1:]
    rows = []
    for line in lines:
        if line.startswith("Seed prices in force"):
            break
        if line.startswith(("deepseek/", "openai/")):
            rows.append(line.split())
    return rows


def test_command_compares_with_both_sources_giving_each_sources_date(
    seeded: None, genai_data: None
) -> None:
    out = io.StringIO()
    call_command("crosscheck_prices", str(FIXTURE), "--date", "2026-01-01", stdout=out)
    text = out.getvalue()

    header = next(line for line in text.splitlines() if line.startswith("model"))
    assert header.split() == [
        "model", "tier", "field", "ours", "ours", "USD", "source", "source", "USD",
        "source", "date", "diff", "our", "source", "source", "key",
    ]  # fmt: skip
    # LiteLLM (undated): input 2 CNY / 7 = 0.285714 vs 0.28 is -2.0%
    assert "vs LiteLLM (" in text and "tolerance 1%: 2 models in both" in text
    assert table_rows(text, "LiteLLM")[0] == [
        "deepseek/deepseek-chat", "0", "input", "2", "CNY", "0.285714", "LiteLLM", "0.28",
        "undated", "-2.0%", "deepseek-chat", "reference", "deepseek/deepseek-chat",
    ]  # fmt: skip
    # genai-prices' price of 2026-01-01 is the one dated 2025-09-05: 0.27 vs 0.285714 is
    # -5.5%; output 1.1 vs 2.94 / 7 = 0.42 is +161.9%. gpt-4o-mini 0.15 is within 1%.
    genai = table_rows(text, "genai-prices")
    assert [(r[2], r[7], r[8], r[9]) for r in genai] == [
        ("input", "0.27", "2025-09-05", "-5.5%"),
        ("output", "1.1", "2025-09-05", "+161.9%"),
    ]
    assert "gpt-4o-mini" not in text


def test_command_says_so_when_nothing_differs(db: None) -> None:
    out = io.StringIO()
    call_command("crosscheck_prices", str(FIXTURE), stdout=out)
    assert "No differences above 1%." in out.getvalue()


def test_command_without_litellm_says_so_and_still_compares_with_genai_prices(
    seeded: None, genai_data: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(litellm_source, "find_litellm_spec", lambda: None)
    out = io.StringIO()
    call_command("crosscheck_prices", "--date", "2026-01-01", stdout=out)
    text = out.getvalue()
    assert "LiteLLM: not compared (litellm is not installed; pass a file path or URL)" in text
    assert "vs genai-prices (hand-made genai-prices), tolerance 1%: 2 models in both" in text


def test_command_asked_for_the_installed_litellm_fails_without_it(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(litellm_source, "find_litellm_spec", lambda: None)
    with pytest.raises(CommandError, match="litellm is not installed; pass a file path or URL"):
        call_command("crosscheck_prices", "--installed")
