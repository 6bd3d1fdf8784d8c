"""Plotly figure specs as plain dicts (``{"data": [...], "layout": {...}}``), drawn in the page
by static/dashboard/charts.js with ``Plotly.react``. Pure: no Django imports.

The specs are built as plain dicts rather than through ``plotly.graph_objects``: the object
layer validates every property and cost ~80 ms per dashboard render, while plotly.js accepts
the same JSON. Tests check the traces plotly.js actually draws in a browser.

Names that come from uploaded files or the catalog are escaped with ``safe_label`` before
they become trace names or hover text: plotly renders a small HTML subset in labels.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterable, Sequence
from typing import Any

SYMBOLS = {"USD": "$", "CNY": "¥"}
PALETTE = [
    "#1f6feb",
    "#d1242f",
    "#1a7f37",
    "#9a6700",
    "#8250df",
    "#0a7ea4",
    "#bf3989",
    "#57606a",
    "#e16f24",
    "#2da44e",
    "#6639ba",
    "#b35900",
    "#116329",
    "#0550ae",
]


def safe_label(text: object) -> str:
    return html.escape(str(text), quote=False)


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0, "font": {"size": 15}},
        "margin": {"l": 60, "r": 20, "t": 70, "b": 48},
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.15, "yanchor": "top"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "xaxis": {"gridcolor": "#eef0f4"},
        "yaxis": {"gridcolor": "#eef0f4"},
        "autosize": True,
    }
    layout.update(extra)
    return layout


class Figure:
    """The two calls of plotly's Figure these builders use, producing a plain spec."""

    def __init__(self) -> None:
        self.data: list[dict[str, Any]] = []
        self.layout: dict[str, Any] = {}

    def add_trace(self, trace: dict[str, Any]) -> None:
        self.data.append(trace)

    def update_layout(self, **values: Any) -> None:
        self.layout.update(values)


def trace(kind: str, **properties: Any) -> dict[str, Any]:
    return {"type": kind, **properties}


def to_spec(fig: Figure) -> dict[str, Any]:
    # A JSON round trip: the spec must survive json_script exactly as plotly.js will see it.
    return json.loads(json.dumps({"data": fig.data, "layout": fig.layout}, allow_nan=False))


def color_for(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def price_scatter(points: Sequence[dict[str, Any]], currency: str) -> dict[str, Any]:
    """Input vs output price per 1M tokens, one trace per provider.

    ``points``: dicts with provider, model, input, output (already in ``currency``).
    """
    symbol = SYMBOLS.get(currency, "")
    fig = Figure()
    by_provider: dict[str, list[dict[str, Any]]] = {}
    for point in points:
        if point["input"] is None or point["output"] is None:
            continue
        by_provider.setdefault(point["provider"], []).append(point)
    for index, (provider, rows) in enumerate(sorted(by_provider.items())):
        fig.add_trace(
            trace(
                "scatter",
                x=[float(r["input"]) for r in rows],
                y=[float(r["output"]) for r in rows],
                mode="markers",
                name=safe_label(provider),
                text=[safe_label(r["model"]) for r in rows],
                marker={"size": 10, "color": color_for(index), "opacity": 0.85},
                hovertemplate=f"%{{text}}<br>input {symbol}%{{x:,.3f}}<br>output {symbol}%{{y:,.3f}}"
                "<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        **_layout(
            f"Price per 1M tokens in {currency} (prices in force today, log scale)",
            xaxis={
                "title": {"text": f"input ({currency} / 1M)"},
                "type": "log",
                "gridcolor": "#eef0f4",
            },
            yaxis={
                "title": {"text": f"output ({currency} / 1M)"},
                "type": "log",
                "gridcolor": "#eef0f4",
            },
            height=560,
            legend={"orientation": "h", "y": -0.16, "yanchor": "top"},
        )
    )
    return to_spec(fig)


def price_history(
    series: Sequence[dict[str, Any]], today: dt.date, currency_label: str
) -> dict[str, Any]:
    """Step chart of each model's input and output price over time.

    ``series``: dicts with model and rows (list of (effective_from, effective_to|None,
    input, output)), all in one currency for the provider.
    """
    fig = Figure()
    for index, item in enumerate(series):
        rows = sorted(item["rows"], key=lambda r: r[0])
        if not rows:
            continue
        for kind, position, dash in (("input", 2, "solid"), ("output", 3, "dot")):
            xs: list[str] = []
            ys: list[float | None] = []
            for start, end, *prices in rows:
                value = float(prices[position - 2])
                stop = end or max(today, start)
                xs += [start.isoformat(), stop.isoformat()]
                ys += [value, value]
                if end is not None:
                    xs.append(end.isoformat())
                    ys.append(None)  # a gap where no price is known
            fig.add_trace(
                trace(
                    "scatter",
                    x=xs,
                    y=ys,
                    mode="lines",
                    line={"shape": "hv", "color": color_for(index), "dash": dash, "width": 2},
                    name=f"{safe_label(item['model'])} {kind}",
                    connectgaps=False,
                    hovertemplate="%{x}: %{y:,.4g}<extra>%{fullData.name}</extra>",
                )
            )
    fig.update_layout(
        **_layout(
            f"Price history per 1M tokens ({currency_label})",
            yaxis={
                "title": {"text": f"{currency_label} / 1M tokens"},
                "rangemode": "tozero",
                "gridcolor": "#eef0f4",
            },
        )
    )
    return to_spec(fig)


def offer_timeline(
    offers: Sequence[dict[str, Any]], today: dt.date, marker: dt.date, marker_label: str
) -> dict[str, Any]:
    """Horizontal bars for offer campaign windows; open-ended ones run to today."""
    fig = Figure()
    labels = [f"{safe_label(o['provider'])}: {safe_label(o['name'])}" for o in offers]
    starts = [o["starts_on"] for o in offers]
    ends = [o["ends_on"] or max(today, o["starts_on"]) for o in offers]
    durations_ms = [
        max((end - start).days + 1, 1) * 86_400_000 for start, end in zip(starts, ends, strict=True)
    ]
    colors = ["#1f6feb" if o["ends_on"] else "#8fb7f5" for o in offers]
    fig.add_trace(
        trace(
            "bar",
            y=labels,
            x=durations_ms,
            base=[s.isoformat() for s in starts],
            orientation="h",
            marker={"color": colors},
            customdata=[
                [s.isoformat(), o["ends_on"].isoformat() if o["ends_on"] else "no end date known"]
                for s, o in zip(starts, offers, strict=True)
            ],
            hovertemplate="%{y}<br>%{customdata[0]} → %{customdata[1]}<extra></extra>",
            name="campaign window",
        )
    )
    fig.update_layout(
        **_layout(
            "Offer campaign windows (light bars: end date unknown, drawn to today)",
            xaxis={"type": "date", "gridcolor": "#eef0f4"},
            yaxis={"autorange": "reversed", "automargin": True},
            height=max(320, 28 * len(offers) + 120),
            showlegend=False,
            shapes=[
                {
                    "type": "line",
                    "x0": marker.isoformat(),
                    "x1": marker.isoformat(),
                    "y0": 0,
                    "y1": 1,
                    "yref": "paper",
                    "line": {"color": "#d1242f", "width": 2, "dash": "dash"},
                }
            ],
            annotations=[
                {
                    "x": marker.isoformat(),
                    "y": 1,
                    "yref": "paper",
                    "text": safe_label(marker_label),
                    "showarrow": False,
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "font": {"color": "#d1242f"},
                }
            ],
        )
    )
    return to_spec(fig)


def line_chart(
    title: str,
    series: Iterable[tuple[str, Sequence[str], Sequence[float | None]]],
    y_title: str,
    *,
    stacked_bars: bool = False,
) -> dict[str, Any]:
    """Generic lines (or stacked bars) keyed by a label: (label, x values, y values)."""
    fig = Figure()
    for index, (label, xs, ys) in enumerate(series):
        values = [None if y is None or y != y else float(y) for y in ys]
        if stacked_bars:
            fig.add_trace(
                trace(
                    "bar",
                    x=list(xs),
                    y=values,
                    name=safe_label(label),
                    marker={"color": color_for(index)},
                )
            )
        else:
            fig.add_trace(
                trace(
                    "scatter",
                    x=list(xs),
                    y=values,
                    mode="lines+markers",
                    name=safe_label(label),
                    line={"color": color_for(index), "width": 2},
                    marker={"size": 5},
                )
            )
    fig.update_layout(
        **_layout(
            title, yaxis={"title": {"text": y_title}, "rangemode": "tozero", "gridcolor": "#eef0f4"}
        )
    )
    if stacked_bars:
        fig.update_layout(barmode="stack")
    return to_spec(fig)


def grouped_bars(
    title: str,
    categories: Sequence[str],
    groups: Iterable[tuple[str, Sequence[float | None]]],
    value_title: str,
    *,
    stacked: bool = False,
    colors: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Horizontal bars per category (e.g. provider), one trace per group (e.g. free vs paid).
    Horizontal, so long provider names stay readable on a phone."""
    fig = Figure()
    labels = [safe_label(c) for c in categories]
    for index, (name, values) in enumerate(groups):
        fig.add_trace(
            trace(
                "bar",
                y=labels,
                x=[None if v is None or v != v else float(v) for v in values],
                name=safe_label(name),
                orientation="h",
                marker={"color": colors[index] if colors else color_for(index)},
                hovertemplate="%{y}: %{x:,.4~s}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        **_layout(
            title,
            xaxis={"title": {"text": value_title}, "rangemode": "tozero", "gridcolor": "#eef0f4"},
            yaxis={"autorange": "reversed", "automargin": True},
            height=max(300, 26 * len(labels) + 140),
            legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        ),
        barmode="stack" if stacked else "group",
    )
    return to_spec(fig)
