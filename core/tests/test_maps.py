"""The maps' parts on the server: the tile server in the Content-Security-Policy, the settings' checks, the point
picker's fields and HTML, the map of points' HTML, and Leaflet among our static files. (In a browser:
tests/test_maps.py.)"""

import pytest
from django import forms
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.template import Context, Template
from django.utils import translation

from config.maps import tile_sources
from core.maps import PointFields


class ReportForm(PointFields, forms.Form):
    photo = forms.FileField(required=False)


def render(source, **context):
    return Template("{% load maps %}" + source).render(Context(context))


# --- settings ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("template", "sources"), [
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", ["https://tile.openstreetmap.org"]),
    ("https://{s}.tiles.example.org:8443/osm/{z}/{x}/{y}.png?key=abc", ["https://*.tiles.example.org:8443"]),
    ("/tiles/{z}/{x}/{y}.png", []),  # the municipality's tiles from Munis' own origin: 'self' covers them
    ("", []),
    ("javascript:alert(1)//{z}{x}{y}", []),
])
def test_the_tile_server_is_the_one_origin_the_images_may_come_from(template, sources):
    assert tile_sources(template) == sources


def test_the_pages_policy_names_the_configured_tile_server_in_img_src_only(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["img-src"] == "'self' data: https://tile.openstreetmap.org"
    assert directives["style-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("MUNIS_MAP_CENTER", [68.78, 38.56, 1], "MUNIS_MAP_CENTER must be a latitude and a longitude"),
    ("MUNIS_MAP_CENTER", [138.56, 68.78], "MUNIS_MAP_CENTER must be a latitude and a longitude"),
    ("MUNIS_MAP_TILES", "https://tiles.example.org/tile.png", "MUNIS_MAP_TILES must be a URL template"),
])
def test_a_map_setting_that_cannot_work_fails_the_checks(settings, name, value, message):
    setattr(settings, name, value)
    with pytest.raises(SystemCheckError, match=message):
        call_command("check")


def test_no_tiles_is_a_setting_too(settings):
    settings.MUNIS_MAP_TILES = ""
    call_command("check")
    html = render("{% point_picker form.latitude form.longitude %}", form=ReportForm())
    assert "data-map-tiles" not in html and 'data-map-center="38.56,68.78"' in html


# --- the point picker's fields -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("latitude", "longitude", "point"), [
    ("38.5598", "68.7870", (38.5598, 68.787)),
    (" 38,5598 ", "68,787", (38.5598, 68.787)),  # a decimal comma, as in Russian
    ("", "", None),
])
def test_the_place_is_read_from_the_two_fields(latitude, longitude, point):
    form = ReportForm({"latitude": latitude, "longitude": longitude})
    assert form.is_valid(), form.errors
    assert form.point == point


def test_one_coordinate_without_the_other_or_out_of_range_is_an_error_on_its_field():
    form = ReportForm({"latitude": "38.5598", "longitude": ""})
    assert not form.is_valid()
    assert form.errors == {"longitude": ["Enter both the latitude and the longitude, or neither."]}
    form = ReportForm({"latitude": "95", "longitude": "68.78"})
    assert not form.is_valid()
    assert list(form.errors) == ["latitude"]  # the range, not also "both or neither"
    assert not ReportForm({"latitude": "north", "longitude": "68.78"}).is_valid()


# --- the HTML ----------------------------------------------------------------------------------------------------

def test_the_point_picker_is_two_design_system_inputs_and_a_map_for_the_script():
    form = ReportForm({"latitude": "38.5598", "longitude": ""})
    form.is_valid()
    boundary = {"type": "Polygon", "coordinates": [[[68.7, 38.5], [68.9, 38.5], [68.9, 38.6], [68.7, 38.5]]]}
    html = render('{% point_picker form.latitude form.longitude legend="Where is the problem?" search_url="/places/?city=1" '
                  'boundary=boundary photo_input=form.photo %}', form=form, boundary=boundary)
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--m">Where is the problem?</legend>' in html
    # without JavaScript: the two fields as the design system draws them, the value typed kept, the error shown
    assert ('<input type="text" name="latitude" value="38.5598" inputmode="decimal" autocomplete="off" '
            'spellcheck="false" class="govuk-input govuk-input--width-10" data-picker-latitude="" '
            'aria-describedby="id_latitude-hint" id="id_latitude">') in html
    assert 'class="govuk-input govuk-input--width-10 govuk-input--error"' in html
    assert 'aria-describedby="id_longitude-hint id_longitude-error"' in html
    assert ('<p id="id_longitude-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:'
            '</span> Enter both the latitude and the longitude, or neither.</p>') in html
    # with it: the tools (hidden until the script shows them) and what the script needs
    assert 'data-picker-tools hidden' in html
    assert 'role="application" aria-label="Map for choosing the place"' in html
    assert 'data-search-url="/places/?city=1"' in html and 'data-photo-input="id_photo"' in html
    assert 'data-marker-icon="/static/vendor/leaflet/images/marker-icon.png"' in html
    assert 'data-map-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert 'data-boundary-script="id_latitude-picker-boundary"' in html
    assert '<script id="id_latitude-picker-boundary" type="application/json">{"type": "Polygon"' in html
    assert '<button type="button" class="govuk-button govuk-button--secondary" data-picker-locate>' in html
    assert "<form" not in html  # it sits inside the page's form


def test_without_a_search_address_there_is_no_search_box():
    html = render("{% point_picker form.latitude form.longitude %}", form=ReportForm())
    assert "data-picker-search" not in html and "data-search-url" not in html and "data-boundary" not in html


def test_the_point_picker_speaks_russian():
    with translation.override("ru"):
        html = render("{% point_picker form.latitude form.longitude search_url='/s' %}", form=ReportForm())
    assert "Место на карте" in html and "Широта" in html and "Использовать моё местоположение" in html


def test_the_map_of_points_is_hidden_until_the_script_draws_it():
    html = render('{% points_map url label="Map of reported problems" id="problems-map" %}', url="/problems.geojson")
    assert '<div class="munis-points-map" data-points-map' in html and 'data-points-url="/problems.geojson"' in html
    assert ' hidden>' in html
    assert '<div class="munis-map" id="problems-map" role="region" aria-label="Map of reported problems"' in html


def test_the_assets_are_leaflet_and_ours_served_by_us():
    html = render("{% map_assets %}")
    for path in ("vendor/leaflet/leaflet.css", "css/maps.css", "vendor/leaflet/leaflet.js", "js/maps.js"):
        assert f"/static/{path}" in html
        assert finders.find(path), path
    assert "http" not in html
    for image in ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"):
        assert finders.find(f"vendor/leaflet/images/{image}"), image
    assert settings.NPM_STATIC_FILES["vendor/leaflet"][0] == "leaflet/dist"
