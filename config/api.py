"""The JSON API under /api/v1/: one NinjaAPI, one router per app, one error envelope.

Every error comes back as ``{"error": {"code": ..., "message": ..., "details": ...}}`` with a
Chinese (or English) message, never as an HTML page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from anjian.accounts.api_auth import ApiAuthError, BearerTokenAuth, SessionCsrfAuth
from anjian.core.api_renderer import JSONRenderer
from anjian.core.exceptions import DomainError

# Every status the API answers with the error envelope, and when (documented on every operation).
ERROR_STATUSES = {
    "400": "The request body is not valid JSON",
    "401": "Log in first: no valid session or token",
    "403": "Your roles do not allow this",
    "404": "Not found, or you may not see it",
    "409": "The object changed meanwhile or is in a state that does not allow this",
    "422": "Some of the data sent is not valid (details name the fields)",
    "429": "Too many attempts: try again later",
}
ERROR_ENVELOPE = {
    "title": "ErrorEnvelope",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "A stable code, e.g. not_found"},
                "message": {"type": "string", "description": "In the user's language"},
                "details": {
                    "description": "Per field, for 422; otherwise any JSON",
                },
            },
        }
    },
}


class AnjianAPI(NinjaAPI):
    """The NinjaAPI whose published schema documents the error envelope on every operation, in
    one place instead of a ``response={...}`` entry on each of its hundreds of operations."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)


def document_errors(schema):
    """Add the error statuses with the envelope to every operation of ``schema`` (an operation
    that documents a status itself keeps its own). 401 too where no authentication is asked for:
    the log-in operations answer it for a wrong password."""
    schema.setdefault("components", {}).setdefault("schemas", {})["ErrorEnvelope"] = ERROR_ENVELOPE
    ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return schema


api = AnjianAPI(
    title="anjian 安监 API",
    version="1",
    description=(
        "The JSON API of anjian. Every capability of the pages is here too, with the same scoping. "
        "Authenticate with a session cookie (and CSRF token) or with `Authorization: Bearer <token>` "
        "from `POST /api/v1/auth/token`."
    ),
    auth=[BearerTokenAuth(), SessionCsrfAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=JSONRenderer(),
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, details=None
) -> HttpResponse:
    body: dict = {"error": {"code": code, "message": message}}
    if details is not None:
        body["error"]["details"] = details
    return api.create_response(request, body, status=status)


@api.exception_handler(ApiAuthError)
def _auth_failed(request, exc: ApiAuthError):
    return error_response(request, 401, exc.code, exc.message)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(
        request, 401, "not_authenticated", _("Log in first: no valid session or token was sent.")
    )


def _pydantic_message(err: dict) -> str:
    """pydantic's English message for an input error, in the user's language where we know it."""
    ctx = err.get("ctx") or {}
    kind = err.get("type", "")
    known = {
        "missing": _("This field is required."),
        "string_type": _("Enter text."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "bool_parsing": _("Enter true or false."),
        "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_parsing": _("Enter a date as YYYY-MM-DD."),
        "datetime_parsing": _("Enter a date and time in ISO 8601 form."),
        "enum": _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")},
        "literal_error": _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")},
        "string_too_short": _("Enter at least %(n)s characters.")
        % {"n": ctx.get("min_length", "")},
        "string_too_long": _("Enter at most %(n)s characters.") % {"n": ctx.get("max_length", "")},
        "greater_than_equal": _("Enter a value of at least %(n)s.") % {"n": ctx.get("ge", "")},
        "less_than_equal": _("Enter a value of at most %(n)s.") % {"n": ctx.get("le", "")},
        "model_attributes_type": _("Send a JSON object."),
        "dict_type": _("Send a JSON object."),
        "list_type": _("Send a JSON list."),
    }
    return known.get(kind) or str(err.get("msg", ""))


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    details = [
        {
            "field": ".".join(str(p) for p in err.get("loc", [])[1:]) or None,
            "message": _pydantic_message(err),
        }
        for err in exc.errors
    ]
    if any(err.get("type") == "json_invalid" for err in exc.errors) or any(
        "JSON" in str(err.get("msg", "")) for err in exc.errors
    ):
        return error_response(
            request, 400, "malformed_json", _("The request body is not valid JSON."), details
        )
    return error_response(
        request, 422, "invalid", _("Some of the data sent is not valid."), details
    )


@api.exception_handler(DjangoValidationError)
def _domain_invalid(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        details = [
            {"field": f, "message": str(m)} for f, msgs in exc.message_dict.items() for m in msgs
        ]
    else:
        details = [{"field": None, "message": str(m)} for m in exc.messages]
    return error_response(
        request, 422, "invalid", details[0]["message"] if details else _("Invalid data."), details
    )


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return error_response(request, exc.status, exc.code, exc.message)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, "not_found", _("Not found, or you may not see it."))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error_response(
        request, 403, "forbidden", str(exc) or _("You are not allowed to do this.")
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    # ninja raises HttpError(400, "Cannot parse request body") from the JSON decoder's ValueError.
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        message = _("The request body is not valid JSON.")
        return error_response(request, 400, "malformed_json", message)
    return error_response(request, exc.status_code, "error", str(exc))


@api.exception_handler(Exception)
def _server_error(request, exc):  # pragma: no cover - the safety net
    import logging

    logging.getLogger("anjian.api").exception("API error", exc_info=exc)
    return error_response(
        request, 500, "server_error", _("An internal error occurred. It has been logged.")
    )


def _register_routers() -> None:
    from anjian.accounts.api import router as accounts_router
    from anjian.audit.api import router as audit_router
    from anjian.backups.api import router as backups_router
    from anjian.campaigns.api import router as campaigns_router
    from anjian.core.api import router as core_router
    from anjian.dashboards.api import router as dashboard_router
    from anjian.enforcement.api import router as documents_router
    from anjian.enforcement.case_api import router as cases_router
    from anjian.enforcement.settings_api import router as enforcement_settings_router
    from anjian.exchange.api import router as exchange_router
    from anjian.hazards.api import router as hazards_router
    from anjian.hazards.report_api import router as hazard_reports_router
    from anjian.hazards.tipoff_api import router as tip_offs_router
    from anjian.inspections.api import router as inspections_router
    from anjian.inspections.template_api import router as checklists_router
    from anjian.notifications.api import router as notifications_router
    from anjian.plans.api import router as plans_router
    from anjian.regions.api import router as regions_router
    from anjian.reports.api import router as reports_router
    from anjian.stats.api import router as statistics_router
    from anjian.teams.api import router as teams_router
    from anjian.units.api import router as units_router
    from anjian.units.document_api import router as unit_documents_router
    from anjian.units.enterprise_api import router as unit_enterprise_router
    from anjian.units.expert_api import router as experts_router
    from anjian.units.import_api import router as unit_imports_router

    api.add_router("/auth", accounts_router)
    api.add_router("/core", core_router)
    api.add_router("/regions", regions_router)
    api.add_router("/committees", teams_router)
    api.add_router("/units", units_router)
    api.add_router("/units", unit_documents_router)
    api.add_router("/units", unit_imports_router)
    api.add_router("/units", unit_enterprise_router)
    api.add_router("/experts", experts_router)
    api.add_router("/hazards", hazards_router)
    api.add_router("/hazard-reports", hazard_reports_router)
    api.add_router("/tip-offs", tip_offs_router)
    api.add_router("/checklists", checklists_router)
    api.add_router("/inspections", inspections_router)
    api.add_router("/documents", documents_router)
    api.add_router("/cases", cases_router)
    api.add_router("/enforcement-settings", enforcement_settings_router)
    api.add_router("/plans", plans_router)
    api.add_router("/campaigns", campaigns_router)
    api.add_router("/statistics", statistics_router)
    api.add_router("/dashboard", dashboard_router)
    api.add_router("/reports", reports_router)
    api.add_router("/exchange", exchange_router)
    api.add_router("/audit", audit_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/backups", backups_router)


_register_routers()
