"""Document blob upload to S3 (a real SeaweedFS on loopback) vs raw boto3 ``upload_fileobj``.

Ours is the document store's write path: ``documents.blobs.blob_put`` through the
``documents`` storage (django-storages' S3 backend with the production transfer
settings of ``config/s3.py``), which hashes the bytes as they go up and checks
them against the hash the upload checks computed. The baseline is boto3's
``upload_fileobj`` with its default settings, the same files, the same bucket.
Every file has its own random content, so nothing is skipped as already stored.
Throughput in MiB/s; the peak of Python allocations (tracemalloc) of one upload
on each side is reported beside it.
"""

import hashlib
import os
import time
import tracemalloc
import uuid
from pathlib import Path

from bench import Comparison, register

TARGET = 0.7
MiB = 1024 * 1024
FILE_SIZE = 64 * MiB
FILES_PER_ROUND = 3


def _random_file(path, size):
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        left = size
        while left:
            block = os.urandom(min(left, 4 * MiB))
            digest.update(block)
            handle.write(block)
            left -= len(block)
    return digest.hexdigest()


def _timed(upload, files):
    """(seconds for all files, peak traced bytes of the first)."""
    began = time.perf_counter()
    peak = 0
    for index, (path, sha256) in enumerate(files):
        if index == 0:
            tracemalloc.start()
        with open(path, "rb") as handle:
            upload(handle, sha256)
        if index == 0:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return time.perf_counter() - began, peak


@register("s3_upload", "Document blob upload to SeaweedFS S3 (64 MiB files) vs raw boto3 upload_fileobj")
def run(ctx):
    from django.core.files.storage import storages
    from django.test.utils import override_settings

    from documents.blobs import blob_put
    from tests.seaweedfs import SeaweedFS

    root = Path(ctx.tmp_dir) / "seaweedfs"
    root.mkdir()
    server = SeaweedFS(root)
    server.start()
    try:
        server.create_locked_bucket(server.bucket)
        client = server.client(read_timeout=300)
        rounds = max(1, ctx.rounds)
        files = []
        for n in range(rounds * FILES_PER_ROUND * 2):
            path = Path(ctx.tmp_dir) / f"upload-{n}.bin"
            files.append((path, _random_file(path, FILE_SIZE)))

        def ours(handle, sha256):
            blob_put(handle, sha256=sha256, size=FILE_SIZE)

        def raw(handle, sha256):
            client.upload_fileobj(handle, server.bucket, f"raw/{uuid.uuid4().hex}")

        seconds = {"ours": 0.0, "baseline": 0.0}
        peaks = {"ours": 0, "baseline": 0}
        with override_settings(STORAGES={**_storages(), "documents": server.storage_settings(location="bench")}):
            assert storages["documents"].bucket_name == server.bucket
            for r in range(rounds):
                batch = files[r * 2 * FILES_PER_ROUND:(r + 1) * 2 * FILES_PER_ROUND]
                for side, upload, chunk in (("ours", ours, batch[:FILES_PER_ROUND]),
                                            ("baseline", raw, batch[FILES_PER_ROUND:])):
                    took, peak = _timed(upload, chunk)
                    seconds[side] += took
                    peaks[side] = max(peaks[side], peak)
        moved = rounds * FILES_PER_ROUND * FILE_SIZE / MiB
        rate = {side: moved / took for side, took in seconds.items()}
        print(f"  {moved:.0f} MiB per side in {FILE_SIZE // MiB} MiB files; peak Python memory of one upload: "
              f"ours {peaks['ours'] / MiB:.1f} MiB, raw boto3 {peaks['baseline'] / MiB:.1f} MiB", flush=True)
        return Comparison(
            name="s3_upload", ours=rate["ours"], baseline=rate["baseline"], target=TARGET, unit="MiB/s",
            details={"file_mib": FILE_SIZE // MiB, "files_per_side": rounds * FILES_PER_ROUND,
                     "peak_python_mib": {side: round(peak / MiB, 1) for side, peak in peaks.items()}},
        )
    finally:
        server.stop()
        for path in Path(ctx.tmp_dir).glob("upload-*.bin"):
            path.unlink()


def _storages():
    from django.conf import settings

    return dict(settings.STORAGES)
