"""A chart's JSON for charts.js, kept for charts that outlive a request.

The usage chart and the chart of the uploaded period re-priced are kept with the history part
of a projection (`projection_service`), so every growth rate a visitor tries shows the same
objects; their JSON (`json_script`, the same text) is written once and kept with them. A
chart built for one request is written as usual.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from dashboard.process_memo import ProcessMemo

register = template.Library()

# id(chart) -> (the chart itself, its element id, its JSON): holding the chart keeps its id
# from being reused by another object while the entry lives.
_written: ProcessMemo[tuple[Any, str, SafeString]] = ProcessMemo(64)


@register.filter
def chart_json_script(chart: Any, element_id: str) -> SafeString:
    kept = _written.get(id(chart))
    if kept is not None and kept[0] is chart and kept[1] == element_id:
        return kept[2]
    text = json_script(chart, element_id)
    _written.put(id(chart), (chart, element_id, text))
    return text
