"""The dashboard's offers table rows: pools in tokens and in credit, dates, hints, escaping."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.template import Context, Template

ROW = Template("{% load offer_rows %}{% offer_row row %}")


def outcome(**fields: object) -> SimpleNamespace:
    base = {"applied": True, "assumed_running": False, "provider": "zhipu", "verification": "verified-official",
            "reason_code": "", "reason": "", "hint": None, "last_seen_on": None, "assumed_until": None}  # fmt: skip
    return SimpleNamespace(**{**base, **fields})


def pool(**fields: object) -> SimpleNamespace:
    base = {"unit": "tokens", "used": 0.0, "size": 0.0, "value_display": 0.0, "exhausted_on": None, "expires_on": None}
    return SimpleNamespace(**{**base, **fields})


def render(row: dict, cur: str = "USD") -> str:
    return ROW.render(Context({"row": {"hint_url": None, **row}, "cur": cur}))


def test_a_credit_pool_shows_used_and_size_in_its_currency_its_value_and_when_it_ran_out():
    row = {"offer": outcome(), "provider": "Zhipu", "name": "Welcome credit",
           "pools": [{"pool": pool(unit="CNY", used=10.0, size=10.0, value_display=1.4, exhausted_on=dt.date(2024, 8, 1)),
                      "label": "Welcome credit"}]}  # fmt: skip
    html = render(row)
    assert '<tr class="offer-applied" data-provider="zhipu">' in html
    assert "<div>Welcome credit: ¥10.00 / ¥10.00 credit ($1.40), used up 2024-08-01</div>" in html


def test_a_token_pool_that_expires_and_an_offer_assumed_running():
    row = {"offer": outcome(assumed_running=True, last_seen_on=dt.date(2024, 6, 1), assumed_until=dt.date(2024, 12, 31)),
           "provider": "DeepSeek", "name": "Free tokens",
           "pools": [{"pool": pool(used=2_500_000.0, size=10_000_000.0, expires_on=dt.date(2024, 9, 30)), "label": "Free tokens"}]}  # fmt: skip
    html = render(row)
    assert "<div>Free tokens: 2.50M / 10.00M tokens, expires 2024-09-30</div>" in html
    assert "last seen running 2024-06-01, assumed to run until 2024-12-31" in html


def test_an_unused_offer_shows_why_and_the_link_that_applies_it_all_escaped():
    row = {"offer": outcome(applied=False, reason="<b>no model mapped</b>", verification="unverified"),
           "provider": "A & B", "name": "<script>", "pools": [], "hint_url": "?map=a&map=b"}  # fmt: skip
    html = render(row)
    assert '<tr class="offer-not-applied"' in html
    assert "<td>A &amp; B</td><td>&lt;script&gt; <span class=\"badge warn\">unverified</span></td>" in html
    assert '<span class="badge">&lt;b&gt;no model mapped&lt;/b&gt;</span>' in html
    assert '<a class="offer-hint" href="?map=a&amp;map=b">' in html
    assert '<td><span class="muted">—</span></td>' in html
