"""A small HTTP client on the standard library: one connection, a cookie jar, CSRF, forms.

Deliberately without ``requests`` so the client's own cost stays small and predictable.
"""

import http.client
import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name):
        return self.headers.get(name, "")


class Session:
    """A browser-like session against one server: keeps cookies, sends the CSRF token."""

    def __init__(self, base_url, timeout=120):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self.cookies = {}

    def close(self):
        self.conn.close()

    @property
    def csrf_token(self):
        return self.cookies.get("csrftoken", "")

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        # The server runs as in production, behind a load balancer that ends TLS and says so;
        # a same-origin browser form post sends its Origin, which CSRF checks.
        headers.setdefault("X-Forwarded-Proto", "https")
        headers.setdefault("Origin", f"https://{self.host}:{self.port}")
        self.conn.request(method, path, body=body, headers=headers)
        raw = self.conn.getresponse()
        response = Response(status=raw.status, headers=raw.headers, body=raw.read())
        self._keep_cookies(raw.headers.get_all("Set-Cookie") or [])
        return response

    def _keep_cookies(self, set_cookie_headers):
        for header in set_cookie_headers:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or (not morsel.value and morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, path, fields):
        body = urlencode({**fields, "csrfmiddlewaretoken": self.csrf_token}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_multipart(self, path, body, content_type):
        return self.request("POST", path, body, {"Content-Type": content_type})

    def login(self, login_path, email, password):
        self.get(login_path)  # sets the CSRF cookie
        response = self.post_form(login_path, {"username": email, "password": password})
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"Login as {email} failed: HTTP {response.status}")
        return response


def encode_multipart(fields, files):
    """``fields``: name → str; ``files``: name → (filename, bytes, content type).
    Returns ``(body, content_type)``: encode once, post many times."""
    boundary = f"munis-bench-{secrets.token_hex(16)}"
    chunks = []
    for name, value in fields.items():
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, content_type) in files.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"
