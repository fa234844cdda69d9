"""Backups over the API, mounted at ``/api/v1/backups``: the list, the status with its warnings,
and starting one now (202: the worker writes it). The roles that run the installation only."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from anjian.backups.models import Backup
from anjian.backups.services import backup_enqueue, backup_status
from anjian.core.pagination import LimitOffset
from anjian.core.scoping import get_scope

router = Router(tags=["backups"])


class BackupOut(Schema):
    id: int
    name: str
    size: int = Field(description="Size of the archive in bytes")
    engine: str = Field(description="sqlite or postgresql")
    status: str = Field(description="ok (written) or failed")
    check_passed: bool = Field(description="The archive was read back and matched its manifest")
    message: str
    copied_to: str = Field(description="The copy on the second destination, or empty")
    tables: int
    rows: int
    files: int
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    pruned_at: datetime.datetime | None = Field(
        description="When the retention rule removed the archive, or null while it is kept"
    )


class BackupStatusOut(Schema):
    last: BackupOut | None
    last_good: BackupOut | None = Field(description="The newest archive whose check passed")
    disk_total: int = Field(description="Bytes of the disk that holds the archives")
    disk_free: int
    warnings: list[str] = Field(
        description="No good backup in two days; the disk nearly full (less than 10% free)"
    )


class BackupStartedOut(Schema):
    task_id: str = Field(description="The id of the background task that writes the backup")


def _require(request: HttpRequest, action: str) -> None:
    if not get_scope(request.auth).can(action):
        raise PermissionDenied(_("Only the office that runs the installation manages backups."))


@router.get(
    "",
    response=list[BackupOut],
    operation_id="backups_list",
    summary="The backups written (and failed), newest first",
)
@paginate(LimitOffset)
def backups_list(request: HttpRequest):
    _require(request, "backups.view")
    return Backup.objects.for_action(request.auth, "backups.view")


@router.get(
    "/status",
    response=BackupStatusOut,
    operation_id="backups_status",
    summary="The last good backup and the warnings of the system page",
)
def backups_status(request: HttpRequest):
    _require(request, "backups.view")
    return backup_status()


@router.post(
    "",
    response={202: BackupStartedOut},
    operation_id="backups_run",
    summary="Start a backup now (written by the background worker)",
)
def backups_run(request: HttpRequest):
    _require(request, "backups.run")
    return Status(202, {"task_id": backup_enqueue(actor=request.auth)})
