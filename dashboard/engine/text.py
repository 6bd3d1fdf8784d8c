"""Text the engine writes, marked for translation without Django.

The engine words chart titles, axes, legends and table captions in English. Functions that
write such text take a ``translate`` callable (default `same`: English, unchanged); the web
layer passes Django's ``gettext`` so a Chinese page gets Chinese charts. Each literal is marked
with `gettext_noop` (a no-op here), which ``makemessages`` (xgettext) extracts by that name,
and is translated *before* its parameters are filled in::

    translate(gettext_noop("Monthly cost in {currency}, offers counted")).format(currency=cur)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Translate = Callable[[str], str]


def gettext_noop(message: str) -> str:
    """Marks ``message`` for extraction; returns it unchanged."""
    return message


def same(message: str) -> str:
    """The default `translate`: English as written."""
    return message


class Worded(str):
    """English text that keeps the template and parameters it was written from, so a web layer
    can word it again in another language (`word`). It *is* the English string: code that only
    reads English sees no difference.

    A parameter may itself be `Worded` (a word such as "model", a skip reason): it is worded in
    the same language. The template is marked with `gettext_noop` by the caller.
    """

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, /, **params: object) -> Worded:
        text = super().__new__(cls, template.format(**params) if params else template)
        text.template = template
        text.params = params
        return text

    def __reduce__(self) -> tuple[object, tuple[dict[str, object]]]:  # copy and pickle
        return Worded.from_json, (self.to_json(),)

    def word(self, translate: Translate = same) -> str:
        """The text in the language of `translate` (English, exactly `str(self)`, by default)."""
        return fill(self.template, self.params, translate)

    def to_json(self) -> dict[str, object]:
        """A JSON-able form (`from_json` reads it back)."""
        return {
            "template": self.template,
            "params": {k: v.to_json() if isinstance(v, Worded) else v for k, v in self.params.items()},
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Worded:
        if "joined" in data:
            items = [Worded.from_json(item) for item in data["joined"]]
            return Joined(items, str(data.get("separator", ", ")))
        params = data.get("params") or {}
        return Worded(
            str(data["template"]),
            **{k: Worded.from_json(v) if isinstance(v, dict) else v for k, v in params.items()},
        )


class Joined(Worded):
    """Worded items joined by `separator`; the default ", " is itself translated (Chinese has
    its own comma)."""

    items: tuple[Worded, ...]
    separator: str

    def __new__(cls, items: list[Worded] | tuple[Worded, ...], separator: str = ", ") -> Joined:
        text = str.__new__(cls, separator.join(items))
        text.template = str(text)
        text.params = {}
        text.items = tuple(items)
        text.separator = separator
        return text

    def word(self, translate: Translate = same) -> str:
        separator = translate(self.separator) if self.separator.strip() else self.separator
        return separator.join(item.word(translate) for item in self.items)

    def to_json(self) -> dict[str, object]:
        return {"joined": [item.to_json() for item in self.items], "separator": self.separator}


def fill(template: str, params: dict[str, object], translate: Translate = same) -> str:
    """`translate(template)` filled with `params` (Worded ones worded by `translate` too). A
    translation whose placeholders do not fit falls back to the English template."""
    values = {k: v.word(translate) if isinstance(v, Worded) else v for k, v in params.items()}
    worded = translate(template)
    if not params:
        return worded
    try:
        return worded.format(**values)
    except (KeyError, ValueError, IndexError):
        return template.format(**values)
