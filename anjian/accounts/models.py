"""Users, their role assignments (each with a scope) and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.accounts.roles import COMMITTEE_ROLES, REGION_ROLES, UNIT_ROLES, Role
from anjian.core.scoping import ScopedQuerySet
from anjian.core.validators import normalize_mobile


class UserQuerySet(ScopedQuerySet):
    """Users are visible through their role assignments: a town office sees its town's people."""

    view_action = "accounts.view_users"

    def for_action(self, user, action: str = "view"):
        assignments = RoleAssignment.objects.for_action(user, self.qualify(action))
        return self.filter(pk__in=assignments.values("user_id"))


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **extra):
        if not username:
            raise ValueError("username is required")
        if extra.get("mobile"):
            extra["mobile"] = normalize_mobile(extra["mobile"])
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, password, **extra)

    def get_by_login(self, login: str) -> User | None:
        """The user whose user name or mobile number is ``login``."""
        login = (login or "").strip()
        if not login:
            return None
        mobile = normalize_mobile(login)
        return self.filter(Q(username=login) | Q(mobile=mobile)).first()


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. What they may see comes from their role assignments."""

    username = models.CharField(_("user name"), max_length=50, unique=True)
    mobile = models.CharField(_("mobile number"), max_length=11, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=50)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("may use the admin site"), default=False, help_text=_("For system administrators only.")
    )
    must_change_password = models.BooleanField(
        _("must change password at next log-in"), default=True
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return f"{self.name}（{self.username}）" if self.name else self.username

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class RoleAssignmentQuerySet(ScopedQuerySet):
    scope_path = ("region__path", "unit__region__path", "committee__region__path")
    view_action = "accounts.view_users"

    def active(self) -> RoleAssignmentQuerySet:
        return self.filter(is_active=True)


class RoleAssignment(models.Model):
    """A user holds a role within a scope: a region subtree, one unit, or one committee."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    committee = models.ForeignKey(
        "teams.Committee",
        verbose_name=_("committee"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(_("title or department"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="role_assignment_role_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=sorted(REGION_ROLES),
                        region__isnull=False,
                        unit__isnull=True,
                        committee__isnull=True,
                    )
                    | Q(role__in=sorted(UNIT_ROLES), unit__isnull=False, committee__isnull=True)
                    | Q(
                        role__in=sorted(COMMITTEE_ROLES), committee__isnull=False, unit__isnull=True
                    )
                ),
                name="role_assignment_scope_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region", "unit", "committee"],
                name="role_assignment_unique",
            ),
        ]

    def __str__(self) -> str:
        target = self.unit or self.committee or self.region
        return f"{self.get_role_display()} · {target}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(ScopedQuerySet):
    scope_path = None
    scope_user = "user_id"
    view_action = "accounts.own"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the raw token is shown once."""

    PREFIX = "aj_"

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    key_hint = models.CharField(_("key hint"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_hint}… ({self.user})"

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())
