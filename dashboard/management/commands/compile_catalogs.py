"""Compile the translation catalogues (.po -> .mo) with polib: no GNU gettext needed.

`make run`, `make test` and `.ci/run` call this, so a fresh machine has the compiled catalogues
(the .mo files are not in git). Writing the messages is a developer step that does need GNU
gettext: `manage.py makemessages -l zh_Hans --ignore=.venv` (see README, "Translations").
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def po_files() -> list[Path]:
    """Every .po file under the project's LOCALE_PATHS."""
    return sorted(p for root in settings.LOCALE_PATHS for p in Path(root).glob("*/LC_MESSAGES/*.po"))


class Command(BaseCommand):
    help = "Compile every .po catalogue under LOCALE_PATHS into its .mo file (pure Python, polib)."

    def handle(self, *args, **options) -> None:
        files = po_files()
        if not files:
            raise CommandError(f"No .po file under {settings.LOCALE_PATHS}.")
        for po_path in files:
            catalogue = polib.pofile(str(po_path))
            mo_path = po_path.with_suffix(".mo")
            # Fuzzy entries are left out, as msgfmt does: an unchecked guess is never shown.
            catalogue.save_as_mofile(str(mo_path))
            if options["verbosity"] > 0:
                self.stdout.write(f"{mo_path}: {len(catalogue.translated_entries())} messages")
