"""Every flow class of the project, found the way Django finds admin modules.

The engine knows no e-service: it imports ``<app>.flows`` for each installed
app that has one and keeps the ``CaseFlow`` subclasses defined there. A flow's
label is ``<app label>.<class name>`` (``permits.BuildingPermitFlow``): stable
across releases, safe in URLs and file names.
"""

from functools import cache
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _
from viewflow.workflow.flow import Flow

from .flows import HUMAN, CaseFlow


class UnknownFlow(LookupError):
    def __init__(self, label):
        self.label = label
        known = ", ".join(flow_labels()) or "-"
        super().__init__(_("No flow is called %(label)s. Known flows: %(known)s.") % {"label": label, "known": known})


@cache
def _flows_by_label():
    found = {}
    for app_config in apps.get_app_configs():
        if not module_has_submodule(app_config.module, "flows"):
            continue
        module = import_module(f"{app_config.name}.flows")
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, CaseFlow) and issubclass(value, Flow)
                    and value.__module__ == module.__name__):
                found[f"{app_config.label}.{value.__name__}"] = value
    _check_versions(found.values())
    return dict(sorted(found.items()))


def _check_versions(flow_classes):
    successors = {}
    for flow_class in flow_classes:
        previous = flow_class.supersedes
        if previous is None:
            continue
        if flow_class.version != previous.version + 1:
            raise ImproperlyConfigured(f"{flow_class.__qualname__} supersedes {previous.__qualname__} "
                                       f"(version {previous.version}), so its version must be {previous.version + 1}.")
        if previous in successors:
            raise ImproperlyConfigured(f"{previous.__qualname__} is superseded twice: by "
                                       f"{successors[previous].__qualname__} and {flow_class.__qualname__}.")
        successors[previous] = flow_class
    return successors


@cache
def _successors():
    return _check_versions(_flows_by_label().values())


def newest_version(flow_class):
    """The version of a flow new cases start on: ``flow_class`` or the last
    class in the chain of versions superseding it."""
    successors = _successors()
    while flow_class in successors:
        flow_class = successors[flow_class]
    return flow_class


def versions_of(flow_class):
    """Every version of the flow ``flow_class`` belongs to, oldest first."""
    first = flow_class
    while first.supersedes is not None:
        first = first.supersedes
    chain, successors = [first], _successors()
    while chain[-1] in successors:
        chain.append(successors[chain[-1]])
    return chain


def flow_labels():
    return list(_flows_by_label())


def all_flows():
    """``{label: flow class}``, sorted by label."""
    return dict(_flows_by_label())


def get_flow(label):
    """The flow class called ``label``; ``UnknownFlow`` if there is none."""
    try:
        return _flows_by_label()[label]
    except KeyError:
        raise UnknownFlow(label) from None


def label_of(flow_class):
    for label, known in _flows_by_label().items():
        if known is flow_class:
            return label
    raise UnknownFlow(f"{flow_class.__module__}.{flow_class.__qualname__}")


def human_steps(label):
    """Names of the steps people work (viewflow's human tasks: ``flow.View`` nodes) in every version of the
    flow called ``label``: a case filed on it may be on any of them. ``UnknownFlow`` if there is none."""
    return {node.name for version in versions_of(get_flow(label)) for node in version.instance.nodes()
            if node.task_type == HUMAN}
