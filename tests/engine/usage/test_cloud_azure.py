"""Azure Cost Management exports read with the seeded meter rules; totals added up by hand."""

import datetime

import pandas as pd
import pytest

from dashboard.engine.usage import UsageFileError, read_usage
from dashboard.engine.usage.meters import MeterRule

from .cloud_rules import CLOUD, SEED_RULES
from .conftest import TODAY

D = pd.Timestamp
COLUMNS = ["day", "source_provider", "source_model", "batch", "tokens_input_uncached",
           "tokens_cache_read", "tokens_cache_write", "tokens_output"]


def read(name, rules=SEED_RULES):
    return read_usage(CLOUD / name, today=TODAY, meter_rules=rules)


def rows_of(frame):
    return [tuple(row) for row in frame[COLUMNS].itertuples(index=False)]


def test_ea_export_splits_meters_into_models_kinds_and_days():
    frame, report = read("azure_ea_costdetails_2026-05.csv")
    assert report.format == "azure_cost"
    assert rows_of(frame) == [
        # 1200 + 400 + 150 blocks of 1K
        (D("2026-05-01"), "azure-openai", "gpt-4o-2024-08-06", False, 1_200_000, 400_000, 0,
         150_000),
        (D("2026-05-01"), "azure-openai", "gpt-4o-mini", False, 5_000_000, 0, 0, 800_000),
        # 2.5 and 0.3 blocks of 1M; no model rule, so the meter name stays to be identified
        (D("2026-05-02"), "azure-openai", "GPT 5 Inpt Glbl 1M Tokens", False, 2_500_000, 0, 0, 0),
        (D("2026-05-02"), "azure-openai", "GPT 5 outpt Glbl 1M Tokens", False, 0, 0, 0, 300_000),
        (D("2026-05-02"), "azure-openai", "gpt-4o-2024-08-06", False, 800_000, 0, 0, 100_000),
        (D("2026-05-02"), "azure-openai", "gpt-4o-mini", True, 10_000_000, 0, 0, 2_000_000),
        # Quantity 1,000,000 was already tokens: 0.15 / (1e6 x 0.00015) = 0.001
        (D("2026-05-03"), "azure-openai", "gpt-4o-mini", False, 1_000_000, 0, 0, 0),
    ]
    # 3 + 0.5 + 1.5; 0.75 + 0.48; 3.125; 3; 2 + 1; 0.75 + 0.6; 0.15
    assert frame["reported_cost"].tolist() == pytest.approx(
        [5.0, 1.23, 3.125, 3.0, 3.0, 1.35, 0.15])
    assert set(frame["reported_currency"]) == {"USD"}
    assert report.rows_read == 17
    assert report.skipped == {
        "not a usage charge (purchase, refund, tax, credit...)": 1,  # the PTU purchase
        "not an LLM service (compute, storage, network, support...)": 2,  # VM and storage
        "meter not billed per token (hours, requests, storage...)": 1,  # PTU hours
        "token meter not in the meter table": 1,  # computer-use-preview
    }
    assert report.first_day == datetime.date(2026, 5, 1)
    assert any("1 row with Quantity already in tokens" in w for w in report.warnings)


def test_ea_export_keeps_billed_cost_per_month_model_and_token_kind():
    _, report = read("azure_ea_costdetails_2026-05.csv")
    by_key = {(r["source_model"], r["token_kind"], r["batch"]): (r["tokens"], r["cost"])
              for r in report.billed_usage}
    assert {r["month"] for r in report.billed_usage} == {"2026-05"}
    # input 1,200,000 + 800,000 for 3 + 2 USD
    assert by_key[("gpt-4o-2024-08-06", "input", False)] == (2_000_000, pytest.approx(5.0))
    assert by_key[("gpt-4o-2024-08-06", "cache_read", False)] == (400_000, pytest.approx(0.5))
    assert by_key[("gpt-4o-2024-08-06", "output", False)] == (250_000, pytest.approx(2.5))
    # 5,000,000 for 0.75 + the token-counted 1,000,000 for 0.15
    assert by_key[("gpt-4o-mini", "input", False)] == (6_000_000, pytest.approx(0.9))
    assert by_key[("gpt-4o-mini", "input", True)] == (10_000_000, pytest.approx(0.75))
    assert by_key[("gpt-4o-mini", "output", True)] == (2_000_000, pytest.approx(0.6))
    assert len(report.billed_usage) == 9


def test_meters_nobody_identified_are_listed_with_tokens_and_cost():
    _, report = read("azure_ea_costdetails_2026-05.csv")
    listed = {m["meter"]: m for m in report.unidentified_meters}
    assert set(listed) == {"GPT 5 Inpt Glbl 1M Tokens", "GPT 5 outpt Glbl 1M Tokens",
                           "computer-use-preview glbl Tokens"}
    assert listed["GPT 5 Inpt Glbl 1M Tokens"]["tokens"] == 2_500_000
    assert listed["GPT 5 Inpt Glbl 1M Tokens"]["kept"] is True
    # no kind marker: skipped, but its 50 x 1K tokens and 0.15 USD are shown
    skipped = listed["computer-use-preview glbl Tokens"]
    assert (skipped["tokens"], skipped["cost"], skipped["kept"]) == (50_000, 0.15, False)


def test_an_admin_rule_identifies_a_new_meter_spelling_without_a_release():
    rule = MeterRule("azure", r"gpt 5 inpt glbl 1m tokens", "input", model="gpt-5")
    frame, report = read("azure_ea_costdetails_2026-05.csv", rules=(*SEED_RULES, rule))
    assert "gpt-5" in set(frame["source_model"])
    assert "GPT 5 Inpt Glbl 1M Tokens" not in set(frame["source_model"])
    assert "GPT 5 Inpt Glbl 1M Tokens" not in {m["meter"] for m in report.unidentified_meters}


def test_without_rules_token_meters_are_listed_not_guessed():
    with pytest.raises(UsageFileError, match="every row was skipped"):
        read("azure_ea_costdetails_2026-05.csv", rules=())


def test_azure_china_export_in_cny_is_the_china_provider():
    frame, report = read("azure_china_mca_2024-05-20_2024-06-30.csv")
    assert set(frame["source_provider"]) == {"azure-openai-china"}
    assert set(frame["reported_currency"]) == {"CNY"}
    # 42 days x 4 meters, plus one storage line a day
    assert report.rows_read == 42 * 5
    assert report.skipped == {"not an LLM service (compute, storage, network, support...)": 42}
    june = frame[frame["day"] >= D("2024-06-01")]
    per_model = june.groupby("source_model")[
        ["tokens_input_uncached", "tokens_output", "reported_cost"]].sum()
    # gpt-4o regional: 2000 K input and 300 K output a day for 30 days
    assert per_model.loc["gpt-4o-2024-05-13-regional", "tokens_input_uncached"] == 60_000_000
    assert per_model.loc["gpt-4o-2024-05-13-regional", "tokens_output"] == 9_000_000
    # (2000 x 0.035 + 300 x 0.105) x 30 = (70 + 31.5) x 30
    assert per_model.loc["gpt-4o-2024-05-13-regional", "reported_cost"] == pytest.approx(3045.0)
    # (5000 x 0.0012 + 1000 x 0.0048) x 30 = 10.8 x 30
    assert per_model.loc["gpt-4o-mini-regional", "reported_cost"] == pytest.approx(324.0)
    every_day = frame.groupby("day").size()
    assert len(every_day) == 42 and (every_day == 2).all()


def test_pay_as_you_go_header_reads_usage_quantity_and_pre_tax_cost():
    frame, report = read("azure_payg_usage_2026-04.csv")
    assert rows_of(frame) == [
        (D("2026-04-10"), "azure-openai", "gpt-4o-2024-11-20", False, 3_000_000, 1_000_000, 0,
         400_000),
        (D("2026-04-11"), "azure-openai", "gpt-4o-2024-11-20-regional", False, 1_000_000, 0, 0, 0),
    ]
    # 7.5 + 1.25 + 4; 2.75
    assert frame["reported_cost"].tolist() == pytest.approx([12.75, 2.75])
    assert report.skipped == {"not an LLM service (compute, storage, network, support...)": 1}


def test_localised_headers_are_matched_by_the_english_name_in_parentheses():
    frame, report = read("azure_costdetails_es_2026-06.csv")
    assert report.format == "azure_cost"
    assert rows_of(frame) == [
        (D("2026-06-01"), "azure-openai", "gpt-4o-2024-08-06-regional", False, 2_000_000, 0, 0,
         100_000),
        (D("2026-06-02"), "azure-openai", "GPT 5 Inpt Glbl 1M Tokens", False, 4_000_000, 0, 0, 0),
    ]
    assert frame["reported_cost"].tolist() == pytest.approx([6.6, 5.0])


HEADER = "Date,MeterCategory,MeterName,UnitOfMeasure,Quantity,CostInBillingCurrency,BillingCurrency\n"


def read_text(text, rules=SEED_RULES):
    return read_usage(text.encode(), filename="bill.csv", today=TODAY, meter_rules=rules)


def test_day_first_dates_are_read_day_first_only_when_a_first_part_is_above_12():
    row = "Cognitive Services,gpt-4o-0806-Inp-glbl Tokens,1K,10,0.025,USD\n"
    frame, _ = read_text(HEADER + "13/05/2026," + row + "01/05/2026," + row)
    assert frame["day"].tolist() == [D("2026-05-01"), D("2026-05-13")]
    frame, _ = read_text(HEADER + "05/01/2026," + row)
    assert frame["day"].tolist() == [D("2026-05-01")]


def test_a_bill_in_euro_without_a_usd_column_names_the_line_and_column():
    row = "2026-05-01,Cognitive Services,gpt-4o-0806-Inp-glbl Tokens,1K,10,0.023,EUR\n"
    with pytest.raises(UsageFileError) as caught:
        read_text(HEADER + row)
    assert str(caught.value) == (
        "bill.csv, line 2, column 'BillingCurrency': 'EUR' is not USD or CNY: TokenScope "
        "compares costs in those two currencies only"
    )


def test_a_bill_in_euro_uses_cost_in_usd_when_the_export_has_it():
    header = HEADER.rstrip("\n") + ",costInUsd\n"
    frame, report = read_text(
        header + "2026-05-01,Cognitive Services,gpt-4o-0806-Inp-glbl Tokens,1K,10,0.023,EUR,0.025\n")
    assert frame["reported_cost"].tolist() == [0.025]
    assert frame["reported_currency"].tolist() == ["USD"]
    assert any("costInUsd" in w for w in report.warnings)


def test_a_bad_quantity_names_its_line_and_column():
    rows = ("2026-05-01,Cognitive Services,gpt-4o-0806-Inp-glbl Tokens,1K,10,0.025,USD\n"
            "2026-05-02,Cognitive Services,gpt-4o-0806-Inp-glbl Tokens,1K,ten,0.025,USD\n")
    with pytest.raises(UsageFileError) as caught:
        read_text(HEADER + rows)
    assert (caught.value.row, caught.value.column) == (3, "Quantity")
    assert "'ten' is not a number" in str(caught.value)


def test_a_negative_correction_line_is_skipped_and_counted_not_subtracted():
    rows = ("2026-05-01,Cognitive Services,gpt-4o-0806-Inp-glbl Tokens,1K,10,0.025,USD\n"
            "2026-05-01,Cognitive Services,gpt-4o-0806-Inp-glbl Tokens,1K,-4,-0.01,USD\n")
    frame, report = read_text(HEADER + rows)
    assert frame["tokens_input_uncached"].tolist() == [10_000]
    assert report.skipped == {"negative quantity (correction)": 1}
