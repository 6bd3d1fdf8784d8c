"""Rules the seed catalog's data must keep (fixtures/catalog/*.csv, read with the csv module).

These check the data itself, independently of the loader in providers/seed.py: every row cites
sources that exist, says how well it is verified, every model says its context window or that
it is unknown, price periods never overlap, open-ended offers say when they were last seen,
every model id in the sample usage exports resolves to a model of its own provider with a price
on the days it was used, and the OpenAI cost export and the LiteLLM spend log reconcile with
the catalog's prices. The contract is /work/briefs/csv-contract.md, summarised in
fixtures/catalog/README.md.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from dashboard.engine.catalog_types import Catalog, ModelInfo, ProviderInfo
from dashboard.engine.mapping import resolve_sources
from dashboard.engine.usage import read_usage
from dashboard.engine.usage.resolve import resolve_models
from tests.conftest import PINNED_TODAY

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CATALOG = FIXTURES / "catalog"
USAGE = FIXTURES / "usage"

HEADERS = {
    "sources.csv": "key,text",
    "providers.csv": "seed_key,slug,name,name_zh,country,region,billing_currency,"
    "openai_compatible,website,notes",
    "models.csv": "seed_key,provider,model_id,display_name,name_zh,family,tier,token_ratio,aliases,"
    "context_window,max_output_tokens,context_sources,released_on,retired_on,notes",
    "prices.csv": "seed_key,provider,model_id,min_prompt_tokens,effective_from,effective_to,currency,"
    "input,output,cache_read,cache_write,batch_input,batch_output,verification,checked_on,sources,"
    "notes",
    "offers.csv": "seed_key,provider,name,name_zh,eligible_models,free_tokens,credit_amount,"
    "credit_currency,token_kind,per_model,eligibility,starts_on,ends_on,last_seen_on,"
    "valid_days_after_claim,conditions,verification,sources,notes",
    "exchange_rates.csv": "day,currency,per_usd,sources,notes",
    "equivalents.csv": "source_provider,source_model,target_provider,target_model,note",
}
VERIFICATION = {"verified-official", "verified-2+sources", "single-source", "unverified"}
TIERS = {"frontier", "flagship", "balanced", "economy", "free"}
UNKNOWN = "unknown"
# Exports name a few vendors differently from the catalog's provider slugs.
EXPORT_PROVIDER = {"azure": "azure-openai"}


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    with open(CATALOG / name, encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def where(name: str, index: int) -> str:
    """File and line of a data row (line 1 is the header)."""
    return f"{name}:{index + 2}"


def model_rows() -> dict[tuple[str, str], dict[str, str]]:
    return {(m["provider"], m["model_id"]): m for m in rows("models.csv")}


def prices_of(provider: str, model_id: str, tier: int = 0) -> list[dict[str, str]]:
    return [
        p
        for p in rows("prices.csv")
        if (p["provider"], p["model_id"], int(p["min_prompt_tokens"])) == (provider, model_id, tier)
    ]


def in_force(provider: str, model_id: str, on: dt.date, tier: int = 0) -> dict[str, str] | None:
    for p in prices_of(provider, model_id, tier):
        start, end = day(p["effective_from"]), p["effective_to"]
        if start <= on and (not end or on < day(end)):
            return p
    return None


@cache
def catalog() -> Catalog:
    """The engine's snapshot of the CSV models (keys in file order, as the seed stores them)."""
    return Catalog.build(
        providers=[
            ProviderInfo(p["slug"], p["name"], p["billing_currency"], p["region"])
            for p in rows("providers.csv")
        ],
        models=[
            ModelInfo(
                key=index,
                provider=m["provider"],
                model_id=m["model_id"],
                display_name=m["display_name"],
                tier=m["tier"],
                aliases=tuple(a for a in m["aliases"].split("|") if a),
            )
            for index, m in enumerate(rows("models.csv"))
        ],
    )


def test_every_file_has_exactly_the_contract_header() -> None:
    for name, header in HEADERS.items():
        with open(CATALOG / name, encoding="utf-8") as handle:
            assert handle.readline().rstrip("\n") == header, name


def test_every_cited_source_key_exists_in_sources_csv() -> None:
    keys = {s["key"] for s in rows("sources.csv")}
    assert all(s["text"].strip() for s in rows("sources.csv"))
    cited = [
        ("prices.csv", "sources"),
        ("offers.csv", "sources"),
        ("exchange_rates.csv", "sources"),
        ("models.csv", "context_sources"),
    ]
    missing = [
        f"{where(name, i)}: {key}"
        for name, column in cited
        for i, row in enumerate(rows(name))
        for key in row[column].split()
        if key not in keys
    ]
    assert missing == []


def test_every_price_offer_and_rate_has_at_least_one_source() -> None:
    empty = [
        where(name, i)
        for name in ("prices.csv", "offers.csv", "exchange_rates.csv")
        for i, row in enumerate(rows(name))
        if not row["sources"].split()
    ]
    assert empty == []


def test_every_price_and_offer_has_a_verification_level() -> None:
    bad = [
        f"{where(name, i)}: {row['verification']!r}"
        for name in ("prices.csv", "offers.csv")
        for i, row in enumerate(rows(name))
        if row["verification"] not in VERIFICATION
    ]
    assert bad == []


def test_every_model_says_its_context_window_and_max_output_or_that_they_are_unknown() -> None:
    bad = []
    for i, m in enumerate(rows("models.csv")):
        figures = [m["context_window"], m["max_output_tokens"]]
        for value in figures:
            if value != UNKNOWN and not (value.isdigit() and int(value) > 0):
                bad.append(f"{where('models.csv', i)}: {value!r}")
        known = any(value != UNKNOWN for value in figures)
        if known != bool(m["context_sources"].split()):
            bad.append(f"{where('models.csv', i)}: context_sources must name the figures' source")
    assert bad == []


def test_a_model_never_outputs_more_than_its_window() -> None:
    too_big = [
        m["seed_key"]
        for m in rows("models.csv")
        if UNKNOWN not in (m["context_window"], m["max_output_tokens"])
        and int(m["max_output_tokens"]) > int(m["context_window"])
    ]
    assert too_big == []


def test_models_have_a_tier_a_family_and_known_providers() -> None:
    slugs = {p["slug"] for p in rows("providers.csv")}
    for i, m in enumerate(rows("models.csv")):
        assert m["provider"] in slugs, where("models.csv", i)
        assert m["tier"] in TIERS, where("models.csv", i)
        assert m["family"], where("models.csv", i)
        assert Decimal(m["token_ratio"]) > 0, where("models.csv", i)
        for column in ("released_on", "retired_on"):
            if m[column]:
                day(m[column])


def test_seed_keys_are_unique_and_follow_the_naming_convention() -> None:
    for name in ("providers.csv", "models.csv", "prices.csv", "offers.csv"):
        keys = [row["seed_key"] for row in rows(name)]
        assert all(keys), name
        assert len(keys) == len(set(keys)), name
    assert all(p["seed_key"] == p["slug"] for p in rows("providers.csv"))
    assert all(m["seed_key"] == f"{m['provider']}/{m['model_id']}" for m in rows("models.csv"))
    for p in rows("prices.csv"):
        expected = f"{p['provider']}/{p['model_id']}@{p['min_prompt_tokens']}@{p['effective_from']}"
        assert p["seed_key"] == expected


def test_no_id_or_alias_names_two_models_of_one_provider() -> None:
    seen: dict[tuple[str, str], str] = {}
    clashes = []
    for m in rows("models.csv"):
        for name in [m["model_id"], *m["aliases"].split("|")]:
            key = (m["provider"], name.strip().lower())
            if not key[1]:
                continue
            if key in seen and seen[key] != m["seed_key"]:
                clashes.append(f"{key}: {seen[key]} and {m['seed_key']}")
            seen[key] = m["seed_key"]
    assert clashes == []


def test_prices_belong_to_catalog_models_and_read_as_numbers() -> None:
    models = model_rows()
    for i, p in enumerate(rows("prices.csv")):
        at = where("prices.csv", i)
        assert (p["provider"], p["model_id"]) in models, at
        assert p["currency"] in {"USD", "CNY"}, at
        assert int(p["min_prompt_tokens"]) >= 0, at
        assert Decimal(p["input"]) >= 0 and Decimal(p["output"]) >= 0, at
        for column in ("cache_read", "cache_write", "batch_input", "batch_output"):
            if p[column]:
                assert Decimal(p[column]) >= 0, f"{at} {column}"
        if p["effective_to"]:
            assert day(p["effective_to"]) > day(p["effective_from"]), at
        if p["checked_on"]:
            day(p["checked_on"])


def test_cache_reads_and_batch_prices_never_cost_more_than_the_list_price() -> None:
    # A discount column above the price it discounts is a typo (e.g. a per-1K figure).
    bad = [
        f"{p['seed_key']} {column}"
        for p in rows("prices.csv")
        for column, base in (
            ("cache_read", "input"),
            ("batch_input", "input"),
            ("batch_output", "output"),
        )
        if p[column] and Decimal(p[column]) > Decimal(p[base])
    ]
    assert bad == []


def test_price_periods_of_one_model_and_tier_never_overlap() -> None:
    periods = defaultdict(list)
    for p in rows("prices.csv"):
        start = day(p["effective_from"])
        end = day(p["effective_to"]) if p["effective_to"] else dt.date.max
        periods[(p["provider"], p["model_id"], p["min_prompt_tokens"])].append((start, end))
    overlaps = []
    for key, spans in periods.items():
        spans.sort()
        for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False):
            if next_start < end:
                overlaps.append(f"{key} at {next_start}")
    assert overlaps == []


def test_a_long_context_tier_only_exists_beside_a_base_tier() -> None:
    tiers = {
        (p["provider"], p["model_id"], int(p["min_prompt_tokens"])) for p in rows("prices.csv")
    }
    orphans = [key for key in tiers if key[2] > 0 and (key[0], key[1], 0) not in tiers]
    assert orphans == []


def test_offers_without_a_published_end_say_when_they_were_last_seen() -> None:
    for i, o in enumerate(rows("offers.csv")):
        at = where("offers.csv", i)
        starts = day(o["starts_on"])
        if o["ends_on"]:
            assert day(o["ends_on"]) >= starts, at
        else:
            assert o["last_seen_on"], f"{at}: no ends_on, so last_seen_on is required"
            assert day(o["last_seen_on"]) >= starts, at


def test_offers_give_tokens_or_a_credit_and_name_existing_models() -> None:
    models = model_rows()
    for i, o in enumerate(rows("offers.csv")):
        at = where("offers.csv", i)
        has_tokens = bool(o["free_tokens"])
        has_credit = bool(o["credit_amount"]) and bool(o["credit_currency"])
        assert has_tokens != has_credit, at
        if has_tokens:
            assert int(o["free_tokens"]) > 0, at
        for model_id in filter(None, o["eligible_models"].split("|")):
            assert (o["provider"], model_id) in models, f"{at}: {model_id}"


def test_open_ended_2024_offers_were_last_seen_in_2024() -> None:
    # MiniMax's 100M and Baichuan's 10M were last reported in June 2024: a scenario starting in
    # 2026 must not claim them on the strength of a two-year-old article.
    last_seen = {o["seed_key"]: o["last_seen_on"] for o in rows("offers.csv")}
    assert last_seen["minimax-2024-registration-100m"] == "2024-06-14"
    assert last_seen["baichuan-2024-developers-10m"] == "2024-06-30"


def test_monthly_cny_rates_run_from_2024_08_to_2026_10_and_2026_11_is_left_out() -> None:
    monthly = [r for r in rows("exchange_rates.csv") if r["sources"] == "FX_ECB"]
    days = [r["day"] for r in monthly]
    # 2024-08 .. 2026-10 inclusive is 5 + 12 + 10 = 27 months, each dated on its 1st.
    assert len(days) == 27 == len(set(days))
    assert days[0] == "2024-08-01" and days[-1] == "2026-10-01"
    assert all(d.endswith("-01") for d in days)
    assert not any(d.startswith("2026-11") for d in days)
    assert all(6 < float(r["per_usd"]) < 8 and r["currency"] == "CNY" for r in monthly)
    pboc = [r["day"] for r in rows("exchange_rates.csv") if r["sources"] != "FX_ECB"]
    assert pboc == ["2024-06-19", "2024-06-27", "2024-07-18", "2024-07-24", "2024-08-07"]


def test_equivalents_join_models_that_exist() -> None:
    models = model_rows()
    for e in rows("equivalents.csv"):
        assert (e["source_provider"], e["source_model"]) in models
        assert (e["target_provider"], e["target_model"]) in models


def usage_ids() -> list[tuple[str, str, str, dt.date, bool]]:
    """(file, export provider, model id as exported, day, batch) for every usage fixture."""
    found = []
    for path in sorted(USAGE.glob("*.csv")):
        frame, _ = read_usage(path, today=PINNED_TODAY)
        for provider, model, day_, batch in (
            frame[["source_provider", "source_model", "day", "batch"]]
            .drop_duplicates()
            .itertuples(index=False)
        ):
            found.append((path.name, provider, model, day_.date(), bool(batch)))
    return found


def test_every_usage_fixture_id_resolves_to_a_model_of_its_own_provider() -> None:
    snapshot = catalog()
    usage = usage_ids()
    keys = resolve_sources(snapshot, {(provider, model) for _, provider, model, _, _ in usage})
    wrong = []
    for name, provider, model, _, _ in usage:
        key = keys[(provider, model)]
        own = EXPORT_PROVIDER.get(provider, provider)
        if key is None or snapshot.models[key].provider != own:
            found = None if key is None else snapshot.models[key].provider
            wrong.append(f"{name}: {provider} {model} -> {found}")
    assert wrong == []


def test_every_usage_fixture_day_has_a_verified_price_on_the_resolved_model() -> None:
    snapshot = catalog()
    usage = usage_ids()
    keys = resolve_sources(snapshot, {(provider, model) for _, provider, model, _, _ in usage})
    unpriced = []
    for name, provider, model, on, batch in usage:
        info = snapshot.models[keys[(provider, model)]]
        row = in_force(info.provider, info.model_id, on)
        if row is None or row["verification"] == "unverified":
            unpriced.append(f"{name}: {model} on {on}")
        elif batch and not row["batch_input"]:
            unpriced.append(f"{name}: {model} on {on} has no batch price")
    assert unpriced == []


def test_openrouter_export_ids_also_resolve_on_the_openrouter_provider() -> None:
    # The OpenRouter readers tag rows "openrouter" (OpenRouter bills them at its own prices):
    # every id its sample exports carry must land on one of OpenRouter's models.
    index = catalog().provider_model_index["openrouter"]
    ids = [model for name, _, model, _, _ in usage_ids() if name.startswith("openrouter_")]
    resolved, unresolved = resolve_models(ids, index)
    assert unresolved == []
    models = catalog().models
    assert models[resolved["deepseek/deepseek-chat-v3-0324:free"]].model_id.endswith(":free")
    assert (
        in_force("openrouter", "deepseek/deepseek-chat-v3-0324:free", dt.date(2026, 6, 29))["input"]
        == "0"
    )


def mtok(tokens: str | float, rate: str) -> Decimal:
    return Decimal(str(tokens)) * Decimal(rate) / Decimal(1_000_000)


def test_the_openai_cost_export_reconciles_within_half_a_percent_of_its_bill() -> None:
    # cost_2026-08-01_2026-08-03.csv bills, per line item "<model>, <kind>":
    #   gpt-4o-2024-08-06 input 35,410 x $2.50 = 0.088525; cached input 12,800 x $1.25 = 0.016;
    #   output 3,105 x $10 = 0.03105; gpt-4o-mini input 31,422 + 7,976 x $0.15 = 0.0059097;
    #   cached input 1,024 x $0.075 = 0.0000768; output 29 + 1,200 x $0.60 = 0.0007374
    #   -> $0.1422989 billed. Without the cached-input prices the cached lines would cost the
    #   input price (12,800 x $2.50 = 0.032, 1,024 x $0.15 = 0.0001536): +11%.
    column = {"input": "input", "cached input": "cache_read", "output": "output"}
    snapshot = catalog()
    billed = computed = Decimal(0)
    with open(USAGE / "cost_2026-08-01_2026-08-03.csv", encoding="utf-8", newline="") as handle:
        for line in csv.DictReader(handle):
            if not line["quantity"] or line["quantity_unit"] != "tokens":
                continue
            model, kind = (part.strip() for part in line["line_item"].split(","))
            info = snapshot.models[
                resolve_sources(snapshot, [("openai", model)])[("openai", model)]
            ]
            row = in_force(info.provider, info.model_id, day(line["start_time_iso"][:10]))
            assert row is not None and row[column[kind]], line["line_item"]
            billed += Decimal(line["amount_value"])
            computed += mtok(line["quantity"], row[column[kind]])
    assert billed == Decimal("0.1422989")
    assert abs(computed - billed) <= billed * Decimal("0.005")


def test_the_litellm_spend_log_reconciles_on_openai_and_azure_models() -> None:
    # litellm_spendlogs_2026-07.csv, successful OpenAI-family rows:
    #   gpt-4o-mini 1,500 in / 150 out at $0.15/$0.60 = 0.000315 (spend 0.000315)
    #   gpt-4o-mini 3,000 in / 500 out = 0.00075 (spend 0.00075)
    #   azure/gpt-4o 1,000 in / 100 out at Azure's $2.50/$10 from 2025-03-19 = 0.0035 (0.0035)
    where_priced = {"openai": "openai", "azure": "azure-openai"}
    snapshot = catalog()
    billed = computed = Decimal(0)
    with open(USAGE / "litellm_spendlogs_2026-07.csv", encoding="utf-8", newline="") as handle:
        for line in csv.DictReader(handle):
            provider = line["custom_llm_provider"]
            if line["status"] != "success" or provider not in where_priced:
                continue
            key = resolve_sources(snapshot, [(provider, line["model"])])[(provider, line["model"])]
            info = snapshot.models[key]
            assert info.provider == where_priced[provider]
            row = in_force(info.provider, info.model_id, day(line["startTime"][:10]))
            billed += Decimal(line["spend"])
            computed += mtok(line["prompt_tokens"], row["input"])
            computed += mtok(line["completion_tokens"], row["output"])
    assert billed == Decimal("0.004565")
    assert abs(computed - billed) <= billed * Decimal("0.005")


@pytest.mark.parametrize(
    ("model_id", "on", "expected"),
    [
        # The gpt-4o alias served the 2024-05-13 snapshot at $5/$15 until it moved on 2024-10-02.
        ("gpt-4o", "2024-10-01", ("5", "15", "")),
        ("gpt-4o", "2024-10-02", ("2.5", "10", "1.25")),
        # Prompt caching started 2024-10-01; the Batch API halves the list price.
        ("gpt-4o-2024-08-06", "2024-09-30", ("2.5", "10", "")),
        ("gpt-4o-2024-08-06", "2024-10-01", ("2.5", "10", "1.25")),
        ("gpt-4o-mini", "2024-10-01", ("0.15", "0.6", "0.075")),
        # o1-mini's two prices (disagreement #1 in the reference).
        ("o1-mini", "2024-12-08", ("3", "12", "1.5")),
        ("o1-mini", "2025-07-04", ("1.1", "4.4", "0.55")),
        ("o3", "2025-06-09", ("10", "40", "")),
        ("o3", "2025-06-10", ("2", "8", "0.5")),
    ],
)
def test_openai_prices_change_on_their_dated_days(
    model_id: str, on: str, expected: tuple[str, str, str]
) -> None:
    row = in_force("openai", model_id, day(on))
    assert (row["input"], row["output"], row["cache_read"]) == expected


def test_openai_batch_prices_are_half_the_list_price_from_the_batch_api_launch() -> None:
    batched = [
        p
        for p in rows("prices.csv")
        if p["provider"] == "openai" and p["batch_input"] and p["batch_output"]
    ]
    assert batched
    for p in batched:
        assert Decimal(p["batch_input"]) * 2 == Decimal(p["input"]), p["seed_key"]
        assert Decimal(p["batch_output"]) * 2 == Decimal(p["output"]), p["seed_key"]
        assert day(p["effective_from"]) >= dt.date(2024, 4, 15), p["seed_key"]
