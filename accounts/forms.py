import logging

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.mail import EmailMessage
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
