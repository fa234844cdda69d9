"""Log-in, log-out, password, profile, two-factor and user management pages. Thin: parse → select
→ service → render."""

from __future__ import annotations

import base64
import time

import django_filters
import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from anjian.accounts import selectors, services
from anjian.accounts.forms import (
    DeactivateForm,
    LoginForm,
    OtpForm,
    PasswordChangeForm,
    ReasonForm,
    RoleScopeForm,
    TokenCreateForm,
    TotpDisableForm,
    UserCreateForm,
)
from anjian.accounts.models import RoleAssignment, User
from anjian.accounts.roles import Role
from anjian.accounts.scope import get_user_scope
from anjian.core.export import Column
from anjian.core.views import ScopedDetailView, ScopedListView, login_only, public, scoped

BACKEND = "anjian.accounts.backends.UsernameOrMobileBackend"
PENDING_KEY = "accounts_otp_pending"
PENDING_SECONDS = 300


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse(settings.LOGIN_REDIRECT_URL)


# --- Log-in and log-out -------------------------------------------------------------------------


@public
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request, next_url))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_check_credentials(
                login=form.cleaned_data["login"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except services.LoginRefused as exc:
            form.add_error(None, exc.message)
        else:
            if services.totp_device_for(user) is not None:
                request.session[PENDING_KEY] = {
                    "user_id": user.pk,
                    "at": time.time(),
                    "next": _safe_next(request, next_url),
                }
                return redirect("accounts:login_otp")
            auth_login(request, user, backend=BACKEND)
            services.login_record_success(user=user, method="password")
            return redirect(_safe_next(request, next_url))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@public
def login_otp_view(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        if pending:
            messages.warning(request, _("The log-in took too long. Enter your password again."))
        return redirect("accounts:login")
    user = selectors.pending_login_user(pending["user_id"])
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("accounts:login")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.login_check_otp(
                user=user, code=form.cleaned_data["code"], request=request
            )
        except services.LoginRefused as exc:
            if exc.code == "locked":
                request.session.pop(PENDING_KEY, None)
                messages.error(request, exc.message)
                return redirect("accounts:login")
            form.add_error("code", exc.message)
        else:
            auth_login(request, user, backend=BACKEND)
            django_otp.login(request, device)
            request.session.pop(PENDING_KEY, None)
            services.login_record_success(user=user, method="password+totp")
            return redirect(_safe_next(request, pending.get("next")))
    return render(request, "accounts/login_otp.html", {"form": form, "pending_user": user})


@login_only
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.logout_record(user=request.user)
    auth_logout(request)
    messages.info(request, _("You have logged out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- Own account --------------------------------------------------------------------------------


@login_only
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_password(
                actor=user, user=user, new_password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect(settings.LOGIN_REDIRECT_URL)
    required = user.must_change_password or request.GET.get("required") == "1"
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "required": required and user.must_change_password},
    )


def _profile_context(request: HttpRequest, **extra) -> dict:
    user = request.user
    return {
        "roles": selectors.own_roles(user),
        "tokens": selectors.own_tokens(user),
        "token_form": extra.pop("token_form", None) or TokenCreateForm(),
        "totp_allowed": services.totp_allowed(user),
        "totp_device": services.totp_device_for(user),
        **extra,
    }


@login_only
def profile_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", _profile_context(request))


@login_only
@require_POST
def token_create_view(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return render(
            request, "accounts/profile.html", _profile_context(request, token_form=form), status=400
        )
    issued = services.api_token_issue(user=request.user, name=form.cleaned_data["name"])
    return render(
        request,
        "accounts/profile.html",
        _profile_context(request, new_token=issued.raw, new_token_obj=issued.token),
    )


@login_only
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.own_token_get(request.user, pk)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:profile")


# --- Two-factor ---------------------------------------------------------------------------------


def _qr_svg(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")
    return mark_safe(svg)  # noqa: S308 - generated by segno from our own URL, no user markup


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@scoped("accounts.two_factor")
def otp_setup_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    confirmed = services.totp_device_for(user)
    if confirmed is not None:
        return render(
            request,
            "accounts/otp_setup.html",
            {"device": confirmed, "disable_form": TotpDisableForm()},
        )
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_device_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            django_otp.login(request, device)
            messages.success(request, _("Two-factor log-in is on. Keep your phone with you."))
            return redirect("accounts:profile")
    device = services.totp_device_start(user=user)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_setup.html",
        {"form": form, "qr_svg": _qr_svg(device.config_url), "secret": _grouped(secret)},
    )


@scoped("accounts.two_factor")
@require_POST
def otp_disable_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = TotpDisableForm(request.POST)
    if form.is_valid():
        try:
            services.totp_disable(user=user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Two-factor log-in is off."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/otp_setup.html",
        {"device": services.totp_device_for(user), "disable_form": form},
        status=400,
    )


# --- User management (town office) --------------------------------------------------------------


class UserFilterSet(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(
        label=gettext_lazy("Role"), choices=Role.choices, method="filter_role"
    )
    is_active = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=(("1", gettext_lazy("Active")), ("0", gettext_lazy("Deactivated"))),
        method="filter_active",
    )

    class Meta:
        model = User
        fields: list[str] = []

    def filter_role(self, queryset, name, value):
        return queryset.filter(
            pk__in=RoleAssignment.objects.filter(role=value, is_active=True).values("user_id")
        )

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "1")


def _roles_text(user) -> str:
    return "；".join(
        f"{ra.get_role_display()}·{ra.unit or ra.committee or ra.region}"
        for ra in getattr(user, "visible_roles", [])
        if ra.is_active
    )


class UserListView(ScopedListView):
    model = User
    action = "accounts.view_users"
    template_name = "accounts/user_list.html"
    filterset_class = UserFilterSet
    search_fields = ("name", "username", "mobile")
    export_title = gettext_lazy("Users")

    @property
    def export_columns(self) -> tuple[Column, ...]:
        """The Excel columns, titled in the language of the request."""
        return (
            Column(_("User name"), lambda u: u.username),
            Column(pgettext("person", "Name"), lambda u: u.name),
            Column(_("Mobile number"), lambda u: u.mobile or "", 14),
            Column(_("Roles"), _roles_text, 50),
            Column(_("Status"), lambda u: _("Active") if u.is_active else _("Deactivated"), 10),
            Column(_("Last log-in"), lambda u: u.last_login, 18),
            Column(_("Joined"), lambda u: u.date_joined, 18),
        )

    def get_queryset(self):
        return selectors.with_visible_roles(super().get_queryset(), self.request.user, self.action)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = get_user_scope(self.request.user).can("accounts.manage_users")
        return ctx


class UserDetailView(ScopedDetailView):
    model = User
    action = "accounts.view_users"
    template_name = "accounts/user_detail.html"
    context_object_name = "person"

    def get_object(self, queryset=None):
        return selectors.user_get_for(self.request.user, self.kwargs["pk"], action=self.action)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        actor, person = self.request.user, self.object
        can_manage = (
            get_user_scope(actor).can("accounts.manage_users")
            and selectors.user_list_for(actor, action="accounts.manage_users")
            .filter(pk=person.pk)
            .exists()
        )
        ctx.update(
            can_manage=can_manage,
            roles=person.visible_roles,
            audit_entries=selectors.user_audit_entries(actor, person),
            login_locks=selectors.user_login_locks(person) if can_manage else [],
            unlock_form=kwargs.get("unlock_form") or ReasonForm(),
            reason_form=kwargs.get("reason_form") or ReasonForm(),
            deactivate_form=kwargs.get("deactivate_form") or DeactivateForm(),
            role_form=kwargs.get("role_form") or (RoleScopeForm(actor) if can_manage else None),
        )
        return ctx


@scoped("accounts.manage_users")
def user_create_view(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create_with_role(
                actor=request.user,
                username=data["username"],
                name=data["name"],
                mobile=data["mobile"] or None,
                email=data["email"] or "",
                password=data["password"],
                **form.scope_kwargs(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("The user %(name)s was created and must change the password at first log-in.")
                % {"name": user.name},
            )
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


def _detail_again(request: HttpRequest, pk: int, **forms) -> HttpResponse:
    view = UserDetailView()
    view.setup(request, pk=pk)
    view.object = view.get_object()
    return render(request, "accounts/user_detail.html", view.get_context_data(**forms), status=400)


def _set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    person = selectors.user_get_for(request.user, pk, action="accounts.manage_users")
    form = (ReasonForm if active else DeactivateForm)(request.POST)
    if form.is_valid():
        try:
            services.user_set_active(
                actor=request.user, user=person, active=active, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if active:
                messages.success(request, _("The account has been reactivated."))
            else:
                messages.success(request, _("The account has been deactivated."))
            return redirect("accounts:user_detail", pk=person.pk)
    forms = {"reason_form": form} if active else {"deactivate_form": form}
    return _detail_again(request, pk, **forms)


@scoped("accounts.manage_users")
@require_POST
def user_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@scoped("accounts.manage_users")
@require_POST
def user_activate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)


@scoped("accounts.manage_users")
@require_POST
def user_unlock_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.user_get_for(request.user, pk, action="accounts.manage_users")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _detail_again(request, pk, unlock_form=form)
    services.user_unlock(actor=request.user, user=person, reason=form.cleaned_data["reason"])
    messages.success(request, _("The log-in lock has been lifted: the person can log in now."))
    return redirect("accounts:user_detail", pk=person.pk)


@scoped("accounts.manage_users")
@require_POST
def user_role_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.user_get_for(request.user, pk, action="accounts.manage_users")
    form = RoleScopeForm(request.user, request.POST)
    if form.is_valid():
        try:
            services.role_assign(actor=request.user, user=person, **form.scope_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The role has been assigned."))
            return redirect("accounts:user_detail", pk=person.pk)
    return _detail_again(request, pk, role_form=form)


@scoped("accounts.manage_users")
@require_POST
def role_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.role_get_for(request.user, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    services.role_revoke(
        actor=request.user, assignment=assignment, reason=form.cleaned_data.get("reason", "")
    )
    messages.success(request, _("The role has been revoked."))
    return redirect("accounts:user_detail", pk=assignment.user_id)
