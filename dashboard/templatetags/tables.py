"""Pivot tables (the figures beside each chart) written in Python.

A dashboard shows four or five of them, a few hundred cells in all; rendered cell by cell
through the template engine they cost more than the projection behind them. The HTML is the
same the template wrote: a caption, months across, one row per candidate, "no price" (with
its explanation) for an unknown figure, never 0.
"""

from __future__ import annotations

from html import escape as _html_escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from dashboard.engine.presentation import Table
from dashboard.templatetags.money import format_money, tokens

register = template.Library()


def esc(value: object) -> str:
    """As the template engine escapes a value: safe strings as they are, others escaped."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _html_escape(str(value))


@register.simple_tag
def pivot_table(table: Table, table_id: str, currency: str = "USD") -> SafeString:
    escape = esc
    no_price = (
        f'<span class="muted" title="{escape(gettext("No price in force: unknown, not zero"))}">'
        f"{escape(gettext('no price'))}</span>"
    )

    # A figure is written by `format_money` / `tokens` from a float: digits, separators, a
    # currency sign or code (the validated display currency) and K/M/B, nothing to escape.
    if table.unit == "money" and currency.isalnum():
        def cell(value: float | None) -> str:
            return no_price if value is None else format_money(value, currency)
    elif table.unit == "money":
        def cell(value: float | None) -> str:
            return no_price if value is None else escape(format_money(value, currency))
    else:
        def cell(value: float | None) -> str:
            return no_price if value is None else tokens(value)

    head = "".join(f'<th scope="col" class="num">{escape(column)}</th>' for column in table.columns)
    body = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        + "".join(f'<td class="num">{cell(value)}</td>' for value in values)
        + "</tr>"
        for label, values in table.rows
    ) or f"<tr><td>{escape(gettext('No data.'))}</td></tr>"
    return mark_safe(  # every piece above is escaped
        f'<div class="table-wrap"><table class="pivot" id="{escape(table_id)}">\n'
        f"  <caption>{escape(table.caption)}</caption>\n"
        f'  <thead><tr><th scope="col"></th>{head}</tr></thead>\n'
        f"  <tbody>{body}</tbody>\n"
        "</table></div>\n"
    )
