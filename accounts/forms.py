import logging

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.mail import EmailMessage
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from core.mail import render_text
from core.validators import no_invisible_controls

logger = logging.getLogger(__name__)


class SignupForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, validators=[no_invisible_controls])
    email = forms.EmailField(label=_("E-mail address"))
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False, validators=[no_invisible_controls])
    preferred_language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


def phone_number(value):
    """A phone number as people write it: 7 to 15 digits (the international maximum), with spaces, brackets
    and hyphens where they like, and a + only in front."""
    digits = sum(char in "0123456789" for char in value)
    if set(value) - set("0123456789+-() ") or "+" in value[1:] or not 7 <= digits <= 15:
        raise forms.ValidationError(
            _("Enter a phone number of 7 to 15 digits, like +998 90 123 45 67. Use only digits, spaces, brackets, "
              "hyphens and a + at the start."), code="phone")


def languages_in_their_own_names():
    """The languages we write in, each named in itself ("Русский"), as a reader looks for their own."""
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


class ProfileForm(forms.Form):
    """A person's own details and how we write to them ("Your account"). The e-mail address they sign in with
    is shown on the page, not changed here."""

    ALL, REQUIRED = "all", "required"

    full_name = forms.CharField(label=_("Full name"), max_length=200, validators=[no_invisible_controls],
                                error_messages={"required": _("Enter your full name.")},
                                widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}))
    phone = forms.CharField(label=_("Phone number"), max_length=32, required=False,
                            validators=[no_invisible_controls, phone_number],
                            help_text=_("For example +998 90 123 45 67. We do not send text messages yet."),
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel",
                                                          "class": "govuk-input--width-20"}))
    preferred_language = forms.ChoiceField(
        label=_("Language of your e-mails and letters"), widget=forms.RadioSelect,
        choices=languages_in_their_own_names,
        help_text=_("The e-mails we send you and the letters we issue to you, such as a permit or a refusal, are "
                    "written in this language. The language links at the top of each page change only how these "
                    "pages read on this device."),
        error_messages={"required": _("Choose the language of your e-mails and letters.")})
    notifications = forms.ChoiceField(
        label=_("Which e-mails do you want?"), widget=forms.RadioSelect,
        choices=[(ALL, _("All of them, including news of how my applications are going (for example, that one has "
                         "gone to review) and reminders of tasks that are due soon")),
                 (REQUIRED, _("Only the e-mails I must receive"))],
        help_text=_("Whatever you choose, we always e-mail you what you must know: that we received your "
                    "application, a request to correct it, the decision, its closing or withdrawal, work handed to "
                    "you, and messages about your account."),
        error_messages={"required": _("Choose which e-mails you want.")})

    def __init__(self, *args, user=None, **kwargs):
        if user is not None and "initial" not in kwargs and not args:
            kwargs["initial"] = {
                "full_name": user.full_name, "phone": user.phone, "preferred_language": user.preferred_language,
                "notifications": self.ALL if user.optional_notifications else self.REQUIRED,
            }
        super().__init__(*args, **kwargs)

    def profile(self):
        """The cleaned values as the profile stores them (accounts.services.user_profile_update)."""
        data = self.cleaned_data
        return {"full_name": data["full_name"], "phone": data["phone"],
                "preferred_language": data["preferred_language"],
                "optional_notifications": data["notifications"] == self.ALL}


class ShareForm(forms.Form):
    """Share one case or record with a person, named by the e-mail address they sign in with."""

    email = forms.EmailField(label=_("Share with (e-mail address)"))
    reason = forms.CharField(label=_("Why they need it"), max_length=500)

    def clean_email(self):
        from .models import User

        email = self.cleaned_data["email"]
        self.person = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if self.person is None:
            raise forms.ValidationError(_("No active account signs in with this e-mail address."))
        return email


class UnshareForm(forms.Form):
    """Take back access given by name."""

    user = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why access ends"), max_length=500)

    def clean_user(self):
        from .models import User

        self.person = User.objects.filter(pk=self.cleaned_data["user"]).first()
        if self.person is None:
            raise forms.ValidationError(_("No such person."))
        return self.cleaned_data["user"]


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, with its plain-text e-mail rendered unescaped like every other e-mail (core.mail)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        subject = " ".join(render_text(subject_template_name, context).split())
        body = render_text(email_template_name, context)
        try:
            EmailMessage(subject, body, from_email, [to_email]).send()
        except Exception:
            # as Django does: a mail server that is down must not tell the visitor whether the account exists
            logger.exception("Failed to send the password reset e-mail to %s", context["user"].pk)
