"""Template filters that keep per-model lists to the top source models (DASHBOARD_TOP_MODELS)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

register = template.Library()


@register.filter
def top_mappings(mappings: Iterable[Any], top_sources: set[str] | None) -> list[Any]:
    """The mappings of the top source models (all of them when no top set is given)."""
    if top_sources is None:
        return list(mappings)
    return [m for m in mappings if m.source_model in top_sources]


@register.filter
def other_mappings(mappings: Iterable[Any], top_sources: set[str] | None) -> int:
    """How many mappings top_mappings leaves out."""
    if top_sources is None:
        return 0
    return sum(1 for m in mappings if m.source_model not in top_sources)
