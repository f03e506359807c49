"""The citizen's journey around a case, as they meet it in the browser: deleting a draft, withdrawing an
application before its decision, files kept when the form comes back with an error, and what happens next."""

import html
import re

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import dateformat, timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from core.models import AuditEvent
from core.outbox import outbox_deliver_due
from documents.blobs import documents_storage
from documents.models import Document, UploadSession
from eservices import services
from eservices.models import Application
from workflows.models import CaseClock, OpenTask, TaskClock

from . import cases
from .factories import PERMIT_DATA, TINY_PDF, pdf_upload, permit_files


def _unique_pdf(tag):
    """A valid PDF whose bytes (so whose blob) no other test file shares."""
    return TINY_PDF.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%" + tag.encode() + b"\n", 1)


# --- deleting a draft --------------------------------------------------------------------------------------------

def test_a_citizen_deletes_their_draft_after_confirming_and_its_files_go(
        client, people, permit_service, django_capture_on_commit_callbacks):
    draft = cases.draft(people.citizen)
    extra = services.application_save_draft(
        actor=people.citizen, service_type=permit_service, application=draft, data=draft.data,
        files={"ownership": pdf_upload("deed.pdf", _unique_pdf("draft-only"))})
    own_blob = cases.versions_of(extra).get(document__code="ownership").blob_key
    client.force_login(people.citizen)

    page = client.get(reverse("eservices:application", args=[draft.pk]))
    assert reverse("eservices:delete_draft", args=[draft.pk]) in page.content.decode()
    confirm = client.get(reverse("eservices:delete_draft", args=[draft.pk]))
    assert confirm.status_code == 200
    assert "Are you sure you want to delete" in confirm.content.decode()
    assert Application.objects.filter(pk=draft.pk).exists()  # asking changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("eservices:delete_draft", args=[draft.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("eservices:my_applications")
    assert f"The draft Draft #{draft.pk} was deleted." in response.content.decode()
    assert not Application.objects.filter(pk=draft.pk).exists()
    documents = Document.objects.filter(case_id=str(draft.pk))
    assert documents.count() == 2 and all(doc.disposed_at and doc.outcome == "draft_deleted" for doc in documents)
    assert not documents_storage().exists(own_blob)  # the draft's own file is gone from the storage
    deleted = AuditEvent.objects.get(action="eservices.application.delete_draft")
    assert (deleted.actor, deleted.object_label, deleted.trail_key) == (
        people.citizen, f"Draft #{draft.pk}", f"eservices.application:{draft.pk}")
    assert sorted(deleted.after["documents"]) == sorted(documents.values_list("pk", flat=True))
    assert AuditEvent.objects.filter(action="documents.document.discard", trail_key=deleted.trail_key).count() == 2
    assert client.get(reverse("eservices:application", args=[draft.pk])).status_code == 404


def test_a_file_the_draft_shares_with_a_kept_case_stays_in_the_storage(
        client, people, permit_service, django_capture_on_commit_callbacks):
    kept = cases.submitted(people.citizen)
    draft = cases.draft(people.citizen)  # the same tiny PDF as the submitted case's site plan
    shared = cases.versions_of(draft).get().blob_key
    client.force_login(people.citizen)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("eservices:delete_draft", args=[draft.pk]))

    assert documents_storage().exists(shared)
    response = client.get(reverse("eservices:document", args=[kept.pk, cases.versions_of(kept).first().pk]))
    assert response.status_code == 200


def test_nobody_else_can_delete_a_draft(client, people, permit_service):
    draft = cases.draft(people.citizen)
    for someone in (people.other_citizen, people.clerk, people.auditor):
        client.force_login(someone)
        assert client.get(reverse("eservices:delete_draft", args=[draft.pk])).status_code == 404
        assert client.post(reverse("eservices:delete_draft", args=[draft.pk])).status_code == 404
    assert Application.objects.filter(pk=draft.pk).exists()
    assert not AuditEvent.objects.filter(action="eservices.application.delete_draft").exists()


def test_a_submitted_application_cannot_be_deleted(client, people, permit_service):
    application = cases.submitted(people.citizen)
    client.force_login(people.citizen)

    for response in (client.get(reverse("eservices:delete_draft", args=[application.pk])),
                     client.post(reverse("eservices:delete_draft", args=[application.pk]))):
        assert response.status_code == 409
        assert "A submitted application cannot be deleted" in response.content.decode()
    assert Application.objects.filter(pk=application.pk).exists()
    assert reverse("eservices:delete_draft", args=[application.pk]) not in client.get(reverse("eservices:application", args=[application.pk])).content.decode()


# --- withdrawing an application ----------------------------------------------------------------------------------

def _inbox(client, user):
    client.force_login(user)
    return client.get(reverse("workflows:inbox")).content.decode()


def test_a_citizen_withdraws_an_application_under_review_and_the_case_closes(client, people, permit_service):
    application = cases.in_review(people.citizen, people.clerk)
    cases.claimed(application, "review_fire_safety", people.fire)
    assert application.reference in _inbox(client, people.clerk)
    outbox_deliver_due()
    mail.outbox.clear()
    client.force_login(people.citizen)

    page = client.get(reverse("eservices:application", args=[application.pk])).content.decode()
    assert reverse("eservices:withdraw", args=[application.pk]) in page
    confirm = client.get(reverse("eservices:withdraw", args=[application.pk]))
    assert confirm.status_code == 200
    assert f"Are you sure you want to withdraw {application.reference}?" in confirm.content.decode()
    assert 'name="reason"' in confirm.content.decode()
    response = client.post(reverse("eservices:withdraw", args=[application.pk]),
                           {"reason": "We sold the plot."}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("eservices:application", args=[application.pk])
    body = response.content.decode()
    assert f"You have withdrawn the application {application.reference}." in body
    assert re.search(r'<strong id="status"[^>]*>Withdrawn</strong>', body)
    assert "Application withdrawn" in body  # on the timeline
    assert reverse("eservices:withdraw", args=[application.pk]) not in body
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN and application.process.status == PROCESS.CANCELED
    tasks = Task.objects.filter(process_id=application.process_id, flow_task_type="HUMAN")
    assert not tasks.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]).exists()
    assert tasks.filter(status=STATUS.CANCELED).count() == 3  # the three reviews, one of them held
    assert not OpenTask.objects.filter(process_id=application.process_id).exists()
    assert not TaskClock.objects.filter(process_id=application.process_id, finished_at__isnull=True).exists()
    assert CaseClock.objects.get(process_id=application.process_id).stopped_at is not None
    for staff in (people.clerk, people.fire, people.environment):
        assert application.reference not in _inbox(client, staff)
    event = AuditEvent.objects.get(action="eservices.application.withdraw")
    assert (event.actor, event.trail_key) == (people.citizen, f"eservices.application:{application.pk}")
    assert event.before == {"status": "in_review", "steps": ["review_architecture", "review_environment",
                                                             "review_fire_safety"]}
    assert (event.after["status"], event.after["process"], event.after["reason"]) == (
        "withdrawn", "CANCELED", "We sold the plot.")
    documents = Document.objects.filter(case_id=str(application.pk))
    assert documents and all(doc.outcome == "withdrawn" and doc.disposal_due for doc in documents)
    outbox_deliver_due()
    (message,) = mail.outbox
    assert message.to == [people.citizen.email]
    assert message.subject == f"Application {application.reference}: withdrawn"
    assert "You have withdrawn your application" in message.body and "We sold the plot." in message.body
    client.force_login(people.clerk)  # staff still read the case, and why it ended
    staff_page = client.get(reverse("eservices:application", args=[application.pk])).content.decode()
    assert "Withdrawn" in staff_page and "Application withdrawn" in staff_page


def test_an_application_waiting_for_a_correction_can_be_withdrawn_without_a_reason(client, people, permit_service):
    application = cases.in_correction(people.citizen, people.clerk)
    client.force_login(people.citizen)

    response = client.post(reverse("eservices:withdraw", args=[application.pk]))

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert client.get(reverse("eservices:correction", args=[application.pk])).status_code == 302  # nothing to answer
    assert AuditEvent.objects.get(action="eservices.application.withdraw").after["reason"] == ""


def test_a_decided_application_cannot_be_withdrawn(client, people, permit_service):
    application = cases.approved(people.citizen, people)
    client.force_login(people.citizen)

    assert reverse("eservices:withdraw", args=[application.pk]) not in client.get(
        reverse("eservices:application", args=[application.pk])).content.decode()
    for response in (client.get(reverse("eservices:withdraw", args=[application.pk])),
                     client.post(reverse("eservices:withdraw", args=[application.pk]), {"reason": "Changed my mind."})):
        assert response.status_code == 409
        assert "can no longer be withdrawn" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert not AuditEvent.objects.filter(action="eservices.application.withdraw").exists()


def test_once_the_head_has_decided_withdrawing_is_refused_even_before_the_letter(client, people, permit_service):
    """The decision step is done but the letter's step failed (an incident): the case is decided."""
    from permits import services as permits

    from .world import _renderer_down

    application = cases.reviewed(people.citizen, people)
    with _renderer_down():
        permits.permit_decide(task=cases.claimed(application, "decision", people.supervisor), actor=people.supervisor,
                              data={"approve": True, "reasons": ""})
    client.force_login(people.citizen)

    response = client.post(reverse("eservices:withdraw", args=[application.pk]))

    assert response.status_code == 409 and "can no longer be withdrawn" in response.content.decode()


def test_only_the_applicant_can_withdraw(client, people, permit_service):
    application = cases.submitted(people.citizen)
    for someone in (people.other_citizen, people.clerk, people.supervisor):
        client.force_login(someone)
        assert client.get(reverse("eservices:withdraw", args=[application.pk])).status_code == 404
        assert client.post(reverse("eservices:withdraw", args=[application.pk])).status_code == 404
    application.refresh_from_db()
    assert application.status == "submitted"


# --- files kept when the form comes back with an error ------------------------------------------------------------

def _apply_url():
    return reverse("eservices:apply", args=["building-permit"])


def _offered(response):
    """{document code: the kept file's id} the re-rendered form carries in its hidden fields."""
    return dict(re.findall(r'name="doc_(\w+?)_upload" value="([0-9a-f-]{36})"', response.content.decode()))


def _post(client, data=None, files=None, **extra):
    payload = {**PERMIT_DATA, "action": "submit", **(data or {}), **extra}
    payload.update({f"doc_{code}": upload for code, upload in (files or {}).items()})
    return client.post(_apply_url(), payload)


def test_the_files_chosen_survive_an_error_in_another_field(client, people, permit_service):
    client.force_login(people.citizen)

    refused = _post(client, {"site_address": ""}, permit_files())

    assert refused.status_code == 400
    page = html.unescape(refused.content.decode())
    assert "This field is required." in page
    for code in ("site_plan", "architectural_design", "ownership"):
        assert f"Already attached: “{code}.pdf”" in page
    offered = _offered(refused)
    assert set(offered) == {"site_plan", "architectural_design", "ownership"}
    assert not Application.objects.exists()

    response = _post(client, **{f"doc_{code}_upload": pk for code, pk in offered.items()})

    assert response.status_code == 302
    application = Application.objects.get()
    assert application.status == "submitted"
    assert sorted(cases.versions_of(application).values_list("document__code", "original_name")) == [
        ("architectural_design", "architectural_design.pdf"), ("ownership", "ownership.pdf"),
        ("site_plan", "site_plan.pdf")]
    assert not UploadSession.objects.exists()  # used up
    kept = AuditEvent.objects.filter(action="documents.upload.keep")
    assert kept.count() == 3 and {event.actor for event in kept} == {people.citizen}


def test_a_new_file_sent_with_a_correction_survives_an_error_in_another_field(client, people, permit_service):
    application = cases.in_correction(people.citizen, people.clerk)
    client.force_login(people.citizen)
    url = reverse("eservices:correction", args=[application.pk])
    answer = {**PERMIT_DATA, "comment": "A readable scan."}
    refused = client.post(url, {**answer, "floors": "0", "doc_site_plan": pdf_upload("site_plan_v2.pdf")})
    assert refused.status_code == 400
    page = html.unescape(refused.content.decode())
    assert "Ensure this value is greater than or equal to 1." in page
    assert "Already attached: “site_plan_v2.pdf”" in page
    offered = _offered(refused)
    assert set(offered) == {"site_plan"}

    sent = client.post(url, {**answer, "doc_site_plan_upload": offered["site_plan"]})
    assert sent.status_code == 302
    site_plans = cases.versions_of(application).filter(document__code="site_plan")
    assert list(site_plans.values_list("original_name", flat=True)) == ["site_plan.pdf", "site_plan_v2.pdf"]


def test_every_file_error_is_reported_at_once_with_the_form_errors(client, people, permit_service):
    client.force_login(people.citizen)
    files = {"site_plan": SimpleUploadedFile("site_plan.pdf", b"MZ" + b"\0" * 200),
             "ownership": pdf_upload("deed.png"), "architectural_design": pdf_upload("design.pdf")}

    response = _post(client, {"floors": "0"}, files)

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Ensure this value is greater than or equal to 1." in page
    assert "“site_plan.pdf” is not an accepted file type." in page
    assert "The name “deed.png” does not match its content (application/pdf)." in page
    assert "Already attached: “design.pdf”" in page
    assert set(_offered(response)) == {"architectural_design"}


def test_every_file_error_is_reported_at_once_when_only_files_are_wrong(client, people, permit_service):
    client.force_login(people.citizen)
    files = {**permit_files(), "site_plan": SimpleUploadedFile("site_plan.pdf", b"MZ" + b"\0" * 200),
             "ownership": pdf_upload("deed.png")}

    response = _post(client, files=files)

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    # each once at its field and once in the error summary at the top, which links to the field
    assert page.count("is not an accepted file type.") == 2
    assert page.count("does not match its content") == 2
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert 'href="#id_doc_site_plan"' in summary and 'href="#id_doc_ownership"' in summary
    assert set(_offered(response)) == {"architectural_design"}


def test_a_new_file_replaces_the_one_kept(client, people, permit_service):
    client.force_login(people.citizen)
    first = _offered(_post(client, {"site_address": ""}, {"site_plan": pdf_upload("old_plan.pdf")}))

    again = _post(client, {"site_address": ""}, {"site_plan": pdf_upload("new_plan.pdf")},
                  doc_site_plan_upload=first["site_plan"])

    assert "Already attached: “new_plan.pdf”" in html.unescape(again.content.decode())
    assert _offered(again)["site_plan"] != first["site_plan"]
    assert list(UploadSession.objects.values_list("name", flat=True)) == ["new_plan.pdf"]


def test_another_citizens_kept_file_cannot_be_used(client, people, permit_service):
    client.force_login(people.other_citizen)
    theirs = _offered(_post(client, {"site_address": ""}, permit_files()))
    client.force_login(people.citizen)

    response = _post(client, **{f"doc_{code}_upload": pk for code, pk in theirs.items()})

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "The uploaded file was not found. Please choose the file again." in page
    assert "Already attached" not in page
    assert not Application.objects.exists()
    assert UploadSession.objects.filter(owner=people.other_citizen).count() == 3


# --- what happens next, and by when ---------------------------------------------------------------------------------

def _what_happens_next(client, application):
    page = html.unescape(client.get(reverse("eservices:application", args=[application.pk])).content.decode())
    if 'id="what-happens-next"' not in page:
        return None
    return page.split('id="what-happens-next"', 1)[1].split("</section>", 1)[0]


def test_after_submitting_the_citizen_reads_what_happens_next_and_by_when(client, people, permit_service):
    client.force_login(people.citizen)
    assert cases.apply_over_http(client).status_code == 302
    application = Application.objects.get()

    panel = _what_happens_next(client, application)

    steps = re.findall(r"<li>(.*?)</li>", panel)
    assert [step.split(".")[0] for step in steps] == [
        "A clerk checks that your application is complete",
        "The architecture, fire safety and environment departments review your project",
        "The head of the department decides"]
    due = timezone.localtime(CaseClock.objects.get(process_id=application.process_id).due_at)
    assert due.weekday() < 5 and (due.date() - timezone.localdate(application.submitted_at)).days >= 30 * 7 // 5
    assert (f"You will have our decision by <strong>{dateformat.format(due, 'j E Y')}</strong>: within 30 working "
            f"days of receiving your application") in panel


def test_what_happens_next_follows_the_case_and_ends_with_it(client, people, permit_service):
    client.force_login(people.citizen)
    in_review = cases.in_review(people.citizen, people.clerk)
    decided = cases.approved(people.citizen, people)
    correcting = cases.in_correction(people.citizen, people.clerk)

    assert _what_happens_next(client, in_review).count("<li>") == 2
    assert _what_happens_next(client, decided) is None
    waiting = _what_happens_next(client, correcting)  # back to the completeness check after the answer
    assert waiting.count("<li>") == 3 and "You will have our decision by" not in waiting  # the deadline waits
    client.force_login(people.clerk)
    assert _what_happens_next(client, in_review) is None  # told to the applicant
