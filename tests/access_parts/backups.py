"""Backups (``anjian.backups``) in the access walk: installation-wide, no region to scope by, so
the operations are actions of the roles that run the installation. The walk writes no archive
(the personas allowed to start one are not called; the others must get 403)."""

from __future__ import annotations

from typing import Any

from anjian.backups.models import Backup

LIST_OPERATIONS: dict[str, tuple[type, str]] = {
    "backups_list": (Backup, "backups.view"),
}
ACTION_OPERATIONS: dict[str, tuple[str, Any]] = {
    "backups_status": ("backups.view", None),
    "backups_run": ("backups.run", {}),
}
