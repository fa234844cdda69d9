"""Official enforcement documents (执法文书) and their numbers.

Each document type numbers itself per town and year in the town's format (e.g.
``场口安监责改〔2026〕12号``). ``DocumentCounter`` is the one row per (town, type, year) whose
increment hands out the numbers: it is updated inside the transaction that records the document, so
a number is never given twice, and a rolled-back issue gives its number back (no gaps, no reuse).
The Word files of the documents (issue 5) are generated from ``IssuedDocument`` rows.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.scoping import ScopedQuerySet
from anjian.enforcement.case_choices import CaseStage, PartyType, ProvisionKind


class DocumentType(models.TextChoices):
    SITE_RECORD = "site_record", _("On-site inspection record (现场检查记录)")
    RECTIFICATION_ORDER = (
        "rectification_order",
        _("Order to rectify within a deadline (责令限期整改指令书)"),
    )
    RECHECK_OPINION = "recheck_opinion", _("Rectification re-check opinion (整改复查意见书)")
    CASE_APPROVAL = "case_approval", _("Case-opening approval form (立案审批表)")
    PENALTY_NOTICE = "penalty_notice", _("Penalty notice (行政处罚告知书)")
    PENALTY_DECISION = "penalty_decision", _("Penalty decision (行政处罚决定书)")
    CLOSURE_APPROVAL = "closure_approval", _("Case-closure approval form (结案审批表)")


# The type's word in the number (机关代字): 场口安监**责改**〔2026〕12号.
TYPE_CODES: dict[str, str] = {
    DocumentType.SITE_RECORD: "检记",
    DocumentType.RECTIFICATION_ORDER: "责改",
    DocumentType.RECHECK_OPINION: "复查",
    DocumentType.CASE_APPROVAL: "立审",
    DocumentType.PENALTY_NOTICE: "罚告",
    DocumentType.PENALTY_DECISION: "罚决",
    DocumentType.CLOSURE_APPROVAL: "结审",
}
DEFAULT_FORMAT = "{town}安监{code}〔{year}〕{number}号"


class NumberingRule(models.Model):
    """A town's own format for one document type's numbers (default ``DEFAULT_FORMAT``)."""

    town = models.ForeignKey(
        "regions.Region", verbose_name=_("town"), on_delete=models.CASCADE, related_name="+"
    )
    doc_type = models.CharField(_("kind of document"), max_length=24, choices=DocumentType.choices)
    pattern = models.CharField(
        _("number format"),
        max_length=80,
        default=DEFAULT_FORMAT,
        help_text=_(
            "With {town}, {code}, {year} and {number}, e.g. {town}安监{code}〔{year}〕{number}号"
        ),
    )

    class Meta:
        verbose_name = _("numbering rule")
        verbose_name_plural = _("numbering rules")
        constraints = [
            models.UniqueConstraint(fields=["town", "doc_type"], name="numbering_rule_once")
        ]

    def __str__(self) -> str:
        return f"{self.town} {self.get_doc_type_display()}"


class OfficeTemplate(models.Model):
    """A town's own Word template (docxtpl) for one document type, used instead of the built-in
    layout when its documents are issued (variables: docs/enforcement-settings.md)."""

    town = models.ForeignKey(
        "regions.Region", verbose_name=_("town"), on_delete=models.CASCADE, related_name="+"
    )
    doc_type = models.CharField(_("kind of document"), max_length=24, choices=DocumentType.choices)
    file = models.FileField(_("Word template"), upload_to="enforcement/templates/%Y/")
    name = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)

    class Meta:
        verbose_name = _("office Word template")
        verbose_name_plural = _("office Word templates")
        constraints = [
            models.UniqueConstraint(fields=["town", "doc_type"], name="office_template_once")
        ]

    def __str__(self) -> str:
        return f"{self.town} {self.get_doc_type_display()}"


class DocumentCounter(models.Model):
    """The last number given to a document type in a town and year."""

    town = models.ForeignKey(
        "regions.Region", verbose_name=_("town"), on_delete=models.CASCADE, related_name="+"
    )
    doc_type = models.CharField(_("kind of document"), max_length=24, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [
            models.UniqueConstraint(fields=["town", "doc_type", "year"], name="counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.town} {self.doc_type} {self.year}: {self.last_number}"


class AuthorityMode(models.TextChoices):
    """In whose name the town enforces (domain §4.5)."""

    ENTRUSTED = "entrusted", _("Entrusted by the county bureau (委托执法)")
    DELEGATED = "delegated", _("Power delegated to the town (赋权)")
    OWN = "own", _("The town's own power")


class EnforcementSettings(models.Model):
    """One town's enforcement facts printed on its documents: the issuing authority, the mode, and
    where a party may seek reconsideration or sue."""

    town = models.OneToOneField(
        "regions.Region",
        verbose_name=_("town"),
        on_delete=models.CASCADE,
        related_name="enforcement_settings",
    )
    authority_name = models.CharField(
        _("issuing authority"), max_length=100, blank=True, help_text=_("e.g. 富阳区应急管理局")
    )
    mode = models.CharField(
        _("enforcement mode"),
        max_length=12,
        choices=AuthorityMode.choices,
        default=AuthorityMode.ENTRUSTED,
    )
    town_body_name = models.CharField(
        _("the town's body"), max_length=100, blank=True, help_text=_("e.g. 场口镇人民政府")
    )
    reconsideration_body = models.CharField(
        _("administrative reconsideration body"), max_length=100, blank=True
    )
    court = models.CharField(_("people's court"), max_length=100, blank=True)
    penalty_cap = models.DecimalField(
        _("largest fine the town may impose (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Set by the entrustment or delegation; a case whose fine would exceed it is "
            "transferred (移送) to the district bureau. Empty: no cap beyond the provision's range."
        ),
    )

    class Meta:
        verbose_name = _("enforcement settings")
        verbose_name_plural = _("enforcement settings")

    def __str__(self) -> str:
        return f"{self.town} {self.get_mode_display()}"


class OfficerCertificate(models.Model):
    """An officer's law-enforcement certificate (执法证): printed on every document they sign."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="enforcement_certificate",
    )
    number = models.CharField(_("law-enforcement certificate number"), max_length=40)
    valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("law-enforcement certificate")
        verbose_name_plural = _("law-enforcement certificates")

    def __str__(self) -> str:
        return f"{self.user} {self.number}"


def document_upload_to(instance: IssuedDocument, filename: str) -> str:
    """A random name: the number is not guessable from the storage path."""
    return f"enforcement/{instance.town_id}/{instance.year}/{uuid.uuid4().hex}.docx"


class IssuedDocumentQuerySet(ScopedQuerySet):
    scope_path = "town__path"
    scope_unit = "unit_id"
    view_action = "enforcement.view"


class IssuedDocument(models.Model):
    """One numbered document, issued by a town to a unit."""

    town = models.ForeignKey(
        "regions.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+"
    )
    doc_type = models.CharField(_("kind of document"), max_length=24, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("document number"), max_length=80)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents_issued",
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    order = models.ForeignKey(
        "self",
        verbose_name=_("order re-checked"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recheck_opinions",
        help_text=_("For a re-check opinion: the rectification order it answers."),
    )
    hazards = models.ManyToManyField(
        "hazards.Hazard", verbose_name=_("hazards covered"), blank=True, related_name="documents"
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enforcement officers"),
        blank=True,
        related_name="enforcement_documents",
    )
    file = models.FileField(_("Word file"), upload_to=document_upload_to, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    case = models.ForeignKey(
        "enforcement.Case",
        verbose_name=_("enforcement case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )

    objects = IssuedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "doc_type", "year", "number"], name="document_number_once"
            )
        ]

    def __str__(self) -> str:
        return self.label


# --- Enforcement cases (立案查处) ----------------------------------------------------------------


class LegalProvisionQuerySet(ScopedQuerySet):
    """The table of provisions is shared by every town (rows without a town), and each town may add
    its own: a role granting the action sees the shared rows and its towns' own, any other role
    none of it."""

    scope_path = None
    view_action = "enforcement.view_provisions"

    def for_action(self, user, action: str = "view"):
        from anjian.core.scoping import get_scope
        from anjian.regions.shared import shared_or_own_q

        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        action = self.qualify(action)
        if not get_scope(user).can(action):
            return self.none()
        # The shared rows, and the own rows of the towns the person works in (issue 16 §3).
        return self.filter(shared_or_own_q(user, action))


class LegalProvision(models.Model):
    """One provision of the maintained table (domain §2.4). A penalty provision (``kind``
    ``penalty``) says what it forbids and the penalty it sets, with the fine range for an
    organisation and for an individual; only these are chosen by a case. A duty article
    (``duty``) is what a checklist item cites (``inspections.legal_bases``): it sets no fine, and
    its ``penalty_text`` names the penalty article where that is certain."""

    law = models.CharField(_("law or regulation"), max_length=100)
    article = models.CharField(
        _("article, paragraph, item"), max_length=60, help_text=_("e.g. 第一百零二条")
    )
    kind = models.CharField(
        _("kind of provision"),
        max_length=10,
        choices=ProvisionKind.choices,
        default=ProvisionKind.PENALTY,
        help_text=_("A case chooses only a penalty provision; checklist items cite duty articles."),
    )
    violation = models.TextField(_("violation"))
    penalty_text = models.TextField(_("penalty"))
    fine_min_organisation = models.DecimalField(
        _("smallest fine for an organisation (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    fine_max_organisation = models.DecimalField(
        _("largest fine for an organisation (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: the provision sets no fine for an organisation."),
    )
    fine_min_individual = models.DecimalField(
        _("smallest fine for an individual (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    fine_max_individual = models.DecimalField(
        _("largest fine for an individual (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: the provision sets no fine for an individual."),
    )
    warning = models.BooleanField(_("a warning applies"), default=False)
    suspension = models.BooleanField(_("suspension applies"), default=False)
    note = models.TextField(_("note"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    town = models.ForeignKey(
        "regions.Region",
        verbose_name=_("town"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: shared by every town (kept by the district)."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = LegalProvisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal provision")
        verbose_name_plural = _("legal provisions")
        ordering = ["law", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["law", "article"], name="legal_provision_once")
        ]

    def __str__(self) -> str:
        return f"《{self.law}》{self.article}"

    def fine_range(self, party_type: str) -> tuple:
        """(smallest, largest) fine for the kind of party; largest ``None``: no fine."""
        if party_type == "individual":
            return self.fine_min_individual, self.fine_max_individual
        return self.fine_min_organisation, self.fine_max_organisation


class CaseQuerySet(ScopedQuerySet):
    scope_path = "town__path"
    scope_unit = "unit_id"
    view_action = "enforcement.view_cases"


class Case(models.Model):
    """One case opened against a unit (or a person of it), from opening to closure."""

    town = models.ForeignKey(
        "regions.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cases"
    )
    party_type = models.CharField(
        _("kind of party"), max_length=12, choices=PartyType.choices, default=PartyType.ORGANISATION
    )
    party_name = models.CharField(
        _("party"), max_length=200, help_text=_("The unit, or the person fined.")
    )
    number = models.CharField(
        _("case number"), max_length=80, blank=True, help_text=_("The approval form's number.")
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection the case comes from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    hazards = models.ManyToManyField(
        "hazards.Hazard",
        verbose_name=_("hazards the case comes from"),
        blank=True,
        related_name="cases",
    )
    cause = models.CharField(_("cause of action (案由)"), max_length=200)
    facts = models.TextField(_("facts"))
    provision = models.ForeignKey(
        LegalProvision,
        verbose_name=_("penalty basis"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    stage = models.CharField(
        _("stage"),
        max_length=16,
        choices=CaseStage.choices,
        default=CaseStage.OPENED,
        db_index=True,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("case officers"), related_name="cases_handled"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    # Approvals: who and when.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opening approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("extension approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    extended_on = models.DateField(_("extended on"), null=True, blank=True)
    proposed_fine = models.DecimalField(
        _("proposed fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    statement_due = models.DateField(
        _("statement, defence or hearing request due"), null=True, blank=True
    )
    statement = models.TextField(_("party's statement and defence"), blank=True)
    hearing_requested = models.BooleanField(_("hearing requested"), default=False)
    decided_fine = models.DecimalField(
        _("decided fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decision approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    served_on = models.DateField(_("decision served on"), null=True, blank=True)
    payment_due = models.DateField(_("payment due"), null=True, blank=True)
    executed_on = models.DateField(_("executed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closure approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    transferred_to = models.CharField(_("transferred to"), max_length=100, blank=True)
    transferred_on = models.DateField(_("transferred on"), null=True, blank=True)
    transfer_reason = models.TextField(_("reason for the transfer"), blank=True)
    withdrawn_reason = models.TextField(_("reason for the withdrawal"), blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enforcement case")
        verbose_name_plural = _("enforcement cases")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number or f"{self.party_name} {self.cause}"


class CaseScopedQuerySet(ScopedQuerySet):
    """Rows of one case: visible wherever the case is."""

    scope_path = "case__town__path"
    scope_unit = "case__unit_id"
    view_action = "enforcement.view_cases"


class CaseEvent(models.Model):
    """One step of a case's timeline."""

    case = models.ForeignKey(
        Case, verbose_name=_("enforcement case"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=24)
    from_stage = models.CharField(_("from stage"), max_length=16, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.action}"


class CasePayment(models.Model):
    """One payment of the fine (and late fee) of a case."""

    case = models.ForeignKey(
        Case, verbose_name=_("enforcement case"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount paid (yuan)"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    receipt_number = models.CharField(_("receipt number"), max_length=60)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "receipt_number"], name="case_receipt_once")
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.amount}"
