"""Pages only the maps' tests serve (``@pytest.mark.urls("tests.map_urls")``), beside the site's own: a form with
a point picker (an address search over a few places of Dushanbe, the city's outline, a photo field), an address
search, and a map of reported problems from a GeoJSON address."""

from django import forms
from django.http import HttpResponse, JsonResponse
from django.template import engines
from django.urls import path, reverse

from config.urls import urlpatterns as site_urlpatterns
from core.maps import PointFields

PLACES = [
    {"label": "Dushanbe railway station", "lat": 38.5431, "lng": 68.7770},
    {"label": "Rudaki Park, Rudaki Avenue", "lat": 38.5781, "lng": 68.7848},
    {"label": "Victory Park", "lat": 38.5843, "lng": 68.8050},
]
CITY = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[
    [68.70, 38.50], [68.88, 38.50], [68.88, 38.63], [68.70, 38.63], [68.70, 38.50]]]}}
PROBLEMS = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [68.7770, 38.5431]},
     "properties": {"title": "Pothole by the station", "url": "/problems/1/", "status": "Open", "colour": "red"}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [68.7848, 38.5781]},
     "properties": {"title": "Broken street light", "url": "/problems/2/", "status": "Fixed", "colour": "green"}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [68.8050, 38.5843]},
     "properties": {"title": '<img src="x" id="injected"> Bench', "url": "javascript:alert(1)", "status": "Open",
                    "colour": "#8f23b3"}},
]}


class ProblemForm(PointFields, forms.Form):
    description = forms.CharField(label="What is the problem?", required=False)
    photo = forms.FileField(label="Photo", required=False)


REPORT_PAGE = engines["django"].from_string("""{% extends "base.html" %}{% load maps %}
{% block head %}{% map_assets %}{% endblock %}
{% block content %}
<h1 class="govuk-heading-l">Report a problem</h1>
{% if point %}<p class="govuk-body" id="received">Received: {{ point.0 }}, {{ point.1 }}</p>{% endif %}
<form method="post" enctype="multipart/form-data" novalidate>{% csrf_token %}
  {% include "error_summary.html" %}
  <div class="govuk-form-group">
    <label class="govuk-label" for="{{ form.photo.id_for_label }}">{{ form.photo.label }}</label>
    <input class="govuk-file-upload" type="file" name="photo" id="{{ form.photo.id_for_label }}" accept="image/*">
  </div>
  {% point_picker form.latitude form.longitude search_url=search_url boundary=boundary photo_input=form.photo %}
  <button type="submit" class="govuk-button">Send the report</button>
</form>
{% endblock %}""")

PROBLEMS_PAGE = engines["django"].from_string("""{% extends "base.html" %}{% load maps %}
{% block head %}{% map_assets %}{% endblock %}
{% block content %}
<h1 class="govuk-heading-l">Reported problems</h1>
{% points_map points_url label="Map of reported problems" %}
<ul class="govuk-list"><li><a class="govuk-link" href="/problems/1/">Pothole by the station</a></li></ul>
{% endblock %}""")


def report(request):
    form = ProblemForm(request.POST or None, request.FILES or None)
    point = form.point if request.method == "POST" and form.is_valid() else None
    context = {"form": form, "point": point, "search_url": reverse("map-test-search"), "boundary": CITY}
    return _render(REPORT_PAGE, request, context)


def search(request):
    words = request.GET.get("q", "").lower().split()
    return JsonResponse([place for place in PLACES if all(word in place["label"].lower() for word in words)],
                        safe=False)


def problems(request):
    return JsonResponse(PROBLEMS, content_type="application/geo+json")


def problems_page(request):
    return _render(PROBLEMS_PAGE, request, {"points_url": reverse("map-test-problems")})


def _render(template, request, context):
    return HttpResponse(template.render(context, request))


urlpatterns = [
    path("map-test/report/", report, name="map-test-report"),
    path("map-test/search", search, name="map-test-search"),
    path("map-test/problems.geojson", problems, name="map-test-problems"),
    path("map-test/problems/", problems_page, name="map-test-problems-page"),
    *site_urlpatterns,
]
