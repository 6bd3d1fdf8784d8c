"""Display helpers: money with its currency symbol, token counts in K/M/B."""

from django import template

from dashboard.engine.catalog_types import CURRENCY_SYMBOLS

register = template.Library()

SYMBOLS = CURRENCY_SYMBOLS  # the engine's, one home for currency signs


def format_money(value, currency: str = "USD", places: int | None = None) -> str:
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    if number != number:  # NaN: unknown, never shown as 0
        return "—"
    if places is None:
        magnitude = abs(number)
        places = 2 if magnitude >= 1 or magnitude == 0 else (3 if magnitude >= 0.1 else 4)
    symbol = SYMBOLS.get(currency, "")
    sign = "-" if number < 0 else ""
    text = f"{abs(number):,.{places}f}"
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


@register.filter
def money(value, currency: str = "USD") -> str:
    return format_money(value, currency)


@register.filter
def tokens(value) -> str:
    if value is None:
        return "—"
    number = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(number) >= limit:
            return f"{number / limit:,.2f}{suffix}"
    return f"{number:,.0f}"


@register.filter
def pct(value) -> str:
    if value is None:
        return "—"
    number = float(value)
    if number != number:
        return "—"
    return f"{number:+.1f}%"


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
