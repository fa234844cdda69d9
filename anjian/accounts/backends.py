"""Log-in by user name or mobile number."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from anjian.accounts.models import User


class UsernameOrMobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = User.objects.get_by_login(username or kwargs.get("login") or "")
        if user is None:
            User().set_password(password)  # same work as a real check, against timing attacks
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
