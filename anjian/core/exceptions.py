"""Domain exceptions. Views and the API map each to one response in one place
(``anjian.core.views.domain_error_response`` and ``config.api``)."""

from __future__ import annotations

from django.utils.translation import gettext as _


class DomainError(Exception):
    """Base of the errors a user can be told about."""

    status = 400
    code = "domain_error"

    def __init__(self, message: str | None = None):
        super().__init__(message or self.default_message())
        self.message = message or self.default_message()

    def default_message(self) -> str:
        return _("The request could not be carried out.")


class InvalidTransition(DomainError):
    """The object is not in a state that allows this action."""

    status = 409
    code = "invalid_transition"

    def __init__(self, state: str, action: str, message: str | None = None):
        self.state, self.action = state, action
        super().__init__(message)

    def default_message(self) -> str:
        return _("The action “%(action)s” is not allowed in the state “%(state)s”.") % {
            "action": self.action,
            "state": self.state,
        }


class StaleObject(DomainError):
    """Somebody else changed the object since it was loaded (compare-and-set failed)."""

    status = 409
    code = "stale_object"

    def default_message(self) -> str:
        return _(
            "This record was changed by someone else in the meantime. Reload it and try again."
        )


class ActionNotPermitted(DomainError):
    """The user may see the object but not do this to it (403)."""

    status = 403
    code = "forbidden"

    def default_message(self) -> str:
        return _("You are not allowed to do this.")
