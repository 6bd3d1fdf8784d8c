"""One row of the ranking table (ranked providers, and the unranked ones with what they lack),
written in Python.

A dashboard has one row per candidate provider, twenty or more, each with its mappings, the
reasons for them, its totals and flags; through the template engine these rows cost more than
working out the projection. The HTML and the wording are those of the template this replaced
(`_ranking_row.html`): the same messages (so the same translations), every value escaped.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext, pgettext

from dashboard import local_names
from dashboard.process_memo import ProcessMemo
from dashboard.templatetags.flags import flag_label, unlabelled
from dashboard.templatetags.localised import mapping_reason, reason_text
from dashboard.templatetags.model_limits import other_mappings, top_mappings
from dashboard.templatetags.money import format_money, pct, tokens
from dashboard.templatetags.tables import esc

register = template.Library()

# Cells that depend on a candidate's mappings, notes and name but not on its figures: worded
# once per language and kept (exploring growth or the horizon keeps them all), so the rows
# only format their numbers. Keys hold everything the HTML reads, the language included.
_kept_cells: ProcessMemo[str] = ProcessMemo(4096)


def _kept(key: tuple, make: Any) -> str:
    return _kept_cells.get_or_make((_scope(), *key), make)


def _scope() -> tuple[str | None, str]:
    """What every kept cell also depends on: the page's language and the URL prefix."""
    return get_language(), get_script_prefix()


def _provider_cell(s: Any) -> str:
    if s.candidate == "current":
        return f"<b>{esc(local_names.current_label(str(s.label or '')))}</b>"
    url = _kept(("url", s.candidate), lambda: esc(reverse("provider_detail", args=[s.candidate])))
    name = local_names.provider_name(str(s.candidate), s.label or str(s.candidate))
    return f'<a href="{url}">{esc(name)}</a>'


def _mapping(m: Any) -> str:
    if m.target_model_id:
        target = f"<code>{esc(m.target_model_id)}</code>"
    else:
        target = f'<span class="badge bad">{esc(pgettext("no model", "none"))}</span>'
    ratio = ""
    if m.target_model_id and m.token_ratio != 1.0:
        ratio = f", ×{esc(floatformat(m.token_ratio, 2))} tokens"
    return (
        f'<div class="mapping"><code>{esc(m.source_model)}</code> → {target} '
        f'<span class="muted">({esc(mapping_reason(m))}{ratio})</span></div>'
    )


def _mappings_cell(s: Any, top_sources: Any) -> str:
    top = frozenset(top_sources) if top_sources is not None else None
    return _kept(("mappings", s.mappings, top), lambda: _word_mappings_cell(s, top_sources))


def _word_mappings_cell(s: Any, top_sources: Any) -> str:
    html = "".join(_mapping(m) for m in top_mappings(s.mappings, top_sources))
    hidden = other_mappings(s.mappings, top_sources)
    if hidden:
        words = ngettext(
            "%(n)s other model (in the summary CSV)", "%(n)s other models (in the summary CSV)", hidden
        ) % {"n": esc(hidden)}
        html += f'<div class="muted other-mappings">+ {words}</div>'
    return html


def _total_cell(s: Any, cur: str, native_totals: dict) -> str:
    html = ""
    if s.has_unpriced:
        title = esc(gettext("Part of the compared usage has no price here; this total leaves it out"))
        html += f'<span class="badge bad" title="{title}">{esc(gettext("incomplete"))}</span> '
    html += esc(format_money(s.total_display, cur))
    native = (native_totals or {}).get(s.candidate)
    if native and native[1] != cur:
        title = esc(gettext("What the provider bills, before conversion"))
        html += f'<div class="muted" title="{title}">{esc(format_money(native[0], native[1]))}</div>'
    return html


def _savings_class(value: Any) -> str:
    try:
        if value > 0:
            return "good"
        if value < 0:
            return "bad"
    except TypeError:  # None: no savings known
        pass
    return ""


def _savings_cell(s: Any, cur: str) -> str:
    if s.candidate == "current":
        word = pgettext("the current provider, what savings are measured against", "baseline")
        return f'<span class="muted">{esc(word)}</span>'
    return f'{esc(format_money(s.savings_vs_current_display, cur))}<div class="muted">{esc(pct(s.savings_vs_current_pct))}</div>'


def _free_cell(s: Any, cur: str) -> str:
    if s.free_tokens_used:
        return f'{esc(tokens(s.free_tokens_used))}<div class="muted">{esc(format_money(s.free_value_display, cur))}</div>'
    return '<span class="muted">—</span>'


def _flags_cell(s: Any, lacking: bool) -> str:
    lacks = _kept(("lacks", s.lacks), lambda: _word_lacks(s.lacks)) if lacking else ""
    unpriced = _unpriced_badge(tokens(s.unpriced_tokens)) if lacking and s.has_unpriced else ""
    key = ("flags", s.uses_unverified, s.notes)
    return lacks + unpriced + _kept(key, lambda: _word_flags(s))


def _word_lacks(lacks: Any) -> str:
    return "".join(f'<div class="lack">{esc(reason_text(reason))}</div>' for reason in lacks)


def _unpriced_badge(count: str) -> str:
    n = esc(count)
    title = gettext("%(n)s tokens without a price") % {"n": n}
    return f'<span class="badge bad" title="{title}">{gettext("%(n)s unpriced") % {"n": n}}</span> '


def _word_flags(s: Any) -> str:
    html = ""
    if s.uses_unverified:
        title = esc(gettext("Rests on a price or offer marked unverified"))
        html += f'<span class="badge warn" title="{title}">{esc(gettext("unverified"))}</span> '
    for note in s.notes:
        label = flag_label(note)
        if label:
            html += f'<span class="badge" title="{esc(reason_text(note))}">{esc(label)}</span> '
    others = unlabelled(s.notes)
    if others:
        summary = ngettext("%(n)s note", "%(n)s notes", len(others)) % {"n": len(others)}
        items = "".join(f"<li>{esc(reason_text(note))}</li>" for note in others)
        html += f'<details class="notes"><summary class="badge">{summary}</summary><ul>{items}</ul></details>'
    return html


@register.simple_tag(takes_context=True)
def ranking_row(context: template.Context, s: Any, lacking: bool = False) -> SafeString:
    """The <tr> of candidate summary `s`; `lacking`: the unranked table (what it lacks)."""
    cur = context.get("cur") or "USD"
    outcome = context.get("outcome")
    native_totals = getattr(outcome, "native_totals", None) or {}
    top_sources = context.get("top_mapped_sources")
    current = ' class="current-row"' if s.candidate == "current" else ""
    coverage_title = _kept(("coverage_title",), lambda: esc(gettext("Share of all your tokens this provider prices")))
    day = s.offers_exhausted_on  # as the date filter's "Y-m" writes it
    exhausted = f"{day.year:04d}-{day.month:02d}" if day else "—"
    coverage = _kept(("coverage", s.coverage_pct), lambda: esc(floatformat(s.coverage_pct, 1)))
    rank = s.rank or "—"
    return mark_safe(  # every value above is escaped
        f'<tr data-candidate="{esc(s.candidate)}"{current}>\n'
        f'  <td class="num">{esc(rank)}</td>\n'
        f"  <td>{_provider_cell(s)}</td>\n"
        f"  <td>{_mappings_cell(s, top_sources)}</td>\n"
        f'  <td class="num total">{_total_cell(s, cur, native_totals)}</td>\n'
        f'  <td class="num">{esc(format_money(s.total_without_offers_display, cur))}</td>\n'
        f'  <td class="num savings {_savings_class(s.savings_vs_current_display)}">{_savings_cell(s, cur)}</td>\n'
        f'  <td class="num">{_free_cell(s, cur)}</td>\n'
        f'  <td class="num coverage" title="{coverage_title}">{coverage}%</td>\n'
        f"  <td>{esc(exhausted)}</td>\n"
        f'  <td class="flags">{_flags_cell(s, lacking)}</td>\n'
        "</tr>\n"
    )
