"""Issuing documents the public can verify, and revoking them.

``document_issue`` is the one way the municipality issues a PDF (a permit, a
refusal, a certificate): it renders the letter (a Django template extending
``documents/pdf/letter.html``, styled by ``letter.css`` beside it, through
WeasyPrint, as PDF/A-3b) with the municipality's letterhead and, at the
bottom of every page, a verification code
in clear beside a QR code of ``<MUNIS_SITE_URL>/verify/<code>/``; signs it
(documents.signing); stores it as the next version of the case's document at
its place; puts its blob under retention where the storage can (S3 Object
Lock); records the ``IssuedDocument`` and audits ``documents.document.issue``,
all in one transaction. The bytes stored are the bytes the verify page vouches for.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.branding import municipality_name
from core.errors import InvalidTransition, PermissionDenied, ValidationFailed

from . import access
from .blobs import blob_retain
from .codes import format_code, new_code
from .letters import LetterFacts, qr_data_uri, verify_url
from .models import IssuedDocument
from .pdf import LETTER_STYLESHEET, PDF_A, html_to_pdf, render_html
from .retention import years_after
from .services import case_document_add_generated
from .signing import configured_signer

log = logging.getLogger(__name__)

CODE_ATTEMPTS = 5


def _unused_code():
    for _attempt in range(CODE_ATTEMPTS):
        code = new_code()
        if not IssuedDocument.objects.filter(code=code).exists():
            return code
    raise RuntimeError("No unused verification code found: the code space is crowded or the generator is broken.")


def _retain(version, issued_at):
    years = settings.MUNIS_ISSUED_RETAIN_YEARS
    if years <= 0:
        return None
    return blob_retain(version.blob_key, until=years_after(issued_at.astimezone(datetime.UTC), years))


def document_issue(*, actor, case, code, title, document_class, template_name, context, issued_to, language,
                   owner=None, file_name=None):
    """Issue a PDF rendered from ``template_name`` (with ``context`` and ``issued``, the
    letter's LetterFacts) as the next version of ``case``'s document at place ``code``,
    owned by ``owner`` (the organisation whose supervisors may revoke it). ``actor``
    None: the system. Returns the IssuedDocument."""
    language = language or settings.LANGUAGE_CODE
    with transaction.atomic(), audit.batch():
        verification = _unused_code()
        display = format_code(verification)
        issued_at = timezone.now()
        url = verify_url(display)
        facts = LetterFacts(code=verification, display_code=display, verify_url=url, qr=qr_data_uri(url),
                            municipality=municipality_name(language), title=title, language=language,
                            issued_at=issued_at)
        html = render_html(template_name, {**context, "issued": facts}, language=language)
        pdf = html_to_pdf(html, pdf_variant=PDF_A, stylesheets=[LETTER_STYLESHEET])
        signer, signature = configured_signer(), {}
        if signer is not None:
            pdf = signer.sign(pdf)
            described = signer.describe()
            signature = {"signer_subject": described.subject[:300], "signature_method": described.method[:100],
                         "signed_at": timezone.now()}
        else:
            log.warning("Document %s (%s) issued without an electronic signature: no signer is configured.",
                        display, title)
        version = case_document_add_generated(
            actor=actor, case=case, code=code, title=title, document_class=document_class, content=pdf,
            name=file_name or f"{code}-{display}.pdf", content_type="application/pdf", owner=owner)
        issued = IssuedDocument(code=verification, version=version, title=title[:300], language=language,
                                issued_to=issued_to[:300], issued_at=issued_at, issued_by=actor,
                                retained_until=_retain(version, issued_at), **signature)
        issued._history_user = actor
        issued.save()
        audit.record(actor=actor, action="documents.document.issue", obj=issued, trail=case,
                     after={"code": display, "title": issued.title, "issued_to": issued.issued_to,
                            "document": version.document_id, "version": version.number, "sha256": version.sha256,
                            "size": version.size, "language": language, "signed_by": issued.signer_subject or None,
                            "retained_until": issued.retained_until},
                     label=lambda: f"{case} — {issued.title} ({display})")
    return issued


def document_revoke(*, actor, issued, reason):
    """Declare an issued document no longer valid (the verify page then says so, with
    the reason). For administrators and the owner organisation's supervisors."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Say why the document is revoked.")]})
    with transaction.atomic(), audit.batch():
        issued = IssuedDocument.objects.select_for_update().select_related("version__document").get(pk=issued.pk)
        document = issued.version.document
        if not access.can_revoke(actor, document):
            raise PermissionDenied()
        if issued.is_revoked:
            raise InvalidTransition(_("%(code)s was already revoked on %(date)s.") % {
                "code": issued.display_code, "date": timezone.localtime(issued.revoked_at).strftime("%Y-%m-%d")},
                code="already_revoked")
        issued.revoked_at, issued.revoked_by, issued.revocation_reason = timezone.now(), actor, reason[:2000]
        issued._history_user = actor
        issued.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        audit.record(actor=actor, action="documents.document.revoke", obj=issued, trail=document.case or issued,
                     before={"revoked": False},
                     after={"code": issued.display_code, "revoked_at": issued.revoked_at, "reason": reason[:2000]})
    return issued
