"""The ranking's Flags column: short badges for the known notes, the rest as sentences."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.template import Context, Template

ROW = Template("{% load ranking %}{% ranking_row s lacking=lacking %}")


@dataclass(frozen=True)
class Note:
    """A note as the engine gives it: a stable code and its English sentence."""

    code: str
    text: str

    def __str__(self) -> str:
        return self.text


def flags_cell(notes: tuple, lacking: bool = False, **summary: object) -> str:
    fields = {"candidate": "deepseek", "rank": 1, "label": "DeepSeek", "mappings": (), "has_unpriced": False,
              "unpriced_tokens": 0.0, "uses_unverified": False, "total_display": 1.0,
              "total_without_offers_display": 1.0, "savings_vs_current_display": 0.0,
              "savings_vs_current_pct": 0.0, "free_tokens_used": 0, "free_value_display": 0.0,
              "offers_exhausted_on": None, "notes": notes, "coverage_pct": 100.0, "lacks": ()}  # fmt: skip
    s = SimpleNamespace(**{**fields, **summary})
    context = {"s": s, "cur": "USD", "outcome": SimpleNamespace(native_totals={}), "lacking": lacking,
               "top_mapped_sources": None}
    html = ROW.render(Context(context))
    return html[html.index('class="flags"'):]


def test_known_notes_become_short_badges_with_the_sentence_as_their_title():
    cell = flags_cell((Note("batch_fallback", "batch usage billed at normal prices (no batch price)"),
                       Note("cache_read_fallback", "cache reads billed at the input price (no cache price)")))  # fmt: skip
    assert '<span class="badge" title="batch usage billed at normal prices (no batch price)">no batch discount</span>' in cell
    assert ">cache at input price</span>" in cell
    assert "<details" not in cell  # nothing left to read at length


def test_other_notes_stay_sentences_behind_a_notes_badge():
    cell = flags_cell((Note("batch_fallback", "batch usage billed at normal prices"), "priced as its family before release"))
    assert ">no batch discount</span>" in cell
    assert '<summary class="badge">1 note</summary><ul><li>priced as its family before release</li></ul>' in cell


def test_unranked_candidates_say_what_they_cannot_price_and_unverified_data_is_marked():
    cell = flags_cell((), lacking=True, has_unpriced=True, unpriced_tokens=64_200_000.0, uses_unverified=True,
                      lacks=("gpt-4o: no model of this tier",))  # fmt: skip
    assert ">64.20M unpriced</span>" in cell and ">unverified</span>" in cell
    assert '<div class="lack">gpt-4o: no model of this tier</div>' in cell


@dataclass(frozen=True)
class Mapping:
    source_model: str
    target_model_id: str | None
    reason: object = "same tier"
    details: tuple = ()
    token_ratio: float = 1.0


def test_a_row_shows_its_figures_its_mappings_and_escapes_what_it_shows():
    """A CNY-billed candidate on a USD page: its total, the amount it would bill in yuan, the
    savings in green, its mappings (the second without a model), and a model id with markup
    shown as text."""
    html = ROW.render(Context({
        "s": SimpleNamespace(
            candidate="deepseek", rank=2, label="DeepSeek", has_unpriced=False, unpriced_tokens=0.0,
            uses_unverified=False, total_display=143.97, total_without_offers_display=150.0,
            savings_vs_current_display=2422.66, savings_vs_current_pct=94.39, free_tokens_used=0,
            free_value_display=0.0, offers_exhausted_on=None, notes=(), coverage_pct=99.94, lacks=(),
            mappings=(Mapping("gpt-4o-mini", "deepseek-chat", token_ratio=1.25),
                      Mapping("<b>odd</b>", None, reason="no model of this tier")),
        ),
        "cur": "USD", "lacking": False, "top_mapped_sources": None,
        "outcome": SimpleNamespace(native_totals={"deepseek": (1036.58, "CNY")}),
    }))  # fmt: skip
    assert '<tr data-candidate="deepseek">' in html and '<td class="num">2</td>' in html
    assert '<a href="/providers/deepseek/">DeepSeek</a>' in html
    assert '<td class="num total">$143.97<div class="muted" title="What the provider bills, before conversion">¥1,036.58</div></td>' in html
    assert '<td class="num savings good">$2,422.66<div class="muted">+94.4%</div></td>' in html
    assert "<code>gpt-4o-mini</code> → <code>deepseek-chat</code> <span class=\"muted\">(same tier, ×1.25 tokens)</span>" in html
    assert '<code>&lt;b&gt;odd&lt;/b&gt;</code> → <span class="badge bad">none</span>' in html
    assert '<td class="num coverage" title="Share of all your tokens this provider prices">99.9%</td>' in html
    assert "<b>odd</b>" not in html


@pytest.mark.django_db  # a Chinese page reads the providers' Chinese names
def test_kept_cells_follow_the_language_and_the_figures():
    """The worded cells of a row are kept between requests: a Chinese page must not get the
    English words kept for an English one, nor a row the unpriced count of another."""
    from django.utils import translation

    notes = (Note("batch_fallback", "batch usage billed at normal prices"),)
    english = flags_cell(notes, lacking=True, has_unpriced=True, unpriced_tokens=1_000_000.0)
    with translation.override("zh-hans"):
        chinese = flags_cell(notes, lacking=True, has_unpriced=True, unpriced_tokens=1_000_000.0)
    again = flags_cell(notes, lacking=True, has_unpriced=True, unpriced_tokens=2_000_000.0)
    assert ">no batch discount</span>" in english and ">1.00M unpriced</span>" in english
    assert "no batch discount" not in chinese and "unpriced" not in chinese
    assert ">2.00M unpriced</span>" in again
