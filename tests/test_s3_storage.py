"""Document blobs on S3: the ``documents`` storage against a real SeaweedFS
server (tests/seaweedfs.py), big files in parts, Object Lock, readiness."""

import datetime
import json
import os
import subprocess
import sys
import tracemalloc
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError
from django.conf import settings as django_settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from config.s3 import DEFAULT_MULTIPART_CHUNKSIZE, MAX_PARTS_IN_MEMORY, PARALLEL_PARTS, MiB


def test_a_blob_saved_through_the_documents_storage_lands_in_the_bucket(s3_documents):
    storage = storages["documents"]
    key = "ab/cd/abcd0123-blob"
    body = b"%PDF-1.7 a building permit application\n" * 100

    saved = storage.save(key, ContentFile(body))

    assert saved == key
    head = s3_documents.client.head_object(Bucket=s3_documents.bucket, Key=s3_documents.key(key))
    assert head["ContentLength"] == len(body)
    assert head["VersionId"]  # the bucket keeps versions
    assert storage.exists(key) and storage.size(key) == len(body)
    with storage.open(key, "rb") as handle:
        assert handle.read() == body


def test_saving_the_same_key_again_keeps_the_key(s3_documents):
    """Keys are content-addressed: the same key is the same bytes, so no `_abc123` names appear."""
    storage = storages["documents"]
    assert storage.save("same/key", ContentFile(b"same bytes")) == "same/key"
    assert storage.save("same/key", ContentFile(b"same bytes")) == "same/key"
    _dirs, files = storage.listdir("same")
    assert files == ["key"]


def test_a_signed_link_serves_the_blob_and_an_unsigned_one_does_not(s3_documents):
    storage = storages["documents"]
    storage.save("signed/blob", ContentFile(b"only with a signature"))

    url = storage.url("signed/blob")

    assert "X-Amz-Signature=" in url  # SigV4 query signing
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"only with a signature"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url.split("?")[0], timeout=10)
    assert refused.value.code == 403


def test_a_50_mb_document_goes_up_in_parts_without_being_held_in_memory(s3_documents, tmp_path):
    storage = storages["documents"]
    size = 50 * MiB
    path = tmp_path / "survey.bin"
    with open(path, "wb") as out:
        for _ in range(size // MiB):
            out.write(os.urandom(MiB))
    storage.exists("warm-up")  # the S3 client and its session are made before we measure

    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        with open(path, "rb") as handle:
            storage.save("big/survey", File(handle))
        peak_growth = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()

    key = s3_documents.key("big/survey")
    head = s3_documents.client.head_object(Bucket=s3_documents.bucket, Key=key)
    parts = -(-size // DEFAULT_MULTIPART_CHUNKSIZE)  # 7 parts of 8 MiB (the last one shorter)
    assert head["ContentLength"] == size
    assert head["ETag"].strip('"').endswith(f"-{parts}")  # a multipart upload's ETag
    first = s3_documents.client.head_object(Bucket=s3_documents.bucket, Key=key, PartNumber=1)
    assert first["PartsCount"] == parts and first["ContentLength"] == DEFAULT_MULTIPART_CHUNKSIZE
    # A few parts in memory at a time, never the whole file: the parts waiting or on the wire
    # (MAX_PARTS_IN_MEMORY), the next one read, and one a finished upload thread has not yet
    # dropped (about 3 parts measured, 27 MiB); plus botocore's 1 MiB checksum reads.
    bound = (MAX_PARTS_IN_MEMORY + PARALLEL_PARTS) * DEFAULT_MULTIPART_CHUNKSIZE + 4 * MiB
    assert peak_growth < bound, f"{peak_growth / MiB:.1f} MiB at peak while uploading {size // MiB} MiB"


def _tomorrow():
    return datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)


def _error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_a_version_under_compliance_retention_cannot_be_deleted_before_its_date(seaweedfs):
    s3, bucket = seaweedfs.client(), seaweedfs.bucket
    key = "retention/decision-letter.pdf"
    version = s3.put_object(Bucket=bucket, Key=key, Body=b"%PDF-1.7 decision")["VersionId"]
    s3.put_object_retention(
        Bucket=bucket, Key=key, VersionId=version,
        Retention={"Mode": "COMPLIANCE", "RetainUntilDate": _tomorrow()},
    )
    assert s3.get_object_retention(Bucket=bucket, Key=key, VersionId=version)["Retention"]["Mode"] == "COMPLIANCE"

    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version)
    assert _error_code(refused) == "AccessDenied"
    # Not even with the governance bypass, and not by shortening the retention either.
    with pytest.raises(ClientError) as bypass:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version, BypassGovernanceRetention=True)
    assert _error_code(bypass) == "AccessDenied"
    with pytest.raises(ClientError) as shorten:
        s3.put_object_retention(
            Bucket=bucket, Key=key, VersionId=version, BypassGovernanceRetention=True,
            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _tomorrow() - datetime.timedelta(hours=23)},
        )
    assert _error_code(shorten) == "AccessDenied"
    # A plain delete only stacks a delete marker on top: the version is still there.
    assert s3.delete_object(Bucket=bucket, Key=key)["DeleteMarker"] is True
    assert s3.get_object(Bucket=bucket, Key=key, VersionId=version)["Body"].read() == b"%PDF-1.7 decision"


def test_a_version_put_with_compliance_lock_headers_cannot_be_deleted_but_an_unlocked_one_can(seaweedfs):
    s3, bucket = seaweedfs.client(), seaweedfs.bucket
    locked = s3.put_object(
        Bucket=bucket, Key="retention/locked-on-upload", Body=b"kept",
        ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=_tomorrow(),
    )["VersionId"]
    unlocked = s3.put_object(Bucket=bucket, Key="retention/unlocked", Body=b"free")["VersionId"]

    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=bucket, Key="retention/locked-on-upload", VersionId=locked)
    assert _error_code(refused) == "AccessDenied"
    # The same identity may delete a version without retention: the refusal is the lock's.
    s3.delete_object(Bucket=bucket, Key="retention/unlocked", VersionId=unlocked)
    with pytest.raises(ClientError) as gone:
        s3.head_object(Bucket=bucket, Key="retention/unlocked", VersionId=unlocked)
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_readiness_reports_the_document_bucket(client, db, s3_documents, seaweedfs, settings):
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.content
    assert ready.json()["checks"]["documents"] == "ok"

    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {**seaweedfs.storage_settings(), "OPTIONS": {
            **seaweedfs.storage_settings()["OPTIONS"], "bucket_name": "no-such-bucket"}},
    }
    missing = client.get("/readyz")
    assert missing.status_code == 503
    assert missing.json()["checks"]["documents"].startswith("error")

    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {**seaweedfs.storage_settings(), "OPTIONS": {
            **seaweedfs.storage_settings()["OPTIONS"], "endpoint_url": "http://127.0.0.1:9"}},
    }
    unreachable = client.get("/readyz")
    assert unreachable.status_code == 503
    assert unreachable.json()["checks"]["documents"].startswith("error")


def test_readiness_has_no_document_bucket_check_without_s3(client, db):
    assert "documents" not in client.get("/readyz").json()["checks"]


def test_the_s3_environment_variables_put_document_blobs_on_s3(seaweedfs):
    """config/settings.py as a deployment runs it: S3_* in the environment, a blob saved and read back."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("S3_", "AWS_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "S3_BUCKET": seaweedfs.bucket,
        "S3_ENDPOINT_URL": seaweedfs.endpoint_url,
        "S3_ACCESS_KEY_ID": seaweedfs.access_key,
        "S3_SECRET_ACCESS_KEY": seaweedfs.secret_key,
        "S3_MULTIPART_THRESHOLD": str(6 * MiB),
    }
    script = (
        "import json, django; django.setup()\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import storages\n"
        "s = storages['documents']\n"
        "name = s.save('from-env/blob', ContentFile(b'configured by the environment'))\n"
        "print(json.dumps({'class': type(s).__module__ + '.' + type(s).__name__, 'name': name,\n"
        "  'body': s.open(name).read().decode(), 'region': s.region_name, 'style': s.addressing_style,\n"
        "  'overwrite': s.file_overwrite, 'acl': s.default_acl, 'signed': s.querystring_auth,\n"
        "  'threshold': s.transfer_config.multipart_threshold}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=django_settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {
        "class": "documents.storage_s3.S3BlobStorage", "name": "from-env/blob", "body": "configured by the environment",
        "region": "us-east-1", "style": "path", "overwrite": True, "acl": None, "signed": True,
        "threshold": 6 * MiB,
    }
    head = seaweedfs.client().head_object(Bucket=seaweedfs.bucket, Key="from-env/blob")
    assert head["ContentLength"] == len("configured by the environment")
