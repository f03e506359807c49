from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import plugins
from core import views as core_views
from core.route_access import PAGE, Access, AdminSite, Methods, Public, answers

# Each installed app mounts its own URLs (AppConfig.url_prefix, AppConfig.api_urls; see core.plugins).
urlpatterns = [
    path("", core_views.home, name="home"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/<slug:code>/", core_views.switch_language, name="language"),
    path("theme.css", core_views.theme_stylesheet, name="theme"),
    *plugins.app_urlpatterns(),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # a page, not an endpoint: it has no description to answer OPTIONS with (was a 500, no template)
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", http_method_names=["get", "head"]),
         name="api-docs"),
    path("admin/", admin.site.urls),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

# Who may open each route mounted here (core.route_access; checked by tests/test_route_matrix.py): the
# site's own, Django's language switch, and the admin site's pages for every model registered with it.
access = {
    "home": Public,
    "favicon": Public,
    "healthz": Public,
    "readyz": Public,
    "language": Access(answers(PAGE)),  # back to the page, in the language chosen
    "theme": Public,
    "set_language": Methods(GET=Access(answers(PAGE)), POST=Access(answers(PAGE))),  # back to the page
    "api-schema": Methods(GET=Public, OPTIONS=Public),
    "api-docs": Public,  # a page for people: OPTIONS is 405
    # the admin site: the refusals and extra pages of a model's admin are declared beside it, in the module
    # that registers it (an app's admin.py); here, those of the libraries' admins and the pages every admin has
    "admin": AdminSite(
        refused={"axes.accessattempt": ("add",), "axes.accesslog": ("add",), "axes.accessfailurelog": ("add",)},
        pages={"simple_history": 200},  # one recorded version of a row (django-simple-history)
    ),
}
