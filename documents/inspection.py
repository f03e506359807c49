"""Byte-level inspection of uploaded files, for documents.uploads.

Everything here streams: a file is read in chunks, or by seeking to the few
bytes a structure needs, never whole, so a 2 GB upload costs a few MiB of
memory. A check that finds something it will not let through raises ``Unsafe``
with a stable reason; documents.uploads turns that into the message a person
reads. Where a structure cannot be followed the answer is no (fail closed).
"""

import re
import struct
import zlib
from dataclasses import dataclass

# A window is one chunk plus the last OVERLAP bytes of the chunk before, so a
# pattern up to OVERLAP bytes long is whole in the window that handles it.
CHUNK_SIZE = 1024 * 1024
OVERLAP = 1024
# Bytes after the logical end of a PDF, PNG or JPEG that are let through as
# harmless; NUL and white-space padding is let through whatever its length.
TRAILING_TOLERANCE = 64
# Decompressed PDF object streams, summed over one file.
PDF_INFLATE_LIMIT = 256 * 1024 * 1024
# A compression ratio is only judged for entries that unpack to more than this.
RATIO_FLOOR = 1024 * 1024

PDF_SIGNATURE = b"%PDF-"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXECUTABLE_SIGNATURES = (
    b"\x7fELF",  # Linux, BSD
    b"MZ",  # Windows (PE) and DOS
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"#!",  # scripts
    b"\x00asm",  # WebAssembly
)


class Unsafe(Exception):
    """The content is refused. ``reason`` is a stable code; ``detail`` says
    what was found, for the log and, where it helps, the message."""

    def __init__(self, reason, detail=""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# --- what a file is ------------------------------------------------------------------------------------------------

_SVG_ELEMENT = re.compile(rb"<svg[\s>/]", re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def sniff(head):
    """The kind of file its first bytes say it is: ``pdf``, ``png``, ``jpeg``,
    ``zip``, ``ole2``, ``executable``, ``svg`` or ``other``."""
    if head.startswith(PDF_SIGNATURE):
        return "pdf"
    if head.startswith(PNG_SIGNATURE):
        return "png"
    if head.startswith(JPEG_SIGNATURE):
        return "jpeg"
    if head.startswith(ZIP_SIGNATURES):
        return "zip"
    if head.startswith(OLE2_SIGNATURE):
        return "ole2"
    if head.startswith(EXECUTABLE_SIGNATURES):
        return "executable"
    text = head
    for bom in _BOMS:
        text = text.removeprefix(bom)
    if text.lstrip().startswith(b"<") and _SVG_ELEMENT.search(head):
        return "svg"
    return "other"


def check_head(head):
    """A PDF reader finds ``%PDF-`` anywhere in the first 1024 bytes: a file
    that has it there but not at its start is a PDF and something else too."""
    at = head.find(PDF_SIGNATURE, 0, 1024 + len(PDF_SIGNATURE))
    if at > 0:
        raise Unsafe("polyglot", f"PDF header at offset {at}")


# --- reading -----------------------------------------------------------------------------------------------------

def windows(file, *, digest=None):
    """Read ``file`` from the start; yield ``(window, base, lo, hi, last)``.

    ``window`` is the next chunk preceded by the last OVERLAP bytes of the one
    before, and starts at offset ``base`` of the file. A pattern is handled in
    the window where its start offset is in ``[lo, hi)``: every offset is
    handled once, and a pattern up to OVERLAP bytes long is whole there.
    ``digest`` (a hashlib object) sees every byte once. The consumer may seek
    the file in between; reading goes on where it left off."""
    base, lo, tail = 0, 0, b""
    file.seek(0)
    chunk = file.read(CHUNK_SIZE)
    read_to = len(chunk)
    while chunk:
        if digest is not None:
            digest.update(chunk)
        file.seek(read_to)
        following = file.read(CHUNK_SIZE)
        read_to += len(following)
        window = tail + chunk
        end = base + len(window)
        last = not following
        hi = end if last else max(lo, end - OVERLAP)
        yield window, base, lo, hi, last
        lo = hi
        tail = window[-OVERLAP:]
        base = end - len(tail)
        chunk = following


class _Cursor:
    """Reads at a position of a seekable file through a small buffer."""

    buffer_size = 64 * 1024

    def __init__(self, file, position=0):
        self.file = file
        self.pos = position
        self.buf = b""
        self.buf_at = 0

    def _fill(self, n):
        """At least ``n`` bytes from the position in the buffer, unless the file ends first."""
        if self.pos < self.buf_at or self.pos + n > self.buf_at + len(self.buf):
            self.file.seek(self.pos)
            self.buf = self.file.read(max(n, self.buffer_size))
            self.buf_at = self.pos

    def read(self, n):
        self._fill(n)
        start = self.pos - self.buf_at
        data = self.buf[start:start + n]
        self.pos += len(data)
        return data

    def skip(self, n):
        self.pos += n

    def next_jpeg_marker(self):
        """Move past entropy-coded data to the next marker (an 0xFF byte that is
        not stuffing, a restart marker or fill); False when the file ends first."""
        while True:
            self._fill(2)
            start = self.pos - self.buf_at
            if len(self.buf) - start < 2:
                return False
            i = self.buf.find(b"\xff", start)
            if i < 0:
                self.pos = self.buf_at + len(self.buf)
                continue
            if i + 1 >= len(self.buf):
                self.pos = self.buf_at + i
                continue
            following = self.buf[i + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7:
                self.pos = self.buf_at + i + 2
            elif following == 0xFF:
                self.pos = self.buf_at + i + 1
            else:
                self.pos = self.buf_at + i
                return True


def _only_padding(file, start):
    """Whether everything from ``start`` to the end is NUL or white space."""
    file.seek(start)
    while chunk := file.read(CHUNK_SIZE):
        if chunk.strip(b"\x00\t\n\x0c\r "):
            return False
    return True


def _check_trailing(file, end, size, what):
    if size - end > TRAILING_TOLERANCE and not _only_padding(file, end):
        raise Unsafe("polyglot", f"{size - end} bytes after the end of the {what}")


# --- PDF -----------------------------------------------------------------------------------------------------------

# Names that make a PDF do something when opened or used: run script, start a
# program, carry other files, play or load outside content, send form data.
PDF_ACTIVE_NAMES = frozenset({
    b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia", b"Rendition",
    b"XFA", b"SubmitForm", b"ImportData",
})
# Short names turn up by chance in compressed data; they only count where the
# bytes before them read like PDF syntax (text), as a dictionary key does.
_SHORT_NAMES = frozenset({b"JS", b"XFA"})
_FLATE = frozenset({b"FlateDecode", b"Fl"})
_NOT_IN_NAME = rb"\x00\t\n\x0c\r /<>\[\]()%{}"
_PDF_NAME_TOKEN = re.compile(
    # a name with #xx escapes (any name could hide behind them), or one that matters as written
    rb"/(?P<name>[^" + _NOT_IN_NAME + rb"#]{0,127}#[0-9A-Fa-f]{2}[^" + _NOT_IN_NAME + rb"]{0,400}"
    rb"|JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|Rendition|XFA|SubmitForm|ImportData|ObjStm|Filter)"
    rb"(?=[" + _NOT_IN_NAME + rb"])"
)
# Separate patterns, each with a literal start, are many times faster than one alternation.
_PDF_STREAM_KEYWORD = re.compile(rb"stream[ \t]*(?=[\r\n])")
_PDF_EOF = re.compile(rb"%%EOF")
_PDF_FILTER_VALUE = re.compile(
    rb"[\x00\t\n\x0c\r ]*(?:\[(?P<array>[^\]]{0,400})\]|/(?P<one>[^" + _NOT_IN_NAME + rb"]{1,400}))"
)
_PDF_NAME = re.compile(rb"/([^" + _NOT_IN_NAME + rb"]+)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# An object stream starts with pairs of numbers: object number, offset.
_OBJECT_STREAM_HEADER = re.compile(rb"[\x00\t\n\x0c\r ]*\d+[\x00\t\n\x0c\r ]+\d+[\x00\t\n\x0c\r ]")
_TEXT_BYTES = frozenset(range(0x20, 0x7F)) | frozenset(b"\x00\t\n\x0c\r")


def _decode_name(raw):
    return _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def _reads_as_text(data):
    return sum(byte not in _TEXT_BYTES for byte in data) <= 4


def _active_name(name, before):
    """``name`` (decoded) when it is active content, given the bytes before it."""
    if name not in PDF_ACTIVE_NAMES:
        return None
    if name in _SHORT_NAMES and not _reads_as_text(before[-32:]):
        return None
    return "/" + name.decode("latin-1")


def _scan_pdf_names(data, start=0, stop=None):
    """Refuse active names in ``data`` (decompressed object-stream text)."""
    for match in _PDF_NAME_TOKEN.finditer(data, start):
        if stop is not None and match.start() >= stop:
            break
        found = _active_name(_decode_name(match.group("name")), data[max(0, match.start() - 32):match.start()])
        if found:
            raise Unsafe("active_content", found)


class _PdfScan:
    """Active content in a PDF's raw bytes and inside its object streams, and
    data after its last ``%%EOF``.

    Objects can be packed into compressed object streams (``/Type /ObjStm``),
    where a raw scan sees nothing: those are inflated (within
    PDF_INFLATE_LIMIT) and scanned too. What decides is the dictionary before
    each ``stream`` keyword: the names seen since the one before."""

    def __init__(self, file):
        self.file = file
        self.object_stream = False
        self.filters = None
        self.inflated = 0
        self.end = None

    def feed(self, window, base, lo, hi, last):
        text = window + b"\n" if last else window  # a name at the very end still has its delimiter
        start = lo - base
        events = [(m.start(), "name", m) for m in _PDF_NAME_TOKEN.finditer(text, start)]
        events += [(m.start(), "stream", m) for m in _PDF_STREAM_KEYWORD.finditer(text, start)
                   if not text[m.start() - 1:m.start()].isalpha()]  # not endstream
        events += [(m.start(), "eof", m) for m in _PDF_EOF.finditer(text, start)]
        for offset, kind, match in sorted(events, key=lambda event: event[0]):
            if base + offset >= hi:
                break
            if kind == "stream":
                self._stream(base + match.end())
            elif kind == "eof":
                self.end = base + match.end()
            else:
                name = _decode_name(match.group("name"))
                found = _active_name(name, text[max(0, offset - 32):offset])
                if found:
                    raise Unsafe("active_content", found)
                if name == b"ObjStm":
                    self.object_stream = True
                elif name == b"Filter":
                    self.filters = self._filter_value(text, match.end())

    @staticmethod
    def _filter_value(text, at):
        value = _PDF_FILTER_VALUE.match(text, at)
        if value is None:
            return [b"?"]  # an indirect or unreadable filter: nothing this scan can decode
        if value.group("one") is not None:
            return [_decode_name(value.group("one"))]
        return [_decode_name(name) for name in _PDF_NAME.findall(value.group("array"))]

    def _stream(self, keyword_end):
        object_stream, filters = self.object_stream, self.filters or []
        self.object_stream, self.filters = False, None
        if not object_stream:
            return
        if not filters:
            self._check_plain_object_stream(keyword_end)
        elif len(filters) == 1 and filters[0] in _FLATE:
            self._inflate_object_stream(keyword_end)
        else:
            raise Unsafe("uncheckable", "object stream encoded with " + b" ".join(filters).decode("latin-1"))

    def _check_plain_object_stream(self, keyword_end):
        # Not compressed: the raw scan reads it, as long as it really is an object stream.
        self.file.seek(keyword_end)
        self._check_object_stream_header(self.file.read(64).lstrip(b"\r\n"))

    def _inflate_object_stream(self, keyword_end):
        self.file.seek(keyword_end)
        inflater = zlib.decompressobj()
        pending, header_checked, first = b"", False, True
        try:
            while not inflater.eof:
                raw = self.file.read(64 * 1024)
                if not raw:
                    raise Unsafe("uncheckable", "object stream ends early")
                if first:
                    raw, first = raw.lstrip(b"\r\n"), False
                full = True
                while (raw or full) and not inflater.eof:
                    out = inflater.decompress(raw, 256 * 1024)
                    raw, full = inflater.unconsumed_tail, len(out) == 256 * 1024
                    self.inflated += len(out)
                    if self.inflated > PDF_INFLATE_LIMIT:
                        raise Unsafe("zip_bomb", "object streams inflate beyond the limit")
                    pending += out
                    if not header_checked and len(pending) >= 64:
                        self._check_object_stream_header(pending)
                        header_checked = True
                    # names starting in the last OVERLAP bytes wait for the next piece
                    _scan_pdf_names(pending, 0, max(0, len(pending) - OVERLAP))
                    pending = pending[-OVERLAP:]
        except zlib.error as exc:
            raise Unsafe("uncheckable", f"object stream does not inflate: {exc}") from exc
        if not header_checked:
            self._check_object_stream_header(pending)
        _scan_pdf_names(pending + b"\n")

    @staticmethod
    def _check_object_stream_header(text):
        # A predictor or a second filter leaves bytes that are not the objects themselves.
        if not _OBJECT_STREAM_HEADER.match(text):
            raise Unsafe("uncheckable", "object stream that cannot be read")

    def finish(self, file, size):
        if self.object_stream:
            raise Unsafe("uncheckable", "object stream whose data was not found")
        if self.end is None:
            raise Unsafe("damaged", "no %%EOF")
        _check_trailing(file, self.end, size, "PDF")


# --- images --------------------------------------------------------------------------------------------------------

# Markup a browser or a server-side include would act on, in patterns long enough
# not to turn up by chance in compressed image data. Matched in lower-cased
# windows: many times faster than a case-insensitive pattern.
_MARKUP_TAG = re.compile(rb"<(?:script|html|iframe|object|embed|body|\?php)[\s>/]")
_MARKUP_URL = re.compile(rb"javascript:")
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


class _MarkupScan:
    def feed(self, window, base, lo, hi, last):
        lowered = window.lower()
        for pattern in (_MARKUP_TAG, _MARKUP_URL):
            match = pattern.search(lowered, lo - base)
            if match and base + match.start() < hi:
                raise Unsafe("polyglot", "markup " + match.group().decode("latin-1"))

    def finish(self, file, size):
        pass


class _PngEnd:
    """A PNG ends with its IEND chunk; the first one found is its end."""

    def __init__(self):
        self.end = None

    def feed(self, window, base, lo, hi, last):
        if self.end is None:
            i = window.find(_PNG_END, lo - base)
            if i >= 0 and base + i < hi:
                self.end = base + i + len(_PNG_END)

    def finish(self, file, size):
        if self.end is None:
            raise Unsafe("damaged", "no IEND chunk")
        _check_trailing(file, self.end, size, "PNG")


def jpeg_end(file, size):
    """The offset just past a JPEG's end-of-image marker, following its
    segments and scans; None when the structure does not hold."""
    cursor = _Cursor(file, len(JPEG_SIGNATURE) - 1)
    while cursor.pos < size:
        if cursor.read(1) != b"\xff":
            return None
        marker = cursor.read(1)
        while marker == b"\xff":
            marker = cursor.read(1)
        if not marker or marker == b"\x00":
            return None
        code = marker[0]
        if code == 0xD9:
            return cursor.pos
        if code == 0x01 or 0xD0 <= code <= 0xD7:
            continue
        length = cursor.read(2)
        if len(length) < 2 or struct.unpack(">H", length)[0] < 2:
            return None
        cursor.skip(struct.unpack(">H", length)[0] - 2)
        if code == 0xDA and not cursor.next_jpeg_marker():
            return None
    return None


# --- ZIP inside another format -------------------------------------------------------------------------------------

_EOCD = struct.Struct("<4s4H2IH")


class _EmbeddedZip:
    """A ZIP local-file header followed by a plausible end-of-central-directory
    record: an archive riding inside (or after) another format."""

    def __init__(self, size):
        self.size = size
        self.local_header = None

    def feed(self, window, base, lo, hi, last):
        if self.local_header is None:
            i = window.find(b"PK\x03\x04", lo - base)
            if i < 0 or base + i >= hi:
                return
            self.local_header = base + i
        i = window.find(b"PK\x05\x06", max(lo, self.local_header) - base)
        while i >= 0 and base + i < hi:
            if self._plausible(window, i):
                raise Unsafe("polyglot", f"ZIP archive at offset {self.local_header}")
            i = window.find(b"PK\x05\x06", i + 1)

    def _plausible(self, window, i):
        if i + _EOCD.size > len(window):
            return False
        _, disk, cd_disk, here, total, cd_size, cd_offset, _ = _EOCD.unpack_from(window, i)
        return (disk == cd_disk == 0 and here == total and cd_size <= self.size and cd_offset <= self.size
                and cd_size >= 46 * total)

    def finish(self, file, size):
        pass


# --- OLE2 (old Office files) ---------------------------------------------------------------------------------------

# Every VBA project has a stream of this name; OLE2 directory names are UTF-16.
VBA_PROJECT = "_VBA_PROJECT".encode("utf-16-le")


class _VbaScan:
    def feed(self, window, base, lo, hi, last):
        i = window.find(VBA_PROJECT, lo - base)
        if i >= 0 and base + i < hi:
            raise Unsafe("macro", "VBA project storage")

    def finish(self, file, size):
        pass


def inspect_content(file, *, kind, size, digest):
    """Read the whole file once, hashing it into ``digest``, and refuse what a
    file of ``kind`` must not carry."""
    scans = {
        "pdf": lambda: [_PdfScan(file), _EmbeddedZip(size)],
        "png": lambda: [_MarkupScan(), _PngEnd(), _EmbeddedZip(size)],
        "jpeg": lambda: [_MarkupScan(), _EmbeddedZip(size)],
        "ole2": lambda: [_VbaScan()],
    }.get(kind, list)()
    for window in windows(file, digest=digest):
        for scan in scans:
            scan.feed(*window)
    for scan in scans:
        scan.finish(file, size)
    if kind == "jpeg":
        end = jpeg_end(file, size)
        if end is None:
            raise Unsafe("damaged", "JPEG structure")
        _check_trailing(file, end, size, "JPEG")


# --- ZIP-based formats (Office Open XML, OpenDocument) -----------------------------------------------------------

@dataclass(frozen=True)
class ZipLimits:
    entries: int
    uncompressed: int
    ratio: int


@dataclass
class _Entry:
    name: str
    method: int
    flags: int
    compressed: int
    uncompressed: int
    offset: int
    data_start: int = 0


_EOCD64_LOCATOR = struct.Struct("<4sIQI")
_EOCD64 = struct.Struct("<4sQ2H2I4Q")
_CENTRAL = struct.Struct("<4s6H3I5H2I")
_LOCAL = struct.Struct("<4s5H3I2H")
_ZIP64 = 0xFFFFFFFF

OFFICE_MAIN_PARTS = {
    b"wordprocessingml.document.main+xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    b"spreadsheetml.sheet.main+xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    b"presentationml.presentation.main+xml":
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# In [Content_Types].xml: macro-enabled documents, VBA projects, Excel 4 macro sheets.
_MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject", b"macrosheet")
_MACRO_FILES = frozenset({"vbaproject.bin", "vbadata.xml", "vbaprojectsignature.bin"})
_MACRO_FOLDERS = ("/activex/", "/macrosheets/")
_ODF_MACRO_FOLDERS = ("basic/", "scripts/")
ARCHIVE_EXTENSIONS = frozenset({
    ".zip", ".jar", ".war", ".ear", ".apk", ".7z", ".rar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".lz", ".lzma",
    ".tar", ".cab", ".iso", ".arj", ".lzh", ".z",
    ".docx", ".docm", ".xlsx", ".xlsm", ".pptx", ".pptm", ".odt", ".ods", ".odp",
})
ARCHIVE_SIGNATURES = (
    *ZIP_SIGNATURES, b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd", b"MSCF",
)


def inspect_zip(file, size, limits):
    """Check a ZIP-based file from its central directory, without unpacking
    it to disk; return its content type (an Office or OpenDocument type, or
    ``application/zip``).

    Refused: more entries, more unpacked bytes or a higher compression ratio
    than ``limits`` allow; entries that overlap or unpack to more than they
    declare (zip bombs); archives inside; macros and other embedded code."""
    count, cd_size, cd_offset = _central_directory(file, size)
    if count > limits.entries:
        raise Unsafe("zip_bomb", f"{count} entries")
    if cd_offset + cd_size > size:
        raise Unsafe("damaged", "central directory outside the file")
    entries = _entries(file, count, cd_offset, cd_size, limits)
    _check_layout(file, entries, cd_offset)
    return _check_entry_contents(file, entries)


def _central_directory(file, size):
    tail_length = min(size, _EOCD.size + 0xFFFF)
    file.seek(size - tail_length)
    tail = file.read(tail_length)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _EOCD.size > len(tail):
        raise Unsafe("damaged", "no end of central directory")
    _, disk, cd_disk, here, total, cd_size, cd_offset, comment = _EOCD.unpack_from(tail, at)
    if at + _EOCD.size + comment != len(tail):
        raise Unsafe("polyglot", "data after the end of the ZIP archive")
    if 0xFFFF in (disk, cd_disk, here, total) or _ZIP64 in (cd_size, cd_offset):
        locator = at - _EOCD64_LOCATOR.size
        if locator < 0 or tail[locator:locator + 4] != b"PK\x06\x07":
            raise Unsafe("damaged", "no ZIP64 locator")
        record_at = _EOCD64_LOCATOR.unpack_from(tail, locator)[2]
        file.seek(record_at)
        record = file.read(_EOCD64.size)
        if len(record) < _EOCD64.size or not record.startswith(b"PK\x06\x06"):
            raise Unsafe("damaged", "no ZIP64 end of central directory")
        _, _, _, _, disk, cd_disk, here, total, cd_size, cd_offset = _EOCD64.unpack(record)
    if disk or cd_disk or here != total:
        raise Unsafe("damaged", "archive split over several disks")
    return total, cd_size, cd_offset


def _zip64_values(extra, uncompressed, compressed, offset):
    """Sizes and offset from the ZIP64 extra field where the 32-bit fields say so."""
    pos = 0
    while pos + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4:pos + 4 + length]
        pos += 4 + length
        if kind != 1:
            continue
        values = list(struct.unpack_from(f"<{len(body) // 8}Q", body))
        if uncompressed == _ZIP64 and values:
            uncompressed = values.pop(0)
        if compressed == _ZIP64 and values:
            compressed = values.pop(0)
        if offset == _ZIP64 and values:
            offset = values.pop(0)
    if _ZIP64 in (uncompressed, compressed, offset):
        raise Unsafe("damaged", "ZIP64 field missing")
    return uncompressed, compressed, offset


def _entries(file, count, cd_offset, cd_size, limits):
    cursor = _Cursor(file, cd_offset)
    cd_end = cd_offset + cd_size
    entries, unpacked, packed = [], 0, 0
    while cursor.pos + _CENTRAL.size <= cd_end:
        header = cursor.read(_CENTRAL.size)
        if not header.startswith(b"PK\x01\x02"):
            break
        (_, _, _, flags, method, _, _, _, compressed, uncompressed, name_length, extra_length, comment_length,
         _, _, _, offset) = _CENTRAL.unpack(header)
        raw_name = cursor.read(name_length)
        extra = cursor.read(extra_length)
        cursor.skip(comment_length)
        if _ZIP64 in (compressed, uncompressed, offset):
            uncompressed, compressed, offset = _zip64_values(extra, uncompressed, compressed, offset)
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        entries.append(_Entry(name, method, flags, compressed, uncompressed, offset))
        if len(entries) > limits.entries:
            raise Unsafe("zip_bomb", f"more than {limits.entries} entries")
        unpacked += uncompressed
        packed += compressed
        if unpacked > limits.uncompressed:
            raise Unsafe("zip_bomb", f"unpacks to more than {limits.uncompressed} bytes")
        if uncompressed > RATIO_FLOOR and uncompressed > limits.ratio * max(compressed, 1):
            raise Unsafe("zip_bomb", f"{name} is compressed {uncompressed // max(compressed, 1)}:1")
        _check_entry_name(name)
    if len(entries) != count:
        raise Unsafe("damaged", "central directory does not match its count")
    if unpacked > RATIO_FLOOR and unpacked > limits.ratio * max(packed, 1):
        raise Unsafe("zip_bomb", f"compressed {unpacked // max(packed, 1)}:1")
    return entries


def _check_entry_name(name):
    path = "/" + name.lower().replace("\\", "/")
    base = path.rsplit("/", 1)[-1]
    if (base in _MACRO_FILES or any(folder in path for folder in _MACRO_FOLDERS)
            or path[1:].startswith(_ODF_MACRO_FOLDERS)):
        raise Unsafe("macro", name)
    if "." in base and base[base.rindex("."):] in ARCHIVE_EXTENSIONS:
        raise Unsafe("nested_archive", name)


def _check_layout(file, entries, cd_offset):
    """Every entry's data ends before the next entry starts: overlapping entries
    let a few kilobytes unpack to gigabytes."""
    ordered = sorted(entries, key=lambda entry: entry.offset)
    for entry, following in zip(ordered, [*ordered[1:], None], strict=True):
        file.seek(entry.offset)
        header = file.read(_LOCAL.size)
        if len(header) < _LOCAL.size or not header.startswith(b"PK\x03\x04"):
            raise Unsafe("damaged", f"no local header for {entry.name}")
        name_length, extra_length = _LOCAL.unpack(header)[-2:]
        entry.data_start = entry.offset + _LOCAL.size + name_length + extra_length
        limit = following.offset if following else cd_offset
        if entry.data_start + entry.compressed > limit:
            raise Unsafe("zip_bomb", f"{entry.name} overlaps what follows it")


def _entry_pieces(file, entry):
    """The entry's unpacked bytes, piece by piece, never more than it declares."""
    if entry.flags & 0x1:
        raise Unsafe("uncheckable", f"{entry.name} is encrypted")
    if entry.method not in (0, 8) or (entry.method == 0 and entry.compressed != entry.uncompressed):
        raise Unsafe("uncheckable", f"{entry.name} is packed with method {entry.method}")
    inflater = zlib.decompressobj(-15) if entry.method == 8 else None
    produced, left = 0, entry.compressed
    file.seek(entry.data_start)
    try:
        while left:
            raw = file.read(min(left, 64 * 1024))
            if not raw:
                raise Unsafe("damaged", f"{entry.name} is cut short")
            left -= len(raw)
            while True:
                if inflater is None:
                    out, raw, full = raw, b"", False
                else:
                    limit = min(entry.uncompressed - produced + 1, 1024 * 1024)
                    out = inflater.decompress(raw, limit)
                    raw, full = inflater.unconsumed_tail, len(out) == limit
                produced += len(out)
                if produced > entry.uncompressed:
                    raise Unsafe("zip_bomb", f"{entry.name} unpacks to more than it declares")
                if out:
                    yield out
                if not raw and not full:
                    break
    except zlib.error as exc:
        raise Unsafe("damaged", f"{entry.name} does not inflate: {exc}") from exc
    if produced != entry.uncompressed or (inflater is not None and not inflater.eof):
        raise Unsafe("damaged", f"{entry.name} does not unpack to its declared size")


def _check_entry_contents(file, entries):
    """Unpack every entry in memory-sized pieces (the limits bound the work):
    archives and VBA projects inside, and what [Content_Types].xml and the
    OpenDocument ``mimetype`` say."""
    content_type, mimetype = "application/zip", b""
    for entry in entries:
        lowered = entry.name.lower()
        is_content_types = lowered == "[content_types].xml"
        head, tail = b"", b""
        for piece in _entry_pieces(file, entry):
            if len(head) < 8:
                head += piece[:8 - len(head)]
                if len(head) >= 8 and head.startswith(ARCHIVE_SIGNATURES):
                    raise Unsafe("nested_archive", entry.name)
            text = tail + piece
            if VBA_PROJECT in text:
                raise Unsafe("macro", f"VBA project in {entry.name}")
            if is_content_types:
                text = text.lower()
                if any(marker in text for marker in _MACRO_CONTENT_TYPES):
                    raise Unsafe("macro", "macro-enabled content type")
                for part, office_type in OFFICE_MAIN_PARTS.items():
                    if part in text:
                        content_type = office_type
            elif lowered == "mimetype" and len(mimetype) < 128:
                mimetype += piece[:128]
            tail = text[-OVERLAP:]
        if head.startswith(ARCHIVE_SIGNATURES):
            raise Unsafe("nested_archive", entry.name)
    if re.fullmatch(rb"application/vnd\.oasis\.opendocument\.[a-z.-]+", mimetype.strip()):
        content_type = mimetype.strip().decode("ascii")
    return content_type
