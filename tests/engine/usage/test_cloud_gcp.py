"""Google Cloud Billing export (CSV) Vertex AI lines with the seeded meter rules."""

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


def test_vertex_skus_become_models_and_token_kinds_per_utc_day():
    frame, report = read("gcp_billing_export_vertex_2026-04.csv")
    assert report.format == "gcp_billing"
    assert rows_of(frame) == [
        # input 1,065,040 + 934,960 over two hours; output 200,000 + 100,000 thinking
        (D("2026-04-01"), "google-vertex", "gemini-2.5-flash", False, 2_000_000, 500_000, 0,
         300_000),
        (D("2026-04-02"), "google-vertex", "Gemini 3 Flash Text Input - Predictions", False,
         300_000, 0, 0, 0),
        (D("2026-04-02"), "google-vertex", "gemini-2.0-flash", False, 4_000_000, 0, 0, 1_000_000),
        (D("2026-04-02"), "google-vertex", "gemini-2.5-flash", True, 2_000_000, 0, 0, 0),
    ]
    # 0.319512 + 0.5 + 0.25 + 0.015 + 0.280488 - 0.1 credit; 0.15; 0.4 + 0.4; 0.3
    assert frame["reported_cost"].tolist() == pytest.approx([1.265, 0.15, 0.8, 0.3])
    assert report.skipped == {
        "not a usage charge (purchase, refund, tax, credit...)": 1,
        "not an LLM service (compute, storage, network, support...)": 1,
        "meter not billed per token (hours, requests, storage...)": 2,
        "billed per character (no documented tokens-per-character ratio)": 1,
    }


def test_flattened_header_with_underscores_and_a_credit_total_is_read():
    frame, report = read("gcp_billing_flat_2026-03.csv")
    assert rows_of(frame) == [
        (D("2026-03-31"), "google-vertex", "gemini-2.0-flash", False, 1_000_000, 0, 0, 0),
    ]
    assert frame["reported_cost"].tolist() == pytest.approx([0.08])  # 0.1 - 0.02


def test_a_bad_cost_names_its_line_and_column():
    header = "service.description,sku.description,usage_start_time,usage.amount,usage.unit,cost\n"
    rows = ("Vertex AI,Gemini 2.0 Flash Text Input - Predictions,2026-04-02 00:00:00 UTC,10,count,"
            "0.1\n"
            "Vertex AI,Gemini 2.0 Flash Text Input - Predictions,2026-04-02 01:00:00 UTC,10,count,"
            "n/a\n")
    with pytest.raises(UsageFileError) as caught:
        read_usage((header + rows).encode(), filename="gcp.csv", today=TODAY,
                   meter_rules=SEED_RULES)
    assert (caught.value.row, caught.value.column) == (3, "cost")
