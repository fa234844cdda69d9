"""Log-in by user name or mobile number."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from anjian.accounts.models import User


class UsernameOrMobileBackend(ModelBackend):
    """Checks the password of the account named by user name or mobile number. A deactivated
    account with the right password is returned too: ``services.login_check_credentials`` tells
    its owner so instead of counting a failed log-in. Sessions of deactivated users still end
    (``get_user`` asks ``user_can_authenticate``)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = User.objects.get_by_login(username or kwargs.get("login") or "")
        if user is None:
            User().set_password(password)  # same work as a real check, against timing attacks
            return None
        if user.check_password(password):
            return user
        return None
