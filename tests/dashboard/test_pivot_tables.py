"""The tables beside the charts: every figure of the chart, an unknown one as "no price"
(never 0), money in the page's currency, token counts in K/M/B, text escaped."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from dashboard.engine.presentation import Table

PIVOT = Template('{% load tables %}{% pivot_table table "table-monthly" currency %}')


def render(table: Table, currency: str = "USD") -> str:
    return PIVOT.render(Context({"table": table, "currency": currency}))


def test_money_per_month_with_an_unknown_month_as_no_price() -> None:
    table = Table("Monthly cost in CNY, offers counted", ["2024-07", "2024-08"],
                  [("DeepSeek", [1234.5, None]), ("Current (OpenAI)", [0.0451, 0.0])], "money")  # fmt: skip
    html = render(table, "CNY")
    assert '<table class="pivot" id="table-monthly">' in html
    assert "<caption>Monthly cost in CNY, offers counted</caption>" in html
    assert '<th scope="col" class="num">2024-07</th><th scope="col" class="num">2024-08</th>' in html
    assert (
        '<tr><th scope="row">DeepSeek</th><td class="num">¥1,234.50</td><td class="num">'
        '<span class="muted" title="No price in force: unknown, not zero">no price</span></td></tr>'
    ) in html
    assert '<td class="num">¥0.0451</td><td class="num">¥0.00</td>' in html


def test_token_tables_and_an_empty_table() -> None:
    html = render(Table("Tokens", ["free (offers)", "paid"], [("Zhipu", [22_000_000.0, 1_500.0])], "tokens"))
    assert '<td class="num">22.00M</td><td class="num">1.50K</td>' in html
    assert "<tbody><tr><td>No data.</td></tr></tbody>" in render(Table("Tokens", [], [], "tokens"))


def test_labels_and_captions_are_text_not_markup() -> None:
    html = render(Table("<i>cap</i>", ["2024-07"], [('<script>alert("x")</script>', [1.0])], "money"))
    assert "<script>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_no_price_in_chinese() -> None:
    with translation.override("zh-hans"):
        html = render(Table("月度费用", ["2024-07"], [("深度求索", [None])], "money"), "CNY")
    assert "no price" not in html and "<span class=\"muted\" title=" in html
