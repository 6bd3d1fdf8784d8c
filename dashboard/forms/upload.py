"""Forms of the web app: the usage upload."""

from django import forms

ACCEPTED_EXTENSIONS = ".csv,.tsv,.txt"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Usage export (CSV)",
        help_text="An export from one of the formats listed below, or a CSV in the generic format.",
        error_messages={
            "required": "Choose a usage export file to upload.",
            "empty": "The file is empty: choose a usage export with a header and data rows.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_EXTENSIONS}),
    )
