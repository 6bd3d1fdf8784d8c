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

Translate = Callable[[str], str]


def gettext_noop(message: str) -> str:
    """Marks ``message`` for extraction; returns it unchanged."""
    return message


def same(message: str) -> str:
    """The default `translate`: English as written."""
    return message
