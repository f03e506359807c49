"""Problem reports: the catalog (categories), where the city's districts lie, the routing matrix, and the
reports themselves, each a case on its own flow (reports.flows.ReportFlow)."""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.history import History

#: the longest description a report may have (an SMS is shorter; a letter pasted in an e-mail is cut here)
DESCRIPTION_MAX = 2000


class Category(models.Model):
    """A kind of problem residents report (water supply, a pothole): a service of the Open311 catalog, with the
    time its supplier has to resolve it. A sub-category (``parent``) is one a supplier needs told apart."""

    code = models.SlugField(_("code"), max_length=50, unique=True,
                            help_text=_("Open311 service code; never change it once reports use it."))
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    #: words an SMS starts with to name this category, and that suggest it in free text, in every language
    keywords = models.TextField(_("keywords"), blank=True,
                                help_text=_("Words that name this category, separated by commas: the first is its "
                                            "SMS keyword."))
    parent = models.ForeignKey("self", verbose_name=_("parent category"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    icon = models.CharField(_("icon"), max_length=8, blank=True, help_text=_("A symbol shown beside the name."))
    resolution_days = models.PositiveSmallIntegerField(
        _("days to resolve"), default=5, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Working days the supplier has from the report's arrival; then it is escalated to the district."))
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("open for new reports"), default=True)

    # history is registered in translation.py, after the translated fields exist

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")

    def __str__(self):
        return self.name

    def clean(self):
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("A sub-category cannot have sub-categories of its own.")})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A category cannot be its own parent.")})

    def keyword_list(self):
        """The keywords of every language, lower-cased, the SMS keyword of each language first."""
        from django.conf import settings as django_settings

        words = []
        for code, _name in django_settings.LANGUAGES:
            for word in (getattr(self, f"keywords_{code.replace('-', '_')}", "") or "").split(","):
                word = word.strip().lower()
                if word and word not in words:
                    words.append(word)
        return words


class CategoryAttribute(models.Model):
    """A question a category asks besides the description (an Open311 service definition's attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("short text")
        NUMBER = "number", _("number")
        DATETIME = "datetime", _("date and time")
        TEXT = "text", _("long text")
        SINGLE = "singlevaluelist", _("one of a list")
        MULTI = "multivaluelist", _("several of a list")

    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.CASCADE,
                                 related_name="attributes")
    code = models.SlugField(_("code"), max_length=50)
    datatype = models.CharField(_("kind of answer"), max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    description = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    #: the list's answers, ``[{"key": ..., "name": ...}]``, for the list kinds
    values = models.JSONField(_("answers to choose from"), default=list, blank=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("category question")
        verbose_name_plural = _("category questions")
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="reports_attribute_unique_code")]

    def __str__(self):
        return self.description

    def clean(self):
        listed = self.datatype in (self.Datatype.SINGLE, self.Datatype.MULTI)
        valid = isinstance(self.values, list) and all(
            isinstance(v, dict) and str(v.get("key", "")).strip() and str(v.get("name", "")).strip()
            for v in self.values)
        if listed and (not self.values or not valid):
            raise ValidationError({"values": _('A list question needs its answers: [{"key": "…", "name": "…"}].')})
        if not listed and self.values:
            raise ValidationError({"values": _("Only a list question has answers to choose from.")})


class District(models.Model):
    """A district of the city as the reports see it: the department that answers for it (reports nobody else
    takes, escalations) and its boundary, a GeoJSON Polygon or MultiPolygon in longitude/latitude (WGS 84)."""

    department = models.OneToOneField(Organisation, verbose_name=_("department"), on_delete=models.PROTECT,
                                      related_name="report_district",
                                      limit_choices_to={"kind": Organisation.Kind.DEPARTMENT})
    boundary = models.JSONField(_("boundary (GeoJSON)"))
    # the boundary's bounding box, so a point is tested against few polygons (reports.geo)
    min_latitude = models.FloatField(editable=False, default=0)
    max_latitude = models.FloatField(editable=False, default=0)
    min_longitude = models.FloatField(editable=False, default=0)
    max_longitude = models.FloatField(editable=False, default=0)

    history = History()

    class Meta:
        ordering = ["department__name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return str(self.department)

    def save(self, *args, **kwargs):
        from .geo import boundary_shape

        min_lng, min_lat, max_lng, max_lat = boundary_shape(self.boundary).bounds
        self.min_latitude, self.max_latitude = min_lat, max_lat
        self.min_longitude, self.max_longitude = min_lng, max_lng
        super().save(*args, **kwargs)

    def clean(self):
        from .geo import boundary_shape

        try:
            boundary_shape(self.boundary)
        except ValueError as exc:
            raise ValidationError({"boundary": str(exc)}) from None


class RoutingRule(models.Model):
    """One cell of the routing matrix: reports of ``category`` in ``district`` go to ``organisation`` (a supplier,
    or a department that does the work itself). A rule without a district covers the whole city; the rule of a
    category covers its sub-categories unless they have their own. A report no rule covers goes to its
    district's department."""

    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.CASCADE,
                                 related_name="routing_rules")
    district = models.ForeignKey(District, verbose_name=_("district"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="routing_rules",
                                 help_text=_("Empty: everywhere in the city."))
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("sent to"), on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"kind__in": [Organisation.Kind.SUPPLIER, Organisation.Kind.DEPARTMENT]})

    history = History()

    class Meta:
        ordering = ["category__order", "category__code", "district__department__name"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing matrix")
        constraints = [
            models.UniqueConstraint(fields=["category", "district"], name="reports_rule_one_per_cell"),
            models.UniqueConstraint(fields=["category"], condition=models.Q(district__isnull=True),
                                    name="reports_rule_one_citywide"),
        ]

    def __str__(self):
        where = self.district or _("the whole city")
        return f"{self.category} · {where} → {self.organisation}"

    def clean(self):
        from accounts.models import WORKING_ROLES

        if self.organisation_id and self.organisation.kind not in WORKING_ROLES:
            raise ValidationError({"organisation": _("Reports can only be sent to a supplier or a department.")})


class Report(models.Model):
    """A problem a resident reported, from any channel: a case with its own flow, clocks, inbox rows and trail.

    Who reported it (their account, name, e-mail and phone) is never public: the public pages show what, where,
    when and how far it got."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        MODERATION = "moderation", _("Being checked")
        ROUTED = "routed", _("Sent to the supplier")
        RETURNED = "returned", _("Being sent to the right supplier")
        ACCEPTED = "accepted", _("Accepted by the supplier")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Duplicate")

    #: where a report's flow has ended
    FINAL_STATUSES = (Status.CLOSED, Status.REJECTED, Status.MERGED)
    #: still waiting for someone to act: what duplicates are looked for among and the public counts as open
    OPEN_STATUSES = (Status.RECEIVED, Status.MODERATION, Status.ROUTED, Status.RETURNED, Status.ACCEPTED,
                     Status.IN_PROGRESS, Status.REOPENED)
    STATUS_COLOURS = {
        Status.RECEIVED: "grey", Status.MODERATION: "grey", Status.ROUTED: "blue", Status.RETURNED: "orange",
        Status.ACCEPTED: "light-blue", Status.IN_PROGRESS: "light-blue", Status.RESOLVED: "green",
        Status.REOPENED: "orange", Status.CLOSED: "grey", Status.REJECTED: "red", Status.MERGED: "purple",
    }

    class Channel(models.TextChoices):
        WEB = "web", _("web")
        OPEN311 = "open311", _("Open311 app")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("e-mail")
        PHONE = "phone", _("phone")

    reference = models.CharField(_("reference number"), max_length=32, unique=True, null=True, blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="reports",
                                 help_text=_("Empty until a moderator names it (an SMS or an e-mail may not)."))
    suggested_category = models.ForeignKey(Category, verbose_name=_("suggested category"), null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    suggestion_confidence = models.FloatField(_("confidence of the suggestion"), null=True, blank=True)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    district = models.ForeignKey(District, verbose_name=_("district"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="reports")
    supplier = models.ForeignKey(Organisation, verbose_name=_("supplier"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text=_("Who works the report now (a supplier, or a department)."))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    #: the message, mail or request it came as (an SMS id, a Message-ID, an Open311 client's token): the same
    #: one arriving twice makes one report
    external_id = models.CharField(_("id in its channel"), max_length=255, blank=True)
    api_client = models.CharField(_("outside application"), max_length=120, blank=True)
    #: what an Open311 app is given to ask for its report's id by (GeoReport v2 ``tokens/{token}``)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: a photo of the problem an Open311 app keeps on its own server (GeoReport v2 ``media_url``)
    media_url = models.URLField(_("link to a photo"), max_length=500, blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reporter"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="problem_reports")
    contact_name = models.CharField(_("reporter's name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("reporter's e-mail"), blank=True)
    contact_phone = models.CharField(_("reporter's phone"), max_length=32, blank=True)
    #: the reporter's own link to their report (confirming it fixed without an account)
    access_key = models.CharField(max_length=64, default=secrets.token_urlsafe, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    #: shown on the public map and list (a report waiting for moderation, or refused there, is not)
    is_public = models.BooleanField(_("public"), default=False)
    public_note = models.TextField(_("latest public note"), blank=True)
    attributes = models.JSONField(_("answers"), default=dict, blank=True)
    duplicate_of = models.ForeignKey("self", verbose_name=_("duplicate of"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="duplicates")
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    #: the reporter's answer after resolution: fixed or not, and how satisfied (1–5)
    fixed = models.BooleanField(_("fixed, says the reporter"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True,
                                                    validators=[MinValueValidator(1), MaxValueValidator(5)])
    process = models.OneToOneField("viewflow.Process", verbose_name=_("process"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="problem_report")

    history = History(excluded_fields=["access_key", "token"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")
        indexes = [
            # duplicate suggestion: same category, a bounding box around the point, open reports only
            models.Index(fields=["category", "latitude", "longitude"],
                         condition=models.Q(status__in=["received", "moderation", "routed", "returned", "accepted",
                                                        "in_progress", "reopened"]),
                         name="reports_open_by_place"),
            models.Index(fields=["is_public", "-created_at"], name="reports_public_newest"),
            models.Index(fields=["supplier", "status"], name="reports_supplier_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], condition=~models.Q(external_id=""),
                                    name="reports_one_per_message"),
            models.CheckConstraint(condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                                   | models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180,
                                              longitude__lte=180),
                                   name="reports_point_valid"),
        ]

    def __str__(self):
        return self.reference or str(_("Report being filed"))

    @property
    def status_label(self):
        return self.get_status_display()

    @property
    def status_colour(self):
        return self.STATUS_COLOURS.get(self.status, "blue")

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def has_point(self):
        return self.latitude is not None and self.longitude is not None


class Follower(models.Model):
    """Someone who gets a report's news: its reporter, whoever said "me too", the reporters of the duplicates
    merged into it. Reached by their account's e-mail, or by the e-mail or phone they gave."""

    class Reason(models.TextChoices):
        REPORTER = "reporter", _("reported it")
        ME_TOO = "me_too", _("has the same problem")
        MERGED = "merged", _("reported a duplicate")

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    reason = models.CharField(_("why"), max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], condition=models.Q(user__isnull=False),
                                    name="reports_follower_one_per_user"),
            models.UniqueConstraint(fields=["report", "email"], condition=~models.Q(email=""),
                                    name="reports_follower_one_per_email"),
            models.UniqueConstraint(fields=["report", "phone"], condition=~models.Q(phone=""),
                                    name="reports_follower_one_per_phone"),
            models.CheckConstraint(condition=models.Q(user__isnull=False) | ~models.Q(email="") | ~models.Q(phone=""),
                                   name="reports_follower_reachable"),
        ]

    def __str__(self):
        return f"{self.report} · {self.get_reason_display()}"


class CategoryModel(models.Model):
    """A classifier trained on the municipality's own classified reports (``manage.py train_report_classifier``):
    it suggests the category of a report whose text names none. Kept in the database, so every server of a
    cluster uses the same one; the newest is used."""

    created_at = models.DateTimeField(_("trained"), default=timezone.now)
    samples = models.PositiveIntegerField(_("reports trained on"))
    categories = models.PositiveIntegerField(_("categories"))
    accuracy = models.FloatField(_("accuracy on held-out reports"), null=True, blank=True)
    model = models.BinaryField(_("model"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("category classifier")
        verbose_name_plural = _("category classifiers")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} · {self.samples}"


class AreaSubscription(models.Model):
    """A resident follows an area (a circle around a point): e-mail on every new public report there and on every
    one resolved. Confirmed through a link sent to the address first, ended through the link in each e-mail."""

    RADII = [(250, _("250 m")), (500, _("500 m")), (1000, _("1 km")), (2000, _("2 km"))]
    MAX_RADIUS_M = 2000

    email = models.EmailField(_("e-mail"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    radius_m = models.PositiveIntegerField(_("radius (m)"), choices=RADII, default=500)
    language = models.CharField(_("language"), max_length=8, blank=True)
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("area followed")
        verbose_name_plural = _("areas followed")
        indexes = [models.Index(fields=["latitude", "longitude"], condition=models.Q(confirmed_at__isnull=False),
                                name="reports_area_confirmed")]

    def __str__(self):
        return f"{self.email} · {self.latitude:.4f}, {self.longitude:.4f} · {self.radius_m} m"


class InboundMessage(models.Model):
    """An SMS or an e-mail as it was taken in (reports.inbound), and what it became: a report, a reply added to
    one, a status answer, a help reply, or nothing (an automatic reply). Its id in its channel is taken once, so
    the same message delivered again (a gateway's retry, the mailbox and the webhook both) does nothing more.

    The sender's number or address is private, like a report's contact: staff and administrators only."""

    class Outcome(models.TextChoices):
        REPORT = "report", _("filed a report")
        REPLY = "reply", _("added to a report")
        STATUS = "status", _("answered with a report's status")
        HELP = "help", _("answered with help")
        IGNORED = "ignored", _("ignored (an automatic message)")

    channel = models.CharField(_("channel"), max_length=10, choices=Report.Channel.choices)
    external_id = models.CharField(_("id in its channel"), max_length=255, blank=True)
    sender = models.CharField(_("sender"), max_length=255)
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    report = models.ForeignKey(Report, verbose_name=_("report"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("incoming message")
        verbose_name_plural = _("incoming messages")
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], condition=~models.Q(external_id=""),
                                    name="reports_inbound_once"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.external_id or self.pk}"


def address_search_text(text):
    """What an address is searched by: its words in capitals, single-spaced, Ё read as Е (people type either)."""
    return " ".join((text or "").upper().replace("Ё", "Е").split())


class Address(models.Model):
    """A place of the municipality's own address list (``manage.py import_addresses``): what the report form's
    address search offers, in the words residents use — a street and number, a landmark."""

    label = models.CharField(_("address"), max_length=255, unique=True)
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    #: the label as it is searched (address_search_text); on PostgreSQL a trigram index serves "contains" and
    #: "starts with" (migration 0006), elsewhere the plain index serves "starts with"
    search = models.CharField(_("search text"), max_length=255, editable=False, db_index=True)

    history = History()

    class Meta:
        ordering = ["label"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        self.search = address_search_text(self.label)
        super().save(*args, **kwargs)
