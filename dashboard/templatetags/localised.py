"""Display in the user's language: engine reasons, catalog names, large token counts.

- `reason_text`: an engine `Reason` (or a plain string) worded in the active language;
  `mapping_reason` a mapping's reason with its details; `offer_reason` an offer outcome's.
- `local_name`: a provider, model or offer's Chinese name (`name_zh`) on a Chinese page when
  the catalog has one, else its name; `provider_name` the same from a provider slug.
- `big_tokens`: token counts as people read them: 120,000,000 in English,
  1.2亿 / 5,000万 in Chinese (万 = 10^4, 亿 = 10^8).
"""

from __future__ import annotations

from django import template

from dashboard import format_wording, local_names, reason_wording
from dashboard.local_names import is_chinese

register = template.Library()


@register.filter
def reason_text(reason: object) -> str:
    return reason_wording.word(reason)  # type: ignore[arg-type]


@register.filter
def mapping_reason(mapping: object) -> str:
    reason = getattr(mapping, "reason", None)
    details = tuple(getattr(mapping, "details", ()) or ())
    return reason_wording.joined((reason, *details)) if reason is not None else ""


@register.filter
def offer_reason(outcome: object) -> str:
    code = getattr(outcome, "reason_code", "")
    if not code:
        return str(getattr(outcome, "reason", ""))
    return reason_wording.word_code(code, getattr(outcome, "reason_params", None))


@register.filter
def format_label(label: object) -> str:
    """A usage format's name in the active language."""
    return format_wording.word_format(str(label or ""))


@register.filter
def report_text(text: object) -> str:
    """A reader's skip reason or warning in the active language."""
    return format_wording.word_report_text(text if isinstance(text, str) else str(text or ""))


@register.filter
def offer_hint(outcome: object) -> str:
    return reason_wording.word(getattr(outcome, "hint", None))


def _trim(number: float, places: int) -> str:
    text = f"{number:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def chinese_count(value: float) -> str:
    """120000000 -> "1.2亿", 50000000 -> "5,000万", 9500 -> "9,500"."""
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if magnitude >= 1e8:
        return f"{sign}{_trim(magnitude / 1e8, 2)}亿"
    if magnitude >= 1e4:
        return f"{sign}{_trim(magnitude / 1e4, 2)}万"
    return f"{sign}{magnitude:,.0f}"


@register.filter
def big_tokens(value: object) -> str:
    """A token count, whole in English (120,000,000), in 万/亿 in Chinese (1.2亿)."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"
    if number != number:
        return "—"
    return chinese_count(number) if is_chinese() else f"{number:,.0f}"


@register.filter
def local_name(item: object) -> str:
    """The catalog's Chinese name on a Chinese page, when there is one."""
    name_zh = getattr(item, "name_zh", "") or ""
    if is_chinese() and name_zh:
        return name_zh
    return str(getattr(item, "name", None) or getattr(item, "display_name", None) or item)


@register.filter
def provider_name(slug: object, fallback: str = "") -> str:
    """A provider's name from its slug (Chinese name on a Chinese page), else `fallback`."""
    return local_names.provider_name(str(slug), fallback or str(slug))


@register.filter
def current_label(label: object) -> str:
    """The engine's "Current (OpenAI)" label worded in the active language."""
    return local_names.current_label(str(label or ""))


@register.simple_tag
def sp() -> str:
    """The space between two clauses of a sentence: " " in English, none in Chinese (whose
    punctuation，；。 carries its own spacing)."""
    return "" if is_chinese() else " "
