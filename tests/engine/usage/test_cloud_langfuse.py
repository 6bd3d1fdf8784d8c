"""Langfuse observation exports: only generations, usage types split into token kinds."""

import pandas as pd
import pytest

from dashboard.engine.usage import UsageFileError, read_usage
from dashboard.engine.usage.langfuse import kind_of

from .cloud_rules import CLOUD
from .conftest import TODAY

D = pd.Timestamp
COLUMNS = ["day", "source_provider", "source_model", "batch", "requests",
           "tokens_input_uncached", "tokens_cache_read", "tokens_cache_write", "tokens_output"]


def rows_of(frame):
    return [tuple(row) for row in frame[COLUMNS].itertuples(index=False)]


def test_ui_export_counts_generations_and_splits_usage_details():
    frame, report = read_usage(CLOUD / "langfuse_observations_2026-09.csv", today=TODAY)
    assert report.format == "langfuse"
    assert rows_of(frame) == [
        # 500 input, 1000 cache read, 200 cache creation, 100 output
        (D("2026-09-01"), "anthropic", "claude-3-5-sonnet-20241022", False, 1, 500, 1000, 200,
         100),
        # 1000 input + 200 input_cached_tokens; 300 output + 50 reasoning
        (D("2026-09-01"), "openai", "gpt-4o-2024-08-06", False, 1, 1000, 200, 0, 350),
        # the older usage object (input/output/total/unit)
        (D("2026-09-02"), "openai", "gpt-4o-2024-08-06", False, 1, 40, 0, 0, 10),
    ]
    assert frame["reported_cost"].tolist() == pytest.approx([0.00555, 0.00625, 0.0002])
    assert report.skipped == {"not a generation (span, event...)": 2,
                              "generation without a model": 1}


def test_blob_export_sums_generations_per_day_and_keeps_unpriced_rows_unpriced():
    frame, _ = read_usage(CLOUD / "langfuse_blob_observations_2026-09.csv", today=TODAY)
    assert rows_of(frame) == [
        # 2000 + 1000 input, 0 + 1000 cached, 500 + 100 output
        (D("2026-09-03"), "openai", "gpt-4o-mini", False, 2, 3000, 1000, 0, 600),
    ]
    # one generation has no cost: the day's bill is the other one's 0.0006, not a made-up 0
    assert frame["reported_cost"].tolist() == pytest.approx([0.0006])


@pytest.mark.parametrize(("key", "kind"), [
    ("input", "input"), ("input_audio_tokens", "input"), ("promptTokens", "input"),
    ("input_cached_tokens", "cache_read"), ("cache_read_input_tokens", "cache_read"),
    ("cache_creation_input_tokens", "cache_write"), ("output", "output"),
    ("output_reasoning_tokens", "output"), ("total", None), ("unit", None),
])
def test_usage_keys_map_to_token_kinds(key, kind):
    assert kind_of(key) == kind


def test_usage_that_is_not_a_json_object_names_its_line():
    header = "id,traceId,type,model,startTime,usageDetails,totalCost\n"
    rows = ('o1,t1,GENERATION,gpt-4o,2026-09-01T00:00:00Z,"{""input"": 1}",0.1\n'
            "o2,t1,GENERATION,gpt-4o,2026-09-01T00:00:00Z,not json,0.1\n")
    with pytest.raises(UsageFileError) as caught:
        read_usage((header + rows).encode(), filename="lf.csv", today=TODAY)
    assert (caught.value.row, caught.value.column) == (3, "usageDetails")
