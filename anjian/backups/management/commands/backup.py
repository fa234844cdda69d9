"""``manage.py backup``: write one archive (database, media files, manifest) now."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from anjian.backups.services import backup_create
from anjian.core.context import request_context


class Command(BaseCommand):
    help = _("Write a backup archive of the database and the media files, then apply retention.")

    def add_arguments(self, parser):
        parser.add_argument("--dir", help=_("Folder of the archives (default ANJIAN_BACKUP_DIR)"))
        parser.add_argument(
            "--copy-to",
            help=_("Second destination, e.g. a mounted disk (default ANJIAN_BACKUP_COPY_DIR)"),
        )
        parser.add_argument("--database", default="default")
        parser.add_argument("--no-prune", action="store_true", help=_("Keep every older archive"))

    def handle(self, *args, **options):
        with request_context(source="command"):
            try:
                backup = backup_create(
                    using=options["database"],
                    directory=options["dir"],
                    copy_to=options["copy_to"],
                    prune=not options["no_prune"],
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages), returncode=1) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Backup written: %(path)s (%(size).1f MB, %(tables)d tables, %(rows)d rows, "
                    "%(files)d files, %(seconds)s s); the archive was checked."
                )
                % {
                    "path": backup.path,
                    "size": backup.size / 1024 / 1024,
                    "tables": backup.tables,
                    "rows": backup.rows,
                    "files": backup.files,
                    "seconds": backup.seconds,
                }
            )
        )
        if backup.copied_to:
            self.stdout.write(_("Copied to %(path)s.") % {"path": backup.copied_to})
