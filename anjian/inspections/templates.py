"""Checklist templates: every write (copy, drafts, sections, items, publishing) and the reads of
templates that pages, the API and the inspection helper use.

A published version is frozen: only a draft changes, and each write first "touches" its draft with a
conditional ``UPDATE … WHERE status='draft'`` (compare-and-set; on PostgreSQL it also holds the row
until the commit, so a concurrent publish waits). The shipped templates (no town) are read-only:
a town office copies one to its town first. Only ``inspections.manage_templates`` (the town office)
writes, and only to its own town's copies; everything outside the scope is 404.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record, snapshot
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition
from anjian.core.scoping import get_scope
from anjian.hazards.choices import HazardCategory, HazardLevel
from anjian.inspections.choices import VersionStatus
from anjian.inspections.models import (
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    ChecklistVersion,
)
from anjian.regions.models import Region, RegionLevel

VIEW = "inspections.view_templates"
MANAGE = "inspections.manage_templates"
GENERAL_CODE = "general"

ITEM_FIELDS = (
    "text",
    "legal_basis",
    "hazard_level",
    "hazard_category",
    "is_major_criterion",
    "criterion_ref",
    "guidance",
)
TEMPLATE_FIELDS = ("name", "description", "unit_kinds", "category_codes", "is_active")
MAX_ITEMS = 500


# --- Reading ------------------------------------------------------------------------------------


def templates_for(user, *, action: str = VIEW):
    """The templates ``user`` may see (shipped + the town's copies), with the numbers a list shows:
    the published version, its item count and the draft's number."""
    published = Q(versions__status=VersionStatus.PUBLISHED)
    return (
        ChecklistTemplate.objects.for_action(user, action)
        .select_related("region", "copied_from")
        .annotate(
            published_number=Max("versions__number", filter=published),
            draft_number=Max("versions__number", filter=Q(versions__status=VersionStatus.DRAFT)),
            item_count=Count("versions__sections__items", filter=published),
        )
        .order_by("region_id", "sort_order", "name", "pk")
    )


def templates_search(qs, search: str):
    """Templates whose name, code or description contain ``search``."""
    search = search.strip()
    if not search:
        return qs
    return qs.filter(
        Q(name__icontains=search) | Q(code__icontains=search) | Q(description__icontains=search)
    )


def versions_of(template: ChecklistTemplate):
    """The versions of a template, newest first, each with its item count (``n``)."""
    return (
        template.versions.select_related("published_by")
        .annotate(n=Count("sections__items"))
        .order_by("-number")
    )


def template_get_for(user, template_id: int, *, action: str = VIEW) -> ChecklistTemplate:
    """The template if ``user`` may do ``action`` to it; 404 otherwise."""
    template = (
        ChecklistTemplate.objects.for_action(user, action)
        .select_related("region", "copied_from")
        .filter(pk=template_id)
        .first()
    )
    if template is None:
        raise Http404
    return template


def version_get_for(user, version_id: int) -> ChecklistVersion:
    """A version of a template ``user`` may see, with its sections and items; 404 otherwise."""
    version = (
        ChecklistVersion.objects.for_action(user, VIEW)
        .select_related("template__region", "published_by")
        .prefetch_related(sections_prefetch())
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise Http404
    return version


def sections_prefetch() -> Prefetch:
    return Prefetch(
        "sections",
        queryset=ChecklistSection.objects.order_by("order", "pk").prefetch_related(
            Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "pk"))
        ),
    )


def published_version(template: ChecklistTemplate) -> ChecklistVersion | None:
    """The version inspections use now (None before the first publish)."""
    return (
        ChecklistVersion.objects.filter(template=template, status=VersionStatus.PUBLISHED)
        .prefetch_related(sections_prefetch())
        .first()
    )


def draft_version(template: ChecklistTemplate) -> ChecklistVersion | None:
    return ChecklistVersion.objects.filter(template=template, status=VersionStatus.DRAFT).first()


def template_suits(template: ChecklistTemplate, *, kind: str, category_codes) -> int | None:
    """How well ``template`` suits a unit of ``kind`` with ``category_codes``: 0 made for one of
    its categories, 1 made for its kind (whatever its categories), None not made for it. This is
    the one rule of what the start form offers as suited; the templates say as data whom they are
    for (``category_codes``, ``unit_kinds``; see ``checklist_defaults``)."""
    if set(category_codes) & set(template.category_codes or []):
        return 0
    if kind and kind in (template.unit_kinds or []):
        return 1
    return None


def templates_for_unit(user, unit) -> list[ChecklistTemplate]:
    """Active, published templates suited to ``unit`` (``template_suits``): those made for its
    categories, then those for its kind; when none suits, the general one. A town's copy stands
    in for the shipped template it was copied from."""
    codes = set(unit.categories.values_list("code", flat=True))
    candidates = [t for t in templates_for(user) if t.is_active and t.published_number]
    replaced = {t.copied_from_id for t in candidates if t.region_id and t.copied_from_id}
    candidates = [t for t in candidates if t.pk not in replaced]
    ranked = [(template_suits(t, kind=unit.kind, category_codes=codes), t) for t in candidates]
    suited = [(r, t) for r, t in ranked if r is not None]
    if not suited:
        suited = [(2, t) for t in candidates if _is_general(t)]
    return [
        t
        for _r, t in sorted(
            suited,
            key=lambda pair: (pair[0], pair[1].region_id is None, pair[1].sort_order, pair[1].name),
        )
    ]


def _is_general(template: ChecklistTemplate) -> bool:
    if template.code == GENERAL_CODE or template.code.startswith(f"{GENERAL_CODE}-"):
        return True
    source = template.copied_from
    return source is not None and source.code == GENERAL_CODE


def manage_towns_for(user) -> list[Region]:
    """The towns whose templates ``user`` may edit (a town office: its own town)."""
    scope = get_scope(user)
    if scope.is_superuser:
        return list(Region.objects.filter(level=RegionLevel.TOWN).order_by("path"))
    paths = scope.paths_for(MANAGE)
    if not paths:
        return []
    cond = Q()
    for path in paths:
        cond |= Q(path__startswith=path)
    return list(Region.objects.filter(cond, level=RegionLevel.TOWN).order_by("path"))


def can_manage(user, template: ChecklistTemplate) -> bool:
    return (
        template.region_id is not None
        and ChecklistTemplate.objects.for_action(user, MANAGE).filter(pk=template.pk).exists()
    )


# --- Access for writes ----------------------------------------------------------------------------


def _require_manage(actor) -> None:
    if not get_scope(actor).can(MANAGE):
        raise ActionNotPermitted(_("Only the town safety office edits checklists."))


def _template_for_manage(actor, template_id: int) -> ChecklistTemplate:
    """The town's own template, or: 404 outside the scope, 403 for a shipped template."""
    _require_manage(actor)
    template = ChecklistTemplate.objects.for_action(actor, MANAGE).filter(pk=template_id).first()
    if template is not None and template.region_id is not None:
        return template
    visible = template or template_get_for(actor, template_id)  # 404 when not even visible
    if visible.region_id is None:
        raise ActionNotPermitted(
            _("The checklists shipped with anjian cannot be changed: copy it to your town first.")
        )
    raise Http404  # pragma: no cover - a visible town copy outside the manage scope


def _draft_for(actor, version_id: int) -> ChecklistVersion:
    """The draft version ``actor`` may edit, locked against a concurrent publish."""
    version = ChecklistVersion.objects.for_action(actor, VIEW).filter(pk=version_id).first()
    if version is None:
        raise Http404
    _template_for_manage(actor, version.template_id)
    touched = ChecklistVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(
        status=VersionStatus.DRAFT
    )
    if touched != 1:
        version.refresh_from_db(fields=["status"])
        raise InvalidTransition(
            version.status,
            "edit",
            _(
                "Version %(number)s is published and can no longer be changed: "
                "start a new draft to change the checklist."
            )
            % {"number": version.number},
        )
    return ChecklistVersion.objects.select_related("template").get(pk=version.pk)


def draft_check(actor, version_id: int) -> ChecklistVersion:
    """The draft if ``actor`` may edit it: 404 outside the scope, 403 without the right, 409 when
    it is published (for pages and the import, before they read a form or a file)."""
    with transaction.atomic():
        return _draft_for(actor, version_id)


def _audit(actor, action: str, template: ChecklistTemplate, obj=None, **kwargs) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=obj if obj is not None else template,
        region_id=template.region_id,
        **kwargs,
    )


# --- Templates ---------------------------------------------------------------------------------


def _unique_code(region: Region, code: str) -> str:
    base = slugify(code)[:50] or "checklist"
    taken = set(
        ChecklistTemplate.objects.filter(region=region, code__startswith=base).values_list(
            "code", flat=True
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _copy_content(source: ChecklistVersion, target: ChecklistVersion) -> None:
    for section in source.sections.order_by("order", "pk").prefetch_related("items"):
        copy = ChecklistSection.objects.create(
            version=target, title=section.title, order=section.order
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                section=copy,
                order=item.order,
                **{name: getattr(item, name) for name in ITEM_FIELDS},
            )
            for item in sorted(section.items.all(), key=lambda i: (i.order, i.pk))
        )


@transaction.atomic
def template_copy(*, actor, template_id: int, region: Region | None = None) -> ChecklistTemplate:
    """A town's own copy of a template it may see (shipped or its own), its published content as
    version 1 draft. ``region`` defaults to the actor's town."""
    _require_manage(actor)
    source = template_get_for(actor, template_id)
    towns = manage_towns_for(actor)
    if region is None:
        if not towns:
            raise ActionNotPermitted(_("Only the town safety office edits checklists."))
        region = towns[0]
    elif region.pk not in {t.pk for t in towns}:
        raise ActionNotPermitted(_("You may copy checklists only to your own town."))
    published = published_version(source)
    if published is None:
        raise InvalidTransition(
            "draft", "copy", _("This checklist has no published version to copy.")
        )
    template = ChecklistTemplate(
        code=_unique_code(region, source.code),
        name=source.name,
        description=source.description,
        region=region,
        unit_kinds=list(source.unit_kinds or []),
        category_codes=list(source.category_codes or []),
        copied_from=source,
        sort_order=source.sort_order,
    )
    template.full_clean()
    template.save()
    draft = ChecklistVersion.objects.create(
        template=template, number=1, status=VersionStatus.DRAFT, note=_("Copied")
    )
    _copy_content(published, draft)
    _audit(
        actor,
        "checklist.copied",
        template,
        changes={"from": source.pk, "from_version": published.number},
    )
    return template


def _clean_template_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    from anjian.units.models import Category, UnitKind

    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            errors["name"] = _("Give the checklist a name.")
        elif len(name) > 100:
            errors["name"] = _("Keep the name within 100 characters.")
        clean["name"] = name
    if "description" in data:
        clean["description"] = (data["description"] or "").strip()
    if "unit_kinds" in data:
        kinds = list(dict.fromkeys(data["unit_kinds"] or []))
        if unknown := [k for k in kinds if k not in UnitKind.values]:
            errors["unit_kinds"] = _("Unknown unit kinds: %(kinds)s.") % {
                "kinds": ", ".join(unknown)
            }
        clean["unit_kinds"] = kinds
    if "category_codes" in data:
        codes = list(dict.fromkeys(data["category_codes"] or []))
        known = set(Category.objects.filter(code__in=codes).values_list("code", flat=True))
        if unknown := [c for c in codes if c not in known]:
            errors["category_codes"] = _("Unknown unit categories: %(codes)s.") % {
                "codes": ", ".join(unknown)
            }
        clean["category_codes"] = codes
    if "is_active" in data:
        clean["is_active"] = bool(data["is_active"])
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def template_update(*, actor, template_id: int, **fields: Any) -> ChecklistTemplate:
    """Name, description, the unit kinds and categories it suits, and whether it is in use."""
    template = _template_for_manage(actor, template_id)
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ValueError(f"not template fields: {sorted(unknown)}")
    changes = _clean_template_fields(fields)
    before = snapshot(template, list(TEMPLATE_FIELDS))
    for name, value in changes.items():
        setattr(template, name, value)
    template.full_clean()
    template.save(update_fields=[*changes, "updated_at"])
    after = snapshot(template, list(TEMPLATE_FIELDS))
    if before != after:
        _audit(actor, "checklist.updated", template, before=before, after=after)
    return template


# --- Versions --------------------------------------------------------------------------------------


@transaction.atomic
def version_start_draft(*, actor, template_id: int) -> ChecklistVersion:
    """A new draft, a copy of the published version. Refused while a draft exists."""
    template = _template_for_manage(actor, template_id)
    existing = draft_version(template)
    if existing is not None:
        raise InvalidTransition(
            VersionStatus.DRAFT,
            "start_draft",
            _("Version %(number)s is already a draft: edit or publish it first.")
            % {"number": existing.number},
        )
    published = published_version(template)
    if published is None:
        raise InvalidTransition(
            "none", "start_draft", _("This checklist has no published version to start from.")
        )
    number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = ChecklistVersion.objects.create(
        template=template, number=number, status=VersionStatus.DRAFT
    )
    _copy_content(published, draft)
    _audit(actor, "checklist.draft_started", template, obj=draft, changes={"number": number})
    return draft


@transaction.atomic
def version_publish(*, actor, version_id: int, note: str = "") -> ChecklistVersion:
    """Freeze the draft; the version published before it retires (inspections keep it)."""
    draft = _draft_for(actor, version_id)
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": _("Keep the note within 300 characters.")})
    if not ChecklistItem.objects.filter(section__version=draft).exists():
        raise ValidationError({"items": _("Add at least one item before publishing.")})
    if empty := list(
        draft.sections.annotate(n=Count("items")).filter(n=0).values_list("title", flat=True)
    ):
        raise ValidationError(
            {
                "sections": _("These sections have no items: %(titles)s.")
                % {"titles": "、".join(empty)}
            }
        )
    template = draft.template
    previous = ChecklistVersion.objects.filter(
        template=template, status=VersionStatus.PUBLISHED
    ).first()
    if previous is not None:
        ChecklistVersion.objects.filter(pk=previous.pk, status=VersionStatus.PUBLISHED).update(
            status=VersionStatus.RETIRED
        )
    ChecklistVersion.objects.filter(pk=draft.pk, status=VersionStatus.DRAFT).update(
        status=VersionStatus.PUBLISHED,
        note=note,
        published_at=timezone.now(),
        published_by=actor,
    )
    draft.refresh_from_db()
    _audit(
        actor,
        "checklist.published",
        template,
        obj=draft,
        changes={
            "number": draft.number,
            "retired": previous.number if previous else None,
            "items": ChecklistItem.objects.filter(section__version=draft).count(),
        },
        reason=note,
    )
    return draft


# --- Sections --------------------------------------------------------------------------------------


def _clean_title(title: Any) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the section a title.")})
    if len(title) > 100:
        raise ValidationError({"title": _("Keep the title within 100 characters.")})
    return title


def section_of(draft: ChecklistVersion, section_id: int) -> ChecklistSection:
    section = ChecklistSection.objects.filter(pk=section_id, version=draft).first()
    if section is None:
        raise Http404
    return section


def _renumber(rows: Sequence[Any], model) -> None:
    changed = []
    for n, row in enumerate(rows, start=1):
        if row.order != n:
            row.order = n
            changed.append(row)
    if changed:
        model.objects.bulk_update(changed, ["order"])


@transaction.atomic
def section_add(*, actor, version_id: int, title: str) -> ChecklistSection:
    draft = _draft_for(actor, version_id)
    title = _clean_title(title)
    order = (draft.sections.aggregate(n=Max("order"))["n"] or 0) + 1
    section = ChecklistSection.objects.create(version=draft, title=title, order=order)
    _audit(
        actor,
        "checklist.section_added",
        draft.template,
        obj=draft,
        changes={"section": section.pk, "title": title},
    )
    return section


@transaction.atomic
def section_update(
    *, actor, version_id: int, section_id: int, title: str | None = None, move: str | None = None
) -> ChecklistSection:
    """Rename a section, and/or move it ``up`` or ``down``."""
    draft = _draft_for(actor, version_id)
    section = section_of(draft, section_id)
    before = {"title": section.title, "order": section.order}
    if title is not None:
        section.title = _clean_title(title)
        section.save(update_fields=["title"])
    if move:
        rows = list(draft.sections.order_by("order", "pk"))
        _swap(rows, section, move)
        _renumber(rows, ChecklistSection)
        section.refresh_from_db()
    after = {"title": section.title, "order": section.order}
    if before != after:
        _audit(
            actor,
            "checklist.section_updated",
            draft.template,
            obj=draft,
            before={"section": section.pk, **before},
            after={"section": section.pk, **after},
        )
    return section


@transaction.atomic
def section_delete(*, actor, version_id: int, section_id: int) -> None:
    """Delete a section of a draft with its items."""
    draft = _draft_for(actor, version_id)
    section = section_of(draft, section_id)
    texts = list(section.items.order_by("order", "pk").values_list("text", flat=True))
    section.delete()
    _renumber(list(draft.sections.order_by("order", "pk")), ChecklistSection)
    _audit(
        actor,
        "checklist.section_deleted",
        draft.template,
        obj=draft,
        changes={"section": section_id, "title": section.title, "items": texts},
    )


def _swap(rows: list[Any], row: Any, move: str) -> None:
    if move not in ("up", "down"):
        raise ValidationError({"move": _("Move up or down.")})
    index = next(i for i, r in enumerate(rows) if r.pk == row.pk)
    other = index - 1 if move == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]


# --- Items -------------------------------------------------------------------------------------------


def clean_item_fields(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validated item fields (the Excel import uses it too). A major criterion is a major hazard."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name in ITEM_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "is_major_criterion":
            clean[name] = bool(value)
        else:
            clean[name] = "" if value is None else str(value).strip()
    if ("text" in clean or not partial) and not clean.get("text"):
        errors["text"] = _("Write what to check.")
    level = clean.get("hazard_level")
    if level is not None and level not in HazardLevel.values:
        errors["hazard_level"] = _("Choose ordinary or major.")
    category = clean.get("hazard_category")
    if category is not None and category not in HazardCategory.values:
        errors["hazard_category"] = _("Choose one of the hazard categories.")
    if len(clean.get("criterion_ref", "")) > 100:
        errors["criterion_ref"] = _("Keep the clause within 100 characters.")
    if errors:
        raise ValidationError(errors)
    if not partial:
        clean.setdefault("hazard_level", HazardLevel.GENERAL)
        clean.setdefault("hazard_category", HazardCategory.OTHER)
    if clean.get("is_major_criterion"):
        clean["hazard_level"] = HazardLevel.MAJOR
    return clean


def item_of(draft: ChecklistVersion, item_id: int) -> ChecklistItem:
    item = (
        ChecklistItem.objects.filter(pk=item_id, section__version=draft)
        .select_related("section")
        .first()
    )
    if item is None:
        raise Http404
    return item


@transaction.atomic
def item_add(*, actor, version_id: int, section_id: int, **fields: Any) -> ChecklistItem:
    draft = _draft_for(actor, version_id)
    section = section_of(draft, section_id)
    clean = clean_item_fields(fields)
    if ChecklistItem.objects.filter(section__version=draft).count() >= MAX_ITEMS:
        raise ValidationError({"items": _("A checklist holds at most 500 items.")})
    order = (section.items.aggregate(n=Max("order"))["n"] or 0) + 1
    item = ChecklistItem(section=section, order=order, **clean)
    item.full_clean()
    item.save()
    _audit(
        actor,
        "checklist.item_added",
        draft.template,
        obj=draft,
        changes={"item": item.pk, "section": section.title, **clean},
    )
    return item


@transaction.atomic
def item_update(*, actor, version_id: int, item_id: int, **fields: Any) -> ChecklistItem:
    draft = _draft_for(actor, version_id)
    item = item_of(draft, item_id)
    if fields.get("is_major_criterion") is None:
        fields.pop("is_major_criterion", None)
    clean = clean_item_fields(fields, partial=True)
    if item.is_major_criterion and clean.get("is_major_criterion", True):
        clean["hazard_level"] = HazardLevel.MAJOR
    before = snapshot(item, list(ITEM_FIELDS))
    for name, value in clean.items():
        setattr(item, name, value)
    item.full_clean()
    item.save(update_fields=list(clean) or None)
    after = snapshot(item, list(ITEM_FIELDS))
    if before != after:
        _audit(
            actor,
            "checklist.item_updated",
            draft.template,
            obj=draft,
            before={"item": item.pk, **before},
            after={"item": item.pk, **after},
        )
    return item


@transaction.atomic
def item_delete(*, actor, version_id: int, item_id: int) -> None:
    draft = _draft_for(actor, version_id)
    item = item_of(draft, item_id)
    section = item.section
    gone = snapshot(item, list(ITEM_FIELDS))
    item.delete()
    _renumber(list(section.items.order_by("order", "pk")), ChecklistItem)
    _audit(
        actor,
        "checklist.item_deleted",
        draft.template,
        obj=draft,
        changes={"item": item_id, "section": section.title, **gone},
    )


@transaction.atomic
def item_move(
    *,
    actor,
    version_id: int,
    item_id: int,
    direction: str | None = None,
    section_id: int | None = None,
) -> ChecklistItem:
    """Move an item ``up``/``down`` within its section, or to the end of another section."""
    draft = _draft_for(actor, version_id)
    item = item_of(draft, item_id)
    before = {"section": item.section_id, "order": item.order}
    if section_id is not None and section_id != item.section_id:
        target = section_of(draft, section_id)
        old_section = item.section
        item.section = target
        item.order = (target.items.aggregate(n=Max("order"))["n"] or 0) + 1
        item.save(update_fields=["section", "order"])
        _renumber(list(old_section.items.order_by("order", "pk")), ChecklistItem)
    elif direction:
        rows = list(item.section.items.order_by("order", "pk"))
        _swap(rows, item, direction)
        _renumber(rows, ChecklistItem)
        item.refresh_from_db()
    else:
        raise ValidationError({"direction": _("Move up or down, or to another section.")})
    after = {"section": item.section_id, "order": item.order}
    if before != after:
        _audit(
            actor,
            "checklist.item_moved",
            draft.template,
            obj=draft,
            before={"item": item.pk, **before},
            after={"item": item.pk, **after},
        )
    return item


@transaction.atomic
def version_replace_content(
    *,
    actor,
    version_id: int,
    sections: Iterable[tuple[str, Sequence[Mapping[str, Any]]]],
    source: str = "",
) -> ChecklistVersion:
    """Replace every section and item of a draft (the Excel import). The items are validated first;
    nothing is written when one is invalid."""
    draft = _draft_for(actor, version_id)
    cleaned: list[tuple[str, list[dict[str, Any]]]] = []
    total = 0
    for title, items in sections:
        cleaned.append((_clean_title(title), [clean_item_fields(fields) for fields in items]))
        total += len(items)
    if total == 0:
        raise ValidationError({"items": _("The checklist would have no items.")})
    if total > MAX_ITEMS:
        raise ValidationError({"items": _("A checklist holds at most 500 items.")})
    removed = ChecklistItem.objects.filter(section__version=draft).count()
    draft.sections.all().delete()
    for s_order, (title, items) in enumerate(cleaned, start=1):
        section = ChecklistSection.objects.create(version=draft, title=title, order=s_order)
        ChecklistItem.objects.bulk_create(
            ChecklistItem(section=section, order=i_order, **fields)
            for i_order, fields in enumerate(items, start=1)
        )
    _audit(
        actor,
        "checklist.imported",
        draft.template,
        obj=draft,
        changes={"file": source, "removed_items": removed, "items": total},
    )
    return draft
