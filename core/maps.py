"""Maps any app can put on a page: a point picker for a form, and a map of many points.

Leaflet (from npm, served by us) draws them in static/js/maps.js; the tiles come from the tile server
the settings name (``MUNIS_MAP_TILES``, none when empty). Pages load the scripts with
``{% map_assets %}`` and draw the maps with ``{% point_picker %}`` and ``{% points_map %}``
(core.templatetags.maps). Without JavaScript a point picker is two text fields, latitude and
longitude, that ``PointFields`` reads.
"""

from django import forms
from django.conf import settings
from django.core.checks import Error, register
from django.utils.translation import gettext_lazy as _


def map_options():
    """The map's settings as the script reads them (``data-map-*`` attributes)."""
    latitude, longitude = settings.MUNIS_MAP_CENTER
    return {
        "data-map-tiles": settings.MUNIS_MAP_TILES,
        "data-map-attribution": settings.MUNIS_MAP_ATTRIBUTION,
        "data-map-center": f"{latitude},{longitude}",
        "data-map-zoom": settings.MUNIS_MAP_ZOOM,
        "data-map-max-zoom": settings.MUNIS_MAP_MAX_ZOOM,
    }


class CoordinateField(forms.FloatField):
    """A latitude or a longitude in degrees, typed as people write it: ``38.5598`` or ``38,5598``."""

    def __init__(self, *, limit, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={
            "inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}))
        super().__init__(min_value=-limit, max_value=limit, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class PointFields(forms.Form):
    """A form's point on the map: latitude and longitude, both or neither. A form that needs a place
    inherits it (``class ReportForm(PointFields, forms.Form)``) and draws the two fields with
    ``{% point_picker form.latitude form.longitude %}``; ``point`` is ``(latitude, longitude)`` or None."""

    latitude = CoordinateField(limit=90, label=_("Latitude"), help_text=_("In degrees, for example 38.5598"))
    longitude = CoordinateField(limit=180, label=_("Longitude"), help_text=_("In degrees, for example 68.7870"))

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None) and not self.has_error("latitude") \
                and not self.has_error("longitude"):
            missing = "longitude" if longitude is None else "latitude"
            self.add_error(missing, _("Enter both the latitude and the longitude, or neither."))
        return cleaned

    @property
    def point(self):
        latitude, longitude = self.cleaned_data.get("latitude"), self.cleaned_data.get("longitude")
        if latitude is None or longitude is None:
            return None
        return latitude, longitude


@register()
def check_map_settings(app_configs=None, **kwargs):
    """A map that opens nowhere, or asks a tile server for tiles without saying which, is a setting's typo."""
    errors = []
    center = settings.MUNIS_MAP_CENTER
    if len(center) != 2 or not (-90 <= center[0] <= 90 and -180 <= center[1] <= 180):
        errors.append(Error(f"MUNIS_MAP_CENTER must be a latitude and a longitude such as 38.56,68.78, not "
                            f"{center!r}.", id="munis.E030"))
    tiles = settings.MUNIS_MAP_TILES
    if tiles and not all(part in tiles for part in ("{z}", "{x}", "{y}")):
        errors.append(Error(f"MUNIS_MAP_TILES must be a URL template with {{z}}, {{x}} and {{y}}, or empty for no "
                            f"tiles, not {tiles!r}.", id="munis.E031"))
    return errors
