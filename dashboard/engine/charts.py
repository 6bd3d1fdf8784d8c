"""Plotly figure specs as plain dicts, drawn in the page by static/dashboard/charts.js.

A spec is ``{"data": [...], "layout": {...}}`` plus what the page shows around the plot:
``title`` and ``note`` (rendered as HTML above the plot, so they wrap on a phone instead of
being cut), ``plot_height`` (the height of the plotting area in px, which charts.js keeps
whatever room the legend below it needs) and ``empty`` (the message shown instead of the
chart when there is nothing to draw). Pure: no Django imports.

Design rules every builder follows:
- one colour per provider everywhere, derived from its slug (``provider_style``): a
  provider keeps its colour across charts, pages and filters; regional twins (``minimax`` and
  ``minimax-intl``) share the hue and differ by line dash or marker;
- the legend sits below the plot and never over it; at most ``MAX_SERIES`` series;
- log axes carry one tick per decade (``$0.1, $1, $10``), never the 2 and 5 minor labels;
- unknown cost is never drawn as 0: a missing value leaves a gap that is labelled "no price".

A provider's traces carry its slug (``current`` for the user's provider) in plotly's free-form
``meta`` attribute, so the page and the browser tests can tell which provider a trace is.

The specs are built as plain dicts rather than through ``plotly.graph_objects``: the object
layer validates every property and cost ~80 ms per dashboard render, while plotly.js accepts
the same JSON. Names from uploaded files or the catalog go through ``safe_label`` before they
become trace names or hover text: plotly renders a small HTML subset in labels.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .catalog_types import CURRENCY_SYMBOLS as SYMBOLS
from .catalog_types import day_from_number, day_number
from .fx import rates_on
from .text import Translate, gettext_noop, same

PLOT_HEIGHT = 260  # px of plotting area; the figure grows below it for the legend
MAX_SERIES = 8
CURRENT = "current"  # the candidate key of the user's current provider
CURRENT_COLOUR = "#1d2330"  # the baseline is drawn in ink, thicker than the others
INK, MUTED, GRID, NO_PRICE = "#1d2330", "#5b6475", "#eef0f4", "#8c959f"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", sans-serif'

# A colour per provider brand, picked so providers often compared side by side stay apart.
# Slugs not listed get a colour from FALLBACK by a hash of the slug (stable, may repeat).
BRAND_COLOURS: Mapping[str, str] = {
    "openai": "#10a37f",
    "azure-openai": "#1f77b4",
    "anthropic": "#b3591f",
    "google": "#9467bd",
    "openrouter": "#7f7f7f",
    "deepseek": "#393b79",
    "alibaba": "#ff7f0e",
    "baidu": "#d62728",
    "tencent": "#17becf",
    "sensetime": "#7b4173",
    "zhipu": "#2ca02c",
    "zai": "#8ca252",
    "moonshot": "#8c6d31",
    "bytedance-doubao": "#e377c2",
    "01-ai": "#bcbd22",
    "baichuan": "#843c39",
    "minimax": "#5254a3",
    "iflytek": "#0f5e9c",
    "qihoo-360": "#ad494a",
    "aws-bedrock": "#637939",
}
# For providers added later: none of these is a brand colour above.
FALLBACK = (
    "#8c564b", "#6b6ecf", "#bd9e39", "#a55194", "#3182bd", "#e6550d",
    "#31a354", "#756bb1", "#636363", "#d6616b", "#0e9aa7", "#b07aa1",
)
# Suffixes that mark a regional or deployment variant of a brand (Azure's China region,
# Gemini on Vertex): same hue, another dash or marker.
VARIANT_SUFFIXES = ("-intl", "-china", "-vertex", "-international", "-global", "-cn")
VARIANT_DASHES = ("solid", "dash", "dot", "dashdot")
VARIANT_SYMBOLS = ("circle", "diamond-open", "square", "triangle-up-open")
# Distinct colours for series that are not providers (source models, a provider's models).
SERIES_PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
)
OTHER_COLOUR = "#b8bfca"


@dataclass(frozen=True)
class Style:
    colour: str
    dash: str = "solid"
    symbol: str = "circle"
    width: float = 2.0


def brand_and_variant(slug: str) -> tuple[str, int]:
    """``minimax-intl`` -> (``minimax``, 1): the brand and which variant of it."""
    for index, suffix in enumerate(VARIANT_SUFFIXES):
        if slug.endswith(suffix) and len(slug) > len(suffix):
            return slug[: -len(suffix)], 1 + index % (len(VARIANT_DASHES) - 1)
    return slug, 0


def provider_style(slug: str) -> Style:
    """The look of a provider's series in every chart: a function of its slug only."""
    if slug == CURRENT:
        return Style(CURRENT_COLOUR, "solid", "circle", 3.0)
    brand, variant = brand_and_variant(slug)
    colour = BRAND_COLOURS.get(brand) or FALLBACK[zlib.crc32(brand.encode()) % len(FALLBACK)]
    return Style(colour, VARIANT_DASHES[variant], VARIANT_SYMBOLS[variant])


def safe_label(text: object) -> str:
    return html.escape(str(text), quote=False)


def short_label(text: object, limit: int = 32) -> str:
    """A label that fits a phone-width axis; the full text stays in the hover."""
    value = str(text)
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _finite(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def spec(
    data: list[dict[str, Any]],
    layout: dict[str, Any],
    *,
    title: str,
    note: str = "",
    empty: str = "Nothing to draw.",
    plot_height: int = PLOT_HEIGHT,
) -> dict[str, Any]:
    """The JSON the page receives; a JSON round trip proves it survives ``json_script``."""
    legend_rows = 1 + len([t for t in data if t.get("showlegend", True)]) // 3
    base = {
        "font": {"family": FONT, "size": 12, "color": INK},
        "margin": {"l": 8, "r": 12, "t": 12, "b": 8},
        "height": plot_height + 60 + 22 * legend_rows,
        "hovermode": "closest",
        "hoverlabel": {"namelength": -1},
        "showlegend": bool(data),
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.14, "yanchor": "top",
                   "font": {"size": 11}, "itemclick": "toggle", "itemdoubleclick": "toggleothers"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "autosize": True,
    }
    for key, value in layout.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    body = {
        "data": data,
        "layout": base,
        "title": title,
        "note": note,
        "plot_height": plot_height,
        "empty": "" if data else empty,
    }
    return json.loads(json.dumps(body, allow_nan=False))


def _axis(**extra: Any) -> dict[str, Any]:
    return {"gridcolor": GRID, "zerolinecolor": "#d0d7de", "automargin": True, **extra}


def money_axis(currency: str, **extra: Any) -> dict[str, Any]:
    return _axis(tickprefix=SYMBOLS.get(currency, ""), separatethousands=True, rangemode="tozero", **extra)


def month_axis(months: int) -> dict[str, Any]:
    """Months ("2026-11") on a date axis, one label per month at most (plotly thins and
    tilts them when they would overlap); traces centre their points in the month."""
    return _axis(type="date", tickformat="%b %Y", hoverformat="%b %Y", ticklabelmode="period",
                 nticks=max(min(months, 12), 2))


MONTH_PERIOD = {"xperiod": "M1", "xperiodalignment": "middle"}


def decade_log_axis(values: Iterable[float], title: str, prefix: str) -> dict[str, Any]:
    """A log axis labelled at powers of ten only, widened until at least two are in range."""
    positive = [v for v in values if v > 0]
    low = math.log10(min(positive)) - 0.15 if positive else -1.05
    high = math.log10(max(positive)) + 0.15 if positive else 1.05
    while math.floor(high) - math.ceil(low) < 1:
        # Reach out on the side nearer to its next power of ten.
        if low - math.floor(low) < math.ceil(high) - high:
            low = math.floor(low) - 0.05
        else:
            high = math.ceil(high) + 0.05
    return _axis(type="log", dtick=1, tickprefix=prefix, tickformat="~g", range=[low, high],
                 title={"text": title, "font": {"size": 12}}, showexponent="none")


# --- catalog page -------------------------------------------------------------------------


def price_scatter(points: Sequence[dict[str, Any]], currency: str, translate: Translate = same) -> dict[str, Any]:
    """Input vs output price per 1M tokens (log-log), one trace per provider.

    ``points``: dicts with provider (name), slug, model, input, output (already in
    ``currency``). Free or unpriced models cannot sit on a log axis; the table lists them.
    """
    symbol = SYMBOLS.get(currency, "")
    hover = translate(gettext_noop("input {input} · output {output}")).format(
        input=f"{symbol}%{{x:,.4~g}}", output=f"{symbol}%{{y:,.4~g}}"
    )
    by_provider: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for point in points:
        x, y = _finite(point["input"]), _finite(point["output"])
        if x is None or y is None or x <= 0 or y <= 0:
            continue
        key = (str(point["provider"]), str(point.get("slug") or point["provider"]))
        by_provider.setdefault(key, []).append({**point, "input": x, "output": y})
    data = []
    for (name, slug), rows in sorted(by_provider.items(), key=lambda item: item[0][0].lower()):
        style = provider_style(slug)
        data.append({
            "type": "scatter", "mode": "markers", "name": safe_label(name), "meta": slug,
            "x": [r["input"] for r in rows], "y": [r["output"] for r in rows],
            "text": [safe_label(r["model"]) for r in rows],
            "marker": {"size": 9, "color": style.colour, "symbol": style.symbol, "opacity": 0.85,
                       "line": {"width": 1.5, "color": style.colour}},
            "hovertemplate": f"<b>%{{text}}</b><br>{hover}<extra>%{{fullData.name}}</extra>",
        })
    xs = [x for t in data for x in t["x"]]
    ys = [y for t in data for y in t["y"]]
    layout = {
        "xaxis": decade_log_axis(xs, translate(gettext_noop("input, {currency} per 1M tokens")).format(currency=currency), symbol),
        "yaxis": decade_log_axis(ys, translate(gettext_noop("output, {currency} per 1M tokens")).format(currency=currency), symbol),
        "legend": {"y": -0.2},
    }
    return spec(
        data,
        layout,
        title=translate(gettext_noop("Input vs output price, {currency} per 1M tokens")).format(currency=currency),
        note=translate(gettext_noop(
            "Prices in force today, on log scales (one tick per power of ten). Free models and "
            "models without a price cannot be placed on a log scale: they are in the table."
        )),
        empty=translate(gettext_noop("No model with a price above zero matches these filters, so there is nothing to plot.")),
        plot_height=400,
    )


# --- provider page ------------------------------------------------------------------------


def _date_range(data: list[dict[str, Any]]) -> list[str] | None:
    """The drawn days with a small margin. Set explicitly: plotly would otherwise widen a date
    axis to fit an annotation's text, leaving a year of empty plot on a phone."""
    days = [dt.date.fromisoformat(x) for trace in data for x in trace["x"] if x]
    if not days:
        return None
    low, high = min(days), max(days)
    pad = dt.timedelta(days=max((high - low).days // 50, 1))
    return [(low - pad).isoformat(), (high + pad).isoformat()]


def _midpoint(day_range: list[str]) -> str:
    low, high = (dt.date.fromisoformat(d) for d in day_range)
    return (low + (high - low) / 2).isoformat()


class PricePeriod(Protocol):
    """One dated list price (a providers.Price row or an engine PriceRow)."""

    effective_from: dt.date
    effective_to: dt.date | None
    currency: str
    input_per_mtok: Any
    output_per_mtok: Any


class HasRates(Protocol):
    rates: Mapping[str, Any]


def _breakpoints(start: dt.date, stop: dt.date, currencies: set[str], rates: HasRates) -> list[dt.date]:
    """``start``, every day inside the period on which a rate used changes, and ``stop``."""
    days = {start, stop}
    for currency in currencies - {"USD"}:
        series = rates.rates.get(currency)
        if series is None:
            continue
        inside = series.days[(series.days > day_number(start)) & (series.days < day_number(stop))]
        days.update(day_from_number(d) for d in inside)
    return sorted(days)


def _converted_steps(
    period: PricePeriod, kind: str, currency: str, rates: HasRates, today: dt.date, translate: Translate = same
) -> tuple[list[str], list[float | None], list[str]]:
    """One price period as steps in ``currency``, re-converted at each rate change."""
    stop = period.effective_to or max(today, period.effective_from + dt.timedelta(days=1))
    native = float(getattr(period, f"{kind}_per_mtok"))
    cuts = _breakpoints(period.effective_from, stop, {period.currency, currency}, rates)
    numbers = np.array([day_number(d) for d in cuts[:-1]], dtype=np.int64)
    values = native * rates_on(rates, currency, numbers) / rates_on(rates, period.currency, numbers)  # type: ignore[arg-type]
    other = next((c for c in (period.currency, currency) if c != "USD"), None)
    per_usd = rates_on(rates, other, numbers) if other and other != "USD" and period.currency != currency else None  # type: ignore[arg-type]
    native_text = translate(gettext_noop("list price {price} ({currency})")).format(
        price=f"{SYMBOLS.get(period.currency, '')}{native:,.4g}", currency=period.currency
    )
    xs, ys, hover = [], [], []
    for i, (day, value) in enumerate(zip(cuts[:-1], values, strict=True)):
        xs.append(day.isoformat())
        ys.append(_finite(value))
        rate = "" if per_usd is None else f", 1 USD = {float(per_usd[i]):,.4f} {other}"
        hover.append(native_text + rate)
    xs.append(stop.isoformat())
    ys.append(ys[-1])
    hover.append(hover[-1])
    return xs, ys, hover


def currency_switches(periods: Iterable[PricePeriod]) -> list[tuple[dt.date, str, str]]:
    """Days on which a model's consecutive price periods change currency: (day, from, to)."""
    found: set[tuple[dt.date, str, str]] = set()
    ordered = sorted(periods, key=lambda p: p.effective_from)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.currency != after.currency:
            found.add((after.effective_from, before.currency, after.currency))
    return sorted(found)


def price_history(
    series: Sequence[tuple[str, Sequence[PricePeriod]]],
    *,
    currency: str,
    rates: HasRates,
    today: dt.date,
    total_models: int | None = None,
    translate: Translate = same,
) -> dict[str, Any]:
    """Step chart of each model's input (solid) and output (dotted) list price over time.

    ``series``: (model id, its price periods of the base context tier). Every price is drawn
    in ``currency``, converted at the exchange rate of each day (``rates``: the catalog
    snapshot), so one axis never mixes ¥ and $; the hover gives the native list price. A
    model whose billing currency changes gets a marked line on that day instead of a step
    that would read as a price cut.
    """
    symbol = SYMBOLS.get(currency, "")
    no_price = translate(gettext_noop("no price"))
    kinds = {"input": translate(gettext_noop("input")), "output": translate(gettext_noop("output"))}
    per_million = translate(gettext_noop("{price} per 1M")).format(price=f"{symbol}%{{y:,.4~g}}")
    data: list[dict[str, Any]] = []
    switches: set[tuple[dt.date, str, str]] = set()
    for index, (model, periods) in enumerate(series[:MAX_SERIES]):
        colour = SERIES_PALETTE[index % len(SERIES_PALETTE)]
        ordered = sorted(periods, key=lambda p: p.effective_from)
        switches.update(currency_switches(ordered))
        for kind, dash in (("input", "solid"), ("output", "dot")):
            xs: list[str | None] = []
            ys: list[float | None] = []
            hover: list[str] = []
            for position, period in enumerate(ordered):
                px, py, ph = _converted_steps(period, kind, currency, rates, today, translate)
                xs += px
                ys += py
                hover += ph
                following = ordered[position + 1] if position + 1 < len(ordered) else None
                if period.effective_to is not None and (following is None or following.effective_from != period.effective_to):
                    xs.append(period.effective_to.isoformat())
                    ys.append(None)  # a gap where no price is known, never a drop to 0
                    hover.append(no_price)
            data.append({
                "type": "scatter", "mode": "lines", "name": safe_label(model), "legendgroup": safe_label(model),
                "showlegend": kind == "input", "x": xs, "y": ys, "customdata": hover, "connectgaps": False,
                "line": {"shape": "hv", "color": colour, "dash": dash, "width": 2},
                "hovertemplate": f"<b>%{{fullData.name}}</b> {kinds[kind]}<br>%{{x|%Y-%m-%d}}: {per_million}"
                                 "<br>%{customdata}<extra></extra>",
            })
    shapes, annotations = [], []
    x_range = _date_range(data)
    for day, _before, after in sorted(switches):
        shapes.append({"type": "line", "x0": day.isoformat(), "x1": day.isoformat(), "y0": 0, "y1": 1,
                       "yref": "paper", "line": {"color": MUTED, "width": 1.5, "dash": "dash"}})
        # The label reads away from the nearer edge, so it is never cut off.
        late = x_range is not None and day.isoformat() > _midpoint(x_range)
        annotations.append({"x": day.isoformat(), "y": 1, "yref": "paper", "yanchor": "bottom",
                            "xanchor": "right" if late else "left", "showarrow": False,
                            "font": {"size": 11, "color": MUTED},
                            "text": translate(gettext_noop("billed in {currency} from {day}")).format(
                                currency=safe_label(after), day=day.isoformat())})
    shown = min(len(series), MAX_SERIES)
    total = total_models if total_models is not None else len(series)
    notes = [translate(gettext_noop("Solid: input, dotted: output, per 1M tokens (base context tier)."))]
    if any(p.currency != currency for _, periods in series for p in periods):
        notes.append(translate(gettext_noop(
            "Prices billed in another currency are converted to {currency} at each day's rate; the hover gives the list price."
        )).format(currency=currency))
    if switches:
        notes.append(translate(gettext_noop("Dashed vertical line: the provider changed its billing currency (not a price cut).")))
    if total > shown:
        notes.append(translate(gettext_noop(
            "Showing {shown} of {total} models (those priced today first); every row is in the table."
        )).format(shown=shown, total=total))
    note = " ".join(notes)
    return spec(
        data,
        {
            "xaxis": _axis(type="date", range=x_range),
            "yaxis": money_axis(currency, title={"text": translate(gettext_noop("{currency} per 1M tokens")).format(currency=currency),
                                                 "font": {"size": 12}}),
            "shapes": shapes,
            "annotations": annotations,
            "margin": {"t": 28 if switches else 12},
            "hovermode": "closest",
        },
        title=translate(gettext_noop("Price history in {currency}")).format(currency=currency),
        note=note,
        empty=translate(gettext_noop("No dated price for this provider yet.")),
    )


# --- offers page --------------------------------------------------------------------------


def _drawn_end(offer: dict[str, Any], today: dt.date) -> dt.date:
    return offer["ends_on"] or offer.get("assumed_until") or max(today, offer["starts_on"])


def _end_text(offer: dict[str, Any], translate: Translate = same) -> str:
    if offer["ends_on"]:
        return offer["ends_on"].isoformat()
    if offer.get("assumed_until") and offer.get("last_seen_on"):
        return translate(gettext_noop("end not published; last seen running {seen}, assumed until {until}")).format(
            seen=offer["last_seen_on"].isoformat(), until=offer["assumed_until"].isoformat()
        )
    return translate(gettext_noop("end not published"))


def offer_timeline(
    offers: Sequence[dict[str, Any]], today: dt.date, marker: dt.date, marker_label: str,
    translate: Translate = same,
) -> dict[str, Any]:
    """Horizontal bars for offer campaign windows in their provider's colour. An offer whose
    end is not published is hatched and drawn to the day it is assumed to run until
    (``assumed_until``: last seen running + the assumption window), or to today without one.

    ``offers``: dicts with provider (name), slug, name, starts_on, ends_on (None = not
    published) and optionally last_seen_on and assumed_until.
    """
    labels = [short_label(f"{o['provider']}: {o['name']}", 34) for o in offers]
    # Two offers may shorten to the same text; a zero-width space keeps their rows apart.
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        seen[label] = seen.get(label, 0) + 1
        labels[i] = safe_label(label) + "\u200b" * (seen[label] - 1)
    data: list[dict[str, Any]] = []
    groups: dict[tuple[str, str], list[int]] = {}
    for i, offer in enumerate(offers):
        groups.setdefault((str(offer["provider"]), str(offer.get("slug") or offer["provider"])), []).append(i)
    for (name, slug), indexes in groups.items():
        style = provider_style(slug)
        starts = [offers[i]["starts_on"] for i in indexes]
        ends = [_drawn_end(offers[i], today) for i in indexes]
        data.append({
            "type": "bar", "orientation": "h", "name": safe_label(name), "meta": slug,
            "y": [labels[i] for i in indexes],
            "x": [max((e - s).days + 1, 1) * 86_400_000 for s, e in zip(starts, ends, strict=True)],
            "base": [s.isoformat() for s in starts],
            "marker": {"color": style.colour, "line": {"color": style.colour, "width": 1},
                       "pattern": {"shape": ["/" if offers[i]["ends_on"] is None else "" for i in indexes],
                                   "fillmode": "overlay", "fgcolor": "#ffffff", "size": 6}},
            "customdata": [[safe_label(f"{offers[i]['provider']}: {offers[i]['name']}"), offers[i]["starts_on"].isoformat(),
                            _end_text(offers[i], translate)] for i in indexes],
            "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]} → %{customdata[2]}<extra></extra>",
        })
    plot_height = max(200, 26 * len(offers))
    layout = {
        "barmode": "overlay",
        "xaxis": _axis(type="date"),
        "yaxis": _axis(autorange="reversed", categoryorder="array", categoryarray=labels, tickfont={"size": 11}),
        "margin": {"t": 28},
        "shapes": [{"type": "line", "x0": marker.isoformat(), "x1": marker.isoformat(), "y0": 0, "y1": 1,
                    "yref": "paper", "line": {"color": "#d1242f", "width": 2, "dash": "dash"}}],
        "annotations": [{"x": marker.isoformat(), "y": 1, "yref": "paper", "text": safe_label(marker_label),
                         "showarrow": False, "xanchor": "left", "yanchor": "bottom", "font": {"color": "#d1242f", "size": 11}}],
    }
    return spec(
        data,
        layout,
        title=translate(gettext_noop("Offer campaign windows")),
        note=translate(gettext_noop(
            "One colour per provider. Hatched bars: the end of the campaign is not published; they run to the day "
            "the offer is assumed to last until (last seen running plus the assumption window)."
        )),
        empty=translate(gettext_noop("No offer matches these filters.")),
        plot_height=plot_height,
    )


# --- dashboard ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One line or bar series: ``key`` is the candidate (provider slug or ``current``)."""

    key: str
    label: str
    values: Sequence[float | None]


def _no_price_annotations(
    months: Sequence[str], series: Sequence[Series], translate: Translate = same
) -> list[dict[str, Any]]:
    """A "no price" label at the foot of each month (mid-month, where the points sit) in which
    a drawn series has no value."""
    missing: dict[int, list[str]] = {}
    for item in series:
        for i, value in enumerate(item.values):
            if _finite(value) is None:
                missing.setdefault(i, []).append(item.label)
    vertical = len(months) > 6
    return [
        {"x": f"{months[i]}-15", "y": 0, "yref": "paper", "yanchor": "bottom", "showarrow": False,
         "text": translate(gettext_noop("no price")), "textangle": -90 if vertical else 0,
         "font": {"size": 10, "color": NO_PRICE},
         "hovertext": safe_label(translate(gettext_noop("No price in force: {names}")).format(names=", ".join(names)))}
        for i, names in sorted(missing.items())
    ]


def cost_lines(
    months: Sequence[str],
    series: Sequence[Series],
    currency: str,
    *,
    title: str,
    note: str = "",
    empty: str = "",
    translate: Translate = same,
) -> dict[str, Any]:
    """Cost per month (or running total) per candidate, one colour per provider."""
    empty = empty or translate(gettext_noop("No provider can price this usage, so there is no cost to draw."))
    symbol = SYMBOLS.get(currency, "")
    data = []
    for rank, item in enumerate(series):
        style = provider_style(item.key)
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": safe_label(item.label), "meta": item.key, **MONTH_PERIOD,
            "x": list(months), "y": [_finite(v) for v in item.values], "connectgaps": False,
            "line": {"color": style.colour, "dash": style.dash, "width": style.width},
            "marker": {"size": 5, "color": style.colour, "symbol": style.symbol},
            "hovertemplate": f"{symbol}%{{y:,.2f}}", "legendrank": 1000 + rank,
        })
    if not any(v is not None for trace in data for v in trace["y"]):
        data = []
    # Your current provider is drawn last, on top of a candidate at the same price (your own
    # provider at list price), and stays first in the legend.
    data.sort(key=lambda trace: trace["meta"] == CURRENT)
    layout = {
        "hovermode": "x unified",
        "xaxis": month_axis(len(months)),
        "yaxis": money_axis(currency),
        "annotations": _no_price_annotations(months, series, translate) if data else [],
    }
    return spec(data, layout, title=title, note=note, empty=empty)


def provider_bars(
    series: Sequence[Series],
    currency: str,
    *,
    title: str,
    note: str = "",
    empty: str,
    translate: Translate = same,
) -> dict[str, Any]:
    """One horizontal bar per candidate in its provider's colour, cheapest at the top; a
    candidate with no total is listed last and labelled "no price", never a zero bar."""
    symbol = SYMBOLS.get(currency, "")
    priced = sorted((s for s in series if _finite(s.values[0]) is not None), key=lambda s: float(s.values[0] or 0))
    unpriced = [s for s in series if _finite(s.values[0]) is None]
    ordered = [*priced, *unpriced]
    labels = [safe_label(short_label(s.label, 30)) for s in ordered]
    data = []
    if priced:
        data.append({
            "type": "bar", "orientation": "h", "name": "total", "showlegend": False,
            "y": labels, "x": [_finite(s.values[0]) for s in ordered], "meta": [s.key for s in ordered],
            "customdata": [safe_label(s.label) for s in ordered],
            "marker": {"color": [provider_style(s.key).colour for s in ordered]},
            "hovertemplate": f"<b>%{{customdata}}</b><br>{symbol}%{{x:,.2f}}<extra></extra>",
        })
    annotations = [
        {"x": 0, "y": labels[len(priced) + i], "xanchor": "left", "showarrow": False,
         "text": translate(gettext_noop("no price")), "font": {"size": 11, "color": NO_PRICE},
         "hovertext": safe_label(translate(gettext_noop("{name}: no price in force for some of this usage")).format(name=s.label))}
        for i, s in enumerate(unpriced)
    ]
    layout = {
        "xaxis": money_axis(currency),
        "yaxis": _axis(autorange="reversed", tickfont={"size": 11}, categoryorder="array", categoryarray=labels),
        "annotations": annotations if data else [],
        "showlegend": False,
    }
    return spec(data, layout, title=title, note=note, empty=empty, plot_height=max(PLOT_HEIGHT, 24 * len(labels)))


def stacked_token_bars(
    categories: Sequence[Series],
    parts: Sequence[tuple[str, str]],
    *,
    title: str,
    note: str = "",
    empty: str,
) -> dict[str, Any]:
    """Horizontal stacked bars of tokens per candidate; ``parts``: (name, colour) of each
    value position (e.g. free vs paid), since here colour means the kind, not the provider."""
    labels = [safe_label(short_label(c.label, 30)) for c in categories]
    data = [
        {"type": "bar", "orientation": "h", "name": safe_label(name), "y": labels,
         "x": [_finite(c.values[i]) for c in categories], "marker": {"color": colour},
         "customdata": [safe_label(c.label) for c in categories],
         "hovertemplate": "<b>%{customdata}</b><br>%{x:,.4~s} tokens<extra>%{fullData.name}</extra>"}
        for i, (name, colour) in enumerate(parts)
    ]
    if not categories:
        data = []
    layout = {
        "barmode": "stack",
        "xaxis": _axis(tickformat="~s", rangemode="tozero"),
        "yaxis": _axis(autorange="reversed", tickfont={"size": 11}, categoryorder="array", categoryarray=labels),
    }
    return spec(data, layout, title=title, note=note, empty=empty, plot_height=max(PLOT_HEIGHT, 24 * len(labels)))


def stacked_month_bars(
    months: Sequence[str], series: Sequence[Series], *, title: str, note: str = "", empty: str
) -> dict[str, Any]:
    """Tokens per month stacked by series (e.g. source models); the series are not
    providers, so they take the series palette, and "other" is grey."""
    data = []
    for index, item in enumerate(series):
        colour = OTHER_COLOUR if item.key == "__other__" else SERIES_PALETTE[index % len(SERIES_PALETTE)]
        data.append({
            "type": "bar", "name": safe_label(item.label), "x": list(months), **MONTH_PERIOD,
            "y": [_finite(v) for v in item.values], "marker": {"color": colour},
            "hovertemplate": "%{x}: %{y:,.4~s} tokens<extra>%{fullData.name}</extra>",
        })
    layout = {"barmode": "stack", "xaxis": month_axis(len(months)), "yaxis": _axis(tickformat="~s", rangemode="tozero")}
    return spec(data, layout, title=title, note=note, empty=empty)
