"""Where a point lies: which district's boundary holds it, how far apart two points are, the box around a circle.

No spatial database is needed at the sizes a city has: the districts' bounding boxes narrow the candidates, and
shapely tests the polygon. Distances are great-circle (haversine) in metres; a bounding box in degrees finds the
rows an index can reach before the exact distance is computed (README: moving to PostGIS)."""

import math
from functools import lru_cache

from shapely.geometry import Point, shape
from shapely.validation import explain_validity

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_M / 180


def boundary_shape(boundary):
    """The shapely geometry of a GeoJSON Polygon or MultiPolygon (a Feature's geometry is taken too); ValueError,
    in words, for anything else."""
    from django.utils.translation import gettext as _

    if isinstance(boundary, dict) and boundary.get("type") == "Feature":
        boundary = boundary.get("geometry")
    if not isinstance(boundary, dict) or boundary.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
    try:
        geometry = shape(boundary)
    except (TypeError, ValueError, IndexError, AttributeError) as exc:
        raise ValueError(_("The boundary is not valid GeoJSON: %(error)s") % {"error": exc}) from None
    if geometry.is_empty or not geometry.is_valid:
        raise ValueError(_("The boundary is not a valid polygon: %(why)s") % {"why": explain_validity(geometry)})
    min_lng, min_lat, max_lng, max_lat = geometry.bounds
    if not (-180 <= min_lng <= max_lng <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValueError(_("The boundary's coordinates must be longitude, latitude in degrees."))
    return geometry


@lru_cache(maxsize=64)
def _cached_shape(district_pk, boundary_json):
    import json

    return boundary_shape(json.loads(boundary_json))


def district_at(latitude, longitude):
    """The District whose boundary holds the point, or None (outside the city). Where two boundaries touch, the
    first by name wins."""
    import json

    from .models import District

    point = Point(longitude, latitude)
    candidates = District.objects.filter(min_latitude__lte=latitude, max_latitude__gte=latitude,
                                         min_longitude__lte=longitude, max_longitude__gte=longitude)
    for district in candidates.select_related("department"):
        geometry = _cached_shape(district.pk, json.dumps(district.boundary, sort_keys=True))
        if geometry.covers(point):
            return district
    return None


def distance_m(lat1, lng1, lat2, lng2):
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def box_around(latitude, longitude, radius_m):
    """``(min_lat, max_lat, min_lng, max_lng)`` of a box holding every point within ``radius_m`` of the point."""
    dlat = radius_m / METRES_PER_DEGREE_LATITUDE
    cos_lat = max(math.cos(math.radians(latitude)), 1e-6)
    dlng = radius_m / (METRES_PER_DEGREE_LATITUDE * cos_lat)
    return latitude - dlat, latitude + dlat, longitude - dlng, longitude + dlng


def city_bounds():
    """``[[south, west], [north, east]]`` of all districts together, or None when none is set up."""
    from django.db.models import Max, Min

    from .models import District

    box = District.objects.aggregate(s=Min("min_latitude"), n=Max("max_latitude"), w=Min("min_longitude"),
                                     e=Max("max_longitude"))
    if box["s"] is None:
        return None
    return [[box["s"], box["w"]], [box["n"], box["e"]]]


def city_outline():
    """The city's outline, every district's boundary together, as a GeoJSON geometry; None when no district is set
    up. What the report form's map draws, so residents see where reports are taken."""
    import json

    from shapely.geometry import mapping
    from shapely.ops import unary_union

    from .models import District

    shapes = [_cached_shape(pk, json.dumps(boundary, sort_keys=True))
              for pk, boundary in District.objects.values_list("pk", "boundary")]
    if not shapes:
        return None
    return json.loads(json.dumps(mapping(unary_union(shapes).simplify(0.0001))))
