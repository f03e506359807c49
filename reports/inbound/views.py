"""The doors reports come in by besides the web form: the SMS gateway's and the mail provider's webhooks, and the
call centre's screen.

The webhooks take a post only when its raw body is signed with their shared secret (core.webhooks: the header
``X-Munis-Signature: sha256=<hex HMAC-SHA256 of the body>``); anything else is 403 and nothing is read or stored.
They answer 200 with a small JSON document: ``{"outcome": "report" | "status" | "help" | "reply" | "ignored",
"reference": <the report's reference or null>, "duplicate": <a message taken before>, ...}``. Answers to the
sender never travel in the response: they go through the outbox (an SMS through the ``sms`` channel)."""

from functools import wraps
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse, RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit import ALL
from django_ratelimit.decorators import ratelimit

from core.errors import DomainError, PermissionDenied, RateLimited, RequestTooLarge, ValidationFailed
from core.forms import add_domain_errors
from core.idempotency import idempotent_post
from core.outbox import registered_channels
from core.problems import problem_response
from core.security import log_refusal
from core.webhooks import SIGNATURE_HEADER, body_signed

from .. import selectors
from ..forms import PhoneReportForm
from . import phone
from .mail import mail_receive
from .sms import sms_receive

#: the names gateways give an SMS's fields (FrontlineSMS, SMSSync, Kannel, Twilio-like, Africa's Talking …)
SENDER_FIELDS = ("from", "sender", "phone", "msisdn", "originator", "From")
TEXT_FIELDS = ("text", "message", "body", "content", "Body")
ID_FIELDS = ("id", "message_id", "messageId", "msgid", "sms_id", "uuid", "MessageSid", "SmsSid")
#: the names mail providers give the raw message's form field
MAIL_FIELDS = ("message", "email", "mime", "body-mime", "raw")


def _webhook_rate(group, request):
    return settings.MUNIS_INBOUND_WEBHOOK_RATE


def _webhook(view):
    """A signed-post endpoint: POST only, no CSRF token (the signature is its proof), limited per address."""
    @wraps(view)
    def limited(request, *args, **kwargs):
        if getattr(request, "limited", False):
            return _refuse(request, RateLimited())
        return view(request, *args, **kwargs)

    return csrf_exempt(require_POST(ratelimit(key="ip", rate=_webhook_rate, method=ALL, block=False)(limited)))


def _refuse(request, error):
    log_refusal(request, status=error.status, exception=error)
    return problem_response(error)


def _unsigned():
    return PermissionDenied(_("The request is not signed with the shared secret."), code="signature_invalid")


def _first(fields, names):
    for name in names:
        value = fields.get(name)
        if value:
            return value
    return ""


@_webhook
def sms_inbound(request):
    """An incoming SMS from the gateway: a form post of ``from``, ``text`` (or ``message``) and ``id`` (or
    ``message_id``), as most gateways send it."""
    if not body_signed(request.body, settings.MUNIS_SMS_GATEWAY_SECRET, request.headers.get(SIGNATURE_HEADER)):
        return _refuse(request, _unsigned())
    sender = _first(request.POST, SENDER_FIELDS).strip()
    if not sender:
        return _refuse(request, ValidationFailed(_("The message has no sender (from)."), code="sender_missing",
                                                 fields={"from": [_("This field is required.")]}))
    result = sms_receive(sender=sender, text=_first(request.POST, TEXT_FIELDS),
                         message_id=_first(request.POST, ID_FIELDS).strip())
    return JsonResponse(result.as_json())


def _raw_body(request):
    """The request's body, at most MUNIS_REPORTS_MAIL_MAX_BYTES (a mail with its photos is larger than a form
    Django keeps in memory)."""
    limit = settings.MUNIS_REPORTS_MAIL_MAX_BYTES
    try:
        body = request.read(limit + 1)
    except RawPostDataException:
        body = request.body
    if len(body) > limit:
        raise RequestTooLarge()
    return body


def _form_value(body, names):
    for pair in body.split(b"&"):
        name, _equals, value = pair.partition(b"=")
        if unquote_to_bytes(name.replace(b"+", b" ")).decode(errors="replace") in names:
            return unquote_to_bytes(value.replace(b"+", b" "))
    return None


def _multipart_value(body, content_type, names):
    from email.parser import BytesHeaderParser

    boundary = next((param.split("=", 1)[1].strip().strip('"') for param in content_type.split(";")[1:]
                     if param.strip().lower().startswith("boundary=")), "")
    if not boundary:
        return None
    for part in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if part.startswith(b"--"):
            break
        head, _blank, content = part.lstrip(b"\r\n").partition(b"\r\n\r\n")
        headers = BytesHeaderParser().parsebytes(head + b"\r\n\r\n")
        disposition = headers.get("Content-Disposition", "")
        name = headers.get_param("name", header="content-disposition") if disposition else None
        if name in names:
            return content[:-2] if content.endswith(b"\r\n") else content
    return None


def _message_of(request, body):
    content_type = request.META.get("CONTENT_TYPE", "")
    kind = content_type.split(";")[0].strip().lower()
    if kind == "message/rfc822":
        return body
    if kind == "application/x-www-form-urlencoded":
        return _form_value(body, MAIL_FIELDS)
    if kind == "multipart/form-data":
        return _multipart_value(body, content_type, MAIL_FIELDS)
    return None


@_webhook
def mail_inbound(request):
    """An incoming e-mail from a mail provider: the raw RFC 822 message as the body (``Content-Type:
    message/rfc822``), or in a form field ``message`` (or ``email``, ``mime``, ``body-mime``, ``raw``)."""
    try:
        body = _raw_body(request)
    except RequestTooLarge as too_large:
        return _refuse(request, too_large)
    if not body_signed(body, settings.MUNIS_REPORTS_MAIL_WEBHOOK_SECRET, request.headers.get(SIGNATURE_HEADER)):
        return _refuse(request, _unsigned())
    raw = _message_of(request, body)
    if not raw:
        return _refuse(request, ValidationFailed(
            _("Send the message as the body (Content-Type: message/rfc822) or in a form field named message."),
            code="message_missing", fields={"message": [_("This field is required.")]}))
    try:
        result = mail_receive(raw=raw)
    except DomainError as refused:
        return _refuse(request, refused)
    return JsonResponse(result.as_json())


@login_required
@require_http_methods(["GET", "POST"])
@idempotent_post
def phone_report(request):
    """The call centre's screen: one form per call; once filed, the reference to read out and a link to the next."""
    if not phone.takes_calls(request.user):
        raise PermissionDenied(_("This page is for the call centre's staff (the dispatch)."))
    filed = selectors.report_for_staff(request.user, request.GET["filed"]) if request.GET.get("filed") else None
    language = get_language() if get_language() in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    form = PhoneReportForm(request.POST if request.method == "POST" else None, initial={"language": language})
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                report = phone.report_take_call(operator=request.user, **form.cleaned_data)
            except DomainError as exc:
                if exc.status == 403:
                    raise
                if "location" in exc.fields:  # a point outside the city: the fields it was given in
                    exc.fields = {"latitude" if name == "location" else name: errors
                                  for name, errors in exc.fields.items()}
                status = add_domain_errors(form, exc)
            else:
                return redirect(f"{reverse('reports:phone_report')}?filed={report.reference}")
    return render(request, "reports/staff/phone.html", {
        "form": None if filed else form, "filed": filed, "sms_on": "sms" in registered_channels(),
    }, status=status)
