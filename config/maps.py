"""Where a map's tiles come from, for the Content-Security-Policy (config/settings.py).

The maps (core.maps) draw tiles from ``MUNIS_MAP_TILES``, a URL template such as
``https://tile.openstreetmap.org/{z}/{x}/{y}.png``. The browser may only load images from the
origins the policy names, so the tile server's origin is added to ``img-src``, and nothing else.
"""

import re
from urllib.parse import urlsplit

PLACEHOLDER = re.compile(r"\{[^}]*\}")


def tile_sources(template):
    """The ``img-src`` sources a tile URL template needs: its origin, with a ``{s}`` sub-domain as
    ``*`` (``https://{s}.tile.example.org/...`` -> ``https://*.tile.example.org``). None for no
    tiles, or for tiles served by Munis' own origin (a path such as ``/tiles/{z}/{x}/{y}.png``)."""
    parts = urlsplit(template or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return []
    return [f"{parts.scheme}://{PLACEHOLDER.sub('*', parts.netloc)}"]
