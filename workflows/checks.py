"""System checks of the CaseFlow contract: every mapping a flow keys by step
names a real step of that flow, and every task handler takes what the task page
gives it, and every status it sets has a name. A misspelt step would otherwise be silently ignored (no deadline, no
form, no status) until a case reached it."""

import inspect

from django.core import checks

STEP_KEYED = ("task_sla", "task_forms", "task_panels", "case_statuses", "decision_steps")
HANDLER_ARGUMENTS = ("task", "actor", "data")


def _handler_problem(handler):
    """Why ``handler(task=…, actor=…, data=…)`` (workflows.views) would fail, or None."""
    try:
        parameters = inspect.signature(handler).parameters.values()
    except (TypeError, ValueError):
        return "its signature cannot be read"
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    names = {p.name for p in parameters if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
    missing = [name for name in HANDLER_ARGUMENTS if name not in names]
    if missing:
        return "it does not take " + ", ".join(missing)
    extra = [p.name for p in parameters if p.default is p.empty and p.name not in HANDLER_ARGUMENTS
             and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if extra:
        return "it also requires " + ", ".join(extra)
    return None


def flow_contract_errors(label, flow_class):
    errors = []
    steps = {node.name for node in flow_class.instance.nodes()}
    for attribute in STEP_KEYED:
        for step in getattr(flow_class, attribute, None) or {}:
            if step not in steps:
                errors.append(checks.Error(
                    f"{label}.{attribute} names the step {step!r}, which the flow does not have.",
                    hint="Known steps: " + ", ".join(sorted(steps)), obj=flow_class, id="workflows.E001"))
    for code in sorted(set((getattr(flow_class, "case_statuses", None) or {}).values())):
        if not flow_class.status_label(code):
            errors.append(checks.Error(f"{label}.case_statuses uses the status {code!r}, which its status_labels "
                                       "do not name.", obj=flow_class, id="workflows.E004"))
    for code, _sentence in getattr(flow_class, "applicant_journey", None) or ():
        if not flow_class.status_label(code):
            errors.append(checks.Error(f"{label}.applicant_journey uses the status {code!r}, which its "
                                       "status_labels do not name.", obj=flow_class, id="workflows.E005"))
    for step, spec in (getattr(flow_class, "task_forms", None) or {}).items():
        try:
            _form_class, handler = spec
        except (TypeError, ValueError):
            errors.append(checks.Error(f"{label}.task_forms[{step!r}] must be a (form class, handler) pair.",
                                       obj=flow_class, id="workflows.E002"))
            continue
        problem = _handler_problem(handler)
        if problem:
            errors.append(checks.Error(
                f"{label}.task_forms[{step!r}]: the handler {getattr(handler, '__qualname__', handler)} cannot be "
                f"called as handler(task=…, actor=…, data=…): {problem}.", obj=flow_class, id="workflows.E003"))
    return errors


@checks.register()
def check_flow_contracts(app_configs=None, **kwargs):
    from .registry import all_flows

    errors = []
    for label, flow_class in all_flows().items():
        errors.extend(flow_contract_errors(label, flow_class))
    return errors
