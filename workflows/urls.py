from django.urls import path

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
