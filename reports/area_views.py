"""Following an area: the form, the confirmation link, the link that stops it."""

from django import forms
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from core.errors import DomainError
from core.forms import add_domain_errors
from core.idempotency import idempotent_post
from core.maps import PointFields

from . import areas, geo
from .models import AreaSubscription


class FollowAreaForm(PointFields, forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), help_text=_("We send a link to it first: nothing "
                                                                        "starts until you open it."))
    radius_m = forms.TypedChoiceField(label=_("How far around the place"), choices=AreaSubscription.RADII,
                                      coerce=int, initial=500, widget=forms.RadioSelect)

    def clean(self):
        data = super().clean()
        if not self.errors and self.point is None:
            self.add_error("latitude", _("Choose the place on the map, or type its latitude and longitude."))
        return data


@ratelimit(key="ip", rate="10/h", method="POST", block=True)
@require_http_methods(["GET", "POST"])
@idempotent_post
def follow(request):
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = FollowAreaForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            areas.area_follow(email=form.cleaned_data["email"], latitude=form.point[0], longitude=form.point[1],
                              radius_m=form.cleaned_data["radius_m"], user=request.user, language=get_language())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            return render(request, "reports/follow_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "reports/follow.html", {"form": form, "boundary_bounds": geo.city_bounds()},
                  status=400 if form.is_bound else 200)


@require_GET
def follow_confirm(request, token):
    try:
        subscription = areas.area_confirm(token=token)
    except DomainError:
        return render(request, "reports/follow_done.html", {"gone": True}, status=404)
    return render(request, "reports/follow_done.html", {"subscription": subscription})


@require_http_methods(["GET", "POST"])
@idempotent_post
def follow_stop(request, token):
    subscription = AreaSubscription.objects.filter(token=token).first()
    if request.method == "POST":
        areas.area_stop(token=token)
        return redirect("reports:follow_stopped")
    if subscription is None:
        return render(request, "reports/follow_done.html", {"gone": True}, status=404)
    return render(request, "reports/follow_stop.html", {"subscription": subscription})


@require_GET
def follow_stopped(request):
    return render(request, "reports/follow_done.html", {"stopped": True})
