from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django_ratelimit.decorators import ratelimit

from core.errors import ValidationFailed
from core.forms import add_domain_errors

from .forms import SignupForm
from .services import user_signup, user_verify_email


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
