"""Catalog names in the user's language: the Chinese name (`name_zh`) on a Chinese page when
the catalog has one, else the name (provider, model and offer rows all carry `name_zh`)."""

from __future__ import annotations

from django.utils.translation import get_language, gettext

_zh_names: tuple[object, dict[str, str]] | None = None


def is_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def page_currency() -> str:
    """The display currency when the URL names none: CNY on a Chinese page, else USD."""
    return "CNY" if is_chinese() else "USD"


def offer_names(keys: list[int]) -> dict[int, str]:
    """Offer key -> Chinese name on a Chinese page (empty elsewhere or without one)."""
    if not is_chinese() or not keys:
        return {}
    from providers.models import Offer

    return dict(Offer.objects.filter(pk__in=keys).exclude(name_zh="").values_list("pk", "name_zh"))


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


def provider_name(slug: str, name: str) -> str:
    """The provider's name to show: Chinese on a Chinese page when there is one."""
    if is_chinese():
        return chinese_provider_names().get(slug) or name
    return name


def current_label(text: str) -> str:
    """The engine's "Current (OpenAI)" label worded in the active language."""
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


def candidate_names(summary: list) -> dict[str, str]:
    """Candidate -> label in the active language (charts and tables of the dashboard)."""
    return {
        s.candidate: current_label(s.label) if s.candidate == "current" else provider_name(s.candidate, s.label)
        for s in summary
    }
