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
from django.utils.translation import get_language, gettext

from dashboard import reason_wording

register = template.Library()


def is_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


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


_zh_names: tuple[object, dict[str, str]] | None = None


def chinese_provider_names() -> dict[str, str]:
    """Provider slug -> Chinese name, rebuilt when the catalog snapshot changes."""
    global _zh_names
    from providers.catalog import get_catalog
    from providers.models import Provider

    catalog = get_catalog()
    if _zh_names is None or _zh_names[0] is not catalog:
        names = dict(Provider.objects.exclude(name_zh="").values_list("slug", "name_zh"))
        _zh_names = (catalog, names)
    return _zh_names[1]


@register.filter
def provider_name(slug: object, fallback: str = "") -> str:
    """A provider's name from its slug (Chinese name on a Chinese page), else `fallback`."""
    if is_chinese():
        name_zh = chinese_provider_names().get(str(slug))
        if name_zh:
            return name_zh
    return fallback or str(slug)


@register.filter
def current_label(label: object) -> str:
    """The engine's "Current (OpenAI)" label worded in the active language."""
    text = str(label or "")
    if not text.startswith("Current"):
        return text
    rest = text[len("Current") :]
    billed = rest.endswith(" at billed rates")
    if billed:
        rest = rest[: -len(" at billed rates")]
    names = rest.strip()[1:-1] if rest.strip().startswith("(") else ""
    if names:
        word = gettext("Current (%(providers)s)") % {"providers": names}
    else:
        word = gettext("Current")
    return gettext("%(label)s at billed rates") % {"label": word} if billed else word
