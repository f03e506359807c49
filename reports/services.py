"""Every write path of a problem report: filing it from any channel, the staff steps of its flow, what a supplier,
a dispatcher and the reporter do to it. Each runs in one transaction and writes its audit row; news goes to the
report's followers through the outbox, in the same transaction."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from core import audit
from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from core.references import reference_take_next
from core.validators import invisible_controls_in, invisible_controls_message
from workflows.cases import case_ended, open_steps, sync_case_status
from workflows.services import process_cancel, task_complete, task_move

from . import areas, geo, notifications, routing
from .attributes import clean_answers
from .models import DESCRIPTION_MAX, Follower, Report

REFERENCE_SERIES = "PR"
S = Report.Status
#: channels whose reports a moderator sees first whoever sent them (their text names no category, their sender
#: no verified person)
MODERATED_CHANNELS = (Report.Channel.SMS, Report.Channel.EMAIL)
#: channels whose report must say where the problem is (an SMS or an e-mail may leave it to the moderator)
LOCATED_CHANNELS = (Report.Channel.WEB, Report.Channel.OPEN311, Report.Channel.PHONE)


# --- checks shared by every channel ----------------------------------------------------------------------

def clean_description(text, *, field="description"):
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Describe the problem."), code="description_missing",
                               fields={field: [_("Describe the problem.")]})
    if len(text) > DESCRIPTION_MAX:
        message = _("The description is %(length)d characters long; the limit is %(limit)d.") % {
            "length": len(text), "limit": DESCRIPTION_MAX}
        raise ValidationFailed(message, code="description_too_long", fields={field: [message]})
    found = invisible_controls_in(text)
    if found:
        raise ValidationFailed(invisible_controls_message(found), code="invisible_control",
                               fields={field: [invisible_controls_message(found)]})
    return text


def clean_media_url(url, *, field="media_url"):
    """A link to a photo kept elsewhere: an http(s) address, or ""."""
    url = (url or "").strip()
    if not url:
        return ""
    limit = Report._meta.get_field("media_url").max_length
    try:
        URLValidator(schemes=["http", "https"])(url)
        valid = len(url) <= limit
    except DjangoValidationError:
        valid = False
    if not valid:
        message = _("The photo's link must be a web address (http or https) of at most %(limit)d characters.") % {
            "limit": limit}
        raise ValidationFailed(message, code="media_url_invalid", fields={field: [message]})
    return url


def locate(latitude, longitude, *, field="location"):
    """The district of a point given by a person; ValidationFailed when the point is malformed or outside the
    city (``code``: ``location_invalid`` / ``outside_city``)."""
    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError):
        message = _("The location must be a latitude and a longitude in degrees.")
        raise ValidationFailed(message, code="location_invalid", fields={field: [message]}) from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or latitude != latitude or longitude != longitude:
        message = _("The location must be a latitude and a longitude in degrees.")
        raise ValidationFailed(message, code="location_invalid", fields={field: [message]})
    district = geo.district_at(latitude, longitude)
    if district is None:
        message = _("This place is outside the city. Reports can only be made about places within it.")
        raise ValidationFailed(message, code="outside_city", fields={field: [message]})
    return latitude, longitude, district


def _needs_moderation(channel, reporter, api_client):
    if channel == Report.Channel.OPEN311 and api_client:
        # a registered app answers for what its users send: the operator gave it its key and can revoke it
        return settings.MUNIS_OPEN311_MODERATED
    return channel in MODERATED_CHANNELS or (reporter is None and channel != Report.Channel.PHONE)


# --- filing a report -------------------------------------------------------------------------------

def report_submit(*, channel, description, category=None, latitude=None, longitude=None, address="", reporter=None,
                  contact_name="", contact_email="", contact_phone="", language="", photos=(), attributes=None,
                  external_id="", api_client="", media_url="", actor=None, suggestion=None, follow=True):
    """File a report from any channel and start its flow: routed at once, or first moderated (anonymous,
    SMS and e-mail reports; an Open311 app's when MUNIS_OPEN311_MODERATED). ``photos`` are checked uploads,
    their metadata already stripped; ``attributes`` the answers to the category's questions
    (reports.attributes.clean_answers checks them); ``api_client`` the name of the registered application that
    sent it, ``media_url`` the link to a photo that application keeps. ``suggestion``: ``(category,
    confidence)`` the classifier offers the moderator. The same ``external_id`` on a channel files one report: a
    repeated delivery returns the first (its ``_existing`` attribute is then True). ``follow``: the reporter
    follows the report (its news reach them); without, they are told its reference once."""
    from .flows import ReportFlow

    description = clean_description(description)
    media_url = clean_media_url(media_url)
    if external_id:
        existing = Report.objects.filter(channel=channel, external_id=external_id).first()
        if existing is not None:
            existing._existing = True
            return existing
    district = None
    if latitude is not None or longitude is not None:
        latitude, longitude, district = locate(latitude, longitude)
    elif channel in LOCATED_CHANNELS and not address.strip():
        message = _("Say where the problem is: choose the place on the map, or give its address.")
        raise ValidationFailed(message, code="location_missing", fields={"location": [message]})
    if category is None and channel in LOCATED_CHANNELS:
        raise ValidationFailed(_("Choose what kind of problem it is."), code="category_missing",
                               fields={"category": [_("Choose what kind of problem it is.")]})
    if category is not None and not category.active:
        raise ValidationFailed(_("This category no longer takes reports."), code="category_closed",
                               fields={"category": [_("This category no longer takes reports.")]})
    if category is not None:
        attributes = clean_answers(category, attributes)
    moderate = _needs_moderation(channel, reporter, api_client)
    if reporter is not None:
        contact_name = contact_name or reporter.full_name
        contact_email = contact_email or reporter.email
        contact_phone = contact_phone or reporter.phone
    if suggestion is None and category is None:
        from .classify import suggest_category

        suggestion = suggest_category(description)
    suggested, confidence = suggestion or (None, None)
    try:
        with transaction.atomic(), audit.batch():
            # the number comes first (its counter stays locked until commit) so every row of the trail names it
            report = Report(
                reference=reference_take_next(series=REFERENCE_SERIES, year=timezone.now().year), channel=channel, description=description, category=category, latitude=latitude, longitude=longitude,
                address=address.strip()[:255], district=district, reporter=reporter,
                contact_name=contact_name.strip()[:200], contact_email=contact_email.strip(),
                contact_phone=contact_phone.strip()[:32], attributes=attributes or {}, external_id=external_id[:255],
                api_client=api_client[:120], media_url=media_url, is_public=not moderate, status=S.RECEIVED,
                suggested_category=suggested, suggestion_confidence=confidence)
            report.save()
            reporter_follower = _follow(report, user=reporter, email=contact_email, phone=contact_phone,
                                        language=language, reason=Follower.Reason.REPORTER,
                                        new_report=True) if follow else None
            if photos:
                _store_photos(report, photos, actor=actor or reporter)
            audit.record(actor=actor or reporter, action="reports.report.submit", obj=report,
                         after={"reference": report.reference, "channel": channel,
                                "category": category.code if category else None,
                                "district": district.department.code if district else None,
                                "moderated": moderate, "photos": len(photos),
                                **({"api_client": report.api_client} if report.api_client else {})})
            if not moderate:
                report_route(report=report, save=False)  # saved once below, with its process and status
            report.process = ReportFlow.start.run(report=report)
            report.status = report.process.flow_class.instance.case_status(report.process) or report.status
            report.save(update_fields=["process", "status", "supplier"])
            # a reporter who does not follow the report (a caller who wants no news) is told its reference once
            told = reporter_follower if follow else Follower(
                report=report, user=reporter, email=report.contact_email, phone=report.contact_phone,
                language=language or (reporter.preferred_language if reporter else ""), reason=Follower.Reason.REPORTER)
            notifications.tell_reporter(report, "received", follower=told)
            if report.is_public:
                areas.report_went_public(report)
    except IntegrityError:
        if external_id:  # the same message, delivered twice at once: the other delivery filed it
            existing = Report.objects.filter(channel=channel, external_id=external_id).first()
            if existing is not None:
                existing._existing = True
                return existing
        raise
    report._existing = False
    return report


def _store_photos(report, photos, *, actor):
    from documents.selectors import document_class
    from documents.services import case_documents_add

    from .document_classes import REPORT_PHOTO

    photo_class = document_class(REPORT_PHOTO)
    existing = len(report_photo_codes(report))
    uploads = {f"photo-{existing + n}": (_("Photo %(n)d") % {"n": existing + n}, photo_class, photo)
               for n, photo in enumerate(photos, start=1)}
    return case_documents_add(actor=actor, case=report, uploads=uploads, new_case=existing == 0)


def report_photo_codes(report):
    from documents.selectors import document_codes_of_case

    return sorted(code for code in document_codes_of_case(report) if code.startswith("photo-"))


def _follow(report, *, user=None, email="", phone="", language="", reason, new_report=False):
    """Make someone a follower of the report, once; returns the follower, or None when nobody is reachable.
    ``new_report``: the report was created just now, so it has no follower to look for."""
    email, phone = (email or "").strip().lower(), (phone or "").strip()
    if user is not None:
        email, phone = "", ""
    if user is None and not email and not phone:
        return None
    lookup = {"user": user} if user is not None else ({"email": email} if email else {"phone": phone})
    existing = None if new_report else report.followers.filter(**lookup).first()
    if existing is not None:
        return existing
    return Follower.objects.create(report=report, user=user, email=email, phone=phone if not email else phone,
                                   language=language or (user.preferred_language if user else ""), reason=reason)


# --- the flow's automatic step ---------------------------------------------------------------------

def report_route(*, report, save=True, record=True):
    """Send the report where the routing matrix says, as it arrives or once a moderator admits it: to a supplier,
    its district's department, or nobody (then a dispatcher places it: the flow's ``triage``). ``record``: write
    its audit row now (a moderator's admission writes it after its own)."""
    report.supplier = routing.route_for(report.category, report.district)
    if save:
        report.save(update_fields=["supplier"])
    if record:
        record_route(report)


def record_route(report):
    organisation = report.supplier
    audit.record(actor=None, action="reports.report.route", obj=report, trail=report,
                 after={"organisation": organisation.pk if organisation else None,
                        "organisation_name": str(organisation) if organisation else None,
                        "category": report.category.code if report.category_id else None})


# --- staff steps (the flow's task_forms handlers) ------------------------------------------------------

def report_moderate(*, task, actor, data):
    report = task.process.artifact
    reject = data["decision"] == "reject"
    reason = (data.get("reason") or "").strip()
    with transaction.atomic():
        before = {"category": report.category.code if report.category_id else None, "status": report.status}
        if not reject:
            report.category = data["category"]
            if data.get("latitude") is not None:
                report.latitude, report.longitude, report.district = locate(data["latitude"], data["longitude"],
                                                                            field="longitude")
            report.is_public = True
            report_route(report=report, save=False, record=False)
        else:
            report.status, report.closed_at, report.public_note = S.REJECTED, timezone.now(), reason
        report.save()
        task_complete(task=task, actor=actor, action="reports.report.moderate", comment=reason,
                      task_data={"decision": data["decision"],
                                 "category": report.category.code if report.category_id else None,
                                 "suggested": report.suggested_category.code if report.suggested_category_id else None},
                      process_data={"rejected": reject, "moderate": False}, before=before,
                      on_done=lambda t: None if reject else sync_case_status(report))
        if reject:
            notifications.tell_followers(report, "rejected", reason=reason)
        else:
            record_route(report)
            areas.report_went_public(report)
    return report


def report_accept(*, task, actor, data):
    report = task.process.artifact
    hand_back = data["decision"] == "hand_back"
    comment = (data.get("comment") or "").strip()
    with transaction.atomic():
        task_complete(task=task, actor=actor,
                      action="reports.report.hand_back" if hand_back else "reports.report.accept", comment=comment,
                      task_data={"decision": data["decision"], "supplier": report.supplier_id},
                      process_data={"handed_back": hand_back}, on_done=lambda t: sync_case_status(report))
        if not hand_back:
            notifications.tell_followers(report, "accepted", optional=True)
    return report


def report_dispatch(*, task, actor, data):
    report = task.process.artifact
    reject = data["decision"] == "reject"
    reason = (data.get("reason") or "").strip()
    with transaction.atomic():
        before = {"supplier": report.supplier_id}
        if reject:
            report.status, report.closed_at, report.public_note = S.REJECTED, timezone.now(), reason
        else:
            report.supplier = data["organisation"]
        report.save()
        task_complete(task=task, actor=actor, action="reports.report.dispatch", comment=reason,
                      task_data={"decision": data["decision"], "supplier": report.supplier_id},
                      process_data={"rejected": reject}, before=before,
                      on_done=lambda t: None if reject else sync_case_status(report))
        if reject:
            notifications.tell_followers(report, "rejected", reason=reason)
    return report


def report_resolve(*, task, actor, data):
    """The supplier has fixed it: a public note (and a photo), the reporter is asked to confirm."""
    from .photos import checked_photo

    report = task.process.artifact
    note = (data.get("note") or "").strip()
    if not note:
        raise ValidationFailed(fields={"note": [_("Say what was done: the reporter reads it.")]})
    photo = checked_photo(data["photo"], field="photo") if data.get("photo") else None
    with transaction.atomic():
        report.public_note, report.resolved_at = note, timezone.now()
        report.save(update_fields=["public_note", "resolved_at"])
        if photo is not None:
            _store_resolution_photo(report, photo, actor=actor)
        task_complete(task=task, actor=actor, action="reports.report.resolve", comment=note,
                      task_data={"photo": photo is not None}, on_done=lambda t: sync_case_status(report))
        notifications.tell_followers(report, "resolved", note=note, confirm_days=settings.MUNIS_REPORTS_CONFIRM_DAYS)
        areas.report_resolved(report)
    return report


def _store_resolution_photo(report, photo, *, actor):
    from documents.selectors import document_class
    from documents.services import case_documents_add

    from .document_classes import REPORT_PHOTO

    case_documents_add(actor=actor, case=report,
                       uploads={"resolution-photo": (_("Photo of the result"), document_class(REPORT_PHOTO), photo)})


# --- what a supplier and a dispatcher do besides their steps ----------------------------------------------

def works_on(user, report):
    """The user works for the organisation the report is with now (its supplier)."""
    return report.supplier_id is not None and report.supplier_id in permissions.work_organisation_ids(user)


def dispatches(user, report):
    """The user may re-route, merge and escalate-handle the report: staff of its district's department or of the
    dispatch."""
    allowed = {routing.dispatch_organisation().pk}
    if report.district_id:
        allowed.add(report.district.department_id)
    return bool(allowed & set(permissions.work_organisation_ids(user)))


def _open_task(report, steps):
    from viewflow.workflow.models import Task

    from workflows.flows import OPEN_STATUSES

    if not report.process_id:
        return None
    for task in Task.objects.filter(process_id=report.process_id, status__in=OPEN_STATUSES).select_related("process"):
        if task.flow_task.name in steps:
            return task
    return None


def report_step(*, report, step, actor, data):
    """Do the report's open ``step`` as ``actor`` (the REST API, the demo): claimed for them when nobody holds
    it, then done by the step's handler (the flow's ``task_forms``) with ``data``, its form's cleaned data."""
    from workflows.services import task_claim

    task = _open_task(report, (step,))
    if task is None:
        raise InvalidTransition(_("The report is not waiting for this step."), code="step_not_open")
    handler = report.process.flow_class.instance.task_forms[step][1]
    with transaction.atomic():
        if task.owner_id != actor.pk:
            task = task_claim(task=task, actor=actor)
        handler(task=task, actor=actor, data=data)
    report.refresh_from_db()
    return report


def report_post_update(*, report, actor, note):
    """A public progress note from the supplier working the report."""
    note = clean_description(note, field="note")
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if not works_on(actor, report):
            raise PermissionDenied(_("Only the supplier the report is with can post updates on it."))
        if "work" not in open_steps(report.process_id):
            raise InvalidTransition(_("Updates can be posted once the report is accepted and until it is resolved."),
                                    code="report_not_in_progress")
        before = {"status": report.status}
        report.public_note = note
        if report.status in (S.ACCEPTED, S.REOPENED):
            report.status = S.IN_PROGRESS
        report.save(update_fields=["public_note", "status"])
        audit.record(actor=actor, action="reports.report.update", obj=report, before=before,
                     after={"status": report.status, "comment": note})
        notifications.tell_followers(report, "progress", optional=True, note=note)
    return report


def report_reroute(*, report, actor, organisation, reason):
    """A dispatcher sends the report to another supplier (or department): the open supplier step moves to its
    queue. The reason is required and kept in the trail."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Say why the report is re-routed.")]})
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if not dispatches(actor, report):
            raise PermissionDenied(_("Only the report's district or the dispatch can re-route it."))
        if organisation.pk == report.supplier_id:
            raise InvalidTransition(_("The report is already with %(name)s.") % {"name": organisation},
                                    code="report_same_supplier")
        task = _open_task(report, ("accept", "work"))
        if task is None:
            raise InvalidTransition(_("Only a report waiting for its supplier or being worked on can be re-routed."),
                                    code="report_not_routable")
        before = report.supplier_id
        report.supplier = organisation
        if task.flow_task.name == "work" and report.status != S.ROUTED:
            report.status = S.ROUTED
        report.save(update_fields=["supplier", "status"])
        task_move(task=task, organisation=organisation, actor=actor, action="reports.report.reroute", reason=reason,
                  after={"from": before, "organisation_name": str(organisation)})
    return report


def report_escalate(*, task):
    """The supplier let its step run out of time: the district's department hears of it (the timers call this
    once per step, through the flow's ``task_expired``). The supplier keeps the report; the district may
    re-route it."""
    report = task.process.artifact
    dispatcher = routing.dispatcher_of(report)
    with transaction.atomic():
        report.escalated_at = timezone.now()
        report.save(update_fields=["escalated_at"])
        people = list(permissions.organisation_members(dispatcher.pk))
        audit.record(actor=None, action="reports.report.escalate", obj=report,
                     after={"step": task.flow_task.name, "supplier": report.supplier_id,
                            "supplier_name": str(report.supplier) if report.supplier_id else None,
                            "organisation": dispatcher.pk, "to": [person.pk for person in people]})
        notifications.tell_staff(people, "escalated", report=report, step=str(task.flow_task.task_title),
                                 link=notifications.staff_link(report))
    return report


def report_merge(*, duplicate, master, actor, reason=""):
    """Merge a duplicate into its master report: the duplicate's case ends where it stands, its followers
    (its reporter first) follow the master and get its news from now on."""
    if duplicate.pk == master.pk:
        raise InvalidTransition(_("A report cannot duplicate itself."), code="merge_self")
    with transaction.atomic():
        duplicate, master = (Report.objects.select_for_update().get(pk=duplicate.pk),
                             Report.objects.select_for_update().get(pk=master.pk))
        if not (dispatches(actor, duplicate) or works_on(actor, duplicate)):
            raise PermissionDenied(_("Only staff handling the report can merge it."))
        if master.status in (S.MERGED, S.REJECTED) or master.duplicate_of_id:
            raise InvalidTransition(_("%(reference)s is itself closed as a duplicate or rejected; merge into the "
                                      "report it was merged into.") % {"reference": master.reference},
                                    code="merge_into_closed")
        if not duplicate.is_open:
            raise InvalidTransition(_("Only an open report can be merged."), code="merge_closed")

        def mark(process):
            duplicate.status, duplicate.duplicate_of, duplicate.closed_at = S.MERGED, master, timezone.now()
            duplicate.save(update_fields=["status", "duplicate_of", "closed_at"])

        process_cancel(process=duplicate.process, actor=actor, reason=reason, action="reports.report.merge",
                       before={"status": duplicate.status}, after={"master": master.reference, "status": S.MERGED},
                       on_done=mark)
        moved = 0
        for follower in duplicate.followers.all():
            if _follow(master, user=follower.user, email=follower.email, phone=follower.phone,
                       language=follower.language, reason=Follower.Reason.MERGED) is not None:
                moved += 1
        audit.record(actor=actor, action="reports.report.duplicate_joined", obj=master, trail=master,
                     after={"duplicate": duplicate.reference, "followers": moved})
        case_ended(duplicate)
        notifications.tell_followers(duplicate, "merged", master=master, master_link=notifications.report_link(master))
    return duplicate


def report_join(*, report, user=None, email="", phone="", language=""):
    """"Me too": someone with the same problem follows the report instead of filing another."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if not report.is_public or not report.is_open:
            raise InvalidTransition(_("Only an open public report can be joined."), code="report_not_joinable")
        if user is None and not (email or "").strip() and not (phone or "").strip():
            raise ValidationFailed(fields={"email": [_("Give an e-mail address to get the report's news.")]})
        count_before = report.followers.count()
        follower = _follow(report, user=user, email=email, phone=phone, language=language,
                           reason=Follower.Reason.ME_TOO)
        if report.followers.count() > count_before:
            audit.record(actor=user, action="reports.report.join", obj=report,
                         after={"followers": count_before + 1, "by": "account" if user else "contact"})
    return follower


# --- the reporter's answer --------------------------------------------------------------------------

def report_answer(*, report, fixed, satisfaction, comment="", actor=None):
    """The reporter says whether the problem is fixed and how satisfied they are. Not fixed: the report goes back
    to its supplier (reopened). ``actor`` is the reporter's account, or None when they answer through their
    link."""
    comment = (comment or "").strip()
    if comment:
        comment = clean_description(comment, field="comment")
    if satisfaction not in (1, 2, 3, 4, 5):
        raise ValidationFailed(fields={"satisfaction": [_("Choose how satisfied you are.")]})
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        task = _open_task(report, ("confirm",))
        if task is None:
            raise InvalidTransition(_("This report is not waiting for your answer any more."),
                                    code="report_not_awaiting_answer")
        if actor is not None and report.reporter_id != actor.pk:
            raise PermissionDenied(_("Only the person who reported the problem can answer."))
        if actor is not None and task.owner_id != actor.pk:
            actor = None  # the reporter's account did not hold the step (it was filed without it): the link's path
        report.fixed, report.satisfaction = fixed, satisfaction
        if fixed:
            report.status, report.closed_at = S.CLOSED, timezone.now()
        else:
            report.reopened_count += 1
        report.save()
        task_complete(task=task, actor=actor, action="reports.report.confirm" if fixed else "reports.report.reopen",
                      comment=comment, task_data={"fixed": fixed, "satisfaction": satisfaction},
                      process_data={"reopened": not fixed})
        if not fixed:
            sync_case_status(report)
            report.status = S.REOPENED
            report.save(update_fields=["status"])
            notifications.tell_followers(report, "reopened", comment=comment, exclude_reporter=True)
    return report


def report_close_unconfirmed(*, task):
    """Nobody answered within the confirmation period: the report closes as resolved (the timers)."""
    report = task.process.artifact
    with transaction.atomic():
        report.status, report.closed_at = S.CLOSED, timezone.now()
        report.save(update_fields=["status", "closed_at"])
        task_complete(task=task, actor=None, action="reports.report.close_unconfirmed",
                      task_data={"expired": True, "days": settings.MUNIS_REPORTS_CONFIRM_DAYS},
                      process_data={"reopened": False})
    return report
