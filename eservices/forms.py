"""The application form is generated from the service version's JSON Schema.
Django fields give friendly widgets and messages; the schema stays the
authority and is checked again by the service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.selectors import districts, districts_exist
from core.validators import no_invisible_controls
from documents.resumable import UploadRef
from documents.uploads import accepted_for_input, accepted_types_in_words, size_limit

from .schema import enum_titles, ordered_properties, translated


def _field_for(name, spec, required):
    label = translated(spec, "title", name)
    help_text = translated(spec, "description", "")
    kind = spec.get("type", "string")
    common = {"label": label, "help_text": help_text, "required": required}
    if "enum" in spec:
        titles = enum_titles(spec)
        choices = [("", "—")] + [(v, titles.get(v, v)) for v in spec["enum"]]
        return forms.ChoiceField(choices=choices, **common)
    if kind == "integer":
        return forms.IntegerField(min_value=spec.get("minimum"), max_value=spec.get("maximum"), **common)
    if kind == "number":
        return forms.FloatField(min_value=spec.get("minimum"), max_value=spec.get("maximum"), **common)
    if kind == "boolean":
        return forms.BooleanField(**{**common, "required": required and spec.get("const") is True})
    if spec.get("format") == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    max_length = spec.get("maxLength")
    widget = forms.Textarea(attrs={"rows": 3}) if (max_length or 0) > 200 else None
    return forms.CharField(max_length=max_length, min_length=spec.get("minLength"), widget=widget,
                           validators=[no_invisible_controls], **common)


def application_form_class(version, *, partial=False):
    """``partial``: for saving a draft, nothing is required yet."""
    schema = version.form_schema or {}
    required = set() if partial else set(schema.get("required", []))
    fields = {
        name: _field_for(name, spec, name in required)
        for name, spec in ordered_properties(schema)
    }
    for name, field in fields.items():
        # a draft may leave out what its submission will need: only what is never required is "optional"
        field.optional = name not in set(schema.get("required") or [])
    if districts_exist():
        fields["district"] = forms.ModelChoiceField(
            label=_("District"), queryset=districts(), required=False, empty_label="—",
            help_text=_("The district the application concerns (for a building: where the site is)."))
    for doc in version.required_documents.all():
        fields[f"doc_{doc.code}"] = forms.FileField(
            label=doc.name, required=False, help_text=upload_hint(),
            widget=forms.ClearableFileInput(attrs={"accept": accepted_for_input()}),
        )
        fields[f"doc_{doc.code}"].optional = not doc.mandatory
        # the id of a completed resumable upload (documents.resumable) sent instead of the file
        fields[f"doc_{doc.code}_upload"] = forms.CharField(required=False, widget=forms.HiddenInput)
    return type("ApplicationForm", (forms.Form,), fields)


def upload_hint():
    """What a file must be, told under each file field before anyone chooses one."""
    return _("A %(types)s file, at most %(size)s.") % {"types": accepted_types_in_words(), "size": size_limit()}


def form_data_from(cleaned, version):
    """JSON-ready data for the schema's properties only."""
    data = {}
    for name in (version.form_schema or {}).get("properties", {}):
        value = cleaned.get(name)
        if value in (None, ""):
            continue
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def files_from(files, version, cleaned=None):
    """The files sent with the form by document code; where none was sent, a pointer
    to the completed upload session named in ``doc_<code>_upload``, if any."""
    found = {}
    for doc in version.required_documents.all():
        if files.get(f"doc_{doc.code}"):
            found[doc.code] = files[f"doc_{doc.code}"]
        elif (cleaned or {}).get(f"doc_{doc.code}_upload"):
            found[doc.code] = UploadRef(cleaned[f"doc_{doc.code}_upload"])
    return found


class CorrectionForm(forms.Form):
    comment = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=4000, validators=[no_invisible_controls],
                              help_text=_("Tell the department what you changed."))


def initial_from(application):
    """The application's answers, its district included, as a form that edits them shows them: a whole number as
    entered (1200, not the 1200.0 a number field keeps)."""
    initial = {name: int(value) if isinstance(value, float) and value.is_integer() else value
               for name, value in application.data.items()}
    initial["district"] = application.district_id
    return initial


def correction_form(application, *, attached, data=None, files=None):
    """The form answering a correction request: the comment, then every answer of the application pre-filled
    (its district too) and a file field per document. ``attached``: {document code: the case's document}. A
    document already attached is not asked for again (a new file replaces it, as its next version); one the
    service requires and the case lacks still is."""
    version = application.service_version
    form_class = type("CorrectionApplicationForm", (application_form_class(version), CorrectionForm), {})
    form = form_class(data, files, initial=initial_from(application))
    for doc in version.required_documents.all():
        field = form.fields[f"doc_{doc.code}"]
        document = attached.get(doc.code)
        field.required = False
        if document is not None:
            field.optional = True
            field.help_text = _("Attached: “%(name)s”. Choose a file only to replace it.") % {
                "name": document.versions_newest_first[0].original_name}
        else:
            field.optional = not doc.mandatory
            field.help_text = ""
    return form


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why are you withdrawing it?"), widget=forms.Textarea(attrs={"rows": 3}),
                             required=False, max_length=2000, validators=[no_invisible_controls],
                             help_text=_("The department reads this with the case."))
