"""Residents following an area: subscribe (confirmed by e-mail), stop, and hear of new and resolved reports there."""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition
from core.mail import mail_to, render_text, site_link

from . import geo
from .models import AreaSubscription

TEMPLATES = "reports/email"


def _mail(subscription, template, **context):
    with translation.override(subscription.language or None):
        context = {"subscription": subscription, "stop_link": site_link("reports:follow_stop", subscription.token),
                   **context}
        subject = " ".join(render_text(f"{TEMPLATES}/{template}_subject.txt", context).split())
        body = render_text(f"{TEMPLATES}/{template}.txt", context)
    mail_to(subscription.email, subject, body, recipient=subscription.user, language=subscription.language)


def area_follow(*, email, latitude, longitude, radius_m, user=None, language=""):
    """Ask to follow an area: the subscription waits for its address to confirm it (an e-mail with the link)."""
    from .services import locate

    latitude, longitude, _district = locate(latitude, longitude)
    with transaction.atomic():
        subscription = AreaSubscription.objects.create(
            email=email.strip().lower(), user=user if getattr(user, "is_authenticated", False) else None,
            latitude=latitude, longitude=longitude, radius_m=radius_m, language=language)
        audit.record(actor=subscription.user, action="reports.area.follow", obj=subscription,
                     after={"radius_m": radius_m, "confirmed": False})
        _mail(subscription, "area_confirm", confirm_link=site_link("reports:follow_confirm", subscription.token))
    return subscription


def area_confirm(*, token):
    with transaction.atomic():
        subscription = AreaSubscription.objects.select_for_update().filter(token=token).first()
        if subscription is None:
            raise InvalidTransition(_("This link is not valid any more: the area is no longer followed."),
                                    code="area_unknown")
        if subscription.confirmed_at is None:
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["confirmed_at"])
            audit.record(actor=subscription.user, action="reports.area.confirm", obj=subscription,
                         after={"confirmed": True})
    return subscription


def area_stop(*, token):
    with transaction.atomic():
        subscription = AreaSubscription.objects.select_for_update().filter(token=token).first()
        if subscription is None:
            return None
        audit.record(actor=subscription.user, action="reports.area.stop", obj=subscription,
                     after={"radius_m": subscription.radius_m})
        subscription.delete()
    return True


def followers_of_place(latitude, longitude):
    """Confirmed subscriptions whose circle holds the point: an indexed box of the largest radius, then each
    one's own distance."""
    min_lat, max_lat, min_lng, max_lng = geo.box_around(latitude, longitude, AreaSubscription.MAX_RADIUS_M)
    near = AreaSubscription.objects.filter(confirmed_at__isnull=False, latitude__range=(min_lat, max_lat),
                                           longitude__range=(min_lng, max_lng))
    return [s for s in near if geo.distance_m(latitude, longitude, s.latitude, s.longitude) <= s.radius_m]


def tell_area(report, event):
    """Those following the report's place hear that it was reported (``new``) or resolved (``resolved``). Only a
    public report with a point; its reporter's identity is never in the message. Inside the change's transaction."""
    if not report.is_public or not report.has_point:
        return 0
    subscriptions = followers_of_place(report.latitude, report.longitude)
    for subscription in subscriptions:
        _mail(subscription, f"area_{event}", report=report, link=site_link("reports:report", report.reference))
    return len(subscriptions)


def report_went_public(report):
    tell_area(report, "new")


def report_resolved(report):
    tell_area(report, "resolved")
