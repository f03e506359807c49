"""A building permit from submission to a downloadable PDF, over HTTP as each
role, with the audit trail checked and then tampered with."""

import hashlib
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from core.audit import trail_key_for
from core.models import AuditEvent
from core.outbox import outbox_deliver_due
from eservices.models import Application
from eservices.selectors import decision_letter_of

from .cases import apply_over_http, claim_and_complete, open_task, versions_of
from .factories import pdf_upload
from .tamper import as_database_superuser


def test_permit_goes_from_submission_through_correction_and_reviews_to_a_permit_pdf(transactional_db, client, people):
    # The citizen applies.
    client.force_login(people.citizen)
    response = apply_over_http(client)
    assert response.status_code == 302
    application = Application.objects.get(applicant=people.citizen)
    assert application.reference.startswith("BP-") and application.reference.endswith("-000001")
    assert application.status == "submitted"
    outbox_deliver_due()  # the timers (or a worker) send what the step wrote
    assert mail.outbox[-1].to == [people.citizen.email]
    assert application.reference in mail.outbox[-1].subject

    # The clerk finds it in the queue and asks for a correction.
    client.force_login(people.clerk)
    inbox = client.get(reverse("workflows:inbox"))
    assert application.reference in inbox.content.decode()
    claim_and_complete(client, open_task(application, "check_completeness"),
                       complete="no", comment="The site plan is unreadable.")
    application.refresh_from_db()
    assert application.status == "correction"
    outbox_deliver_due()
    assert "correction" in mail.outbox[-1].subject.lower()

    # The citizen sees the request and answers it with a new scan.
    client.force_login(people.citizen)
    page = client.get(reverse("eservices:application", args=[application.pk])).content.decode()
    assert "The site plan is unreadable." in page
    response = client.post(reverse("eservices:correction", args=[application.pk]), {
        "site_address": "12 Navoi Street, Tashkent", "cadastral_number": "10:05:0012345:17",
        "building_type": "residential", "floors": 3, "floor_area": 420.5,
        "doc_site_plan": pdf_upload("site_plan_v2.pdf"), "comment": "Clearer scan attached.",
    })
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"
    # the corrected site plan is the second version of the same document; nothing was overwritten
    site_plan = [v for v in versions_of(application) if v.document.code == "site_plan"]
    assert [(v.number, v.original_name) for v in site_plan] == [(1, "site_plan.pdf"), (2, "site_plan_v2.pdf")]
    assert versions_of(application).count() == 4

    # Second check passes; three departments review in parallel.
    client.force_login(people.clerk)
    claim_and_complete(client, open_task(application, "check_completeness"), complete="yes", comment="")
    application.refresh_from_db()
    assert application.status == "in_review"
    reviews = [("review_architecture", people.clerk), ("review_fire_safety", people.fire),
               ("review_environment", people.environment)]
    assert {open_task(application, step).pk for step, _ in reviews}  # all three open at once
    for step, reviewer in reviews:
        client.force_login(reviewer)
        claim_and_complete(client, open_task(application, step), favourable="yes", comment=f"{step} ok")
    application.refresh_from_db()
    assert application.status == "awaiting_decision"

    # The head approves; the permit is issued as PDF.
    client.force_login(people.supervisor)
    claim_and_complete(client, open_task(application, "decision"), approve="yes", reasons="")
    application.refresh_from_db()
    assert application.status == "approved"
    assert application.process.status == "DONE"

    client.force_login(people.citizen)
    response = client.get(reverse("eservices:decision", args=[application.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Building permit" in text and application.reference in text
    assert f"{application.reference} · 1/1" in text  # the letterhead stylesheet's page label, bottom right

    # It is the issued document: signed (pyHanko finds the signature intact, covering the whole
    # file), and carrying its verification code and the verify page's address.
    issued = decision_letter_of(application)
    assert hashlib.sha256(pdf).hexdigest() == issued.version.sha256
    assert issued.display_code in text and f"/verify/{issued.display_code}/" in text
    signature = validate_pdf_signature(PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0],
                                       ValidationContext(trust_roots=[], allow_fetching=False))
    assert signature.intact and signature.valid and signature.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert issued.signer_subject and issued.signer_subject in signature.signing_cert.subject.human_friendly
    case_page = client.get(reverse("eservices:application", args=[application.pk])).content.decode()
    assert reverse("documents:verify", args=[issued.display_code]) in case_page

    # The trail: every step, in order, by the right people.
    events = list(AuditEvent.objects.for_trail(trail_key_for(application)))
    actions = [(e.action, e.actor_id) for e in events]
    citizen, clerk, sup = people.citizen.pk, people.clerk.pk, people.supervisor.pk
    expected = (
        [("documents.version.create", citizen)] * 3
        + [("eservices.application.submit", citizen),
           ("workflows.task.claim", clerk), ("eservices.application.check_completeness", clerk),
           ("documents.version.create", citizen), ("eservices.application.resubmit", citizen),
           ("workflows.task.claim", clerk), ("eservices.application.check_completeness", clerk)]
    )
    for _step, reviewer in reviews:
        expected += [("workflows.task.claim", reviewer.pk), ("eservices.application.review", reviewer.pk)]
    expected += [("workflows.task.claim", sup), ("eservices.application.decide", sup),  # the decision, then its letter
                 ("documents.version.create", None), ("documents.document.issue", None),
                 ("eservices.application.issue_letter", None), ("documents.retention.set", None),
                 ("eservices.application.download_decision", citizen)]
    assert actions == expected
    assert len(events) == 23

    call_command("verify_audit")

    # Tamper with one row behind the application's back: verify_audit names it.
    victim = events[5]
    with as_database_superuser() as cursor:
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET actor_label = %s WHERE id = %s",
                       ["Somebody Else", victim.pk])
    with pytest.raises(CommandError, match=f"#{victim.pk}"):
        call_command("verify_audit")


def test_refusal_needs_reasons_and_issues_a_refusal_letter(transactional_db, client, people):
    client.force_login(people.citizen)
    apply_over_http(client)
    application = Application.objects.get(applicant=people.citizen)
    client.force_login(people.clerk)
    claim_and_complete(client, open_task(application, "check_completeness"), complete="yes")
    for step, reviewer in [("review_architecture", people.clerk), ("review_fire_safety", people.fire),
                           ("review_environment", people.environment)]:
        client.force_login(reviewer)
        claim_and_complete(client, open_task(application, step), favourable="no", comment="")

    client.force_login(people.supervisor)
    task = open_task(application, "decision")
    client.post(reverse("workflows:claim", args=[task.pk]))
    response = client.post(reverse("workflows:task", args=[task.pk]), {"approve": "no", "reasons": ""})
    assert response.status_code == 400
    assert "A refusal must state its reasons." in response.content.decode()
    application.refresh_from_db()
    assert application.status == "awaiting_decision"

    client.post(reverse("workflows:task", args=[task.pk]), {"approve": "no", "reasons": "Zoning forbids it."})
    application.refresh_from_db()
    assert application.status == "refused"
    client.force_login(people.citizen)
    pdf = b"".join(client.get(reverse("eservices:decision", args=[application.pk])).streaming_content)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Refusal" in text and "Zoning forbids it." in text
    assert decision_letter_of(application).display_code in text
