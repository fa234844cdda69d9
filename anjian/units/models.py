"""Supervised units (监管对象): the core on which the units issue builds the register (一企一档)."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.models import TimeStampedModel
from anjian.core.scoping import ScopedQuerySet


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    STREET_SHOP = "street_shop", _("Street shop")
    SMALL_VENUE = "small_venue", _("Small eatery, workshop or store")
    CONSTRUCTION = "construction", _("Construction project")
    GAS_POINT = "gas_point", _("Gas supply point")
    PETROL_STATION = "petrol_station", _("Petrol station")
    HOUSING = "housing", _("Dilapidated or rental house")
    CROWDED_VENUE = "crowded_venue", _("Crowded venue")
    RESERVOIR = "reservoir", _("Pond or small reservoir")
    FIREWORKS_SHOP = "fireworks_shop", _("Fireworks shop")


class UnitStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
    MOVED = "moved", _("Moved away")


class UnitSize(models.TextChoices):
    ABOVE_100M = "above_100m", _("Above designated size, output ≥ 100 million yuan")
    ABOVE = "above", _("Above designated size (规上)")
    BELOW = "below", _("Below designated size (规下)")
    SMALL_MICRO = "small_micro", _("Small or micro (小微)")
    INDIVIDUAL = "individual", _("Individual business (个体工商户)")


class Standardisation(models.TextChoices):
    LEVEL1 = "level1", _("Grade 1")
    LEVEL2 = "level2", _("Grade 2")
    LEVEL3 = "level3", _("Grade 3")
    SMALL_MICRO = "small_micro", _("Small/micro standardisation")
    NONE = "none", _("Not started")


class Grade(models.TextChoices):
    """The town's supervision grade (分级分类), most watched first."""

    RED = "red", _("Red: key supervision")
    ORANGE = "orange", _("Orange: stricter supervision")
    YELLOW = "yellow", _("Yellow: general supervision")
    BLUE = "blue", _("Blue: routine supervision")


GRADE_ORDER = [Grade.RED, Grade.ORANGE, Grade.YELLOW, Grade.BLUE]


class CategoryGroup(models.TextChoices):
    HAZARDOUS_CHEMICALS = "haz_chem", _("Hazardous chemicals")
    THREE_PLACES = "three_places", _("Three places, three enterprise types")
    FIRE = "fire", _("Fire safety")
    INDUSTRY_RISK = "industry_risk", _("Industry risk")
    OTHER = "other", _("Other")


class Category(models.Model):
    """A configurable tag of a unit (危化品使用, 喷涂, 消防重点单位…); a unit carries any number."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    group = models.CharField(_("group"), max_length=16, choices=CategoryGroup.choices)
    grade_floor = models.CharField(
        _("at least this grade"),
        max_length=8,
        choices=Grade.choices,
        blank=True,
        help_text=_("A unit with this category is suggested at least this grade."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    town = models.ForeignKey(
        "regions.Region",
        verbose_name=_("town"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: shared by every town (kept by the district)."),
    )

    class Meta:
        verbose_name = _("unit category")
        verbose_name_plural = _("unit categories")
        ordering = ["group", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


def new_qr_token() -> str:
    """A random, unguessable token for a unit's QR code (一企一码): 22 URL-safe characters."""
    return secrets.token_urlsafe(16)


class UnitQuerySet(ScopedQuerySet):
    scope_path = "region__path"
    scope_unit = "id"
    scope_committee = "committee_id"


class Unit(TimeStampedModel):
    """One supervised unit, placed in a village or community of a town."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, db_index=True
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.ENTERPRISE
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("village or community"),
        on_delete=models.PROTECT,
        related_name="units",
    )
    committee = models.ForeignKey(
        "teams.Committee",
        verbose_name=_("sector committee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=UnitStatus.choices, default=UnitStatus.OPERATING
    )
    # --- The register (一企一档): facts an office keeps about an enterprise -------------------------
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    principal_name = models.CharField(_("principal (主要负责人)"), max_length=50, blank=True)
    principal_mobile = models.CharField(_("principal's mobile"), max_length=20, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    industry_code = models.CharField(
        _("industry code (GB/T 4754)"), max_length=5, blank=True, db_index=True
    )
    industry_name = models.CharField(_("industry"), max_length=100, blank=True)
    size = models.CharField(_("size"), max_length=12, choices=UnitSize.choices, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    standardisation = models.CharField(
        _("standardisation"),
        max_length=12,
        choices=Standardisation.choices,
        default=Standardisation.NONE,
    )
    categories = models.ManyToManyField(
        "units.Category", verbose_name=_("categories"), blank=True, related_name="units"
    )
    # --- Grading (分级分类): the grade the rules suggest and the grade the office sets ------------
    suggested_grade = models.CharField(
        _("suggested grade"), max_length=8, choices=Grade.choices, blank=True, editable=False
    )
    grade = models.CharField(
        _("supervision grade"), max_length=8, choices=Grade.choices, blank=True
    )
    grade_reason = models.TextField(
        _("reason for the grade"),
        blank=True,
        help_text=_("Required when the grade differs from the suggested one."),
    )
    # --- Search: the name in pinyin, kept by the services that write the name -------------------
    name_pinyin = models.CharField(_("name in pinyin"), max_length=600, blank=True, editable=False)
    name_initials = models.CharField(
        _("pinyin initials"), max_length=200, blank=True, editable=False, db_index=True
    )
    # Compare-and-set counter: every write checks and bumps it (no lost updates).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # The QR code (一企一码) encodes /q/<qr_token>/: random and stored, so printed stickers survive
    # a change of SECRET_KEY, and a leaked sticker can be replaced by issuing a new token.
    qr_token = models.CharField(
        _("QR code token"), max_length=32, unique=True, default=new_qr_token, editable=False
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervised unit")
        verbose_name_plural = _("supervised units")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=UnitKind.values), name="unit_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=UnitStatus.values), name="unit_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["region", "name"], name="unit_region_name_idx")]

    def __str__(self) -> str:
        return self.name


class PersonRole(models.TextChoices):
    PRINCIPAL = "principal", _("Principal (主要负责人)")
    SAFETY_OFFICER = "safety_officer", _("Safety officer")
    CERTIFIED_WORKER = "certified_worker", _("Certified special-operations worker")
    CONTACT = "contact", _("Contact")


class UnitScopedQuerySet(ScopedQuerySet):
    """Rows that belong to one unit: visible wherever the unit is (region, unit, committee)."""

    scope_path = "unit__region__path"
    scope_unit = "unit_id"
    scope_committee = "unit__committee_id"
    view_action = "units.view"


class UnitPerson(TimeStampedModel):
    """A person of the unit: principal, safety officer, certified worker."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="people"
    )
    role = models.CharField(_("role"), max_length=20, choices=PersonRole.choices)
    name = models.CharField(_("name"), max_length=50)
    mobile = models.CharField(_("mobile number"), max_length=20, blank=True)
    certificate_type = models.CharField(_("certificate"), max_length=60, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=60, blank=True)
    certificate_valid_to = models.DateField(_("certificate valid to"), null=True, blank=True)
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unit_people",
    )

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("person of a unit")
        verbose_name_plural = _("people of units")
        ordering = ["unit", "role", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class DocumentType(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    SAFETY_LICENCE = "safety_licence", _("Safety production licence")
    HAZ_CHEM_PERMIT = "haz_chem_permit", _("Hazardous-chemical permit")
    SPECIAL_EQUIPMENT = "special_equipment", _("Special-equipment registration")
    SPECIAL_OPERATION = "special_operation", _("Special-operation certificate")
    EMERGENCY_PLAN = "emergency_plan", _("Emergency plan")
    EMERGENCY_PLAN_FILING = "emergency_plan_filing", _("Emergency plan filing")
    SAFETY_EVALUATION = "safety_evaluation", _("Safety evaluation report")
    INSURANCE = "insurance", _("Work-safety liability insurance")
    OTHER = "other", _("Other document")


def document_upload_to(instance: UnitDocument, filename: str) -> str:
    return f"units/{instance.unit_id}/documents/{filename}"


class UnitDocument(TimeStampedModel):
    """One document of the unit's file (一企一档), with its validity."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="documents"
    )
    doc_type = models.CharField(_("document type"), max_length=24, choices=DocumentType.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    number = models.CharField(_("number"), max_length=100, blank=True)
    issuer = models.CharField(_("issued by"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True, db_index=True)
    file = models.FileField(_("scanned file"), upload_to=document_upload_to, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    person = models.ForeignKey(
        UnitPerson,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    uploaded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit document")
        verbose_name_plural = _("unit documents")
        ordering = ["unit", "doc_type", "-valid_to", "pk"]

    def __str__(self) -> str:
        return self.title or self.get_doc_type_display()


class ExpiryReminder(models.Model):
    """One reminder sent for a document at one threshold (60/30/7/0 days): never sent twice."""

    document = models.ForeignKey(UnitDocument, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.SmallIntegerField(_("days before expiry"))
    valid_to = models.DateField(_("for the validity ending"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "days_before", "valid_to"], name="expiry_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} −{self.days_before}"


# --- Experts on contract (包干制) ----------------------------------------------------------------


class ServiceFirmQuerySet(ScopedQuerySet):
    scope_path = "region__path"
    view_action = "units.view"


class ServiceFirm(TimeStampedModel):
    """A safety service company (社会化服务机构) contracted by a town."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    contract_from = models.DateField(_("contract from"), null=True, blank=True)
    contract_to = models.DateField(_("contract to"), null=True, blank=True)

    objects = ServiceFirmQuerySet.as_manager()

    class Meta:
        verbose_name = _("service firm")
        verbose_name_plural = _("service firms")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="service_firm_unique_per_town")
        ]

    def __str__(self) -> str:
        return self.name


class EngineerQuerySet(ScopedQuerySet):
    scope_path = "firm__region__path"
    scope_user = "user_id"
    view_action = "units.view"


class Engineer(TimeStampedModel):
    """An engineer of a service firm (注册安全工程师…) who can be assigned units."""

    firm = models.ForeignKey(
        ServiceFirm, verbose_name=_("firm"), on_delete=models.PROTECT, related_name="engineers"
    )
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="engineer",
    )
    name = models.CharField(_("name"), max_length=50)
    mobile = models.CharField(_("mobile number"), max_length=20, blank=True)
    specialities = models.ManyToManyField(
        Category, verbose_name=_("specialities"), blank=True, related_name="engineers"
    )
    certificate_no = models.CharField(_("certificate number"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = EngineerQuerySet.as_manager()

    class Meta:
        verbose_name = _("engineer")
        verbose_name_plural = _("engineers")
        ordering = ["firm", "name"]

    def __str__(self) -> str:
        return self.name


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the office's approval")
    ACTIVE = "active", _("In force")
    ENDED = "ended", _("Ended")
    REJECTED = "rejected", _("Rejected")


class ExpertAssignment(TimeStampedModel):
    """The engineer assigned to a unit (包干). A change needs a reason and the office's approval;
    every row stays, so the history is visible."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="expert_assignments"
    )
    engineer = models.ForeignKey(
        Engineer, verbose_name=_("engineer"), on_delete=models.PROTECT, related_name="assignments"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PENDING,
        editable=False,
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")
        ordering = ["unit", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(status="active"),
                name="one_active_engineer_per_unit",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(status="pending"),
                name="one_pending_change_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ← {self.engineer} ({self.get_status_display()})"


# --- Enterprise accounts and the changes they propose ----------------------------------------------


class Invitation(TimeStampedModel):
    """The office invites a unit's principal or safety officer; they activate with their phone."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="invitations"
    )
    person_role = models.CharField(_("as"), max_length=20, choices=PersonRole.choices)
    name = models.CharField(_("name"), max_length=50)
    mobile = models.CharField(_("mobile number"), max_length=11)
    code_hash = models.CharField(
        _("activation code hash"), max_length=64, unique=True, editable=False
    )
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Wrong activation codes entered for this invitation; at the limit it is locked for good.
    failed_attempts = models.PositiveSmallIntegerField(
        _("wrong codes entered"), default=0, editable=False
    )
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invited_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} → {self.unit}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the office")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class UnitChangeRequest(TimeStampedModel):
    """A change of key facts (name, credit code, principal) proposed by the enterprise, applied
    only when the office confirms it."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="change_requests"
    )
    changes = models.JSONField(_("changes"), default=dict)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ChangeStatus.choices,
        default=ChangeStatus.PENDING,
        editable=False,
    )
    requested_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.unit}: {', '.join(self.changes)}"


class PublicProfile(models.Model):
    """What a town publishes on the public page behind each unit's QR code (一企一码)."""

    region = models.OneToOneField(
        "regions.Region", verbose_name=_("town"), on_delete=models.CASCADE, related_name="+"
    )
    show_grade = models.BooleanField(_("show the grade colour"), default=True)
    show_safety_officer_phone = models.BooleanField(
        _("show the safety officer's phone"), default=True
    )
    show_address = models.BooleanField(_("show the address"), default=False)
    show_kind = models.BooleanField(_("show the kind of unit"), default=True)

    class Meta:
        verbose_name = _("public page settings")
        verbose_name_plural = _("public page settings")

    def __str__(self) -> str:
        return str(self.region)
