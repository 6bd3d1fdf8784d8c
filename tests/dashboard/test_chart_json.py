"""A chart's JSON is written once per chart object and element id (`chart_json_script`)."""

from __future__ import annotations

from django.template import Context, Template
from django.utils.html import json_script

SCRIPT = Template("{% load charts_json %}{{ chart|chart_json_script:element_id }}")


def render(chart: dict, element_id: str) -> str:
    return SCRIPT.render(Context({"chart": chart, "element_id": element_id}))


def test_each_chart_gets_its_own_json_under_the_id_asked_for():
    usage = {"title": "Usage", "data": [{"y": [1, 2]}]}
    history = {"title": "History <b>", "data": [{"x": [3]}]}
    assert render(usage, "usage-chart-data") == json_script(usage, "usage-chart-data")
    assert render(history, "chart-history-data") == json_script(history, "chart-history-data")
    # the same chart again, kept: same text; under another id: that id
    assert render(usage, "usage-chart-data") == json_script(usage, "usage-chart-data")
    assert render(usage, "other-data") == json_script(usage, "other-data")
    assert "\\u003Cb\\u003E" in render(history, "chart-history-data")  # still escaped for <script>
