"""Catalog text shown on public pages: the notes are written by maintainers for maintainers
too, so pointers into the repository ("See fixtures/catalog/README.md.") are left out."""

import re

from django import template

register = template.Library()

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_REPOSITORY_POINTER = re.compile(r"\b[\w.-]+/[\w./-]*\.(?:md|csv|py|json|txt)\b|\bREADME\b")


@register.filter
def public_note(text: str | None) -> str:
    """``text`` without the sentences that point at files of the repository."""
    sentences = _SENTENCE_END.split(str(text or "").strip())
    return " ".join(s for s in sentences if s and not _REPOSITORY_POINTER.search(s))
