"""The report's pages: its public page (anyone), its reporter's answer page (by their link), and the staff's page
with what a supplier and a dispatcher do to it."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError, PermissionDenied
from core.forms import add_domain_errors
from core.idempotency import idempotent_post
from documents.selectors import documents_of_case, version_of_case
from documents.services import version_open
from workflows.case_views import streamed_response
from workflows.cases import case_timeline, open_steps

from . import selectors, services
from .forms import MergeForm, ProgressForm, RerouteForm, SatisfactionForm
from .intake_forms import JoinForm
from .models import Report
from .public_views import posts_limited


def _photos(report):
    """The report's photos, latest version of each, for showing: ``[(title, version)]``."""
    found = []
    for document in documents_of_case(report).prefetch_related("versions"):
        versions = sorted(document.versions.all(), key=lambda v: v.number)
        if versions:
            found.append((document.title, versions[-1]))
    return found


def _public_page(request, report, *, join_form=None, status=200):
    return render(request, "reports/report.html", {
        "report": report, "photos": _photos(report), "followers": selectors.followers_count(report),
        # the public timeline, whoever reads it: what happened, never who at the supplier did it
        "timeline": case_timeline(report, viewer=AnonymousUser()),
        "join_form": join_form or (JoinForm(user=request.user) if report.is_open else None),
        "map_url": f"{reverse('reports:map_data')}?{urlencode({'report': report.reference})}"
        if report.has_point else None,
    }, status=status)


@require_GET
def report_page(request, reference):
    report = selectors.public_report(reference)
    if report is None:
        raise Http404
    return _public_page(request, report)


@posts_limited("30/m")
@require_POST
@idempotent_post
def join(request, reference):
    """"Me too" on an open report's page: the visitor follows it (signed in, by their account; else by the e-mail
    address they give) instead of reporting the same problem again."""
    report = selectors.public_report(reference)
    if report is None:
        raise Http404
    form = JoinForm(request.POST, user=request.user)
    if form.is_valid():
        user = request.user if request.user.is_authenticated else None
        try:
            services.report_join(report=report, user=user, email=form.cleaned_data.get("email", ""),
                                 language=request.LANGUAGE_CODE)
        except DomainError as exc:
            status = add_domain_errors(form, exc)
        else:
            messages.success(request, _("You will get the news of %(reference)s. Thank you for telling us.") % {
                "reference": report.reference})
            return redirect("reports:report", reference=report.reference)
    else:
        status = 400
    return _public_page(request, report, join_form=form, status=status)


@require_GET
def report_photo(request, reference, version_pk):
    report = selectors.public_report(reference)
    version = version_of_case(report, version_pk) if report is not None else None
    if version is None:
        raise Http404
    return streamed_response(version_open(actor=request.user, version=version), content_type=version.mime_type,
                             size=version.size)


def _reporters_report(reference, key):
    report = Report.objects.filter(reference=reference).select_related("category", "supplier").first()
    if report is None or not secrets.compare_digest(report.access_key, key):
        raise Http404
    return report


@posts_limited("30/m")
@require_http_methods(["GET", "POST"])
@idempotent_post
def answer(request, reference, key):
    """The reporter's own page of their report (the link in their e-mails): its state and, once it is resolved,
    whether it is fixed and how satisfied they are."""
    report = _reporters_report(reference, key)
    waiting = report.process_id is not None and "confirm" in open_steps(report.process_id)
    form = SatisfactionForm(request.POST if request.method == "POST" and waiting else None)
    if form.is_bound and form.is_valid():
        actor = request.user if request.user.is_authenticated and request.user.pk == report.reporter_id else None
        try:
            services.report_answer(report=report, actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            if form.cleaned_data["fixed"]:
                messages.success(request, _("Thank you. The report is closed."))
            else:
                messages.success(request, _("Thank you. The report has gone back to the supplier."))
            return redirect("reports:answer", reference=reference, key=key)
    return render(request, "reports/answer.html", {
        "report": report, "form": form if waiting else None, "timeline": case_timeline(report, viewer=AnonymousUser()),
        "photos": _photos(report), "key": key,
    }, status=400 if form.is_bound else 200)


@require_GET
def answer_photo(request, reference, key, version_pk):
    """A photo of the reporter's own report, on their page: before moderation the report is not public, and the
    reporter's link (its key) is what lets them see it, as it lets them answer; the store's own rule knows only
    accounts, so the bytes are read here, checked against their hash as always."""
    from documents.blobs import blob_stream

    report = _reporters_report(reference, key)
    version = version_of_case(report, version_pk)
    if version is None or version.document.disposed_at:
        raise Http404
    return streamed_response(blob_stream(version.blob_key, sha256=version.sha256, size=version.size),
                             content_type=version.mime_type, size=version.size)


def _staff_report_or_404(request, reference):
    if not selectors.handles_reports(request.user):
        raise PermissionDenied(_("This page is for the staff who handle problem reports."))
    report = selectors.report_for_staff(request.user, reference)
    if report is None:
        raise Http404
    return report


def _staff_page(request, report, *, status=200, **forms):
    can_dispatch = services.dispatches(request.user, report)
    works = services.works_on(request.user, report)
    steps = open_steps(report.process_id) if report.process_id else set()
    context = {
        "report": report, "photos": _photos(report), "followers": report.followers.count(),
        "timeline": case_timeline(report, viewer=request.user),
        "reroute_form": forms.get("reroute_form") or (RerouteForm() if can_dispatch and {"accept", "work"} & steps
                                                      else None),
        "merge_form": forms.get("merge_form") or (MergeForm() if (can_dispatch or works) and report.is_open else None),
        "progress_form": forms.get("progress_form") or (ProgressForm() if works and "work" in steps else None),
        "duplicates": selectors.duplicate_candidates(category=report.category, latitude=report.latitude,
                                                     longitude=report.longitude, exclude=report)
        if report.category_id and report.has_point and report.is_open else [],
    }
    return render(request, "reports/staff/report.html", context, status=status)


@login_required
@require_GET
def staff_report(request, reference):
    return _staff_page(request, _staff_report_or_404(request, reference))


def _staff_action(form_class, form_name, act, done_message):
    @login_required
    @require_POST
    @idempotent_post
    def view(request, reference):
        report = _staff_report_or_404(request, reference)
        form = form_class(request.POST)
        if form.is_valid():
            try:
                act(request, report, form.cleaned_data)
            except DomainError as exc:
                if exc.status == 403:
                    raise
                add_domain_errors(form, exc)
            else:
                messages.success(request, done_message())
                return redirect("reports:staff_report", reference=report.reference)
        return _staff_page(request, report, status=400, **{form_name: form})

    return view


def _merge(request, report, data):
    master = selectors.report_for_staff(request.user, data["master"].strip().upper())
    if master is None:
        raise DomainError(_("No report %(reference)s that you can see.") % {"reference": data["master"]},
                          code="merge_unknown", fields={"master": [_("There is no such report.")]})
    services.report_merge(duplicate=report, master=master, actor=request.user)


reroute = _staff_action(RerouteForm, "reroute_form",
                        lambda request, report, data: services.report_reroute(report=report, actor=request.user,
                                                                              **data),
                        lambda: _("The report has been re-routed."))
merge = _staff_action(MergeForm, "merge_form", _merge, lambda: _("The report has been merged as a duplicate."))
post_update = _staff_action(ProgressForm, "progress_form",
                            lambda request, report, data: services.report_post_update(report=report,
                                                                                      actor=request.user, **data),
                            lambda: _("Your update has been posted."))
