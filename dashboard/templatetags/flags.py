"""Short flag badges for the ranking table.

The engine words each note on a candidate's figures as a code with an English sentence
(dashboard.engine.reasons). A known code gets a short badge whose full sentence is its title
and is explained in the legend under the table; any other note stays a sentence.
"""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

FLAG_LABELS = {
    "cache_read_fallback": _("cache at input price"),
    "cache_write_fallback": _("cache write at input price"),
    "batch_fallback": _("no batch discount"),
}


@register.filter
def flag_label(note: object) -> str:
    """The short badge text of a note, or "" when the note has no short form."""
    return str(FLAG_LABELS.get(str(getattr(note, "code", "")), ""))


@register.filter
def unlabelled(notes: object) -> list[object]:
    """The notes that keep their full sentence (no short badge)."""
    return [note for note in notes or () if not flag_label(note)]
