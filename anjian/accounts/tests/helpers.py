"""Small helpers shared by the accounts tests."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from anjian.audit.models import AuditEntry


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app would show right now for ``device``."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:0{device.digits}d}"


def enrol_totp(user) -> TOTPDevice:
    """A confirmed TOTP device, as if the user had scanned the QR code and confirmed it."""
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def audited(action: str, **filters) -> AuditEntry | None:
    return AuditEntry.objects.filter(action=action, **filters).order_by("-pk").first()
