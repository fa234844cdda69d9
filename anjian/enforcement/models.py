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
