"""The plug-in points through which an installed app contributes to the site.

An app (a new e-service such as ``petitions/``) plugs in with files in its own
folder and one line in ``INSTALLED_APPS``; no project file names it.

* **Navigation and home page**: ``<app>/navigation.py`` declares ``links``, a
  list of :class:`Link` (area, label, URL name, order, who sees it), and
  ``home_sections``, a list of :class:`HomeSection` (a template and the function
  that gives it its context). The header lists the links visible to the user,
  the portal's before the staff workspace's, each area by ``order``; the home
  page stacks the visible sections by ``order``.
* **URLs**: the app's ``AppConfig`` sets ``url_prefix`` (``"petitions/"``; ``""``
  mounts at the root) to have ``<app>/urls.py`` included, and ``api_urls``
  (``"petitions.api.urls"``) to add its REST routes under ``/api/v1/``.
* **Demo data**: ``<app>/demo.py`` defines ``seed(*, stdout)``, which
  ``manage.py seed_demo`` calls for every installed app in ``INSTALLED_APPS``
  order (list an app after the apps it builds on: accounts' organisations and
  people exist when a later app's seed runs). A seed must be idempotent: running
  it again changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.core.checks import Error, register
from django.urls import NoReverseMatch, include, path, reverse
from django.utils.module_loading import module_has_submodule

PORTAL = "portal"  # what citizens use
STAFF = "staff"  # the staff workspace
AREAS = (PORTAL, STAFF)  # the header's order

API_PREFIX = "api/v1/"


def everyone(user):
    return True


def signed_in(user):
    return user.is_authenticated


@dataclass(frozen=True)
class Link:
    """One entry of the header. ``visible(user)`` runs on every page: it may use
    what ``accounts.permissions`` caches on the user (one memberships query per
    request) and must not query for anonymous visitors."""

    area: str
    label: str  # a lazy translation
    url_name: str
    order: int = 100
    visible: Callable[..., bool] = everyone

    @property
    def url(self):
        return reverse(self.url_name)


@dataclass(frozen=True)
class HomeSection:
    """A block of the home page: ``template`` rendered with ``context(request)``."""

    template: str
    context: Callable[..., dict] = lambda request: {}
    order: int = 100
    visible: Callable[..., bool] = everyone


def app_modules(name):
    """``<app>.<name>`` of every installed app that has one, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, name):
            found.append((config, import_module(f"{config.name}.{name}")))
    return found


@cache
def _contributions():
    links, sections = [], []
    for index, (_config, module) in enumerate(app_modules("navigation")):
        links += [(link.order, index, n, link) for n, link in enumerate(getattr(module, "links", ()))]
        sections += [(s.order, index, n, s) for n, s in enumerate(getattr(module, "home_sections", ()))]
    # by order; equal orders keep INSTALLED_APPS order, then the order of declaration
    return [entry[-1] for entry in sorted(links)], [entry[-1] for entry in sorted(sections)]


def links():
    return _contributions()[0]


def home_sections():
    return _contributions()[1]


class Navigation:
    """The links one user sees, by area (``nav.portal``, ``nav.staff`` in a
    template). Nothing is evaluated until a template reads an area, so a page
    without the header costs nothing."""

    def __init__(self, user):
        self._user = user
        self._areas = None

    def __getitem__(self, area):
        if area not in AREAS:
            raise KeyError(area)
        if self._areas is None:
            self._areas = {name: [] for name in AREAS}
            for link in links():
                if link.visible(self._user):
                    self._areas.setdefault(link.area, []).append(link)  # an unknown area: see check_links
        return self._areas[area]


def visible_home_sections(user):
    return [section for section in home_sections() if section.visible(user)]


def demo_seeds():
    """(app label, ``seed``) of every installed app with a ``demo`` module, in
    INSTALLED_APPS order: an app's demo builds on those of the apps before it."""
    return [(config.label, module.seed) for config, module in app_modules("demo")]


def app_urlpatterns():
    """Each installed app that declares ``url_prefix``: its ``urls`` module at its
    prefix, in INSTALLED_APPS order, apps mounted at the root last (so a root
    pattern never shadows another app's prefix), after any ``more_urls`` groups;
    then each declared ``api_urls`` under /api/v1/."""
    mounted = [config for config in apps.get_app_configs() if getattr(config, "url_prefix", None) is not None]
    mounted.sort(key=lambda config: config.url_prefix == "")  # stable: INSTALLED_APPS order within each group
    patterns = [path(config.url_prefix, include(f"{config.name}.urls")) for config in mounted]
    # ``more_urls = {prefix: module}``: a second page group of an app at another prefix (documents' hold desk)
    patterns[:0] = [path(prefix, include(module)) for config in apps.get_app_configs()
                    for prefix, module in (getattr(config, "more_urls", None) or {}).items()]
    patterns += [path(API_PREFIX, include(config.api_urls)) for config in apps.get_app_configs()
                 if getattr(config, "api_urls", None)]
    return patterns


@register()
def check_links(app_configs, **kwargs):
    """Every contributed link names a known area and a URL that exists."""
    problems = []
    for link in links():
        if link.area not in AREAS:
            problems.append(Error(f"The navigation link {link.url_name!r} names the unknown area {link.area!r}.",
                                  hint=f"Use one of {', '.join(AREAS)}.", id="core.E001"))
        try:
            reverse(link.url_name)
        except NoReverseMatch:
            problems.append(Error(f"The navigation link {str(link.label)!r} names the URL {link.url_name!r}, "
                                  "which does not exist.",
                                  hint="Is its app's url_prefix set? A link's URL takes no arguments.",
                                  id="core.E002"))
    return problems
