"""The resident's pages of problem reports: reporting one (with the open reports near it offered first), the page
that says it arrived, the public list and map with their filters, the map's GeoJSON, and the address search.

Nothing here shows who reported a report: the list, the map and their data carry what, where, when and how far
it got (tests/test_web.py looks for the reporters' names, e-mails and phones in every answer)."""

from functools import wraps

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from core.errors import DomainError, ValidationFailed
from core.forms import add_domain_errors
from core.idempotency import idempotent_post
from core.views import rate_limited

from . import geo, geojson, selectors, services
from .addresses import address_search
from .intake_forms import DuplicateChoiceForm, PublicFilterForm, ReportForm
from .models import Report

#: the session's note of what the visitor just filed or joined, for the page that says so
DONE = "reports_done"
PER_PAGE = 20
#: a report's field the service names -> the form's field that shows its problem
SERVICE_FIELDS = {"location": "latitude", "contact_email": "email", "contact_phone": "phone"}


def posts_limited(rate):
    """At most ``rate`` posts per client address (django-ratelimit); over it, the 429 page. (``block=True`` would
    raise, which without django-ratelimit's middleware shows as a 403.)"""
    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if getattr(request, "limited", False):
                return rate_limited(request, None)
            return view(request, *args, **kwargs)
        return ratelimit(key="ip", rate=rate, method="POST", block=False)(limited)
    return decorator


def _signed_in(request):
    return request.user if request.user.is_authenticated else None


def _kept_sessions(request, ids):
    """The signed-in visitor's own kept photos among ``ids`` (anyone else's, or a stale id, is left out)."""
    from documents.resumable import upload_session_of

    user = _signed_in(request)
    if user is None:
        return []
    sessions = (upload_session_of(user=user, pk=pk) for pk in dict.fromkeys(ids))
    return [session for session in sessions if session is not None and session.is_complete]


def _keeping_chosen_photos(view):
    """A report form sent back (with its errors, or to ask "is it one of these?") keeps a signed-in resident's new
    photos that passed the checks, as upload sessions the next post names instead of carrying them again. Done
    after the view, whose attempt was rolled back (core.idempotency), so what is kept does not depend on it."""
    @wraps(view)
    def view_keeping_photos(request, *args, **kwargs):
        from documents.resumable import upload_session_keep

        response = view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        user = _signed_in(request)
        if request.method == "POST" and isinstance(form, ReportForm) and user is not None and form.checked_photos:
            ticked = [str(pk) for pk in form.data.getlist("keep_photos")]
            kept = [s for s in form.kept_sessions if str(s.pk) in ticked]
            try:
                kept += [upload_session_keep(actor=user, upload=photo.file) for photo in form.checked_photos]
            except DomainError as exc:  # too many kept files: the photos are to be chosen again
                form.add_error("photos", str(exc.message))
            form.offer_kept(kept)
        return response
    return view_keeping_photos


def _form_page(request, form, *, status=200):
    return TemplateResponse(request, "reports/new.html", {
        "form": form, "addresses_url": reverse("reports:addresses"), "city_outline": geo.city_outline(),
        "photos_lost": form.photo_names if form.is_bound and not form.signed_in else [],
    }, status=status)


def _duplicates_page(request, form, choice_form, *, status=200):
    lost = [] if form.signed_in else [name for name in form.photo_names or request.POST.getlist("lost_photos")
                                      if name][:10]
    return TemplateResponse(request, "reports/new_duplicates.html", {
        "form": form, "choice_form": choice_form, "duplicates": choice_form.duplicates, "photos_lost": lost,
    }, status=status)


@posts_limited("20/m")
@require_http_methods(["GET", "POST"])
@_keeping_chosen_photos
@idempotent_post
def new_report(request):
    """Report a problem: the form; then, when open reports of the same kind are near the place, "Is it one of
    these?" (follow one of them, or file this one); then the page that says what happens next."""
    user = _signed_in(request)
    if request.method == "GET":
        return _form_page(request, ReportForm(user=user))
    form = ReportForm(request.POST, request.FILES, user=user,
                      kept=_kept_sessions(request, request.POST.getlist("keep_photos")))
    if not form.is_valid():
        return _form_page(request, form, status=400)
    data = form.cleaned_data
    point = form.point
    duplicates = selectors.duplicate_candidates(category=data["category"], latitude=point[0],
                                                longitude=point[1]) if point else []
    asked = request.POST.get("step") == "duplicates"
    if duplicates or asked:
        contact = bool(user or data.get("email") or data.get("phone"))
        choice_form = DuplicateChoiceForm(request.POST if asked else None, duplicates=duplicates,
                                          needs_contact=not contact)
        if not asked:
            return _duplicates_page(request, form, choice_form)
        if not choice_form.is_valid():
            return _duplicates_page(request, form, choice_form, status=400)
        if choice_form.chosen is not None:
            return _join_duplicate(request, form, choice_form)
    return _file(request, form)


def _join_duplicate(request, form, choice_form):
    report = choice_form.chosen
    email = choice_form.cleaned_data.get("email") or form.cleaned_data.get("email") or ""
    try:
        services.report_join(report=report, user=_signed_in(request), email=email,
                             phone=form.cleaned_data.get("phone") or "", language=request.LANGUAGE_CODE)
    except DomainError as exc:  # no e-mail to follow it by, or it was closed meanwhile
        status = add_domain_errors(choice_form, exc)
        return _duplicates_page(request, form, choice_form, status=status)
    request.session[DONE] = {"reference": report.reference, "joined": True}
    return redirect("reports:filed")


def _file(request, form):
    from .photos import kept_photo

    user, data = _signed_in(request), form.cleaned_data
    try:
        photos = [kept_photo(actor=user, session_id=pk, field="keep_photos") for pk in data.get("keep_photos", [])]
        point = form.point or (None, None)
        report = services.report_submit(
            channel=Report.Channel.WEB, description=data["description"], category=data["category"],
            latitude=point[0], longitude=point[1], address=data.get("address", ""), reporter=user,
            contact_email=data.get("email", ""), contact_phone=data.get("phone", ""),
            language=request.LANGUAGE_CODE, photos=[*photos, *form.checked_photos], actor=user)
    except ValidationFailed as exc:
        for field, messages in exc.fields.items():
            for message in messages:
                form.add_error(SERVICE_FIELDS.get(field, field) if SERVICE_FIELDS.get(field, field) in form.fields
                               else None, message)
        if not exc.fields:
            form.add_error(None, exc.message)
        return _form_page(request, form, status=exc.status)
    request.session[DONE] = {"reference": report.reference, "joined": False}
    return redirect("reports:filed")


@require_GET
def report_filed(request):
    """What the visitor just reported (or joined): its reference and what happens next. Only the browser that
    filed it sees this page; anyone else is sent to the form."""
    done = request.session.get(DONE) or {}
    report = (Report.objects.filter(reference=done.get("reference")).select_related("category", "supplier",
                                                                                   "district__department").first()
              if done.get("reference") else None)
    if report is None:
        return redirect("reports:new")
    return render(request, "reports/filed.html", {
        "report": report, "joined": done.get("joined", False),
        "answer_url": reverse("reports:answer", args=[report.reference, report.access_key])
        if not done.get("joined") else None,
        "follower": report.followers.filter(reason="reporter").first() if not done.get("joined") else None,
    })


def _filters(request):
    form = PublicFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    return form, (form.filters() if form.is_bound else {})


FILTERS = ("status", "category", "district", "since", "until")


@require_GET
def report_list(request):
    """The problems reported in the city, newest first: the filters, the map and the list of the same reports."""
    form, filters = _filters(request)
    reports = selectors.public_reports(**filters)
    page = Paginator(reports, PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({name: value for name, value in request.GET.items() if name != "page" and value})
    return render(request, "reports/list.html", {
        "form": form, "page_obj": page, "filtered": bool(query), "counts": selectors.public_counts(),
        "map_url": reverse("reports:map_data") + (f"?{query}" if query else ""),
        "map_limit": geojson.MAP_POINTS,
    }, status=400 if form.errors else 200)


@require_GET
def map_data(request):
    """The public map's points (GeoJSON): the newest reports the list's filters find, or one report
    (``?report=<reference>``), each with its title, page, status and status colour."""
    reference = request.GET.get("report", "")
    if reference:
        reports = selectors.public_reports().filter(reference=reference)
    elif any(request.GET.get(name) for name in FILTERS):
        reports = selectors.public_reports(**_filters(request)[1])
    else:
        reports = selectors.public_reports()
    return JsonResponse(geojson.feature_collection(reports, url_name="reports:report"),
                        content_type="application/geo+json")


@require_GET
def addresses(request):
    """The address search of the report form's map: ``?q=`` gives up to ten places of the municipality's address
    list, ``[{"label", "lat", "lng"}]``; fewer than two characters give none."""
    found = [{"label": a.label, "lat": a.latitude, "lng": a.longitude} for a in address_search(request.GET.get("q", ""))]
    response = JsonResponse(found, safe=False)
    patch_cache_control(response, public=True, max_age=300)
    return response
