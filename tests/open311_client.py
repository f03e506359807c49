"""An outside Open311 GeoReport v2 client for the endpoint's tests: the ``three`` package (PyPI, Code for America,
2013), which none of us wrote, with the two lines of Python 3 it lacks.

``three`` 0.8.0 was written for Python 2: it imports ``itertools.ifilter`` (Python 3's ``filter``) and reads the
root of an XML answer as ``parsed.keys()[0]``. Everything else (its requests session, ``api_key`` in the posted
form, ``jurisdiction_id``, media as multipart) works as released. Its XML goes through ``relaxml``, which needs
lxml (installed with pyHanko)."""

import itertools

if not hasattr(itertools, "ifilter"):
    itertools.ifilter = filter

from relaxml import xml  # noqa: E402
from three import Three  # noqa: E402


class Open311Client(Three):
    """``Three`` as released, but an XML answer is read on Python 3: its root element's content, as for JSON the
    whole list (``{"service": [...]}``, ``{"request": {...}}``, ``{"error": {...}}``)."""

    def convert(self, content, conversion):
        if conversion and self.format == "xml":
            parsed = xml(content)
            return parsed[next(iter(parsed))]
        return super().convert(content, conversion)
