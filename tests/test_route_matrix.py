"""The route matrix: every route of the site, asked by every kind of person, answers as declared.

Every URL pattern (walked from the root URLconf: each app's pages, every ``/api/v1/`` route with its format
suffix, ``i18n/``, and the admin site's pages of each registered model) is requested by each person of
``core.route_access.ROLES`` with their own object and another's, and each answer is compared with the policy
the route's urls.py declares in its ``access`` mapping. A route nobody declared, or one whose arguments this
module cannot build, fails the test with a message saying where to add what.

GET for every route; POST (with what its form needs) for the routes that only act on POST; for API routes, each
method the route allows. Each request runs in a savepoint that is rolled back, so every person meets the same
world (tests/world.py).
"""

import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.urls.resolvers import RegexPattern
from rest_framework.views import APIView

from core.audit import trail_key_for
from core.route_access import ROLES, Access, AdminSite, Public, answers, methods_of
from eservices.selectors import decision_letter_of

from .world import Visitors, app_route_worlds, build_world, outcome

PERMIT_FLOW = "permits.BuildingPermitFlow"
ADMIN_PAGES = ("changelist", "add", "change", "history", "delete")
NOT_ALLOWED = Access(answers(405))


def _pk(obj):
    return {"pk": obj.pk}


def _shared(case):
    return {"label": case._meta.label_lower, "pk": case.pk}


#: route name -> world -> (URL arguments for the own object, for the other object or None)
ARGUMENTS = {
    "language": lambda w: ({"code": "ru"}, None),
    "accounts:verify": lambda w: (w.verify_link, {**w.verify_link, "token": "no-such-token"}),
    "accounts:password_reset_confirm": lambda w: (w.reset_link, {**w.reset_link, "token": "no-such-token"}),
    "accounts:share": lambda w: (_shared(w.checking), _shared(w.neighbours)),
    "accounts:unshare": lambda w: (_shared(w.checking), _shared(w.neighbours)),
    "holds:release": lambda w: (_pk(w.hold), None),
    "workflows:inbox_reassign": lambda w: ({}, {}),  # the tasks are in the form
    "workflows:delegation_revoke": lambda w: (_pk(w.delegation), _pk(w.colleagues_delegation)),
    "workflows:task": lambda w: (_pk(w.arch_task), _pk(w.fire_task)),
    "workflows:claim": lambda w: (_pk(w.arch_task), _pk(w.fire_task)),
    "workflows:unclaim": lambda w: (_pk(w.held_task), _pk(w.fire_held_task)),
    "workflows:reassign": lambda w: (_pk(w.held_task), _pk(w.fire_held_task)),
    "workflows:incident_retry": lambda w: (_pk(w.incident), None),
    "workflows:incident_skip": lambda w: (_pk(w.incident), None),
    "workflows:flow": lambda w: ({"label": PERMIT_FLOW}, None),
    "workflows:flow_bpmn": lambda w: ({"label": PERMIT_FLOW}, None),
    "audit:trail": lambda w: ({"trail_key": trail_key_for(w.checking)}, {"trail_key": trail_key_for(w.neighbours)}),
    "documents:verify": lambda w: ({"code": decision_letter_of(w.decided).display_code},
                                   {"code": decision_letter_of(w.neighbours_decided).display_code}),
    "eservices:service": lambda w: ({"code": "building-permit"}, None),
    "eservices:apply": lambda w: ({"code": "building-permit"}, None),
    "eservices:application": lambda w: (_pk(w.checking), _pk(w.neighbours)),
    "eservices:edit_draft": lambda w: (_pk(w.draft), _pk(w.neighbours_draft)),
    "eservices:delete_draft": lambda w: (_pk(w.draft), _pk(w.neighbours_draft)),
    "eservices:withdraw": lambda w: (_pk(w.checking), _pk(w.neighbours)),
    "eservices:correction": lambda w: (_pk(w.correcting), _pk(w.neighbours_correcting)),
    "eservices:decision": lambda w: (_pk(w.decided), _pk(w.neighbours_decided)),
    "eservices:document": lambda w: ({"pk": w.checking.pk, "version_pk": w.attachment.pk},
                                     {"pk": w.neighbours.pk, "version_pk": w.neighbours_attachment.pk}),
    "eservices:document_preview": lambda w: ({"pk": w.checking.pk, "version_pk": w.attachment.pk},
                                             {"pk": w.neighbours.pk, "version_pk": w.neighbours_attachment.pk}),
    "api-service-detail": lambda w: ({"code": "building-permit"}, None),
    "api-application-detail": lambda w: (_pk(w.checking), _pk(w.neighbours)),
    "api-upload-detail": lambda w: (_pk(w.upload), _pk(w.neighbours_upload)),
}

#: (route name, method) -> (world, own?) -> what the request sends
FORMS = {
    ("set_language", "POST"): lambda w, own: {"language": "ru", "next": "/"},
    ("accounts:profile", "POST"): lambda w, own: {"full_name": "Someone Renamed", "phone": "",
                                                  "preferred_language": "ru", "notifications": "required"},
    ("accounts:share", "POST"): lambda w, own: {"email": w.environment.email, "reason": "A second opinion."},
    ("accounts:unshare", "POST"): lambda w, own: {"user": w.newcomer.pk, "reason": "The inquiry is closed."},
    ("holds:release", "POST"): lambda w, own: {f"release-{w.hold.pk}-reason": "The court case is over."},
    ("workflows:inbox_reassign", "POST"): lambda w, own: {
        "tasks": [(w.held_task if own else w.fire_held_task).pk], "assignee": w.clerk2.pk},
    ("workflows:reassign", "POST"): lambda w, own: {"assignee": w.clerk2.pk},
    ("workflows:incident_skip", "POST"): lambda w, own: {"reason": "The letter was sent by hand."},
    ("api-upload-list", "POST"): lambda w, own: {"name": "plan.pdf", "size": 100},
    ("api-upload-detail", "PUT"): lambda w, own: {"body": b"%PDF-", "headers": {"Content-Range": "bytes 0-4/100"}},
}


@dataclass
class Route:
    name: str  # as reverse() takes it
    pattern: str  # as written, for messages
    params: tuple  # the URL arguments, but a format suffix
    declared_in: str  # the file whose ``access`` declares it
    policy: object = None  # an ``Access``/``Methods`` of core.route_access
    allows: tuple = ()  # for API routes, the methods the route serves
    format_suffix: bool = False
    admin_object: type | None = None  # an admin page of one object of this model

    @property
    def methods(self):
        methods = methods_of(self.policy)
        if self.allows and "OPTIONS" not in self.allows:
            methods["OPTIONS"] = NOT_ALLOWED  # an API route that does not describe itself says so
        return methods


@dataclass
class Walk:
    routes: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def _is_ours(module):
    return "site-packages" not in (getattr(module, "__file__", None) or "")


def _file_of(module):
    name = getattr(module, "__file__", None)
    return str(Path(name).relative_to(settings.BASE_DIR)) if name else module.__name__


def _params(pattern):
    if not isinstance(pattern, RegexPattern):
        return tuple(pattern.converters)
    named = tuple(pattern.regex.groupindex)
    return named + tuple(f"#{n}" for n in range(1, pattern.regex.groups - len(named) + 1))


def _api_methods(callback):
    """The methods a DRF route serves: its viewset's actions (or its view's handlers), and OPTIONS."""
    view = getattr(callback, "cls", None)
    if view is None or not issubclass(view, APIView):
        return ()
    initkwargs = getattr(callback, "view_initkwargs", None) or getattr(callback, "initkwargs", {})  # a viewset's
    names = initkwargs.get("http_method_names", view.http_method_names)
    actions = getattr(callback, "actions", None) or {m: m for m in names if hasattr(view, m)}
    allowed = {m.upper() for m in actions if m != "head"}
    if "options" in names:
        allowed.add("OPTIONS")  # every DRF view describes itself, unless it says otherwise
    return tuple(sorted(allowed))


def walk(resolver, *, into=None, prefix="", namespace="", params=(), declarers=()):
    """Every route under ``resolver``, each with the policy declared for it (or a problem saying where to)."""
    found = into or Walk()
    module = resolver.urlconf_module
    if isinstance(module, types.ModuleType):
        declarers = (module, *declarers) if _is_ours(module) else declarers
    for entry in resolver.url_patterns:
        route_params = params + _params(entry.pattern)
        where = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            site = _declared(declarers, entry.namespace) if entry.namespace else None
            if isinstance(site, AdminSite):
                _admin_routes(found, site, inner, where, _file_of(declarers[0]))
            else:
                walk(entry, into=found, prefix=where, namespace=inner, params=route_params, declarers=declarers)
            continue
        assert isinstance(entry, URLPattern)
        name = f"{namespace}{entry.name}"
        if not entry.name:
            found.problems.append(f"{where} has no name: name it, and declare who may open it in access in "
                                  f"{_file_of(declarers[0])}.")
            continue
        route = Route(name, where, tuple(p for p in route_params if p != "format"), _file_of(declarers[0]),
                      policy=_declared(declarers, entry.name), allows=_api_methods(entry.callback),
                      format_suffix="format" in route_params)
        if route.policy is None:
            found.problems.append(f"{name} ({where}) declares no access: add {entry.name!r}: <a policy of "
                                  f"core.route_access> to access in {route.declared_in}.")
        elif route.allows and tuple(sorted(methods_of(route.policy))) != route.allows:
            found.problems.append(f"{name} ({where}) serves {', '.join(route.allows)} but its access in "
                                  f"{route.declared_in} declares {', '.join(sorted(methods_of(route.policy)))}.")
        found.routes.append(route)
    return found


def _declared(declarers, name):
    for module in declarers:
        policy = getattr(module, "access", {}).get(name)
        if policy is not None:
            return policy
    return None


def _admin_routes(found, site, namespace, where, site_declared_in):
    """The admin site's index and, for each registered model, its five pages and any page its admin adds; a
    model's refusals and extra pages are declared by the module that registers it (``access = AdminSite(...)``
    in an app's admin.py), or else with the site."""
    found.routes.append(Route(f"{namespace}index", where, (), site_declared_in, policy=site.page()))
    for model, model_admin in admin.site._registry.items():
        label, prefix = model._meta.label_lower, f"{model._meta.app_label}_{model._meta.model_name}_"
        registrar = sys.modules[type(model_admin).__module__]
        declared_in = _file_of(registrar) if _is_ours(registrar) else site_declared_in
        declared = getattr(registrar, "access", None) if _is_ours(registrar) else None
        if isinstance(declared, AdminSite):
            declared = AdminSite(refused={**site.refused, **declared.refused}, pages={**site.pages, **declared.pages})
        else:
            declared = site
        for entry in model_admin.get_urls():
            if not entry.name:
                continue  # the old-style <object_id>/ address, which only redirects to the change page
            page = entry.name.removeprefix(prefix)
            if page not in ADMIN_PAGES and page not in declared.pages:
                found.problems.append(f"admin:{entry.name} (a page the admin of {label} adds) declares no access: "
                                      f"name {page!r} in access = AdminSite(pages=...) in {declared_in}.")
                continue
            params = _params(entry.pattern)
            address = f"{where}{model._meta.app_label}/{model._meta.model_name}/{entry.pattern}"
            found.routes.append(Route(f"{namespace}{entry.name}", address, params,
                                      declared_in, policy=declared.page(label, page),
                                      admin_object=model if params else None))


def route_arguments():
    """ARGUMENTS, and the arguments of each app's routes its ``route_world`` module declares."""
    found = dict(ARGUMENTS)
    for module in app_route_worlds():
        found.update(module.ARGUMENTS)
    return found


def _samples(route, world):
    """(own?, URL) for each object the route is asked with; a LookupError saying what to add where when the
    URL cannot be built."""
    if route.admin_object is not None:
        return [(True, reverse(route.name, args=_admin_arguments(route)))]
    arguments_of = route_arguments()
    if route.params and route.name not in arguments_of:
        raise LookupError(f"{route.name} ({route.pattern}) takes {', '.join(route.params)}: say how to build "
                          f"{'them' if len(route.params) > 1 else 'it'} from the world in ARGUMENTS in "
                          f"tests/test_route_matrix.py, or in its app's route_world.py (see tests/world.py).")
    own, other = arguments_of[route.name](world) if route.name in arguments_of else ({}, None)
    suffix = {"format": "json"} if route.format_suffix else {}
    return [(mine, reverse(route.name, kwargs={**arguments, **suffix}))
            for mine, arguments in ((True, own), (False, other)) if arguments is not None]


def _admin_arguments(route):
    """The first row of the page's model (or of its recorded versions, for a version's page)."""
    model = route.admin_object
    if route.name.endswith("_simple_history"):
        version = model.history.order_by("history_id").first()
        if version is None:
            raise LookupError(f"{route.name}: the world has no recorded version of a {model._meta.label}; make one "
                              f"in tests/world.py.")
        return [getattr(version, model._meta.pk.attname), version.history_id]
    row = model._default_manager.order_by("pk").first()
    if row is None:
        raise LookupError(f"{route.name}: the world has no {model._meta.label}; add one in tests/world.py.")
    return [row.pk]


def every_route():
    return walk(get_resolver())


def test_every_route_declares_who_may_open_it():
    found = every_route()
    assert len(found.routes) > 100
    assert not found.problems, "\n".join(found.problems)


def test_a_route_nobody_declared_or_cannot_build_is_named_with_where_to_fix_it():
    """A petitions app mounts three routes and declares one: the walk names the undeclared one and where its
    declaration goes; the matrix names the declared one it cannot build the address of."""
    def view(request):
        raise AssertionError("never called")

    petitions = types.ModuleType("petitions.urls")
    petitions.app_name = "petitions"
    petitions.urlpatterns = [path("", view, name="list"), path("<int:pk>/", view, name="petition"),
                             path("<int:pk>/sign/", view, name="sign")]
    petitions.access = {"list": Public, "petition": Public}
    site = types.ModuleType("site.urls")
    site.urlpatterns = [path("petitions/", include(petitions))]

    found = walk(URLResolver(RegexPattern(r"^/"), site))

    assert [route.name for route in found.routes] == ["petitions:list", "petitions:petition", "petitions:sign"]
    assert found.problems == [
        "petitions:sign (petitions/<int:pk>/sign/) declares no access: add 'sign': <a policy of "
        "core.route_access> to access in petitions.urls."]
    with pytest.raises(LookupError) as missing:
        _samples(found.routes[1], world=None)
    assert str(missing.value) == (
        "petitions:petition (petitions/<int:pk>/) takes pk: say how to build it from the world in ARGUMENTS "
        "in tests/test_route_matrix.py, or in its app's route_world.py (see tests/world.py).")


def test_every_route_answers_every_role_as_declared(people, record_property):
    found = every_route()
    w = build_world(people)
    visitors = Visitors(people, raise_request_exception=False)  # a view that fails is a 500 in the list
    wrong, asked = list(found.problems), 0
    forms = dict(FORMS)
    for module in app_route_worlds():
        forms.update(getattr(module, "FORMS", {}))
    for route in found.routes:
        if route.policy is None:
            continue
        try:
            samples = _samples(route, w)
        except LookupError as missing:
            wrong.append(str(missing))
            continue
        for method, policy in route.methods.items():
            form = forms.get((route.name, method))
            for own, url in samples:
                data = form(w, own) if form else None
                for role in ROLES:
                    response = visitors.ask(role, method, url, data)
                    got, asked = outcome(response), asked + 1
                    if got != policy.expected(role, own=own):
                        failure = f" ({response.exc_info[1]!r})" if response.exc_info else ""
                        wrong.append(f"{method} {url} ({route.name}, {'own' if own else 'other'}) as {role}: "
                                     f"expected {policy.expected(role, own=own)}, got {got}{failure}; declared "
                                     f"in {route.declared_in}")
    record_property("requests", asked)
    print(f"route matrix: {len(found.routes)} routes, {asked} requests")
    assert not wrong, f"{len(wrong)} of {asked} answers differ:\n" + "\n".join(wrong)
