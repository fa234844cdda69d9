"""The town office's enforcement settings pages, mounted at /enforcement-settings/: the town's
settings (what its documents print), its officers' law-enforcement certificates and the number
formats of its documents. Every page needs ``enforcement.manage_settings`` and works on the
office's own town (``?town=`` chooses among several for a user who has several); another town's
certificate or rule answers 404. Views are thin: forms check input, services write and audit.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anjian.accounts.models import User
from anjian.core.exceptions import StaleObject
from anjian.core.export import Column
from anjian.core.views import ScopedListView, scoped
from anjian.enforcement import settings_services as services
from anjian.enforcement import templates_docx
from anjian.enforcement.models import (
    DEFAULT_FORMAT,
    DocumentType,
    OfficerCertificate,
    OfficeTemplate,
)
from anjian.enforcement.settings_forms import CertificateForm, RuleForm, SettingsForm
from anjian.enforcement.settings_services import MANAGE


def _town(request: HttpRequest):
    value = request.GET.get("town") or request.POST.get("town") or None
    try:
        town_id = int(value) if value else None
    except ValueError as exc:
        raise Http404 from exc
    return services.town_for(request.user, town_id)


def _town_context(request: HttpRequest, town) -> dict:
    towns = list(services.towns_for(request.user)[:50])
    return {"town": town, "towns": towns if len(towns) > 1 else []}


def _back(name: str, town, *args) -> HttpResponse:
    url = reverse(f"enforcement_settings:{name}", args=args)
    return redirect(f"{url}?town={town.pk}")


# --- The town's settings ------------------------------------------------------------------------


@scoped(MANAGE)
def settings_page(request: HttpRequest) -> HttpResponse:
    """The town's settings with what prints on documents in each mode; the form saves them."""
    town = _town(request)
    current = services.settings_of(town)
    initial = {name: getattr(current, name) for name in services.SETTINGS_FIELDS}
    initial["based_on"] = services.settings_tag(current)
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.enforcement_settings_update(
                actor=request.user, town_id=town.pk, expected_tag=data.pop("based_on"), **data
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except StaleObject as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The enforcement settings were saved."))
            return _back("settings", town)
    staff = services.staff_of(request.user, town)
    today = timezone.localdate()
    certs = {c.user_id: c for c in OfficerCertificate.objects.filter(user__in=staff)}
    statuses = [services.certificate_status(certs.get(p.pk), today) for p in staff]
    return render(
        request,
        "enforcement/settings_page.html",
        {
            **_town_context(request, town),
            "form": form,
            "current": current,
            "printed": services.printed_by_mode(town, current),
            "printed_now": services.printed_lines(
                town,
                mode=current.mode,
                authority_name=current.authority_name,
                town_body_name=current.town_body_name,
            ),
            "signing_officers": statuses.count("valid") + statuses.count("expiring"),
            "expired_officers": statuses.count("expired"),
            "missing_officers": statuses.count("missing"),
            "own_rules": sum(1 for row in services.rule_rows(town) if not row.is_default),
        },
    )


# --- Certificates ---------------------------------------------------------------------------------

STATUS_CHOICES = (
    ("valid", gettext_lazy("Valid")),
    ("expiring", gettext_lazy("Expires within 30 days")),
    ("expired", gettext_lazy("Expired")),
    ("missing", gettext_lazy("No certificate on file")),
)
STATUS_LABELS = dict(STATUS_CHOICES)


class StaffFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Certificate status"), choices=STATUS_CHOICES, method="by_status"
    )

    class Meta:
        model = User
        fields = ["status"]

    def by_status(self, queryset, name, value):
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=services.EXPIRING_DAYS)
        has = Q(enforcement_certificate__isnull=False) & ~Q(enforcement_certificate__number="")
        if value == "missing":
            return queryset.exclude(has)
        if value == "expired":
            return queryset.filter(has, enforcement_certificate__valid_until__lt=today)
        if value == "expiring":
            return queryset.filter(
                has,
                enforcement_certificate__valid_until__gte=today,
                enforcement_certificate__valid_until__lte=soon,
            )
        return queryset.filter(has).filter(
            Q(enforcement_certificate__valid_until__isnull=True)
            | Q(enforcement_certificate__valid_until__gt=soon)
        )


def _cert(person):
    try:
        return person.enforcement_certificate
    except OfficerCertificate.DoesNotExist:
        return None


def _status_label(person) -> str:
    return str(STATUS_LABELS[services.certificate_status(_cert(person))])


class CertificateListView(ScopedListView):
    """The town's staff with their certificate number and validity; expired ones flagged."""

    model = User
    action = MANAGE
    template_name = "enforcement/settings_certificate_list.html"
    context_object_name = "people"
    filterset_class = StaffFilterSet
    search_fields = ("name", "username", "mobile", "enforcement_certificate__number")
    export_title = gettext_lazy("Law-enforcement certificates")
    export_columns = (
        Column(gettext_lazy("officer"), lambda p: p.name, 14),
        Column(gettext_lazy("user name"), lambda p: p.username, 16),
        Column(
            gettext_lazy("law-enforcement certificate number"),
            lambda p: _cert(p).number if _cert(p) else "",
            24,
        ),
        Column(
            gettext_lazy("certificate valid until"),
            lambda p: _cert(p).valid_until if _cert(p) else None,
            16,
        ),
        Column(gettext_lazy("Certificate status"), _status_label, 18),
    )

    def get_queryset(self):
        self.town = _town(self.request)
        staff = services.staff_of(self.request.user, self.town).values("pk")
        qs = (
            User.objects.for_action(self.request.user, MANAGE)
            .filter(pk__in=staff)
            .select_related("enforcement_certificate")
            .order_by("name", "username")
        )
        self.search = self.request.GET.get("q", "").strip()
        if self.search:
            cond = Q()
            for field in self.search_fields:
                cond |= Q(**{f"{field}__icontains": self.search})
            qs = qs.filter(cond)
        self.filterset = StaffFilterSet(self.request.GET or None, queryset=qs, request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for person in ctx["people"]:
            person.cert = _cert(person)
            person.cert_status = services.certificate_status(person.cert, today)
            person.cert_status_label = STATUS_LABELS[person.cert_status]
        ctx.update(_town_context(self.request, self.town))
        ctx["town_field"] = {"town": self.town.pk}
        return ctx


@scoped(MANAGE)
def certificate_create(request: HttpRequest) -> HttpResponse:
    """Record the certificate of one of the town's staff (``?user=`` chooses the person)."""
    town = _town(request)
    staff = list(
        services.staff_of(request.user, town)
        .filter(enforcement_certificate__isnull=True)
        .order_by("name", "username")
    )
    initial = {"user_id": request.GET.get("user") or ""}
    form = CertificateForm(request.POST or None, staff=staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items() if k != "based_on"}
            services.certificate_create(actor=request.user, **data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The certificate was saved."))
            return _back("certificate_list", town)
    return render(
        request,
        "enforcement/settings_certificate_form.html",
        {**_town_context(request, town), "form": form},
    )


@scoped(MANAGE)
def certificate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cert = services.certificate_get_for(request.user, pk)
    town = _town(request)
    form = CertificateForm(
        request.POST or None,
        initial={
            "number": cert.number,
            "valid_until": cert.valid_until,
            "based_on": services.certificate_tag(cert),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.certificate_update(
                actor=request.user,
                certificate_id=cert.pk,
                expected_tag=data.pop("based_on"),
                **data,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except StaleObject as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The certificate was saved."))
            return _back("certificate_list", town)
    return render(
        request,
        "enforcement/settings_certificate_form.html",
        {
            **_town_context(request, town),
            "form": form,
            "certificate": cert,
            "status": services.certificate_status(cert),
        },
    )


@scoped(MANAGE)
@require_POST
def certificate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a certificate (the page asks for confirmation first)."""
    cert = services.certificate_get_for(request.user, pk)
    town = _town(request)
    services.certificate_delete(
        actor=request.user, certificate_id=cert.pk, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("The certificate was removed."))
    return _back("certificate_list", town)


# --- Numbering rules --------------------------------------------------------------------------------


@scoped(MANAGE)
def rule_list(request: HttpRequest) -> HttpResponse:
    """Each document type's format and the next number it will give (not taken)."""
    town = _town(request)
    rows = services.rule_rows(town)
    if request.GET.get("export") == "xlsx":
        return _rules_xlsx(request, town, rows)
    return render(
        request,
        "enforcement/settings_rule_list.html",
        {**_town_context(request, town), "rows": rows, "default_format": DEFAULT_FORMAT},
    )


def _rules_xlsx(request: HttpRequest, town, rows) -> HttpResponse:
    from anjian.audit.services import audit_record
    from anjian.core.export import workbook_bytes, xlsx_response

    title = str(gettext_lazy("Document numbering rules"))
    columns = (
        Column(gettext_lazy("kind of document"), lambda r: r.label, 36),
        Column(gettext_lazy("number format"), lambda r: r.pattern, 30),
        Column(gettext_lazy("Next number"), lambda r: r.next_label, 26),
        Column(gettext_lazy("Numbers given this year"), lambda r: r.last_number, 12),
    )
    content = workbook_bytes(title, columns, rows)
    audit_record(
        actor=request.user,
        action="export.downloaded",
        target_repr=title,
        region_id=town.pk,
        changes={"rows": len(rows)},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(f"{title}-{stamp}.xlsx", content)


def _doc_type(request: HttpRequest) -> str:
    """The ``type`` asked for ("" when none was given; 404 for an unknown one)."""
    value = request.GET.get("type") or request.POST.get("type") or ""
    if value and value not in DocumentType.values:
        raise Http404
    return value


@scoped(MANAGE)
def rule_edit(request: HttpRequest) -> HttpResponse:
    """Change one type's format (``?type=``), with a preview of the next number."""
    town = _town(request)
    doc_type = _doc_type(request)
    if not doc_type:  # the list is where a type is chosen
        return _back("rule_list", town)
    row = next(r for r in services.rule_rows(town) if r.doc_type == doc_type)
    form = RuleForm(request.POST or None, initial={"pattern": row.pattern, "based_on": row.tag})
    preview = row.next_label
    if request.method == "POST" and form.is_valid():
        pattern = form.cleaned_data["pattern"]
        try:
            if "preview" in request.POST:
                preview, _last = services.preview_number(town, doc_type, pattern)
            else:
                services.numbering_rule_set(
                    actor=request.user,
                    doc_type=doc_type,
                    pattern=pattern,
                    town_id=town.pk,
                    expected_tag=form.cleaned_data["based_on"],
                )
                messages.success(request, _("The number format was saved."))
                return _back("rule_list", town)
        except ValidationError as exc:
            form.add_service_errors(exc)
            preview = ""
        except StaleObject as exc:
            form.add_error(None, exc.message)
            preview = ""
    return render(
        request,
        "enforcement/settings_rule_form.html",
        {**_town_context(request, town), "form": form, "row": row, "preview": preview},
    )


@scoped(MANAGE)
def rule_preview(request: HttpRequest) -> HttpResponse:
    """The next number a format would give (the htmx preview of the edit page)."""
    town = _town(request)
    doc_type = _doc_type(request)  # "" → the service says to choose one
    try:
        preview, _last = services.preview_number(town, doc_type, request.GET.get("pattern", ""))
        errors: list[str] = []
    except ValidationError as exc:
        preview, errors = "", exc.messages
    return render(
        request,
        "enforcement/settings_rule_form.html#preview",
        {"preview": preview, "errors": errors},
    )


@scoped(MANAGE)
@require_POST
def rule_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """Go back to the default format (the page asks for confirmation first)."""
    rule = services.numbering_rule_get_for(request.user, pk)
    services.numbering_rule_reset(actor=request.user, rule_id=rule.pk)
    messages.success(request, _("The default number format applies again."))
    return _back("rule_list", rule.town)


# --- The office's own Word templates -----------------------------------------------------------------


class OfficeTemplateForm(forms.Form):
    doc_type = forms.ChoiceField(
        label=gettext_lazy("kind of document"), choices=DocumentType.choices
    )
    file = forms.FileField(label=gettext_lazy("Word template (.docx)"))


@scoped(MANAGE)
def template_list(request: HttpRequest) -> HttpResponse:
    """Each document type's Word template (the office's own or the built-in layout), an upload
    form, and the variables a template may use."""
    town = _town(request)
    form = OfficeTemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            templates_docx.office_template_upload(
                actor=request.user,
                doc_type=form.cleaned_data["doc_type"],
                upload=form.cleaned_data["file"],
                town_id=town.pk,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            messages.success(request, _("The Word template was saved."))
            return _back("template_list", town)
    kept = {t.doc_type: t for t in OfficeTemplate.objects.filter(town=town)}
    rows = [(value, label, kept.get(value)) for value, label in DocumentType.choices]
    return render(
        request,
        "enforcement/settings_template_list.html",
        {
            **_town_context(request, town),
            "rows": rows,
            "form": form,
            "variables": list(templates_docx.SAMPLE_CONTEXT.items()),
        },
    )


@scoped(MANAGE)
@require_POST
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = templates_docx.office_templates().for_action(request.user, MANAGE).filter(pk=pk)
    template = template.first()
    if template is None:
        raise Http404
    templates_docx.office_template_delete(actor=request.user, template_id=pk)
    messages.success(request, _("The built-in layout is used again."))
    return _back("template_list", template.town)


urlpatterns = [
    path("", settings_page, name="settings"),
    path("certificates/", CertificateListView.as_view(), name="certificate_list"),
    path("certificates/new/", certificate_create, name="certificate_create"),
    path("certificates/<int:pk>/edit/", certificate_edit, name="certificate_edit"),
    path("certificates/<int:pk>/delete/", certificate_delete, name="certificate_delete"),
    path("numbering-rules/", rule_list, name="rule_list"),
    path("numbering-rules/edit/", rule_edit, name="rule_edit"),
    path("numbering-rules/preview/", rule_preview, name="rule_preview"),
    path("numbering-rules/<int:pk>/reset/", rule_reset, name="rule_reset"),
    path("word-templates/", template_list, name="template_list"),
    path("word-templates/<int:pk>/delete/", template_delete, name="template_delete"),
]
