"""Who may read and edit a document. The store knows no e-service: an app
whose cases hold documents registers, for its case model, who may read them
and who may add versions (``register_case``). A document outside any case
belongs to its owner organisation's staff. Auditors and administrators read
everything, except the documents of a case its app declares private for now
(``register_private``: a citizen's unsubmitted draft), which only the case's own
rule lets anyone read; and the public documents of a case its app declares public for now (``register_public``:
a problem report on the public map), which anyone reads, signed in or not. Only administrators and the owner's supervisors break locks."""

from dataclasses import dataclass

from accounts import permissions
from accounts.models import Role


@dataclass(frozen=True)
class CaseAccess:
    model: object
    can_read: object  # (user, case) -> bool
    can_edit: object  # (user, case) -> bool


_cases: dict = {}


def register_case(model, *, can_read, can_edit):
    _cases[model._meta.label_lower] = CaseAccess(model=model, can_read=can_read, can_edit=can_edit)


_private: dict = {}


def register_private(model, *, while_):
    """``while_(case)`` true: the case is its person's private work (e.g. a draft), and its documents are read
    only as its app's ``can_read`` says, by auditors and administrators too."""
    _private[model._meta.label_lower] = while_


_public: dict = {}


def register_public(model, *, while_):
    """``while_(case)`` true: the case is on public view (a problem report on the public map), and its documents
    of ``Confidentiality.PUBLIC`` (a photo of the problem) are read by anyone, without signing in."""
    _public[model._meta.label_lower] = while_


def _is_public(document):
    from .models import Confidentiality

    if document.case_type_id is None or document.confidentiality != Confidentiality.PUBLIC:
        return False
    while_ = _public.get(f"{document.case_type.app_label}.{document.case_type.model}")
    case = document.case if while_ is not None else None
    return case is not None and bool(while_(case))


def case_by_reference(reference):
    """The case whose reference number (its model's ``reference`` field) this is, whichever app's it is;
    None if none has it."""
    for rule in _cases.values():
        if any(field.name == "reference" for field in rule.model._meta.get_fields()):
            case = rule.model._default_manager.filter(reference=reference).first()
            if case is not None:
                return case
    return None


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
    if _is_public(document):
        return True
    sees_everything = _nobody if _is_private(document) else permissions.can_read_all_cases
    return _decide(user, document, sees_everything=sees_everything, case_rule="can_read")


def _nobody(user):
    return False


def _is_private(document):
    if document.case_type_id is None:
        return False
    while_ = _private.get(f"{document.case_type.app_label}.{document.case_type.model}")
    case = document.case if while_ is not None else None
    return case is not None and bool(while_(case))


def can_edit(user, document):
    return _decide(user, document, sees_everything=lambda u: permissions.has_role(u, Role.ADMIN),
                   case_rule="can_edit")


def can_break_lock(user, document):
    return permissions.has_role(user, Role.ADMIN) or (
        document.owner_id is not None and document.owner_id in permissions.headed_organisation_ids(user))


def can_revoke(user, document):
    """Revoking an issued document is for administrators and the owner organisation's supervisors."""
    return can_break_lock(user, document)
