"""``{% inspection_documents inspection %}``: the documents of an inspection on its record page,
with the buttons that issue them for those who may."""

from __future__ import annotations

from django import template

from anjian.core.scoping import get_scope
from anjian.enforcement.documents import ISSUE, VIEW
from anjian.enforcement.models import DocumentType, IssuedDocument
from anjian.inspections.choices import InspectionStatus
from anjian.inspections.models import Inspection

register = template.Library()


@register.inclusion_tag("enforcement/_inspection_documents.html", takes_context=True)
def inspection_documents(context, inspection):
    user = context["request"].user
    scope = get_scope(user)
    docs = (
        list(
            IssuedDocument.objects.for_action(user, VIEW)
            .filter(inspection=inspection)
            .order_by("issued_at", "pk")
        )
        if scope.can(VIEW)
        else []
    )
    can_issue = (
        inspection.status == InspectionStatus.FINISHED
        and scope.can(ISSUE)
        and Inspection.objects.for_action(user, ISSUE).filter(pk=inspection.pk).exists()
    )
    kinds = {d.doc_type for d in docs}
    has_hazards = inspection.results.exclude(hazard=None).exists()
    return {
        "inspection": inspection,
        "documents": docs,
        "can_issue": can_issue,
        "csrf_token": context.get("csrf_token"),
        "show_record": DocumentType.SITE_RECORD not in kinds,
        "show_order": has_hazards and DocumentType.RECTIFICATION_ORDER not in kinds,
        "ORDER": DocumentType.RECTIFICATION_ORDER,
        "recheck_done": {d.order_id for d in docs if d.order_id},
    }
