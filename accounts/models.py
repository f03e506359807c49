from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.history import History


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, email_verified=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: citizen or staff. Logs in with e-mail."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    #: whether the person also wants the notifications they need not have (news of a case's progress,
    #: reminders of tasks due soon); the ones they must have (a correction asked, a decision, ...) go
    #: whatever this says (core.mail.mail_user, ``optional``)
    optional_notifications = models.BooleanField(_("optional notifications"), default=True)
    email_verified = models.BooleanField(_("e-mail verified"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    history = History(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Organisation(models.Model):
    """A node in the organisation tree: municipality › department;
    ministry › region › district › mahalla; supplier."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        DEPARTMENT = "department", _("Department")
        MINISTRY = "ministry", _("Ministry")
        REGION = "region", _("Region")
        DISTRICT = "district", _("District")
        MAHALLA = "mahalla", _("Mahalla")
        SUPPLIER = "supplier", _("Supplier")

    ALLOWED_PARENTS = {
        Kind.MUNICIPALITY: {None},
        Kind.DEPARTMENT: {Kind.MUNICIPALITY, Kind.DEPARTMENT},
        Kind.MINISTRY: {None},
        Kind.REGION: {Kind.MINISTRY},
        Kind.DISTRICT: {Kind.REGION},
        Kind.MAHALLA: {Kind.DISTRICT},
        Kind.SUPPLIER: {None, Kind.MUNICIPALITY},
    }

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    email = models.EmailField(_("e-mail"), blank=True)

    # history is registered in translation.py, after the per-language name columns exist

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        parent_kind = self.parent.kind if self.parent_id else None
        if parent_kind not in self.ALLOWED_PARENTS.get(self.kind, set()):
            raise ValidationError({"parent": _("A %(kind)s cannot sit under this parent.") % {"kind": self.get_kind_display()}})


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    CLERK = "clerk", _("Clerk")
    SUPERVISOR = "supervisor", _("Supervisor")
    AUDITOR = "auditor", _("Auditor")
    MINISTRY = "ministry", _("Ministry staff")
    MAHALLA = "mahalla", _("Mahalla staff")
    SUPPLIER = "supplier", _("Supplier")
    ADMIN = "admin", _("Administrator")
    DISTRICT = "district", _("District staff")


@dataclass(frozen=True)
class WorkingRoles:
    """Who works an organisation's queue of tasks: ``workers`` take its steps; ``heads`` take them
    too, and also the steps only a head may take (decisions), reassign its work and receive its
    escalations."""

    workers: frozenset
    heads: frozenset

    @property
    def all(self):
        return self.workers | self.heads


#: Organisation kind -> the roles that work tasks routed to an organisation of that kind. A task
#: routed to an organisation of another kind (a municipality, a region) would wait for nobody, so
#: routing to one is refused (workflows.flows.department_task). The head is the supervisor everywhere.
WORKING_ROLES = {
    Organisation.Kind.DEPARTMENT: WorkingRoles(workers=frozenset({Role.CLERK}), heads=frozenset({Role.SUPERVISOR})),
    Organisation.Kind.SUPPLIER: WorkingRoles(workers=frozenset({Role.SUPPLIER}), heads=frozenset({Role.SUPERVISOR})),
    Organisation.Kind.MINISTRY: WorkingRoles(workers=frozenset({Role.MINISTRY}), heads=frozenset({Role.SUPERVISOR})),
    Organisation.Kind.DISTRICT: WorkingRoles(workers=frozenset({Role.DISTRICT}), heads=frozenset({Role.SUPERVISOR})),
    Organisation.Kind.MAHALLA: WorkingRoles(workers=frozenset({Role.MAHALLA}), heads=frozenset({Role.SUPERVISOR})),
}

#: every role that works some organisation's queue
QUEUE_ROLES = frozenset().union(*(roles.all for roles in WORKING_ROLES.values()))


class Membership(models.Model):
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    history = History()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} @ {self.organisation}"

    def clean(self):
        """A role that works queues fits only the organisation kinds that give it work
        (``WORKING_ROLES``): a clerk of a supplier would see nothing and be asked for nothing."""
        from django.core.exceptions import ValidationError

        if self.role not in QUEUE_ROLES or not self.organisation_id:
            return
        fitting = WORKING_ROLES.get(self.organisation.kind)
        if fitting is None or self.role not in fitting.all:
            allowed = ", ".join(str(Role(role).label) for role in sorted(fitting.all)) if fitting else "-"
            raise ValidationError({"role": _("A %(role)s does not work in a %(kind)s. Roles that do: %(allowed)s.") % {
                "role": self.get_role_display(), "kind": self.organisation.get_kind_display(), "allowed": allowed}})
