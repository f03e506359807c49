"""Staff inbox and task pages. Thin: parse, call a service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from viewflow.workflow.status import STATUS

from accounts import permissions
from core.errors import PermissionDenied as NotYourTask
from core.errors import ValidationFailed
from core.forms import add_domain_errors
from core.idempotency import idempotent_post

from . import delegations as delegation_services
from . import selectors, services
from .cases import case_page_url
from .flows import case_of
from .forms import BulkReassignForm, DelegationForm, InboxFilterForm, ReassignForm
from .models import Delegation
from .sla import Clock


def _staff_only(user):
    if not permissions.is_case_worker(user):
        raise PermissionDenied


def _task_or_404(user, pk):
    task = selectors.task_visible_to(user=user, pk=pk)
    if task is None:
        raise Http404
    return task


TABS = {
    "queue": selectors.queue_for,
    "mine": selectors.my_tasks_for,
    "team": selectors.team_tasks_for,
    "overdue": selectors.overdue_for,
}
SUPERVISOR_TABS = {"team"}


#: a pk no URL holds but the one being built (see _url_for_pk)
STAND_IN_PK = 987_654_321


def _url_for_pk(name):
    """``pk -> reverse(name, args=[pk])`` for a URL whose only argument is an ``<int:pk>``, at the
    cost of one ``reverse``: the URL of a stand-in pk, with each pk written in its place."""
    before, stand_in, after = reverse(name, args=[STAND_IN_PK]).rpartition(str(STAND_IN_PK))
    if not stand_in:
        raise ValueError(f"{name} does not take its pk as it is written.")
    return lambda pk: f"{before}{int(pk)}{after}"


def _local_day(moment):
    """``(ISO 8601 for <time>, the day shown)`` of a moment in the municipality's time zone."""
    if moment is None:
        return "", ""
    local = timezone.localtime(moment)
    return local.isoformat(), local.date().isoformat()


def _prepare_rows(tasks):
    """What an inbox row draws beyond the task and its case, worked out here once per page
    instead of by template tags in each row: its links (two ``reverse`` calls for the page), the
    label of its tick box and of its clock (one translation each for the page), and its due and
    submission dates in local time, as ISO 8601 for ``<time>`` and as the day shown."""
    task_url, claim_url = _url_for_pk("workflows:task"), _url_for_pk("workflows:claim")
    select = _("Select %(case)s")
    clock_labels = {state: str(label) for state, label in Clock.LABELS.items()} | {None: _("No deadline")}
    for task in tasks:
        task.url, task.claim_url = task_url(task.pk), claim_url(task.pk)
        task.select_label = select % {"case": task.case_label}
        task.clock_label = clock_labels.get(task.clock, "")
        task.due_iso, task.due_day = _local_day(task.due)
        task.submitted_iso, task.submitted_day = _local_day(task.submitted_at)


@login_required
def inbox(request):
    _staff_only(request.user)
    supervised = permissions.headed_organisation_ids(request.user)
    tab = request.GET.get("tab", "queue")
    if tab not in TABS or (tab in SUPERVISOR_TABS and not supervised):
        tab = "queue"
    filters = InboxFilterForm(request.GET)
    if not filters.is_valid():
        return render(request, "workflows/inbox.html", {
            "filters": filters, "tab": tab, "is_supervisor": bool(supervised), "page_obj": None,
        }, status=400)
    tasks = selectors.filter_tasks(TABS[tab](user=request.user), filters.criteria())
    page = selectors.paginate(tasks, request.GET.get("page", 1))
    _prepare_rows(page.object_list)
    bulk_form = None
    if supervised and tab != "mine":
        bulk_form = BulkReassignForm(supervised_department_ids=supervised)
    return render(request, "workflows/inbox.html", {
        "page_obj": page, "tab": tab, "filters": filters, "is_supervisor": bool(supervised),
        "bulk_form": bulk_form, "acting_for": selectors.acting_for(request.user) - {request.user.pk},
    })


@login_required
@require_POST
@idempotent_post
def inbox_reassign(request):
    """Bulk reassign from the inbox: a supervisor ticks tasks and names who takes them."""
    _staff_only(request.user)
    supervised = permissions.headed_organisation_ids(request.user)
    if not supervised:
        raise PermissionDenied
    form = BulkReassignForm(request.POST, supervised_department_ids=supervised)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    if form.is_valid():
        count = services.tasks_reassign(tasks=list(form.cleaned_data["tasks"]), actor=request.user,
                                        assignee=form.cleaned_data["assignee"])
        messages.success(request, ngettext("%(count)d task reassigned to %(name)s.",
                                           "%(count)d tasks reassigned to %(name)s.", count)
                         % {"count": count, "name": form.cleaned_data["assignee"].full_name})
        return redirect(back or reverse("workflows:inbox"))
    reasons = " ".join(str(error) for errors in form.errors.values() for error in errors)
    return render(request, "error.html", {
        "error": {"message": _("No task was reassigned: %(reasons)s") % {"reasons": reasons}},
        "back": back or reverse("workflows:inbox"),
    }, status=400)


#: a task's status on its page: words and the colour of its tag (a govuk-tag modifier)
TASK_STATUS_TAGS = {
    STATUS.NEW: (gettext_lazy("Unassigned"), "grey"),
    STATUS.ASSIGNED: (gettext_lazy("Assigned"), ""),  # the tag's own colour, blue
    STATUS.STARTED: (gettext_lazy("In progress"), "turquoise"),
    STATUS.DONE: (gettext_lazy("Done"), "green"),
    STATUS.CANCELED: (gettext_lazy("Cancelled"), "grey"),
}


@login_required
@idempotent_post
def task_detail(request, pk):
    _staff_only(request.user)
    task = _task_or_404(request.user, pk)
    flow = task.flow_task.flow_class.instance
    form_spec = flow.task_form(task)
    status = 200
    form = None
    if form_spec and services.works_for_holder(request.user, task):
        form_class, handler = form_spec
        posted = request.method == "POST"
        form = form_class(request.POST if posted else None, request.FILES if posted else None,
                          initial=flow.task_initial(task))
        if request.method == "POST":
            if form.is_valid():
                try:
                    handler(task=task, actor=request.user, data=form.cleaned_data)
                except ValidationFailed as exc:
                    add_domain_errors(form, exc)
                else:
                    messages.success(request, _("Task completed."))
                    return redirect("workflows:inbox")
            status = 400
    elif request.method == "POST":
        raise NotYourTask(_("You do not hold this task. Claim it first."))
    [task] = selectors.decorate([task])
    reassign_form = ReassignForm(task=task) if services.can_supervise(request.user, task) else None
    panel_template, panel = flow.task_panel(task) or (None, None)
    label, colour = TASK_STATUS_TAGS.get(task.status, (task.get_status_display(), "grey"))
    return render(request, "workflows/task_detail.html", {
        "task": task, "case": task.case, "form": form, "reassign_form": reassign_form,
        "case_template": flow.case_template, "can_claim": services.can_claim(request.user, task),
        "flow_version": flow.version, "case_label": str(case_of(task)), "case_url": case_page_url(task.case),
        "status_label": label, "status_colour": colour, "clock_label": Clock.LABELS.get(task.clock, _("No deadline")),
        "panel_template": panel_template, "panel": panel,
    }, status=status)


@login_required
@require_POST
@idempotent_post
def task_claim(request, pk):
    _staff_only(request.user)
    task = _task_or_404(request.user, pk)
    services.task_claim(task=task, actor=request.user)
    messages.success(request, _("The task is yours now."))
    return redirect("workflows:task", pk=task.pk)


@login_required
@require_POST
@idempotent_post
def task_unclaim(request, pk):
    _staff_only(request.user)
    task = _task_or_404(request.user, pk)
    services.task_unclaim(task=task, actor=request.user)
    messages.success(request, _("The task is back in the queue."))
    return redirect("workflows:inbox")


@login_required
@require_POST
@idempotent_post
def task_reassign(request, pk):
    _staff_only(request.user)
    task = _task_or_404(request.user, pk)
    if not services.can_supervise(request.user, task):
        raise PermissionDenied
    form = ReassignForm(request.POST, task=task)
    if not form.is_valid():
        return render(request, "error.html", {"error": {"message": _("Choose a member of this department.")}}, status=400)
    services.task_reassign(task=task, actor=request.user, assignee=form.cleaned_data["assignee"])
    messages.success(request, _("Task reassigned."))
    return redirect("workflows:inbox")


@login_required
@idempotent_post
def delegations(request):
    """Name a substitute for an absence; see the ones given and received."""
    _staff_only(request.user)
    form = DelegationForm(request.POST or None, colleagues=delegation_services.colleagues_of(request.user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                delegation_services.delegation_create(actor=request.user, **form.cleaned_data)
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Your substitute is named."))
                return redirect("workflows:delegations")
        status = 400
    page = selectors.paginate_plain(delegation_services.delegations_of(request.user), request.GET.get("page", 1))
    return render(request, "workflows/delegations.html", {
        "form": form, "page_obj": page, "today": timezone.localdate(),
    }, status=status)


@login_required
@require_POST
@idempotent_post
def delegation_revoke(request, pk):
    _staff_only(request.user)
    delegation = get_object_or_404(Delegation, pk=pk, absent=request.user)
    delegation_services.delegation_revoke(actor=request.user, delegation=delegation)
    messages.success(request, _("The substitute is withdrawn."))
    return redirect("workflows:delegations")
