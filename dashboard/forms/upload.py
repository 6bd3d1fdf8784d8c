"""Forms of the web app: the usage upload."""

from django import forms
from django.utils.translation import gettext_lazy as _

ACCEPTED_EXTENSIONS = ".csv,.tsv,.txt"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Usage export (CSV)"),
        help_text=_("An export from one of the formats listed below, or a CSV in the generic format."),
        error_messages={
            "required": _("Choose a usage export file to upload."),
            "empty": _("The file is empty: choose a usage export with a header and data rows."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_EXTENSIONS}),
    )
