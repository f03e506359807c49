"""The site served over real HTTP: ``gunicorn config.wsgi`` on a free loopback port.

The workers inherit the bench environment (database, settings, ``bench.urls``), so one server
serves both our endpoints and the baseline.
"""

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, *, log_dir, workers=2, host="127.0.0.1"):
        self.host = host
        self.port = free_port()
        self.workers = workers
        self.log_path = Path(log_dir) / "gunicorn.log"
        self.process = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def start(self, timeout=60):
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi",
            "--bind", f"{self.host}:{self.port}", "--workers", str(self.workers),
            "--timeout", "120", "--log-level", "warning", "--error-logfile", str(self.log_path),
        ]
        self.process = subprocess.Popen(command, cwd=BASE_DIR, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            if self._ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout}s:\n{self.log_tail()}")

    def _ready(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
