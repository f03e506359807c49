"""Maps on a page (core.maps): ``{% map_assets %}`` loads Leaflet and our script once per page;
``{% point_picker %}`` draws a form's latitude and longitude as a map to put a pin on;
``{% points_map %}`` draws many points from a GeoJSON address."""

from django import forms, template
from django.templatetags.static import static
from django.utils.html import format_html_join, json_script
from django.utils.translation import gettext as _

from core.maps import map_options

from .design_system import described_by

register = template.Library()


@register.inclusion_tag("core/maps/assets.html")
def map_assets():
    """Leaflet's stylesheet and script, ours (static/css/maps.css, static/js/maps.js): in the page's head
    block, or anywhere before the maps; once per page however many maps it has."""
    return {}


def _attributes(attributes):
    return format_html_join(" ", '{}="{}"', ((name, value) for name, value in attributes.items() if value != ""))


def _coordinate(field, role):
    """A coordinate's text input with the design system's classes, the ids of its hint and error, and the mark
    the script finds it by."""
    css = "govuk-input govuk-input--width-10" + (" govuk-input--error" if field.errors else "")
    attrs = {"class": css, f"data-picker-{role}": ""}
    if described_by(field):
        attrs["aria-describedby"] = described_by(field)
    return {"field": field, "input": field.as_widget(attrs=attrs)}


@register.inclusion_tag("core/maps/point_picker.html")
def point_picker(latitude, longitude, *, legend=None, hint=None, search_url="", boundary=None, boundary_url="",
                 photo_input=None, map_label=None):
    """A map to put a pin on, filling a form's ``latitude`` and ``longitude`` fields (bound fields, e.g. of
    core.maps.PointFields). Without JavaScript the two fields are all there is, plain text inputs.

    ``legend``, ``hint``: the fieldset's question and hint (defaults: "Place on the map", and how to type
    coordinates). ``search_url``: an address search answering ``?q=`` with ``[{"label", "lat", "lng"}]``; no
    search box without it. ``boundary``: a GeoJSON object (a dict) drawn as an outline, or ``boundary_url``
    where to fetch one. ``photo_input``: the form's file field (or its input's id) whose photo's location the
    picker offers, read in the browser from the photo's EXIF. ``map_label``: the map's accessible name."""
    base = f"{latitude.auto_id}-picker"
    if isinstance(photo_input, forms.BoundField):
        photo_input = photo_input.id_for_label
    attributes = {
        **map_options(),
        "data-marker-icon": static("vendor/leaflet/images/marker-icon.png"),
        "data-marker-icon-2x": static("vendor/leaflet/images/marker-icon-2x.png"),
        "data-marker-shadow": static("vendor/leaflet/images/marker-shadow.png"),
        "data-search-url": search_url or "",
        "data-boundary-url": boundary_url or "",
        "data-boundary-script": f"{base}-boundary" if boundary else "",
        "data-photo-input": photo_input or "",
        "data-msg-pin": _("Pin: the place you chose"),
        "data-msg-placed": _("The pin is at %(latitude)s, %(longitude)s."),
        "data-msg-locating": _("Finding your location…"),
        "data-msg-location-denied": _("You did not allow this page to know your location. Put the pin on the map "
                                      "or type the coordinates instead."),
        "data-msg-location-unavailable": _("Your location could not be found. Put the pin on the map or type the "
                                           "coordinates instead."),
        "data-msg-location-unsupported": _("This browser cannot tell the page your location. Put the pin on the "
                                           "map or type the coordinates instead."),
        "data-msg-searching": _("Searching…"),
        "data-msg-found": _("Places found: %(count)s. Choose one to put the pin there."),
        "data-msg-none-found": _("No places found for “%(query)s”. Try other words, or put the pin on the map."),
        "data-msg-search-failed": _("The search is not available right now. Put the pin on the map or type the "
                                    "coordinates instead."),
        "data-msg-chosen": _("The pin is at %(label)s."),
        "data-msg-photo-found": _("The photo “%(name)s” was taken at %(latitude)s, %(longitude)s. Choose “Use the "
                                  "photo’s location” to put the pin there."),
        "data-msg-photo-none": _("The photo “%(name)s” does not say where it was taken."),
    }
    return {
        "id": base,
        "attributes": _attributes(attributes),
        "legend": legend or _("Place on the map"),
        "hint": hint or _("If you know them, type the latitude and longitude in degrees."),
        "map_label": map_label or _("Map for choosing the place"),
        "map_hint": _("Click or tap the map to put the pin on the place, or drag the pin. With the keyboard, move "
                      "the map with the arrow keys, zoom with plus and minus, and press Enter to put the pin at the "
                      "centre of the map."),
        "search": bool(search_url),
        "boundary": json_script(boundary, f"{base}-boundary") if boundary else "",
        "coordinates": [_coordinate(latitude, "latitude"), _coordinate(longitude, "longitude")],
    }


@register.inclusion_tag("core/maps/points_map.html")
def points_map(url, *, label=None, id="points-map"):
    """A map of the points a GeoJSON FeatureCollection at ``url`` holds, each a marker whose popup links to the
    point's page. A feature's properties: ``title``, ``url``, ``status`` (a label) and ``colour`` (a design
    system tag colour such as ``blue`` or ``red``, or a hex colour). The map needs JavaScript: the page lists
    the same points for those without it. ``label``: the map's accessible name."""
    attributes = {
        **map_options(),
        "data-points-url": url,
        "data-msg-failed": _("The map could not load the places. They are listed on this page."),
        "data-msg-empty": _("There are no places to show on the map."),
    }
    return {"id": id, "attributes": _attributes(attributes), "label": label or _("Map")}
