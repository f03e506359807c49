"""The resident's forms: reporting a problem (what, where, the description, photos, and for someone not signed in
how to hear back), choosing among the open reports near it ("Is it one of these?"), "me too" on a report's page,
and the filters of the public list and map.

The report form checks what the service will (the place inside the city, the description's length, each photo),
so the resident sees every problem at once and the duplicates step is only offered for a report that can be
filed; ``report_submit`` checks it all again."""

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import ValidationFailed
from core.maps import PointFields
from documents.uploads import size_limit

from . import selectors, services
from .addresses import address_matching
from .models import DESCRIPTION_MAX, District, Report

MAX_PHOTOS = 3
PHOTO_ACCEPT = "image/jpeg,image/png,.jpg,.jpeg,.png"


def _messages(exc):
    return [message for messages in exc.fields.values() for message in messages] or [str(exc.message)]


class CategoryField(forms.ChoiceField):
    """The active categories as radios, each top-level one followed by its sub-categories
    (``selectors.categories_listed``); cleans to the Category."""

    widget = forms.RadioSelect

    categories = ()

    def load(self):
        """Read the categories (on the form's field, each time a form is made: never when the module loads)."""
        self.categories = selectors.categories_listed()
        self.choices = [(str(category.pk), category.name) for category in self.categories]

    def clean(self, value):
        value = super().clean(value)
        return next((c for c in self.categories if str(c.pk) == value), None) if value else None


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True
    template_name = "django/forms/widgets/file.html"


class PhotosField(forms.FileField):
    """Up to three photos in one file input (a phone's picker chooses several at once)."""

    widget = MultiplePhotoInput

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": PHOTO_ACCEPT, "multiple": True}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(PhotosField, self).clean(file, initial) for file in files if file]


class ReportForm(PointFields, forms.Form):
    """A problem, as a resident reports it on the web. ``user``: who is filing it; someone not signed in may
    leave an e-mail address or phone number to hear back. ``kept``: the photos kept from an earlier try
    (a signed-in resident's upload sessions), offered as checkboxes, ticked."""

    category = CategoryField(label=_("What is the problem?"),
                             error_messages={"required": _("Choose what kind of problem it is."),
                                             "invalid_choice": _("Choose what kind of problem it is.")})
    address = forms.CharField(label=_("Address or landmark"), max_length=255, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
                              help_text=_("For example the street and house number, or what is next to it. It "
                                          "helps the crew find the place."))
    description = forms.CharField(label=_("Describe the problem"), widget=forms.Textarea(attrs={"rows": 5}),
                                  error_messages={"required": _("Describe the problem.")})
    photos = PhotosField(label=_("Photos"), required=False)
    keep_photos = forms.MultipleChoiceField(
        label=_("Photos you already attached"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick a photo to leave it out."),
        error_messages={"invalid_choice": _("A photo you attached before was not found. Please choose it again.")})
    email = forms.EmailField(label=_("Your e-mail address"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
                             help_text=_("To get the reference and the report’s news. Never shown in public."))
    phone = forms.CharField(label=_("Your phone number"), max_length=32, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel",
                                                          "class": "govuk-input--width-20"}),
                            help_text=_("If you would rather get the news by text message. Never shown in public."))

    # as the page asks: a photo before the place, whose location the map then offers
    field_order = ["category", "photos", "keep_photos", "latitude", "longitude", "address", "description", "email",
                   "phone"]

    def __init__(self, *args, user=None, kept=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].load()
        self.user = user
        self.signed_in = bool(user and user.is_authenticated)
        if self.signed_in:
            del self.fields["email"], self.fields["phone"]
        self.kept_sessions = list(kept)
        self.fields["keep_photos"].choices = [(str(session.pk), session.name) for session in self.kept_sessions]
        self.fields["description"].help_text = _(
            "What is wrong, and since when. Up to %(limit)s characters. It is shown in public: do not write your "
            "name or phone number here.") % {"limit": number_format(DESCRIPTION_MAX, force_grouping=True)}
        self.fields["photos"].help_text = _(
            "Up to %(count)d photos, JPEG or PNG, each up to %(size)s. The map can use the place a photo was "
            "taken; all else the photo says about your phone is removed before it is kept.") % {
            "count": MAX_PHOTOS, "size": size_limit()}
        self.checked_photos = []

    def offer_kept(self, sessions):
        """After a post that was not filed: offer ``sessions`` (the photos kept of it and before it) as ticked
        checkboxes, so the next post need not carry them again."""
        self.kept_sessions = list(sessions)
        self.fields["keep_photos"].choices = [(str(session.pk), session.name) for session in self.kept_sessions]
        self.data = self.data.copy()
        self.data.setlist("keep_photos", [str(session.pk) for session in self.kept_sessions])
        self.files = self.files.copy()
        self.files.setlist("photos", [])

    def carried(self):
        """``(name, value)`` of every answer, for the hidden fields of the next step (files apart)."""
        skip = {"csrfmiddlewaretoken", "idempotency_key", "step", "photos", "lost_photos"}
        return [(name, value) for name in self.data if name not in skip and not name.startswith("duplicate-")
                for value in self.data.getlist(name)]

    def clean_description(self):
        try:
            return services.clean_description(self.cleaned_data.get("description"))
        except ValidationFailed as exc:
            raise forms.ValidationError(_messages(exc)) from None

    def clean_photos(self):
        from .photos import checked_photo

        files = self.cleaned_data.get("photos") or []
        kept = len(self.data.getlist("keep_photos")) if self.is_bound else 0
        if len(files) + kept > MAX_PHOTOS:
            raise forms.ValidationError(ngettext("Attach %(count)d photo at most.", "Attach %(count)d photos at most.",
                                                 MAX_PHOTOS) % {"count": MAX_PHOTOS})
        problems = []
        for file in files:
            try:
                self.checked_photos.append(checked_photo(file, field="photos"))
            except ValidationFailed as exc:
                problems.extend(_messages(exc))
        if problems:
            raise forms.ValidationError(problems)
        return files

    def clean(self):
        data = super().clean()
        if self.has_error("latitude") or self.has_error("longitude"):
            return data
        point = self.point
        if point is None and data.get("address"):
            listed = address_matching(data["address"])
            if listed is not None:  # a listed address typed without the map: its place
                point = data["latitude"], data["longitude"] = listed.latitude, listed.longitude
        if point is not None:
            try:
                services.locate(*point)
            except ValidationFailed as exc:
                self.add_error("latitude", _messages(exc))
        elif not data.get("address"):
            self.add_error("latitude", _("Say where the problem is: put the pin on the map, use your location, or "
                                         "type the address below."))
        return data

    def category_options(self):
        """``(radio, category)`` of each category, in the order listed (a top-level one, then its own)."""
        return list(zip(self["category"], self.fields["category"].categories, strict=True))

    @property
    def photo_names(self):
        """The names of the photos this post carried (to say which must be chosen again)."""
        return [file.name for file in self.files.getlist("photos")] if self.is_bound else []


class DuplicateChoiceForm(forms.Form):
    """"Is it one of these?": one of the open reports near the place, or none (file the new one). Someone not
    signed in who gave no e-mail or phone gives one to follow the report they choose."""

    NONE = "none"

    choice = forms.ChoiceField(label=_("Is your problem one of these?"), widget=forms.RadioSelect,
                               error_messages={"required": _("Choose the report that is your problem, or file "
                                                             "yours."),
                                               "invalid_choice": _("Choose the report that is your problem, or "
                                                                   "file yours.")})
    email = forms.EmailField(label=_("Your e-mail address, to get its news"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
                             help_text=_("Needed only to follow one of these reports. Never shown in public."))

    def __init__(self, *args, duplicates=(), needs_contact=False, **kwargs):
        kwargs.setdefault("prefix", "duplicate")
        super().__init__(*args, **kwargs)
        self.duplicates = list(duplicates)
        self.fields["choice"].choices = [
            *[(report.reference, report.reference) for report in self.duplicates],
            (self.NONE, _("No, none of these: file my report"))]
        if not needs_contact:
            del self.fields["email"]

    def options(self):
        """``(radio, report)`` of each report offered, then ``(radio, None)`` of "none of these"."""
        return list(zip(self["choice"], [*self.duplicates, None], strict=True))

    @property
    def chosen(self):
        value = self.cleaned_data.get("choice")
        return next((r for r in self.duplicates if r.reference == value), None)


class JoinForm(forms.Form):
    """"Me too" on a report's page; someone not signed in gives an e-mail address to get its news."""

    email = forms.EmailField(label=_("Your e-mail address"),
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
                             help_text=_("We send you the report’s news. It is never shown in public."),
                             error_messages={"required": _("Enter your e-mail address to get the report’s news.")})

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("prefix", "join")
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            del self.fields["email"]


def status_choices():
    S = Report.Status
    public = [(value, label) for value, label in S.choices if value not in (S.RECEIVED, S.MODERATION)]
    return [("", _("Any status")), ("open", _("Open (not fixed yet)")), ("resolved", _("Resolved or closed")),
            (_("Each status"), public)]


def category_filter_choices():
    choices = [("", _("Any kind of problem"))]
    for category in selectors.categories_listed():
        name = f"{category.parent.name}: {category.name}" if category.parent_id else category.name
        choices.append((category.code, name))
    return choices


class PublicFilterForm(forms.Form):
    """The public list's and map's filters, sent as a GET query; every one may be left empty."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Kind of problem"), required=False)
    district = forms.TypedChoiceField(label=_("District"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(label=_("Reported from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    until = forms.DateField(label=_("Reported until"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = status_choices()
        self.fields["category"].choices = category_filter_choices()
        self.fields["district"].choices = [("", _("Anywhere in the city")),
                                           *[(d.pk, str(d)) for d in District.objects.select_related("department")]]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date must be the same as or after the start date."))
        return data

    def filters(self):
        """The filters as ``selectors.public_reports`` takes them (the valid ones only)."""
        data = self.cleaned_data if self.is_bound else {}
        return {name: data.get(name) or None for name in ("status", "category", "district", "since", "until")
                if name not in self.errors}

    @property
    def active(self):
        return any(self.filters().values()) if self.is_bound else False
