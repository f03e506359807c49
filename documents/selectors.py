"""Reads of the document store."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Prefetch

from core.cache import CachedConfiguration

from .models import Document, DocumentClass, DocumentVersion, IssuedDocument

#: the classification scheme, read whenever documents are stored
class_cache = CachedConfiguration("documents:classes", timeout=300)

#: the classes apps rely on, by code: declared with ``register_document_class`` from an app's
#: ``ready()`` and created on first use when the scheme lacks them
BUILT_IN_CLASSES = {}


def register_document_class(code, *, name, retention_years, disposal, confidentiality):
    """An app declares a document class its code stores documents under (a permit's
    application documents, a letter's attachments), with the scheme's defaults for it.
    An administrator may change the class afterwards; the code only needs it to exist."""
    if code in BUILT_IN_CLASSES:
        raise ImproperlyConfigured(f"The document class {code!r} is declared twice.")
    BUILT_IN_CLASSES[code] = {"name": name, "retention_years": retention_years, "disposal": disposal,
                              "confidentiality": confidentiality}


def document_class(code):
    """A class of the scheme by code (cached); a built-in one is created if missing."""
    found = class_cache.get(code)
    if found is None:
        found = DocumentClass.objects.filter(code=code).first()
        if found is None and code in BUILT_IN_CLASSES:
            defaults = {**BUILT_IN_CLASSES[code], "name": str(BUILT_IN_CLASSES[code]["name"])}
            return DocumentClass.objects.get_or_create(code=code, defaults=defaults)[0]
        if found is None:
            raise DocumentClass.DoesNotExist(f"No document class {code!r}.")
        # Cached once committed: read inside a transaction, the row may be one this transaction
        # has just created, which other workers must not be handed before it exists for them.
        transaction.on_commit(lambda: class_cache.set(code, found))
    return found


def case_reference(case):
    """How a document (or a hold) names the case it belongs to: its content type and id."""
    return {"case_type": ContentType.objects.get_for_model(case), "case_id": str(case.pk)}


def _of_case(case):
    return Document.objects.filter(**case_reference(case))


_NEWEST_FIRST = Prefetch("versions", queryset=DocumentVersion.objects.select_related("preview").order_by("-number"),
                         to_attr="versions_newest_first")


def documents_of_case(case):
    """The case's documents with their versions, newest version first."""
    return _of_case(case).prefetch_related(_NEWEST_FIRST)


def documents_of_cases(cases):
    """``{case pk: [documents]}`` for cases of one model, in two queries (a list page)."""
    cases = list(cases)
    if not cases:
        return {}
    found = {str(case.pk): [] for case in cases}
    documents = Document.objects.filter(case_type=ContentType.objects.get_for_model(cases[0]), case_id__in=list(found))
    for document in documents.prefetch_related(_NEWEST_FIRST):
        found[document.case_id].append(document)
    return {case.pk: found[str(case.pk)] for case in cases}


def document_codes_of_case(case):
    return set(_of_case(case).exclude(code="").values_list("code", flat=True))


def version_of_case(case, pk):
    """A version of one of the case's documents, or None (another case's, or no such version)."""
    return DocumentVersion.objects.select_related("document").filter(
        pk=pk, document__in=_of_case(case)).first()


def issued_document_by_code(code):
    """The issued document with this (normalized) verification code, with its version and
    document, or None."""
    return IssuedDocument.objects.select_related("version__document__document_class").filter(code=code).first()


def issued_document_of_case(case, code):
    """The document last issued at place ``code`` of the case (its newest issued version), or None."""
    return (IssuedDocument.objects.select_related("version__document")
            .filter(version__document__in=_of_case(case).filter(code=code))
            .order_by("-version__number").first())


def legal_holds_listed(*, released_limit=20):
    """The legal-hold desk's list: every hold in force, newest first, then the latest released ones."""
    from .retention_models import LegalHold

    holds = LegalHold.objects.select_related("placed_by", "released_by", "document").prefetch_related("case")
    return (list(holds.filter(released_at__isnull=True).order_by("-placed_at", "-id")),
            list(holds.filter(released_at__isnull=False).order_by("-released_at", "-id")[:released_limit]))
