"""System checks for dangerous combinations of settings (paperless checks.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def debug_with_public_host(app_configs, **kwargs):
    local = {"127.0.0.1", "localhost", "[::1]"}
    if settings.DEBUG and any(h not in local for h in settings.ALLOWED_HOSTS):
        return [Warning("ANJIAN_DEBUG=true with a public ALLOWED_HOSTS entry", id="anjian.W001")]
    return []
