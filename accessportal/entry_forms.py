"""The form of an import upload: a CSV or JSON file, or the same pasted as text."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accessportal.bulk_import import MAX_BYTES, ImportFileError, ImportKind, read_table
from accessportal.bulk_import.files import decode, detect_format


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or JSON file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,text/csv,application/json"}),
    )
    text = forms.CharField(
        label=_("Or paste the rows"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("CSV with its header row, or JSON, as in the templates."),
    )

    def __init__(self, *args, kind: ImportKind, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean(self) -> dict:
        data = super().clean()
        upload, text = data.get("file"), data.get("text") or ""
        if upload and text.strip():
            raise ValidationError(_("Choose a file or paste rows, not both."), code="both")
        if not upload and not text.strip():
            raise ValidationError(_("Choose a file or paste the rows."), code="nothing")
        try:
            if upload:
                # One byte more than allowed is enough to refuse a larger file.
                content, name = decode(upload.read(MAX_BYTES + 1)), upload.name or ""
            else:
                content, name = decode(text.encode("utf-8", "surrogatepass")), ""
            fmt = detect_format(content, name)
            read_table(content, self.kind, fmt=fmt)
        except ImportFileError as error:
            raise ValidationError(str(error), code="bad_file") from None
        data.update(content=content, format=fmt, filename=name[:200])
        return data
