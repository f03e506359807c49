"""Who may open each route: the expectation every urls.py declares beside its ``urlpatterns``.

Each urls.py keeps ``access = {url name: policy}``; the route matrix (tests/test_route_matrix.py) asks every
route as each kind of person below, with an object of their own and another's, and compares every answer
with the policy. A route without an entry fails that test, so no page ships without someone having said
who may open it. A surprising answer that is nevertheless the design is explained where it is declared.

The people (``ROLES``):

============== =========================================================================================
anonymous      not signed in
citizen        the citizen whose case, draft or upload the *own* object is
other_citizen  another citizen: the *other* object is theirs
clerk          a clerk of the department the case is routed to
other_clerk    a clerk of a department the case is not (yet) routed to
supervisor     the head of the routed department
auditor        reads every case, works none
ministry       ministry staff   } each works their organisation's queue (accounts.models.WORKING_ROLES); no
mahalla        mahalla staff    } permit case is routed to them, so its case and task pages answer them 404
supplier       supplier staff   }
admin          an administrator (superuser)
============== =========================================================================================

The objects: *own* is the citizen's, in the hands of the clerk's department (a task: one waiting there, or
held by the clerk; a substitute: one the clerk named; a link from an e-mail: the right one); *other* is the
other citizen's (a task: one of another department, held by its clerk where the route needs a holder; a
substitute: one a colleague named; a link: a wrong one). A route that takes no object is asked once.

A policy is written ``Access(answers(default, person=outcome, ...))`` (and a second ``answers`` for the other
object when it differs); the common ones are named at the end of this module.

An outcome is a status code, or where a redirect leads: ``LOGIN`` (the site's sign-in page), ``ADMIN_LOGIN``
(the admin site's) or ``PAGE`` (any other page of the site: the work is done, or there is nothing to do there).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

ROLES = ("anonymous", "citizen", "other_citizen", "clerk", "other_clerk", "supervisor", "auditor", "ministry",
         "mahalla", "supplier", "admin")

LOGIN = "→login"
ADMIN_LOGIN = "→admin login"
PAGE = "→page"


def answers(default, **outcomes):
    """One outcome per person of ``ROLES``: ``default``, but for the people named."""
    unknown = set(outcomes) - set(ROLES)
    if unknown:
        raise ValueError(f"No such people: {', '.join(sorted(unknown))} (see core.route_access.ROLES).")
    return tuple(outcomes.get(role, default) for role in ROLES)


def _by_role(outcomes):
    if isinstance(outcomes, Mapping):
        outcomes = tuple(outcomes[role] for role in ROLES)
    if len(outcomes) != len(ROLES):
        raise ValueError(f"{len(outcomes)} outcomes for {len(ROLES)} people: {outcomes!r}")
    return MappingProxyType(dict(zip(ROLES, outcomes, strict=True)))


@dataclass(frozen=True, init=False)
class Access:
    """The answer each person gets from one method of a route, for their own object and another's (``other``
    defaults to ``own``: the route takes no object, or whose it is does not matter)."""

    own: MappingProxyType
    other: MappingProxyType

    def __init__(self, own, other=None):
        """``own`` and ``other``: an outcome per person, as ``answers`` writes them or as another policy's
        ``own``/``other`` rows are."""
        object.__setattr__(self, "own", _by_role(own))
        object.__setattr__(self, "other", _by_role(other or own))

    def expected(self, role, *, own=True):
        return (self.own if own else self.other)[role]

    def but(self, **outcomes):
        """The same policy, but for the people named (for both objects)."""
        answers(None, **outcomes)  # names only people there are
        return Access(*(tuple(outcomes.get(role, row[role]) for role in ROLES) for row in (self.own, self.other)))

    def succeeding_with(self, outcome):
        """The same policy for an action that answers ``outcome`` where a page answers 200 (a redirect after a
        form, 201 Created, 204 No Content)."""
        return Access(*(tuple(outcome if row[role] == 200 else row[role] for role in ROLES)
                        for row in (self.own, self.other)))


@dataclass(frozen=True, init=False)
class Methods:
    """A route that answers more than GET: the policy of each method it is asked with."""

    policies: MappingProxyType

    def __init__(self, **policies):
        object.__setattr__(self, "policies", MappingProxyType(policies))


def PostOnly(policy):  # noqa: N802 - reads as a policy, like the others
    """A route that only acts on POST: a GET is refused with 405 (after the sign-in check, where it has one)."""
    return Methods(GET=Access(answers(405, anonymous=LOGIN if policy.own["anonymous"] == LOGIN else 405)),
                   POST=policy)


def methods_of(policy):
    """``{method: Access}`` for any declaration but the admin site's."""
    return dict(policy.policies) if isinstance(policy, Methods) else {"GET": policy}


@dataclass(frozen=True)
class AdminSite:
    """The Django admin, as ``admin.site`` registers it: its index and each model's changelist, add, change,
    history and delete pages. Everyone but an administrator is sent to its sign-in page; an administrator gets
    200, except the pages ``refused`` names per model (``{"app.model": ("add", "delete")}``: 403, the admin
    keeps the model read-only there) and the extra pages a model's admin adds, named in ``pages`` with their
    answer (the same for every model that has one).

    config/urls.py declares the site (``"admin": AdminSite(...)``, for the libraries' admins); a module that
    registers models (an app's admin.py) declares theirs beside them: ``access = AdminSite(...)``."""

    refused: dict = field(default_factory=dict)
    pages: dict = field(default_factory=dict)

    def page(self, model=None, page="index"):
        """The policy of the index (no model), or of one page of a model (``"app.model"``)."""
        if model is None:
            answer = 200
        elif page in ("changelist", "add", "change", "history", "delete"):
            answer = 403 if page in self.refused.get(model, ()) else 200
        else:
            answer = self.pages[page]
        return Access(answers(ADMIN_LOGIN, admin=answer))


Public = Access(answers(200))
SignedIn = Access(answers(200, anonymous=LOGIN))
#: the sign-in page: whoever is signed in already is sent on
SignInPage = Access(answers(PAGE, anonymous=200))
#: a page of the citizen's own case: another's is 404, so its existence is not revealed
OwnerOnly = Access(answers(404, anonymous=LOGIN, citizen=200), answers(404, anonymous=LOGIN, other_citizen=200))
_CASE_STAFF = {"anonymous": LOGIN, "clerk": 200, "supervisor": 200, "auditor": 200, "admin": 200}
#: a case's pages: its applicant, the department it is routed to, auditors and administrators
CaseReaders = Access(answers(404, citizen=200, **_CASE_STAFF), answers(404, other_citizen=200, **_CASE_STAFF))
_WORKERS = ("clerk", "other_clerk", "supervisor", "ministry", "mahalla", "supplier")
#: the staff area: those who work an organisation's queue (departments, ministry, mahallas, suppliers)
QueueWorkers = Access(answers(403, anonymous=LOGIN, **dict.fromkeys(_WORKERS, 200)))
#: something of the staff area that is not the asker's (a task elsewhere, a colleague's substitute): 404 to whoever
#: works a queue, 403 to everyone else
StaffElsewhere = QueueWorkers.succeeding_with(404)
#: a task: those who work the queue it waits in
TaskOfRoutedDepartment = Access(StaffElsewhere.but(clerk=200, supervisor=200).own,
                                StaffElsewhere.but(other_clerk=200).own)
Supervisors = Access(answers(403, anonymous=LOGIN, supervisor=200))
#: the audit log and the incident list: auditors and administrators
Auditors = Access(answers(403, anonymous=LOGIN, auditor=200, admin=200))
Administrators = Access(answers(403, anonymous=LOGIN, admin=200))
#: process diagrams: staff who work a queue, auditors and administrators
ProcessDiagrams = QueueWorkers.but(auditor=200, admin=200)
#: process analytics: heads of department (their departments' figures), auditors and administrators
ProcessAnalytics = Supervisors.but(auditor=200, admin=200)
#: the REST API refuses the anonymous with 403 (a problem document), it never redirects
ApiSignedIn = Access(answers(200, anonymous=403))
ApiOwnerOnly = Access(answers(404, anonymous=403, citizen=200), answers(404, anonymous=403, other_citizen=200))
