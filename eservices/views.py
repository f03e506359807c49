"""Citizen portal: catalog, apply, my applications, corrections, decisions."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from accounts.permissions import can_read_audit
from core.audit import trail_key_for
from core.errors import InvalidTransition, ValidationFailed
from core.forms import add_domain_errors
from core.idempotency import idempotent_post
from core.templatetags.design_system import optional
from documents.resumable import upload_session_of
from documents.uploads import accepted_types_in_words, size_limit
from workflows.case_views import streamed_response
from workflows.selectors import case_clock_of

from . import selectors, services
from .forms import WithdrawForm, application_form_class, correction_form, files_from, form_data_from
from .models import Application


@require_GET
def catalog(request):
    return render(request, "eservices/catalog.html", {"versions": selectors.versions_in_force()})


@require_GET
def service_detail(request, code):
    """What a first-time applicant needs to know before they start: cost, time, documents and the files they
    may be, the questions (and which may be left out), and what happens after they apply."""
    version = selectors.version_for_new_case(code=code)
    form = application_form_class(version)()
    questions = [(field.label, optional(field)) for field in form.visible_fields()
                 if not field.name.startswith("doc_")]
    return render(request, "eservices/service_detail.html", {
        "version": version, "documents": version.required_documents.all(), "questions": questions,
        "file_types": accepted_types_in_words(), "size_limit": size_limit(),
        "decision_due": selectors.decision_due_if_submitted_now(version),
        "steps_after_applying": selectors.steps_after_applying(version),
    })


def _keeping_chosen_files(view):
    """A form ``view`` sends back with errors keeps the files chosen that pass the checks, and offers them
    again (``_keep_files``): after the view's attempt was rolled back, so what is kept does not depend on it.
    The view answers with a TemplateResponse whose context holds its ``form`` and ``version``."""
    @wraps(view)
    def view_keeping_files(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method == "POST" and response.status_code >= 400 and getattr(response, "context_data", None):
            _keep_files(request, response.context_data["form"], response.context_data["version"])
        return response
    return view_keeping_files


@login_required
@ratelimit(key="user", rate="30/m", method="POST", block=True)
@_keeping_chosen_files
@idempotent_post
def apply(request, code=None, pk=None):
    """New application (``code``) or a saved draft (``pk``): save or submit,
    with the form of the version in force (a draft moves on to it). A form
    sent back with errors keeps the files chosen that pass the checks."""
    draft = None
    if pk is not None:
        draft = selectors.applications_of(user=request.user).filter(pk=pk).first()
        if draft is None:
            raise Http404
        if draft.status != Application.Status.DRAFT:
            if request.method == "POST":  # a second click on "Submit", or a stale tab: say so, change nothing
                raise InvalidTransition(_("This application has already been submitted."), code="already_submitted")
            return redirect("eservices:application", pk=draft.pk)
        code = draft.service_type.code
    version = selectors.version_for_new_case(code=code)
    service_type = version.service_type
    posted = request.method == "POST"
    submitting = posted and request.POST.get("action") != "save"
    form_class = application_form_class(version, partial=posted and not submitting)
    initial = {**draft.data, "district": draft.district_id} if draft else {}
    form = form_class(request.POST if posted else None, request.FILES if posted else None, initial=initial)
    status = 200
    if posted:
        status = 400
        if form.is_valid():
            data = form_data_from(form.cleaned_data, version)
            files = files_from(request.FILES, version, form.cleaned_data)
            district = form.cleaned_data.get("district")
            try:
                if submitting and draft:
                    application = services.application_submit(actor=request.user, application=draft, data=data,
                                                              files=files, district=district)
                elif submitting:
                    application = services.application_apply(actor=request.user, service_type=service_type,
                                                             data=data, files=files, district=district)
                else:
                    application = services.application_save_draft(
                        actor=request.user, service_type=service_type, data=data, files=files, application=draft,
                        district=district)
            except ValidationFailed as exc:
                status = add_domain_errors(form, exc)
            else:
                if submitting:
                    messages.success(request, _("Application %(ref)s submitted.") % {"ref": application.reference})
                else:
                    messages.success(request, _("Draft saved."))
                return redirect("eservices:application", pk=application.pk)
    return TemplateResponse(request, "eservices/apply.html", {
        "form": form, "version": version, "draft": draft,
    }, status=status)


def _keep_files(request, form, version):
    """Keep the files of a refused post that pass the checks, name them on the form ("already
    attached"), its hidden ``doc_<code>_upload`` fields carrying them to the next post, and show
    every file's refusal at once."""
    offered = {doc.code: form.data.get(f"doc_{doc.code}_upload", "") for doc in version.required_documents.all()}
    kept, refused = services.application_files_keep(actor=request.user, version=version, files=request.FILES,
                                                    replacing=offered)
    form.data = form.data.copy()
    for code, session in kept.items():
        form.data[f"doc_{code}_upload"] = str(session.pk)
    for field, errors in refused.items():
        for error in errors:
            if error not in form.errors.get(field, []):
                form.add_error(field, error)
    for doc in version.required_documents.all():
        session = upload_session_of(user=request.user, pk=form.data.get(f"doc_{doc.code}_upload", ""))
        if session is not None and session.is_complete:
            # on the bound field, which copied the field's help text when the form was validated
            form[f"doc_{doc.code}"].help_text = _(
                "Already attached: “%(name)s” (%(size)s). Choose another file only to change it.") % {
                "name": session.name, "size": filesizeformat(session.size)}


@login_required
@require_http_methods(["GET", "POST"])
@idempotent_post
def delete_draft(request, pk):
    """"Are you sure?" on GET; the draft and its documents go on POST."""
    draft = selectors.applications_of(user=request.user).filter(pk=pk).first()
    if draft is None:
        raise Http404
    if draft.status != Application.Status.DRAFT:
        raise InvalidTransition(_("A submitted application cannot be deleted. You can withdraw it until it is "
                                  "decided."), code="not_a_draft")
    if request.method == "POST":
        services.application_delete_draft(actor=request.user, application=draft)
        messages.success(request, _("The draft %(draft)s was deleted.") % {"draft": draft})
        return redirect("eservices:my_applications")
    return render(request, "eservices/delete_draft.html", {"application": draft})


@login_required
@require_GET
def my_applications(request):
    page = Paginator(selectors.applications_of(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "eservices/my_applications.html", {"page_obj": page})


def _visible_or_404(request, pk):
    application = selectors.application_visible_to(user=request.user, pk=pk)
    if application is None:
        raise Http404
    return application


@login_required
@require_GET
def application_detail(request, pk):
    """The case page: where the case stands and what happens next, the correction conversation, the answers
    and documents, and its timeline (what happened to it for its applicant, the whole trail for its staff)."""
    application = _visible_or_404(request, pk)
    is_applicant = application.applicant_id == request.user.pk
    rounds = selectors.correction_conversation(application=application)
    open_round = rounds[-1] if rounds and rounds[-1].state == rounds[-1].OPEN else None
    return render(request, "eservices/application_detail.html", {
        "application": application,
        "is_applicant": is_applicant,
        "timeline": selectors.timeline_for(application=application, viewer=request.user),
        "whole_trail": selectors.reads_whole_trail(application=application, viewer=request.user),
        "audit_trail_key": trail_key_for(application) if can_read_audit(request.user) else None,
        "corrections": rounds,
        "open_correction": open_round if is_applicant else None,
        "case_clock": case_clock_of(application.process) if application.process_id else None,
        "decision_letter": selectors.decision_letter_of(application) if application.is_decided else None,
        "can_withdraw": is_applicant and selectors.can_be_withdrawn(application),
        "next_steps": selectors.next_steps_for(application) if is_applicant else [],
    })


@login_required
@ratelimit(key="user", rate="30/m", method="POST", block=True)
@_keeping_chosen_files
@idempotent_post
def correction(request, pk):
    """The applicant answers the open correction request: the request, the files already attached, and the
    application's form with every answer pre-filled. As on the application form, an answer sent back with
    errors keeps the new files that pass the checks."""
    application = selectors.applications_of(user=request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    task = selectors.open_correction_task(application=application)
    if task is None:
        messages.info(request, _("No correction is requested for this application."))
        return redirect("eservices:application", pk=application.pk)
    version = application.service_version
    documents = selectors.documents_of_application(application)
    attached = {document.code: document for document in documents if document.code and document.versions_newest_first}
    posted = request.method == "POST"
    form = correction_form(application, attached=attached, data=request.POST if posted else None,
                           files=request.FILES if posted else None)
    status = 200
    if posted:
        status = 400
        if form.is_valid():
            try:
                services.application_resubmit(
                    actor=request.user, task=task, data=form_data_from(form.cleaned_data, version),
                    files=files_from(request.FILES, version, form.cleaned_data),
                    comment=form.cleaned_data.get("comment", ""), district=form.cleaned_data.get("district"),
                )
            except ValidationFailed as exc:
                status = add_domain_errors(form, exc)
            else:
                messages.success(request, _("Your corrected application has been sent."))
                return redirect("eservices:application", pk=application.pk)
    rounds = selectors.correction_conversation(application=application)
    return TemplateResponse(request, "eservices/correction.html", {
        "form": form, "application": application, "version": version, "correction": rounds[-1] if rounds else None,
        "attachments": [(doc, attached.get(doc.code)) for doc in version.required_documents.all()],
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@idempotent_post
def withdraw(request, pk):
    """The applicant withdraws a submitted application that is not decided yet: a confirmation with
    an optional reason on GET, the case closes on POST."""
    application = selectors.applications_of(user=request.user).filter(pk=pk).select_related("process").first()
    if application is None:
        raise Http404
    if application.status == Application.Status.DRAFT:
        return redirect("eservices:delete_draft", pk=application.pk)
    if not selectors.can_be_withdrawn(application):
        raise InvalidTransition(_("This application has been decided or closed already, so it can no longer be "
                                  "withdrawn."), code="already_decided")
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        services.application_withdraw(actor=request.user, application=application,
                                      reason=form.cleaned_data["reason"])
        messages.success(request, _("You have withdrawn the application %(ref)s.") % {"ref": application.reference})
        return redirect("eservices:application", pk=application.pk)
    return render(request, "eservices/withdraw.html", {"form": form, "application": application},
                  status=400 if form.is_bound else 200)


@login_required
@require_GET
def decision_download(request, pk):
    application = _visible_or_404(request, pk)
    version, stream = services.application_download_decision(actor=request.user, application=application)
    return streamed_response(stream, content_type="application/pdf", size=version.size,
                             filename=f"{application.reference}.pdf")

