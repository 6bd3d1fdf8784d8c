"""A small seed catalog written by a test, in the seed CSV contract's format.

Loader tests use it instead of the real fixtures/catalog, whose rows the catalog-data
work changes: every figure a test asserts is in the rows below (or the test's own edit).
"""

from __future__ import annotations

import csv
from pathlib import Path

from providers.seed import COLUMNS

Rows = list[dict[str, str]]


def base_rows() -> dict[str, Rows]:
    return {
        "sources.csv": [
            {"key": "OAI", "text": "OpenAI pricing page read 2024-07-25 https://openai.com/api/pricing/"},
            {"key": "DS", "text": "DeepSeek pricing read 2024-08-02 https://api-docs.deepseek.com/"},
            {"key": "FX", "text": "PBOC central parity https://www.pbc.gov.cn/"},
        ],
        "providers.csv": [
            {"seed_key": "openai", "slug": "openai", "name": "OpenAI", "country": "US",
             "region": "global", "billing_currency": "USD", "openai_compatible": "true"},
            {"seed_key": "deepseek", "slug": "deepseek", "name": "DeepSeek", "name_zh": "深度求索",
             "country": "CN", "region": "mainland_china", "billing_currency": "CNY",
             "openai_compatible": "true"},
        ],
        "models.csv": [
            {"seed_key": "openai/gpt-4o", "provider": "openai", "model_id": "gpt-4o",
             "display_name": "GPT-4o", "family": "gpt-4o", "tier": "flagship",
             "token_ratio": "1.0", "aliases": "gpt-4o-2024-05-13|GPT 4o",
             "context_window": "128000", "max_output_tokens": "16384",
             "context_sources": "OAI", "released_on": "2024-05-13"},
            {"seed_key": "deepseek/deepseek-chat", "provider": "deepseek",
             "model_id": "deepseek-chat", "display_name": "DeepSeek-V2 Chat",
             "name_zh": "深度求索对话", "tier": "economy", "token_ratio": "1.0",
             "context_window": "unknown", "max_output_tokens": "unknown"},
        ],
        "prices.csv": [
            {"seed_key": "openai/gpt-4o@0@2024-05-13", "provider": "openai", "model_id": "gpt-4o",
             "min_prompt_tokens": "0", "effective_from": "2024-05-13",
             "effective_to": "2024-10-01", "currency": "USD", "input": "5", "output": "15",
             "verification": "verified-official", "checked_on": "2024-07-25", "sources": "OAI"},
            {"seed_key": "openai/gpt-4o@0@2024-10-01", "provider": "openai", "model_id": "gpt-4o",
             "min_prompt_tokens": "0", "effective_from": "2024-10-01", "currency": "USD",
             "input": "2.5", "output": "10", "cache_read": "1.25", "batch_input": "1.25",
             "batch_output": "5", "verification": "verified-official",
             "checked_on": "2024-10-02", "sources": "OAI"},
            {"seed_key": "deepseek/deepseek-chat@0@2024-05-06", "provider": "deepseek",
             "model_id": "deepseek-chat", "min_prompt_tokens": "0",
             "effective_from": "2024-05-06", "currency": "CNY", "input": "1", "output": "2",
             "cache_read": "0.1", "verification": "verified-official",
             "checked_on": "2024-08-02", "sources": "DS"},
        ],
        "offers.csv": [
            {"seed_key": "deepseek-2024-launch", "provider": "deepseek",
             "name": "Launch tokens", "name_zh": "上线赠送", "eligible_models": "deepseek-chat",
             "free_tokens": "10000000", "token_kind": "both", "per_model": "false",
             "eligibility": "new_customers", "starts_on": "2024-07-01",
             "last_seen_on": "2024-07-10", "valid_days_after_claim": "30",
             "verification": "verified-official", "sources": "DS"},
        ],
        "exchange_rates.csv": [
            {"day": "2024-06-19", "currency": "CNY", "per_usd": "7.1159", "sources": "FX"},
        ],
        "equivalents.csv": [],
    }


def write_catalog(directory: Path, rows: dict[str, Rows] | None = None) -> Path:
    """Write ``rows`` (default: ``base_rows()``) as a seed directory; returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    for filename, file_rows in (rows or base_rows()).items():
        with (directory / filename).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, COLUMNS[filename], lineterminator="\n")
            writer.writeheader()
            for row in file_rows:
                writer.writerow(row)
    return directory
