"""One row of the dashboard's offers table, written in Python.

Each candidate provider's offers get a row with its pools (used / size, value, when they run
out or expire); worded through the template engine, a dozen rows cost more than the ranking.
The HTML and the wording are those of the template loop this replaced: the same messages (so
the same translations), every value escaped.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from dashboard.templatetags.localised import offer_hint, offer_reason
from dashboard.templatetags.money import format_money, tokens
from dashboard.templatetags.tables import esc

register = template.Library()


def _applies_cell(o: Any, hint_url: str | None) -> str:
    if o.applied:
        html = f'<span class="badge good">{esc(gettext("claimed"))}</span>'
        if o.assumed_running:
            words = gettext(
                "end not published; last seen running %(seen)s, assumed to run until %(until)s"
            ) % {"seen": esc(date_filter(o.last_seen_on, "Y-m-d")), "until": esc(date_filter(o.assumed_until, "Y-m-d"))}
            html += f' <span class="badge warn assumed-running">{esc(gettext("assumed running"))}</span><div class="muted">{words}</div>'
        return html
    html = f'<span class="badge">{esc(offer_reason(o))}</span>'
    if hint_url:
        html += f'<div><a class="offer-hint" href="{esc(hint_url)}">{esc(offer_hint(o))}</a></div>'
    return html


def _pool(item: dict[str, Any], cur: str) -> str:
    pool = item["pool"]
    if pool.unit == "tokens":
        amounts = gettext("%(used)s / %(size)s tokens") % {"used": esc(tokens(pool.used)), "size": esc(tokens(pool.size))}
    else:
        used, size = format_money(pool.used, pool.unit), format_money(pool.size, pool.unit)
        amounts = gettext("%(used)s / %(size)s credit") % {"used": esc(used), "size": esc(size)}
    html = f"<div>{esc(item['label'])}: {amounts}"
    if pool.value_display:
        html += f" ({esc(format_money(pool.value_display, cur))})"
    if pool.exhausted_on:
        html += gettext(", used up %(day)s") % {"day": esc(date_filter(pool.exhausted_on, "Y-m-d"))}
    elif pool.expires_on:
        html += gettext(", expires %(day)s") % {"day": esc(date_filter(pool.expires_on, "Y-m-d"))}
    return html + "</div>"


@register.simple_tag(takes_context=True)
def offer_row(context: template.Context, row: dict[str, Any]) -> SafeString:
    """The <tr> of one offer outcome (`views.projection.offer_rows` builds `row`)."""
    cur = context.get("cur") or "USD"
    o = row["offer"]
    state = "offer-applied" if o.applied else "offer-not-applied"
    unverified = f' <span class="badge warn">{esc(gettext("unverified"))}</span>' if o.verification == "unverified" else ""
    pools = "".join(_pool(item, cur) for item in row["pools"]) or '<span class="muted">—</span>'
    return mark_safe(  # every value above is escaped
        f'\n      <tr class="{state}" data-provider="{esc(o.provider)}">\n'
        f"        <td>{esc(row['provider'])}</td><td>{esc(row['name'])}{unverified}</td>\n"
        f"        <td>{_applies_cell(o, row['hint_url'])}</td>\n"
        f"        <td>{pools}</td>\n"
        "      </tr>\n    "
    )
