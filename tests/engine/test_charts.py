"""Chart specs: what a reader of each chart sees (series, colours, axes, "no price"), read
from the JSON that plotly.js draws. No database, no browser."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from dashboard.engine import charts
from dashboard.engine.catalog_types import Catalog, RateRow
from dashboard.engine.charts import Series, provider_style
from dashboard.engine.presentation import (
    Table,
    chart_specs,
    chart_subset,
    cumulative,
    history_spec,
    monthly_cost,
    results_frame,
    usage_chart,
)
from tests.engine.factory import price

# Every provider of the seed catalog, read from the repository's own fixtures.
SEED_PROVIDERS = [
    row["slug"]
    for row in csv.DictReader((Path(__file__).resolve().parents[2] / "fixtures/catalog/providers.csv").open(encoding="utf-8"))
]


def candidate(key: str, rank: int | None, label: str, *, unpriced: bool = False) -> SimpleNamespace:
    return SimpleNamespace(candidate=key, rank=rank, label=label, has_unpriced=unpriced)


def months_result(rows: list[tuple[str, str, float]], summary: list[SimpleNamespace]) -> SimpleNamespace:
    """A projection result with one cost per (candidate, month)."""
    monthly = pd.DataFrame(
        [
            {"candidate": c, "month": dt.date.fromisoformat(m + "-01"), "cost_display": v,
             "unpriced_tokens": 1e6 if v != v else 0.0, "tokens_input_uncached": 0, "tokens_cache_read": 0,
             "tokens_cache_write": 0, "tokens_output": 0, "free_tokens_used": 0.0}
            for c, m, v in rows
        ]
    )  # fmt: skip
    return SimpleNamespace(monthly=monthly, summary=summary)


def colours_by_name(spec: dict) -> dict[str, str]:
    return {trace["name"]: trace["line"]["color"] for trace in spec["data"]}


# --- colours ------------------------------------------------------------------------------


def test_a_provider_has_the_same_colour_in_every_chart_whatever_else_is_drawn():
    one = charts.cost_lines(["2025-01"], [Series("deepseek", "DeepSeek", [1.0]), Series("baidu", "Baidu", [2.0])], "USD", title="t")
    other = charts.cost_lines(
        ["2025-01"],
        [Series("zhipu", "Zhipu", [0.5]), Series("deepseek", "DeepSeek", [1.0])],
        "USD",
        title="t",
    )
    bars = charts.provider_bars([Series("deepseek", "DeepSeek", [3.0])], "USD", title="t", empty="e")
    assert colours_by_name(one)["DeepSeek"] == colours_by_name(other)["DeepSeek"] == bars["data"][0]["marker"]["color"][0]
    assert colours_by_name(one)["DeepSeek"] == provider_style("deepseek").colour


def test_every_seed_brand_has_its_own_colour_and_regional_twins_share_it_with_another_dash():
    brands = {charts.brand_and_variant(slug)[0] for slug in SEED_PROVIDERS}
    colours = {provider_style(brand).colour for brand in brands}
    assert len(colours) == len(brands)  # no two seed brands look alike
    assert provider_style("minimax-intl").colour == provider_style("minimax").colour
    assert provider_style("minimax-intl").dash != provider_style("minimax").dash
    assert provider_style("minimax-intl").symbol != provider_style("minimax").symbol
    assert provider_style("google-vertex").colour == provider_style("google").colour
    assert not set(charts.FALLBACK) & set(charts.BRAND_COLOURS.values())


def test_the_current_provider_is_drawn_in_ink_thicker_than_the_candidates():
    current, other = provider_style("current"), provider_style("openai")
    assert current.colour == charts.CURRENT_COLOUR and current.width > other.width


def test_the_current_provider_is_drawn_on_top_and_listed_first():
    spec = charts.cost_lines(
        ["2025-01"], [Series("current", "Current (OpenAI)", [5.0]), Series("openai", "OpenAI", [5.0])], "USD", title="t"
    )
    assert [t["meta"] for t in spec["data"]] == ["openai", "current"]  # later traces cover earlier ones
    ranks = {t["meta"]: t["legendrank"] for t in spec["data"]}
    assert ranks["current"] < ranks["openai"]


def test_an_unknown_provider_gets_a_stable_colour_from_its_slug():
    assert provider_style("new-cloud").colour == provider_style("new-cloud").colour
    assert provider_style("new-cloud").colour in charts.FALLBACK


# --- which candidates a "cheapest" chart shows --------------------------------------------


def test_chart_subset_selects_by_candidate_so_minimax_international_does_not_ride_along():
    summary = [
        candidate("current", 3, "Current (OpenAI)"),
        candidate("minimax", 1, "MiniMax"),
        candidate("minimax-intl", None, "MiniMax (international)"),  # cannot price everything
        candidate("deepseek", 2, "DeepSeek"),
    ]
    result = months_result(
        [("current", "2025-01", 10.0), ("minimax", "2025-01", 4.0), ("minimax-intl", "2025-01", 1.0),
         ("deepseek", "2025-01", 5.0)],
        summary,
    )  # fmt: skip
    subset = chart_subset(monthly_cost(result, "USD"), summary)
    assert subset.keys == ("current", "minimax", "deepseek")
    assert [label for label, _ in subset.rows] == ["Current (OpenAI)", "MiniMax", "DeepSeek"]


def test_chart_subset_keeps_the_current_provider_and_at_most_seven_cheapest():
    summary = [candidate("current", None, "Current")] + [candidate(f"p{i}", i, f"P{i}") for i in range(1, 12)]
    result = months_result([(s.candidate, "2025-01", 1.0) for s in summary], summary)
    subset = chart_subset(monthly_cost(result, "USD"), summary)
    assert subset.keys == ("current", "p1", "p2", "p3", "p4", "p5", "p6", "p7")


def test_the_same_provider_keeps_its_colour_in_two_scenarios_with_different_rankings():
    def monthly_chart(ranks: dict[str, int | None]) -> dict:
        summary = [candidate("current", None, "Current")] + [candidate(k, r, k.title()) for k, r in ranks.items()]
        result = months_result([(s.candidate, "2025-01", 1.0) for s in summary], summary)
        table = monthly_cost(result, "USD")
        return chart_specs(table, table, table, Table("", [], [], "tokens"), Table("", [], [], "money"), summary, "USD")["monthly"]

    today = colours_by_name(monthly_chart({"deepseek": 1, "zhipu": 2, "baidu": 3}))
    july = colours_by_name(monthly_chart({"baidu": 1, "deepseek": None, "zhipu": 2}))
    assert today["Zhipu"] == july["Zhipu"] and today["Baidu"] == july["Baidu"]
    assert "Deepseek" not in july  # unranked in that scenario: not in the cheapest chart


# --- unknown cost is never drawn as 0 -----------------------------------------------------


def test_a_month_without_a_price_is_a_gap_labelled_no_price_not_a_zero():
    spec = charts.cost_lines(
        ["2025-01", "2025-02", "2025-03"],
        [Series("current", "Current (OpenAI)", [10.0, None, 12.0]), Series("deepseek", "DeepSeek", [4.0, 5.0, 6.0])],
        "USD",
        title="Monthly cost",
    )
    current = next(trace for trace in spec["data"] if trace["meta"] == "current")
    assert current["y"] == [10.0, None, 12.0] and current["connectgaps"] is False
    [note] = spec["layout"]["annotations"]
    assert note["x"] == "2025-02-15" and note["text"] == "no price"
    assert note["hovertext"] == "No price in force: Current (OpenAI)"


def test_the_cumulative_chart_is_unknown_from_the_first_month_without_a_price():
    summary = [candidate("current", None, "Current"), candidate("deepseek", 1, "DeepSeek")]
    result = months_result(
        [("current", "2025-01", 10.0), ("current", "2025-02", math.nan), ("current", "2025-03", 12.0),
         ("deepseek", "2025-01", 4.0), ("deepseek", "2025-02", 5.0), ("deepseek", "2025-03", 6.0)],
        summary,
    )  # fmt: skip
    monthly = monthly_cost(result, "USD")
    table = cumulative(monthly)
    spec = chart_specs(monthly, monthly, table, Table("", [], [], "tokens"), Table("", [], [], "money"), summary, "USD")
    lines = {trace["name"]: trace["y"] for trace in spec["cumulative"]["data"]}
    # 10 in January; February unknown, so every running total after it is unknown too (the
    # table the dashboard shows below the chart says the same, never 10, 10, 22).
    assert dict(table.rows)["Current (incomplete)"] == [10.0, None, None]
    assert lines["Current (incomplete)"] == [10.0, None, None]
    assert lines["DeepSeek"] == [4.0, 9.0, 15.0]  # 4, 4+5, 4+5+6
    # The CSV's cumulative column: empty from the unknown month on.
    result.monthly = result.monthly.assign(
        cost_display_without_offers=result.monthly["cost_display"], free_value_display=0.0,
        cost_display_cumulative=0.0, cost_native=result.monthly["cost_display"], native_currency="USD",
    )
    result.scenario = SimpleNamespace(display_currency="USD")
    frame = results_frame(result)
    current = frame[frame["provider"] == "Current"]["cost_cumulative"].tolist()
    assert current[0] == 10.0 and math.isnan(current[1]) and math.isnan(current[2])
    assert frame[frame["provider"] == "DeepSeek"]["cost_cumulative"].tolist() == [4.0, 9.0, 15.0]


def test_a_provider_that_cannot_price_the_uploaded_period_shows_no_price_not_a_short_bar():
    table = Table("h", ["2025-01", "2025-02"], [("Current", [10.0, 12.0]), ("DeepSeek", [3.0, 4.0]), ("Baidu", [1.0, None])],
                  "money", ("current", "deepseek", "baidu"))  # fmt: skip
    summary = [candidate("current", 2, "Current"), candidate("deepseek", 1, "DeepSeek"), candidate("baidu", None, "Baidu", unpriced=True)]
    spec = history_spec(table, "USD", summary)
    bars = spec["data"][0]
    # Cheapest first: DeepSeek 3+4 = 7, Current 10+12 = 22; Baidu has no bar at all.
    assert bars["y"] == ["DeepSeek", "Current", "Baidu"] and bars["x"] == [7.0, 22.0, None]
    [note] = spec["layout"]["annotations"]
    assert note["y"] == "Baidu" and note["text"] == "no price"


# --- axes, series count, empty states ------------------------------------------------------


def test_log_axes_label_powers_of_ten_only_and_always_show_two_of_them():
    spec = charts.price_scatter(
        [{"provider": "A", "slug": "a", "model": "m1", "input": 2.0, "output": 3.0},
         {"provider": "A", "slug": "a", "model": "m2", "input": 2.5, "output": 2.2}],
        "USD",
    )  # fmt: skip
    for axis in (spec["layout"]["xaxis"], spec["layout"]["yaxis"]):
        assert axis["type"] == "log" and axis["dtick"] == 1  # one tick per decade, no 2 and 5
        low, high = axis["range"]
        assert math.floor(high) - math.ceil(low) >= 1  # both 1 and 10 are in range
        assert low <= math.log10(2.0) and high >= math.log10(3.0)


def test_the_price_chart_skips_free_and_unpriced_models_and_says_so_when_nothing_is_left():
    points = [
        {"provider": "A", "slug": "a", "model": "free", "input": 0, "output": 0},
        {"provider": "A", "slug": "a", "model": "unpriced", "input": None, "output": 1.0},
    ]
    spec = charts.price_scatter(points, "USD")
    assert spec["data"] == [] and "nothing to plot" in spec["empty"]


def test_usage_chart_draws_seven_models_and_groups_the_rest_as_other():
    columns = ["2025-01", "2025-02"]
    rows = [(f"model-{i}", [float(100 - i), 1.0]) for i in range(10)]
    spec = usage_chart(Table("u", columns, rows, "tokens", tuple(label for label, _ in rows)))
    names = [trace["name"] for trace in spec["data"]]
    assert len(names) == 8 and names[:7] == [f"model-{i}" for i in range(7)]
    assert names[7] == "3 other models"
    # model-7..9: January 93 + 92 + 91 = 276, February 1 + 1 + 1 = 3
    assert spec["data"][7]["y"] == [276.0, 3.0]


def test_every_chart_keeps_a_readable_plot_height_and_its_legend_below_the_plot():
    spec = charts.cost_lines(["2025-01"], [Series(f"p{i}", f"P{i}", [1.0]) for i in range(8)], "USD", title="t")
    assert spec["plot_height"] >= 180
    legend = spec["layout"]["legend"]
    assert legend["orientation"] == "h" and legend["y"] < 0 and legend["yanchor"] == "top"


def test_an_empty_chart_carries_a_message_instead_of_axes():
    spec = charts.cost_lines(["2025-01"], [Series("p", "P", [None])], "USD", title="t", empty="Nothing priced.")
    assert spec["data"] == [] and spec["empty"] == "Nothing priced."


def test_names_from_uploads_are_escaped_before_plotly_renders_them():
    spec = charts.cost_lines(["2025-01"], [Series("x", "<b>evil</b>", [1.0])], "USD", title="t")
    assert spec["data"][0]["name"] == "&lt;b&gt;evil&lt;/b&gt;"


# --- price history --------------------------------------------------------------------------


def history_catalog(rates: list[tuple[dt.date, float]]) -> Catalog:
    return Catalog.build(providers=[], models=[], rates=[RateRow(day, "CNY", rate) for day, rate in rates])


def test_price_history_draws_one_currency_and_marks_a_switch_of_billing_currency():
    # DeepSeek billed ¥2 / ¥8 in CNY until 2025-09-05, then $0.56 / $1.68 in USD.
    periods = [
        price(1, 2.0, 8.0, start=dt.date(2025, 2, 25), end=dt.date(2025, 9, 5), currency="CNY"),
        price(1, 0.56, 1.68, start=dt.date(2025, 9, 5), currency="USD"),
    ]
    catalog = history_catalog([(dt.date(2025, 1, 1), 7.0)])
    spec = charts.price_history([("deepseek-chat", periods)], currency="USD", rates=catalog, today=dt.date(2025, 10, 1))
    input_line = spec["data"][0]
    # ¥2 at 7 CNY per USD = $0.2857 until the switch, then $0.56: no 85% "cut".
    assert input_line["x"][:2] == ["2025-02-25", "2025-09-05"]
    assert input_line["y"][0] == pytest.approx(2 / 7)
    assert input_line["y"][2:] == [0.56, 0.56]
    assert "¥2" in input_line["customdata"][0] and "1 USD = 7.0000 CNY" in input_line["customdata"][0]
    assert spec["layout"]["yaxis"]["tickprefix"] == "$"
    [switch] = spec["layout"]["shapes"]
    assert switch["x0"] == "2025-09-05"
    assert spec["layout"]["annotations"][0]["text"] == "billed in USD from 2025-09-05"
    # The axis spans the drawn days (2025-02-25 .. today 2025-10-01, 218 days, 4 days' margin),
    # not the extra room the annotation's text would ask for.
    assert spec["layout"]["xaxis"]["range"] == ["2025-02-21", "2025-10-05"]


def test_price_history_converts_each_day_at_that_days_rate():
    periods = [price(1, 7.2, 14.4, start=dt.date(2025, 1, 10), end=dt.date(2025, 4, 1), currency="CNY")]
    catalog = history_catalog([(dt.date(2025, 1, 1), 7.2), (dt.date(2025, 3, 1), 7.0)])
    spec = charts.price_history([("m", periods)], currency="USD", rates=catalog, today=dt.date(2025, 6, 1))
    line = spec["data"][0]
    # ¥7.2 / 7.2 = $1.00 until the rate changes on 2025-03-01, then ¥7.2 / 7.0 = $1.0286.
    assert line["x"][:3] == ["2025-01-10", "2025-03-01", "2025-04-01"]
    assert line["y"][:2] == pytest.approx([1.0, 7.2 / 7.0])
    assert spec["layout"]["shapes"] == []  # same currency throughout: nothing to mark


def test_price_history_leaves_a_gap_where_no_price_is_known():
    periods = [
        price(1, 1.0, 2.0, start=dt.date(2025, 1, 1), end=dt.date(2025, 2, 1)),
        price(1, 1.5, 3.0, start=dt.date(2025, 3, 1)),
    ]
    spec = charts.price_history([("m", periods)], currency="USD", rates=history_catalog([]), today=dt.date(2025, 4, 1))
    line = spec["data"][0]
    assert line["x"][:4] == ["2025-01-01", "2025-02-01", "2025-02-01", "2025-03-01"]
    assert line["y"][:4] == [1.0, 1.0, None, 1.5]  # February: no price, not $0


def test_price_history_draws_at_most_eight_models_and_says_how_many_there_are():
    series = [(f"m{i}", [price(i, 1.0, 2.0)]) for i in range(11)]
    spec = charts.price_history(series, currency="USD", rates=history_catalog([]), today=dt.date(2025, 1, 1), total_models=11)
    assert len({trace["legendgroup"] for trace in spec["data"]}) == 8
    assert "Showing 8 of 11 models" in spec["note"]


# --- offers ---------------------------------------------------------------------------------


def test_offer_bars_take_their_providers_colour_and_an_open_end_is_hatched():
    offers = [
        {"provider": "Zhipu", "slug": "zhipu", "name": "GLM-4 migration", "starts_on": dt.date(2024, 6, 25), "ends_on": dt.date(2024, 7, 31)},
        {"provider": "DeepSeek", "slug": "deepseek", "name": "Welcome", "starts_on": dt.date(2024, 6, 1), "ends_on": None},
    ]  # fmt: skip
    spec = charts.offer_timeline(offers, dt.date(2024, 8, 31), dt.date(2024, 7, 9), "cut-off")
    by_name = {trace["name"]: trace for trace in spec["data"]}
    assert by_name["Zhipu"]["marker"]["color"] == provider_style("zhipu").colour
    assert by_name["Zhipu"]["marker"]["pattern"]["shape"] == [""]
    assert by_name["DeepSeek"]["marker"]["pattern"]["shape"] == ["/"]
    # Open-ended: drawn from 2024-06-01 to today 2024-08-31, 92 days inclusive.
    assert by_name["DeepSeek"]["x"] == [92 * 86_400_000]


def test_an_offer_without_a_published_end_runs_to_the_day_it_is_assumed_to_last_until():
    offer = {"provider": "MiniMax", "slug": "minimax", "name": "Registration", "starts_on": dt.date(2024, 6, 14),
             "ends_on": None, "last_seen_on": dt.date(2024, 6, 14), "assumed_until": dt.date(2024, 12, 14)}  # fmt: skip
    spec = charts.offer_timeline([offer], dt.date(2026, 11, 30), dt.date(2024, 7, 9), "cut-off")
    bar = spec["data"][0]
    # 2024-06-14 .. 2024-12-14 inclusive: 17 (June) + 31 + 31 + 30 + 31 + 30 + 14 = 184 days, not to 2026.
    assert bar["x"] == [184 * 86_400_000] and bar["marker"]["pattern"]["shape"] == ["/"]
    assert "assumed until 2024-12-14" in bar["customdata"][0][2]


def test_specs_are_plain_json_without_nan():
    spec = charts.cost_lines(["2025-01"], [Series("p", "P", [math.nan]), Series("q", "Q", [1.0])], "USD", title="t")
    assert "NaN" not in json.dumps(spec)
    assert spec["data"][0]["y"] == [None]
