"""Every bundled sample file read end to end; totals added up by hand from the rows."""

import datetime

import pandas as pd
import pytest

from dashboard.engine.usage import CANONICAL_COLUMNS, read_usage
from dashboard.engine.usage.formats import COST_ONLY_WARNING

from .conftest import SAMPLES, TODAY

D = pd.Timestamp


def read(name):
    return read_usage(SAMPLES / name, today=TODAY)


def rows_of(frame):
    return [tuple(row) for row in frame[CANONICAL_COLUMNS[:9]].itertuples(index=False)]


def test_openai_activity_sample_subtracts_cached_tokens_and_skips_the_empty_bucket():
    frame, report = read("completions_usage_2026-08-01_2026-08-03.csv")
    assert report.format == "openai_activity"
    assert report.rows_read == 5
    assert report.skipped == {"empty bucket": 1}
    assert report.rows_skipped == 1
    assert rows_of(frame) == [
        # 48210 input - 12800 cached = 35410 uncached
        (D("2026-08-02"), "openai", "gpt-4o-2024-08-06", False, 12, 35410, 12800, 0, 3105),
        (D("2026-08-02"), "openai", "gpt-4o-mini-2024-07-18", False, 4, 31422, 0, 0, 29),
        # 9000 - 1024 = 7976
        (D("2026-08-03"), "openai", "gpt-4o-mini-2024-07-18", False, 7, 7976, 1024, 0, 1200),
        (D("2026-08-03"), "openai", "gpt-4o-mini-2024-07-18", True, 100, 250000, 0, 0, 40000),
    ]
    assert frame["reported_cost"].isna().all()
    assert report.first_day == datetime.date(2026, 8, 2)
    assert report.last_day == datetime.date(2026, 8, 3)
    assert report.models == ["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18"]
    assert report.has_reported_cost is False


def test_openai_cost_sample_sums_line_items_per_day_and_model():
    frame, report = read("cost_2026-08-01_2026-08-03.csv")
    assert report.format == "openai_cost"
    assert report.skipped == {"empty bucket": 1, "non-model line item": 1}
    assert rows_of(frame) == [
        (D("2026-08-02"), "openai", "gpt-4o-2024-08-06", False, 0, 35410, 12800, 0, 3105),
        (D("2026-08-02"), "openai", "gpt-4o-mini-2024-07-18", False, 0, 31422, 0, 0, 29),
        (D("2026-08-03"), "openai", "gpt-4o-mini-2024-07-18", False, 0, 7976, 1024, 0, 1200),
    ]
    # 0.088525 + 0.016 + 0.03105; 0.0047133 + 0.0000174; 0.0011964 + 0.0000768 + 0.00072
    assert frame["reported_cost"].tolist() == pytest.approx([0.135575, 0.0047307, 0.0019932])
    assert frame["reported_currency"].tolist() == ["USD", "USD", "USD"]
    assert report.has_reported_cost is True


def test_openai_legacy_sample_groups_unix_timestamps_into_utc_days():
    frame, report = read("activity_2024-05-01_2024-05-02.csv")
    assert report.format == "openai_legacy"
    assert rows_of(frame) == [
        # 3 + 2 requests, 1200 + 800 input, 300 + 100 output
        (D("2024-05-01"), "openai", "gpt-4-1106-preview", False, 5, 2000, 0, 0, 400),
        # 1714690799 is 2024-05-02 23:59:59 UTC; 5000 + 400, 1000 + 50
        (D("2024-05-02"), "openai", "gpt-3.5-turbo-0125", False, 6, 5400, 0, 0, 1050),
    ]


def test_anthropic_hourly_sample_sums_hours_and_adds_both_cache_write_columns():
    frame, report = read("claude_api_tokens_2026_03_31.csv")
    assert report.format == "anthropic_tokens"
    assert rows_of(frame) == [
        # 1124832 + 684631 = 1809463 uncached; writes 2048 + 1024 = 3072;
        # output 254558 + 160350 = 414908 (the real daily row of that day says the same)
        (D("2026-03-31"), "anthropic", "claude-haiku-4-5-20251001", False, 0, 1809463, 40960,
         3072, 414908),
        (D("2026-03-31"), "anthropic", "claude-sonnet-4-5-20250929", False, 0, 20000, 100000,
         5000, 8000),
        (D("2026-03-31"), "anthropic", "claude-sonnet-4-5-20250929", True, 0, 300000, 0, 0,
         50000),
    ]


def test_anthropic_cost_sample_keeps_display_names_and_only_money():
    frame, report = read("claude_api_cost_2025_12.csv")
    assert report.format == "anthropic_cost"
    assert COST_ONLY_WARNING in report.warnings
    assert frame["source_model"].tolist() == [
        "Claude Haiku 4.5", "Claude Sonnet 4.5", "Claude Sonnet 4.5"
    ]
    # 0.13 + 0.02 + 0.41; 1.20 + 3.75; 0.00 + 2.10
    assert frame["reported_cost"].tolist() == pytest.approx([0.56, 4.95, 2.10])
    token_columns = ["tokens_input_uncached", "tokens_cache_read", "tokens_cache_write",
                     "tokens_output"]
    assert (frame[token_columns] == 0).all().all()


def test_openrouter_generation_sample_sums_requests_and_skips_cancelled():
    frame, report = read("openrouter_activity_2026-06-28.csv")
    assert report.format == "openrouter_generations"
    assert report.skipped == {"cancelled generation": 1}
    assert rows_of(frame) == [
        (D("2026-06-28"), "openrouter", "anthropic/claude-sonnet-4", False, 1, 3000, 0, 0, 700),
        # (1200 - 200) + 600 uncached, 200 cached, 250 + 120 output
        (D("2026-06-28"), "openrouter", "openai/gpt-4.1-2025-04-14", False, 2, 1600, 200, 0, 370),
        # 5000 - 1000 cached
        (D("2026-06-29"), "openrouter", "deepseek/deepseek-chat-v3-0324:free", False, 1, 4000,
         1000, 0, 900),
    ]
    # 0.0195; 0.00412 + 0.0021; 0
    assert frame["reported_cost"].tolist() == pytest.approx([0.0195, 0.00622, 0.0])


def test_openrouter_daily_sample_reads_fully_quoted_values():
    frame, report = read("openrouter_activity_daily_2026-05.csv")
    assert report.format == "openrouter_activity"
    assert rows_of(frame) == [
        (D("2026-05-12"), "openrouter", "anthropic/claude-opus-4.7", False, 4115, 70965665, 0,
         0, 3009973),
        (D("2026-05-12"), "openrouter", "openai/gpt-5-mini", False, 310, 2200000, 0, 0, 150000),
        (D("2026-05-13"), "openrouter", "anthropic/claude-opus-4.7", False, 98, 1500000, 0, 0,
         80000),
    ]
    assert frame["reported_cost"].tolist() == pytest.approx([430.07, 1.25, 12.5])


def test_litellm_spendlogs_sample_skips_failures_and_uses_the_provider_column():
    frame, report = read("litellm_spendlogs_2026-07.csv")
    assert report.format == "litellm_spendlogs"
    assert report.skipped == {"failed request": 1}
    assert rows_of(frame) == [
        # 1500 + 3000 prompt, 150 + 500 completion
        (D("2026-07-01"), "openai", "gpt-4o-mini", False, 2, 4500, 0, 0, 650),
        (D("2026-07-02"), "anthropic", "claude-3-5-sonnet-20241022", False, 1, 2000, 0, 0, 400),
        (D("2026-07-02"), "azure", "azure/gpt-4o", False, 1, 1000, 0, 0, 100),
    ]
    # 0.000315 + 0.00075; 0.012; 0.0035
    assert frame["reported_cost"].tolist() == pytest.approx([0.001065, 0.012, 0.0035])


def test_litellm_ui_sample_reads_spend_with_thousands_separators():
    frame, report = read("litellm_usage_daily_with_models_2026-07.csv")
    assert report.format == "litellm_ui"
    assert frame["source_model"].tolist() == [
        "claude-3-5-sonnet-20241022", "gpt-4o", "gpt-4o"
    ]
    assert frame["reported_cost"].tolist() == pytest.approx([12.34, 1234.5678, 1001.0])
    assert frame["requests"].tolist() == [800, 52000, 43000]
    assert any("only total tokens" in warning for warning in report.warnings)


def test_helicone_sample_moves_offset_timestamps_to_the_utc_day():
    frame, report = read("helicone_export_2026-09.csv")
    assert report.format == "helicone"
    assert report.skipped == {"failed request": 1}
    assert rows_of(frame) == [
        (D("2026-09-01"), "openai", "gpt-4o-mini", False, 1, 1000, 0, 0, 200),
        (D("2026-09-02"), "anthropic", "claude-3-5-haiku-20241022", False, 1, 4000, 0, 0, 500),
        # 2026-09-01T23:30-02:00 is 2026-09-02 01:30 UTC
        (D("2026-09-02"), "openai", "gpt-4o-mini", False, 1, 2000, 0, 0, 300),
    ]
    assert frame["reported_cost"].tolist() == pytest.approx([0.00027, 0.0052, 0.00048])


def test_generic_sample_keeps_input_and_cached_tokens_apart():
    frame, report = read("usage_generic.csv")
    assert report.format == "generic"
    assert rows_of(frame) == [
        (D("2026-10-01"), "deepseek", "deepseek-chat", False, 900, 1200000, 400000, 0, 300000),
        (D("2026-10-01"), "openai", "gpt-4o-mini", False, 400, 800000, 0, 0, 120000),
        (D("2026-10-02"), "deepseek", "deepseek-chat", False, 700, 1000000, 500000, 0, 250000),
    ]
    assert frame["reported_cost"].tolist() == pytest.approx([0.52, 0.19, 0.44])
    assert frame["reported_currency"].tolist() == ["USD", "USD", "USD"]


def test_chinese_generic_sample_reads_yuan_amounts_as_cny():
    frame, report = read("usage_generic_zh.csv")
    assert report.format == "generic"
    assert rows_of(frame) == [
        (D("2026-10-01"), "alibaba", "qwen-plus", False, 1200, 2000000, 0, 0, 500000),
        (D("2026-10-01"), "zhipu", "glm-4-plus", False, 300, 1000000, 0, 0, 200000),
        (D("2026-10-02"), "alibaba", "qwen-plus", False, 800, 1500000, 100000, 0, 400000),
    ]
    assert frame["reported_cost"].tolist() == pytest.approx([3.6, 6.0, 2.8])
    assert frame["reported_currency"].tolist() == ["CNY", "CNY", "CNY"]


def test_every_sample_gives_the_canonical_dtypes():
    for path in sorted(SAMPLES.glob("*.csv")):
        frame, _ = read_usage(path, today=TODAY)
        assert list(frame.columns) == CANONICAL_COLUMNS, path.name
        assert str(frame["day"].dtype) == "datetime64[ns]", path.name
        assert frame["batch"].dtype == bool, path.name
        for column in ("requests", "tokens_input_uncached", "tokens_cache_read",
                       "tokens_cache_write", "tokens_output"):
            assert frame[column].dtype == "int64", (path.name, column)
        assert frame["reported_cost"].dtype == "float64", path.name
        keys = ["day", "source_provider", "source_model", "batch"]
        assert not frame.duplicated(keys).any(), path.name
        assert frame.equals(frame.sort_values(keys).reset_index(drop=True)), path.name
