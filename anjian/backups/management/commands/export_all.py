"""``manage.py export_all DIR``: every record as JSON and CSV, and every file, into a folder."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from anjian.backups.exports import export_all


class Command(BaseCommand):
    help = _("Export every record (JSON and CSV) and every file into an empty folder.")

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, **options):
        try:
            manifest = export_all(options["directory"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages), returncode=1) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Exported %(tables)d tables (%(rows)d rows) and %(files)d files into %(path)s.")
                % {
                    "tables": len(manifest["counts"]),
                    "rows": sum(manifest["counts"].values()),
                    "files": len(manifest["files"]),
                    "path": options["directory"],
                }
            )
        )
