"""Virus scanning of uploads: a pluggable hook, and an adapter for ClamAV.

``MUNIS_VIRUS_SCANNER`` names (dotted path) a class, instantiated without
arguments, or an object: either way something with ``scan(file) -> None`` that
reads ``file`` (a Django uploaded file) from the start and raises
``VirusFound`` or ``ScannerUnavailable``. Unset, uploads are not scanned.

``ClamdScanner`` speaks clamd's INSTREAM protocol over TCP or a Unix socket
with the standard library alone: a wire protocol of a dozen lines did not
justify a dependency.
"""

import socket
import struct

from django.conf import settings
from django.utils.module_loading import import_string


class VirusFound(Exception):
    """The scanner found ``signature`` in the file."""

    def __init__(self, signature):
        super().__init__(signature)
        self.signature = signature


class ScannerUnavailable(Exception):
    """The file could not be scanned (scanner down, timed out, refused the file)."""


def configured_scanner():
    """The scanner ``MUNIS_VIRUS_SCANNER`` names, or None when it is unset."""
    path = getattr(settings, "MUNIS_VIRUS_SCANNER", None)
    if not path:
        return None
    target = import_string(path)
    return target() if isinstance(target, type) else target


class ClamdScanner:
    """Streams the file to clamd (``zINSTREAM``: length-prefixed chunks, a zero
    length to end) and reads its one-line verdict.

    Connects to ``MUNIS_CLAMD_SOCKET`` when set, else to
    ``MUNIS_CLAMD_HOST``:``MUNIS_CLAMD_PORT``; waits at most
    ``MUNIS_CLAMD_TIMEOUT`` seconds for any one step. clamd refuses streams
    longer than its ``StreamMaxLength``: set that to at least
    ``MUNIS_UPLOAD_MAX_BYTES``, or large uploads are refused as unscannable."""

    chunk_size = 64 * 1024
    max_reply = 4096

    def __init__(self, *, host=None, port=None, socket_path=None, timeout=None):
        self.socket_path = socket_path if socket_path is not None else getattr(settings, "MUNIS_CLAMD_SOCKET", "")
        self.host = host or getattr(settings, "MUNIS_CLAMD_HOST", "127.0.0.1")
        self.port = int(port or getattr(settings, "MUNIS_CLAMD_PORT", 3310))
        self.timeout = float(timeout or getattr(settings, "MUNIS_CLAMD_TIMEOUT", 30))

    def _connect(self):
        if self.socket_path:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(self.timeout)
            try:
                conn.connect(self.socket_path)
            except OSError:
                conn.close()
                raise
            return conn
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def scan(self, file):
        try:
            with self._connect() as conn:
                conn.sendall(b"zINSTREAM\0")
                try:
                    file.seek(0)
                    while chunk := file.read(self.chunk_size):
                        conn.sendall(struct.pack(">I", len(chunk)) + chunk)
                    conn.sendall(struct.pack(">I", 0))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # clamd stops reading at its size limit and says so in its reply
                reply = self._reply(conn)
        except OSError as exc:
            raise ScannerUnavailable(f"clamd at {self._address()}: {exc}") from exc
        finally:
            file.seek(0)
        verdict = reply.removeprefix("stream:").strip()
        if verdict == "OK":
            return
        if verdict.endswith(" FOUND"):
            raise VirusFound(verdict.removesuffix(" FOUND").strip())
        raise ScannerUnavailable(f"clamd at {self._address()}: {reply or 'no answer'}")

    def _reply(self, conn):
        reply = b""
        while b"\0" not in reply and len(reply) < self.max_reply:
            data = conn.recv(self.max_reply)
            if not data:
                break
            reply += data
        return reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()

    def _address(self):
        return self.socket_path or f"{self.host}:{self.port}"
