"""Staff inbox and task pages. Thin: parse, call a service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from core.errors import PermissionDenied as NotYourTask
from core.errors import ValidationFailed
from core.forms import add_domain_errors

from . import selectors, services
from .forms import ReassignForm


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
}


@login_required
def inbox(request):
    _staff_only(request.user)
    tab = request.GET.get("tab", "queue")
    if tab not in TABS:
        tab = "queue"
    page = selectors.paginate(TABS[tab](user=request.user), request.GET.get("page", 1))
    return render(request, "workflows/inbox.html", {
        "page_obj": page, "tab": tab,
        "is_supervisor": bool(permissions.supervised_department_ids(request.user)),
    })


@login_required
def task_detail(request, pk):
    _staff_only(request.user)
    task = _task_or_404(request.user, pk)
    flow = task.flow_task.flow_class.instance
    form_spec = flow.task_form(task)
    status = 200
    form = None
    if form_spec and task.owner_id == request.user.pk:
        form_class, handler = form_spec
        posted = request.method == "POST"
        form = form_class(request.POST if posted else None, request.FILES if posted else None)
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
    return render(request, "workflows/task_detail.html", {
        "task": task, "case": task.case, "form": form, "reassign_form": reassign_form,
        "case_template": flow.case_template, "can_claim": services.can_claim(request.user, task),
    }, status=status)


@login_required
@require_POST
def task_claim(request, pk):
    _staff_only(request.user)
    task = _task_or_404(request.user, pk)
    services.task_claim(task=task, actor=request.user)
    messages.success(request, _("The task is yours now."))
    return redirect("workflows:task", pk=task.pk)


@login_required
@require_POST
def task_unclaim(request, pk):
    _staff_only(request.user)
    task = _task_or_404(request.user, pk)
    services.task_unclaim(task=task, actor=request.user)
    messages.success(request, _("The task is back in the queue."))
    return redirect("workflows:inbox")


@login_required
@require_POST
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
