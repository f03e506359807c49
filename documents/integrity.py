"""``manage.py verify_documents``: every blob read back and checked against what
its versions promise (a blob shared by identical versions is read once)."""

from dataclasses import dataclass, field

from .blobs import blob_check
from .models import DocumentVersion


@dataclass
class BlobProblem:
    key: str
    problem: str
    version_ids: list


@dataclass
class IntegrityReport:
    blobs: int = 0
    versions: int = 0
    problems: list = field(default_factory=list)


def verify_blobs(batch_size=2000):
    report = IntegrityReport()
    blobs = {}
    # a disposed document's blobs are gone by decision (its disposal item keeps their hashes)
    rows = (DocumentVersion.objects.filter(document__disposed_at__isnull=True).order_by("pk")
            .values_list("pk", "blob_key", "sha256", "size"))
    for pk, key, sha256, size in rows.iterator(chunk_size=batch_size):
        report.versions += 1
        blobs.setdefault((key, sha256, size), []).append(pk)
    for (key, sha256, size), version_ids in blobs.items():
        report.blobs += 1
        problem = blob_check(key, sha256=sha256, size=size)
        if problem:
            report.problems.append(BlobProblem(key=key, problem=problem, version_ids=version_ids))
    return report
