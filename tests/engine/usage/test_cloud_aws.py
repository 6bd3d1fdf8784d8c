"""AWS CUR (2.0 and legacy) Bedrock lines read with the seeded meter rules; totals by hand."""

import pandas as pd
import pytest

from dashboard.engine.usage import UsageFileError, read_usage

from .cloud_rules import CLOUD, SEED_RULES
from .conftest import TODAY

D = pd.Timestamp
COLUMNS = ["day", "source_provider", "source_model", "batch", "tokens_input_uncached",
           "tokens_cache_read", "tokens_cache_write", "tokens_output"]


def read(name):
    return read_usage(CLOUD / name, today=TODAY, meter_rules=SEED_RULES)


def rows_of(frame):
    return [tuple(row) for row in frame[COLUMNS].itertuples(index=False)]


def test_cur2_marketplace_amounts_are_millions_and_first_party_thousands():
    frame, report = read("aws_cur2_bedrock_2026-05.csv")
    assert report.format == "aws_cur"
    assert rows_of(frame) == [
        # 0.574079 M and 0.20933 M tokens; the model comes from the inference-profile ARN
        (D("2026-05-03"), "aws-bedrock", "eu.anthropic.claude-haiku-4-5-20251001-v1:0", False,
         574_079, 0, 0, 209_330),
        # 2 M input, 5 M cache read, 0.4 M cache write, 0.3 M output
        (D("2026-05-03"), "aws-bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", False,
         2_000_000, 5_000_000, 400_000, 300_000),
        # 139.609 thousand (no pricing_unit: the rule's 1K), 1000 x "1K tokens" as batch
        (D("2026-05-04"), "aws-bedrock", "amazon.nova-lite-v1:0", False, 139_609, 0, 0, 0),
        (D("2026-05-04"), "aws-bedrock", "amazon.nova-micro-v1:0", True, 1_000_000, 0, 0, 0),
        # a usage type no model rule knows: the model named by the foundation-model ARN
        (D("2026-05-04"), "aws-bedrock", "anthropic.claude-sonnet-4-6", False, 100_000, 0, 0, 0),
    ]
    # 0.6314869 + 1.151315; 6.6 + 1.65 + 1.65 + 4.455 (net of the discount, not 4.95)
    assert frame["reported_cost"].tolist() == pytest.approx(
        [1.7828019, 14.355, 0.0096, 0.0175, 0.3])
    assert report.rows_read == 14
    assert report.skipped == {
        "not a usage charge (purchase, refund, tax, credit...)": 1,
        "not an LLM service (compute, storage, network, support...)": 2,
        "zero-cost Marketplace line without a resource (duplicate of a billed line)": 1,
        "meter not billed per token (hours, requests, storage...)": 1,
    }


def test_cur2_billed_usage_gives_cost_per_token_kind():
    _, report = read("aws_cur2_bedrock_2026-05.csv")
    sonnet = {r["token_kind"]: (r["tokens"], r["cost"]) for r in report.billed_usage
              if r["source_model"].startswith("us.anthropic.claude-sonnet-4-5")}
    assert sonnet == {
        "input": (2_000_000, pytest.approx(6.6)),
        "cache_read": (5_000_000, pytest.approx(1.65)),
        "cache_write": (400_000, pytest.approx(1.65)),
        "output": (300_000, pytest.approx(4.455)),
    }


def test_legacy_cur_takes_the_model_from_the_product_name_and_skips_credits():
    frame, report = read("aws_cur_legacy_bedrock_2024-07.csv")
    assert report.format == "aws_cur"
    assert rows_of(frame) == [
        (D("2024-07-15"), "aws-bedrock", "Claude 3 Haiku", False, 10_000_000, 0, 0, 2_000_000),
        (D("2024-07-16"), "aws-bedrock", "Claude 3 Haiku", True, 4_000_000, 0, 0, 0),
    ]
    assert frame["reported_cost"].tolist() == pytest.approx([5.0, 0.5])
    assert report.skipped == {"not a usage charge (purchase, refund, tax, credit...)": 1}


def test_a_bad_usage_amount_names_its_line_and_column():
    header = ("line_item_usage_start_date,line_item_product_code,line_item_usage_type,"
              "line_item_usage_amount,line_item_unblended_cost\n")
    rows = ("2026-05-03T00:00:00Z,AmazonBedrock,USE1-NovaLite-input-tokens,12,0.001\n"
            "2026-05-03T00:00:00Z,AmazonBedrock,USE1-NovaLite-input-tokens,1.2.3,0.001\n")
    with pytest.raises(UsageFileError) as caught:
        read_usage((header + rows).encode(), filename="cur.csv", today=TODAY,
                   meter_rules=SEED_RULES)
    assert (caught.value.row, caught.value.column) == (3, "line_item_usage_amount")
