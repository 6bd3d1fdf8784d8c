"""Upload and reader errors worded in the user's language.

A usage reader raises `UsageFileError` with its message as a `template` and `params`
(engine/usage/errors.py; the templates are marked with the engine's `gettext_noop`, so
makemessages extracts them). Here the template is looked up in the catalogue and filled in,
with the same "file, line N, column 'X': " framing the English message has. A parameter that is
itself `Worded` (a format's name, "model", skip reasons) is worded in the same language.
"""

from __future__ import annotations

from django.utils.translation import gettext

from dashboard.engine.text import fill
from dashboard.engine.usage import UsageFileError
from dashboard.models import UploadJob


def word_file_error(err: UsageFileError) -> str:
    """`err` in the active language (English: exactly `str(err)`)."""
    message = fill(err.template, err.params, gettext)
    where = []
    if err.filename:
        where.append(err.filename)
    if err.row is not None and not err.message.startswith(f"line {err.row} "):
        where.append(gettext("line %(line)s") % {"line": err.row})
    if err.column is not None:
        where.append(gettext("column '%(column)s'") % {"column": err.column})
    if where:
        return gettext("%(where)s: %(message)s") % {"where": gettext(", ").join(where), "message": message}
    return message


def job_error(job: UploadJob) -> str:
    """A failed background upload's message in the active language: the reader's error from
    its stored template, else the stored English text (translated when it is a catalogue
    message, such as the server-error one)."""
    if job.error_wording:
        try:
            return word_file_error(UsageFileError.from_json(job.error_wording))
        except (KeyError, ValueError, IndexError, TypeError):
            pass
    return gettext(job.error) if job.error else ""
