"""The incident list: failed automatic steps, for administrators to retry or skip."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from core.errors import ValidationFailed

from . import incidents
from .flows import incident_error
from .selectors import paginate_plain


@login_required
@require_GET
def incident_list(request):
    if not incidents.can_see_incidents(request.user):
        raise PermissionDenied
    page = paginate_plain(incidents.open_incidents(), request.GET.get("page", 1))
    for task in page.object_list:
        task.error = incident_error(task)
        task.case = task.process.artifact
    return render(request, "workflows/incidents.html", {
        "page_obj": page, "can_resolve": incidents.can_resolve_incidents(request.user),
    })


def _incident_or_404(request, pk):
    if not incidents.can_resolve_incidents(request.user):
        raise PermissionDenied
    return get_object_or_404(Task.objects.select_related("process"), pk=pk, status=STATUS.ERROR)


@login_required
@require_POST
def incident_retry(request, pk):
    task = incidents.incident_retry(task=_incident_or_404(request, pk), actor=request.user)
    if task.status == STATUS.DONE:
        messages.success(request, _("The step ran successfully this time."))
    else:
        messages.error(request, _("The step failed again; see the new incident."))
    return redirect("workflows:incidents")


@login_required
@require_POST
def incident_skip(request, pk):
    task = _incident_or_404(request, pk)
    try:
        incidents.incident_skip(task=task, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationFailed as exc:
        messages.error(request, " ".join(str(m) for msgs in exc.fields.values() for m in msgs))
        return redirect("workflows:incidents")
    messages.success(request, _("The step was skipped and the case moved on."))
    return redirect("workflows:incidents")
