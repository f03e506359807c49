"""Open311 documents on the wire: JSON as the spec shows it, or XML with the spec's element names (a list's
items each in an element named for the list: ``<services><service>…``, ``<service_requests><request>…``), written
with the standard library; and the spec's error list, the answer to every refusal."""

import json
import re
from xml.etree import ElementTree

from django.http import HttpResponse

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
#: the element each item of a list is written as in XML, by the list's own element
ITEMS = {
    "services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
    "values": "value", "endpoints": "endpoint", "formats": "format",
}
# characters XML 1.0 cannot carry at all (a control character typed into a description must not break the document)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def respond(fmt, root, payload, *, status=200, headers=None):
    """``payload`` (a list or a dict) as a response in ``fmt`` (``json`` or ``xml``); ``root`` names the XML
    document's root element."""
    if fmt == "xml":
        body = xml_document(root, payload)
    else:
        body = json.dumps(payload, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt], headers=headers)


def errors(fmt, status, descriptions, *, headers=None):
    """The spec's error list: one ``{"code": status, "description": ...}`` per thing wrong."""
    return respond(fmt, "errors", [{"code": status, "description": str(text)} for text in descriptions],
                   status=status, headers=headers)


def xml_document(root, payload):
    element = ElementTree.Element(root)
    _fill(element, root, payload)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(element, encoding="unicode").encode()


def _fill(element, name, value):
    if isinstance(value, list | tuple):
        item = ITEMS[name]
        for entry in value:
            _fill(ElementTree.SubElement(element, item), item, entry)
    elif isinstance(value, dict):
        for key, entry in value.items():
            _fill(ElementTree.SubElement(element, key), key, entry)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))
