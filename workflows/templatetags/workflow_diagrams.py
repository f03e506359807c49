"""``{% load workflow_diagrams %}{% case_diagram_url task %}``: the diagram page
of a task's flow with its case highlighted (empty if the flow is not registered)."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from workflows import registry

register = template.Library()


@register.simple_tag
def case_diagram_url(task):
    try:
        label = registry.label_of(task.flow_task.flow_class)
    except registry.UnknownFlow:
        return ""
    return reverse("workflows:flow", args=[label]) + "?" + urlencode({"process": task.process_id})
