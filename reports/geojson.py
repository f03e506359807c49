"""Reports as a GeoJSON FeatureCollection for ``{% points_map %}``: each point with its title, page, status in
words and status colour — never who reported it."""

from django.urls import reverse

#: the most points one map draws (the newest)
MAP_POINTS = 2000


def feature_collection(reports, *, url_name):
    features = []
    for report in (reports.exclude(latitude=None).select_related(None).select_related("category")
                   # the whole category: its name is a translated field, whose columns "category__name" would defer
                   .only("reference", "latitude", "longitude", "status", "category")[:MAP_POINTS]):
        title = f"{report.reference} — {report.category.name}" if report.category_id else report.reference
        features.append({"type": "Feature", "geometry": {"type": "Point",
                                                         "coordinates": [report.longitude, report.latitude]},
                         "properties": {"title": title, "url": reverse(url_name, args=[report.reference]),
                                        "status": str(report.status_label), "colour": report.status_colour}})
    return {"type": "FeatureCollection", "features": features}
