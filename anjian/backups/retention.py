"""Which archives a folder keeps (7 daily, 5 weekly, 12 monthly by default, in Beijing time) and
the pruning of the others."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record
from anjian.backups.archive import LOCAL_TZ, NAME_RE, backup_directory, local_time
from anjian.backups.models import Backup


def retention_keep(
    datetimes: Iterable[datetime.datetime],
    now: datetime.datetime,
    *,
    daily: int = 7,
    weekly: int = 5,
    monthly: int = 12,
) -> set[datetime.datetime]:
    """Which backups to keep: the newest of each of the last ``daily`` days that have one, of
    each of the last ``weekly`` ISO weeks and of each of the last ``monthly`` months (local time),
    the newest of all, and any dated after ``now`` (a clock put back must not delete them).

    Counting periods that have a backup (not calendar periods) keeps old backups when the machine
    was switched off for a while, which is when they are needed most. Pure: tested at month and
    year ends and on 29 February."""
    moments = sorted(set(datetimes), reverse=True)
    keep = {m for m in moments if m > now}
    if moments:
        keep.add(moments[0])
    rules = (
        (daily, lambda d: d.date()),
        (weekly, lambda d: d.isocalendar()[:2]),
        (monthly, lambda d: (d.year, d.month)),
    )
    for count, bucket in rules:
        seen: list[Any] = []
        for moment in moments:
            key = bucket(local_time(moment))
            if key in seen:
                continue
            if len(seen) == count:
                break
            seen.append(key)
            keep.add(moment)
    return keep


def _archives(directory: Path) -> dict[datetime.datetime, list[Path]]:
    from zoneinfo import ZoneInfo

    found: dict[datetime.datetime, list[Path]] = {}
    if not directory.is_dir():
        return found
    for path in directory.iterdir():
        match = NAME_RE.match(path.name)
        if not match or not path.is_file():
            continue
        moment = datetime.datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S").replace(
            tzinfo=ZoneInfo(LOCAL_TZ)
        )
        found.setdefault(moment, []).append(path)
    return found


def backup_prune(
    *, actor=None, directories: Iterable[Path] | None = None, now: datetime.datetime | None = None
) -> list[str]:
    """Delete the archives the retention rule does not keep, in each directory (the main one and
    the second destination) on its own; mark their rows. Returns the deleted paths."""
    if directories is None:
        directories = [backup_directory()]
        if settings.ANJIAN_BACKUP_COPY_DIR:
            directories.append(Path(settings.ANJIAN_BACKUP_COPY_DIR))
    now = now or timezone.now()
    rule = settings.ANJIAN_BACKUP_KEEP
    deleted: list[str] = []
    for directory in directories:
        found = _archives(Path(directory))
        keep = retention_keep(found, now, **rule)
        for moment, paths in found.items():
            if moment not in keep:
                for path in paths:
                    path.unlink(missing_ok=True)
                    deleted.append(str(path))
    if deleted:
        with transaction.atomic():
            Backup.objects.filter(path__in=deleted, pruned_at__isnull=True).update(
                pruned_at=timezone.now()
            )
            audit_record(
                actor=actor,
                action="backup.pruned",
                target_repr=_("%(count)d backup archives") % {"count": len(deleted)},
                changes={"deleted": deleted},
                reason=f"retention {json.dumps(rule, sort_keys=True)}",
            )
    return deleted
