"""The bundled 12-month profile, checked against totals computed with the csv module."""

import csv
import datetime
import importlib.util
from collections import defaultdict

from dashboard.engine.usage import read_usage

from .conftest import SAMPLES, TODAY

NAME = "sample_openai_12_months.csv"


def csv_totals():
    totals = defaultdict(lambda: [0, 0, 0, 0])
    empty = 0
    with open(SAMPLES / NAME, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not row["model"]:
                empty += 1
                continue
            total = totals[(row["model"], row["batch"] == "True")]
            total[0] += int(float(row["num_model_requests"]))
            total[1] += int(float(row["input_tokens"])) - int(float(row["input_cached_tokens"]))
            total[2] += int(float(row["input_cached_tokens"]))
            total[3] += int(float(row["output_tokens"]))
    return totals, empty


def test_twelve_month_sample_totals_match_an_independent_csv_sum():
    frame, report = read_usage(SAMPLES / NAME, today=TODAY)
    expected, empty = csv_totals()
    got = frame.groupby(["source_model", "batch"])[
        ["requests", "tokens_input_uncached", "tokens_cache_read", "tokens_output"]
    ].sum()
    assert {key: list(values) for key, values in got.iterrows()} == dict(expected)
    assert report.skipped == {"empty bucket": empty}
    assert empty == 3


def test_twelve_month_sample_covers_twelve_complete_months_of_three_models():
    frame, report = read_usage(SAMPLES / NAME, today=TODAY)
    assert report.first_day == datetime.date(2025, 11, 1)
    assert report.last_day == datetime.date(2026, 10, 31)
    assert report.models == ["gpt-3.5-turbo-0125", "gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18"]
    # a batch job on the 1st of every month except 2026-01-01, which is an empty bucket
    assert frame["batch"].sum() == 11
    monthly = frame.groupby([frame["day"].dt.to_period("M"), "source_model"])
    input_tokens = monthly["tokens_input_uncached"].sum() + monthly["tokens_cache_read"].sum()
    output_tokens = monthly["tokens_output"].sum()
    assert len(input_tokens) == 36
    assert input_tokens.between(20_000_000, 80_000_000).all()
    assert output_tokens.between(3_000_000, 15_000_000).all()
    assert (frame["tokens_cache_read"] > 0).any()


def test_every_sample_file_is_what_make_samples_writes():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, make in module.SAMPLES.items():
        assert (SAMPLES / name).read_text(encoding="utf-8") == make(), name
