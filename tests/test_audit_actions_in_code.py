"""Recording an action that was never registered fails at run time (test_audit); this test makes it fail
before: every action named in the project's code is registered."""

import ast
from pathlib import Path

from django.conf import settings

from core.audit import registered_actions

SOURCE_DIRS = ["core", "accounts", "workflows", "documents", "eservices"]


def _recorded_action_names():
    """``action="app.object.verb"`` passed to any call (audit.record, task_complete, …) anywhere in the project's code."""
    base = Path(settings.BASE_DIR)
    for directory in SOURCE_DIRS:
        for path in (base / directory).rglob("*.py"):
            if "migrations" in path.parts or "tests" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Call):
                    for keyword in node.keywords:
                        if (keyword.arg == "action" and isinstance(keyword.value, ast.Constant)
                                and isinstance(keyword.value.value, str) and "." in keyword.value.value):
                            yield keyword.value.value, f"{path.relative_to(base)}:{node.lineno}"


def test_every_action_the_code_records_is_registered():
    found = list(_recorded_action_names())
    assert len(found) > 40, "the scan found too few actions to be looking in the right place"
    unregistered = [f"{name} ({where})" for name, where in found if name not in registered_actions()]
    assert not unregistered, "recorded but never registered: " + ", ".join(unregistered)
