from django.urls import path

from core.route_access import (
    LOGIN,
    PAGE,
    Access,
    Administrators,
    Auditors,
    PostOnly,
    ProcessAnalytics,
    ProcessDiagrams,
    QueueWorkers,
    StaffElsewhere,
    TaskOfRoutedDepartment,
    answers,
)

from . import analytics_views, diagram_views, incident_views, views

app_name = "workflows"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/reassign/", views.inbox_reassign, name="inbox_reassign"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/withdraw/", views.delegation_revoke, name="delegation_revoke"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/claim/", views.task_claim, name="claim"),
    path("tasks/<int:pk>/unclaim/", views.task_unclaim, name="unclaim"),
    path("tasks/<int:pk>/reassign/", views.task_reassign, name="reassign"),
    path("incidents/", incident_views.incident_list, name="incidents"),
    path("incidents/<int:pk>/retry/", incident_views.incident_retry, name="incident_retry"),
    path("incidents/<int:pk>/skip/", incident_views.incident_skip, name="incident_skip"),
    path("flows/", diagram_views.flow_list, name="flows"),
    path("flows/<str:label>/", diagram_views.flow_diagram, name="flow"),
    path("flows/<str:label>/diagram.bpmn", diagram_views.flow_bpmn, name="flow_bpmn"),
    path("analytics/", analytics_views.analytics_page, name="analytics"),
    path("analytics.csv", analytics_views.analytics_csv, name="analytics_csv"),
]


# Who may open each route (core.route_access; checked by tests/test_route_matrix.py).
access = {
    "inbox": QueueWorkers,
    # heads of department move their department's tasks; a task of another department is not among the
    # form's choices (400: refused without saying whether it exists)
    "inbox_reassign": PostOnly(Access(answers(403, anonymous=LOGIN, supervisor=PAGE),
                                      answers(403, anonymous=LOGIN, supervisor=400))),
    "delegations": QueueWorkers,
    # a substitute is withdrawn by whoever named them; anyone else's is 404
    "delegation_revoke": PostOnly(Access(StaffElsewhere.but(clerk=PAGE).own, StaffElsewhere.own)),
    "task": TaskOfRoutedDepartment,
    "claim": PostOnly(TaskOfRoutedDepartment.succeeding_with(PAGE)),
    "unclaim": PostOnly(TaskOfRoutedDepartment.succeeding_with(PAGE)),
    # heads of department only: a clerk is refused (403) a task they see; one they do not see is 404
    "reassign": PostOnly(Access(StaffElsewhere.but(clerk=403, supervisor=PAGE).own,
                                StaffElsewhere.but(other_clerk=403).own)),
    "incidents": Auditors,  # auditors read them; only administrators retry or skip
    "incident_retry": PostOnly(Administrators.succeeding_with(PAGE)),
    "incident_skip": PostOnly(Administrators.succeeding_with(PAGE)),
    "flows": ProcessDiagrams,
    "flow": ProcessDiagrams,
    "flow_bpmn": ProcessDiagrams,
    "analytics": ProcessAnalytics,
    "analytics_csv": ProcessAnalytics,
}
