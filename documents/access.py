"""Who may read and edit a document. The store knows no e-service: an app
whose cases hold documents registers, for its case model, who may read them
and who may add versions (``register_case``). A document outside any case
belongs to its owner organisation's staff. Auditors and administrators read
everything; only administrators and the owner's supervisors break locks."""

from dataclasses import dataclass

from accounts import permissions
from accounts.models import Role


@dataclass(frozen=True)
class CaseAccess:
    can_read: object  # (user, case) -> bool
    can_edit: object  # (user, case) -> bool


_cases: dict = {}


def register_case(model, *, can_read, can_edit):
    _cases[model._meta.label_lower] = CaseAccess(can_read=can_read, can_edit=can_edit)


def _case_rule(document):
    if document.case_type_id is None:
        return None
    return _cases.get(f"{document.case_type.app_label}.{document.case_type.model}")


def _owner_staff(user, document):
    return document.owner_id is not None and document.owner_id in permissions.work_organisation_ids(user)


def _decide(user, document, *, sees_everything, case_rule):
    """The one shape of both rules: nobody anonymous; some roles everything; a case's
    documents as the case's app says (``case_rule``: its can_read or can_edit); else the
    owner organisation's staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    if sees_everything(user):
        return True
    rule = _case_rule(document)
    if rule is not None:
        case = document.case
        return case is not None and bool(getattr(rule, case_rule)(user, case))
    return _owner_staff(user, document)


def can_read(user, document):
    return _decide(user, document, sees_everything=permissions.can_read_all_cases, case_rule="can_read")


def can_edit(user, document):
    return _decide(user, document, sees_everything=lambda u: permissions.has_role(u, Role.ADMIN),
                   case_rule="can_edit")


def can_break_lock(user, document):
    return permissions.has_role(user, Role.ADMIN) or (
        document.owner_id is not None and document.owner_id in permissions.headed_organisation_ids(user))


def can_revoke(user, document):
    """Revoking an issued document is for administrators and the owner organisation's supervisors."""
    return can_break_lock(user, document)
