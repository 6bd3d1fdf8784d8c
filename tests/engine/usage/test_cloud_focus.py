"""FOCUS files: Microsoft's export (meters in blocks) and LiteLLM's (cost only)."""

import pandas as pd
import pytest

from dashboard.engine.usage import UsageFileError, read_usage
from dashboard.engine.usage.focus import REQUESTS_ONLY_WARNING

from .cloud_rules import CLOUD, SEED_RULES
from .conftest import TODAY

D = pd.Timestamp
COLUMNS = ["day", "source_provider", "source_model", "batch", "requests",
           "tokens_input_uncached", "tokens_cache_read", "tokens_cache_write", "tokens_output"]


def read(name):
    return read_usage(CLOUD / name, today=TODAY, meter_rules=SEED_RULES)


def rows_of(frame):
    return [tuple(row) for row in frame[COLUMNS].itertuples(index=False)]


def test_microsoft_focus_scales_units_by_the_pricing_block_size():
    frame, report = read("focus_azure_2026-05.csv")
    assert report.format == "focus"
    assert rows_of(frame) == [
        # 1200 and 150 blocks of 1000
        (D("2026-05-01"), "azure-openai", "gpt-4o-2024-08-06", False, 0, 1_200_000, 0, 0,
         150_000),
        # 0.5 blocks of 1,000,000
        (D("2026-05-02"), "azure-openai", "GPT 5 outpt Glbl 1M Tokens", False, 0, 0, 0, 0,
         500_000),
    ]
    assert frame["reported_cost"].tolist() == pytest.approx([4.5, 5.0])
    assert report.skipped == {
        "not a usage charge (purchase, refund, tax, credit...)": 1,
        "not an LLM service (compute, storage, network, support...)": 1,
    }


def test_litellm_focus_export_keeps_cost_per_model_without_inventing_tokens():
    frame, report = read("focus_litellm_2026-07.csv")
    assert rows_of(frame) == [
        (D("2026-07-01"), "anthropic", "claude-3-5-sonnet-20241022", False, 0, 0, 0, 0, 0),
        (D("2026-07-01"), "openai", "gpt-4o-mini", False, 0, 0, 0, 0, 0),
        (D("2026-07-02"), "openai", "gpt-4o-mini", False, 0, 0, 0, 0, 0),
    ]
    # two keys on 2026-07-01: 0.12 + 0.08
    assert frame["reported_cost"].tolist() == pytest.approx([0.5, 0.2, 0.2])
    assert report.warnings == [REQUESTS_ONLY_WARNING]


def test_microsoft_units_without_a_unit_description_use_the_block_size():
    header = ("ChargePeriodStart,ChargeCategory,ProviderName,ServiceCategory,SkuMeter,"
              "ConsumedQuantity,ConsumedUnit,x_PricingBlockSize,BilledCost,BillingCurrency\n")
    row = ("2026-05-01T00:00:00Z,Usage,Microsoft,AI and Machine Learning,"
           "gpt-4o-0806-Outp-glbl Tokens,150,Units,1000,1.5,USD\n")
    frame, _ = read_usage((header + row).encode(), filename="focus.csv", today=TODAY,
                          meter_rules=SEED_RULES)
    # 150 blocks of 1000
    assert frame["tokens_output"].tolist() == [150_000]


def test_a_bad_charge_period_names_its_line_and_column():
    header = ("ChargePeriodStart,ChargeCategory,ProviderName,SkuMeter,ConsumedQuantity,"
              "ConsumedUnit,x_PricingBlockSize,BilledCost,BillingCurrency\n")
    rows = ("2026-05-01T00:00:00Z,Usage,Microsoft,gpt-4o-0806-Outp-glbl Tokens,1,Units,1000,0.01,USD\n"
            "yesterday,Usage,Microsoft,gpt-4o-0806-Outp-glbl Tokens,1,Units,1000,0.01,USD\n")
    with pytest.raises(UsageFileError) as caught:
        read_usage((header + rows).encode(), filename="focus.csv", today=TODAY,
                   meter_rules=SEED_RULES)
    assert (caught.value.row, caught.value.column) == (3, "ChargePeriodStart")
    assert "'yesterday' is not a date" in str(caught.value)
