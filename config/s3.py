"""Document blobs on an S3 object store (AWS, MinIO, SeaweedFS, Ceph).

``documents_storage()`` builds the ``STORAGES["documents"]`` entry that
``config/settings.py`` uses when ``S3_BUCKET`` is set, and that the tests use
against their own SeaweedFS server, so both run the same options.

Keys are content-addressed (the same key always holds the same bytes), so
overwriting a key is harmless and no other name is ever invented for it. Files
above the multipart threshold go up in parts: django-storages hands the open
file to boto3's ``upload_fileobj``, which reads one part at a time. At most
``MAX_PARTS_IN_MEMORY`` parts wait or travel at once, so an upload holds about
three to four parts in memory (24-32 MiB with the defaults), however big the file.
"""

from boto3.s3.transfer import TransferConfig

MiB = 1024 * 1024
# S3 refuses parts under 5 MiB (except the last one).
DEFAULT_MULTIPART_THRESHOLD = 8 * MiB
DEFAULT_MULTIPART_CHUNKSIZE = 8 * MiB
PARALLEL_PARTS = 2
MAX_PARTS_IN_MEMORY = 2


def transfer_config(*, multipart_threshold=DEFAULT_MULTIPART_THRESHOLD, multipart_chunksize=DEFAULT_MULTIPART_CHUNKSIZE):
    config = TransferConfig(
        multipart_threshold=multipart_threshold,
        multipart_chunksize=multipart_chunksize,
        max_concurrency=PARALLEL_PARTS,
    )
    # Not a constructor argument of boto3's TransferConfig, but read by its
    # transfer manager: how many parts read from the file may wait in memory.
    config.max_in_memory_upload_chunks = MAX_PARTS_IN_MEMORY
    return config


def documents_storage(
    *,
    bucket,
    endpoint_url=None,
    access_key=None,
    secret_key=None,
    region="us-east-1",
    addressing_style="path",
    multipart_threshold=DEFAULT_MULTIPART_THRESHOLD,
    multipart_chunksize=DEFAULT_MULTIPART_CHUNKSIZE,
    location="",
):
    """A ``STORAGES`` entry for django-storages' S3 backend (as documents.storage_s3 extends
    it with Object Lock). Without keys, boto3 finds credentials its usual way (environment,
    instance role)."""
    return {
        "BACKEND": "documents.storage_s3.S3BlobStorage",  # django-storages S3Storage with Object Lock
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "region_name": region,
            "addressing_style": addressing_style,
            "signature_version": "s3v4",  # also for signed links (boto3 would sign those with SigV2)
            "location": location,
            "file_overwrite": True,
            "default_acl": None,
            "querystring_auth": True,
            "transfer_config": transfer_config(
                multipart_threshold=multipart_threshold, multipart_chunksize=multipart_chunksize
            ),
        },
    }
