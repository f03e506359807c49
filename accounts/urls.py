from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.utils.decorators import method_decorator
from django_ratelimit.decorators import ratelimit

from core.route_access import LOGIN, PAGE, Access, Methods, PostOnly, Public, SignedIn, SignInPage, answers

from . import forms, views

app_name = "accounts"

throttled_reset = method_decorator(ratelimit(key="ip", rate="10/h", method="POST", block=True), name="post")

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("signup/", views.signup, name="signup"),
    path("signup/done/", views.signup_done, name="signup_done"),
    path("verify/<uidb64>/<token>/", views.verify, name="verify"),
    path("shared/<str:label>/<int:pk>/", views.share, name="share"),
    path("shared/<str:label>/<int:pk>/revoke/", views.unshare, name="unshare"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        throttled_reset(auth_views.PasswordResetView).as_view(
            template_name="accounts/password_reset.html",
            form_class=forms.PasswordResetForm,
            email_template_name="accounts/email/password_reset.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]

_SEES_THE_CASE = {"anonymous": LOGIN, "clerk": 403, "supervisor": PAGE, "auditor": 403, "admin": PAGE}
Sharers = Access(answers(404, citizen=403, **_SEES_THE_CASE), answers(404, other_citizen=403, **_SEES_THE_CASE))

# Who may open each route (core.route_access; checked by tests/test_route_matrix.py).
access = {
    # "Your account": always the asker's own, so everyone signed in opens theirs
    "profile": Methods(GET=SignedIn, POST=SignedIn.succeeding_with(PAGE)),
    "signup": Public,
    "signup_done": Public,
    # the link is the credential: whoever opens it confirms the address it was sent to; a wrong one is 400
    "verify": Access(answers(200), answers(400)),
    "login": SignInPage,
    "logout": PostOnly(Access(answers(PAGE))),
    "password_reset": Public,
    "password_reset_done": Public,
    # the link from the e-mail leads on to the new-password form; a wrong or used one says so (200)
    "password_reset_confirm": Access(answers(PAGE), answers(200)),
    "password_reset_complete": Public,
    # sharing a case by name: whoever may not see it gets 404, whoever sees it but heads no department of it 403
    "share": PostOnly(Sharers),
    "unshare": PostOnly(Sharers),
}
