from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from core.errors import ValidationFailed
from core.forms import add_domain_errors
from core.idempotency import idempotent_post

from . import selectors, sharing
from .forms import ProfileForm, ShareForm, SignupForm, UnshareForm
from .services import access_grant, access_revoke, user_profile_update, user_signup, user_verify_email


@ratelimit(key="ip", rate="10/h", method="POST", block=True)
def signup(request):
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user_signup(
                email=data["email"], full_name=data["full_name"], password=data["password1"],
                phone=data["phone"], preferred_language=data["preferred_language"],
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            return redirect("accounts:signup_done")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


def signup_done(request):
    return render(request, "accounts/signup_done.html")


def verify(request, uidb64, token):
    user = user_verify_email(uidb64=uidb64, token=token)
    return render(request, "accounts/verify.html", {"verified": user is not None}, status=200 if user else 400)


@method_decorator(ratelimit(key="ip", rate="30/m", method="POST", block=True), name="post")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


# --- "Your account": the person's own profile ---------------------------------------------------

@login_required
def profile(request):
    """The signed-in person's own details and how we write to them. There is no one else's profile to
    open: the page is always the asker's."""
    user = request.user
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                changed = user_profile_update(actor=user, user=user, **form.profile())
            except ValidationFailed as exc:
                status = add_domain_errors(form, exc)
            else:
                if "preferred_language" in changed and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                    # these pages follow the preferred language where none was picked with the links
                    # (accounts.middleware): from this answer on, the message included
                    translation.activate(user.preferred_language)
                if changed:
                    messages.success(request, _("Your changes have been saved."))
                else:
                    messages.info(request, _("You did not change anything."))
                return redirect("accounts:profile")
        else:
            status = 400
    else:
        form = ProfileForm(user=user)
    return render(request, "accounts/profile.html", {
        "form": form,
        "page_language": translation.get_language(),
        "letters_language": user.preferred_language,
    }, status=status)


# --- sharing one case or record with a named person ---------------------------------------------

def _to_share_or_404(request, label, pk):
    """The object, if the user may see it (404 otherwise, as everywhere) and share it (403)."""
    entry = sharing.shareable(label)
    obj = entry.find(request.user, pk) if entry else None
    if obj is None:
        raise Http404
    if not sharing.may_share(request.user, obj):
        raise PermissionDenied
    return entry, obj


def _sharing_page(request, obj, *, share_form=None, unshare_form=None):
    """The sharing panel on a page of its own, for a post that needs correcting."""
    return render(request, "accounts/sharing.html", {
        "obj": obj, "label": sharing.label_of(obj), "shares": selectors.shares_of(obj),
        "share_form": share_form or ShareForm(), "unshare_form": unshare_form,
        "back": sharing.of(obj).url_of(obj),
    }, status=400)


@login_required
@require_POST
@idempotent_post
def share(request, label, pk):
    entry, obj = _to_share_or_404(request, label, pk)
    form = ShareForm(request.POST)
    if form.is_valid():
        try:
            access_grant(actor=request.user, user=form.person, obj=obj, reason=form.cleaned_data["reason"])
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("%(name)s can now see %(object)s.") % {"name": form.person, "object": obj})
            return redirect(entry.url_of(obj))
    return _sharing_page(request, obj, share_form=form)


@login_required
@require_POST
@idempotent_post
def unshare(request, label, pk):
    entry, obj = _to_share_or_404(request, label, pk)
    form = UnshareForm(request.POST)
    if form.is_valid():
        try:
            access_revoke(actor=request.user, user=form.person, obj=obj, reason=form.cleaned_data["reason"])
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("%(name)s no longer sees %(object)s.") % {"name": form.person, "object": obj})
            return redirect(entry.url_of(obj))
    return _sharing_page(request, obj, unshare_form=form)
