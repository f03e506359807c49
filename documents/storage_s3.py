"""Document blobs on S3 (AWS, MinIO, SeaweedFS, Ceph): django-storages' S3 backend, with
Object Lock for issued documents. config/s3.py builds its ``STORAGES`` entry."""

import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.utils import timezone
from django.utils.translation import gettext as _
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from .storage import BlobEntry, BlobNotDestroyed, BlobRetained

log = logging.getLogger(__name__)


class S3BlobStorage(S3Storage):
    """Document blobs on S3 (config/s3.py), with Object Lock for what must outlive everyone's
    good intentions: ``retain`` puts the current version of a blob under COMPLIANCE retention
    (which nobody, the bucket's owner included, can shorten or lift), and ``delete`` refuses a
    blob under retention instead of hiding it behind a delete marker, which on a versioned
    bucket is all a plain delete does: the bytes would stay but the store could no longer read them."""

    #: what a request may raise when the store is unreachable, refuses (403, 503…) or keeps some versions
    failures = (BotoCoreError, ClientError, BlobNotDestroyed, OSError)
    #: keys asked for per listing request (S3's maximum)
    list_page_size = 1000

    def _key(self, name):
        return self._normalize_name(clean_name(name))

    def _client(self):
        return self.connection.meta.client

    def _head(self, name):
        """The blob's HEAD answer, or None when there is no such blob."""
        try:
            return self._client().head_object(Bucket=self.bucket_name, Key=self._key(name))
        except ClientError as err:
            if err.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                return None
            raise

    def stored_size(self, name):
        """The blob's size, or None when there is none: one request (exists + size are two)."""
        head = self._head(name)
        return None if head is None else head["ContentLength"]

    def retained_until(self, name):
        """The retain-until date of the blob's current version, or None."""
        head = self._head(name)
        return None if head is None else head.get("ObjectLockRetainUntilDate")

    def retain(self, name, until):
        """Keep the blob's current version at least until ``until`` (COMPLIANCE mode); returns the
        date in force. A later date already set stays: retention is only ever lengthened."""
        client, key = self._client(), self._key(name)
        head = client.head_object(Bucket=self.bucket_name, Key=key)
        current = head.get("ObjectLockRetainUntilDate")
        if current is not None and head.get("ObjectLockMode") == "COMPLIANCE" and current >= until:
            return current
        try:
            client.put_object_retention(Bucket=self.bucket_name, Key=key, VersionId=head["VersionId"],
                                        Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until})
        except ClientError as err:
            raise ObjectLockUnavailable(
                f"Cannot put {key} under retention in bucket {self.bucket_name} "
                f"({err.response['Error'].get('Code')}): the bucket needs Object Lock (and so versioning) "
                "enabled, or set MUNIS_ISSUED_RETAIN_YEARS=0.") from err
        return until

    def destroy(self, name):
        """Delete every version of the blob (and its delete markers): what disposal needs on a
        versioned bucket, where a plain delete only hides the bytes. Refused under retention."""
        self.delete(name)  # refuses a blob under retention before anything is removed
        key = self._key(name)
        errors = self._destroy_versions(key, only=key)
        if errors:
            raise BlobNotDestroyed(f"Versions of {key} were not deleted: {errors[:5]}")

    def destroy_dir(self, directory):
        """Every version of every object under ``directory`` (e.g. an upload's chunks)."""
        prefix = self._key(directory) + "/"
        errors = self._destroy_versions(prefix)
        if errors:
            raise BlobNotDestroyed(f"Some objects under {prefix} were not removed: {errors[:5]}")

    def iter_blobs(self, prefix, *, start_after=""):
        """Every object under ``prefix`` as a BlobEntry (key without the storage's location, size,
        LastModified), in key order, after ``start_after``: list_objects_v2 one page at a time."""
        root = f"{self.location.strip('/')}/" if self.location.strip("/") else ""
        arguments = {"Bucket": self.bucket_name, "Prefix": self._key(prefix.strip("/")) + "/",
                     "PaginationConfig": {"PageSize": self.list_page_size}}
        if start_after:
            arguments["StartAfter"] = self._key(start_after)
        for page in self._client().get_paginator("list_objects_v2").paginate(**arguments):
            for item in page.get("Contents", []):
                yield BlobEntry(item["Key"][len(root):], item["Size"], item["LastModified"])

    def _destroy_versions(self, prefix, *, only=None):
        """Delete the versions and delete markers of keys starting with ``prefix`` (only the key
        ``only``, when given); returns S3's per-object errors."""
        client, errors = self._client(), []
        for page in client.get_paginator("list_object_versions").paginate(Bucket=self.bucket_name, Prefix=prefix):
            objects = [{"Key": item["Key"], "VersionId": item["VersionId"]}
                       for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
                       if only is None or item["Key"] == only]
            if objects:
                answer = client.delete_objects(Bucket=self.bucket_name, Delete={"Objects": objects, "Quiet": True})
                errors += answer.get("Errors", [])
        return errors

    def delete(self, name):
        until = self.retained_until(name)
        if until is not None and until > timezone.now():
            raise BlobRetained(_("This document is kept under a legal retention period until %(date)s and cannot "
                                 "be deleted before.") % {"date": timezone.localtime(until).strftime("%Y-%m-%d")})
        super().delete(name)


class ObjectLockUnavailable(RuntimeError):
    pass
